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
