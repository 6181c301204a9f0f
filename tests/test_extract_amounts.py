"""An absurd amount is an issue on its cell, never an exception (issue #11.1)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from extractors.document import extract_document
from extractors.money import MAX_YUAN, to_yuan, yuan_in_range
from yujuesuan.samples.demo import html_report
from yujuesuan.samples.fuzz import html_page
from yujuesuan.samples.generator import Layout, generate

HUGE = "9" * 26 + ".00"


def _report_with(amount: str, currency: str = "万元") -> bytes:
    text = html_report(generate(4, Layout(currency=currency)))
    text = re.sub(r"<td>\d[\d,]*\.\d\d</td>", f"<td>{amount}</td>", text, count=1)
    return html_page(text).encode("utf-8")


@pytest.mark.parametrize("currency", ["万元", "元"])
def test_26_digit_amount_is_an_issue_on_its_cell(currency: str) -> None:
    ex = extract_document(_report_with(HUGE, currency), "detail.html")
    [issue] = [i for i in ex.issues if i.check_id == "extract.too_large"]
    assert HUGE in issue.message and issue.locator
    assert ex.document.status == "partial"
    assert ex.items and all(yuan_in_range(i.value) for i in ex.items)


def test_to_yuan_never_raises() -> None:
    assert to_yuan(Decimal(HUGE), "亿元") == Decimal(HUGE) * 100000000
    assert not yuan_in_range(to_yuan(Decimal(HUGE), "万元"))
    assert yuan_in_range(to_yuan(Decimal("912.93"), "万元"))
    assert yuan_in_range(-MAX_YUAN) and not yuan_in_range(MAX_YUAN + 1)


def test_stated_figure_beyond_range_is_not_a_fact() -> None:
    body = "<p>2024年度部门决算。</p><p>一、收入支出决算总体情况说明：收入总计" + HUGE + "万元，支出总计12.00万元。</p>"
    ex = extract_document(html_page(body).encode("utf-8"), "text.html")
    assert all(yuan_in_range(f.value) for f in ex.facts if f.value_unit == "元")
