"""The `extract` flow: every document of the raw store not yet in the warehouse (from this code).

By default each document is a task on a thread of this process, as many at once as there are
cores (each extraction in a worker process of its own; `jobs_runner(N)` for another number).
On Dask (`dask_runner`: a running scheduler's address, or a local cluster of N workers), the
flow reads each document's bytes, a Dask worker extracts them (in a worker process of its own,
under the budget) and hands the rows back, and this process alone writes the warehouse: Dask
workers on other machines need neither the raw store nor the warehouse.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.ingest.files import named_image, preload_ocr
from yujuesuan.ingest.pipeline import (
    StoredDocument,
    extract_stored,
    extractor_version,
    known_documents,
    needs_extraction,
    store_outcome,
    stored_documents,
)
from yujuesuan.ingest.worker import Budget, Job, Outcome, run_jobs, start_fork_server
from yujuesuan.logs import PROGRESS, Throttle
from yujuesuan.runs.publish import update_revisions
from yujuesuan.warehouse.fs import absolute
from yujuesuan.warehouse.store import Warehouse

IN_FLIGHT_THREADS = 4 * (os.cpu_count() or 1)  # extraction tasks submitted ahead of their results
IN_FLIGHT_PER_WORKER = 2  # documents' bytes handed to Dask at once, per worker (bounds this process's memory)


@task(name="record-unchanged", task_run_name="record-{count}-unchanged", cache_policy=NO_CACHE)
def record_unchanged(refs: list[StoredDocument], raw: str, warehouse: str, engine: str, count: int = 0,
                     known: dict[str, dict] | None = None) -> list[dict]:
    """Documents the warehouse holds from this code: only their sightings are recorded. One task for
    them all: a task each costs the Prefect API a task run, minutes at 10,000 unchanged documents."""
    store = RawStore(raw)
    return [extract_stored(ref, store.local_path(ref.sha256), warehouse, engine, known=known) for ref in refs]


def jobs_runner(jobs: int) -> TaskRunner:
    """Documents extracted at once on this machine (threads, each waiting on its worker process)."""
    return ThreadPoolTaskRunner(max_workers=max(1, jobs))


def dask_runner(address: str | None = None, workers: int | None = None) -> TaskRunner:
    """Prefect's DaskTaskRunner on a running cluster (`tcp://scheduler:8786`), or on a local cluster
    of `workers` processes on 127.0.0.1 (one thread each: each extraction has a process of its own)."""
    import dask
    from prefect_dask import DaskTaskRunner

    # a Dask worker starts a process per document (its budget): Dask's workers must not be daemonic
    dask.config.set({"distributed.worker.daemon": False})
    if address:
        return DaskTaskRunner(address=address)
    kwargs = {"n_workers": workers or os.cpu_count() or 1, "threads_per_worker": 1, "processes": True,
              "host": "127.0.0.1", "dashboard_address": None}
    return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs=kwargs)


@task(name="extract-on-dask", task_run_name="dask-extract-{file_name}", cache_policy=NO_CACHE, retries=1)
def extract_bytes_task(
    data: bytes,
    sha256: str,
    file_name: str,
    source_url: str | None = None,
    engine: str = "pdfplumber",
    timeout: float | None = None,
    memory_mb: int | None = None,
) -> Outcome:
    """On a Dask worker: one document's rows from its bytes, checked (nothing written but a temporary file)."""
    with tempfile.TemporaryDirectory(prefix="yujuesuan-") as tmp:
        path = Path(tmp) / sha256
        path.write_bytes(data)
        job = Job(str(path), sha256, file_name, source_url=source_url, engine=engine, check=True, encode=True)
        return next(run_jobs([job], Budget.from_env(timeout, memory_mb), 1))


def extraction_key(context: Any, parameters: dict[str, Any]) -> str:
    """A document is extracted once per content (sha256), engine, extractor code and warehouse."""
    ref: StoredDocument = parameters["ref"]
    where = hashlib.sha256(absolute(parameters["warehouse"]).encode()).hexdigest()[:8]
    return f"extract-{ref.sha256}-{parameters['engine']}-{extractor_version()}-{where}"


@task(
    name="extract-document",
    task_run_name="extract-{ref.file_name}",
    cache_key_fn=extraction_key,
    persist_result=True,
    result_serializer="json",
    retries=1,
)
def extract_document_task(
    ref: StoredDocument,
    raw: str,
    warehouse: str,
    engine: str = "pdfplumber",
    timeout: float | None = None,
    memory_mb: int | None = None,
) -> dict:
    path = RawStore(raw).local_path(ref.sha256)
    return extract_stored(ref, path, warehouse, engine, Budget.from_env(timeout, memory_mb))


