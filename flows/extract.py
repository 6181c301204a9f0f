"""The `extract` flow: every document of the raw store not yet in the warehouse (from this code)."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.task_runners import ThreadPoolTaskRunner

from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.logs import PROGRESS, Throttle
from yujuesuan.pipeline import StoredDocument, extract_stored, extractor_version, needs_extraction
from yujuesuan.runs import stored_documents
from yujuesuan.store import Warehouse
from yujuesuan.worker import Budget


def extraction_key(context: Any, parameters: dict[str, Any]) -> str:
    """A document is extracted once per content (sha256), engine, extractor code and warehouse."""
    ref: StoredDocument = parameters["ref"]
    where = hashlib.sha256(os.path.abspath(parameters["warehouse"]).encode()).hexdigest()[:8]
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
    return extract_stored(ref, RawStore(raw).path(ref.sha256), warehouse, engine, Budget.from_env(timeout, memory_mb))


@flow(name="extract", task_runner=ThreadPoolTaskRunner(max_workers=1))
def extract(
    raw: str = "data/raw",
    warehouse: str = "data/warehouse",
    engine: str = "pdfplumber",
    timeout: float | None = None,
    memory_mb: int | None = None,
) -> list[dict]:
    """Extract what the raw store holds into the warehouse; unchanged documents are skipped
    (cached on their sha256), and is_current follows the store's latest fetches. Each document
    runs in a worker process under the budget (seconds, MB)."""
    log = get_run_logger()
    store, wh = RawStore(raw), Warehouse(warehouse)
    for f in wh.repair():
        log.warning("removed %s left by an interrupted run", f)
    refs = stored_documents(store)
    futures = []
    for ref in refs:
        needed = needs_extraction(wh, ref.sha256, engine)
        # unchanged documents hit the task cache (state Cached, nothing run); when the warehouse
        # lacks a document the cache is refreshed: the warehouse, not the cache, is the truth
        run = extract_document_task.with_options(refresh_cache=True) if needed else extract_document_task
        futures.append((needed, run.submit(ref, raw, warehouse, engine, timeout, memory_mb)))
    results = []
    todo = sum(1 for needed, _ in futures if needed)
    show = Throttle(logging.getLogger(PROGRESS).info)
    start, pages = time.perf_counter(), 0
    for needed, f in futures:
        result = {**f.result(), "extracted": needed}
        results.append(result)
        if result["extracted"]:
            pages += result.get("pages") or 0
            done = sum(1 for r in results if r["extracted"])
            took = time.perf_counter() - start
            show(
                f"extract: {done}/{todo} document(s), {pages} pages, {pages / took if took else 0:.1f} pages/s "
                f"(last: {result.get('file_name') or result['doc_id'][:12]}, {result['status']})",
                final=done == todo,
            )
    for ref in refs:  # revisions: a document no URL serves any more is superseded
        if wh.update_document(ref.sha256, is_current=ref.is_current):
            log.info("%s: is_current → %s", ref.file_name, ref.is_current)
    done = [r for r in results if r["extracted"]]
    log.info(
        "%d document(s) in the raw store; %d extracted now, %d already in the warehouse",
        len(refs),
        len(done),
        len(results) - len(done),
    )
    return results
