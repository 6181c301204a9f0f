"""Start-up: `--help` and argument errors load none of the heavy libraries (issue #15, item 5)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEAVY = ("pyarrow", "pandas", "numpy", "prefect", "pydantic", "duckdb", "pdfplumber", "extractors", "httpx", "rich")
PROBE = """
import contextlib, io, json, sys
from yujuesuan.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:])
    except SystemExit:
        pass
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))
"""


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["extract", "--help"], ["nightly", "--help"], ["query", "--help"], ["compact", "--help"], []],
)
def test_help_imports_no_heavy_library(argv: list[str]) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, env=env, cwd=REPO,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_extraction_workers_fork_server_loads_neither_pandas_nor_duckdb() -> None:
    """What the fork server preloads (yujuesuan.ingest.worker._PRELOAD) is what every worker has: pandas
    (which importing pyarrow.dataset pulls in, half a second) and DuckDB are the readers', not theirs."""
    from yujuesuan.ingest.worker import _PRELOAD

    probe = f"import importlib, json, sys\nfor m in {_PRELOAD!r}: importlib.import_module(m)\n" \
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    assert "extractors" in loaded and "pyarrow" in loaded
    assert not loaded & {"pandas", "duckdb", "prefect"}, sorted(loaded & {"pandas", "duckdb", "prefect"})
