"""The check rules, one module per family; RULES maps a catalogue entry's `rule` to its code.

Each rule takes one document's rows (DocData) and its catalogue entry and returns findings.
"""

from __future__ import annotations

from collections.abc import Callable

from yujuesuan.checks.rules.across import code_sets, cross_sum, unit_scale
from yujuesuan.checks.rules.base import DocData, Finding
from yujuesuan.checks.rules.codes import code_known, code_name
from yujuesuan.checks.rules.narrative import narrative_match, share_match, variance_match
from yujuesuan.checks.rules.ocr import ocr_misread, ocr_suspect, ocr_unverified
from yujuesuan.checks.rules.structure import (
    columns_missing,
    ordinal_gap,
    row_missing,
    table_missing,
    tables_elsewhere,
)
from yujuesuan.checks.rules.within import (
    balance,
    code_parent,
    hierarchy_sum,
    ordinal_sum,
    row_formula,
    row_sum,
    total_sum,
)

RULES: dict[str, Callable[[DocData, dict], list[Finding]]] = {
    "table_missing": table_missing,
    "tables_elsewhere": tables_elsewhere,
    "hierarchy_sum": hierarchy_sum,
    "total_sum": total_sum,
    "row_sum": row_sum,
    "ordinal_sum": ordinal_sum,
    "balance": balance,
    "cross_sum": cross_sum,
    "code_parent": code_parent,
    "row_missing": row_missing,
    "ordinal_gap": ordinal_gap,
    "code_sets": code_sets,
    "columns_missing": columns_missing,
    "code_known": code_known,
    "code_name": code_name,
    "row_formula": row_formula,
    "narrative_match": narrative_match,
    "variance_match": variance_match,
    "share_match": share_match,
    "unit_scale": unit_scale,
    "ocr_suspect": ocr_suspect,
    "ocr_unverified": ocr_unverified,
    "ocr_misread": ocr_misread,
}


__all__ = ["RULES", "DocData", "Finding"]
