"""Local extraction: files and folders → the warehouse (no network)."""

from __future__ import annotations

import hashlib
import logging
import os
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from extractors.document import extract_document, sniff_format
from extractors.pdf import ENGINES, Extraction
from yujuesuan.checks.apply import apply_checks
from yujuesuan.codes import Catalogue
from yujuesuan.crawl.rawstore import SUCCESS, RawStore
from yujuesuan.ingest.files import DOCUMENT_SUFFIXES, named_image, preload_ocr
from yujuesuan.ingest.worker import Budget, Job, Outcome, run_jobs, start_fork_server
from yujuesuan.warehouse.store import PROVENANCE, Warehouse, release_memory

log = logging.getLogger(__name__)



@dataclass
class RunSummary:
    files: int = 0
    documents: int = 0  # extracted now
    unchanged: int = 0  # already in the warehouse from this extractor code: not extracted again
    duplicates: int = 0
    skipped: list[Path] = field(default_factory=list)  # not documents
    refused: list[tuple[Path, str]] = field(default_factory=list)  # symlinks out of the folders named …
    status: dict[str, int] = field(default_factory=dict)
    pages: int = 0
    line_items: int = 0
    crashed: int = 0
    budget_exceeded: int = 0
    peak_rss_mb: float = 0.0  # the largest worker's


@dataclass
class Progress:
    """What a progress display needs after each document."""

    done: int
    total: int
    file: str
    pages: int
    seconds: float


def is_document(path: Path) -> bool:
    """A file with a document's extension, or whose first bytes are a document's."""
    if path.suffix.lower() in DOCUMENT_SUFFIXES:
        return True
    try:
        with path.open("rb") as f:
            head = f.read(1024)
    except OSError:
        return False
    if head.startswith(b"PK\x03\x04"):  # an Office file (OOXML), or an archive
        try:
            with zipfile.ZipFile(path) as z:
                return "[Content_Types].xml" in z.namelist()
        except (zipfile.BadZipFile, OSError):
            return False
    return sniff_format(head, path.name) is not None  # PDF, images, OLE2 Office files, HTML


def _inside(path: Path, folders: list[Path]) -> bool:
    target = path.resolve()
    return any(target == f or f in target.parents for f in folders)


def collect(
    paths: Iterable[str | os.PathLike[str]], *, follow_symlinks: bool = False
) -> tuple[list[Path], list[Path], list[tuple[Path, str]]]:
    """(documents to extract, files skipped as no document, files refused with the reason)
    under the given files and folders, sorted. A symbolic link found in a folder is followed
    only when it points inside one of the folders named (or with follow_symlinks)."""
    take: list[Path] = []
    skipped: list[Path] = []
    refused: list[tuple[Path, str]] = []
    named = [Path(p) for p in paths]
    folders = [p.resolve() for p in named if p.is_dir()]
    for p in named:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if any(part.startswith(".") for part in f.relative_to(p).parts) or not f.is_file():
                    continue
                if f.is_symlink() and not follow_symlinks and not _inside(f, folders):
                    refused.append((f, f"a symbolic link out of the folders named (to {f.resolve()})"))
                    continue
                (take if is_document(f) else skipped).append(f)
        elif p.is_file():
            take.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return take, skipped, refused


def display_name(path: Path) -> tuple[str, str | None]:
    """(a file name that is valid text, the raw bytes escaped when they were not UTF-8): names on
    disk are bytes; GBK/GB18030 names are decoded as such, anything else is escaped."""
    return _decoded(os.fsencode(path.name))


def path_text(path: Path) -> str:
    """A path as valid text (its bytes decoded like a file name's)."""
    return _decoded(os.fsencode(path))[0]


