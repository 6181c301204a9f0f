"""Narrative facts and variances: the grammar on sentences, and the fixture against its truth."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

from extractors.layout import Char, PageLayout
from extractors.narrative import extract_facts, extract_variances
from extractors.records import LineItem
from tests.conftest import shared_path
from yujuesuan.ingest.pipeline import extract_paths


def page(*lines: str) -> PageLayout:
    """A page holding the given lines of text (one 10 pt character per 10 pt)."""
    chars = [
        Char(ch, 50 + 10 * k, 60 + 10 * k, 100 + 20 * n, 110 + 20 * n, 10.0)
        for n, line in enumerate(lines)
        for k, ch in enumerate(line)
    ]
    return PageLayout(1, 842.0, 595.0, chars)


def facts_of(*lines: str) -> dict[tuple[str, str | None], Decimal]:
    return {(f.metric, f.qualifier): f.value for f in extract_facts([page(*lines)], "d")}


def test_budget_and_final_qualifiers_and_wrapped_lines() -> None:
    got = facts_of("2024年度“三公”经费财政拨款支出预算为39.32万元，支出决算为31", ".22万元，完成预算的79.40%。")
    assert got == {("sangong_total", "budget"): Decimal("393200.00"), ("sangong_total", "final"): Decimal("312200.00")}


def test_longest_phrase_wins_and_shares_are_not_amounts() -> None:
    got = facts_of("一般公共预算财政拨款基本支出595.75万元，其中：人员经费553.85万元，占92.97%。")
    assert got == {
        ("gpb_basic_expenditure", None): Decimal("5957500.00"),
        ("personnel_expenditure", None): Decimal("5538500.00"),
        ("share", "personnel_expenditure"): Decimal("92.97"),  # a share, not an amount
    }


def test_changes_are_signed_year_on_year_facts() -> None:
    got = facts_of("机关运行经费支出41.90万元，与上年度相比，减少2.58万元，下降5.80%。")
    assert got == {
        ("office_operating_cost", None): Decimal("419000.00"),
        ("yoy_change", "office_operating_cost"): Decimal("-25800.00"),
        ("yoy_change_pct", "office_operating_cost"): Decimal("-5.80"),
    }


def test_counts_take_the_first_number_only_and_name_their_kind() -> None:
    got = facts_of("我部门共有车辆11辆，其中：主要领导干部用车0辆、其他用车11辆。")
    assert got == {
        ("vehicles_total", None): Decimal(11),
        ("vehicles_by_use", "主要领导干部用车"): Decimal(0),
        ("vehicles_by_use", "其他用车"): Decimal(11),
    }


def test_variance_line_with_code_resolved_from_the_tables() -> None:
    items = [
        LineItem("d", "02", "收入决算表", "income", name, "本年收入合计", Decimal(1), "1", 8, code=code)
        for code, name in (
            ("201", "一般公共服务支出"),
            ("20103", "政府办公厅（室）及相关机构事务"),
            ("2010301", "行政运行"),
        )
    ]
    text = (
        "1. 一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）行政运行（项）。",
        "年初预算为230.19万元，支出决算为240.80万元，完成年初预算的104.61%。决算数与年初预算数存在差异的主要原因是调资。",
    )
    (v,) = extract_variances([page(*text)], "d", items)
    assert (v.code, v.initial_budget, v.final, v.completion_rate) == (
        "2010301",
        Decimal("2301900.00"),
        Decimal("2408000.00"),
        Decimal("104.61"),
    )
    assert v.reason == "决算数与年初预算数存在差异的主要原因是调资"


def test_fixture_facts_and_variances_recall(tmp_path) -> None:
    fixtures = shared_path("fixtures")
    extract_paths([fixtures], tmp_path)
    out = (
        subprocess.run(
            [
                sys.executable,
                str(shared_path("tools", "score_facts.py")),
                "--warehouse",
                str(tmp_path),
                "--truth",
                str(fixtures),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    assert float(dict(kv.split("=") for kv in out.split())["fact_recall"]) == 1.0, out


def test_fixture_projects(tmp_path) -> None:
    from yujuesuan.warehouse.store import Warehouse

    extract_paths([shared_path("fixtures")], tmp_path)
    rows = sorted(
        (r["project_name"], r["budget"], r["executed"], r["execution_rate"], r["score"])
        for r in Warehouse(tmp_path).read("projects").to_pylist()
    )
    assert rows == [
        ("政府办政府网站集约化平台及云服务费", Decimal("104000.00"), Decimal("52000.00"), Decimal("50"), Decimal("95")),
        ("法律顾问服务费", Decimal("50000.00"), Decimal("0.00"), Decimal("0"), Decimal("75")),
        ("部门整体", Decimal("10343400.00"), Decimal("9567500.00"), Decimal("92.5"), Decimal("95.79")),
    ]


def test_variance_against_the_adjusted_budget_is_not_an_initial_budget() -> None:
    text = (
        "1、一般公共服务支出（类）社会工作事务（款）行政运行（项）。主要用于：行政单位人员支出。",
        "全年预算为52.00万元，支出决算为51.32万元，完成全年预算数的98.69%。决算数小于全年预算数的主要原因：人员变动。",
    )
    (v,) = extract_variances([page(*text)], "d", [])
    assert (v.initial_budget, v.adjusted_budget, v.final, v.completion_rate, v.completion_basis) == (
        None,
        Decimal("520000.00"),
        Decimal("513200.00"),
        Decimal("98.69"),
        "adjusted",
    )
    assert v.row_label == "一般公共服务支出/社会工作事务/行政运行" and v.code is None  # no tables to resolve it
