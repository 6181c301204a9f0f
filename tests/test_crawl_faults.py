"""Every fault a portal can throw ends in a clear issue row, and nothing is lost: the good
documents beside it are stored, and the failed URL is in the manifest to be tried again."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest

from tests.localportal import (
    LocalPortal,
    chunked_forever,
    dripping,
    failing_then,
    redirect,
    sleeping,
    static,
    truncated,
)
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.crawl.run import crawl_source
from yujuesuan.crawl.sources import load_source
from yujuesuan.samples.generator import generate

PDF = generate(1).pdf
OTHER_PDF = generate(2).pdf


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


FAULTS = {
    # attachment → (route, expected check_id of its manifest row, expected outcome)
    "/attach/timeout.pdf": (sleeping(3.0, PDF), "crawl.timeout", "failed"),
    "/attach/flaky.pdf": (failing_then(1, OTHER_PDF), None, "new"),
    "/attach/truncated.pdf": (truncated(PDF), "crawl.truncated", "failed"),
    "/attach/wrongtype.pdf": (static(PDF, "text/html; charset=utf-8"), "crawl.content_type_mismatch", "new"),
    "/attach/error-page.pdf": (
        static(
            "<!DOCTYPE html><html><head><title>系统繁忙</title></head><body>请稍后再试</body></html>".encode(),
            "application/pdf",
        ),
        "crawl.html_instead_of_document",
        "refused",
    ),
    "/attach/loop.pdf": (redirect("/attach/loop2.pdf"), "crawl.redirect_loop", "failed"),
    "/attach/missing.pdf": (None, "crawl.http_status", "failed"),
    "/attach/big.pdf": (static(b"%PDF-1.4\n" + b"0" * 300_000), "crawl.too_large", "failed"),
    "/attach/endless.pdf": (chunked_forever(b"%PDF-" + b"x" * 8000), "crawl.too_large", "failed"),
    "/attach/drip.pdf": (dripping(0.2, 40), "crawl.deadline", "failed"),
}


@pytest.fixture()
def portal(tmp_path: Path):
    bad_gbk = "<html><head><meta charset='gbk'><title>示例局2024年度部门决算</title></head><body>".encode("gbk")
    bad_gbk += (
        b"\xff\xfe\x81 broken bytes "
        + '<a href="/attach/detail.pdf">示例局2024年度部门决算.pdf</a></body></html>'.encode("gbk")
    )
    links = "".join(f'<li><a href="{p}">示例局决算附件{n}.pdf</a></li>' for n, p in enumerate(FAULTS))
    index = f"<html><head><meta charset='utf-8'><title>预决算公开</title></head><body><ul>{links}"
    index += '<li><a href="/art/gbk.html">示例局2024年度部门决算公开</a></li>'
    index += '<li><a href="/attach/evil.zip">示例局决算公开文件.zip</a></li></ul></body></html>'
    routes = {path: route for path, (route, _, _) in FAULTS.items() if route is not None}
    routes["/attach/loop2.pdf"] = redirect("/attach/loop.pdf")
    routes["/list/index.html"] = static(index.encode(), "text/html")
    routes["/art/gbk.html"] = static(bad_gbk, "text/html")
    routes["/attach/detail.pdf"] = static(generate(3).pdf)
    routes["/attach/evil.zip"] = static(
        _zip({"../../escape.pdf": PDF, "/etc/abs.pdf": PDF, "good/示例局决算.pdf": generate(4).pdf}), "application/zip"
    )
    server = LocalPortal(routes)
    src = tmp_path / "faulty.yaml"
    src.write_text(
        f"""name: 故障门户
adapter: generic_cms
start_urls: ["{server.url}/list/index.html"]
index:
  follow: {{text_any: [决算]}}
limits: {{timeout_seconds: 0.5, deadline_seconds: 2, retries: 1, backoff_seconds: 0.05, max_bytes: 200000,
          rate_per_second: 200, concurrency: 4}}
