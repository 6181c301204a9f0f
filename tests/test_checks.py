"""The check catalogue: each rule fires on a case built for it, and the catalogue is documented."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from yujuesuan.checks import load_catalogue, run_checks
from yujuesuan.checks.docs import catalogue_markdown
from yujuesuan.checks.issues import all_issues
from yujuesuan.checks.rules import DocData
from yujuesuan.checks.run import CatalogueError, parse_catalogue

REPO = Path(__file__).resolve().parent.parent


def item(table: str, family: str, label: str, column: str, value: str, *, code=None, section=None, row=0) -> dict:
    return {
        "doc_id": "d",
        "table_code": table,
        "table_family": family,
        "section": section,
        "row_label": label,
        "code": code,
        "column": column,
        "value": Decimal(value) * 10000,
        "row_index": row,
        "panel": 0,
    }


def doc(items: list[dict], kind: str = "final", toc: dict | None = None, blank: dict | None = None) -> DocData:
    families = {(i["table_code"], i["table_family"]) for i in items}
    tables = [{"table_code": c, "table_family": f, "line_items": 1, "blank_rows": (blank or {}).get(c, [])}
              for c, f in sorted(families)]
    return DocData({"doc_id": "d", "kind": kind}, tables, items, toc or {})


def summary(inc: str, exp: str) -> list[dict]:
    return [
        item("01", "summary", "本年收入合计", "决算数", inc, section="income", row=0),
        item("01", "summary", "本年支出合计", "决算数", exp, section="expenditure", row=0),
    ]


CASES: dict[str, DocData] = {
    "structure.table_missing": doc(
        [item("02", "income", "合计", "本年收入合计", "1")], toc={"income": "02", "expenditure": "03"}
    ),
    "structure.tables_elsewhere": DocData({"doc_id": "d", "kind": "budget"}, [], [], {"summary": "01"}),
    "table.hierarchy_sum": doc(
        [
            item("03", "expenditure", "一般公共服务支出", "合计", "10", code="201", row=0),
            item("03", "expenditure", "人大事务", "合计", "4", code="20101", row=1),
            item("03", "expenditure", "政协事务", "合计", "5", code="20102", row=2),
        ]
    ),
    "table.total_sum": doc(
        [
            item("03", "expenditure", "合计", "合计", "20", row=0),
            item("03", "expenditure", "一般公共服务支出", "合计", "10", code="201", row=1),
            item("03", "expenditure", "教育支出", "合计", "5", code="205", row=2),
        ]
    ),
    "table.row_sum": doc(
        [
            item("05", "gpb_expenditure", "行政运行", "合计", "10", code="2010101"),
            item("05", "gpb_expenditure", "行政运行", "基本支出", "4", code="2010101"),
            item("05", "gpb_expenditure", "行政运行", "项目支出", "5", code="2010101"),
        ]
    ),
    "structure.ordinal_gap": doc(
        [
            item("01", "summary", "五、事业收入", "决算数", "0", section="income", row=4),
            item("01", "summary", "七、附属单位上缴收入", "决算数", "0", section="income", row=5),
        ]
    ),
    "table.ordinal_sum": doc(
        [
            item("01", "summary", "一、财政拨款收入", "决算数", "5", section="income", row=0),
            item("01", "summary", "二、其他收入", "决算数", "4", section="income", row=1),
            item("01", "summary", "本年收入合计", "决算数", "10", section="income", row=2),
        ]
    ),
    "table.balance": doc(
        [
            item("01", "summary", "总计", "决算数", "10", section="income", row=5),
            item("01", "summary", "总计", "决算数", "11", section="expenditure", row=5),
        ]
    ),
    "cross.summary_income": doc([*summary("10", "10"), item("02", "income", "合计", "本年收入合计", "11")]),
    "cross.summary_expenditure": doc([*summary("10", "10"), item("03", "expenditure", "合计", "本年支出合计", "9")]),
    "cross.basic_expenditure": doc(
        [
            item("05", "gpb_expenditure", "合计", "基本支出", "10"),
            item("06", "gpb_basic_expenditure", "人员经费合计", "决算数", "6"),
            item("06", "gpb_basic_expenditure", "公用经费合计", "决算数", "3"),
        ]
    ),
    "cross.budget_income": doc(
        [
            item("01", "summary", "收入总计", "预算数", "10", section="income"),
            item("02", "income", "合计", "收入预算/合计", "12"),
        ],
        kind="budget",
    ),
    "cross.budget_expenditure": doc(
        [
            item("01", "summary", "支出总计", "预算数", "10", section="expenditure"),
            item("03", "expenditure", "合计", "支出预算/合计", "12"),
        ],
        kind="budget",
    ),
    "cross.budget_basic": doc(
        [
            item("05", "gpb_expenditure", "合计", "一般公共预算支出/基本支出", "10"),
            item("08", "gpb_basic_expenditure", "合计", "一般公共预算基本支出/合计", "12"),
        ],
        kind="budget",
    ),
    "table.code_parent": doc(
        [
            item("03", "expenditure", "一般公共服务支出", "合计", "10", code="201", row=0),
            item("03", "expenditure", "行政运行", "合计", "10", code="2010301", row=1),
        ]
    ),
    "structure.row_missing": doc([item("01", "summary", "一、财政拨款收入", "决算数", "5", section="income")]),
    "cross.code_sets": doc(
        [
            item("02", "income", "一般公共服务支出", "本年收入合计", "10", code="201"),
            item("03", "expenditure", "一般公共服务支出", "本年支出合计", "10", code="201"),
            item("03", "expenditure", "教育支出", "本年支出合计", "2", code="205"),
        ]
    ),
    "structure.columns_missing": DocData(
        {"doc_id": "d", "kind": "final"},
        [{"table_code": "03", "table_family": "expenditure", "line_items": 2, "columns": ["本年支出合计", "基本支出"]}],
        [item("03", "expenditure", "合计", "本年支出合计", "1")],
    ),
    "table.carry_forward": doc(
        [
            item("07", "gov_fund", "合计", "年初结转和结余", "2"),
            item("07", "gov_fund", "合计", "本年收入", "5"),
            item("07", "gov_fund", "合计", "本年支出/小计", "4"),
            item("07", "gov_fund", "合计", "年末结转和结余", "2"),
        ]
    ),
    "cross.fiscal_income": doc(
        [
            item("01", "summary", "一、一般公共预算财政拨款收入", "决算数", "9", section="income"),
            item("02", "income", "合计", "财政拨款收入", "10"),
        ],
        blank={"01": ["二、政府性基金预算财政拨款收入", "三、国有资本经营预算财政拨款收入"]},  # printed blank
    ),
    "cross.fiscal_gpb": doc(
        [
            item("04", "fiscal_summary", "本年支出合计", "一般公共预算财政拨款", "9", section="expenditure"),
            item("05", "gpb_expenditure", "合计", "合计", "10"),
        ]
    ),
    "cross.gov_fund_income": doc(
        [
            item("01", "summary", "二、政府性基金预算财政拨款收入", "决算数", "3", section="income"),
            item("07", "gov_fund", "合计", "本年收入", "2"),
        ]
    ),
    "cross.budget_fiscal": doc(
        [
            item("04", "fiscal_summary", "支出总计", "合计", "10", section="expenditure"),
            item("05", "gpb_expenditure", "合计", "一般公共预算支出/合计", "8"),
            item("06", "gov_fund", "合计", "政府性基金预算支出/合计", "1"),
            item("07", "state_capital", "合计", "国有资本经营预算支出/合计", "0"),
        ],
        kind="budget",
    ),
    "narrative.table_figures": DocData(
        {"doc_id": "d", "kind": "final"},
        [{"table_code": "03", "table_family": "expenditure", "line_items": 1}],
        [item("03", "expenditure", "合计", "本年支出合计", "10")],
        facts=[
            {"metric": "expenditure_total", "qualifier": None, "value": Decimal(110000), "page": 3, "sentence": "s"}
        ],
    ),
    "narrative.variance_final": DocData(
        {"doc_id": "d", "kind": "final"},
        [{"table_code": "05", "table_family": "gpb_expenditure", "line_items": 1}],
        [item("05", "gpb_expenditure", "行政运行", "合计", "10", code="2010301")],
        variances=[{"code": "2010301", "row_label": "行政运行", "final": Decimal(90000), "page": 4}],
    ),
    "narrative.shares": DocData(
        {"doc_id": "d", "kind": "final"},
        [{"table_code": "03", "table_family": "expenditure", "line_items": 2}],
        [
            item("03", "expenditure", "合计", "本年支出合计", "10"),
            item("03", "expenditure", "合计", "基本支出", "6"),
        ],
        facts=[
            {"metric": "share", "qualifier": "basic_expenditure", "value": Decimal("66.85"), "page": 3, "sentence": "s"}
        ],
    ),
    "catalogue.code_unknown": doc([item("03", "expenditure", "某某支出", "合计", "1", code="299")]),
    "catalogue.code_name": doc([item("03", "expenditure", "教育支出", "合计", "1", code="201")]),
    "units.scale": doc([*summary("10", "10"), item("02", "income", "合计", "本年收入合计", "0.001")]),
    "table.ocr_suspect": doc(
        [
            {**item("03", "expenditure", "一般公共服务支出", "合计", "10", code="201", row=0), "ocr_confidence": 1.0},
            {**item("03", "expenditure", "人大事务", "合计", "4", code="20101", row=1), "ocr_confidence": 1.0},
            {**item("03", "expenditure", "政协事务", "合计", "8", code="20102", row=2), "ocr_confidence": 0.6},
        ]
    ),
    "table.ocr_unverified": doc(
        [{**item("09", "sangong", "", "公务接待费/决算数", "8", row=0), "ocr_confidence": 1.0}]  # no sum over it
    ),
    "table.ocr_misread": doc(
        [{**item("03", "expenditure", "一般公共服务支出", "col4", "10", code="201", row=0), "ocr_confidence": 1.0}]
    ),
}


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_rule_fires_on_its_case(check_id: str) -> None:
    run = run_checks(CASES[check_id])
    fired = [i for i in run.issues if i["check_id"] == check_id]
    assert fired, run.issues
    severity = {r.id: r.severity for r in load_catalogue()}[check_id]
    assert all(i["severity"] == severity and i["message"] for i in fired)


def test_catalogue_rules_run_on_a_users_reference(tmp_path) -> None:
    """A tiny reference code list of the test's own replaces the shipped catalogue; unknown stays a warning."""
    import dataclasses

    from yujuesuan.checks.reference import reference_catalogue

    (tmp_path / "function_codes.csv").write_text("code,name,level\n201,一般公共服务支出,类\n", encoding="utf-8")
    case = dataclasses.replace(CASES["catalogue.code_unknown"], catalogue=reference_catalogue(tmp_path))
    run = run_checks(case)
    assert [i["severity"] for i in run.issues if i["check_id"] == "catalogue.code_unknown"] == ["warning"]
    known = dataclasses.replace(CASES["catalogue.code_name"], catalogue=reference_catalogue(tmp_path))
    assert [i["expected"] for i in run_checks(known).issues if i["check_id"] == "catalogue.code_name"] == [
        "一般公共服务支出"
    ]


