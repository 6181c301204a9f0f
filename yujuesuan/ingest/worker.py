"""Each document extracted in a worker process of its own, under a wall-time and memory budget.

One bad document never stops a run: whatever happens inside the worker (an exception, a
MemoryError, a hang in pdfminer, a crash of the interpreter) becomes that document's
`extract.crashed` or `extract.budget_exceeded` issue with status `failed`, and the other
documents go on. The workers are forked from a fork server that has the extractors and the
check catalogue loaded, so a worker costs milliseconds; a job may ask its worker to run the
check catalogue on the rows too (`Job.check`), so that the parent, which alone writes the
warehouse, only writes. A finished worker is replaced before its outcome is handed on: the
caller's writing overlaps the next extractions.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING

from yujuesuan.logs import LOG_ENV

if TYPE_CHECKING:
    from yujuesuan.codes import Catalogue

DEFAULT_SECONDS = 120.0
DEFAULT_SECONDS_PER_PAGE = 5.0  # added per page of a PDF (a scanned page takes seconds of OCR)
DEFAULT_MEMORY_MB = 2048
# what the fork server imports once, so that no worker imports it again: the main script (a child
# otherwise runs it again, for the console script importing the CLI), the extractors, the store, this
# module (a worker's target), and the front ends' libraries and the check catalogue (preload, last: it
# freezes what is loaded); with OCR's libraries before it when the run has page images (start_fork_server)
_PRELOAD = ["__main__", "extractors.document", "yujuesuan.warehouse.store", "yujuesuan.ingest.worker",
            "yujuesuan.ingest.preload"]
_PRELOAD_OCR = "yujuesuan.ingest.preload_ocr"


def preload_modules(ocr: bool) -> list[str]:
    """What the fork server imports: `_PRELOAD`, with OCR's libraries before its last (which freezes)."""
    return [*_PRELOAD[:-1], _PRELOAD_OCR, _PRELOAD[-1]] if ocr else list(_PRELOAD)


_preload = preload_modules(False)  # what this process's fork server is (or will be) started with


@dataclass(frozen=True)
class Budget:
    """What one document's extraction may spend: wall time (s, plus an allowance per page) and memory
    (MB above the worker's start). Settable per run (`--timeout`, `--memory`) and by YUJUESUAN_TIMEOUT,
    YUJUESUAN_TIMEOUT_PER_PAGE and YUJUESUAN_MEMORY_MB."""

    seconds: float = DEFAULT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    seconds_per_page: float = DEFAULT_SECONDS_PER_PAGE

    def time_for(self, pages: int | None) -> float:
        """The wall time one document may take: the base, plus an allowance per page it has."""
        return self.seconds + self.seconds_per_page * (pages or 0)

    def __post_init__(self) -> None:
        if self.seconds <= 0 or self.memory_mb <= 0 or self.seconds_per_page < 0:
            raise ValueError("a budget needs positive seconds and memory")

    @classmethod
    def from_env(cls, seconds: float | None = None, memory_mb: int | None = None) -> Budget:
        return cls(
            seconds if seconds is not None else float(os.environ.get("YUJUESUAN_TIMEOUT", DEFAULT_SECONDS)),
            memory_mb if memory_mb is not None else int(os.environ.get("YUJUESUAN_MEMORY_MB", DEFAULT_MEMORY_MB)),
            float(os.environ.get("YUJUESUAN_TIMEOUT_PER_PAGE", DEFAULT_SECONDS_PER_PAGE)),
        )


@dataclass
class Job:
    """One document to extract: its bytes on disk and how to name it."""

    path: str
    sha256: str
    file_name: str
    source_url: str | None = None
    engine: str = "pdfplumber"
    tag: object = None  # the caller's, handed back with the outcome
    check: bool = False  # run the check catalogue on the rows in the worker (apply_checks)
    encode: bool = False  # checked rows handed over as their own files' bytes (store.Encoded): the writer only writes
    catalogue: Catalogue | None = None  # the checks' code list (a user's --reference); None: the shipped one


@dataclass
class Outcome:
    job: Job
    rows: dict[str, list[dict]]
    seconds: float
    peak_rss_mb: float | None = None
    failure: str | None = None  # None, "crashed" or "budget_exceeded"
    notes: list[str] = field(default_factory=list)
    checked: bool = False  # the worker ran the check catalogue on the rows (the job asked, and it ran)


def _context() -> mp.context.BaseContext:
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(_preload)
    return ctx


