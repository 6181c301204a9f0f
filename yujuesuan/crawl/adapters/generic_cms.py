"""The generic government CMS: index pages (paginated) → detail pages → attachments.

Pagination is read from the page, whatever the CMS: TRS's `createPageHTML(total, current,
"index", "html")` in inline script (pages `index_1.html` …), 尾页/末页 links carrying the page
count (`index_9.html`, `?page=9`, `pageNo=9`, `column-index-9.shtml`, `/9.html`), and 下一页 /
numbered links. A detail page with no attachment whose text holds a standard table's title is
itself the report (published as HTML)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from urllib.parse import urljoin, urlsplit

from extractors.nonreport import heading_says
from extractors.spec import load_specs, match_title, title_key
from yujuesuan.crawl.adapters.base import Candidate, Visit, wanted
from yujuesuan.crawl.fetch import Fetcher, FetchError
from yujuesuan.crawl.names import extension, url_name
from yujuesuan.crawl.pages import Page, decode_html, read_page, text_hash
from yujuesuan.crawl.sources import Source

CREATE_PAGE = re.compile(r"createPageHTML\(\s*(\w+)\s*,\s*(\w+)\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"']")
COUNT_VAR = r"\b{name}\s*=\s*(\d+)"
NEXT_WORDS = ("下一页", "下页", "下一頁", "后页")
LAST_WORDS = ("尾页", "末页", "最后一页", "尾頁")
# a number in a URL that pages it: (pattern, group of the number)
# (each is linear in the URL's length: no backtracking over a hostile 20 kB link)
PAGE_NUMBER = [
    re.compile(r"(?<=[\w-])[_-](?P<n>\d+)\.s?html?$"),  # index_3.html, list-3.html, column-index-3.shtml
    re.compile(r"[?&](?:page|pageNo|pageno|pageIndex|PageIndex|currPage|pageNum|curPage|p)=(?P<n>\d+)"),
    re.compile(r"/(?P<n>\d+)\.s?html?$"),
]
MAX_DIGITS = 9  # a page number longer than this is a lie (and int() of 5,000 digits raises)


@cache
def _title_keys() -> tuple[str, ...]:
    return tuple(sorted({k for spec in load_specs() for k in spec.title_keys}, key=len, reverse=True))


def _numbered(url: str) -> tuple[re.Match[str], re.Pattern[str]] | None:
    for pat in PAGE_NUMBER:
        m = pat.search(url)
        if m:
            return m, pat
    return None


def _count(digits: str, limit: int) -> int:
    """A page count or number the page states, never more than `limit` (it may be 10⁹, or 5,000 digits)."""
    return limit if len(digits) > MAX_DIGITS else min(int(digits), limit)


def pagination_urls(page: Page, index_url: str, limit: int = 50) -> list[str]:
    """Every other index page this one reveals (not yet de-duplicated against visits): of each
    pagination it states, the first `limit` pages (a crawl visits no more than max_pages anyway)."""
    urls: list[str] = []
    for script in page.scripts:
        for m in CREATE_PAGE.finditer(script):
            total_s, prefix, ext = m.group(1), m.group(3), m.group(4)
            if not total_s.isdigit():
                var = re.search(COUNT_VAR.format(name=re.escape(total_s)), script)
                total_s = var.group(1) if var else "0"
            total = _count(total_s, limit + 1)
            urls += [urljoin(index_url, f"{prefix}_{k}.{ext}") for k in range(1, total)]
    for link in page.links:
        text = link.text.strip()
        if any(w in text for w in LAST_WORDS):
            found = _numbered(link.url)
            if found:
                m, _ = found
                last = _count(m.group("n"), limit)
                urls += [link.url[: m.start("n")] + str(k) + link.url[m.end("n") :] for k in range(1, last + 1)]
            else:
                urls.append(link.url)
        elif any(w in text for w in NEXT_WORDS) or (text.isdigit() and len(text) <= 3):  # page numbers, not years
            if _same_listing(link.url, index_url):
                urls.append(link.url)
    return urls


def _same_listing(url: str, index_url: str) -> bool:
    a, b = urlsplit(url), urlsplit(index_url)
    return a.netloc == b.netloc and a.path.rsplit("/", 1)[0] == b.path.rsplit("/", 1)[0] and _numbered(url) is not None


def _attachment_ext(url: str, text: str, exts: list[str]) -> str | None:
    for name in (url_name(url), text):
        ext = extension(name)
        if ext and ext in exts:
            return ext
    return None


def _fetch_page(
    url: str, fetcher: Fetcher, source: Source, visit: Visit, referrer: str | None
) -> tuple[Page, bytes, str] | None:
    try:
        got = fetcher.get(url, referrer=referrer, max_bytes=min(source.limits.max_bytes, 20 * 1024 * 1024))
    except FetchError as err:
        visit.pages_failed += 1
        visit.request_failed(err, url, f"page not read: {err}", referrer)
        return None
    visit.pages_visited += 1
    decoded = decode_html(got.body, got.content_type, source.encoding)
    if decoded.warning:
        visit.problem("crawl.page_encoding", url, f"{decoded.warning}; the page was read", referrer)
    if decoded.replaced:
        visit.problem(
            "crawl.page_encoding",
            url,
            f"{decoded.replaced} character(s) not valid {decoded.encoding} (declared {decoded.declared or 'nothing'}); "
            "replaced with U+FFFD, the rest of the page read",
            referrer,
        )
    return read_page(decoded.text, got.final_url), got.body, got.fetched_at


def page_heading(page: Page) -> str:
    """The first line of a page's text that names a 预算/决算 (a detail page's own heading)."""
    return next((ln for ln in page.text.splitlines()[:80] if re.search(r"预算|决算", ln) and len(ln) <= 80), "")


HEADING_LINES = 6  # a page's own heading is among its first lines (after the breadcrumbs)


def is_report_page(page: Page, extra_titles: list[str] | tuple[str, ...] = ()) -> bool:
    """Whether a page is itself a disclosure: it holds an HTML table, and a short line of its text
    is a standard table's title (the engine's own specs, plus the source's extra titles). Notices,
    explanations, news and column index pages that only mention 部门预算 are no reports, nor is
    a review checklist (检查表, 自查表) whose items are the standard tables' titles."""
    if not page.tables:
        return False
    head = [page.title or "", *page.text.splitlines()[:HEADING_LINES]]
    if heading_says(head, read_anything=True):  # a review checklist lists the standard titles as items
        return False
    extra = [title_key(t) for t in extra_titles if t]
    for line in page.text.splitlines():
        if 4 <= len(line) <= 80:
            key = title_key(line)
            if match_title(line) is not None or any(e and e in key for e in extra) or _titled(key):
                return True
    return False


