"""The warehouse as DuckDB views: one view per table, over a consistent set of its Parquet files
(compacted parts and documents' own files; a document written since its compaction counts once)."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa

from yujuesuan.warehouse.schema import DOCUMENT_SCHEMAS, SCHEMAS
from yujuesuan.warehouse.store import Warehouse


def _files(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def connect(warehouse: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per warehouse table (empty tables keep their columns)."""
    root = Path(warehouse)
    if not (root / "documents").is_dir():
        raise FileNotFoundError(f"no warehouse at {root} (run `yujuesuan extract` or `yujuesuan nightly` first)")
    con = duckdb.connect()
    snapshot = Warehouse(root).snapshot()
    overridden = sorted({d for files in snapshot.values() for d in files.overridden})
    if overridden:
        con.register("_overridden", pa.table({"doc_id": pa.array(overridden, pa.string())}))
    for table, schema in SCHEMAS.items():
        empty = schema.empty_table()
        con.register(f"_{table}_empty", empty)
        selects = [f"SELECT * FROM _{table}_empty"]  # the columns and their types, whatever the files hold
        if table in DOCUMENT_SCHEMAS:
            files = snapshot[table]
            if files.parts:
                where = " WHERE doc_id NOT IN (SELECT doc_id FROM _overridden)" if files.overridden else ""
                selects.append(f"SELECT * FROM read_parquet({_files(files.parts)}, union_by_name = true){where}")
            if files.own:
                selects.append(f"SELECT * FROM read_parquet({_files(files.own)}, union_by_name = true)")
        else:
            found = sorted((root / table).glob("*.parquet")) if (root / table).is_dir() else []
            if found:
                selects.append(f"SELECT * FROM read_parquet({_files(found)}, union_by_name = true)")
        con.execute(f"CREATE VIEW {table} AS " + " UNION ALL BY NAME ".join(selects))
    return con


def tables() -> list[str]:
    return list(SCHEMAS)
