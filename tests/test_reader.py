"""The table reader as an inspectable object, its settings, and the row passes' data hooks."""

from __future__ import annotations

import dataclasses
import io
import math

import pdfplumber
import pytest

from extractors.cells import Cell
from extractors.layout import PageLayout, read_page
from extractors.pdf import Extraction, extract_layout, extract_pdf
from extractors.reader import TableReader
from extractors.reading import Column
from extractors.records import Document
from extractors.rows import RowContext, read_rows
from extractors.settings import DEFAULT_SETTINGS, UNITS, EngineSettings, SettingsError
from extractors.spec import SpecError, load_specs, parse_specs
from yujuesuan.samples.generator import Layout, generate


def _pages(pdf: bytes) -> list[PageLayout]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [read_page(p, i + 1) for i, p in enumerate(doc.pages)]


def _key(items: list) -> list[tuple]:
    return sorted((i.table_code, i.page, i.row_index, i.column, i.row_label, i.code, i.value) for i in items)


@pytest.fixture(scope="module")
def document() -> bytes:
    return generate(7, Layout(split_codes=True, column_numbers=True, rows_per_page=5)).pdf


def test_the_reader_keeps_every_stage(document: bytes) -> None:
    reader = TableReader(_pages(document))
    regions = reader.locate("final")
    assert regions and regions is reader.regions
    tables = reader.read(Document(doc_id="d", file_name="d.pdf", format="pdf", currency_unit="万元"))
    assert len(tables) == len(regions) == len(reader.grids) == len(reader.matrices) == len(reader.columns)
    for i, region in enumerate(regions):
        n = len(region.segments)
        assert len(reader.grids[i]) == len(reader.matrices[i]) == len(reader.headers[i]) == n
        assert len(reader.columns[i]) == len(reader.items[i]) == n
        for grid, matrix in zip(reader.grids[i], reader.matrices[i], strict=True):
            if grid is not None:
                assert len(matrix) == grid.nrows and all(len(row) == grid.ncols for row in matrix)
        assert [it for seg in reader.items[i] for it in seg] == tables[i].items  # the same objects
    income = next(i for i, t in enumerate(tables) if t.table_code == "02")
    assert [c.role for c in reader.columns[income][0]][:4] == ["code", "code", "code", "label"]
    assert len(regions[income].segments) > 1  # continued over pages: each page's stages kept
    header, body = reader.headers[income][0]
    assert header and body and min(body) > max(header)


def test_the_reader_is_what_extraction_uses(document: bytes) -> None:
    reader = TableReader(_pages(document))
    reader.locate("final")
    ex = extract_pdf(document, "d.pdf", layout="pdfminer")
    tables = reader.read(ex.document, ex.toc)
    assert _key([i for t in tables for i in t.items]) == _key(ex.items)
    assert [(q.check_id, q.locator) for q in reader.issues] == [
        (q.check_id, q.locator) for q in ex.issues if q.check_id.startswith("extract.") and q.table_code
    ]


def test_a_setting_other_than_the_default_changes_the_reading(document: bytes) -> None:
    pages = _pages(document)
    default = TableReader(pages)
    default.locate("final")
    default.read()
    assert {g.source for gs in default.grids for g in gs if g} >= {"rules"}
    unruled = TableReader(pages, settings=EngineSettings(min_column_rules=100))  # rules never make columns
    unruled.locate("final")
    unruled.read()
    assert {g.source for gs in unruled.grids for g in gs if g} <= {"text"}
    # passed down from extract_layout too: titles longer than 3 characters are no titles
    ex = Extraction(Document(doc_id="d", file_name="d.pdf", format="pdf"))
    extract_layout(ex, pages, document, settings=EngineSettings(title_max_chars=3))
    assert not ex.tables and any(i.check_id == "extract.no_tables" for i in ex.issues)


@pytest.mark.parametrize(
    "changes",
    [
        {"rule_min_length_pt": -1.0},
        {"corridor_step_pt": 0.0},
        {"code_share": 1.5},
        {"space_gap_share": math.nan},
        {"title_max_chars": 2.5},
        {"title_max_chars": True},
        {"segment_gap_pt": "6"},
        {"column_merge_pt": 1e6},
    ],
)
def test_invalid_settings_are_refused_in_one_line(changes: dict) -> None:
    (name,) = changes
    with pytest.raises(SettingsError) as err:
        EngineSettings(**changes)
    message = str(err.value)
    assert message.startswith(f"EngineSettings.{name} = ") and "\n" not in message
    with pytest.raises(SettingsError):
        dataclasses.replace(DEFAULT_SETTINGS, **changes)


def test_every_setting_says_its_unit_and_meaning() -> None:
    described = EngineSettings.describe()
    assert len(described) == len(dataclasses.fields(EngineSettings)) >= 37
    for name, default, unit, meaning in described:
        assert unit in UNITS and len(meaning) > 10, name
        assert getattr(DEFAULT_SETTINGS, name) == default
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_SETTINGS.rule_min_length_pt = 1.0  # type: ignore[misc]


def _subtotal_above_its_group() -> tuple[list[list[Cell | None]], list[Column]]:
    """A 政府采购 table's group subtotal: figures with no label, above the group's first row
    (unit | item | purchase form | amount)."""
    cols = [Column(k, 100.0 * k, 100.0 * k + 90, role="label", path="") for k in range(3)]
    cols.append(Column(3, 300.0, 390.0, role="value", path="金额"))
    row0 = [None, None, None, Cell(0, 3, "1,500.00", 300, 0, 390, 10)]
    row1 = [Cell(1, k, text, 100 * k, 20, 100 * k + 90, 30) for k, text in enumerate(["机要局", "台式电脑", "货物"])]
    return [row0, [*row1, Cell(1, 3, "1,500.00", 300, 20, 390, 30)]], cols


def test_group_subtotals_are_named_where_the_family_says_so() -> None:
    matrix, cols = _subtotal_above_its_group()
    ctx = RowContext(doc_id="d", title="政府采购预算表", table_code="12", currency_unit="元", page=1, engine="x")
    procurement = next(s for s in load_specs() if s.family == "procurement")
    assert procurement.group_subtotals == 2
    items, problems, _ = read_rows(matrix, [0, 1], cols, procurement, ctx)
    assert [i.row_label for i in items] == ["机要局", "机要局台式电脑货物"] and not problems
    plain = dataclasses.replace(procurement, group_subtotals=None)  # a family without the hook
    items, problems, _ = read_rows(matrix, [0, 1], cols, plain, ctx)
    assert items[0].row_label == "" and [p[0] for p in problems] == ["extract.row_unlabelled"]


@pytest.mark.parametrize("value", [0, "two", True])
def test_a_bad_group_subtotals_value_is_a_spec_error(value: object) -> None:
    text = f"tables:\n  - {{family: x, number: '12', kinds: [budget], titles: [某表], group_subtotals: {value!r}}}\n"
    with pytest.raises(SpecError, match="group_subtotals"):
        parse_specs(text.replace("'two'", "two"))
