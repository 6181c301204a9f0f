"""README opens with the two set-up commands and documents every command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from yujuesuan.cli import build_parser
from yujuesuan.cli.common import free_port
from yujuesuan.warehouse.store import Warehouse

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_setup_and_test_commands() -> None:
    block = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block[0].startswith("python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'")
    assert block[0].endswith("&& .venv/bin/yujuesuan nightly --demo")
    assert block[1] == ".venv/bin/python -m pytest -q"


def test_every_command_is_documented_with_an_example() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        assert f"`yujuesuan {name}" in README, name
        assert re.search(r"examples?:", command.epilog or ""), name


def test_the_main_job_runs_end_to_end_as_written(tmp_path: Path) -> None:
    """README's first command, after the install: `yujuesuan nightly --demo`, in a fresh folder."""
    block = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    args = block[0].split("&& .venv/bin/yujuesuan ", 1)[1].split()
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "YUJUESUAN_DEMO_PORT": str(port)}
    out = subprocess.run(
        [sys.executable, "-m", "yujuesuan.cli", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    warehouse = re.search(r"^warehouse: +(\S+)$", out.stdout, re.M).group(1)
    report = re.search(r"^report: +(\S+)$", out.stdout, re.M).group(1)
    assert Path(warehouse) == tmp_path / "data" / "warehouse" and Path(report).is_file()
    assert len(Warehouse(warehouse).doc_ids()) == 10