def test_every_catalogue_rule_has_a_case() -> None:
    assert {r.id for r in load_catalogue()} == set(CASES)


def test_within_tail_is_info_not_error() -> None:
    case = doc(
        [
            item("05", "gpb_expenditure", "行政运行", "合计", "10.01", code="2010101"),
            item("05", "gpb_expenditure", "行政运行", "基本支出", "4", code="2010101"),
            item("05", "gpb_expenditure", "行政运行", "项目支出", "6", code="2010101"),
        ]
    )
    assert [i["severity"] for i in run_checks(case).issues if i["check_id"] == "table.row_sum"] == ["info"]


def test_docs_are_generated_from_the_catalogue() -> None:
    assert (REPO / "docs" / "checks.md").read_text(encoding="utf-8") == catalogue_markdown()


def test_every_check_id_in_the_code_is_documented() -> None:
    documented = {i.id for i in all_issues()}
    used = set()
    for path in [*(REPO / "extractors").rglob("*.py"), *(REPO / "yujuesuan").rglob("*.py")]:
        used |= set(re.findall(r"\"((?:extract|profile|crawl|health)\.[a-z_]+)\"", path.read_text(encoding="utf-8")))
        used |= {f"crawl.{k}" for k in re.findall(r"FetchError\(\s*\"([a-z_]+)\"", path.read_text(encoding="utf-8"))}
        used |= {
            f"profile.{m}_missing" for m in re.findall(r"\(\"(kind|scope|unit_name|region|year)\"", path.read_text())
        }
    used |= {"units.scale"}
    assert used <= documented, used - documented


