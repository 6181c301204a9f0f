"""HTML reports are capped before they are rendered: size, text, cells per table (#11.2)."""

from __future__ import annotations

from extractors import limits
from extractors.document import extract_document
from yujuesuan.samples.demo import html_report
from yujuesuan.samples.fuzz import html_page, run_bounded
from yujuesuan.samples.generator import generate


def _report(extra: str = "") -> str:
    return html_page(html_report(generate(4)) + extra)


def test_colspan_rowspan_bomb_is_capped() -> None:
    """A 68 KB table of cells with colspan = rowspan = 100 (2.5 GB before)."""
    bomb = "<table>" + ("<tr>" + '<td colspan="100" rowspan="100">1</td>' * 50 + "</tr>") * 40 + "</table>"
    data = _report(f"<p>公开04表</p>{bomb}").encode("utf-8")
    out = run_bounded("span.html", data, seconds=30, memory_mb=800)
    assert out.crash is None and out.budget is None, (out.crash, out.budget)
    assert out.status == "partial" and "extract.too_large" in out.issues
    assert out.seconds < 10


def test_capped_table_is_named_and_the_others_read() -> None:
    bomb = "<table>" + ("<tr>" + '<td colspan="100" rowspan="100">1</td>' * 50 + "</tr>") * 40 + "</table>"
    ex = extract_document(_report(bomb).encode("utf-8"), "span.html")
    [issue] = [i for i in ex.issues if i.check_id == "extract.too_large"]
    assert f"{limits.MAX_HTML_TABLE_CELLS:,}" in issue.message and "table 4" in issue.message
    assert {t.table_code for t in ex.tables if t.items} >= {"01", "02", "03"}


def test_huge_html_file_is_failed_too_large() -> None:
    data = _report("<p>" + "支" * (limits.MAX_HTML_BYTES // 3 + 10) + "</p>").encode("utf-8")
    out = run_bounded("huge.html", data, seconds=30, memory_mb=1500)
    assert out.crash is None and out.budget is None, (out.crash, out.budget)
    assert out.status == "failed" and "extract.too_large" in out.issues


def test_text_beyond_the_cap_is_cut_with_an_issue() -> None:
    data = _report("<p>" + "支出" * (limits.MAX_HTML_TEXT_CHARS // 2 + 10) + "</p>").encode("utf-8")
    out = run_bounded("long.html", data, seconds=60, memory_mb=1500)
    assert out.crash is None and out.budget is None, (out.crash, out.budget)
    assert out.status == "partial" and "extract.too_large" in out.issues
