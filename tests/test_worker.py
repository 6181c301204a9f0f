"""One bad document never stops a run: each runs in a worker process under a budget, and what
goes wrong there is that document's issue."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import pytest

from yujuesuan.ingest.pipeline import extract_paths
from yujuesuan.ingest.worker import Budget, Job, run_jobs
from yujuesuan.samples.generator import generate
from yujuesuan.warehouse.store import Warehouse


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("w") / "d.pdf"
    path.write_bytes(generate(7).pdf)
    return path


def _job(path: Path, **kw: object) -> Job:
    return Job(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), path.name, **kw)


def test_an_exception_in_the_extractor_is_the_documents_crashed_issue(pdf_path) -> None:
    (outcome,) = run_jobs([_job(pdf_path, engine="no-such-engine")])
    assert outcome.failure == "crashed"
    doc = outcome.rows["documents"][0]
    assert doc["status"] == "failed" and doc["format"] == "pdf" and doc["file_name"] == "d.pdf"
    (issue,) = outcome.rows["quality_issues"]
    assert issue["check_id"] == "extract.crashed" and issue["severity"] == "error"
    assert "ValueError" in issue["message"] and "no-such-engine" in issue["message"]


def test_a_document_over_its_time_budget_is_stopped(pdf_path) -> None:
    (outcome,) = run_jobs([_job(pdf_path)], Budget(seconds=0.01, seconds_per_page=0))
    assert outcome.failure == "budget_exceeded"
    (issue,) = outcome.rows["quality_issues"]
    assert issue["check_id"] == "extract.budget_exceeded" and "0.01 s" in issue["message"]


def test_the_time_budget_grows_with_the_pages(pdf_path) -> None:
    budget = Budget(seconds=0.5, seconds_per_page=30)
    assert budget.time_for(None) == 0.5 and budget.time_for(4) == 120.5
    # the worker tells its page count as soon as it has opened the PDF; the allowance then applies
    (outcome,) = run_jobs([_job(pdf_path)], budget)
    assert outcome.failure is None and outcome.rows["line_items"]


def test_a_document_over_its_memory_budget_is_stopped(tmp_path) -> None:
    # an HTML report whose table asks for far more cells than its bytes: the memory budget stops it
    # whatever the extractor's own caps are (here set very low)
    rows = "".join(f"<tr><td>行政运行{i}</td><td>{i}.00</td></tr>" for i in range(20000))
    page = f"<html><body><p>2024年部门决算</p><p>支出决算表</p><table>{rows}</table></body></html>"
    path = tmp_path / "big.html"
    path.write_text(page, encoding="utf-8")
    (outcome,) = run_jobs([_job(path)], Budget(seconds=60, memory_mb=40))
    assert outcome.failure == "budget_exceeded", outcome.rows["quality_issues"]
    assert "MB" in outcome.rows["quality_issues"][0]["message"]


def test_good_documents_next_to_bad_ones_are_all_extracted(tmp_path, pdf_path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for seed in (1, 2, 3):
        (folder / f"good{seed}.pdf").write_bytes(generate(seed).pdf)
    (folder / "truncated.pdf").write_bytes(generate(4).pdf[:3000])
    (folder / "empty.pdf").write_bytes(b"")
    summary = extract_paths([folder], tmp_path / "w", jobs=2, budget=Budget(seconds=60))
    docs = {d["file_name"]: d for d in Warehouse(tmp_path / "w").read("documents").to_pylist()}
    assert len(docs) == 5 == summary.documents
    assert all(docs[f"good{s}.pdf"]["status"] == "ok" for s in (1, 2, 3))
    assert docs["truncated.pdf"]["status"] == docs["empty.pdf"]["status"] == "failed"
    assert summary.peak_rss_mb > 0


def test_the_results_come_back_whatever_the_order(tmp_path) -> None:
    paths = []
    for seed in (1, 2, 3, 4):
        p = tmp_path / f"d{seed}.pdf"
        p.write_bytes(generate(seed).pdf)
        paths.append(p)
    got = {o.job.file_name: o for o in run_jobs([_job(p) for p in paths], workers=2)}
    assert sorted(got) == ["d1.pdf", "d2.pdf", "d3.pdf", "d4.pdf"]
    assert all(o.failure is None and o.rows["line_items"] for o in got.values())


def test_a_worker_runs_the_checks_when_the_job_asks(pdf_path) -> None:
    """Checks in the worker (issue #15.6): the rows come back checked, as the parent would check them."""
    from yujuesuan.checks.apply import apply_checks

    (plain,) = run_jobs([_job(pdf_path)])
    (checked,) = run_jobs([_job(pdf_path, check=True)])
    assert not plain.checked and checked.checked
    apply_checks(plain.rows)
    assert checked.rows == plain.rows


def test_a_finished_worker_is_replaced_before_its_outcome_is_handed_on(tmp_path) -> None:
    """The caller's writing of one outcome overlaps the next extraction (issue #15.6)."""
    import multiprocessing as mp

    paths = []
    for seed in (1, 2):
        p = tmp_path / f"d{seed}.pdf"
        p.write_bytes(generate(seed).pdf)
        paths.append(p)
    outcomes = run_jobs([_job(p) for p in paths], workers=1)
    first = next(outcomes)
    running = [p for p in mp.active_children() if p.is_alive()]
    rest = list(outcomes)
    assert first.failure is None and len(rest) == 1
    assert running, "the second document's worker had not been started when the first outcome came"


def test_a_worker_asked_to_encode_hands_over_the_files_the_writer_would_make(pdf_path, tmp_path) -> None:
    """`Job.encode`: the checked rows come as their own files' bytes (the writer only writes them); the
    warehouse then holds the rows a job handing over rows gives, and the documents row stays rows."""
    from yujuesuan.warehouse.store import ORDER, Encoded

    (plain,) = run_jobs([_job(pdf_path, check=True)])
    (encoded,) = run_jobs([_job(pdf_path, check=True, encode=True)])
    assert plain.checked and encoded.checked
    assert isinstance(encoded.rows["documents"], list) and isinstance(encoded.rows["line_items"], Encoded)
    assert len(encoded.rows["line_items"]) == len(plain.rows["line_items"]) > 0
    assert not any(isinstance(v, Encoded) for v in plain.rows.values())
    held = {}
    for name, outcome in (("plain", plain), ("encoded", encoded)):
        wh = Warehouse(tmp_path / name)
        wh.init()
        wh.write(outcome.job.sha256, outcome.rows)
        held[name] = {t: wh.read(t).to_pylist() for t in ORDER}
    assert held["encoded"] == held["plain"] and held["plain"]["line_items"]
    (unchecked,) = run_jobs([_job(pdf_path, encode=True)])  # nothing checked: rows, for the writer to check
    assert not unchecked.checked and isinstance(unchecked.rows["line_items"], list)


def test_encoded_rows_go_to_a_remote_warehouse_too(pdf_path, tmp_path) -> None:
    from extractors.document import extract_document
    from yujuesuan.warehouse.store import ORDER, encode_rows, extraction_rows

    rows = extraction_rows(extract_document(pdf_path.read_bytes(), pdf_path.name))
    local, remote = Warehouse(tmp_path / "l"), Warehouse(f"memory://encoded-{secrets.token_hex(4)}")
    for wh, given in ((local, rows), (remote, encode_rows({t: list(v) for t, v in rows.items()}))):
        wh.init()
        wh.write("d1", given)
    from yujuesuan.warehouse.fs import Remote

    assert isinstance(remote.fs, Remote)
    assert {t: remote.read(t).to_pylist() for t in ORDER} == {t: local.read(t).to_pylist() for t in ORDER}