def test_catalogue_errors_name_the_rule_and_field() -> None:
    with pytest.raises(CatalogueError, match="rule 0 \\(x.bad\\).*'id'"):
        parse_catalogue("rules:\n  - {id: x.bad, rule: balance, severity: error, tolerance: tail, meaning: m}\n")
    with pytest.raises(CatalogueError, match="'rule'"):
        parse_catalogue("rules:\n  - {id: table.x, rule: nope, severity: error, tolerance: tail, meaning: m}\n")


@pytest.mark.parametrize(
    ("labels", "blank", "gaps"),
    [
        (["一、财政拨款收入", "二、事业收入", "三、其他收入"], [], 0),
        (["一、财政拨款收入", "三、其他收入"], [], 1),
        (["一、财政拨款收入", "三、其他收入"], ["二、上级补助收入"], 0),  # printed without figures: present
        (["一、基本支出", "二、项目支出", "一、工资福利支出", "二、商品和服务支出"], [], 0),  # a new list
        (["九、其他收入", "十、用事业基金弥补收支差额", "十一、上年结转"], [], 0),
        (["十、事业收入", "十二、其他收入"], [], 1),
    ],
)
def test_ordinal_gap_reads_the_numbering(labels: list[str], blank: list[str], gaps: int) -> None:
    case = doc([item("01", "summary", label, "决算数", "1", section="income", row=n) for n, label in enumerate(labels)],
               blank={"01": blank})
    assert len([i for i in run_checks(case).issues if i["check_id"] == "structure.ordinal_gap"]) == gaps


