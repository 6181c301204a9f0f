"""Rules across tables: identities between tables, code sets, units."""

from __future__ import annotations

import re
from decimal import Decimal

from yujuesuan.checks.rules.base import (
    DocData,
    Finding,
    _finding,
    _fmt,
    compare,
    label_key,
    not_run,
)


def _ref(doc: DocData, ref: dict) -> list[dict] | None:
    """Items a reference names; None when its table is not in the document."""
    items = doc.family(ref["family"])
    if not items:
        # a table printed empty (本表无数据) holds zeros; an absent table leaves the rule unrun
        return [] if any(t["table_family"] == ref["family"] for t in doc.tables) else None
    row = re.compile(ref["row"])
    col = re.compile(ref["column"]) if ref.get("column") else None
    sides_read = any(i["section"] for i in items)  # a table whose sides were not told apart
    hits = [
        i
        for i in items
        if (ref.get("section") is None or i["section"] == ref["section"] or (i["section"] is None and not sides_read))
        and row.search(label_key(i["row_label"]))
        and (col is None or col.search(i["column"]))
    ]
    if col is None and hits:
        first = min(hits, key=lambda i: i["row_index"])
        hits = [first]  # one column: the row's first figure
    return hits[:1]


def missing_input(doc: DocData, ref: dict) -> str | None:
    """Why a reference cannot be read (its table absent, or no column of that name), else None."""
    tables = [t for t in doc.tables if t["table_family"] == ref["family"]]
    if not tables:
        return f"no {ref['family']} table in the document"
    if ref.get("column") and not any(t.get("empty") for t in tables):
        col = re.compile(ref["column"])
        printed = [c for t in tables for c in t.get("columns") or []]
        if printed and not any(col.search(c) for c in printed):
            code = tables[0]["table_code"]
            return f"table {code} prints no column matching {ref['column']!r} (its columns: {', '.join(printed[:8])})"
    return None


def printed_blank(doc: DocData, ref: dict) -> bool:
    """Whether a reference's row was printed without a figure (or its table printed empty):
    then it is 0, as printed. A row the reader did not find at all is no zero."""
    row = re.compile(ref["row"])
    for t in doc.tables:
        if t["table_family"] != ref["family"]:
            continue
        if t.get("empty") or any(row.search(label_key(label)) for label in t.get("blank_rows") or []):
            return True
    return False


def cross_sum(doc: DocData, cfg: dict) -> list[Finding]:
    params = cfg["params"]
    for ref in [params["left"], *params["right"]]:
        reason = missing_input(doc, ref)
        if reason:
            return [not_run(reason, locator=cfg["meaning"])]
    left = _ref(doc, params["left"])
    rights = [_ref(doc, r) for r in params["right"]]
    if left is None or any(r is None for r in rights):
        return []  # unreachable: missing_input said so
    if not left and not any(rights):
        return []  # both sides blank: zero on both sides
    for ref, got in [(params["left"], left), *zip(params["right"], rights, strict=True)]:
        if not got and not printed_blank(doc, ref):
            # the row was not read at all (a label the reader does not know): unknown, never 0
            return [not_run(f"no {ref['family']} row matching {ref['row']!r} was read", locator=cfg["meaning"])]
    if not left:  # the row printed blank (上海 prints no 0.00) or the table empty: zero, as printed
        code = next(t["table_code"] for t in doc.tables if t["table_family"] == params["left"]["family"])
        left = [{"value": Decimal(0), "table_code": code, "row_label": "", "code": None}]
    right_families = {r["family"] for r in params["right"]}
    lv = left[0]["value"]
    rv = sum((r[0]["value"] for r in rights if r), Decimal(0))
    evidence = [left[0], *[r[0] for r in rights if r]]
    if "evaluated" in cfg:  # the OCR rules ask which rows an identity checked (see base._mismatch)
        cfg["evaluated"].append(evidence)
    outcome = compare(rv, lv, len(rights), cfg["tolerance"])
    if not outcome:
        return []
    if lv and rv and any(abs(rv / lv - Decimal(f)) < Decimal(f) / 100 for f in ("10000", "0.0001")):
        big = "larger" if rv > lv else "smaller"
        code = rights[0][0]["table_code"] if rights[0] else None
        return [
            Finding(
                "error",
                f"Table {code}'s figures are 10,000 times {big} than table {left[0]['table_code']}'s "
                f"({_fmt(rv)} vs {_fmt(lv)}): one of them has the wrong 单位 (元 vs 万元).",
                table_code=code,
                locator=cfg["meaning"],
                expected=str(lv),
                actual=str(rv),
                rows=evidence,
                check_id="units.scale",
            )
        ]
    return [
        _finding(
            outcome,
            cfg["severity"],
            f"{cfg['meaning'][:-1]}: {_fmt(lv)} in table {left[0]['table_code']} vs {_fmt(rv)} in table "
            f"{'+'.join(sorted({t['table_code'] for t in doc.tables if t['table_family'] in right_families}))}.",
            table_code=left[0]["table_code"],
            locator=params["left"]["row"].strip("^$"),
            expected=str(rv),
            actual=str(lv),
            rows=evidence,
        )
    ]


def code_sets(doc: DocData, cfg: dict) -> list[Finding]:
    out = []
    for a, b in cfg["params"]["pairs"]:
        ia, ib = doc.family(a), doc.family(b)
        if not ia or not ib:
            continue
        ca, cb = {i["code"]: i for i in ia if i["code"]}, {i["code"]: i for i in ib if i["code"]}
        for only, here, there in ((set(ca) - set(cb), ca, ib), (set(cb) - set(ca), cb, ia)):
            for c in sorted(only):
                i = here[c]
                out.append(
                    Finding(
                        cfg["severity"],
                        f"Code {c} ({i['row_label']}) is in table {i['table_code']} but not in table "
                        f"{there[0]['table_code']}.",
                        table_code=i["table_code"],
                        locator=f"code {c}",
                        expected="in both tables",
                        actual=f"only in table {i['table_code']}",
                        rows=[i],
                    )
                )
    return out


def unit_scale(doc: DocData, cfg: dict) -> list[Finding]:
    """Reported by the cross-table rules when their sides differ by ×10,000 (see cross_sum)."""
    return []