health: {{min_documents: 1}}
""",
        encoding="utf-8",
    )
    yield server, load_source(src), RawStore(tmp_path / "raw")
    server.close()


def test_each_fault_is_one_clear_issue_and_nothing_is_lost(portal) -> None:
    server, source, store = portal
    result = crawl_source(source, store, "run-1")
    rows = {d.url.removeprefix(server.url): d for d in result.downloads}
    issues = {i["url"].removeprefix(server.url): i for i in result.issue_rows()}
    for path, (_, check_id, outcome) in FAULTS.items():
        row = rows[path]
        assert row.outcome == outcome, (path, row)
        assert row.error_kind == check_id, (path, row.error_kind, row.error)
        if check_id:
            assert issues[path]["check_id"] == check_id and issues[path]["message"], path
    # 503 then success: one retry, stored
    assert rows["/attach/flaky.pdf"].attempts == 2 and store.read(rows["/attach/flaky.pdf"].sha256) == OTHER_PDF
    # wrong content type: the PDF bytes win, kept
    assert rows["/attach/wrongtype.pdf"].format == "pdf" and store.has(rows["/attach/wrongtype.pdf"].sha256)
    # an HTML error page served as .pdf: kept as evidence, never a document
    refused = rows["/attach/error-page.pdf"]
    assert "系统繁忙" in refused.error and store.has(refused.sha256) and refused.format is None
    # malformed GBK: a warning for the page, and its attachment still found
    assert any(p["check_id"] == "crawl.page_encoding" and p["url"].endswith("/art/gbk.html") for p in result.problems)
    assert rows["/attach/detail.pdf"].outcome == "new"
    # ZIP: the good member unpacked, the escaping ones refused by name
    member = rows["/attach/evil.zip#good/示例局决算.pdf"]
    assert member.outcome == "new" and member.format == "pdf" and member.file_name == "示例局决算.pdf"
    refused_entries = {
        i["message"].split(":")[0] for i in result.issue_rows() if i["check_id"] == "crawl.zip_entry_refused"
    }
    assert refused_entries == {"../../escape.pdf", "/etc/abs.pdf"}
    assert not (store.root.parent / "escape.pdf").exists()
    # the manifest holds every attempt; the failed URLs are tried again by the next run
    logged = {r["url"] for r in store.rows()}
    assert {server.url + p for p in FAULTS} <= logged
    before = server.hits["/attach/missing.pdf"]
    again = crawl_source(source, store, "run-2")
    assert server.hits["/attach/missing.pdf"] > before
    outcomes = {d.url.removeprefix(server.url): d.outcome for d in again.downloads}
    assert outcomes["/attach/flaky.pdf"] in ("unchanged", "not_modified")
    assert again.health.new == 0 and again.health.failed == result.health.failed


def test_hosts_robots_and_redirects_off_the_allowed_hosts(tmp_path: Path) -> None:
    server = LocalPortal(
        {
            "/robots.txt": static(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
            "/list/index.html": static(
                '<html><body><a href="/private/a.pdf">甲2024年度部门决算.pdf</a>'
                '<a href="/attach/away.pdf">乙2024年度部门决算.pdf</a>'
                '<a href="http://example.invalid/c.pdf">丙2024年度部门决算.pdf</a></body></html>'.encode(),
                "text/html; charset=utf-8",
            ),
            "/attach/away.pdf": redirect("http://localhost.invalid/x.pdf"),
        }
    )
    try:
        src = tmp_path / "polite.yaml"
        src.write_text(
            f'name: p\nadapter: generic_cms\nstart_urls: ["{server.url}/list/index.html"]\n'
            "limits: {retries: 0, timeout_seconds: 1}\n",
            encoding="utf-8",
        )
        result = crawl_source(load_source(src), RawStore(tmp_path / "raw"), "r")
        kinds = {d.url.rsplit("/", 1)[-1]: d.error_kind for d in result.downloads}
        assert kinds == {"a.pdf": "crawl.robots_disallowed", "away.pdf": "crawl.host_not_allowed"}
        assert server.hits["/private/a.pdf"] == 0
    finally:
        server.close()


def test_source_health_warns_on_too_few_and_on_stale(tmp_path: Path) -> None:
    server = LocalPortal(
        {
            "/list/index.html": static(
                '<html><body><a href="/a.pdf">甲2024年度部门决算.pdf</a></body></html>'.encode(),
                "text/html; charset=utf-8",
            ),
            "/a.pdf": static(PDF),
        }
    )
    try:
        src = tmp_path / "small.yaml"
        src.write_text(
            f'name: s\nadapter: generic_cms\nstart_urls: ["{server.url}/list/index.html"]\n'
            "health: {min_documents: 3, stale_after_days: 30}\n",
            encoding="utf-8",
        )
        source, store = load_source(src), RawStore(tmp_path / "raw")
        first = crawl_source(source, store, "r1")
        assert [w.split(":")[0] for w in first.health.warnings] == ["health.too_few_documents"]
        # the only document was new 90 days ago: the source has gone stale
        rows = store.rows()
        store.manifest.write_text(
            "".join(json.dumps({**r, "fetched_at": "2020-01-01T00:00:00+00:00"}) + "\n" for r in rows), encoding="utf-8"
        )
        again = crawl_source(source, RawStore(tmp_path / "raw"), "r2")
        assert [w.split(":")[0] for w in again.health.warnings] == ["health.too_few_documents", "health.stale"]
        assert again.health.last_new_at == "2020-01-01T00:00:00+00:00"
    finally:
        server.close()


def test_a_killed_write_leaves_a_readable_manifest(tmp_path: Path) -> None:
    store = RawStore(tmp_path)
    store.append({"url": "http://a/1.pdf", "outcome": "new", "sha256": store.put(PDF), "source_id": "s"})
    with store.manifest.open("ab") as fh:
        fh.write(b'{"url": "http://a/2.pdf", "outc')  # the process died here
    fresh = RawStore(tmp_path)
    assert [r["url"] for r in fresh.rows()] == ["http://a/1.pdf"]
    fresh.append({"url": "http://a/3.pdf", "outcome": "new", "sha256": fresh.put(OTHER_PDF), "source_id": "s"})
    assert [r["url"] for r in RawStore(tmp_path).rows()] == ["http://a/1.pdf", "http://a/3.pdf"]


def test_too_many_requests_waits_as_asked_then_succeeds(tmp_path: Path) -> None:
    count = {"n": 0}

    def busy_once(h) -> None:  # noqa: ANN001
        count["n"] += 1
        if count["n"] == 1:
            h.reply(429, b"slow down", "text/plain", {"Retry-After": "1"})
        else:
            h.reply(200, PDF, "application/pdf")

    server = LocalPortal({"/a.pdf": busy_once})
    try:
        from yujuesuan.crawl.fetch import Fetcher, FetchPolicy

        with Fetcher(FetchPolicy(backoff_seconds=0.01, robots=False)) as f:
            start = time.monotonic()
            got = f.get(server.url + "/a.pdf")
            assert got.body == PDF and got.attempts == 2
            assert time.monotonic() - start >= 1.0  # Retry-After: 1, not the 0.01 s backoff
    finally:
        server.close()
