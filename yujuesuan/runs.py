"""Run ids and the documents a raw store holds (what the nightly extracts)."""

from __future__ import annotations

import os
import secrets
from collections import defaultdict
from dataclasses import asdict, fields
from datetime import UTC, datetime

from yujuesuan.crawl.download import Download
from yujuesuan.crawl.rawstore import SUCCESS, RawStore
from yujuesuan.crawl.run import CrawlResult, SourceHealth, tally
from yujuesuan.pipeline import StoredDocument
from yujuesuan.store import Warehouse

DOWNLOAD_FIELDS = [f.name for f in fields(Download)]


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


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
        health.warnings.append(
            "health.recovered: this run did not record its crawl (stopped before it could, or `crawl` alone); "
            "its rows and counts come from the raw store's manifest"
        )
        tally(health, downloads)
        record_crawl(warehouse, CrawlResult(health, downloads, []))
        recovered[run_id] += len(rows)
    return dict(recovered)
