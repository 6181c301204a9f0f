"""Documents about a disclosure, not one (a review checklist, a notice), from every producer: none is read
as a report; each fails with one `extract.not_a_report` and no table. Reports are never taken for one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from extractors.document import extract_document
from extractors.nonreport import not_a_report
from extractors.word import soffice
from tests.conftest import shared_path
from yujuesuan.samples.generator import Layout, generate
from yujuesuan.samples.nonreports import FORMATS, NonReport, write
from yujuesuan.samples.office import Office, soffice_convert, write_docx, write_xlsx

FAMILY = [
    NonReport("checklist", "budget", seed=1),
    NonReport("checklist", "final", seed=2),
    NonReport("checklist", "budget", seed=3, remark_figure=True),  # a remark quoting a figure: still a checklist
    NonReport("notice", "final", seed=4),
    NonReport("notice", "budget", seed=5),
]
# LibreOffice's conversions of the openpyxl / python-docx files: other bytes for the same documents
CONVERSIONS = [("xlsx", "xls"), ("xlsx", "html"), ("xlsx", "pdf"), ("docx", "doc"), ("docx", "pdf"), ("docx", "html")]


def _assert_not_a_report(data: bytes, name: str) -> None:
    ex = extract_document(data, name)
    ids = [i.check_id for i in ex.issues]
    assert ex.document.status == "failed", ids
    assert ids.count("extract.not_a_report") == 1, ids
    assert not ex.tables and not ex.items and not ex.facts
    assert ex.document.kind == "unknown"
    assert not [i for i in ex.issues if i.severity == "error"], ids  # nothing went wrong: it is not a report


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("doc", FAMILY, ids=lambda d: f"{d.what}-{d.kind}-{d.seed}")
def test_a_checklist_or_notice_is_not_a_report(doc: NonReport, fmt: str) -> None:
    _assert_not_a_report(write(doc, fmt), f"doc.{fmt}")


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize(("source", "to"), CONVERSIONS)
def test_libreoffice_conversions_are_not_reports_either(source: str, to: str) -> None:
    for doc in (FAMILY[0], FAMILY[3]):
        data, name = soffice_convert(write(doc, source), f"doc.{source}", to)
        _assert_not_a_report(data, name)


def test_the_real_review_checklist_is_not_a_report() -> None:
    path = shared_path("real/docs/20_shpt_sfj_2026_ys-checklist__dept_budget.xlsx")
    _assert_not_a_report(path.read_bytes(), path.name)


@pytest.mark.parametrize(
    "make",
    [
        lambda: (generate(7).pdf, "r.pdf"),
        lambda: (generate(8, Layout(kind="budget")).pdf, "r.pdf"),
        lambda: (write_xlsx(9, Office()).data, "r.xlsx"),
        lambda: (write_docx(10, Office(kind="budget")).data, "r.docx"),
    ],
)
def test_reports_are_never_taken_for_one(make) -> None:  # noqa: ANN001
    data, name = make()
    ex = extract_document(data, name)
    assert "extract.not_a_report" not in [i.check_id for i in ex.issues]
    assert ex.items


@dataclass
class _Page:
    body: str

    def text(self) -> str:
        return self.body


def test_a_notice_heading_over_figures_is_a_report_and_a_checklist_heading_never() -> None:
    notice = [_Page("关于公开示例市财政局2024年度部门决算的公告\n收入支出决算总表\n")]
    assert not_a_report(notice, read_anything=True) is None  # a report published under a notice's heading
    assert not_a_report(notice, read_anything=False) == ("a notice", "关于公开示例市财政局2024年度部门决算的公告")
    checklist = [_Page("\n2026年度示例区部门预算公开自查表\n部门名称：示例县司法局\n")]
    assert not_a_report(checklist, read_anything=True) == ("a review checklist", "2026年度示例区部门预算公开自查表")
    below = [_Page("示例市财政局2024年度部门决算\n目录\n一、收入支出决算总表\n附件：公开情况自查表\n")]
    assert not_a_report(below, read_anything=False) is None  # only the heading says what a document is
    other = [_Page("关于开展春季植树活动的通知\n请各单位按时参加。\n")]
    assert not_a_report(other, read_anything=False) is None  # about no disclosure: nothing read is nothing read


@pytest.mark.parametrize("doc", [FAMILY[0], FAMILY[1], FAMILY[2]], ids=lambda d: f"{d.what}-{d.kind}-{d.seed}")
def test_the_crawler_does_not_take_a_checklist_page_for_a_report(doc: NonReport) -> None:
    from yujuesuan.crawl.adapters.generic_cms import is_report_page
    from yujuesuan.crawl.pages import read_page

    page = read_page(write(doc, "html").decode("utf-8"), "http://127.0.0.1/a.html")
    assert page.tables and not is_report_page(page)
    html = "<h1>示例市财政局2024年度部门决算</h1><p>收入支出决算总表</p><table><tr><td>合计</td><td>1</td></tr></table>"
    report = read_page(html, "http://127.0.0.1/b.html")
    assert is_report_page(report)  # the control: a page with a standard table's title is one
