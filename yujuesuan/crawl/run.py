"""Crawling one source: discover candidates, download each once, count what happened."""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from extractors.issues import severity as registered_severity
from yujuesuan.crawl.adapters import ADAPTERS, Visit
from yujuesuan.crawl.adapters.base import failed_request
from yujuesuan.crawl.download import Download, download
from yujuesuan.crawl.fetch import HOST_DOWN, Fetcher, FetchPolicy
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.crawl.sources import Source

log = logging.getLogger(__name__)

UNREACHABLE = {f"crawl.{kind}" for kind in HOST_DOWN}


@dataclass
class SourceHealth:
    """One line per source and run: what the crawl saw, and warnings about the source itself."""

    run_id: str
    source_id: str
    started_at: str
    seconds: float
    pages_visited: int = 0
    pages_failed: int = 0
    requests: int = 0
    documents_found: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0  # incl. not modified (304)
    failed: int = 0  # documents failed or refused, and pages (index, detail, API calls) that could not be read
    last_new_at: str | None = None
    warnings: list[str] = field(default_factory=list)  # "health.<name>: message"
    severities: dict[str, str] = field(default_factory=dict)  # health id -> its severity (not a warehouse column)

    def warn(self, check_id: str, message: str, severity: str | None = None) -> None:
        """A health warning: the registry's severity for `check_id` unless the source sets its own."""
        self.warnings.append(f"{check_id}: {message}")
        self.severities[check_id] = severity or registered_severity(check_id)

    def severity_of(self, warning: str) -> str:
        """The severity of one of `warnings` (a row read back from the warehouse: the registry's)."""
        check_id = warning.split(":")[0]
        return self.severities.get(check_id) or registered_severity(check_id)


@dataclass
class CrawlResult:
    health: SourceHealth
    downloads: list[Download]
    problems: list[dict]  # crawl issues of pages and API calls (not of documents)

    def issue_rows(self) -> list[dict]:
        """Every problem of this crawl as a crawl_issues row (pages, then documents)."""
        rows = [dict(p, run_id=self.health.run_id, source_id=self.health.source_id) for p in self.problems]
        for d in self.downloads:
            if d.error_kind:
                rows.append(
                    {
                        "run_id": d.run_id,
                        "source_id": d.source_id,
                        "check_id": d.error_kind,
                        "severity": _download_severity(d),
                        "url": d.url,
                        "referrer": d.referrer,
                        "message": d.error or d.outcome,
                    }
                )
        return rows


def _download_severity(d: Download) -> str:
    """A failed download is a failed request (an error); a refused or kept one has its id's severity."""
    assert d.error_kind is not None
    if d.outcome == "failed":
        return failed_request(d.error_kind.removeprefix("crawl."))[1]
    return registered_severity(d.error_kind)


def policy_of(source: Source) -> FetchPolicy:
    lim = source.limits
    return FetchPolicy(
        user_agent=source.user_agent,
        rate_per_second=lim.rate_per_second,
        concurrency=lim.concurrency,
        timeout_seconds=lim.timeout_seconds,
        deadline_seconds=lim.deadline_seconds,
        max_bytes=lim.max_bytes,
        retries=lim.retries,
        backoff_seconds=lim.backoff_seconds,
        max_redirects=lim.max_redirects,
        robots=source.robots,
    )


def crawl_source(source: Source, store: RawStore, run_id: str) -> CrawlResult:
    start, started_at = time.perf_counter(), datetime.now(UTC).isoformat(timespec="seconds")
    visit = Visit()
    downloads: list[Download] = []
    with Fetcher(policy_of(source), source.hosts()) as fetcher:
        candidates, seen = [], set()
        for c in ADAPTERS[source.adapter](source, fetcher, visit):
            if c.url not in seen:
                seen.add(c.url)
                candidates.append(c)
        with ThreadPoolExecutor(max_workers=source.limits.concurrency, thread_name_prefix=f"dl-{source.id}") as pool:
            for rows in pool.map(lambda c: download(c, source, fetcher, store, run_id), candidates):
                for r in rows:
                    store.append(asdict(r))
                    downloads.append(r)
        store.sync()  # the fetches that brought nothing new, on disk at once
        requests = fetcher.requests
    health = SourceHealth(run_id, source.id, started_at, round(time.perf_counter() - start, 3), requests=requests)
    health.pages_visited, health.pages_failed = visit.pages_visited, visit.pages_failed
    tally(health, downloads)
    health.failed += visit.pages_failed
    problems = [asdict(p) for p in visit.problems]
    _warn_unreachable(source, health, problems)
    _warn(source, store, health)
    return CrawlResult(health, downloads, problems)


def tally(health: SourceHealth, downloads: list[Download]) -> None:
    """Count a source's downloads into its health row (a ZIP counts by its members)."""
    docs = [d for d in downloads if d.format != "zip" or d.outcome in ("failed", "refused")]
    health.documents_found = sum(1 for d in docs if d.outcome not in ("failed", "refused"))
    for d in docs:
        if d.outcome in ("new", "changed"):
            setattr(health, d.outcome, getattr(health, d.outcome) + 1)
        elif d.outcome in ("unchanged", "not_modified"):
            health.unchanged += 1
        else:
            health.failed += 1


def _source_warn(source: Source, health: SourceHealth, check_id: str, message: str) -> None:
    """A health warning with the source's own severity for it (health.severity), else the registry's."""
    health.warn(check_id, message, source.health.severity.get(check_id.removeprefix("health.")))


def _warn_unreachable(source: Source, health: SourceHealth, problems: list[dict]) -> None:
    """No page read at all, and a page failed for want of a connection: the portal is not there."""
    if health.pages_visited:
        return
    down = [p for p in problems if p["check_id"] in UNREACHABLE]
    if down:
        _source_warn(
            source,
            health,
            "health.unreachable",
            f"the portal could not be reached, nothing was crawled ({down[0]['message']})",
        )


def _warn(source: Source, store: RawStore, health: SourceHealth) -> None:
    h = source.health
    if health.documents_found < h.min_documents:
        _source_warn(
            source,
            health,
            "health.too_few_documents",
            f"{health.documents_found} document(s) found, fewer than the declared "
            f"minimum of {h.min_documents} (has the portal moved or changed its pages?)",
        )
    news = [r["fetched_at"] for r in store.rows() if r["source_id"] == source.id and r["outcome"] in ("new", "changed")]
    health.last_new_at = max(news) if news else None
    if h.stale_after_days is not None:
        if health.last_new_at is None:
            return  # never found anything: too_few_documents says so
        last = datetime.fromisoformat(health.last_new_at)
        if datetime.now(UTC) - last > timedelta(days=h.stale_after_days):
            _source_warn(
                source,
                health,
                "health.stale",
                f"nothing new since {health.last_new_at[:10]}, longer than the declared {h.stale_after_days} days",
            )
