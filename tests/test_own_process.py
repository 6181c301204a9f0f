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
