"""Exports of the warehouse: SQLite (with Datasette metadata), CSV, XLSX, and a Frictionless
datapackage.json describing the Parquet tables themselves."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from yujuesuan.analysis.cells import append_xlsx, plain, text, write_csv
from yujuesuan.warehouse.columns import column_description, table_description
from yujuesuan.warehouse.schema import SCHEMAS
from yujuesuan.warehouse.store import Warehouse

FORMATS = ("sqlite", "csv", "xlsx", "datapackage")


def target_problem(fmt: str, out: str | os.PathLike[str], force: bool) -> str | None:
    """Why an export must not write to `out` (None: it may): an existing file is overwritten only with
    --force; a file where a folder belongs (csv), or a folder where a file belongs, never."""
    out = Path(out)
    if fmt == "csv":
        if out.exists() and not out.is_dir():
            return f"{out} is a file; --format csv writes a folder of CSV files"
        clash = [f"{t}.csv" for t in SCHEMAS if (out / f"{t}.csv").exists()]
        if clash and not force:
            return f"{out} already holds {', '.join(clash[:3])}{' …' if len(clash) > 3 else ''} (--force overwrites)"
        return None
    if out.is_dir():
        return f"{out} is a folder; --format {fmt} writes one file"
    if out.exists() and not force:
        return f"{out} exists (--force overwrites it)"
    return None


def _sql_type(t: pa.DataType) -> str:
    if pa.types.is_integer(t) or pa.types.is_boolean(t):
        return "INTEGER"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "REAL"
    return "TEXT"


def _cell(value: object) -> object:
    """A SQLite value: money as REAL 元, lists as JSON text, timestamps as ISO text."""
    v = plain(value)
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, list | dict | datetime | date):
        return text(v)
    return v


def _tables(wh: Warehouse) -> dict[str, pa.Table]:
    return {name: wh.read(name) for name in SCHEMAS if wh.fs.isdir(name)}


def export_sqlite(warehouse: str | os.PathLike[str], out: str | os.PathLike[str]) -> tuple[Path, Path]:
    """One SQLite table per warehouse table, and `<out>.metadata.json` for Datasette
    (`datasette OUT.db -m OUT.metadata.json`). Money is REAL in 元 here (exact in the Parquet)."""
    wh, out = Warehouse(warehouse), Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    for name, table in _tables(wh).items():
        schema = SCHEMAS[name]
        cols = ", ".join(f'"{f.name}" {_sql_type(f.type)}' for f in schema)
        con.execute(f'CREATE TABLE "{name}" ({cols})')
        rows = [tuple(_cell(r.get(c)) for c in schema.names) for r in table.to_pylist()]
        con.executemany(f'INSERT INTO "{name}" VALUES ({", ".join("?" for _ in schema.names)})', rows)
        for key in ("doc_id", "unit_id", "run_id"):
            if key in schema.names:
                con.execute(f'CREATE INDEX "{name}_{key}" ON "{name}" ("{key}")')
    con.commit()
    con.close()
    os.replace(tmp, out)
    meta = out.with_name(out.stem + ".metadata.json")
    meta.write_text(json.dumps(datasette_metadata(out.stem, list(_tables(wh))), ensure_ascii=False, indent=1), "utf-8")
    return out, meta


def datasette_metadata(database: str, tables: list[str]) -> dict:
    return {
        "title": "yujuesuan 预决算 warehouse",
        "description": "China's department budget (预算) and final-account (决算) disclosures as data. "
        "Money in 元; each figure keeps its printed text and where it was printed.",
        "source": "yujuesuan",
        "databases": {
            database: {
                "tables": {
                    t: {
                        "description": table_description(t),
                        "columns": {c: column_description(t, c) or "" for c in SCHEMAS[t].names},
                    }
                    for t in tables
                }
            }
        },
    }


def export_csv(warehouse: str | os.PathLike[str], out: str | os.PathLike[str], bom: bool = False) -> list[Path]:
    """One UTF-8 CSV per table in the folder `out` (money as exact decimal text; with a BOM for Excel if
    asked; formula-looking strings made inert, `cells.for_csv`)."""
    wh, folder = Warehouse(warehouse), Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in _tables(wh).items():
        names = SCHEMAS[name].names
        rows = ([r.get(c) for c in names] for r in table.to_pylist())
        written.append(write_csv(folder / f"{name}.csv", names, rows, bom=bom))
    return written


def export_xlsx(warehouse: str | os.PathLike[str], out: str | os.PathLike[str]) -> Path:
    """One sheet per table, and a first sheet describing every column."""
    from openpyxl import Workbook

    wh, out = Warehouse(warehouse), Path(out)
    wb = Workbook()
    about = wb.active
    about.title = "about"
    append_xlsx(about, ["table", "column", "meaning"])
    tables = _tables(wh)
    for name, table in tables.items():
        append_xlsx(about, [name, "", table_description(name)])
        for c in SCHEMAS[name].names:
            append_xlsx(about, [name, c, column_description(name, c)])
        ws = wb.create_sheet(name[:31])
        append_xlsx(ws, SCHEMAS[name].names)
        for r in table.to_pylist():
            append_xlsx(ws, [r.get(c) for c in SCHEMAS[name].names])
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out