def start_fork_server(ocr: bool = False) -> None:
    """Start the workers' fork server now, without waiting for it: it imports the extractors
    while the caller goes on (the first worker waits for it, or starts it, otherwise). `ocr`: it
    loads the OCR libraries too (the run has page images to read); a running server is kept as it is
    (one started again after it died loads them)."""
    from multiprocessing import forkserver

    if ocr:
        _preload[:] = preload_modules(True)
    _context()
    forkserver.ensure_running()


_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_STATM = {"VmSize": 0, "VmRSS": 1}  # their places in /proc/<pid>/statm (in pages): one short line to read


def _status(field: str, pid: int | str = "self") -> int | None:
    """A memory figure of a process (VmSize, VmRSS) in bytes, from /proc; None where unknown. The
    parent reads each running worker's every 50 ms."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[_STATM[field]]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _child(conn: Connection, job: Job, memory_mb: int, log_file: str | None) -> None:
    """In the worker: limit the address space (by `memory_mb` above its start), extract, send the
    rows (or what went wrong)."""
    from yujuesuan.logs import setup_worker

    if log_file:
        os.environ[LOG_ENV] = log_file
    setup_worker()
    base = _status("VmSize")
    if base is not None:
        limit = base + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        from extractors.document import extract_document
        from yujuesuan.warehouse.store import extraction_rows

        data = Path(job.path).read_bytes()
        conn.send(("pages", _page_count(data), None))  # the parent's time budget grows with the pages
        ex = extract_document(data, job.file_name, source_url=job.source_url, engine=job.engine)
        rows = extraction_rows(ex)
        del ex, data
        checked = job.check and _checked(rows, job.catalogue)
        if checked and job.encode:
            from yujuesuan.warehouse.store import encode_rows

            rows = encode_rows(rows)
        message: tuple = ("ok", rows, checked)
    except MemoryError:
        message = ("budget_exceeded", f"more memory than the budget of {memory_mb // 2} MB")
    except BaseException as exc:  # noqa: BLE001 - every failure of one document is that document's issue
        text = str(exc).splitlines()[0][:300] if str(exc) else ""
        message = ("crashed", f"{type(exc).__name__}: {text}".rstrip(": "))
    if len(message) == 2:
        message = (*message, False)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        conn.send((*message, peak))
    except MemoryError:
        conn.send(("budget_exceeded", f"more memory than the budget of {memory_mb // 2} MB (sending rows)", False,
                   peak))
    conn.close()


def _checked(rows: dict[str, list[dict]], catalogue: Catalogue | None) -> bool:
    """Run the check catalogue on the rows in place; False (rows as extracted) where a rule fails:
    the parent then runs the checks itself, as it does for every job that does not ask."""
    from yujuesuan.checks.apply import apply_checks

    try:
        apply_checks(rows, catalogue)
    except Exception:  # noqa: BLE001 - the parent's run of the checks reports what goes wrong
        return False
    return True


def _page_count(data: bytes) -> int | None:
    """A PDF's page count, cheaply (pdfium reads only the page tree); None for other formats."""
    if b"%PDF-" not in data[:1024]:
        return None
    try:
        import pypdfium2

        return len(pypdfium2.PdfDocument(data))
    except Exception:  # noqa: BLE001 - a broken PDF gets the base budget; the extractor reports it
        return None


def failed_rows(job: Job, check_id: str, message: str) -> dict[str, list[dict]]:
    """The rows of a document nothing could be read from: a failed documents row and its issue."""
    from dataclasses import asdict

    from extractors.document import sniff_format
    from extractors.issues import severity
    from extractors.records import Document, QualityIssue

    head = b""
    try:
        with open(job.path, "rb") as f:
            head = f.read(4096)
    except OSError:
        pass
    doc = Document(
        doc_id=job.sha256,
        file_name=job.file_name,
        format=sniff_format(head, job.file_name) or "unknown",
        source_url=job.source_url,
        status="failed",
        extracted_by=job.engine,
    )
    issue = QualityIssue(job.sha256, check_id, severity(check_id), message)
    empty: dict[str, list[dict]] = {t: [] for t in ("line_items", "tables", "facts", "variances", "projects")}
    return {"documents": [asdict(doc)], **empty, "quality_issues": [asdict(issue)]}


