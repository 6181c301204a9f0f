"""The second producer's 部门预算: the generator's budget as a workbook and a Word file, read exactly."""

from __future__ import annotations

import pytest

from extractors.document import extract_document
from extractors.pdf import extract_pdf
from extractors.word import soffice
from yujuesuan.samples.generator import Layout, generate
from yujuesuan.samples.office import SAMPLE_OFFICES, Office, convert, write_docx, write_xlsx

BUDGET_OFFICES = [o for o in SAMPLE_OFFICES if o.kind == "budget"] + [
    Office(kind="budget", sheet_per_table=False, title_rows=False),
    Office(kind="budget", header_rules=False, currency="元"),
]


@pytest.mark.parametrize("n", range(len(BUDGET_OFFICES)))
@pytest.mark.parametrize("write", [write_xlsx, write_docx])
def test_budget_office_files_extract_exactly(write, n: int) -> None:  # noqa: ANN001
    doc = write(300 + n, BUDGET_OFFICES[n])
    ex = extract_document(doc.data, doc.file_name)
    got = {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items}
    assert got == {e.key() for e in doc.generated.expected}
    assert (ex.document.kind, ex.document.year, ex.document.unit_name) == (
        "budget", doc.generated.year, doc.generated.unit_name)
    assert {i.table_family for i in ex.items} == {"summary", "income", "expenditure"}


def test_budget_files_print_budget_words() -> None:
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(write_xlsx(1, Office(kind="budget")).data))
    assert wb.sheetnames == ["封面", "目录", "部门收支总表", "部门收入总表", "部门支出总表"]
    assert wb["封面"]["A2"].value.endswith("年部门预算")
    assert openpyxl.load_workbook(io.BytesIO(write_xlsx(1).data)).sheetnames[2] == "公开01表"


BUDGET_NARRATIVES = [
    Layout(kind="budget", narrative="万元"),
    Layout(kind="budget", narrative="元", separators=False),
    Layout(kind="budget", narrative="万元", currency="元", split_codes=True),
]


@pytest.mark.parametrize("seed", [1, 2, 5])
@pytest.mark.parametrize("layout", BUDGET_NARRATIVES, ids=lambda lay: f"{lay.narrative}-{lay.separators}")
def test_a_budgets_explanation_gives_its_totals_and_funds(seed: int, layout: Layout) -> None:
    """A 部门预算's 编制说明 names its totals 收入预算 / 支出预算 (or 收入总计 / 支出总计) and splits the fiscal
    appropriation by fund (一般公共预算 | 政府性基金 | 国有资本经营预算 拨款支出预算): every figure read once."""
    gen = generate(seed, layout)
    ex = extract_pdf(gen.pdf, "b.pdf")
    got = [(f.metric, f.qualifier, f.value) for f in ex.facts]
    want = [(f.metric, f.qualifier, f.value) for f in gen.facts]
    assert _both_funds(want)
    assert [f for f in want if got.count(f) != want.count(f)] == []  # each statement read once


@pytest.mark.parametrize("to", [None, "pdf", "html"])
def test_the_second_producers_budget_explanation_is_read(to: str | None) -> None:
    """The Word file's 编制说明 (python-docx), and LibreOffice's PDF and HTML of it."""
    if to and soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    doc = write_docx(301, Office(kind="budget", narrative="元", separators=False, currency="元"))
    out = convert(doc, to) if to else doc
    ex = extract_document(out.data, out.file_name)
    got = [(f.metric, f.qualifier, f.value) for f in ex.facts]
    want = [(f.metric, f.qualifier, f.value) for f in doc.generated.facts]
    assert _both_funds(want)
    assert [f for f in want if f not in got] == []  # (收入总计 is also stated above the tables)


def _both_funds(facts: list[tuple]) -> bool:
    """The explanation states the totals and the split by fund, in a city's wording (一般公共预算拨款支出预算 |
    政府性基金拨款支出预算) or a province's (一般公共预算收入预算 | 政府性基金收入预算)."""
    metrics = {m for m, _, _ in facts}
    city, province = {"gpb_expenditure", "gov_fund_expenditure"}, {"gpb_income", "gov_fund_income"}
    return {"income_total", "expenditure_total"} <= metrics and (city <= metrics or province <= metrics)


def test_both_wordings_are_printed() -> None:
    wordings = {frozenset(m for m in (f.metric for f in generate(s, BUDGET_NARRATIVES[0]).facts) if "fund" in m)
                for s in range(1, 9)}
    assert wordings == {frozenset({"gov_fund_expenditure"}), frozenset({"gov_fund_income"})}
