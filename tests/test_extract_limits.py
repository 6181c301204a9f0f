"""Hostile PDFs are capped before they are materialised: a clear issue, never a hang.

Each runs in a forked child with a time and memory limit, so that a regression fails the test
instead of hanging it or eating the machine.
"""

from __future__ import annotations

import pytest

from extractors import limits
from extractors.pdf import extract_pdf
from yujuesuan.samples.fuzz import MIB, flate_bomb_pdf, nested_forms_pdf, pages_pdf, run_bounded, text_op

BOMBS = {
    "zeros": lambda: flate_bomb_pdf(64 * MIB),
    "zeros_bad_checksum": lambda: flate_bomb_pdf(64 * MIB, bad_checksum=True),
    "ascii_zeros": lambda: flate_bomb_pdf(64 * MIB, b"0"),
    "spaces": lambda: flate_bomb_pdf(64 * MIB, b" "),
    "nested_forms_10e9_glyphs": lambda: nested_forms_pdf(9, 10),
    "forms_nested_too_deep": lambda: nested_forms_pdf(40, 1),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_bomb_is_capped_with_an_issue(name: str) -> None:
    out = run_bounded(f"{name}.pdf", BOMBS[name](), seconds=30, memory_mb=1500)
    assert out.crash is None and out.budget is None, (out.crash, out.budget)
    assert out.status == "failed"  # its one page is capped: nothing else to read
    assert "extract.too_large" in out.issues
    assert out.seconds < 20


def test_content_just_under_the_caps_is_read() -> None:
    """A page of 5,000 lines of text is far below every cap and read whole."""
    lines = b"".join(text_op(50, 800 - (i % 700), "一般公共服务支出") for i in range(5000))
    ex = extract_pdf(pages_pdf([lines]), "many.pdf")
    assert not [i for i in ex.issues if i.check_id == "extract.too_large"]


def test_too_large_names_what_was_capped() -> None:
    ex = extract_pdf(nested_forms_pdf(2, 100), "nested.pdf")  # 150,000 glyphs
    [issue] = [i for i in ex.issues if i.check_id == "extract.too_large"]
    assert f"{limits.MAX_PAGE_GLYPHS:,}" in issue.message and "characters on one page" in issue.message
    assert issue.locator == "page 1"


def test_a_capped_page_leaves_the_others() -> None:
    """Form XObjects drawn on page 2 only: page 1's text is kept, the document is partial."""
    good = text_op(50, 700, "2024年度部门决算") + text_op(50, 680, "支出总计1,234.56万元。")
    pdf = nested_forms_pdf(2, 100)
    from yujuesuan.samples.fuzz import assemble, objects_of

    objects, root = objects_of(pdf)
    objects[99] = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 98 0 R "
        b"/Resources << /Font << /F2 4 0 R >> >> >>"
    )
    objects[98] = b"<< /Length %d >>\nstream\n" % len(good) + good + b"\nendstream"
    objects[2] = b"<< /Type /Pages /Kids [99 0 R 100 0 R] /Count 2 >>"
    ex = extract_pdf(assemble(objects, root), "two.pdf")
    assert ex.document.pages == 2
    assert ex.document.status == "partial"
    assert [i.locator for i in ex.issues if i.check_id == "extract.too_large"] == ["page 2"]
    assert ex.facts


