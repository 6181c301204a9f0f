"""A hostile portal cannot make the crawler crash, hang or eat the machine: counts and sizes it
announces are not trusted. Each case runs where memory and time are capped (a subprocess with
RLIMIT_AS), so a regression fails as a MemoryError or a timeout, not by swapping."""

from __future__ import annotations

import time

from tests.localportal import run_bounded
from yujuesuan.crawl.adapters.generic_cms import _numbered, pagination_urls
from yujuesuan.crawl.pages import read_page


def _ok(code: str, mem_mb: int = 1500, seconds: float = 60) -> str:
    done = run_bounded(code, mem_mb, seconds)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_pagination_to_page_a_billion_stops_at_max_pages() -> None:
    out = _ok(
        """
        from yujuesuan.crawl.adapters.generic_cms import pagination_urls
        from yujuesuan.crawl.pages import read_page
        html = ('<script>createPageHTML(1000000000, 0, "index", "html");</script>'
                '<script>var n = 99999999999999999999; createPageHTML(n, 0, "list", "html");</script>'
                '<a href="index_1000000000.html">尾页</a><a href="?page=' + '9' * 5000 + '">末页</a>')
        page = read_page(html, "http://x.gov.cn/col/index.html")
        urls = pagination_urls(page, page.url, limit=5)
        print(len(urls)); print("\\n".join(urls))
        """
    )
    count, *urls = out.split()
    assert int(count) == len(urls) and len(urls) <= 4 * 5
    assert urls[:5] == [f"http://x.gov.cn/col/index_{k}.html" for k in range(1, 6)]
    assert "http://x.gov.cn/col/index.html?page=5" in urls and "http://x.gov.cn/col/list_5.html" in urls


def test_a_crawl_of_a_portal_claiming_a_billion_pages_visits_max_pages() -> None:
    out = _ok(
        """
        import tempfile, pathlib
        from tests.localportal import LocalPortal, static
        from yujuesuan.crawl.rawstore import RawStore
        from yujuesuan.crawl.run import crawl_source
        from yujuesuan.crawl.sources import load_source
        page = ('<html><body><script>createPageHTML(1000000000, 0, "index", "html");</script>'
                '<a href="index_1000000000.html">尾页</a></body></html>').encode()
        server = LocalPortal({f"/col/index{s}.html": static(page, "text/html") for s in ["", "_1", "_2", "_3"]})
        tmp = pathlib.Path(tempfile.mkdtemp())
        (tmp / "s.yaml").write_text(
            f'name: s\\nadapter: generic_cms\\nstart_urls: ["{server.url}/col/index.html"]\\n'
            "robots: false\\nindex: {max_pages: 3}\\nlimits: {retries: 0, rate_per_second: 100}\\n")
        result = crawl_source(load_source(tmp / "s.yaml"), RawStore(tmp / "raw"), "r")
        print(result.health.pages_visited, result.health.requests)
        server.close()
        """
    )
    assert out.split() == ["3", "3"]


def test_a_long_url_is_no_regular_expression_trap() -> None:
    start = time.monotonic()
    for url in ("http://x/" + "a_1" * 8000 + "x", "http://x/" + "-" * 24000 + "1.htmlx"):
        assert _numbered(url) is None
    page = read_page("".join(f'<a href="/{"a_1" * 300}{k}">{k}</a>' for k in range(300)), "http://x/l_1.html")
    pagination_urls(page, page.url)
    assert time.monotonic() - start < 2


def test_a_gzip_bomb_is_refused_while_inflating_in_bounded_memory() -> None:
    # 2 GiB of zeros in 2 MB on the wire (2,048 gzip members of 1 MiB each); the cap is 50 MB
    out = _ok(
        """
        import gzip, resource
        from tests.localportal import LocalPortal, static
        from yujuesuan.crawl.fetch import Fetcher, FetchError, FetchPolicy
        bomb = gzip.compress(b"\\0" * (1 << 20), 9) * 2048
        server = LocalPortal({"/bomb.pdf": static(bomb, "application/pdf", {"Content-Encoding": "gzip"})})
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with Fetcher(FetchPolicy(robots=False, retries=0, max_bytes=50 * 1024 * 1024)) as f:
            try:
                f.get(server.url + "/bomb.pdf")
            except FetchError as err:
                print(err.kind, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
        server.close()
        """
    )
    kind, grown_kb = out.split()
    assert kind == "too_large"
    assert int(grown_kb) < 200 * 1024  # the cap (50 MB) and the wire body, never the 2 GiB