def test_ordinal_gap_looks_at_each_side_alone() -> None:
    """收入 一、二、 on one side and 支出 一、三、 on the other: only the 支出 side has a gap."""
    items = [
        item("01", "summary", "一、财政拨款收入", "决算数", "1", section="income", row=0),
        item("01", "summary", "二、其他收入", "决算数", "1", section="income", row=1),
        item("01", "summary", "一、一般公共服务支出", "决算数", "1", section="expenditure", row=0),
        item("01", "summary", "三、卫生健康支出", "决算数", "1", section="expenditure", row=1),
    ]
    found = [i for i in run_checks(doc(items)).issues if i["check_id"] == "structure.ordinal_gap"]
    assert [i["locator"].split()[0] for i in found] == ["expenditure"]


@pytest.mark.parametrize(("pages", "missing"), [(1, False), (2, False), (3, True), (None, True)])
def test_a_page_excerpt_is_not_held_to_the_standard_set(pages: int | None, missing: bool) -> None:
    """One page posted alone (an image of the 三公 table): no contents list, so which tables its report holds is
    unknown; the rule says it could not run. A whole document without contents list is held to its kind's set."""
    data = doc([item("07", "sangong", "合计", "合计", "1")], kind="budget")
    data.document["pages"] = pages
    run = run_checks(data, load_catalogue())
    got = [f for r, f in run.findings if r.id == "structure.table_missing"]
    assert any(f.severity == "error" for f in got) is missing
    if not missing:
        assert [f.not_run for f in got] == [True] and "page excerpt" in got[0].message