def _titled(key: str) -> bool:
    """A title line that ends with a standard title after a prefix (unit, year: XX局2024年收支总表)."""
    return any(key.endswith(t) for t in _title_keys() if len(t) >= 4) and len(key) <= 60


def discover(source: Source, fetcher: Fetcher, visit: Visit) -> Iterator[Candidate]:
    hosts = source.hosts()
    seen_items: set[str] = set()
    for start in source.start_urls:
        queue, queued = [start], {start}
        visited = 0
        while queue and visited < source.index.max_pages:
            index_url = queue.pop(0)
            visited += 1
            got = _fetch_page(index_url, fetcher, source, visit, None)
            if got is None:
                continue
            page = got[0]
            for url in pagination_urls(page, index_url, source.index.max_pages):
                if url not in queued and (urlsplit(url).hostname or "") in hosts:
                    queued.add(url)
                    queue.append(url)
            for link in page.links:
                if link.url in queued or link.url in seen_items:
                    continue
                # a title the list page cut short is judged on the detail page's own title instead
                if not (link.truncated or source.index.follow.accepts(link.text, link.url)):
                    continue
                if link.truncated and not source.index.follow.accepts_url(link.url):
                    continue
                if (urlsplit(link.url).hostname or "").lower() not in hosts:
                    visit.links_offsite += 1
                    continue
                if not link.truncated and not wanted(source.filters, link.text):
                    visit.filtered_out += 1
                    continue
                seen_items.add(link.url)
                if _attachment_ext(link.url, link.text, source.detail.attachment_extensions):
                    yield Candidate(link.url, index_url, page.title, link.text)
                else:
                    yield from _detail(link.url, link.text, index_url, source, fetcher, visit, hosts)


def _detail(
    url: str, link_text: str, referrer: str, source: Source, fetcher: Fetcher, visit: Visit, hosts: set[str]
) -> Iterator[Candidate]:
    got = _fetch_page(url, fetcher, source, visit, referrer)
    if got is None:
        return
    page, body, fetched_at = got
    heading = page_heading(page)
    said = " ".join(t for t in (page.title, heading, link_text.rstrip(".…。")) if t)
    if not wanted(source.filters, said) or not source.index.follow.accepts(said, url):
        visit.filtered_out += 1
        return
    found = 0
    for link in page.links:
        is_file = _attachment_ext(link.url, link.text, source.detail.attachment_extensions)
        by_word = any(w in link.text for w in source.detail.attachment_link_text) and extension(
            url_name(link.url)
        ) not in (
            "html",
            "htm",
        )
        if not (is_file or by_word) or link.url == url:
            continue
        if (urlsplit(link.url).hostname or "").lower() not in hosts:
            visit.links_offsite += 1
            visit.problem(
                "crawl.host_not_allowed", link.url, "attachment on a host the source does not allow", url
            )
            continue
        found += 1
        yield Candidate(link.url, url, page.title, link.text)
    if not found and is_report_page(page, source.detail.html_report_markers):
        # the page itself is the report: it holds a table under a standard table's title
        yield Candidate(
            url,
            referrer,
            page.title,
            link_text,
            body=body,
            content_type="text/html",
            fetched_at=fetched_at,
            text_sha256=text_hash(page),
        )