@flow(name="extract", task_runner=ThreadPoolTaskRunner(max_workers=os.cpu_count() or 1))
def extract(
    raw: str = "data/raw",
    warehouse: str = "data/warehouse",
    engine: str = "pdfplumber",
    timeout: float | None = None,
    memory_mb: int | None = None,
    distributed: int = 0,
) -> list[dict]:
    """Extract what the raw store holds into the warehouse; unchanged documents are skipped
    (cached on their sha256), and is_current follows the store's latest fetches. Each document
    runs in a worker process under the budget (seconds, MB). `distributed`: the flow runs on Dask
    (`extract.with_options(task_runner=dask_runner(...))`) with that many workers; the rows come back here."""
    log = get_run_logger()
    store, wh = RawStore(raw), Warehouse(warehouse)
    for f in wh.repair():
        log.warning("removed %s left by an interrupted run", f)
    refs = stored_documents(store)
    known = known_documents(warehouse)  # one read of the documents table, not a file per document
    needs = {ref.sha256: needs_extraction(wh, ref.sha256, engine, known) for ref in refs}
    known = {sha: known[sha] for sha, needed in needs.items() if not needed}  # the unchanged ones
    todo = sum(needs.values())
    if distributed:
        outcomes = _on_dask(refs, needs, store, warehouse, engine, timeout, memory_mb, distributed, known)
    else:
        images = sum(named_image(ref.file_name) for ref in refs if needs[ref.sha256])
        if todo:
            start_fork_server(ocr=preload_ocr(images, os.cpu_count() or 1))
        outcomes = _on_threads(refs, needs, raw, warehouse, engine, timeout, memory_mb, known)
    results = []
    show = Throttle(logging.getLogger(PROGRESS).info)
    start, pages, done = time.perf_counter(), 0, 0
    for needed, summary in outcomes:
        result = {**summary, "extracted": needed}
        results.append(result)
        if result["extracted"]:
            pages += result.get("pages") or 0
            done += 1
            took = time.perf_counter() - start
            show(
                f"extract: {done}/{todo} document(s), {pages} pages, {pages / took if took else 0:.1f} pages/s "
                f"(last: {result.get('file_name') or result['doc_id'][:12]}, {result['status']})",
                final=done == todo,
            )
    for ref in update_revisions(warehouse, refs, known):
        log.info("%s: is_current → %s", ref.file_name, ref.is_current)
    done = [r for r in results if r["extracted"]]
    log.info(
        "%d document(s) in the raw store; %d extracted now, %d already in the warehouse",
        len(refs),
        len(done),
        len(results) - len(done),
    )
    return results


def _on_threads(
    refs: list[StoredDocument], needs: dict[str, bool], raw: str, warehouse: str, engine: str,
    timeout: float | None, memory_mb: int | None, known: dict[str, dict] | None = None,
) -> Iterator[tuple[bool, dict]]:
    # a document to extract is a task (its result cached on its sha256, but the warehouse, not the
    # cache, is the truth: the cache is refreshed); the unchanged ones are one task for them all
    unchanged = [ref for ref in refs if not needs[ref.sha256]]
    if unchanged:
        for summary in record_unchanged.submit(unchanged, raw, warehouse, engine, len(unchanged), known).result():
            yield False, summary
    # a window of tasks in flight, not all at once: a submitted task holds its run's state and a
    # queued thread, so memory would grow with the raw store (600 MB at 2,000 documents)
    run = extract_document_task.with_options(refresh_cache=True)
    todo = iter([ref for ref in refs if needs[ref.sha256]])
    window: deque = deque()
    for ref in todo:
        window.append(run.submit(ref, raw, warehouse, engine, timeout, memory_mb))
        if len(window) >= IN_FLIGHT_THREADS:
            yield True, window.popleft().result()
    while window:
        yield True, window.popleft().result()


def _on_dask(
    refs: list[StoredDocument], needs: dict[str, bool], store: RawStore, warehouse: str, engine: str,
    timeout: float | None, memory_mb: int | None, workers: int, known: dict[str, dict] | None = None,
) -> Iterator[tuple[bool, dict]]:
    """Documents to extract go to Dask a window at a time; each outcome is written here as it comes."""
    for ref in refs:
        if not needs[ref.sha256]:  # the sighting recorded, nothing extracted
            yield False, extract_stored(ref, store.local_path(ref.sha256), warehouse, engine, known=known)
    todo = [ref for ref in refs if needs[ref.sha256]]
    window = max(1, workers * IN_FLIGHT_PER_WORKER)
    for i in range(0, len(todo), window):
        batch = todo[i : i + window]
        futures = [
            extract_bytes_task.submit(
                store.read(ref.sha256), ref.sha256, ref.file_name, ref.source_url, engine, timeout, memory_mb
            )
            for ref in batch
        ]
        for ref, f in zip(batch, futures, strict=True):
            yield True, store_outcome(ref, store.local_path(ref.sha256), warehouse, f.result())
