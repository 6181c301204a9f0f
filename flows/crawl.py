"""The `crawl` flow: every configured source, in parallel, into the raw store."""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.crawl.run import CrawlResult, crawl_source
from yujuesuan.crawl.sources import Source, load_sources
from yujuesuan.runs.ids import new_run_id
from yujuesuan.runs.publish import record_crawl


@task(
    name="crawl-source",
    task_run_name="crawl-{source.id}",
    cache_policy=NO_CACHE,
    retries=2,
    retry_delay_seconds=[5, 30],
)
def crawl_source_task(source: Source, raw: str, run_id: str, warehouse: str | None = None) -> CrawlResult:
    """One source: its adapter, its downloads, its health (network errors are rows, not raises);
    with a warehouse, its run-table rows are written as soon as it is done."""
    result = crawl_source(source, RawStore(raw), run_id)
    if warehouse:
        record_crawl(warehouse, result)
    h = result.health
    get_run_logger().info(
        "%s: %d page(s), %d document(s) found: %d new, %d changed, %d unchanged, %d failed (%.1fs)",
        source.id,
        h.pages_visited,
        h.documents_found,
        h.new,
        h.changed,
        h.unchanged,
        h.failed,
        h.seconds,
    )
    log = get_run_logger()
    for w in h.warnings:  # at the source's severity for it (health: severity: in its YAML)
        (log.error if h.severity_of(w) == "error" else log.warning)("%s: %s", source.id, w)
    return result


@flow(name="crawl", task_runner=ThreadPoolTaskRunner(max_workers=4))
def crawl(
    sources: str = "data/sources",
    raw: str = "data/raw",
    only: list[str] | None = None,
    run_id: str | None = None,
    warehouse: str | None = None,
) -> list[CrawlResult]:
    """Crawl the sources (YAML files in `sources`), downloading new and changed documents once."""
    run_id = run_id or new_run_id()
    loaded = load_sources(sources, only)
    futures = [crawl_source_task.submit(s, raw, run_id, warehouse) for s in loaded]
    return [f.result() for f in futures]
