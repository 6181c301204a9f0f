"""What a run publishes into the warehouse besides the documents: each source's crawl (downloads,
crawl issues, source health), crawls no run recorded, and the documents' revisions (is_current)."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import asdict, fields

from yujuesuan.crawl.download import Download
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.crawl.run import CrawlResult, SourceHealth, tally
from yujuesuan.ingest.pipeline import StoredDocument
from yujuesuan.warehouse.store import Warehouse

DOWNLOAD_FIELDS = [f.name for f in fields(Download)]


# -- run tables: written as each source's crawl ends, so a killed run loses none ---------------------


def record_crawl(warehouse: str | os.PathLike[str], result: CrawlResult) -> None:
    """One source's crawl of one run into the run tables (WAREHOUSE/<table>/<run_id>.<source_id>.parquet),
    written as soon as that source is done."""
    wh = Warehouse(warehouse)
    name = f"{result.health.run_id}.{result.health.source_id}"
    wh.write_run_table("downloads", name, [asdict(d) for d in result.downloads])
    wh.write_run_table("crawl_issues", name, result.issue_rows())
    wh.write_run_table("source_health", name, [asdict(result.health)])


def recover_unpublished(warehouse: str | os.PathLike[str], store: RawStore, current_run: str) -> dict[str, int]:
    """Downloads the raw store's manifest holds for which no run table was written (a nightly killed
    before it recorded them, or `crawl` alone): written now as that run's rows, with a health row
    counted from them. Returns the rows recovered per run id."""
    wh = Warehouse(warehouse)
    have = wh.run_ids("downloads")
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in store.rows():
        run_id, source_id = row.get("run_id"), row.get("source_id")
        if not run_id or not source_id or run_id == current_run:
            continue
        if run_id in have or f"{run_id}.{source_id}" in have:
            continue
        groups[(run_id, source_id)].append(row)
    recovered: dict[str, int] = defaultdict(int)
    for (run_id, source_id), rows in sorted(groups.items()):
        downloads = [Download(**{k: r.get(k) for k in DOWNLOAD_FIELDS}) for r in rows]
        health = SourceHealth(run_id, source_id, min(r["fetched_at"] for r in rows), 0.0)
        health.warn(
            "health.recovered",
            "this run did not record its crawl (stopped before it could, or `crawl` alone); "
            "its rows and counts come from the raw store's manifest",
        )
        tally(health, downloads)
        record_crawl(warehouse, CrawlResult(health, downloads, []))
        recovered[run_id] += len(rows)
    return dict(recovered)


def update_revisions(warehouse: str | os.PathLike[str], refs: list[StoredDocument],
                     known: dict[str, dict] | None = None) -> list[StoredDocument]:
    """Revisions: a document no URL serves any more is superseded (is_current false), one served again is
    current. `known`: documents rows read before the run (a document whose flag was already right is not
    read again). Returns the documents whose flag changed."""
    wh = Warehouse(warehouse)

    def due(ref: StoredDocument) -> bool:
        return known is None or ref.sha256 not in known or known[ref.sha256].get("is_current") != ref.is_current

    return [ref for ref in refs if due(ref) and wh.update_document(ref.sha256, is_current=ref.is_current)]
