"""The warehouse as DuckDB views: one view per table, over a consistent set of its Parquet files
(compacted parts and documents' own files; a document written since its compaction counts once).
A warehouse at an fsspec URL is read through that filesystem (registered with DuckDB): every view
works the same, each file is fetched whole through fsspec, so a query costs a read of the files it names."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

import duckdb
import pyarrow as pa

from yujuesuan.warehouse.fs import Remote
from yujuesuan.warehouse.schema import DOCUMENT_SCHEMAS, SCHEMAS
from yujuesuan.warehouse.store import Warehouse


def _files(paths: list[Path] | list[str]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


ANALYSIS_TABLES = ("documents", "line_items", "facts", "variances")  # what measures and comparisons read


def connect(warehouse: str | os.PathLike[str], config: dict[str, object] | None = None,
            tables: Iterable[str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with a view per warehouse table (empty tables keep their columns);
    `config`: DuckDB settings (threads, memory_limit, temp_directory …); `tables`: views of these
    only (a view reads the metadata of each of its files when made: thousands for a run table)."""
    wh = Warehouse(warehouse)
    if not wh.fs.isdir("documents"):
        raise FileNotFoundError(f"no warehouse at {warehouse} (run `yujuesuan extract` or `yujuesuan nightly` first)")
    con = duckdb.connect(config=dict(config or {}))
    remote = wh.fs if isinstance(wh.fs, Remote) else None
    if remote is not None:
        con.register_filesystem(remote.fs)

    def urls(paths: list) -> str:
        return _files([f"{remote.protocol}://{str(p).lstrip('/')}" for p in paths] if remote else paths)

    wanted = [t for t in SCHEMAS if tables is None or t in set(tables)]
    snapshot = wh.snapshot([t for t in wanted if t in DOCUMENT_SCHEMAS])
    overridden = sorted({d for files in snapshot.values() for d in files.overridden})
    if overridden:
        con.register("_overridden", pa.table({"doc_id": pa.array(overridden, pa.string())}))
    for table in wanted:
        empty = SCHEMAS[table].empty_table()
        con.register(f"_{table}_empty", empty)
        selects = [f"SELECT * FROM _{table}_empty"]  # the columns and their types, whatever the files hold
        if table in DOCUMENT_SCHEMAS:
            files = snapshot[table]
            if files.parts:
                where = " WHERE doc_id NOT IN (SELECT doc_id FROM _overridden)" if files.overridden else ""
                selects.append(f"SELECT * FROM read_parquet({urls(files.parts)}, union_by_name = true){where}")
            if files.own:
                selects.append(f"SELECT * FROM read_parquet({urls(files.own)}, union_by_name = true)")
        else:
            found = [wh.fs.key(table, n) for n in wh.fs.names(table) if n.endswith(".parquet")]
            if found:
                selects.append(f"SELECT * FROM read_parquet({urls(found)}, union_by_name = true)")
        con.execute(f"CREATE VIEW {table} AS " + " UNION ALL BY NAME ".join(selects))
    return con


def tables_in(sql: str) -> list[str] | None:
    """The warehouse tables a statement names (None when it names none: then every view is made)."""
    named = [t for t in SCHEMAS if re.search(rf"(?<![\w.]){t}(?!\w)", sql, flags=re.IGNORECASE)]
    return named or None


def tables() -> list[str]:
    return list(SCHEMAS)
