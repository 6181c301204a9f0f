"""The nightly Prefect flow end to end, against a copy of the bundled demo portal on 127.0.0.1.

Each run is a real `yujuesuan nightly` process with its own Prefect home (the local ephemeral
server), so these tests take a few seconds per run."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from yujuesuan.samples.generator import generate
from yujuesuan.samples.portal import DEMO_URL_VAR, DemoPortal
from yujuesuan.warehouse.store import ORDER, Warehouse

REPO = Path(__file__).resolve().parents[1]
DEMO_DOCUMENTS = 10  # 6 PDFs, 1 in a ZIP, 1 HTML report (generic CMS) + 2 PDFs (Jiangsu-style API)
SUMMARY = re.compile(r"(\d+) document\(s\) downloaded, (\d+) extracted, (\d+) checked; (\d+) in the warehouse")


@pytest.fixture()
def portal(tmp_path: Path):
    folder = tmp_path / "portal"
    shutil.copytree(REPO / "data" / "demo_portal", folder)
    with DemoPortal(folder, port=0) as served:
        yield folder, served.url


def _cmd(tmp: Path, folder: Path, name: str) -> list[str]:
    return [
        sys.executable, "-m", "yujuesuan.cli", "nightly",
        "--sources", str(folder / "sources"),
        "--raw", str(tmp / f"raw-{name}"),
        "--warehouse", str(tmp / f"wh-{name}"),
        "--runs", str(tmp / f"runs-{name}"),
    ]  # fmt: skip


def _env(tmp: Path, url: str, name: str) -> dict[str, str]:
    return {**os.environ, DEMO_URL_VAR: url, "PREFECT_HOME": str(tmp / f"prefect-{name}")}


def _nightly(tmp: Path, folder: Path, url: str, name: str = "a") -> tuple[list[int], str]:
    out = subprocess.run(_cmd(tmp, folder, name), env=_env(tmp, url, name), capture_output=True, text=True, timeout=600)
    both = out.stdout + out.stderr
    assert out.returncode == 0, both
    assert "Traceback" not in both and "database is locked" not in both, both
    m = SUMMARY.search(out.stdout)
    assert m, out.stdout
    return [int(g) for g in m.groups()], out.stdout


def test_second_nightly_downloads_nothing_and_a_new_version_supersedes_the_old(portal, tmp_path: Path) -> None:
    folder, url = portal
    counts, stdout = _nightly(tmp_path, folder, url)
    assert counts == [DEMO_DOCUMENTS, DEMO_DOCUMENTS, DEMO_DOCUMENTS, DEMO_DOCUMENTS]
    report = Path(re.search(r"report: +(\S+)", stdout).group(1))
    text = report.read_text(encoding="utf-8")
    assert "| demo-cms | 11 | 0 |" in text and "| demo-jiangsu |" in text and "None: every source" in text
    wh = Warehouse(tmp_path / "wh-a")
    docs = wh.read("documents").to_pylist()
    assert all(d["source_url"].startswith(url) and d["is_current"] and d["checked_with"] for d in docs)
    assert {d["format"] for d in docs} == {"pdf", "html"}
    assert any(d["file_name"] == "示例市人民政府办公室2024年度部门决算公开表格.pdf" for d in docs)  # raw GBK name

    counts, stdout = _nightly(tmp_path, folder, url)
    assert counts == [0, 0, 0, DEMO_DOCUMENTS]  # conditional GETs answered 304; nothing re-extracted
    assert "warning:" not in stdout  # an archive not modified still counts its members as found
    # in Prefect's own records: each run left its Markdown artifact; the second run extracted
    # nothing: one task recorded the unchanged documents' sightings
    with sqlite3.connect(tmp_path / "prefect-a" / "prefect.db") as db:
        artifacts = db.execute("SELECT count(*) FROM artifact WHERE key = 'nightly-report' AND type = 'markdown'")
        assert artifacts.fetchone()[0] == 2
        states = dict(
            db.execute(
                "SELECT state_name, count(*) FROM task_run WHERE task_key LIKE '%extract_document_task%' GROUP BY 1"
            ).fetchall()
        )
        unchanged = db.execute("SELECT count(*) FROM task_run WHERE name = 'record-10-unchanged'").fetchone()[0]
    assert states == {"Completed": DEMO_DOCUMENTS}, states
    assert unchanged == 1
    downloads = wh.read("downloads").to_pylist()
    second = [d for d in downloads if d["run_id"] != downloads[0]["run_id"]]
    assert {d["outcome"] for d in second} == {"not_modified", "unchanged"}

    old = {d["doc_id"] for d in docs if d["source_url"].endswith("/attach/1001.pdf")}
    (folder / "attach" / "1001.pdf").write_bytes(generate(40).pdf)  # the office republishes a corrected file
    counts, _ = _nightly(tmp_path, folder, url)
    assert counts == [1, 1, 1, DEMO_DOCUMENTS + 1]
    docs = {d["doc_id"]: d for d in wh.read("documents").to_pylist()}
    (old_id,) = old
    assert docs[old_id]["is_current"] is False  # kept, superseded
    new = [d for d in docs.values() if d["source_url"].endswith("/attach/1001.pdf") and d["doc_id"] != old_id]
    assert len(new) == 1 and new[0]["is_current"] is True


def _table_rows(root: Path) -> dict[str, list[tuple]]:
    out = {}
    for table in ORDER:
        rows = []
        for f in sorted((root / table).glob("*.parquet")):
            rows += [tuple(sorted((k, str(v)) for k, v in r.items())) for r in pq.read_table(f).to_pylist()]
        out[table] = sorted(rows)
    return out


def test_killed_in_the_middle_of_extraction_then_rerun_gives_the_same_warehouse(portal, tmp_path: Path) -> None:
    folder, url = portal
    _nightly(tmp_path, folder, url, "whole")
    proc = subprocess.Popen(
        _cmd(tmp_path, folder, "killed"),
        env=_env(tmp_path, url, "killed"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes Prefect's server with it
    )
    documents = tmp_path / "wh-killed" / "documents"
    deadline = time.monotonic() + 300
    seen = 0
    while time.monotonic() < deadline and proc.poll() is None:
        seen = len(Warehouse(documents.parent).doc_ids()) if documents.exists() else 0
        if seen >= 2:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < seen < DEMO_DOCUMENTS, f"killed after {seen} documents: not in the middle of extraction"
    counts, _ = _nightly(tmp_path, folder, url, "killed")
    assert 1 <= counts[1] <= DEMO_DOCUMENTS - seen  # only what the kill left unwritten is extracted again
    assert _table_rows(tmp_path / "wh-killed") == _table_rows(tmp_path / "wh-whole")
    assert not list((tmp_path / "wh-killed").rglob(".*.tmp"))
