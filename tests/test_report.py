"""The quality report: failures with their numbers and a crop of the cells involved."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PIL import Image

from yujuesuan.cli import main
from yujuesuan.generator import Layout, Mutation, generate


@pytest.fixture()
def warehouse(tmp_path):
    gen = generate(5, Layout(), Mutation("number", "02", seed=3))
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "mutant.pdf").write_bytes(gen.pdf)
    (tmp_path / "docs" / "clean.pdf").write_bytes(generate(6).pdf)
    assert main(["extract", str(tmp_path / "docs"), "--warehouse", str(tmp_path / "w")]) == 0
    return tmp_path / "w"


def test_html_report_shows_the_failure_and_its_cells(warehouse, tmp_path) -> None:
    out = tmp_path / "r" / "report.html"
    out.parent.mkdir()
    assert main(["report", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "mutant.pdf" in text and "clean.pdf" in text
    assert "table.row_sum" in text or "table.hierarchy_sum" in text
    crops = sorted((tmp_path / "r" / "report_files").glob("*.png"))
    assert crops and all(c.name in text for c in crops)
    with Image.open(crops[0]) as im:
        assert im.width > 100 and im.height > 20
        rgb = im.convert("RGB")
        red = sum(
            1
            for x in range(0, rgb.width, 2)
            for y in range(rgb.height)
            if (px := rgb.getpixel((x, y)))[0] > 200 and px[1] < 40 and px[2] < 40
        )
        assert red > 50  # the cells involved are outlined


def test_markdown_report(warehouse, tmp_path) -> None:
    out = tmp_path / "report.md"
    assert main(["report", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# yujuesuan quality report") and "**error**" in text and "![cells](" in text


def test_check_command_reruns_without_extracting(warehouse) -> None:
    assert main(["check", "--warehouse", str(warehouse)]) == 0


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_report_renders_in_headless_chromium(warehouse, tmp_path) -> None:
    out = tmp_path / "report.html"
    main(["report", "--warehouse", str(warehouse), "--out", str(out)])
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            out.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with Image.open(shot) as im:
        assert im.size == (1200, 1600)
