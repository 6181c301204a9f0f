"""Group headers without vertical rules (ruled across only, or not at all): the horizontal 三公 table's
因公出国(境)费 | 公务用车购置及运行费 (小计 | 购置费 | 运行费) | 公务接待费, each centred over its columns, and
its 栏次 row of column numbers centred where the figures stand right-aligned."""

from __future__ import annotations

import pytest

from extractors.pdf import extract_pdf
from yujuesuan.samples.generator import Layout, generate


@pytest.mark.parametrize("column_numbers", [False, True])
@pytest.mark.parametrize("currency", ["元", "万元"])
@pytest.mark.parametrize("rules", ["horizontal", "none"])
@pytest.mark.parametrize("seed", [3, 1002])
def test_unruled_group_headers_give_each_column_its_path(seed: int, rules: str, currency: str,
                                                         column_numbers: bool) -> None:
    gen = generate(seed, Layout(sangong=True, rules=rules, currency=currency, column_numbers=column_numbers))
    ex = extract_pdf(gen.pdf, "d.pdf")
    want = {(e.column, e.value) for e in gen.expected if e.table_code == "09"}
    got = {(i.column, i.value) for i in ex.items if i.table_code == "09"}
    assert len(want) == 12 and got == want, (sorted(want - got)[:3], sorted(got - want)[:3])
