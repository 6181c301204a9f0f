"""The `check` flow: the check catalogue on every document not yet checked with it.

Documents are checked in batches, one task each, one batch at a time: the checks are Python (one
core whatever the threads), and a thread and a task run per document cost memory and Prefect API
calls in proportion to the warehouse (at 500 documents, 250 MB and 20 s).
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from yujuesuan.ingest.pipeline import check_document, documents_to_check
from yujuesuan.warehouse.store import release_memory

BATCH = 200  # documents checked by one task


@task(name="check-documents", task_run_name="check-{count}-from-{first:.12}", cache_policy=NO_CACHE)
def check_documents_task(warehouse: str, doc_ids: list[str], force: bool = False, first: str = "",
                         count: int = 0) -> list[str | None]:
    try:
        return [check_document(warehouse, d, force) for d in doc_ids]
    finally:
        release_memory()  # the batch's rows, freed, back to the system


@flow(name="check", task_runner=ThreadPoolTaskRunner(max_workers=1))
def check(warehouse: str = "data/warehouse", force: bool = False) -> dict[str, int]:
    """Checks run after extraction, on stored rows; a document already checked with this
    catalogue is left alone unless `force`. Returns documents checked now, per status."""
    due = documents_to_check(warehouse, force)
    batches = [due[i : i + BATCH] for i in range(0, len(due), BATCH)]
    futures = [check_documents_task.submit(warehouse, b, force, b[0], len(b)) for b in batches]
    status: dict[str, int] = {}
    for f in futures:
        for s in f.result():
            if s is not None:
                status[s] = status.get(s, 0) + 1
    get_run_logger().info("checked %d document(s): %s", sum(status.values()), status or "none needed")
    return status
