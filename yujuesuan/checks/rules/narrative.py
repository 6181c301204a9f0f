"""Narrative against tables: what the 情况说明 states must be what the tables print."""

from __future__ import annotations

import re
from decimal import Decimal

from yujuesuan.checks.rules.across import _ref
from yujuesuan.checks.rules.base import TAIL, DocData, Finding, _fmt


def _cell(doc: DocData, ref: dict) -> dict | None:
    """The table cell a reference names (the cross-table rules' lookup), or None."""
    hits = _ref(doc, ref)
    return hits[0] if hits else None


def narrative_match(doc: DocData, cfg: dict) -> list[Finding]:
    """Every statement of a metric equals a table cell it can report, within 尾差: a figure the
    text states twice is checked twice (one right statement does not excuse a wrong one). A
    statement with no qualifier may report any of its metric's cells (预算数 or 决算数)."""
    out = []
    pairs = cfg["params"]["pairs"]
    for metric in dict.fromkeys(p["metric"] for p in pairs):
        mine = [p for p in pairs if p["metric"] == metric]
        cells = [(p.get("qualifier"), c) for p in mine if (c := _cell(doc, p["table"])) is not None]
        for f in (f for f in doc.facts if f["metric"] == metric):
            q = f.get("qualifier")  # a qualified statement (budget, final …) reports the cell of that qualifier
            candidates = [c for cq, c in cells if q is None or cq == q]
            if not candidates:
                continue  # no table cell of this metric was read: nothing to compare with
            value = Decimal(f["value"])
            if any(abs(value - c["value"]) <= TAIL for c in candidates):
                continue
            cell = candidates[0]
            out.append(
                Finding(
                    cfg["severity"],
                    f"The text states {metric} = {_fmt(value)} (page {f['page']}), but table "
                    f"{cell['table_code']} prints {_fmt(cell['value'])}.",
                    table_code=cell["table_code"],
                    locator=f"{metric}: {f['sentence'][:60]}",
                    expected=str(cell["value"]),
                    actual=str(f["value"]),
                    rows=candidates,
                )
            )
    return out


def variance_match(doc: DocData, cfg: dict) -> list[Finding]:
    """Each explained line's 支出决算 equals its row in the 一般公共预算 table (合计 column)."""
    rows = {
        i["code"]: i
        for i in doc.family(cfg["params"]["family"])
        if i["code"] and re.search(cfg["params"]["column"], i["column"])
    }
    out = []
    for v in doc.variances:
        if not v.get("code") or v.get("final") is None:
            continue
        cell = rows.get(v["code"])
        final = Decimal(v["final"])
        if cell is None or abs(cell["value"] - final) <= TAIL:
            continue
        out.append(
            Finding(
                cfg["severity"],
                f"The explanation of {v['row_label']} ({v['code']}) states 支出决算 {_fmt(final)} (page {v['page']}), "
                f"but table {cell['table_code']} prints {_fmt(cell['value'])}.",
                table_code=cell["table_code"],
                locator=f"code {v['code']}",
                expected=str(cell["value"]),
                actual=str(final),
                rows=[cell],
            )
        )
    return out


def share_match(doc: DocData, cfg: dict) -> list[Finding]:
    """Every stated share (占 …%) equals the one recomputed from the tables, to 2 decimals."""
    out = []
    for pair in cfg["params"]["pairs"]:
        part, whole = _cell(doc, pair["part"]), _cell(doc, pair["whole"])
        stated = [f for f in doc.facts if f["metric"] == "share" and f.get("qualifier") == pair["metric"]]
        if not stated or part is None or whole is None or not whole["value"]:
            continue
        computed = (part["value"] / whole["value"] * 100).quantize(Decimal("0.01"))
        for f in stated:  # the text rounds from 万元 figures: allow one unit of the last printed place
            if abs(Decimal(f["value"]) - computed) <= Decimal("0.01"):
                continue
            out.append(
                Finding(
                    cfg["severity"],
                    f"The text states {pair['metric']} is {f['value']}% (page {f['page']}); tables "
                    f"{part['table_code']}/{whole['table_code']} give {computed}%.",
                    table_code=part["table_code"],
                    locator=f"share of {pair['metric']}",
                    expected=str(computed),
                    actual=str(f["value"]),
                    rows=[part, whole],
                )
            )
    return out
