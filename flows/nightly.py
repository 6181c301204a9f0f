"""The `nightly` flow: crawl → extract → check → publish (run tables, report, artifact)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows.check import check
from flows.crawl import crawl
from flows.extract import extract
from yujuesuan.analysis.overview import build_overview
from yujuesuan.pipeline import publish_derived
from yujuesuan.runreport import RunRecord, markdown
from yujuesuan.runs import new_run_id
from yujuesuan.store import Warehouse


@flow(name="nightly")
def nightly(
    sources: str = "data/sources",
    raw: str = "data/raw",
    warehouse: str = "data/warehouse",
    runs: str = "data/runs",
    only: list[str] | None = None,
    engine: str = "pdfplumber",
) -> dict:
    """Visit every source, download what is new once, extract and check it, publish the report."""
    log = get_run_logger()
    run_id = new_run_id()
    report = Path(runs) / run_id / "report.md"
    record = RunRecord(
        run_id,
        datetime.now(UTC).isoformat(timespec="seconds"),
        os.path.abspath(warehouse),
        os.path.abspath(raw),
        os.path.abspath(report),
    )
    t = time.perf_counter()
    record.crawls = crawl(sources, raw, only, run_id)
    record.timings["crawl"] = time.perf_counter() - t
    t = time.perf_counter()
    record.extractions = extract(raw, warehouse, engine)
    record.timings["extract"] = time.perf_counter() - t
    t = time.perf_counter()
    record.checked = check(warehouse)
    record.timings["check"] = time.perf_counter() - t
    t = time.perf_counter()
    wh = Warehouse(warehouse)
    wh.write_run_table("downloads", run_id, [vars(d) for c in record.crawls for d in c.downloads])
    wh.write_run_table("crawl_issues", run_id, [r for c in record.crawls for r in c.issue_rows()])
    wh.write_run_table("source_health", run_id, [vars(c.health) for c in record.crawls])
    publish_derived(warehouse)  # unit identity, units table, datapackage.json
    record.documents = wh.read("documents").to_pylist()
    overview = build_overview(warehouse, report.parent / "overview.html")
    record.timings["publish"] = time.perf_counter() - t
    text = markdown(record) + f"\nOverview of the key figures per unit and year: `{overview.resolve()}`\n"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(text, encoding="utf-8")
    create_markdown_artifact(text, key="nightly-report", description=f"yujuesuan nightly run {run_id}")
    for w in record.warnings:
        log.warning(w)
    return {
        "run_id": run_id,
        "report": record.report,
        "overview": str(overview.resolve()),
        "warehouse": record.warehouse,
        "downloaded": record.downloaded,
        "extracted": record.extracted,
        "checked": sum(record.checked.values()),
        "warnings": record.warnings,
        "timings": {k: round(v, 2) for k, v in record.timings.items()},
        "documents": len(record.documents),
    }
