"""Real documents of each layout family against their frozen line items (tests/golden)."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.pdf import extract_pdf
from tests.conftest import shared_path
from tests.golden_docs import GOLDEN, NARRATIVE_DOC, NARRATIVE_GOLDEN, golden_csv, records_csv

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_line_items_match_golden_file(name: str) -> None:
    doc = shared_path(*GOLDEN[name].split("/"))
    ex = extract_pdf(doc.read_bytes(), doc.name)
    expected = (HERE / "golden" / name).read_text(encoding="utf-8")
    assert golden_csv(ex) == expected


@pytest.mark.parametrize("name", sorted(NARRATIVE_GOLDEN))
def test_fixture_narrative_matches_golden_file(name: str) -> None:
    doc = shared_path(*NARRATIVE_DOC.split("/"))
    ex = extract_pdf(doc.read_bytes(), doc.name)
    attr, columns = NARRATIVE_GOLDEN[name]
    assert records_csv(getattr(ex, attr), columns) == (HERE / "golden" / name).read_text(encoding="utf-8")
