"""mypy on extractors/ ([tool.mypy] in pyproject.toml): the library's annotations hold."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the table-reading stages another change is refactoring (reading.py, and pdf.py's reading part
# moving to reader.py); errors there are known and tolerated until that work lands
READING_STAGES = {"reading.py", "grid.py", "cells.py", "locate.py", "pdf.py", "reader.py", "settings.py"}
ERROR = re.compile(r"^extractors/(\S+?\.py):\d+: error:", re.MULTILINE)


def _mypy() -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[dev]')")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


def test_mypy_finds_no_error_outside_the_reading_stages() -> None:
    out = _mypy()
    others = [f for f in ERROR.findall(out.stdout) if f not in READING_STAGES]
    assert others == [], out.stdout
    assert out.returncode in (0, 1), out.stderr  # 2: mypy itself failed (config, crash)


@pytest.mark.xfail(strict=False, reason="known errors in the reading stages (reading.py; pdf.py's _read_table, "
                   "moving to reader.py) being refactored elsewhere")
def test_mypy_passes_clean() -> None:
    out = _mypy()
    assert out.returncode == 0, out.stdout
