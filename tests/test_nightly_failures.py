"""A scheduled nightly always publishes its report, and a killed one loses no run rows."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from yujuesuan.cli.common import free_port
from yujuesuan.crawl.download import Download
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.runs.publish import recover_unpublished
from yujuesuan.warehouse.schema import SCHEMAS
from yujuesuan.warehouse.store import Warehouse

REPO = Path(__file__).resolve().parents[1]

UNREACHABLE = """name: 一个连不上的门户
adapter: generic_cms
region: 示例市
start_urls:
  - http://127.0.0.1:{port}/yjsgk/index.html
limits:
  timeout_seconds: 2
  retries: 0
  backoff_seconds: 0.1
health:
  min_documents: 1
"""


def test_a_nightly_whose_portal_is_unreachable_publishes_its_report(tmp_path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "down.yaml").write_text(UNREACHABLE.format(port=free_port()), encoding="utf-8")
    cmd = [
        sys.executable, "-m", "yujuesuan.cli", "nightly", "--only", "down",
        "--sources", str(sources), "--raw", str(tmp_path / "raw"),
        "--warehouse", str(tmp_path / "wh"), "--runs", str(tmp_path / "runs"),
    ]  # fmt: skip
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    both = out.stdout + out.stderr
    assert out.returncode == 0, both
    assert "Traceback" not in both
    reports = list((tmp_path / "runs").glob("*/report.md"))
    assert len(reports) == 1
    text = reports[0].read_text(encoding="utf-8")
    assert "| down |" in text and "health.too_few_documents" in text and "could not be reached" in text
    assert "overview:  " in out.stdout
    health = pd.read_parquet(tmp_path / "wh" / "source_health")
    assert list(health["source_id"]) == ["down"]
    for table, schema in SCHEMAS.items():  # an empty warehouse, but every table is there
        assert list(pd.read_parquet(tmp_path / "wh" / table).columns) == schema.names


def _download(run_id: str, url: str, outcome: str, **kw: object) -> dict:
    return asdict(
        Download(run_id, "demo-cms", url, "http://p/list.html", "列表", "附件", "2026-11-30T02:00:00+00:00",
                 outcome, **kw)
    )


def test_a_killed_runs_downloads_are_published_by_the_next(tmp_path) -> None:
    store = RawStore(tmp_path / "raw")
    sha = store.put(b"%PDF-1.4 a document")
    store.append(_download("20261130T020000Z-aaaaaa", "http://p/a.pdf", "new", sha256=sha, format="pdf"))
    store.append(_download("20261130T020000Z-aaaaaa", "http://p/b.pdf", "failed", error_kind="crawl.timeout",
                           error="no answer"))
    store.append(_download("20261201T020000Z-bbbbbb", "http://p/a.pdf", "not_modified", sha256=sha))
    wh = Warehouse(tmp_path / "wh")
    wh.init()
    got = recover_unpublished(tmp_path / "wh", store, "20261201T020000Z-bbbbbb")
    assert got == {"20261130T020000Z-aaaaaa": 2}
    downloads = wh.read("downloads").to_pylist()
    assert sorted(d["url"] for d in downloads) == ["http://p/a.pdf", "http://p/b.pdf"]
    assert {d["run_id"] for d in downloads} == {"20261130T020000Z-aaaaaa"}
    (health,) = wh.read("source_health").to_pylist()
    assert (health["new"], health["failed"], health["documents_found"]) == (1, 1, 1)
    assert health["warnings"][0].startswith("health.recovered")
    (issue,) = wh.read("crawl_issues").to_pylist()
    assert issue["check_id"] == "crawl.timeout"
    assert recover_unpublished(tmp_path / "wh", store, "x") == {"20261201T020000Z-bbbbbb": 1}
    assert recover_unpublished(tmp_path / "wh", store, "x") == {}  # once
