"""The nightly's flows at scale (issue #15, item 2): extraction uses every core (documents extracted at
once, each in its own process, each checked by its worker); checks run again (a new catalogue) in a few batched
tasks, not a thread and a task run each."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.samples.generator import generate
from yujuesuan.warehouse.store import Warehouse

REPO = Path(__file__).resolve().parents[1]
SCRIPT = """
import sys
from prefect import flow
from flows.check import check
from flows.extract import extract, jobs_runner
raw, wh = sys.argv[1], sys.argv[2]

@flow
def both():
    extract.with_options(task_runner=jobs_runner(2))(raw, wh)
    print("CHECKED", check(wh))  # the workers checked what they extracted: nothing left
    print("FORCED", check(wh, force=True))  # a new catalogue: every document again, in batches

if __name__ == "__main__":
    both()
"""


def test_documents_extracted_at_once_checked_by_their_workers_and_rechecked_in_one_batch(tmp_path: Path) -> None:
    store = RawStore(tmp_path / "raw")
    for seed in (2, 6, 8, 12, 14, 20):
        sha = store.put(generate(seed).pdf)
        store.append({"url": f"http://127.0.0.1/d{seed}.pdf", "outcome": "new", "sha256": sha, "format": "pdf",
                      "file_name": f"d{seed}.pdf"})
    script = tmp_path / "run.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "PREFECT_HOME": str(tmp_path / "prefect")}
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "raw"), str(tmp_path / "wh")],
                         capture_output=True, text=True, env=env, cwd=REPO, timeout=300)
    assert out.returncode == 0, (out.stdout + out.stderr)[-3000:]
    assert len(Warehouse(tmp_path / "wh").doc_ids()) == 6
    with sqlite3.connect(tmp_path / "prefect" / "prefect.db") as db:
        runs = db.execute(
            "SELECT start_time, end_time FROM task_run WHERE task_key LIKE '%extract_document_task%'"
        ).fetchall()
        checks = db.execute("SELECT count(*) FROM task_run WHERE task_key LIKE '%check_documents%'").fetchone()[0]
    spans = sorted((datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in runs)
    assert len(spans) == 6
    assert any(b[0] < a[1] for i, a in enumerate(spans) for b in spans[i + 1 :]), spans  # two at once
    assert "CHECKED {}" in out.stdout and "FORCED {'ok': 6}" in out.stdout, out.stdout
    assert checks == 1  # six documents checked again, one batch
