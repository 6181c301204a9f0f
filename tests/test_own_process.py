"""The nightly's last phases in a process of their own, holding the lock its parent holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_compact import fill
from yujuesuan.runs.own_process import StepFailed, run_steps
from yujuesuan.warehouse.store import Warehouse


def test_a_child_process_works_under_the_lock_its_parent_holds(tmp_path: Path) -> None:
    wh = fill(tmp_path / "w", 6)
    assert len(wh.own_ids()) == 6
    with wh.lock():
        done = run_steps(str(wh.root), [("compact", {}), ("publish", {})], wh.held_locks())
    assert [(name, error) for name, _, _, error in done["steps"]] == [("compact", None), ("publish", None)]
    assert done["steps"][0][2] == 6 and not Warehouse(wh.root).own_ids()  # folded in by the child
    assert done["peak_rss_mb"] > 0
    with wh.lock(wait=0):  # the child is gone: the lock is the parent's alone again, and free after
        pass


def test_without_the_parents_lock_the_child_is_refused_and_says_so(tmp_path: Path) -> None:
    wh = fill(tmp_path / "w", 2)
    with wh.lock():
        done = run_steps(str(wh.root), [("compact", {})], {})  # nothing handed down
    ((name, _, result, error),) = done["steps"]
    assert result is None and "being written by" in error
    assert len(wh.own_ids()) == 2


def test_an_unknown_step_and_a_dead_process_are_clear_errors(tmp_path: Path, monkeypatch) -> None:
    with pytest.raises(ValueError, match="unknown step"):
        run_steps(str(tmp_path), [("vacuum", {})], {})
    monkeypatch.setattr("sys.executable", "/bin/false")
    with pytest.raises(StepFailed, match="died"):
        run_steps(str(tmp_path), [("compact", {})], {})


def _record(wh: Warehouse):  # noqa: ANN202
    from yujuesuan.runs.report import RunRecord

    return RunRecord("r1", "2026-12-02T00:00:00", str(wh.root), "", "")


def test_the_nightly_publishes_in_processes_a_batch_of_anchors_each(tmp_path: Path, monkeypatch) -> None:
    """Each stage in a process of its own, the checks across documents two anchors a process: the tables
    are those of one publish in one process, and the record lists no failure."""
    import yujuesuan.runs.own_process as own
    from tests.test_publish_noop import DERIVED, rows
    from tests.test_publish_noop import fill as pairs
    from yujuesuan.ingest.pipeline import publish_derived

    whole, staged = pairs(tmp_path / "whole"), pairs(tmp_path / "staged")
    publish_derived(whole.root)
    called: list[tuple[str, dict]] = []
    real = own.run_steps

    def watched(warehouse: str, steps: list, held: dict) -> dict:
        called.extend(steps)
        return real(warehouse, steps, held)

    monkeypatch.setattr(own, "run_steps", watched)
    record = _record(staged)
    with staged.lock():
        built = own.publish_in_own_process(record, str(staged.root), tmp_path / "overview.html", tmp_path / "runs",
                                           staged.held_locks(), anchors_per_process=2)
    assert record.failures == [] and built is not None and built.exists()
    names = [name for name, _ in called]
    assert names[:2] == ["compact", "units"] and names[-4:] == ["codes", "published", "compact", "overview"]
    assert names.count("crossdoc") >= 3 and all(kw == {"limit": 2} for n, kw in called if n == "crossdoc")
    assert record.peak_rss_mb["publish (own process)"] > 0
    for table in DERIVED:
        assert rows(staged, table) == rows(whole, table), table
    called.clear()
    with staged.lock():  # nothing changed: no batch, no codes, the record kept
        own.publish_in_own_process(_record(staged), str(staged.root), tmp_path / "overview.html", tmp_path / "runs",
                                   staged.held_locks(), anchors_per_process=2)
    assert [name for name, _ in called] == ["compact", "units", "published", "compact", "overview"]


def test_a_batch_that_makes_no_progress_stops_the_publish_and_says_so(tmp_path: Path, monkeypatch) -> None:
    import yujuesuan.runs.own_process as own
    from tests.test_publish_noop import fill as pairs

    wh = pairs(tmp_path / "w")
    real = own.run_steps

    def stuck(warehouse: str, steps: list, held: dict) -> dict:
        if steps[0][0] == "crossdoc":  # an anchor that is never recorded done
            return {"steps": [["crossdoc", 0.1, 5, None]], "peak_rss_mb": 1.0}
        return real(warehouse, steps, held)

    monkeypatch.setattr(own, "run_steps", stuck)
    record = _record(wh)
    with wh.lock():
        own.publish_in_own_process(record, str(wh.root), tmp_path / "o.html", tmp_path / "runs", wh.held_locks())
    assert record.failures == ["crossdoc: 5 anchors still due after batch 2, as many as before"]
    assert not (wh.root / "_state" / "publish.json").exists()  # the next run publishes again


def test_a_childs_peak_memory_is_its_own_not_its_parents(tmp_path: Path) -> None:
    """Linux carries ru_maxrss over from the parent at the fork: the child reports VmHWM, its program's own."""
    wh = fill(tmp_path / "w", 1)
    ballast = b"x" * (600 * 2**20)  # the parent's resident memory well above what a compaction needs
    with wh.lock():
        done = run_steps(str(wh.root), [("compact", {})], wh.held_locks())
    assert len(ballast) and 0 < done["peak_rss_mb"] < 450
