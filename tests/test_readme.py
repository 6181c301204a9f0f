"""README opens with the two set-up commands and documents every command."""

from __future__ import annotations

from pathlib import Path

from yujuesuan.cli import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_setup_and_test_commands() -> None:
    block = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block[0].startswith("python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'")
    assert "yujuesuan extract data/samples" in block[0]
    assert block[1] == ".venv/bin/python -m pytest -q"


def test_every_command_is_documented_with_an_example() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():
        assert f"`yujuesuan {name}" in README, name
        assert "example:" in (command.epilog or ""), name
