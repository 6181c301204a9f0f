"""Every notebook in notebooks/ is checked in executed, with small outputs, and still runs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_executed_small_and_runs(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    committed = nbformat.read(path, as_version=4)
    code = [c for c in committed.cells if c.cell_type == "code"]
    assert code and all(c.get("outputs") for c in code), "check the notebook in executed (scripts/make_notebook.py)"
    assert path.stat().st_size < 300_000
    monkeypatch.delenv("YUJUESUAN_WAREHOUSE", raising=False)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells
        for o in c.get("outputs", [])
    )
    assert "basic_expenditure" in text and "share_pct" in text
    assert any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_jupyter_nbconvert_executes_the_notebook(path: Path, tmp_path: Path) -> None:
    """`[dev]` brings what `jupyter nbconvert --execute` needs (the command an analyst types)."""
    import os
    import subprocess
    import sys

    jupyter = Path(sys.executable).with_name("jupyter")
    env = {k: v for k, v in os.environ.items() if k != "YUJUESUAN_WAREHOUSE"}
    done = subprocess.run(
        [str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--output-dir", str(tmp_path), str(path)],
        cwd=path.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert nbformat.read(tmp_path / path.name, as_version=4).cells
