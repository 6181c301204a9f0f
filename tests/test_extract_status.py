"""A document from which nothing was read is `failed`, with the reason, never `ok`."""

from __future__ import annotations

from extractors.document import extract_document
from extractors.pdf import extract_pdf
from yujuesuan.samples.fuzz import blank_pages_pdf, html_page, pages_pdf, text_op, unmapped_fonts
from yujuesuan.samples.generator import generate


def _errors(ex) -> list[str]:
    return [i.check_id for i in ex.issues if i.severity == "error"]


def test_generated_document_is_ok() -> None:
    ex = extract_pdf(generate(1).pdf, "good.pdf")
    assert ex.document.status == "ok" and ex.items


def test_fonts_without_unicode_mapping_are_failed_text_unmapped() -> None:
    ex = extract_pdf(unmapped_fonts(generate(1).pdf), "cid.pdf")
    assert not ex.items
    assert ex.document.status == "failed"
    assert _errors(ex) == ["extract.text_unmapped"]
    assert "(cid:N)" in ex.issues[-1].message


def test_blank_pages_are_failed_no_text_layer() -> None:
    ex = extract_pdf(blank_pages_pdf(300), "blank.pdf")
    assert ex.document.status == "failed"
    assert _errors(ex) == ["extract.no_text_layer"]


def test_text_without_any_figure_is_failed_nothing_read() -> None:
    ex = extract_pdf(pages_pdf([text_op(50, 700, "关于开展春季植树活动的通知")]), "notice.pdf")
    assert ex.document.status == "failed"
    assert _errors(ex) == ["extract.nothing_read"]


def test_html_page_without_any_figure_is_failed_nothing_read() -> None:
    data = html_page("<p>关于开展春季植树活动的通知</p><p>请各单位按时参加。</p>").encode("utf-8")
    ex = extract_document(data, "notice.html")
    assert ex.document.status == "failed"
    assert _errors(ex) == ["extract.nothing_read"]


def test_a_stated_figure_alone_is_read() -> None:
    ex = extract_pdf(pages_pdf([text_op(50, 700, "2024年度部门决算。支出总计1,234.56万元。")]), "text.pdf")
    assert ex.facts and ex.document.status != "failed"
