"""The `nightly` flow: crawl → extract → check → publish (run tables, report, artifact).

Whatever fails upstream, the run publishes its report: a phase that raises is recorded as the
run's failure (in the report and the return value) and the phases after it still run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows.check import check
from flows.crawl import crawl
from flows.extract import dask_runner, extract, jobs_runner
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.runs.ids import new_run_id
from yujuesuan.runs.own_process import publish_in_own_process
from yujuesuan.runs.publish import recover_unpublished
from yujuesuan.runs.report import RunRecord, peak_rss_mb, summary, write_report
from yujuesuan.warehouse.fs import absolute
from yujuesuan.warehouse.store import Warehouse, release_memory


@flow(name="nightly")
def nightly(
    sources: str = "data/sources",
    raw: str = "data/raw",
    warehouse: str = "data/warehouse",
    runs: str = "data/runs",
    only: list[str] | None = None,
    engine: str = "pdfplumber",
    timeout: float | None = None,
    memory_mb: int | None = None,
    wait: float = 600.0,
    dask: str | None = None,
    workers: int | None = None,
    jobs: int | None = None,
) -> dict:
    """Visit every source, download what is new once, extract and check it, publish the report.
    Extraction runs on Dask with `dask` (a scheduler's address, `tcp://host:8786`) or `workers`
    (a local cluster of that many processes); otherwise `jobs` documents at a time (default: all cores)."""
    log = get_run_logger()
    run_id = new_run_id()
    report = Path(runs) / run_id / "report.md"
    record = RunRecord(
        run_id,
        datetime.now(UTC).isoformat(timespec="seconds"),
        absolute(warehouse),
        absolute(raw),
        os.path.abspath(report),
    )
    wh = Warehouse(warehouse)

    def phase(name: str, work: Callable[[], Any]) -> Any:
        t = time.perf_counter()
        try:
            return work()
        except Exception as exc:  # noqa: BLE001 - the report is published whatever happened
            record.failures.append(f"{name}: {type(exc).__name__}: {exc}")
            log.error("%s failed: %s: %s", name, type(exc).__name__, exc)
            return None
        finally:
            record.timings[name] = record.timings.get(name, 0.0) + time.perf_counter() - t
            record.peak_rss_mb[name] = peak_rss_mb()
            release_memory()  # what the phase freed, back to the system before the next one

    with wh.lock(wait):
        wh.init()
        record.crawls = phase("crawl", lambda: crawl(sources, raw, only, run_id, warehouse)) or []
        record.recovered = phase("crawl", lambda: recover_unpublished(warehouse, RawStore(raw), run_id)) or {}
        record.extractions = phase("extract", lambda: _extract(raw, warehouse, engine, timeout, memory_mb, dask,
                                                               workers, jobs)) or []
        record.checked = phase("check", lambda: check(warehouse)) or {}
        # compaction, the tables derived across documents and the overview, in a process of their own
        overview = publish_in_own_process(record, warehouse, report.parent / "overview.html", runs, wh.held_locks())
        record.documents = phase("publish", lambda: wh.read("documents", REPORTED).to_pylist()) or []
    text = write_report(record, overview)
    try:
        create_markdown_artifact(text, key="nightly-report", description=f"yujuesuan nightly run {run_id}")
    except Exception as exc:  # noqa: BLE001 - the file is the report; the artifact is a copy
        log.warning("the report could not be stored as a Prefect artifact: %s", exc)
    return summary(record, overview)


REPORTED = ["doc_id", "file_name", "unit_name", "year", "kind", "status", "is_current"]  # the report's columns
REMOTE_IN_FLIGHT = 16  # on a running cluster of unknown size: workers' worth of documents handed out at once


def _extract(
    raw: str, warehouse: str, engine: str, timeout: float | None, memory_mb: int | None, dask: str | None,
    workers: int | None, jobs: int | None = None,
) -> list[dict]:
    if not dask and not workers:
        on_threads = extract.with_options(task_runner=jobs_runner(jobs)) if jobs else extract
        return on_threads(raw, warehouse, engine, timeout, memory_mb)
    on_dask = extract.with_options(task_runner=dask_runner(dask, workers))
    return on_dask(raw, warehouse, engine, timeout, memory_mb, distributed=workers or REMOTE_IN_FLIGHT)
