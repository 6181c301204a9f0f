"""Workbooks (XLSX, XLS) through the table engine: exact figures, provenance to the cell."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from extractors.document import extract_document
from extractors.word import soffice
from tests.conftest import shared_path
from yujuesuan.samples.office import Office, convert, write_xlsx

VARIANTS = [
    Office(),
    Office(currency="元", split_codes=True),
    Office(sheet_per_table=False, title_rows=False),
    Office(column_numbers=True, hidden_column=True, formulas=True, split_codes=True),
    Office(merged_header=False, alt_names=True, currency="元", formulas=True),
    Office(currency="元", sheet_per_table=False, hidden_column=True, column_numbers=True),
]
REF = re.compile(r"^(.+)!([A-Z]+)(\d+)$")


def _keys(ex) -> set[tuple]:  # noqa: ANN001
    return {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items}


@pytest.mark.parametrize("n", range(len(VARIANTS)))
def test_workbook_extracts_exactly(n: int) -> None:
    doc = write_xlsx(n, VARIANTS[n])
    ex = extract_document(doc.data, doc.file_name)
    assert ex.document.format == "xlsx" and ex.document.status == "ok"
    assert _keys(ex) == {e.key() for e in doc.generated.expected}
    assert ex.document.year == doc.generated.year and ex.document.unit_name == doc.generated.unit_name
    assert ex.document.kind == "final"


def test_every_figure_points_at_its_cell() -> None:
    doc = write_xlsx(4, Office(column_numbers=True, split_codes=True, formulas=True))
    ex = extract_document(doc.data, doc.file_name)
    wb = openpyxl.load_workbook(io.BytesIO(doc.data), data_only=True)
    assert ex.items
    for item in ex.items:
        sheet, col, row = REF.match(item.cell_ref).groups()
        assert sheet == item.sheet and wb.sheetnames.index(sheet) + 1 == item.page
        held = wb[sheet][f"{col}{row}"].value
        factor = 10000 if doc.office.currency == "万元" else 1
        assert round(held * factor, 2) == float(item.value)
        assert item.printed == f"{held:,.2f}"  # as displayed: #,##0.00
        assert item.x0 is None and item.engine == "xlsx"


def _sheet(rows: list[list], unit: str = "元") -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "公开03表"
    ws.append(["示例市财政局2024年度部门决算"])
    ws.append(["支出决算表"])
    ws.append(["部门：示例市财政局", None, None, f"单位：{unit}"])
    ws.append(["科目编码", "科目名称", "本年支出合计", "基本支出"])
    for r in rows:
        ws.append(r)
    return wb


def _bytes(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_value_is_the_number_held_not_the_display() -> None:
    wb = _sheet([["201", "一般公共服务支出", 1234.5678, 0.1], ["2010301", "行政运行", 1234.5678, 0.1]], unit="万元")
    for row in wb.active.iter_rows(min_row=5):
        for c in row[2:]:
            c.number_format = "#,##0.00"
    ex = extract_document(_bytes(wb), "t.xlsx")
    item = next(i for i in ex.items if i.code == "201" and i.column == "本年支出合计")
    assert str(item.value) == "12345678.00" and item.printed == "1,234.57"
    assert item.cell_ref == "公开03表!C5"


def test_formula_without_cached_value_is_an_issue_not_zero() -> None:
    wb = _sheet([["201", "一般公共服务支出", "=D5", 10], ["2010301", "行政运行", 10, 10]])
    ex = extract_document(_bytes(wb), "t.xlsx")
    issues = [i for i in ex.issues if i.check_id == "extract.formula_uncached"]
    assert len(issues) == 1 and issues[0].severity == "error" and "公开03表!C5" in issues[0].message
    assert not [i for i in ex.items if i.cell_ref == "公开03表!C5"]
    assert ex.document.status == "partial"


def test_placeholders_are_issues_and_make_a_template() -> None:
    wb = _sheet([["201", "一般公共服务支出", "XX", "XX"], ["2010301", "行政运行", "XX.XX", "x,xxx.xx"]])
    wb.active["A1"] = "上海市普陀区XX局2026年部门预算"
    ex = extract_document(_bytes(wb), "t.xlsx")
    ids = [i.check_id for i in ex.issues]
    assert "extract.placeholder_value" in ids and "extract.template" in ids
    assert "extract.cell_not_number" not in ids
    assert not ex.items and all(t.empty and t.empty_note == "template" for t in ex.tables)


def test_a_stray_xx_does_not_make_a_template() -> None:
    doc = write_xlsx(6)
    wb = openpyxl.load_workbook(io.BytesIO(doc.data))
    wb["封面"]["A3"] = "联系人：XX"
    ex = extract_document(_bytes(wb), "t.xlsx")
    assert "extract.template" not in {i.check_id for i in ex.issues}
    assert _keys(ex) == {e.key() for e in doc.generated.expected}


def test_hidden_sheet_and_rows_are_not_read() -> None:
    wb = _sheet([["201", "一般公共服务支出", 30, 30], ["2010301", "行政运行", 20, 20], ["2010302", "其他", 10, 10]])
    wb.active.row_dimensions[7].hidden = True
    hidden = wb.create_sheet("草稿")
    hidden.sheet_state = "hidden"
    hidden.append(["支出决算表"])
    ex = extract_document(_bytes(wb), "t.xlsx")
    assert {i.code for i in ex.items} == {"201", "2010301"}


def test_damaged_workbook_fails_with_one_line() -> None:
    data = write_xlsx(1).data
    ex = extract_document(data[: len(data) // 2], "broken.xlsx")
    assert ex.document.status == "failed"
    assert ex.issues[0].check_id == "extract.unreadable" and "\n" not in ex.issues[0].message


needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")


@needs_soffice
def test_xls_converted_by_libreoffice_extracts_exactly() -> None:
    doc = convert(write_xlsx(5, Office(split_codes=True, formulas=True, hidden_column=True)), "xls")
    ex = extract_document(doc.data, doc.file_name)
    assert ex.document.format == "xls" and ex.document.status == "ok"
    assert _keys(ex) == {e.key() for e in doc.generated.expected}
    assert all(i.cell_ref and i.engine == "xls" for i in ex.items)


@pytest.mark.parametrize("name", ["18_shpt_tpl_2026_ys-dw-template__budget_template.xls",
                                  "19_shpt_tpl_2026_ys-bm-template__department_budget_template.xlsx"])
def test_real_templates_are_read_as_templates(name: str) -> None:
    path = shared_path("real", "docs", name)
    ex = extract_document(path.read_bytes(), path.name)
    ids = {i.check_id for i in ex.issues}
    assert ex.document.format == path.suffix[1:] and ex.document.status != "failed"
    assert "extract.not_pdf" not in ids and "extract.template" in ids
    assert ex.document.pages == {"xls": 16, "xlsx": 17}[path.suffix[1:]]
    assert len(ex.tables) == 9 and all(t.empty for t in ex.tables)  # every statutory table, empty
    assert not ex.items and ex.document.status == "ok" and ex.document.kind == "budget"
