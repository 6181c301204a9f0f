"""The warehouse on disk: one Parquet file per document in each table's folder.

    WAREHOUSE/documents/<doc_id>.parquet
    WAREHOUSE/line_items/<doc_id>.parquet
    WAREHOUSE/tables/<doc_id>.parquet
    WAREHOUSE/facts/<doc_id>.parquet, WAREHOUSE/variances/…, WAREHOUSE/projects/…
    WAREHOUSE/quality_issues/<doc_id>.parquet

Writing a document replaces all its files. Each file is written under a hidden temporary
name (ignored by pyarrow datasets and by DuckDB's *.parquet globs) and renamed into place;
the documents row is renamed last, so a document row is only ever visible with its rows.
"""

from __future__ import annotations

import os
import threading
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from extractors.pdf import Extraction
from yujuesuan.schema import RUN_SCHEMAS, SCHEMAS

ORDER = [
    "line_items",
    "tables",
    "facts",
    "variances",
    "projects",
    "quality_issues",
    "documents",
]  # documents last: the commit


def write_once(path: Path, data: bytes) -> Path:
    """Write a content-addressed file unless it is there: a hidden temporary name (unique per
    process and thread), then an atomic rename, so a reader never sees half a file."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return path


def extraction_rows(ex: Extraction) -> dict[str, list[dict]]:
    doc = asdict(ex.document)
    rows: dict[str, list[dict]] = {"documents": [doc]}
    rows["line_items"] = [asdict(i) for i in ex.items]
    rows["tables"] = [
        {
            "doc_id": ex.document.doc_id,
            "table_code": t.table_code,
            "table_title": t.table_title,
            "table_family": t.table_family,
            "printed_number": t.printed_number,
            "pages": t.pages,
            "currency_unit": t.currency_unit,
            "engine": t.engine,
            "empty": t.empty,
            "empty_note": t.empty_note,
            "code_layout": t.code_layout,
            "columns": t.columns,
            "line_items": len(t.items),
        }
        for t in ex.tables
    ]
    rows["facts"] = [asdict(f) for f in ex.facts]
    rows["variances"] = [asdict(v) for v in ex.variances]
    rows["projects"] = [asdict(p) for p in ex.projects]
    rows["quality_issues"] = [asdict(i) for i in ex.issues]
    return rows


class Warehouse:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, table: str, doc_id: str) -> Path:
        return self.root / table / f"{doc_id}.parquet"

    def write(self, doc_id: str, rows: dict[str, list[dict]]) -> None:
        """Replace everything the warehouse holds for one document."""
        staged: list[tuple[Path, Path | None]] = []
        for table in ORDER:
            final = self.path(table, doc_id)
            final.parent.mkdir(parents=True, exist_ok=True)
            data = rows.get(table) or []
            if not data:
                staged.append((final, None))
                continue
            schema = SCHEMAS[table]
            arrow = pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in data], schema=schema)
            tmp = final.parent / f".{doc_id}.parquet.tmp"
            pq.write_table(arrow, tmp, compression="zstd")
            staged.append((final, tmp))
        for final, tmp in staged:
            if tmp is None:
                final.unlink(missing_ok=True)
            else:
                os.replace(tmp, final)

    def write_run_table(self, table: str, run_id: str, rows: list[dict]) -> Path:
        """A run table (downloads, crawl_issues, source_health): WAREHOUSE/<table>/<run_id>.parquet."""
        schema = RUN_SCHEMAS[table]
        final = self.root / table / f"{run_id}.parquet"
        final.parent.mkdir(parents=True, exist_ok=True)
        arrow = pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows], schema=schema)
        tmp = final.parent / f".{run_id}.parquet.tmp"
        pq.write_table(arrow, tmp, compression="zstd")
        os.replace(tmp, final)
        return final

    def update_document(self, doc_id: str, **values: object) -> bool:
        """Change fields of one stored documents row (e.g. is_current); False if absent or unchanged."""
        path = self.path("documents", doc_id)
        if not path.exists():
            return False
        rows = pq.read_table(path, schema=SCHEMAS["documents"]).to_pylist()
        if all(rows[0].get(k) == v for k, v in values.items()):
            return False
        rows[0].update(values)
        tmp = path.parent / f".{doc_id}.parquet.tmp"
        pq.write_table(pa.Table.from_pylist(rows, schema=SCHEMAS["documents"]), tmp, compression="zstd")
        os.replace(tmp, path)
        return True

    def document(self, doc_id: str) -> dict | None:
        path = self.path("documents", doc_id)
        return pq.read_table(path, schema=SCHEMAS["documents"]).to_pylist()[0] if path.exists() else None

    def write_extraction(self, ex: Extraction) -> None:
        self.write(ex.document.doc_id, extraction_rows(ex))

    def repair(self) -> list[Path]:
        """Remove what an interrupted write left: temporary files, and rows of a document whose
        documents row never landed (it was written last). Returns the files removed."""
        removed: list[Path] = []
        if not self.root.exists():
            return removed
        committed = {p.stem for p in (self.root / "documents").glob("*.parquet")}
        for tmp in sorted(self.root.glob("*/.*.tmp")):  # every table's folder, run tables and _raw too
            tmp.unlink()
            removed.append(tmp)
        for table in ORDER:
            folder = self.root / table
            if not folder.exists() or table == "documents":
                continue
            for f in folder.glob("*.parquet"):
                if f.stem not in committed:
                    f.unlink()
                    removed.append(f)
        return removed

    def store_raw(self, doc_id: str, data: bytes) -> Path:
        """Keep the document's bytes, content-addressed (WAREHOUSE/_raw/<sha256>), once."""
        return write_once(self.root / "_raw" / doc_id, data)

    def link_raw(self, doc_id: str, source: Path) -> Path:
        """Make a raw-store file (data/raw/<sha256>) available as WAREHOUSE/_raw/<sha256>: a hard
        link where the file system allows it (no second copy of the bytes), else a copy."""
        path = self.root / "_raw" / doc_id
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, path)
        except OSError:
            return self.store_raw(doc_id, source.read_bytes())
        return path

    def raw_path(self, doc_id: str) -> Path | None:
        path = self.root / "_raw" / doc_id
        return path if path.exists() else None

    def doc_ids(self) -> list[str]:
        return sorted(p.stem for p in (self.root / "documents").glob("*.parquet"))

    def read_document(self, doc_id: str) -> dict[str, list[dict]]:
        """Everything stored for one document, as rows."""
        rows: dict[str, list[dict]] = {}
        for table in ORDER:
            path = self.path(table, doc_id)
            rows[table] = pq.read_table(path, schema=SCHEMAS[table]).to_pylist() if path.exists() else []
        return rows

    def has(self, doc_id: str) -> bool:
        return self.path("documents", doc_id).exists()

    def read(self, table: str) -> pa.Table:  # noqa: D102 (any table, contract or run)
        folder = self.root / table
        if not folder.exists():
            return SCHEMAS[table].empty_table()
        return ds.dataset(str(folder), format="parquet", partitioning="hive", schema=SCHEMAS[table]).to_table()
