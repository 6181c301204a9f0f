"""The extract flow on Dask (issue #15, item 3): a 2-worker LocalCluster on 127.0.0.1 through
Prefect's DaskTaskRunner; the workers extract, the flow alone writes the warehouse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.samples.generator import generate
from yujuesuan.warehouse.store import Warehouse

pytest.importorskip("prefect_dask")
REPO = Path(__file__).resolve().parents[1]
SCRIPT = """
import json, sys
from flows.extract import dask_runner, extract
raw, wh = sys.argv[1], sys.argv[2]
out = extract.with_options(task_runner=dask_runner(workers=2))(raw, wh, distributed=2)
print("RESULT " + json.dumps(sorted((r["doc_id"], r["extracted"], r["status"]) for r in out)))
"""


def _raw_store(root: Path, seeds: list[int]) -> dict[str, int]:
    store = RawStore(root)
    items = {}
    for seed in seeds:
        gen = generate(seed)
        sha = store.put(gen.pdf)
        store.append({"url": f"http://127.0.0.1/d{seed}.pdf", "outcome": "new", "sha256": sha, "format": "pdf",
                      "file_name": f"d{seed}.pdf"})
        items[sha] = len(gen.expected)
    return items


def _run(tmp: Path, raw: Path, wh: Path) -> tuple[list, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PREFECT_HOME": str(tmp / "prefect")}
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(raw), str(wh)], capture_output=True, text=True,
                         env=env, cwd=REPO, timeout=500)
    both = out.stdout + out.stderr
    assert out.returncode == 0, both[-3000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT ")), both


def test_extract_flow_on_a_two_worker_local_cluster(tmp_path: Path) -> None:
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    items = _raw_store(raw, [1, 5, 9])
    results, log = _run(tmp_path, raw, wh)
    assert sorted(d for d, extracted, _ in results if extracted) == sorted(items)
    assert "dask-extract-d1.pdf" in log  # the tasks ran through the Dask task runner
    got: dict[str, int] = {}
    for r in Warehouse(wh).read("line_items").to_pylist():
        got[r["doc_id"]] = got.get(r["doc_id"], 0) + 1
    assert got == items  # every known figure of each document, once
    docs = Warehouse(wh).read("documents").to_pylist()
    assert {d["source_url"] for d in docs} == {f"http://127.0.0.1/d{s}.pdf" for s in (1, 5, 9)}
    again, _ = _run(tmp_path, raw, wh)  # nothing new: nothing goes to Dask
    assert not any(extracted for _, extracted, _ in again)


def test_the_deployment_takes_the_dask_parameters() -> None:
    import inspect

    import flows  # noqa: F401  (quiet Prefect defaults)
    from flows.nightly import nightly

    accepted = inspect.signature(nightly.fn).parameters
    assert "dask" in accepted and "workers" in accepted
    assert "dask=tcp://scheduler:8786" in (REPO / "prefect.yaml").read_text(encoding="utf-8")
