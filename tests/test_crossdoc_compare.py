"""`compare --code` aligns a code across its rename; `--budget-vs-final` puts 预算 and 决算 side by side
per unit-year with the variance and the reason the 决算 states."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from tests.test_crossdoc_rules import WAN, cell, document, put
from yujuesuan.cli import main
from yujuesuan.warehouse.store import Warehouse


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    wh = Warehouse(tmp_path / "wh")
    wh.init()
    put(wh, document("b18", "budget", 2018),
        [cell("gpb_expenditure", "行政事业单位离退休", "金额", "30", code="20805")])
    put(wh, document("b24", "budget", 2024),
        [cell("gpb_expenditure", "行政事业单位养老支出", "一般公共预算支出/合计", "40", code="20805"),
         cell("gpb_expenditure", "行政运行", "一般公共预算支出/合计", "80", code="2010301")])
    put(wh, document("f24", "final", 2024),
        [cell("gpb_expenditure", "行政事业单位养老支出", "合计", "41", code="20805"),
         cell("gpb_expenditure", "行政运行", "合计", "82", code="2010301", page=11)],
        variances=[{"code": "2010301", "row_label": "行政运行", "initial_budget": 80 * WAN, "final": 82 * WAN,
                    "reason": "主要原因是人员增加。", "page": 14}])
    return wh.root


def test_a_code_is_compared_under_both_of_its_names(warehouse: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "code.csv"
    assert main(["compare", "--warehouse", str(warehouse), "--code", "20805", "--csv", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "printed as 行政事业单位养老支出, 行政事业单位离退休" in printed
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sorted((r["year"], r["qualifier"], Decimal(r["value"]) / WAN) for r in rows) == [
        ("2018", "budget", 30), ("2024", "budget", 40), ("2024", "final", 41)]


def test_a_code_is_found_by_its_earlier_name(warehouse: Path, capsys) -> None:  # noqa: ANN001
    assert main(["compare", "--warehouse", str(warehouse), "--code", "行政事业单位离退休", "--years", "2024"]) == 0
    assert "20805" in capsys.readouterr().out
    assert main(["compare", "--warehouse", str(warehouse), "--code", "没有这个名字"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no code of the catalogue is named so" in err


def test_budget_and_final_side_by_side_with_the_stated_reason(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "side.csv"
    args = ["compare", "--warehouse", str(warehouse), "--code", "2010301", "--budget-vs-final", "--csv", str(out)]
    assert main(args) == 0
    [row] = list(csv.DictReader(out.open(encoding="utf-8")))
    assert (row["year"], Decimal(row["budget"]), Decimal(row["final"]), Decimal(row["variance"])) == (
        "2024", 80 * WAN, 82 * WAN, 2 * WAN)
    assert (row["variance_pct"], row["budget_from"], row["reason"], row["reason_page"]) == (
        "2.5", "预算", "主要原因是人员增加。", "14")
    assert (row["budget_doc_id"], row["final_doc_id"], row["final_page"]) == ("b24", "f24", "11")
