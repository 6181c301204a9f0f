"""mypy on extractors/ ([tool.mypy] in pyproject.toml): the library's annotations hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _mypy() -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[dev]')")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--hide-error-context"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )


def test_mypy_passes_clean() -> None:
    out = _mypy()
    assert out.returncode == 0, out.stdout + out.stderr
