"""Synthetic documents with known numbers, over every layout the generator varies."""

from __future__ import annotations

import itertools

import pytest

from extractors.pdf import extract_pdf
from yujuesuan.generator import Layout, generate

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
