"""The mutation harness: 200 deliberate errors in synthetic documents, ≥ 95% caught."""

from __future__ import annotations

from yujuesuan.samples.mutations import run_harness


def test_checks_catch_at_least_95_percent_of_200_mutations() -> None:
    result = run_harness(200)
    assert result.trials == 200
    assert set(result.by_kind) == {"number", "drop_row", "unit"}
    assert result.rate >= 0.95, result.misses
