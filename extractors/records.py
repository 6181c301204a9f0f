"""Typed records the extractors return; the warehouse stores exactly these fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

CONTRACT_VERSION = "1"


@dataclass
class Document:
    doc_id: str
    file_name: str
    format: str
    kind: str = "unknown"  # final | budget | unknown
    scope: str = "unknown"  # department | unit | unknown
    source_url: str | None = None
    region: str | None = None
    unit_name: str | None = None
    unit_id: str | None = None
    year: int | None = None
    currency_unit: str | None = None
    pages: int | None = None
    status: str = "ok"  # ok | partial | failed
    is_current: bool = True
    contract_version: str = CONTRACT_VERSION
    # additions beyond the contract
    layout_family: str | None = None
    tables_found: int = 0
    extracted_by: str | None = None
    toc: list[str] = field(default_factory=list)  # "family:NN" for each table the contents list


@dataclass
class LineItem:
    doc_id: str
    table_code: str
    table_title: str
    table_family: str
    row_label: str
    column: str
    value: Decimal
    printed: str
    page: int
    unit_id: str | None = None
    year: int | None = None
    kind: str | None = None
    section: str | None = None
    code: str | None = None
    code_system: str | None = None
    code_level: int | None = None
    line_no: int | None = None
    x0: float | None = None
    top: float | None = None
    x1: float | None = None
    bottom: float | None = None
    # additions beyond the contract
    row_index: int = 0
    panel: int = 0  # side-by-side panels of one table, left to right (0 for single-panel tables)
    currency_unit: str | None = None
    engine: str = "pdfplumber"
    ocr_confidence: float | None = None  # lowest OCR confidence of the figure's characters (None: text layer)
    ocr_repaired: bool | None = None  # OCR: a character of it was put right after the recogniser (None: text)
    sheet: str | None = None  # workbooks: the sheet the cell is on (its page is the sheet's 1-based index)
    cell_ref: str | None = None  # workbooks: the cell, e.g. 公开03表!D12


@dataclass
class QualityIssue:
    doc_id: str
    check_id: str
    severity: str  # error | warning | info
    message: str
    table_code: str | None = None
    locator: str | None = None
    expected: str | None = None
    actual: str | None = None


@dataclass
class TableResult:
    """One standard table as found in a document (possibly over several pages)."""

    table_code: str
    table_title: str
    table_family: str
    pages: list[int]
    currency_unit: str | None
    engine: str
    printed_number: str | None = None
    empty: bool = False  # the table says 本表无数据 or has no body rows
    empty_note: str | None = None
    code_layout: str | None = None  # "split" (类 | 款 | 项 cells) | "joined" (2010301) | None
    columns: list[str] = field(default_factory=list)  # every figure column's header path, blank or not
    blank_rows: list[str] = field(default_factory=list)  # labels of rows printed with no figure at all
    items: list[LineItem] = field(default_factory=list)
