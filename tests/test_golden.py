"""Real documents of each layout family against their frozen line items (tests/golden)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.pdf import extract_pdf
from tests.conftest import shared_path
from tests.golden_docs import GOLDEN, golden_csv

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_line_items_match_golden_file(name: str) -> None:
    doc = shared_path(*GOLDEN[name].split("/"))
    ex = extract_pdf(doc.read_bytes(), doc.name)
    expected = (HERE / "golden" / name).read_text(encoding="utf-8")
    assert golden_csv(ex) == expected
