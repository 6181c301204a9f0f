"""XLSX and XLS workbooks → sheets of cells: displayed text, the number held, merges, hidden rows.

`read_workbook(data, fmt)` reads an .xlsx with openpyxl (formulas and their cached values,
merged ranges, number formats, hidden sheets, rows and columns) and an .xls with xlrd (BIFF:
the cached result of every formula, merges, formats, hidden rows and columns). A cell's number
is the workbook's own, as a Decimal of at most 15 significant digits (what Excel shows and
stores; never float arithmetic), and its text is that number as its number format displays it.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


@dataclass
class SheetCell:
    row: int  # 0-based
    col: int  # 0-based
    text: str  # as displayed
    value: Decimal | None = None  # the number the cell holds (numeric cells)
    percent: bool = False  # displayed as a percentage (its text is not an amount)
    formula: str | None = None  # a formula whose cached value is missing (the text is then empty)


@dataclass
class Sheet:
    name: str
    index: int  # 1-based, in the workbook's order (the page of its line items)
    hidden: bool = False
    cells: dict[tuple[int, int], SheetCell] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    hidden_rows: set[int] = field(default_factory=set)
    hidden_cols: set[int] = field(default_factory=set)


class WorkbookError(Exception):
    """The workbook cannot be opened (damaged, encrypted, not what its bytes claimed)."""


def column_letter(col: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_ref(sheet: str, row: int, col: int) -> str:
    """`公开03表!D12` for 0-based (11, 3)."""
    return f"{sheet}!{column_letter(col)}{row + 1}"


def exact(number: float | int) -> Decimal:
    """A workbook number as a Decimal: integers as they are, floats at 15 significant digits
    (a cached 3703.6800000000003 is the 3703.68 the workbook shows)."""
    if isinstance(number, int):
        return Decimal(number)
    return Decimal(format(number, ".15g"))


QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


def display(value: Decimal, number_format: str) -> tuple[str, bool]:
    """The number as its format shows it (decimals, thousands separator, %, a negative
    section's parentheses); and whether it is a percentage."""
    sections = (number_format or "General").split(";")
    section = sections[1] if value < 0 and len(sections) > 1 else sections[0]
    pattern = QUOTED.sub("", section)
    if "general" in pattern.lower() or not re.search(r"[0#?]", pattern):
        text = format(value, "f")
        return text, False
    percent = "%" in pattern
    shown = value * 100 if percent else value
    digits = re.search(r"\.([0#?]+)", pattern)
    places = len(digits.group(1)) if digits else 0
    try:
        q = abs(shown).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        q = abs(shown)
    integer = pattern.split(".")[0]
    text = f"{q:,.{places}f}" if "," in integer else f"{q:.{places}f}"
    if percent:
        text += "%"
    if value < 0:
        text = f"({text})" if len(sections) > 1 and "(" in section else "-" + text
    return text, percent


def _numeric(number: float | int, number_format: str, row: int, col: int) -> SheetCell:
    value = exact(number)
    text, percent = display(value, number_format)
    return SheetCell(row, col, text, value, percent)


def _text(value: object) -> str:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value).replace("\r\n", "\n").strip()


def read_xlsx(data: bytes) -> list[Sheet]:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # WPS files draw openpyxl's "unknown extension" chatter
            formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
            cached = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl's own errors on damaged files
        raise WorkbookError(f"{type(exc).__name__}: {exc}") from exc
    sheets = []
    for i, (ws, wv) in enumerate(zip(formulas.worksheets, cached.worksheets, strict=True)):
        sheet = Sheet(ws.title, i + 1, hidden=ws.sheet_state != "visible")
        for (r, c), cell in ws._cells.items():
            raw = cell.value
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            value = wv._cells[(r, c)].value if (r, c) in wv._cells else None
            if isinstance(raw, str) and raw.startswith("=") and cell.data_type == "f":
                if value is None:
                    sheet.cells[(r - 1, c - 1)] = SheetCell(r - 1, c - 1, "", formula=raw)
                    continue
                raw = value
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                sheet.cells[(r - 1, c - 1)] = _numeric(raw, cell.number_format, r - 1, c - 1)
            else:
                sheet.cells[(r - 1, c - 1)] = SheetCell(r - 1, c - 1, _text(raw))
        for rng in ws.merged_cells.ranges:
            sheet.merged.append((rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1))
        sheet.hidden_rows = {r - 1 for r, d in ws.row_dimensions.items() if d.hidden}
        for d in ws.column_dimensions.values():
            if d.hidden and d.min and d.max:
                sheet.hidden_cols |= set(range(d.min - 1, min(d.max, 16384)))
        sheets.append(sheet)
    return sheets


def read_xls(data: bytes) -> list[Sheet]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False)
    except Exception as exc:  # xlrd raises XLRDError, CompDocError, struct errors …
        raise WorkbookError(f"{type(exc).__name__}: {exc}") from exc
    sheets = []
    for i, sh in enumerate(book.sheets()):
        sheet = Sheet(sh.name, i + 1, hidden=sh.visibility != 0)
        for r in range(sh.nrows):
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    continue
                if cell.ctype == xlrd.XL_CELL_NUMBER:
                    xf = book.xf_list[cell.xf_index] if cell.xf_index is not None else None
                    fmt = book.format_map[xf.format_key].format_str if xf and xf.format_key in book.format_map else ""
                    sheet.cells[(r, c)] = _numeric(cell.value, fmt, r, c)
                elif cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        text = _text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                    except (ValueError, OverflowError):
                        text = str(cell.value)
                    sheet.cells[(r, c)] = SheetCell(r, c, text)
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    sheet.cells[(r, c)] = SheetCell(r, c, _text(bool(cell.value)))
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    sheet.cells[(r, c)] = SheetCell(r, c, xlrd.error_text_from_code.get(cell.value, "#ERR"))
                else:
                    text = _text(cell.value)
                    if text:
                        sheet.cells[(r, c)] = SheetCell(r, c, text)
        sheet.merged = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sh.merged_cells]
        sheet.hidden_rows = {r for r, info in sh.rowinfo_map.items() if info.hidden}
        sheet.hidden_cols = {c for c, info in sh.colinfo_map.items() if info.hidden}
        sheets.append(sheet)
    return sheets


def read_workbook(data: bytes, fmt: str) -> list[Sheet]:
    """The workbook's sheets in order; `fmt` is "xlsx" or "xls" (from the bytes)."""
    return read_xlsx(data) if fmt == "xlsx" else read_xls(data)
