"""The OCR safety net: a failed identity on an OCR'd table names its weakly read cells; a weakly
read value no identity checks is named as unverified; text-layer documents are left alone."""

from __future__ import annotations

from decimal import Decimal

from yujuesuan.checks import run_checks
from yujuesuan.checks.rules import DocData


def _item(code: str | None, label: str, value: str, conf: float | None, row: int, column: str = "合计") -> dict:
    return {
        "doc_id": "d",
        "table_code": "03",
        "table_family": "expenditure",
        "section": None,
        "code": code,
        "row_label": label,
        "column": column,
        "value": Decimal(value),
        "printed": value,
        "page": 1,
        "row_index": row,
        "panel": 0,
        "ocr_confidence": conf,
    }


def _doc(items: list[dict]) -> DocData:
    document = {"doc_id": "d", "kind": "final", "status": "ok"}
    table = {"table_code": "03", "table_family": "expenditure", "columns": ["合计"], "blank_rows": []}
    table["line_items"] = len(items)
    return DocData(document=document, tables=[table], items=items)


def _named(items: list[dict], check_id: str) -> list[str]:
    run = run_checks(_doc(items))
    return [r["code"] or r["row_label"] for rule, f in run.findings if rule.id == check_id for r in f.rows]


def test_failed_identity_names_its_weakly_read_cells() -> None:
    items = [
        _item("201", "一般公共服务支出", "900", 0.99, 0),
        _item("20101", "人大事务", "600", 1.0, 1),
        _item("20102", "政协事务", "800", 0.71, 2),  # read 800, printed 300: 201 ≠ 600 + 800
        _item("208", "社会保障和就业支出", "500", 1.0, 3),
        _item("20801", "人力资源", "500", 1.0, 4),
    ]
    assert sorted(_named(items, "table.ocr_suspect")) == ["201", "20102"]
    assert _named(items, "table.ocr_unverified") == []


def test_weak_value_no_identity_checks_is_unverified() -> None:
    items = [
        _item("201", "一般公共服务支出", "900", 1.0, 0),
        _item("20101", "人大事务", "900", 1.0, 1),
        _item(None, "附注", "123", 0.8, 2),  # takes part in no identity
        _item(None, "其他", "456", 1.0, 3),  # read well: not flagged
    ]
    assert _named(items, "table.ocr_suspect") == []
    assert _named(items, "table.ocr_unverified") == ["附注"]


def test_text_layer_values_are_never_flagged() -> None:
    items = [_item("201", "一般公共服务支出", "900", None, 0), _item("20101", "人大事务", "600", None, 1)]
    assert _named(items, "table.ocr_suspect") == [] and _named(items, "table.ocr_unverified") == []
    assert _named(items, "table.hierarchy_sum") == ["201", "20101"]


def test_value_under_a_misread_header_or_label_is_named() -> None:
    items = [
        _item("201", "一般公共服务支出", "900", 1.0, 0),
        _item("20101", "人大事务", "900", 1.0, 1),
        *(_item(f"2010{k}", "事务", "0", 1.0, 6 + k) for k in range(2, 8)),  # the table's rows have codes
        _item("201", "一般公共服务支出", "900", 1.0, 0, column="col4"),  # no header read over it
        _item("201", "一般公共服务支出", "0", 1.0, 0, column="4其他收入"),  # a rule read as a 4
        _item(None, "。二、社会保障和就业支出", "5", 1.0, 2),  # a speck read as 。
        _item(None, "alvi", "5", 1.0, 3),  # Latin letters for a CJK label
        _item(None, "行政单位医疗11", "5", 1.0, 4),  # the code's digits run into the label
        _item(None, "行政运行", "7", 1.0, 5),  # a coded table's row whose code was not read
        _item(None, "合计", "900", 1.0, 6),  # a total has no code
    ]
    named = run_checks(_doc(items)).findings
    cells = sorted((r["row_label"], r["column"]) for rule, f in named if rule.id == "table.ocr_misread" for r in f.rows)
    assert cells == sorted([
        ("一般公共服务支出", "col4"), ("一般公共服务支出", "4其他收入"), ("。二、社会保障和就业支出", "合计"),
        ("alvi", "合计"), ("行政单位医疗11", "合计"), ("行政运行", "合计"),
    ])


def test_text_layer_labels_are_not_judged_by_the_ocr_rule() -> None:
    items = [_item(None, "alvi", "5", None, 0), _item("201", "一般公共服务支出", "5", None, 1, column="col4")]
    assert _named(items, "table.ocr_misread") == []


def test_values_beside_a_missing_standard_column_are_named() -> None:
    """基本支出 and 项目支出 read as one header: the table lacks its standard columns, and the values
    under the header that is none of them may stand in the wrong column."""
    items = [
        _item("201", "一般公共服务支出", "900", 1.0, 0, column="本年支出合计"),
        _item("201", "一般公共服务支出", "900", 1.0, 0, column="基本支出项目支出"),
        _item("20101", "人大事务", "900", 1.0, 1, column="本年支出合计"),
        _item("20101", "人大事务", "900", 1.0, 1, column="基本支出项目支出"),
    ]
    doc = _doc(items)
    doc.tables[0]["columns"] = ["本年支出合计", "基本支出项目支出"]
    named = [(r["code"], r["column"]) for rule, f in run_checks(doc).findings if rule.id == "table.ocr_misread"
             for r in f.rows]
    assert sorted(named) == [("201", "基本支出项目支出"), ("20101", "基本支出项目支出")]
