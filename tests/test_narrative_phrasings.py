"""The 预算 vs 决算 explanation in the units and phrasings offices use: the grammar decides, not
one document's wording."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.narrative import extract_variances
from tests.test_narrative import page

LINES = {
    "元, no separators": (
        "2. 卫生健康支出（类）公共卫生（款）基本公共卫生服务（项）。年初预算为 1234567.89 元，支出决算为 "
        "1300120.00 元，完成年初预算的 105.31%。",
        ("1234567.89", "initial", "1300120.00", "105.31"),
    ),
    "万元 with separators": (
        "（三）教育支出（类）普通教育（款）小学教育（项）。年初预算为1,234.50万元，支出决算为1,300.00万元，"
        "完成年初预算的105.31%，决算数大于预算数的主要原因是增加了校舍维修。",
        ("12345000.00", "initial", "13000000.00", "105.31"),
    ),
    "预算数 / 决算数": (
        "1.一般公共服务支出(类)财政事务(款)行政运行(项):预算数为56.78万元,决算数为50.12万元,完成预算的88.27%。",
        ("567800.00", "initial", "501200.00", "88.27"),
    ),
    "调整预算, final first": (
        "社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位基本养老保险缴费支出（项）支出决算为"
        "88.00万元，为调整预算的100.00%，调整预算为88.00万元。",
        ("880000.00", "adjusted", "880000.00", "100.00"),
    ),
    "亿元": (
        "农林水支出（类）水利（款）水利工程建设（项）。全年预算为1.2亿元，支出决算为1.15亿元，完成全年预算的95.83%。",
        ("120000000.00", "adjusted", "115000000.00", "95.83"),
    ),
}


@pytest.mark.parametrize("name", LINES)
def test_a_variance_line_in_any_unit_and_phrasing(name: str) -> None:
    text, (budget, basis, final, rate) = LINES[name]
    (v,) = extract_variances([page(text)], "d", [])
    assert v.final == Decimal(final)
    assert (v.initial_budget if basis == "initial" else v.adjusted_budget) == Decimal(budget)
    assert v.completion_basis == basis and v.completion_rate == Decimal(rate)


def test_the_reason_is_the_sentence_that_gives_it() -> None:
    text, _ = LINES["万元 with separators"]
    (v,) = extract_variances([page(text)], "d", [])
    assert v.reason and v.reason.endswith("增加了校舍维修")


def test_several_lines_each_keep_their_own_figures() -> None:
    lines = [LINES["元, no separators"][0], LINES["预算数 / 决算数"][0]]
    got = extract_variances([page(*lines)], "d", [])
    assert [v.final for v in got] == [Decimal("1300120.00"), Decimal("501200.00")]


def test_evaluated_projects_and_funds_are_facts_of_their_own() -> None:
    from tests.test_narrative import facts_of

    got = facts_of(
        "组织对2024年度一般公共预算项目支出全面开展绩效自评，共涉及项目10个，涉及资金 1,234.56 万元，",
        "占一般公共预算项目支出总额的100%。",
    )
    assert got[("evaluated_projects", None)] == Decimal(10)
    assert got[("evaluated_funds", None)] == Decimal("12345600.00")
    assert ("project_expenditure", None) not in got


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("上海市普陀区某局2024年度收入支出总计9859.38万元。", "total"),
        ("2024年度财政拨款收入支出总计9746.50万元。", "fiscal_appropriation_total"),
        ("2024年度收支总计956.76万元。", "total"),
    ],
)
def test_a_grand_total_is_not_the_expenditure_total(text: str, metric: str) -> None:
    from tests.test_narrative import facts_of

    got = facts_of(text)
    assert metric in {m for m, _ in got} and "expenditure_total" not in {m for m, _ in got}
