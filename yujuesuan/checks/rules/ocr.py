"""OCR values the accounting identities cast doubt on, named cell by cell.

Each OCR figure keeps its confidence (`ocr_confidence`, the weakest of its digits). The identities
of the catalogue (Σ children = parent, totals, row sums, the 收支总表 sides, cross-table sums) are
the safety net: when one fails on an OCR document, every OCR value in it read with less confidence
than its table's median is flagged on its cell (`table.ocr_suspect`). A value no identity checks
has no net: read with less than the median confidence it is flagged as unverified
(`table.ocr_unverified`). A value whose row label or column header does not read as words (a
header not read, Latin letters, a speck read as 。, a row of a coded table without its code) may
stand in the wrong cell, whatever its confidence (`table.ocr_misread`).
"""

from __future__ import annotations

import re
from statistics import median

from yujuesuan.checks.rules.base import DocData, Finding

IDENTITIES = ("hierarchy_sum", "total_sum", "row_sum", "ordinal_sum", "balance", "row_formula", "cross_sum")


def _identities(doc: DocData) -> tuple[list[Finding], list[list[dict]]]:
    """The failed identities of the document, and the rows of every identity evaluated on it."""
    from yujuesuan.checks.rules import RULES
    from yujuesuan.checks.run import load_catalogue

    failed: list[Finding] = []
    evaluated: list[list[dict]] = []
    for rule in load_catalogue():
        if rule.rule not in IDENTITIES or not rule.applies(doc):
            continue
        cfg = {**rule.as_cfg(), "evaluated": evaluated}
        for f in RULES[rule.rule](doc, cfg):
            evaluated.append(f.rows)
            if f.severity != "info" and not f.not_run:
                failed.append(f)
    return failed, evaluated


def _cell(i: dict) -> str:
    return f"{i.get('code') or i['row_label']} / {i['column']}"


def _medians(items: list[dict]) -> dict[str, float]:
    by_table: dict[str, list[float]] = {}
    for i in items:
        by_table.setdefault(i["table_code"], []).append(i["ocr_confidence"])
    return {t: median(v) for t, v in by_table.items()}


def ocr_suspect(doc: DocData, cfg: dict) -> list[Finding]:
    ocr = [i for i in doc.items if i.get("ocr_confidence") is not None]
    if not ocr:
        return []
    medians = _medians(ocr)
    failed, evaluated = _identities(doc)

    def weak(i: dict) -> bool:
        return i.get("ocr_confidence") is not None and i["ocr_confidence"] < medians[i["table_code"]]

    out: list[Finding] = []
    named: set[int] = set()
    for f in failed:
        for i in f.rows:
            if id(i) in named or not weak(i):
                continue
            named.add(id(i))
            out.append(_suspect_cell(cfg, i, medians, f"takes part in a failed identity ({f.locator})"))
    return out


def _suspect_cell(cfg: dict, i: dict, medians: dict[str, float], why: str) -> Finding:
    """A finding on one OCR cell: what was read, its confidence against the table's median, and `why`."""
    return Finding(
        cfg["severity"],
        f"Table {i['table_code']}: {_cell(i)} was read by OCR as {i.get('printed')!r} with confidence "
        f"{i['ocr_confidence']:.2f} (the table's median: {medians[i['table_code']]:.2f}) and {why}; "
        f"check it against page {i.get('page')}.",
        table_code=i["table_code"],
        locator=f"page {i.get('page')}, row {i.get('row_index')}, column {i['column']}",
        actual=i.get("printed"),
        rows=[i],
    )


def ocr_unverified(doc: DocData, cfg: dict) -> list[Finding]:
    ocr = [i for i in doc.items if i.get("ocr_confidence") is not None]
    if not ocr:
        return []
    medians = _medians(ocr)
    _, evaluated = _identities(doc)
    checked = {id(i) for rows in evaluated for i in rows}
    return [
        _suspect_cell(cfg, i, medians, "no accounting identity checks it")
        for i in ocr
        if id(i) not in checked and i["ocr_confidence"] < medians[i["table_code"]]
    ]


LEAF_MISREAD = re.compile(r"^col\d+$|^[。，,.、:：;；'\"“”‘’·]|[A-Za-z]|^\d+(?=[\u4e00-\u9fff])(?!\d*年)")
LABEL_MISREAD = re.compile(r"^[。，,.、:：;；'\"“”‘’·]|[A-Za-z]|[\u4e00-\u9fff)）]\d+$")
TOTAL = re.compile(r"合计|总计|^其中")
CODED = 0.5  # a table whose rows have a code at least this often: a row without one lost it


def _misread(i: dict, coded: bool) -> str | None:
    """Why the cell's row label or column header looks misread by OCR, if it does."""
    leaf = str(i.get("column") or "").split("/")[-1]
    label = str(i.get("row_label") or "")
    if LEAF_MISREAD.search(leaf):
        return f"its column header {leaf!r} does not read as the table's words"
    if not i.get("code") and LABEL_MISREAD.search(label):
        return f"its row label {label!r} does not read as the table's words"
    if coded and not i.get("code") and not TOTAL.search(label):
        return "its row has no classification code where the table's rows have one (the code was not read)"
    return None


def ocr_misread(doc: DocData, cfg: dict) -> list[Finding]:
    ocr = [i for i in doc.items if i.get("ocr_confidence") is not None]
    if not ocr:
        return []
    medians = _medians(ocr)
    by_table: dict[str, list[dict]] = {}
    for i in ocr:
        by_table.setdefault(i["table_code"], []).append(i)
    standard = _lacking_standard_columns(doc)
    out = []
    for table, items in by_table.items():
        rows = {(i.get("row_index"), i.get("panel")): i for i in items}
        coded = sum(1 for i in rows.values() if i.get("code")) >= CODED * len(rows)
        for i in items:
            why = _misread(i, coded)
            leaf = str(i.get("column") or "").split("/")[-1]
            if not why and table in standard and not any(re.search(p, leaf) for p in standard[table]):
                why = f"its table lacks a standard column and {leaf!r} is none of them (a header misread)"
            if why:
                out.append(_suspect_cell(cfg, i, medians, f"{why}, so the value may stand in the wrong cell"))
    return out


def _lacking_standard_columns(doc: DocData) -> dict[str, list[str]]:
    """Table code → its family's standard column patterns, for the tables that lack one of them."""
    from yujuesuan.checks.rules import RULES
    from yujuesuan.checks.run import load_catalogue

    out: dict[str, list[str]] = {}
    for rule in load_catalogue():
        if rule.rule != "columns_missing" or not rule.applies(doc):
            continue
        cfg = rule.as_cfg()
        required = cfg["params"].get(doc.document.get("kind")) or {}
        family = {t["table_code"]: t["table_family"] for t in doc.tables}
        for f in RULES["columns_missing"](doc, cfg):
            if f.table_code in family:
                out[f.table_code] = required.get(family[f.table_code]) or []
    return out
