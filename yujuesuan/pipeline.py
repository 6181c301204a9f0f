"""Local extraction: files and folders → the warehouse (no network)."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from extractors.document import extract_document
from extractors.pdf import Extraction
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
    ex = extract_document(data, Path(path).name, engine=engine)
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
    publish_derived(warehouse)
    return summary


def publish_derived(warehouse: str | os.PathLike[str], aliases: str | os.PathLike[str] | None = None) -> None:
    """What follows from the documents: unit identity (aliases file → unit_id, units table) and
    the Frictionless datapackage.json describing the tables."""
    from yujuesuan.analysis.export import datapackage
    from yujuesuan.units import apply_units, load_rules

    apply_units(warehouse, load_rules(aliases))
    datapackage(warehouse)


def _store(wh: Warehouse, doc_id: str, rows: dict, summary: RunSummary) -> None:
    apply_checks(rows)  # on the rows in hand; nothing is dropped whatever the checks find
    rows["documents"][0].update(extractor_version=extractor_version(), checked_with=checks_version())
    wh.write(doc_id, rows)
    doc = rows["documents"][0]
    summary.documents += 1
    summary.status[doc["status"]] = summary.status.get(doc["status"], 0) + 1
    summary.pages += doc.get("pages") or 0
    summary.line_items += len(rows["line_items"])


def extract_one(path: str | os.PathLike[str], engine: str = "pdfplumber") -> Extraction:
    p = Path(path)
    return extract_document(p.read_bytes(), p.name, engine=engine)


def check_warehouse(warehouse: str | os.PathLike[str]) -> dict[str, int]:
    """Re-run the check catalogue on every stored document (no re-extraction).

    Returns the number of documents per status afterwards.
    """
    wh = Warehouse(warehouse)
    status: dict[str, int] = {}
    for doc_id in wh.doc_ids():
        rows = wh.read_document(doc_id)
        apply_checks(rows)
        rows["documents"][0]["checked_with"] = checks_version()
        wh.write(doc_id, rows)
        s = rows["documents"][0]["status"]
        status[s] = status.get(s, 0) + 1
    return status


# -- documents from the raw store (the nightly's extract and check steps) ------------------------------


@cache
def extractor_version() -> str:
    """Digest of the extractors' code and specs: rows made by other code are extracted again."""
    h = hashlib.sha256()
    root = resources.files("extractors")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".py"):
            h.update(entry.name.encode() + entry.read_bytes())
    for entry in sorted(root.joinpath("specs").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            h.update(entry.name.encode() + entry.read_bytes())
    return h.hexdigest()[:12]


@cache
def checks_version() -> str:
    """Digest of the check catalogue and rule code: documents checked with another are checked again."""
    h = hashlib.sha256()
    root = resources.files("yujuesuan.checks")
    for folder in (root, root.joinpath("rules")):
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".py", ".yaml")):
                h.update(entry.name.encode() + entry.read_bytes())
    return h.hexdigest()[:12]


@dataclass
class StoredDocument:
    """A document in the raw store, with where it came from (the first fetch that found it)."""

    sha256: str
    file_name: str
    source_url: str | None = None
    referrer: str | None = None
    referrer_title: str | None = None
    source_id: str | None = None
    is_current: bool = True


def needs_extraction(wh: Warehouse, sha256: str, engine: str = "pdfplumber") -> bool:
    doc = wh.document(sha256)
    return (
        doc is None
        or doc.get("extractor_version") != extractor_version()
        or doc.get("extracted_by")
        not in (
            engine,
            "html",
        )
    )


def extract_stored(
    ref: StoredDocument, raw_path: Path, warehouse: str | os.PathLike[str], engine: str = "pdfplumber"
) -> dict:
    """Extract one raw-store document into the warehouse (unless it holds it from this code
    already); checks come after, separately. Returns a one-line summary."""
    wh = Warehouse(warehouse)
    if not needs_extraction(wh, ref.sha256, engine):
        doc = wh.document(ref.sha256) or {}
        return {"doc_id": ref.sha256, "extracted": False, "status": doc.get("status"), "line_items": None}
    data = raw_path.read_bytes()
    ex = extract_document(data, ref.file_name, source_url=ref.source_url, engine=engine)
    rows = extraction_rows(ex)
    doc = rows["documents"][0]
    doc.update(
        extractor_version=extractor_version(),
        checked_with=None,
        referrer=ref.referrer,
        referrer_title=ref.referrer_title,
        source_id=ref.source_id,
        is_current=ref.is_current,
    )
    wh.link_raw(ref.sha256, raw_path)
    wh.write(ref.sha256, rows)
    return {"doc_id": ref.sha256, "extracted": True, "status": doc["status"], "line_items": len(rows["line_items"])}


def check_document(warehouse: str | os.PathLike[str], doc_id: str, force: bool = False) -> str | None:
    """Run the catalogue on one stored document unless it was checked with this catalogue.
    Returns its status if checked now, else None."""
    wh = Warehouse(warehouse)
    doc = wh.document(doc_id)
    if doc is None or (not force and doc.get("checked_with") == checks_version()):
        return None
    rows = wh.read_document(doc_id)
    apply_checks(rows)
    rows["documents"][0]["checked_with"] = checks_version()
    wh.write(doc_id, rows)
    return rows["documents"][0]["status"]