def _decoded(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        escaped = raw.decode("ascii", "backslashreplace")
    try:
        return raw.decode("gb18030"), escaped
    except UnicodeDecodeError:
        return escaped, escaped


def extract_paths(
    paths: Iterable[str | os.PathLike[str]],
    warehouse: str | os.PathLike[str],
    *,
    engine: str = "pdfplumber",
    jobs: int = 1,
    force: bool = False,
    follow_symlinks: bool = False,
    budget: Budget | None = None,
    wait: float = 0.0,
    progress: Callable[[Progress], None] | None = None,
    catalogue: Catalogue | None = None,
) -> RunSummary:
    """Extract local files and folders into the warehouse: each distinct content once, each in a
    worker process under `budget`; documents the warehouse holds from this extractor code are
    not extracted again unless `force`. `catalogue`: the code list of the catalogue checks (a
    user's --reference; None: the shipped one). Raises WarehouseLocked if another process writes it."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    files, skipped, refused = collect(paths, follow_symlinks=follow_symlinks)
    wh = Warehouse(warehouse)
    summary = RunSummary(files=len(files), skipped=skipped, refused=refused)
    with wh.lock(wait):
        wh.init()
        for f in wh.repair():
            log.warning("removed %s left by an interrupted run", f)
        # one document per distinct content: the first path (sorted) names it
        unique: dict[str, Path] = {}
        for f in files:
            digest = _sha256(f)
            if digest in unique:
                summary.duplicates += 1
                log.info("%s has the same content as %s; extracted once", f, unique[digest])
                continue
            unique[digest] = f
        work: list[Job] = []
        work_of: dict[str, float] = {}
        for digest, f in unique.items():
            seen_as = f"file:{path_text(f.resolve())}"
            if not force and not needs_extraction(wh, digest, engine):
                summary.unchanged += 1
                wh.add_sighting(digest, seen_as)
                check_document(warehouse, digest, catalogue=catalogue)  # only if the catalogue changed since
                continue
            if not work:  # its imports overlap the copies into the raw store
                images = sum(map(named_image, unique.values()))
                start_fork_server(ocr=preload_ocr(images, jobs))
            data = f.read_bytes()
            wh.store_raw(digest, data)  # re-extractable any time, and cropped by the report
            work_of[digest] = expected_work(data, f.name)
            name, raw_name = display_name(f)
            work.append(Job(str(f), digest, name, engine=engine, tag=(seen_as, raw_name), check=True, encode=True,
                            catalogue=catalogue))
        # the longest first, so no long document starts last and runs alone
        work.sort(key=lambda j: -work_of[j.sha256])
        start = time.perf_counter()
        for done, outcome in enumerate(run_jobs(work, budget, jobs), 1):
            seen_as, raw_name = outcome.job.tag  # type: ignore[misc]
            doc = outcome.rows["documents"][0]
            doc.update(seen_as=[seen_as], file_name_raw=raw_name)
            _store(wh, outcome.job.sha256, outcome.rows, summary, catalogue, checked=outcome.checked)
            if outcome.failure:
                setattr(summary, outcome.failure, getattr(summary, outcome.failure) + 1)
            summary.peak_rss_mb = max(summary.peak_rss_mb, outcome.peak_rss_mb or 0.0)
            if progress:
                progress(Progress(done, len(work), outcome.job.file_name, summary.pages, time.perf_counter() - start))
        if work:
            _compact_before_publish(warehouse)
        publish_derived(warehouse)
    return summary


def _compact_before_publish(warehouse: str | os.PathLike[str]) -> None:
    """The documents just written folded into the tables' few files, so that publish reads a file per
    table and group, not one per document (the real corpus: 2.4 s of CPU against 3.0 s, the compaction
    after publish then has next to nothing to do). A compaction that fails leaves the own files to publish from."""
    from yujuesuan.warehouse.compact import compact_or_problem

    if problem := compact_or_problem(warehouse):
        log.warning("the warehouse was not compacted before publishing: %s", problem)


# seconds of extraction a MB of a file costs, by its format (the real corpus: text PDFs 0.1–2.3, page
# images 20–24 as they are read by OCR, a workbook 8), so a small image is not started last to run alone
WORK_PER_MB = {"png": 25.0, "jpeg": 25.0, "tiff": 25.0, "xlsx": 8.0, "xls": 8.0, "docx": 5.0, "doc": 5.0,
               "html": 3.0}


def expected_work(data: bytes, file_name: str) -> float:
    """What extracting a file is expected to cost, for the order of the work (its size, by its format's rate)."""
    from extractors.formats import detect_format

    return len(data) / 1e6 * WORK_PER_MB.get(detect_format(data, file_name) or "", 1.0)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


PUBLISH_STATE = "publish"  # WAREHOUSE/_state/publish.json: the inputs the derived tables were last built from


def publish_derived(warehouse: str | os.PathLike[str], aliases: str | os.PathLike[str] | None = None) -> bool:
    """What follows from the documents: unit identity (aliases file → unit_id, units table), the
    checks across documents and the codes table, and the Frictionless datapackage.json describing the tables.
    Nothing is redone when the documents and the other inputs are as at the last publish (then
    only datapackage.json is brought up to date with the tables' files). Returns whether it rebuilt.
    The same stages one by one (the nightly runs each in a process of its own): `publish_units`,
    `run_across_documents` (in batches, `limit`), `publish_codes`, `publish_record`."""
    from yujuesuan.checks.across_documents import run_across_documents
    from yujuesuan.codes.observed import publish_codes

    wh = Warehouse(warehouse)
    with wh.lock():
        rebuild = publish_units(warehouse, aliases)
        if rebuild:
            run_across_documents(warehouse)  # pairs of documents (only those a changed document touches)
            publish_codes(warehouse)
            release_memory()
        publish_record(warehouse, rebuild, aliases)
    return rebuild


def publish_units(warehouse: str | os.PathLike[str], aliases: str | os.PathLike[str] | None = None) -> bool:
    """Publish's first stage: whether the documents or the other inputs changed since the last publish
    (returned), and if so unit identity applied (aliases file → unit_id, units table)."""
    from yujuesuan.warehouse.published import inputs_digest, recorded
    from yujuesuan.warehouse.units import apply_units, load_rules

    wh = Warehouse(warehouse)
    with wh.lock():
        wh.init()
        rebuild = recorded(wh, PUBLISH_STATE) != inputs_digest(wh, publish_inputs(aliases))
        if rebuild:
            apply_units(warehouse, load_rules(aliases))
    return rebuild


def publish_record(warehouse: str | os.PathLike[str], rebuilt: bool,
                   aliases: str | os.PathLike[str] | None = None) -> None:
    """Publish's last stage: the inputs the derived tables were built from recorded (when `rebuilt`: after
    every stage, as apply_units may have rewritten documents; a publish stopped before leaves the record
    as it was, so the next one rebuilds) and datapackage.json brought up to date with the tables' files."""
    from yujuesuan.warehouse.datapackage import datapackage
    from yujuesuan.warehouse.published import inputs_digest, record

    wh = Warehouse(warehouse)
    with wh.lock():
        if rebuilt:
            record(wh, PUBLISH_STATE, inputs_digest(wh, publish_inputs(aliases)))
        datapackage(warehouse)  # the run tables gain files every run; rewritten only when it changes


def publish_inputs(aliases: str | os.PathLike[str] | None = None) -> dict[str, str]:
    """What the derived tables depend on besides the documents: the alias and department files, the
    rules across documents, and the code that builds units and codes (with its code catalogue).
    (The downloads table orders two current versions by their first fetch, which a later run cannot change.)"""
    from yujuesuan.checks.across_documents import crossdoc_version
    from yujuesuan.checks.across_documents.pairs import DEFAULT_MEMBERS
    from yujuesuan.warehouse.published import file_digest
    from yujuesuan.warehouse.units import DEFAULT_ALIASES

    return {"aliases": file_digest(aliases or DEFAULT_ALIASES), "members": file_digest(DEFAULT_MEMBERS),
            "crossdoc": crossdoc_version(), "code": publish_version()}


@cache
def publish_version() -> str:
    """Digest of the code that derives the units and codes tables (and the shipped code catalogue)."""
    h = hashlib.sha256()
    for package, names in (("yujuesuan.codes", None), ("yujuesuan.warehouse", ("units.py", "published.py"))):
        root = resources.files(package)
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if (names is None and entry.name.endswith((".py", ".csv", ".yaml"))) or (names and entry.name in names):
                h.update(entry.name.encode() + entry.read_bytes())
    return h.hexdigest()[:12]


def _store(
    wh: Warehouse,
    doc_id: str,
    rows: dict,
    summary: RunSummary,
    catalogue: Catalogue | None = None,
    checked: bool = False,
) -> None:
    """Write one document's rows, checked (by its worker, or here unless `checked`) with this catalogue."""
    if not checked:
        apply_checks(rows, catalogue)  # on the rows in hand; nothing is dropped whatever the checks find
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


def check_warehouse(
    warehouse: str | os.PathLike[str], wait: float = 0.0, catalogue: Catalogue | None = None
) -> dict[str, int]:
    """Re-run the check catalogue on every stored document (no re-extraction).

    Returns the number of documents per status afterwards.
    """
    wh = Warehouse(warehouse)
    status: dict[str, int] = {}
    with wh.lock(wait):
        for doc_id in wh.doc_ids():
            rows = wh.read_document(doc_id)
            apply_checks(rows, catalogue)
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


def stored_documents(store: RawStore) -> list[StoredDocument]:
    """Every document the raw store holds (ZIP archives stand for their members), each named by
    the first fetch that brought it, and whether any URL serves it now (is_current)."""
    superseded = store.superseded()
    out: dict[str, StoredDocument] = {}
    for row in store.rows():
        sha = row.get("sha256")
        if row["outcome"] not in SUCCESS or not sha or row.get("format") == "zip" or sha in out:
            continue
        if not store.has(sha):
            continue
        out[sha] = StoredDocument(
            sha256=sha,
            file_name=row.get("file_name") or sha,
            source_url=row["url"],
            referrer=row.get("referrer"),
            referrer_title=row.get("referrer_title"),
            source_id=row.get("source_id"),
            is_current=sha not in superseded,
        )
    return sorted(out.values(), key=lambda d: d.sha256)


KNOWN_COLUMNS = ["doc_id", "extractor_version", "extracted_by", "status", "is_current", "seen_as", *PROVENANCE]


def known_documents(warehouse: str | os.PathLike[str]) -> dict[str, dict]:
    """The stored documents rows a run compares the raw store with (the columns it needs), by doc_id:
    one read of the documents table instead of a file per document."""
    table = Warehouse(warehouse).read("documents", KNOWN_COLUMNS)
    return {d["doc_id"]: d for d in table.to_pylist()}


def needs_extraction(wh: Warehouse, sha256: str, engine: str = "pdfplumber",
                     known: dict[str, dict] | None = None) -> bool:
    """Whether a document is not in the warehouse from this extractor code and engine. `known`: the
    documents rows read beforehand (`known_documents`; absent there: not stored)."""
    doc = known.get(sha256) if known is not None else wh.document(sha256)
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
    ref: StoredDocument,
    raw_path: Path,
    warehouse: str | os.PathLike[str],
    engine: str = "pdfplumber",
    budget: Budget | None = None,
    known: dict[str, dict] | None = None,
) -> dict:
    """Extract one raw-store document into the warehouse (unless it holds it from this code
    already: then only the sighting is recorded), in a worker process under `budget` that runs the
    check catalogue on the rows too (the check phase then only re-checks what an older catalogue
    checked). `known`: the documents rows read beforehand (`known_documents`). Returns a one-line summary."""
    wh = Warehouse(warehouse)
    provenance = {"source_url": ref.source_url, "referrer": ref.referrer, "referrer_title": ref.referrer_title,
                  "source_id": ref.source_id}
    seen_as = ref.source_url or f"file:{path_text(raw_path.resolve())}"
    if not needs_extraction(wh, ref.sha256, engine, known):
        doc = known.get(ref.sha256) if known is not None else wh.document(ref.sha256)
        wh.add_sighting(ref.sha256, seen_as, known=doc, **provenance)
        return {"doc_id": ref.sha256, "extracted": False, "status": (doc or {}).get("status"), "line_items": None,
                "file_name": ref.file_name}
    job = Job(str(raw_path), ref.sha256, ref.file_name, source_url=ref.source_url, engine=engine, check=True,
              encode=True)
    return store_outcome(ref, raw_path, warehouse, next(run_jobs([job], budget, 1)))


def store_outcome(ref: StoredDocument, raw_path: Path, warehouse: str | os.PathLike[str], outcome: Outcome) -> dict:
    """Write one raw-store document's extraction (made here or on another machine) into the warehouse,
    marked checked when its worker ran the check catalogue (else the check phase runs it).
    Returns a one-line summary."""
    wh = Warehouse(warehouse)
    provenance = {"source_url": ref.source_url, "referrer": ref.referrer, "referrer_title": ref.referrer_title,
                  "source_id": ref.source_id}
    seen_as = ref.source_url or f"file:{path_text(raw_path.resolve())}"
    rows = outcome.rows
    doc = rows["documents"][0]
    doc.update(
        extractor_version=extractor_version(),
        checked_with=checks_version() if outcome.checked else None,
        is_current=ref.is_current,
        seen_as=[seen_as],
        **provenance,
    )
    wh.link_raw(ref.sha256, raw_path)
    wh.write(ref.sha256, rows)
    return {
        "doc_id": ref.sha256,
        "extracted": True,
        "status": doc["status"],
        "line_items": len(rows["line_items"]),
        "failure": outcome.failure,
        "checked": outcome.checked,
        "seconds": round(outcome.seconds, 2),
        "pages": doc.get("pages") or 0,
        "file_name": ref.file_name,
    }


def documents_to_check(warehouse: str | os.PathLike[str], force: bool = False) -> list[str]:
    """The stored documents not yet checked with this catalogue (every one with `force`), sorted."""
    docs = Warehouse(warehouse).read("documents", ["doc_id", "checked_with"]).to_pylist()
    return sorted(d["doc_id"] for d in docs if force or d["checked_with"] != checks_version())


def check_document(
    warehouse: str | os.PathLike[str], doc_id: str, force: bool = False, catalogue: Catalogue | None = None
) -> str | None:
    """Run the catalogue on one stored document unless it was checked with this catalogue.
    Returns its status if checked now, else None."""
    wh = Warehouse(warehouse)
    doc = wh.document(doc_id)
    if doc is None or (not force and doc.get("checked_with") == checks_version()):
        return None
    rows = wh.read_document(doc_id)
    apply_checks(rows, catalogue)
    rows["documents"][0]["checked_with"] = checks_version()
    wh.write(doc_id, rows)
    return rows["documents"][0]["status"]
