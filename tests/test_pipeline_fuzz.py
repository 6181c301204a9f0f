"""The fuzz campaign through the whole pipeline: mutated documents (bombs included) and good ones
in one `extract` run. Every input gets its documents row and, unless it is `ok`, an issue saying
why; nothing escapes the run; no worker grows past its memory budget; good neighbours are read."""

from __future__ import annotations

import hashlib

import pytest

from yujuesuan.ingest.pipeline import extract_paths
from yujuesuan.ingest.worker import Budget
from yujuesuan.samples.fuzz import flate_bomb_pdf, inputs, nested_forms_pdf
from yujuesuan.samples.generator import generate
from yujuesuan.warehouse.store import Warehouse

N = 120
MEMORY_MB = 768


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("fuzz")
    for name, data in inputs(N, seed=11, cheap=True):
        (folder / name).write_bytes(data)
    (folder / "bomb.pdf").write_bytes(flate_bomb_pdf(1 << 30))
    (folder / "forms.pdf").write_bytes(nested_forms_pdf(9, 10))
    for seed in (1, 2):
        (folder / f"good-{seed}.pdf").write_bytes(generate(seed).pdf)
    wh = tmp_path_factory.mktemp("fuzz-wh")
    summary = extract_paths([folder], wh, jobs=2, budget=Budget(seconds=60, memory_mb=MEMORY_MB))
    return folder, wh, summary


def test_every_input_has_its_documents_row(fuzzed) -> None:
    folder, wh, summary = fuzzed
    digests = {hashlib.sha256(f.read_bytes()).hexdigest() for f in folder.iterdir() if f.is_file()}
    assert set(Warehouse(wh).doc_ids()) == digests
    assert summary.documents == len(digests)


def test_every_document_not_ok_says_why(fuzzed) -> None:
    _, wh, _ = fuzzed
    w = Warehouse(wh)
    issues: dict[str, list[dict]] = {}
    for i in w.read("quality_issues").to_pylist():
        issues.setdefault(i["doc_id"], []).append(i)
    for doc in w.read("documents").to_pylist():
        assert doc["status"] in ("ok", "partial", "failed"), doc
        if doc["status"] != "ok":
            assert any(i["severity"] == "error" for i in issues.get(doc["doc_id"], [])), doc["file_name"]


def test_memory_stays_within_the_budget_and_good_neighbours_are_read(fuzzed) -> None:
    _, wh, summary = fuzzed
    assert summary.peak_rss_mb < MEMORY_MB + 400  # the budget is above the worker's start (~200 MB)
    docs = {d["file_name"]: d for d in Warehouse(wh).read("documents").to_pylist()}
    assert docs["good-1.pdf"]["status"] == docs["good-2.pdf"]["status"] == "ok"
    assert docs["bomb.pdf"]["status"] in ("failed", "partial")
