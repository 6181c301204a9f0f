"""A portal that cannot be reached (DNS fails, nothing listens) is `crawl.unreachable`, counted as
failed, and the source's health says so; it is never passed off as a robots.txt refusal."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from yujuesuan.cli.common import free_port
from yujuesuan.crawl.fetch import Fetcher, FetchError, FetchPolicy
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.crawl.run import crawl_source
from yujuesuan.crawl.sources import load_source

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARS:  # a proxy would answer for the dead host; nothing may leave the machine
        monkeypatch.delenv(var, raising=False)


def _dead_urls() -> list[str]:
    return [f"http://127.0.0.1:{free_port()}", "http://nonexistent.invalid"]


@pytest.mark.parametrize("base", _dead_urls(), ids=["refused", "no-dns"])
def test_an_unreachable_portal_is_unreachable_not_robots(tmp_path: Path, base: str) -> None:
    src = tmp_path / "dead.yaml"
    src.write_text(
        f'name: dead\nadapter: generic_cms\nstart_urls: ["{base}/list/index.html"]\n'
        "limits: {retries: 1, backoff_seconds: 0.01, timeout_seconds: 2}\n",
        encoding="utf-8",
    )
    start = time.monotonic()
    result = crawl_source(load_source(src), RawStore(tmp_path / "raw"), "r")
    assert time.monotonic() - start < 15
    kinds = [p["check_id"] for p in result.issue_rows()]
    assert kinds == ["crawl.unreachable"], result.issue_rows()
    (issue,) = result.issue_rows()
    assert "robots" not in issue["message"].split(":")[0] and issue["severity"] == "error"
    assert result.health.failed == 1 and result.health.pages_failed == 1
    assert [w.split(":")[0] for w in result.health.warnings] == ["health.unreachable", "health.too_few_documents"]
    assert "could not be reached" in result.health.warnings[0]


def test_an_unreachable_host_is_tried_once_per_run(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    with Fetcher(FetchPolicy(retries=1, backoff_seconds=0.01, timeout_seconds=2)) as f:
        with pytest.raises(FetchError) as first:
            f.get(base + "/a.pdf")
        assert first.value.kind == "unreachable"
        asked = f.requests
        with pytest.raises(FetchError) as second:
            f.get(base + "/b.pdf")
        assert second.value.kind == "unreachable" and f.requests == asked  # no new connection attempts


def test_robots_txt_answering_5xx_is_said_so(tmp_path: Path) -> None:
    from tests.localportal import LocalPortal, failing_then, static

    server = LocalPortal({"/robots.txt": failing_then(99, b""), "/a.pdf": static(b"%PDF-1.4")})
    try:
        with Fetcher(FetchPolicy(retries=0)) as f:
            with pytest.raises(FetchError) as err:
                f.get(server.url + "/a.pdf")
        assert err.value.kind == "robots_disallowed"
        assert "HTTP 503" in str(err.value) and server.hits["/a.pdf"] == 0
    finally:
        server.close()
