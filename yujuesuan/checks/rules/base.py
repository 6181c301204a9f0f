"""What every rule shares: the document's rows, findings, tolerance and formatting.

Rows are plain dicts as stored in the warehouse (money as Decimal in 元). A blank printed cell
is zero (line_items holds only printed cells). Tolerance "tail" is 尾差: 0.01 万元 = 100 元 per
addend; a difference within it is info, beyond it the rule's severity.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from extractors.text import compact
from extractors.vocabulary import expand, matcher

if TYPE_CHECKING:
    from yujuesuan.codes import Catalogue

TAIL = Decimal(100)  # 0.01 万元 in 元

ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．])+")

CN_ORDINAL = re.compile(r"^[一二三四五六七八九十]+[、.．]")

TOTAL_COLUMN = matcher("total_column")

SIDE_TOTAL = re.compile(
    expand("^({year_income_total}|{year_expenditure_total}|{income_grand_total}|{expenditure_grand_total})$")
)

GRAND_TOTAL = {"income": matcher("income_grand_total"), "expenditure": matcher("expenditure_grand_total")}


@dataclass
class Finding:
    severity: str
    message: str
    table_code: str | None = None
    locator: str | None = None
    expected: str | None = None
    actual: str | None = None
    rows: list[dict] = field(default_factory=list)  # the rows the rule failed on (the evidence)
    check_id: str | None = None  # set when a rule reports under another id (units.scale)
    not_run: bool = False  # the rule lacked an input (a table, a column): it says so, never assumes zero


def not_run(reason: str, **kw: object) -> Finding:
    """What a rule says when an input it needs was not read: info, never a zero in its arithmetic."""
    return Finding("info", f"Could not run: {reason}.", not_run=True, **kw)  # type: ignore[arg-type]


@dataclass
class DocData:
    document: dict
    tables: list[dict]
    items: list[dict]
    toc: dict[str, str] = field(default_factory=dict)
    facts: list[dict] = field(default_factory=list)
    variances: list[dict] = field(default_factory=list)
    catalogue: Catalogue | None = None  # the code list the catalogue rules use; None: the shipped catalogue

    def family(self, family: str) -> list[dict]:
        return [i for i in self.items if i["table_family"] == family]


def label_key(label: str | None) -> str:
    return ORDINAL.sub("", compact(label or ""))


def leaf(column: str) -> str:
    return column.rsplit("/", 1)[-1]


def compare(expected: Decimal, actual: Decimal, addends: int, tolerance: str) -> str | None:
    """None when equal; "info" within 尾差; "fail" beyond."""
    diff = abs(expected - actual)
    if diff == 0:
        return None
    if tolerance == "tail" and diff <= TAIL * max(addends, 1):
        return "info"
    return "fail"


def _finding(outcome: str, severity: str, message: str, **kw) -> Finding:
    return Finding(severity if outcome == "fail" else "info", message, **kw)


def _mismatch(cfg: dict, expected: Decimal, actual: Decimal, addends: int, message: str, **kw) -> Finding | None:
    """A finding when `actual` differs from `expected` (info within 尾差), else None. A caller that
    wants every identity evaluated (the OCR rules) passes a list as cfg["evaluated"]: each
    comparison's rows are added to it, whether it holds or not."""
    if "evaluated" in cfg:
        cfg["evaluated"].append(kw.get("rows") or [])
    outcome = compare(expected, actual, addends, cfg["tolerance"])
    if not outcome:
        return None
    return _finding(outcome, cfg["severity"], message, expected=str(expected), actual=str(actual), **kw)


def _fmt(v: Decimal) -> str:
    return f"{v:,.2f} 元"


def _by_table(items: list[dict]) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = defaultdict(list)
    for i in items:
        out[(i["table_code"], i["table_family"])].append(i)
    return out
