"""The `check` flow: the check catalogue on every document not yet checked with it."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from yujuesuan.pipeline import check_document, checks_version
from yujuesuan.store import Warehouse


@task(name="check-document", task_run_name="check-{doc_id:.12}", cache_policy=NO_CACHE)
def check_document_task(warehouse: str, doc_id: str, force: bool = False) -> str | None:
    return check_document(warehouse, doc_id, force)


@flow(name="check")
def check(warehouse: str = "data/warehouse", force: bool = False) -> dict[str, int]:
    """Checks run after extraction, on stored rows; a document already checked with this
    catalogue is left alone unless `force`. Returns documents checked now, per status."""
    docs = Warehouse(warehouse).read("documents").select(["doc_id", "checked_with"]).to_pylist()
    due = [d["doc_id"] for d in docs if force or d["checked_with"] != checks_version()]
    futures = [check_document_task.submit(warehouse, d, force) for d in sorted(due)]
    status: dict[str, int] = {}
    for f in futures:
        s = f.result()
        if s is not None:
            status[s] = status.get(s, 0) + 1
    get_run_logger().info("checked %d document(s): %s", sum(status.values()), status or "none needed")
    return status
