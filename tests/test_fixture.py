"""The Henan fixture scored by the shared scorer (the contract's yardstick)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import shared_path
from yujuesuan.ingest.pipeline import extract_paths


def test_fixture_cells_recall_and_precision(tmp_path) -> None:
    fixtures = shared_path("fixtures")
    extract_paths([fixtures], tmp_path)
    out = subprocess.run(
        [sys.executable, str(shared_path("tools", "score.py")), "--warehouse", str(tmp_path), "--truth", str(fixtures)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    last = out.strip().splitlines()[-1]
    fields = dict(kv.split("=") for kv in last.split())
    assert float(fields["cell_recall"]) >= 0.999, out
    assert float(fields["cell_precision"]) >= 0.99, out
