"""Structures are sized by content, not coordinates: one glyph far off the page costs nothing
(issue #11.3)."""

from __future__ import annotations

import time

from extractors.grid import build_grid, text_corridors
from extractors.layout import Char, PageLayout
from extractors.pdf import extract_pdf
from yujuesuan.samples.fuzz import move_figure, pages_pdf, run_bounded, text_op
from yujuesuan.samples.generator import Layout, generate


def _line(y: float, xs: list[float], text: str = "12.00") -> list[Char]:
    return [Char(ch, x + 6 * k, x + 6 * k + 5, y, y + 10) for x in xs for k, ch in enumerate(text)]


def _table(extra: list[Char]) -> PageLayout:
    chars = [c for y in (100, 120, 140) for c in _line(y, [50, 150, 250])] + extra
    return PageLayout(1, 595, 842, chars)


def test_corridors_as_before_on_a_normal_table() -> None:
    lines = [_line(y, [50, 150, 250]) for y in (100, 120)]
    assert text_corridors(lines, 49, 281) == [81.5, 181.5]


def test_glyph_at_x_1e7_in_a_table_is_cheap() -> None:
    started = time.monotonic()
    grid = build_grid(_table([Char("9", 1e7, 1e7 + 5, 120, 130)]), 90, 160)
    assert grid is not None and grid.xs[-1] > 1e7  # the content reaches there; nothing is sized by it
    assert time.monotonic() - started < 1


def test_glyph_off_the_page_is_clipped() -> None:
    content = text_op(50, 700, "一般公共服务支出 12.00") + text_op(1e8, 700, "9")
    ex = extract_pdf(pages_pdf([content]), "far.pdf")
    assert not [i for i in ex.issues if i.check_id == "extract.page_unreadable"]


def test_generated_document_with_a_far_glyph_reads_its_tables() -> None:
    """A generated 决算 with one figure moved to x = 10⁹ (in an 8 KB PDF)."""
    pdf = move_figure(generate(1, Layout(rules="none")).pdf, b"1000000000", 5)
    assert b"1000000000" in pdf
    out = run_bounded("far.pdf", pdf, seconds=30, memory_mb=1500)
    assert out.crash is None and out.budget is None, (out.crash, out.budget)
    assert out.status in ("ok", "partial") and out.seconds < 15


def test_text_and_rules_outside_the_page_box_are_clipped() -> None:
    import io

    import pdfplumber

    from extractors.layout import read_page

    content = (
        text_op(50, 700, "支出12.00")
        + text_op(1e9, 700, "9")
        + text_op(50, -5000, "8")
        + b"0 0 0 RG 1 w 50 600 m 1000000000 600 l S 50 -900 m 60 -900 l S\n"
    )
    with pdfplumber.open(io.BytesIO(pages_pdf([content]))) as pdf:
        page = read_page(pdf.pages[0], 1)
    assert "".join(c.text for c in page.chars) == "支出12.00"
    assert [(r.x0, r.x1) for r in page.rules] == [(50.0, 595.0)]
