"""The mutation harness: 200 deliberate errors in synthetic documents, ≥ 95% caught; and the honest control."""

from __future__ import annotations

import pytest

from extractors.pdf import extract_pdf
from yujuesuan.checks.apply import apply_checks
from yujuesuan.samples.generator import Layout, Mutation, generate
from yujuesuan.samples.mutations import run_harness
from yujuesuan.warehouse.store import extraction_rows


def test_checks_catch_at_least_95_percent_of_200_mutations() -> None:
    result = run_harness(200)
    assert result.trials == 200
    assert set(result.by_kind) == {"number", "drop_row", "unit", "honest_unit"}
    assert result.rate >= 0.95, result.misses


@pytest.mark.parametrize("table", ["01", "02", "03"])
@pytest.mark.parametrize("rules", ["grid", "none"])
def test_a_table_honestly_printed_in_yuan_raises_no_error(table: str, rules: str) -> None:
    """One table printed in 元 (figures and 单位 alike) in a document in 万元: silent, and read in 元 exactly."""
    layout = Layout(currency="万元", rules=rules)
    honest = generate(3000, layout, Mutation("honest_unit", table, 1))
    rows = extraction_rows(extract_pdf(honest.pdf, "honest.pdf"))
    apply_checks(rows)
    assert [i for i in rows["quality_issues"] if i["severity"] == "error"] == []
    units = {t["table_code"]: t["currency_unit"] for t in rows["tables"]}
    assert units[table] == "元" and {u for c, u in units.items() if c != table} == {"万元"}
    plain = extraction_rows(extract_pdf(generate(3000, layout).pdf, "plain.pdf"))
    key = ("table_code", "section", "code", "row_label", "column", "value")
    assert sorted(tuple(str(i[k]) for k in key) for i in rows["line_items"]) == sorted(
        tuple(str(i[k]) for k in key) for i in plain["line_items"]
    )
