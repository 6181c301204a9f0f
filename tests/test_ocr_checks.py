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