@dataclass
class _Running:
    job: Job
    proc: mp.process.BaseProcess
    start: float
    base_rss: int | None = None  # the worker's resident memory when first seen (the fork server's share)
    peak_rss: int = 0
    pages: int | None = None  # told by the worker once it has opened the document

    def over_memory(self, budget: Budget) -> bool:
        rss = _status("VmRSS", self.proc.pid or 0)
        if rss is None:
            return False
        if self.base_rss is None:
            self.base_rss = rss
        self.peak_rss = max(self.peak_rss, rss)
        return rss - self.base_rss > budget.memory_mb * 1024 * 1024

    def near_memory(self, budget: Budget) -> bool:
        return self.base_rss is not None and self.peak_rss - self.base_rss > budget.memory_mb * 1024 * 1024 // 2


POLL = 0.05  # seconds between looks at the workers' memory


def run_jobs(jobs: Iterable[Job], budget: Budget | None = None, workers: int = 1) -> Iterator[Outcome]:
    """Extract each job in a worker process of its own, at most `workers` at a time; yield each
    outcome as it completes (not in order). Never raises for a document's sake.

    Memory is watched from here (resident memory above the worker's start, every 50 ms) and held
    by the worker's address-space limit at twice the budget, for spikes between two looks."""
    budget = budget or Budget.from_env()
    ctx = _context()
    pending = list(jobs)
    pending.reverse()
    running: dict[Connection, _Running] = {}
    try:
        while pending or running:
            _fill(ctx, pending, running, budget, workers)
            finished = list(_collect(running, budget))
            _fill(ctx, pending, running, budget, workers)  # before the caller spends time on the outcomes
            yield from finished
    finally:
        for conn, r in running.items():
            r.proc.kill()
            r.proc.join()
            conn.close()


def _fill(
    ctx: mp.context.BaseContext, pending: list[Job], running: dict[Connection, _Running], budget: Budget, workers: int
) -> None:
    """Start workers for pending jobs (the last first) until `workers` run."""
    while pending and len(running) < max(1, workers):
        job = pending.pop()
        receive, send = ctx.Pipe(duplex=False)
        log_file = os.environ.get(LOG_ENV)
        proc = ctx.Process(target=_child, args=(send, job, 2 * budget.memory_mb, log_file), daemon=True)
        proc.start()
        send.close()
        running[receive] = _Running(job, proc, time.monotonic())


def _collect(running: dict[Connection, _Running], budget: Budget) -> Iterator[Outcome]:
    """The outcomes of the workers that finished within one poll, and of those stopped for their budget."""
    for conn in wait(list(running), timeout=POLL):
        r = running[conn]  # type: ignore[index]
        message = _receive(conn)
        if message is not None and message[0] == "pages":
            r.pages = message[1]
            continue
        del running[conn]  # type: ignore[arg-type]
        conn.close()
        yield _finish(message, r, time.monotonic() - r.start, budget)
    now = time.monotonic()
    for conn, r in list(running.items()):
        over_time = now - r.start >= budget.time_for(r.pages)
        if not over_time and not r.over_memory(budget):
            continue
        del running[conn]
        r.proc.kill()
        r.proc.join()
        conn.close()
        if over_time:
            message = (f"stopped after {budget.time_for(r.pages):g} s, the time budget for this document "
                       f"({budget.seconds:g} s + {budget.seconds_per_page:g} s a page)")
        else:
            message = f"stopped at more memory than the budget of {budget.memory_mb} MB"
        rows = failed_rows(r.job, "extract.budget_exceeded", f"Extraction {message}.")
        yield Outcome(r.job, rows, now - r.start, r.peak_rss / 2**20, "budget_exceeded")


def _receive(conn: Connection) -> tuple | None:
    """The worker's next message, or None when it died without one."""
    try:
        return conn.recv()
    except (EOFError, OSError):
        return None


def _finish(message: tuple | None, r: _Running, seconds: float, budget: Budget) -> Outcome:
    job, proc = r.job, r.proc
    if message is None:
        proc.join()
        code = proc.exitcode
        what = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        status, payload, peak = "crashed", f"the worker process died ({what})", r.peak_rss / 2**20 or None
        checked = False
        if r.near_memory(budget) or code == -9:  # a C library failing an allocation, or the OOM killer
            status = "budget_exceeded"
            payload = f"the worker died ({what}) near the memory budget of {budget.memory_mb} MB"
    else:
        status, payload, checked, peak = message
    proc.join()
    if status == "ok":
        return Outcome(job, payload, seconds, peak, checked=checked)
    check_id = "extract.budget_exceeded" if status == "budget_exceeded" else "extract.crashed"
    return Outcome(job, failed_rows(job, check_id, f"Extraction {status.replace('_', ' ')}: {payload}."), seconds,
                   peak, status)
