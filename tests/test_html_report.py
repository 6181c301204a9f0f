"""Reports published as HTML pages go through the same table engine (rendered first)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.document import extract_document
from extractors.html import read_blocks, render
from yujuesuan.checks.apply import apply_checks
from yujuesuan.samples.demo import build, html_report
from yujuesuan.samples.generator import Layout, generate
from yujuesuan.warehouse.store import extraction_rows

REPO = Path(__file__).resolve().parents[1]


def _page(body: str, charset: str = "utf-8") -> bytes:
    html = f"<!DOCTYPE html><html><head><meta charset='{charset}'><title>t</title></head><body>{body}</body></html>"
    return html.encode("gbk" if charset == "gbk" else "utf-8")


@pytest.mark.parametrize(
    ("seed", "currency", "charset"), [(4, "万元", "gbk"), (8, "元", "utf-8"), (15, "万元", "utf-8")]
)
def test_html_report_extracts_exactly(seed: int, currency: str, charset: str) -> None:
    gen = generate(seed, Layout(currency=currency))
    ex = extract_document(_page(html_report(gen), charset), f"report-{seed}.html")
    doc = ex.document
    assert (doc.format, doc.kind, doc.year, doc.unit_name, doc.status) == (
        "html",
        "final",
        gen.year,
        gen.unit_name,
        "ok",
    )
    got = {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items}
    assert got == {e.key() for e in gen.expected}
    assert all(i.x0 is None and i.engine == "html" and i.printed for i in ex.items)  # no printed page to point at
    assert {f.metric for f in ex.facts} >= {"income_total", "expenditure_total"}


SPANS = (
    "<p>表</p><table><tr><td rowspan=2>项目</td><td colspan=2>本年</td></tr><tr><td>基本</td><td>项目</td></tr></table>"
)


def test_spans_are_placed_on_the_grid() -> None:
    (block,) = read_blocks(SPANS)
    assert [[c.text for c in row] for row in block.table.rows] == [["项目", "本年"], ["基本", "项目"]]
    (page,) = render(SPANS)
    lines = {ln.text: ln for ln in page.text_lines()}
    assert set(lines) == {"表", "本年", "项目", "基本项目"}
    # the rowspan cell stands in column 1, across both rows; 基本 starts column 2, under 本年
    assert lines["项目"].chars[-1].x1 < lines["基本项目"].chars[0].x0 == lines["本年"].chars[0].x0
    assert lines["本年"].top < lines["项目"].top < lines["基本项目"].top


def test_bundled_demo_report_page() -> None:
    data = (REPO / "data" / "demo_portal" / "czj" / "yjsgk" / "art" / "2025" / "art_2001.html").read_bytes()
    ex = extract_document(data, "art_2001.html")
    assert ex.document.toc == ["summary:01", "income:02", "expenditure:03"]  # its 目录, read as in a PDF
    rows = extraction_rows(ex)
    apply_checks(rows)
    assert rows["documents"][0]["status"] == "ok", [i for i in rows["quality_issues"] if i["severity"] == "error"]
    assert {t.table_code for t in ex.tables} == {"01", "02", "03"}


def test_the_bundled_demo_portal_is_what_the_generator_makes(tmp_path: Path) -> None:
    built = build(tmp_path / "portal")
    committed = REPO / "data" / "demo_portal"
    assert sorted(p.relative_to(tmp_path / "portal") for p in built) == sorted(
        p.relative_to(committed) for p in committed.rglob("*") if p.is_file()
    )
    for p in built:
        assert p.read_bytes() == (committed / p.relative_to(tmp_path / "portal")).read_bytes(), p


def test_an_html_error_page_named_pdf_is_not_a_report() -> None:
    ex = extract_document(b"<!DOCTYPE html><html><body>404</body></html>", "report.pdf")
    assert ex.document.status == "failed" and ex.issues[0].check_id == "extract.not_pdf"


def test_bytes_invalid_in_the_pages_encoding_are_reported_not_dropped() -> None:
    gen = generate(4, Layout(currency="万元"))
    data = _page(html_report(gen), "gbk").replace(
        "一、收入支出决算总体情况".encode("gbk"), b"\xff\xff" + "一、收入支出决算总体情况".encode("gbk")
    )
    ex = extract_document(data, "report.html")
    (issue,) = [i for i in ex.issues if i.check_id == "extract.text_replaced"]
    assert issue.severity == "warning" and "gb18030" in issue.message
    assert {(i.table_code, i.code or i.row_label, i.column, i.value) for i in ex.items} == {
        (e.table_code, e.code or e.row_label, e.column, e.value) for e in gen.expected
    }
