"""Unknown is never zero, every stated figure is checked, and the rules read the one vocabulary."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.vocabulary import VocabularyError, expand, forms
from tests.test_checks import doc, item
from yujuesuan.checks import run_checks
from yujuesuan.checks.rules import DocData
from yujuesuan.checks.run import CatalogueError, parse_catalogue


def _ids(run, severity: str | None = None) -> list[str]:
    return [i["check_id"] for i in run.issues if severity is None or i["severity"] == severity]


@pytest.mark.parametrize("word", ["合计", "小计", "合计数", "总计", "金额合计"])
def test_a_total_column_in_any_of_its_words_is_compared(word: str) -> None:
    # 财政拨款收支总表 本年支出合计 (一般公共预算) against table 05's total column, whatever it is called
    good = doc([
        item("04", "fiscal_summary", "本年支出合计", "一般公共预算财政拨款", "10", section="expenditure"),
        item("05", "gpb_expenditure", "合计", word, "10"),
    ])
    bad = doc([
        item("04", "fiscal_summary", "本年支出合计", "一般公共预算财政拨款", "10", section="expenditure"),
        item("05", "gpb_expenditure", "合计", word, "12"),
    ])
    assert "cross.fiscal_gpb" not in _ids(run_checks(good))
    assert _ids(run_checks(bad), "error").count("cross.fiscal_gpb") == 1


def test_a_column_that_was_not_read_makes_the_rule_say_it_could_not_run() -> None:
    # table 05 printed its total under a header the engine did not map: no 0.00 enters the sum
    d = doc([
        item("04", "fiscal_summary", "本年支出合计", "一般公共预算财政拨款", "10", section="expenditure"),
        item("05", "gpb_expenditure", "合计", "基本支出", "6"),
    ])
    for t in d.tables:
        t["columns"] = ["基本支出", "项目支出", "funds"] if t["table_code"] == "05" else ["一般公共预算财政拨款"]
    run = run_checks(d)
    issue = next(i for i in run.issues if i["check_id"] == "cross.fiscal_gpb")
    assert issue["severity"] == "info" and issue["message"].startswith("Could not run: table 05 prints no column")
    assert not [i for i in run.issues if i["severity"] == "error" and i["check_id"].startswith("cross.")]


def test_a_rule_whose_table_is_absent_says_so() -> None:
    run = run_checks(doc([item("05", "gpb_expenditure", "合计", "合计", "10")]))
    issue = next(i for i in run.issues if i["check_id"] == "cross.fiscal_gpb")
    assert issue["severity"] == "info" and "no fiscal_summary table" in issue["message"]


def test_every_statement_of_a_figure_is_checked() -> None:
    cell = item("03", "expenditure", "合计", "本年支出合计", "1.32")

    def stated(*values: str) -> DocData:
        facts = [
            {"metric": "expenditure_total", "qualifier": None, "value": Decimal(v) * 10000, "page": 3 + n,
             "sentence": f"支出合计{v}万元"}
            for n, v in enumerate(values)
        ]
        return DocData({"doc_id": "d", "kind": "final"},
                       [{"table_code": "03", "table_family": "expenditure", "line_items": 1}], [cell], facts=facts)

    assert "narrative.table_figures" not in _ids(run_checks(stated("1.32", "1.32")))
    run = run_checks(stated("1.32", "1.23"))
    (issue,) = [i for i in run.issues if i["check_id"] == "narrative.table_figures"]
    assert issue["severity"] == "error" and Decimal(issue["actual"]) == 12300 and "page 4" in issue["message"]


def test_a_statement_with_a_qualifier_is_compared_with_its_own_cell() -> None:
    items = [
        item("09", "sangong", "三公经费", "合计/预算数", "2.00"),
        item("09", "sangong", "三公经费", "合计/决算数", "1.50"),
    ]

    def with_fact(qualifier: str | None, value: str) -> DocData:
        fact = {"metric": "sangong_total", "qualifier": qualifier, "value": Decimal(value) * 10000, "page": 5,
                "sentence": "三公经费"}
        return DocData({"doc_id": "d", "kind": "final"},
                       [{"table_code": "09", "table_family": "sangong", "line_items": 2}], items, facts=[fact])

    assert "narrative.table_figures" not in _ids(run_checks(with_fact("final", "1.50")))
    assert "narrative.table_figures" not in _ids(run_checks(with_fact(None, "2.00")))  # either cell
    assert "narrative.table_figures" in _ids(run_checks(with_fact("final", "2.00")), "error")


def test_the_vocabulary_expands_in_the_catalogue_and_unknown_terms_are_errors() -> None:
    assert "小计" in forms("total") and "合计数" in forms("total")
    assert expand("^{total}$").startswith("^(?:")
    assert expand(r"\d{1,2}") == r"\d{1,2}"  # quantifiers are no terms
    with pytest.raises(VocabularyError, match="no term 'totl'"):
        expand("{totl}")
    text = """rules:
  - id: cross.x
    rule: cross_sum
    severity: error
    tolerance: tail
    meaning: m.
    params: {left: {family: a, row: "^{totl}$"}, right: []}
"""
    with pytest.raises(CatalogueError, match=r"cross\.x.*params.*no term 'totl'"):
        parse_catalogue(text)


def test_a_row_printed_blank_is_zero_and_a_row_not_read_is_unknown() -> None:
    items = [
        item("01", "summary", "一、一般公共预算财政拨款收入", "决算数", "10", section="income"),
        item("02", "income", "合计", "财政拨款收入", "12"),
    ]
    blank = {"01": ["二、政府性基金预算财政拨款收入", "三、国有资本经营预算财政拨款收入"]}
    printed = run_checks(doc(items, blank=blank))  # 10 + 0 + 0 against 12: a real difference
    assert "cross.fiscal_income" in _ids(printed, "error")
    unread = run_checks(doc(items))  # the two rows were not read at all: nothing is known of them
    issue = next(i for i in unread.issues if i["check_id"] == "cross.fiscal_income")
    assert issue["severity"] == "info" and "Could not run" in issue["message"]


def test_a_table_whose_sides_were_not_told_apart_still_has_its_rows() -> None:
    items = [
        item("01", "summary", "本年收入合计", "决算数", "10"),  # no section: the sides were not read
        item("01", "summary", "本年支出合计", "决算数", "10"),
    ]
    run = run_checks(doc(items))
    assert "structure.row_missing" not in _ids(run)
