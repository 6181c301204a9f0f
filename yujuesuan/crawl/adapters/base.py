"""What an adapter yields, and what it counts while crawling."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.issues import severity as registered_severity
from yujuesuan.crawl.fetch import FetchError
from yujuesuan.crawl.sources import Filters

YEAR = re.compile(r"(20\d\d)\s*年")


@dataclass
class Candidate:
    """A document the portal offers: an attachment URL, or an HTML page that is itself the report."""

    url: str
    referrer: str | None  # the page the link was on
    referrer_title: str | None  # that page's title
    link_text: str = ""
    name_hint: str | None = None  # an original file name the portal gives besides the URL (APIs)
    body: bytes | None = None  # the bytes already in hand (an HTML report page)
    content_type: str | None = None
    fetched_at: str | None = None
    text_sha256: str | None = None  # an HTML report: the hash of its visible text (versions by text)


@dataclass
class CrawlProblem:
    """A page or request of the crawl that failed (documents' own failures are recorded by the downloader)."""

    check_id: str  # crawl.<kind>
    severity: str
    url: str
    message: str
    referrer: str | None = None


@dataclass
class Visit:
    """Counters an adapter keeps for the source's health line."""

    pages_visited: int = 0
    pages_failed: int = 0
    links_offsite: int = 0
    filtered_out: int = 0
    problems: list[CrawlProblem] = field(default_factory=list)

    def problem(
        self, check_id: str, url: str, message: str, referrer: str | None = None, *, severity: str | None = None
    ) -> None:
        """A problem with the registry's severity (extractors/specs/issues.yaml); `severity` only picks
        another one the registry lists for that id."""
        self.problems.append(CrawlProblem(check_id, registered_severity(check_id, severity), url, message, referrer))

    def request_failed(self, err: FetchError, url: str, message: str, referrer: str | None = None) -> None:
        """A page or API call that could not be fetched: crawl.<kind>, an error (see failed_request)."""
        check_id, severity = failed_request(err.kind)
        self.problem(check_id, url, message, referrer, severity=severity)


def failed_request(kind: str) -> tuple[str, str]:
    """The id and severity of a request that failed with a FetchError kind: an error whatever the kind
    (crawl.host_not_allowed is a warning for a link not followed, an error for a request refused)."""
    check_id = f"crawl.{kind}"
    return check_id, registered_severity(check_id, "error")


def wanted(filters: Filters, *texts: str) -> bool:
    """Whether titles/link texts pass the source's year, kind and unit filters (unknown passes)."""
    text = " ".join(t for t in texts if t)
    if filters.years:
        years = {int(y) for y in YEAR.findall(text)}
        if years and not years & set(filters.years):
            return False
    if filters.kinds:
        kinds = {k for k, word in (("budget", "预算"), ("final", "决算")) if word in text}
        if kinds and not kinds & set(filters.kinds):
            return False
    return not (filters.units and not any(u in text for u in filters.units))