def test_a_deflate_bomb_in_one_stream_is_cut_at_the_cap() -> None:
    import zlib

    from tests.localportal import LocalPortal, static
    from yujuesuan.crawl.fetch import Fetcher, FetchError, FetchPolicy

    bomb = zlib.compress(b"\0" * (64 << 20), 9)
    plain = b"%PDF-1.4 " + b"x" * 5000
    server = LocalPortal(
        {
            "/bomb.pdf": static(bomb, "application/pdf", {"Content-Encoding": "deflate"}),
            "/ok.pdf": static(zlib.compress(plain), "application/pdf", {"Content-Encoding": "deflate"}),
            "/raw.pdf": static(zlib.compress(plain)[2:-4], "application/pdf", {"Content-Encoding": "deflate"}),
            "/two.pdf": static(gzip_members(plain), "application/pdf", {"Content-Encoding": "gzip"}),
            "/broken.pdf": static(zlib.compress(plain)[:-30], "application/pdf", {"Content-Encoding": "deflate"}),
        }
    )
    try:
        with Fetcher(FetchPolicy(robots=False, retries=0, max_bytes=1 << 20)) as f:
            try:
                f.get(server.url + "/bomb.pdf")
                raise AssertionError("a 64 MB body passed a 1 MB cap")
            except FetchError as err:
                assert err.kind == "too_large" and "decompressed" in str(err)
            assert f.get(server.url + "/ok.pdf").body == plain
            assert f.get(server.url + "/raw.pdf").body == plain  # raw deflate, as some servers send it
            assert f.get(server.url + "/two.pdf").body == plain + plain
            try:
                f.get(server.url + "/broken.pdf")
                raise AssertionError("a cut deflate stream passed")
            except FetchError as err:
                assert err.kind == "truncated"
    finally:
        server.close()


def gzip_members(data: bytes) -> bytes:
    import gzip

    return gzip.compress(data) + gzip.compress(data)


