"""Local extraction: files and folders → the warehouse (no network)."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from extractors.pdf import Extraction, extract_pdf
from yujuesuan.quality import apply_checks
from yujuesuan.store import Warehouse, extraction_rows

log = logging.getLogger(__name__)

# files picked up when walking a folder; a file named explicitly is always taken
DOCUMENT_SUFFIXES = {
    ".pdf",
    ".xls",
    ".xlsx",
    ".doc",
    ".docx",
    ".html",
    ".htm",
    ".png",
    ".jpg",
    ".jpeg",
    ".tif",
    ".tiff",
}


@dataclass
class RunSummary:
    files: int = 0
    documents: int = 0
    duplicates: int = 0
    skipped: list[Path] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    line_items: int = 0


def collect(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[Path]]:
    """(documents to extract, files skipped) under the given files and folders, sorted."""
    take: list[Path] = []
    skipped: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if not f.is_file() or any(part.startswith(".") for part in f.relative_to(p).parts):
                    continue
                (take if f.suffix.lower() in DOCUMENT_SUFFIXES else skipped).append(f)
        elif p.is_file():
            take.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return take, skipped


def _extract_file(args: tuple[str, str]) -> tuple[str, dict]:
    path, engine = args
    data = Path(path).read_bytes()
    ex = extract_pdf(data, Path(path).name, engine=engine)
    return ex.document.doc_id, extraction_rows(ex)


def extract_paths(
    paths: Iterable[str | os.PathLike[str]],
    warehouse: str | os.PathLike[str],
    *,
    engine: str = "pdfplumber",
    jobs: int = 1,
) -> RunSummary:
    files, skipped = collect(paths)
    wh = Warehouse(warehouse)
    for f in wh.repair():
        log.warning("removed %s left by an interrupted run", f)
    summary = RunSummary(files=len(files), skipped=skipped)
    # one document per distinct content: the first path (sorted) names it
    unique: dict[str, Path] = {}
    for f in files:
        digest = hashlib.sha256(f.read_bytes()).hexdigest()
        if digest in unique:
            summary.duplicates += 1
            log.info("%s has the same content as %s; extracted once", f, unique[digest])
            continue
        unique[digest] = f
    for digest, f in unique.items():
        wh.store_raw(digest, f.read_bytes())  # re-extractable any time, and cropped by the report
    work = [(str(f), engine) for f in unique.values()]
    if jobs > 1 and len(work) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = pool.map(_extract_file, work)
            for doc_id, rows in results:
                _store(wh, doc_id, rows, summary)
    else:
        for item in work:
            doc_id, rows = _extract_file(item)
            _store(wh, doc_id, rows, summary)
    return summary


def _store(wh: Warehouse, doc_id: str, rows: dict, summary: RunSummary) -> None:
    apply_checks(rows)  # on the rows in hand; nothing is dropped whatever the checks find
    wh.write(doc_id, rows)
    doc = rows["documents"][0]
    summary.documents += 1
    summary.status[doc["status"]] = summary.status.get(doc["status"], 0) + 1
    summary.pages += doc.get("pages") or 0
    summary.line_items += len(rows["line_items"])


def extract_one(path: str | os.PathLike[str], engine: str = "pdfplumber") -> Extraction:
    p = Path(path)
    return extract_pdf(p.read_bytes(), p.name, engine=engine)


def check_warehouse(warehouse: str | os.PathLike[str]) -> dict[str, int]:
    """Re-run the check catalogue on every stored document (no re-extraction).

    Returns the number of documents per status afterwards.
    """
    wh = Warehouse(warehouse)
    status: dict[str, int] = {}
    for doc_id in wh.doc_ids():
        rows = wh.read_document(doc_id)
        apply_checks(rows)
        wh.write(doc_id, rows)
        s = rows["documents"][0]["status"]
        status[s] = status.get(s, 0) + 1
    return status
