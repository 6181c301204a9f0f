"""The warehouse as DuckDB views: one view per table, over its Parquet files."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from yujuesuan.schema import SCHEMAS


def connect(warehouse: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per warehouse table (empty tables keep their columns)."""
    root = Path(warehouse)
    if not (root / "documents").is_dir():
        raise FileNotFoundError(f"no warehouse at {root} (run `yujuesuan extract` or `yujuesuan nightly` first)")
    con = duckdb.connect()
    for table, schema in SCHEMAS.items():
        files = sorted((root / table).glob("*.parquet")) if (root / table).is_dir() else []
        if files:
            glob = str(root / table / "*.parquet").replace("'", "''")
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{glob}', union_by_name = true)")
        else:
            empty = schema.empty_table()
            con.register(f"_{table}_empty", empty)
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM _{table}_empty")
    return con


def tables() -> list[str]:
    return list(SCHEMAS)