def test_a_content_length_shorter_than_the_body_is_no_document(tmp_path) -> None:  # noqa: ANN001
    from tests.localportal import LocalPortal
    from yujuesuan.crawl.fetch import Fetcher, FetchError, FetchPolicy
    from yujuesuan.samples.generator import generate

    pdf = generate(1).pdf

    def lying(h) -> None:  # noqa: ANN001
        h.send_response(200)
        h.send_header("Content-Type", "application/pdf")
        h.send_header("Content-Length", str(len(pdf) // 3))
        h.end_headers()
        h.wfile.write(pdf)

    server = LocalPortal({"/short.pdf": lying})
    try:
        with Fetcher(FetchPolicy(robots=False, retries=1, backoff_seconds=0.01)) as f:
            try:
                got = f.get(server.url + "/short.pdf")
                raise AssertionError(f"{len(got.body)} of {len(pdf)} bytes accepted")
            except FetchError as err:
                assert err.kind == "truncated" and "Content-Length" in str(err) and err.attempts == 2
    finally:
        server.close()


def test_dripped_headers_do_not_outlast_the_deadline() -> None:
    from tests.localportal import LocalPortal
    from yujuesuan.crawl.fetch import Fetcher, FetchError, FetchPolicy

    def drip_headers(h) -> None:  # noqa: ANN001
        h.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for k in range(40):  # 12 s of headers, each line well within the read timeout
            h.wfile.write(b"X-Drip-%d: x\r\n" % k)
            h.wfile.flush()
            time.sleep(0.3)

    server = LocalPortal({"/slow.pdf": drip_headers})
    try:
        with Fetcher(FetchPolicy(robots=False, retries=0, timeout_seconds=1, deadline_seconds=1.5)) as f:
            start = time.monotonic()
            try:
                f.get(server.url + "/slow.pdf")
                raise AssertionError("a dripped answer was accepted")
            except FetchError as err:
                assert err.kind == "deadline", err
            assert time.monotonic() - start < 3
    finally:
        server.close()


def _raw(data: bytes):  # noqa: ANN202
    def route(h) -> None:  # noqa: ANN001
        h.wfile.write(data)
        h.wfile.flush()

    return route


def _to(location: bytes):  # noqa: ANN202
    return _raw(b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\n\r\n")


HOSTILE = {
    # attachment → (what the server answers, the issue of its row)
    "/h/bad-status.pdf": (_raw(b"HTTP/1.1 OK\r\n\r\n"), "crawl.bad_response"),
    "/h/garbage.pdf": (_raw(b"\x00\xff garbage\r\n\r\n"), "crawl.bad_response"),
    "/h/huge-header.pdf": (_raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"), "crawl.bad_response"),
    "/h/bad-length.pdf": (_raw(b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nok"), "crawl.bad_response"),
    "/h/status-999.pdf": (_raw(b"HTTP/1.1 999 Odd\r\nContent-Length: 2\r\n\r\nok"), "crawl.http_status"),
    "/h/to-data.pdf": (_to(b"data:text/html,hi"), "crawl.bad_url"),
    "/h/to-js.pdf": (_to(b"javascript:x()"), "crawl.bad_url"),
    "/h/to-v6.pdf": (_to(b"http://[::1/x"), "crawl.bad_url"),
    "/h/to-ctrl.pdf": (_to(b"/a\x01b.pdf"), "crawl.bad_url"),
    "/h/to-ftp.pdf": (_to(b"ftp://127.0.0.1/x"),
                      "crawl.host_not_allowed"),
}  # fmt: skip


def test_hostile_answers_are_one_issue_each_and_the_good_document_is_kept(tmp_path) -> None:  # noqa: ANN001
    from tests.localportal import LocalPortal, static
    from yujuesuan.crawl.rawstore import RawStore
    from yujuesuan.crawl.run import crawl_source
    from yujuesuan.crawl.sources import load_source
    from yujuesuan.samples.generator import generate

    links = "".join(f'<a href="{p}">示例局决算{n}.pdf</a>' for n, p in enumerate(HOSTILE))
    links += '<a href="http://[::1/x.pdf">示例局决算v6.pdf</a><a href="/h/ctl\x01.pdf">示例局决算ctl.pdf</a>'
    links += '<a href="/h/good.pdf">示例局2024年度部门决算.pdf</a>'
    routes = {p: route for p, (route, _) in HOSTILE.items()}
    routes["/list/index.html"] = static(f"<html><body>{links}</body></html>".encode(), "text/html; charset=utf-8")
    routes["/h/good.pdf"] = static(generate(1).pdf)
    server = LocalPortal(routes)
    try:
        src = tmp_path / "hostile.yaml"
        src.write_text(
            f'name: h\nadapter: generic_cms\nstart_urls: ["{server.url}/list/index.html"]\nrobots: false\n'
            "limits: {retries: 1, backoff_seconds: 0.01, timeout_seconds: 2, rate_per_second: 100}\n",
            encoding="utf-8",
        )
        result = crawl_source(load_source(src), RawStore(tmp_path / "raw"), "r")
        rows = {d.url.removeprefix(server.url): d for d in result.downloads}
        assert rows["/h/good.pdf"].outcome == "new"
        for path, (_, check_id) in HOSTILE.items():
            assert (rows[path].outcome, rows[path].error_kind) == ("failed", check_id), (path, rows[path].error)
            assert rows[path].error and "\n" not in rows[path].error
        assert rows["/h/ctl\x01.pdf"].error_kind == "crawl.bad_url"  # a link httpx cannot send
        assert not any("[::1" in url for url in rows)  # a link that is no URL is no candidate
        assert server.hits["/h/bad-status.pdf"] == 1  # a broken answer is not asked again
    finally:
        server.close()


def test_a_page_with_links_that_are_no_urls_is_read() -> None:
    page = read_page(
        '<base href="http://[::1"><a href="http://[::1/x">a</a><a href="//[">b</a><a href="/ok.pdf">c</a>',
        "http://x.gov.cn/list/",
    )
    assert [link.url for link in page.links] == ["http://x.gov.cn/ok.pdf"]
