"""Synthetic documents with known numbers, over every layout the generator varies."""

from __future__ import annotations

import itertools

import pytest

from extractors.pdf import extract_pdf
from yujuesuan.samples.generator import Layout, generate

LAYOUTS = list(itertools.product(["万元", "元"], [False, True], ["grid", "horizontal", "none"], [40, 5]))


@pytest.mark.parametrize("seed", range(len(LAYOUTS)))
def test_generated_document_extracts_exactly(seed: int) -> None:
    currency, split, rules, rows = LAYOUTS[seed]
    layout = Layout(currency=currency, split_codes=split, rules=rules, rows_per_page=rows, decimals=seed % 2 == 0)
    gen = generate(seed, layout)
    ex = extract_pdf(gen.pdf, f"generated-{seed}.pdf")
    got = {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items}
    want = {e.key() for e in gen.expected}
    assert got == want
    assert ex.document.year == gen.year
    assert ex.document.unit_name == gen.unit_name
    assert ex.document.kind == "final"


def test_generator_is_deterministic() -> None:
    a, b = generate(7), generate(7)
    assert a.expected == b.expected


def test_generator_bytes_are_reproducible() -> None:
    assert generate(7).pdf == generate(7).pdf


# what offices vary beyond the grid: the total column's word, a 栏次 row, the horizontal 三公 table
FAMILIES = [
    *[
        Layout(currency=cur, rules=rules, total_word=word, column_numbers=numbers, split_codes=split)
        for cur, rules, word, numbers, split in itertools.product(
            ["万元", "元"], ["grid", "horizontal", "none"], [None, "合计", "小计", "合计数"], [False, True],
            [False, True],
        )
        if word or numbers
    ],
    # the horizontal 三公 table (items as columns, 预算数 | 决算数 under each) is read exactly where it
    # is ruled; with horizontal rules or none its nested header is ambiguous (not read exactly yet)
    *[Layout(currency=c, sangong=True, column_numbers=numbers) for c in ("万元", "元") for numbers in (False, True)],
]


@pytest.mark.parametrize("n", range(len(FAMILIES)))
def test_office_variations_extract_exactly_and_check_clean(n: int) -> None:
    from yujuesuan.checks.apply import apply_checks
    from yujuesuan.warehouse.store import extraction_rows

    layout = FAMILIES[n]
    gen = generate(100 + n, layout)
    ex = extract_pdf(gen.pdf, f"family-{n}.pdf")
    got = {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items}
    assert got == {e.key() for e in gen.expected}, layout
    rows = extraction_rows(ex)
    apply_checks(rows)
    errors = [(i["check_id"], i["message"]) for i in rows["quality_issues"] if i["severity"] == "error"]
    assert not errors, (layout, errors)


# 部门预算: the same figures as 收支预算总表 / 收入预算表 / 支出预算表 (预算数, 合计 at the bottom)
BUDGETS = [
    Layout(kind="budget", currency=cur, split_codes=split, rules=rules, rows_per_page=rows, decimals=decimals,
           column_numbers=numbers, total_word=word)
    for cur, split, rules, rows, decimals, numbers, word in [
        ("万元", False, "grid", 40, True, False, None),
        ("元", False, "horizontal", 40, True, False, None),
        ("万元", True, "grid", 40, True, False, None),
        ("元", False, "none", 40, False, False, None),
        ("万元", False, "grid", 5, True, True, None),
        ("元", True, "horizontal", 40, True, False, "小计"),
        ("元", True, "none", 6, True, True, "合计数"),
    ]
]


@pytest.mark.parametrize("n", range(len(BUDGETS)))
def test_budget_documents_extract_exactly_and_check_clean(n: int) -> None:
    from yujuesuan.checks.apply import apply_checks
    from yujuesuan.warehouse.store import extraction_rows

    layout = BUDGETS[n]
    gen = generate(600 + n, layout)
    ex = extract_pdf(gen.pdf, f"budget-{n}.pdf")
    got = {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items}
    assert got == {e.key() for e in gen.expected}, layout
    assert {(i.table_code, i.table_family) for i in ex.items} == {("01", "summary"), ("02", "income"),
                                                                  ("03", "expenditure")}
    assert (ex.document.kind, ex.document.year, ex.document.unit_name) == ("budget", gen.year, gen.unit_name)
    rows = extraction_rows(ex)
    apply_checks(rows)
    errors = [(i["check_id"], i["message"]) for i in rows["quality_issues"] if i["severity"] == "error"]
    assert not errors, (layout, errors)


def test_a_budget_is_for_the_year_ahead_with_its_own_words() -> None:
    final, budget = generate(3), generate(3, Layout(kind="budget"))
    assert budget.year == final.year + 1 and budget.unit_name == final.unit_name
    assert {e.column for e in budget.expected if e.table_code == "01"} == {"预算数"}
    labels = [e.row_label for e in budget.expected if e.table_code == "01"]
    assert "收入总计" in labels and "支出总计" in labels and "本年收入合计" not in labels
    assert [e.row_label for e in budget.expected if e.table_code == "03"][-1] == "合计"  # at the bottom


def test_a_budget_layout_refuses_what_only_final_accounts_print() -> None:
    with pytest.raises(ValueError, match="budget layout has no sangong"):
        generate(1, Layout(kind="budget", sangong=True))


def test_a_unit_named_by_the_layout_is_printed_and_read_the_rest_stays_the_seeds() -> None:
    named = generate(7, Layout(unit="示例市一二局"))
    plain = generate(7)
    assert named.unit_name == "示例市一二局" != plain.unit_name
    assert named.expected == plain.expected and named.year == plain.year
    ex = extract_pdf(named.pdf, "named.pdf")
    assert ex.document.unit_name == "示例市一二局" and ex.document.year == named.year
