"""Downloading one candidate into the raw store, with one manifest row per file it yields."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from yujuesuan.crawl.adapters.base import Candidate
from yujuesuan.crawl.fetch import Fetcher, FetchError
from yujuesuan.crawl.names import choose_name, extension, fits, sniff
from yujuesuan.crawl.pages import decode_html, read_page, text_hash
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.crawl.sources import Source
from yujuesuan.crawl.unzip import unpack

FORMAT = {"pdf": "pdf", "ole": "xls", "html": "html", "zip": "zip"}
WPS_FORMATS = {"et": "xls", "wps": "doc"}  # WPS 表格 .et and WPS 文字 .wps: OLE2 files like Excel's and Word's


@dataclass
class Download:
    """One manifest row: what was fetched, from where, and what came of it."""

    run_id: str
    source_id: str
    url: str
    referrer: str | None
    referrer_title: str | None
    link_text: str
    fetched_at: str
    outcome: str  # new | changed | unchanged | not_modified | failed | refused
    http_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    text_sha256: str | None = None  # HTML reports: the visible text's hash (pages change in counters, not text)
    file_name: str | None = None
    format: str | None = None
    attempts: int = 1
    error_kind: str | None = None  # crawl.<kind> for failed / refused
    error: str | None = None
    parent_url: str | None = None  # the ZIP a member came from
    previous_sha256: str | None = None  # for changed: the version it supersedes


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _format(sniffed: str | None, name: str) -> str | None:
    ext = extension(name)
    if sniffed == "zip" and ext in ("xlsx", "docx"):
        return ext
    if sniffed == "ole" and ext in ("doc", "xls"):
        return ext
    if sniffed == "ole" and ext in WPS_FORMATS:  # WPS Office's own names for its OLE2 files
        return WPS_FORMATS[ext]
    return FORMAT.get(sniffed or "")


def download(c: Candidate, source: Source, fetcher: Fetcher, store: RawStore, run_id: str) -> list[Download]:
    prior = store.last_success(c.url)
    row = Download(
        run_id, source.id, c.url, c.referrer, c.referrer_title, c.link_text, c.fetched_at or _now(), "failed"
    )
    body: bytes
    disposition = None
    if c.body is not None:
        body, row.content_type, row.http_status = c.body, c.content_type, 200
    else:
        try:
            got = fetcher.get(
                c.url,
                referrer=c.referrer,
                etag=prior.get("etag") if prior else None,
                last_modified=prior.get("last_modified") if prior else None,
            )
        except FetchError as err:
            row.error_kind, row.error, row.http_status, row.attempts = (
                f"crawl.{err.kind}",
                str(err),
                err.status,
                err.attempts,
            )
            return [row]
        row.fetched_at, row.http_status, row.attempts = got.fetched_at, got.status, got.attempts
        row.etag, row.last_modified = got.headers.get("etag"), got.headers.get("last-modified")
        row.content_type = got.headers.get("content-type")
        disposition = got.headers.get("content-disposition")
        if got.not_modified:
            if prior is None:  # a 304 to an unconditional request: nothing to keep
                row.error_kind, row.error = "crawl.http_status", "HTTP 304 without a stored version"
                return [row]
            row.outcome, row.sha256, row.size = "not_modified", prior["sha256"], prior.get("size")
            row.file_name, row.format, row.text_sha256 = (
                prior.get("file_name"),
                prior.get("format"),
                prior.get("text_sha256"),
            )
            row.etag = row.etag or prior.get("etag")
            row.last_modified = row.last_modified or prior.get("last_modified")
            return [row, *_members_not_modified(row, store)]
        body = got.body
    row.size = len(body)
    sniffed = sniff(body)
    name = choose_name(disposition, c.name_hint or c.url, c.link_text, sniffed=_ext_of(sniffed))
    row.file_name = name
    expected = "html" if c.body is not None else (extension(name) if extension(name) else None)
    if not body:
        row.outcome, row.error_kind, row.error = "refused", "crawl.empty_body", "the server sent 0 bytes"
        return [row]
    if sniffed == "html" and expected != "html":
        row.sha256 = store.put(body)  # kept as evidence, never extracted
        row.outcome, row.error_kind = "refused", "crawl.html_instead_of_document"
        title = read_page(decode_html(body, row.content_type or "").text, c.url).title
        row.error = f"an HTML page ({title or 'untitled'!s}) was served for {name}"
        return [row]
    if not fits(expected, sniffed):
        row.sha256 = store.put(body)
        row.outcome, row.error_kind = "refused", "crawl.not_a_document"
        row.error = f"the bytes are {sniffed or 'of no known document type'}, not a {expected or 'document'}"
        return [row]
    row.format = _format(sniffed, name)
    declared = (row.content_type or "").split(";")[0].strip().lower()
    if declared and not _type_fits(declared, sniffed):
        row.error_kind = "crawl.content_type_mismatch"
        row.error = f"served as {declared} but the bytes are {sniffed}; kept as {row.format}"
    if sniffed == "html":
        row.text_sha256 = c.text_sha256 or text_hash(read_page(decode_html(body, row.content_type or "").text, c.url))
        if prior and prior.get("text_sha256") == row.text_sha256:
            row.outcome, row.sha256 = "unchanged", prior["sha256"]
            return [row]
    row.sha256 = store.put(body)
    row.outcome = "new" if prior is None else "unchanged" if prior["sha256"] == row.sha256 else "changed"
    if row.outcome == "changed":
        row.previous_sha256 = prior["sha256"] if prior else None
    rows = [row]
    if row.format == "zip":
        rows += _members(row, body, store, source)
    return rows


def _members_not_modified(parent: Download, store: RawStore) -> list[Download]:
    """An archive not modified: its members as last unpacked, not modified either."""
    if parent.format != "zip":
        return []
    rows = []
    for _url, last in sorted(store.current().items()):
        if last.get("parent_url") == parent.url:
            r = Download(**{k: last.get(k) for k in Download.__dataclass_fields__})
            r.run_id, r.fetched_at, r.outcome, r.attempts = parent.run_id, parent.fetched_at, "not_modified", 0
            r.previous_sha256 = r.error_kind = r.error = None
            rows.append(r)
    return rows


def _type_fits(declared: str, sniffed: str | None) -> bool:
    """Whether a declared Content-Type can carry bytes of this kind (generic types always can)."""
    if declared in (
        "application/octet-stream",
        "application/force-download",
        "application/x-download",
        "binary/octet-stream",
    ):
        return True
    expect = {
        "pdf": ("application/pdf", "application/x-pdf"),
        "html": ("text/html", "application/xhtml+xml"),
        "zip": ("application/zip", "application/x-zip-compressed", "application/vnd.openxmlformats"),
        "ole": ("application/vnd.ms-excel", "application/msword", "application/vnd.ms"),
    }.get(sniffed or "", ())
    return any(declared.startswith(e) for e in expect)


def _ext_of(sniffed: str | None) -> str | None:
    return {"pdf": "pdf", "zip": "zip", "html": "html", "ole": "xls"}.get(sniffed or "")


def _members(parent: Download, body: bytes, store: RawStore, source: Source) -> list[Download]:
    out = unpack(body, max_total=source.limits.max_bytes)
    rows = []
    for m in out.members:
        url = f"{parent.url}#{m.path}"
        prior = store.last_success(url)
        sha = store.put(m.data)
        sniffed = sniff(m.data)
        r = Download(**{**asdict(parent), "url": url, "parent_url": parent.url, "previous_sha256": None})
        r.sha256, r.size, r.file_name, r.format = sha, len(m.data), m.name, _format(sniffed, m.name)
        r.etag = r.last_modified = r.text_sha256 = None
        r.outcome = "new" if prior is None else "unchanged" if prior["sha256"] == sha else "changed"
        if r.outcome == "changed":
            r.previous_sha256 = prior["sha256"] if prior else None
        if r.format is None or not fits(extension(m.name), sniffed):
            r.outcome, r.error_kind = "refused", "crawl.not_a_document"
            r.error = f"archive member {m.path} is not the document its name says"
        rows.append(r)
    for entry, why in out.refused:
        rows.append(
            Download(
                parent.run_id,
                parent.source_id,
                f"{parent.url}#{entry}",
                parent.url,
                parent.referrer_title,
                parent.link_text,
                parent.fetched_at,
                "refused",
                error_kind="crawl.zip_entry_refused",
                error=f"{entry}: {why}",
                parent_url=parent.url,
            )
        )
    return rows
