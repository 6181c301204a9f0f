from decimal import Decimal

import pytest

from extractors.codes import join_code, split_code_prefix
from extractors.money import parse_amount, to_yuan
from extractors.spec import match_title
from extractors.text import compact


@pytest.mark.parametrize(
    "printed, value",
    [
        ("912.93", "912.93"),
        ("2,946.25", "2946.25"),
        ("１２３.４５", "123.45"),
        ("-", "0"),
        ("(1.50)", "-1.50"),
        ("abc", None),
    ],
)
def test_parse_amount(printed: str, value: str | None) -> None:
    assert parse_amount(printed) == (Decimal(value) if value else None)


def test_to_yuan_is_exact() -> None:
    assert to_yuan(Decimal("912.93"), "万元") == Decimal("9129300.00")


def test_kangxi_radicals_and_fullwidth_fold() -> None:
    assert compact("⼀般公共服务⽀出 （类）") == "一般公共服务支出(类)"


@pytest.mark.parametrize(
    "parts, code",
    [(["201", "03", "01"], "2010301"), (["2010301"], "2010301"), (["7", "11", "02"], None), (["201", "", ""], "201")],
)
def test_join_code(parts: list[str], code: str | None) -> None:
    assert join_code(parts) == code


def test_split_code_prefix() -> None:
    assert split_code_prefix("201 03 01 行政运行") == ("2010301", "行政运行")


@pytest.mark.parametrize(
    "title, family",
    [
        ("收入決算表", "income"),
        ("七、财政拨款“三公”经费支出决算表", "sangong"),
        ("2025年预算单位一般公共预算基本支出部门预算经济分类预算表", "gpb_basic_expenditure"),
        ("一般公共预算支出预算表（功能科目）", "gpb_expenditure"),
        ("二、收入决算情况说明", None),
    ],
)
def test_title_matching(title: str, family: str | None) -> None:
    spec = match_title(title)
    assert (spec.family if spec else None) == family
