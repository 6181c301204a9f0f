"""The quality report: failures with their numbers and a crop of the cells involved."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from PIL import Image

from yujuesuan.cli import main
from yujuesuan.samples.generator import Layout, Mutation, generate


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


EVIL = "=cmd|' -c calc'!A0 *bold* <img src=x>.pdf"


@pytest.fixture()
def mixed(tmp_path):
    """A document with a failure, one that cannot be read, and one with a hostile file name."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "mutant.pdf").write_bytes(generate(5, Layout(), Mutation("number", "02", seed=3)).pdf)
    (tmp_path / "docs" / "broken.pdf").write_bytes(b"not a pdf")
    (tmp_path / "docs" / EVIL).write_bytes(generate(6).pdf)
    assert main(["extract", str(tmp_path / "docs"), "--warehouse", str(tmp_path / "w")]) == 0
    return tmp_path / "w"


def test_failed_documents_and_amounts_read_as_a_person_expects(mixed, tmp_path) -> None:
    out = tmp_path / "report.html"
    assert main(["report", "--warehouse", str(mixed), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "· unknown" not in text and "0 ()" not in text and "()" not in text
    assert "<h2>broken.pdf</h2>" in text and "not checked: the file could not be read (extract.not_pdf)" in text
    cells = re.findall(r"<td class='n'>([^<]*)</td>", text)
    assert cells and all(re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d\d", c) for c in cells if c[:1].isdigit()), cells
    assert not re.search(r">\d{5,}\.\d+<", text)  # no raw 53776400.0000


def test_markdown_report_escapes_names_and_messages(mixed, tmp_path) -> None:
    out = tmp_path / "report.md"
    assert main(["report", "--warehouse", str(mixed), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    outside_code = text.replace(f"`{EVIL}`", "")
    assert not re.search(r"(?<!\\)<img", outside_code) and not re.search(r"(?<!\\)\*bold", outside_code)
    assert f"`{EVIL}`" in text  # the file name as code, where nothing is markup
    assert r"\*bold\* \<img src=x\>" in text  # and escaped in its heading
    assert "## broken.pdf" in text and "(unknown)" not in text
