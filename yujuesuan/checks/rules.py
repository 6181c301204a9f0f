"""The check rules: each takes one document's rows and a catalogue entry and returns findings.

Rows are plain dicts as stored in the warehouse (money as Decimal in 元). A blank printed cell
is zero (line_items holds only printed cells). Tolerance "tail" is 尾差: 0.01 万元 = 100 元 per
addend; a difference within it is info, beyond it the rule's severity.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.spec import specs_for_kind
from extractors.text import compact
from yujuesuan.checks.reference import name_key, reference_codes

TAIL = Decimal(100)  # 0.01 万元 in 元
ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．])+")
CN_ORDINAL = re.compile(r"^[一二三四五六七八九十]+[、.．]")
TOTAL_COLUMN = re.compile(r"^(合计|小计|本年收入合计|本年支出合计)$")
SIDE_TOTAL = re.compile(r"^(本年收入合计|本年支出合计|当年收入小计|当年支出小计|收入总计|支出总计|收入合计|支出合计)$")
GRAND_TOTAL = {
    "income": re.compile(r"^(总计|收入总计|收入合计)$"),
    "expenditure": re.compile(r"^(总计|支出总计|支出合计)$"),
}


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


@dataclass
class DocData:
    document: dict
    tables: list[dict]
    items: list[dict]
    toc: dict[str, str] = field(default_factory=dict)

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
    """A finding when `actual` differs from `expected` (info within 尾差), else None."""
    outcome = compare(expected, actual, addends, cfg["tolerance"])
    if not outcome:
        return None
    return _finding(outcome, cfg["severity"], message, expected=str(expected), actual=str(actual), **kw)


def _fmt(v: Decimal) -> str:
    return f"{v:,.2f} 元"


# --- structure --------------------------------------------------------------------------


def table_missing(doc: DocData, cfg: dict) -> list[Finding]:
    found = {t["table_family"] for t in doc.tables}
    if not any(t["line_items"] for t in doc.tables):
        return []  # a narrative-only publication: tables_elsewhere says so
    if doc.toc:
        expected = dict(doc.toc)
    else:
        kind = doc.document.get("kind")
        expected = (
            {s.family: s.number for s in specs_for_kind(kind) if s.required} if kind in ("final", "budget") else {}
        )
    out = []
    for family, number in sorted(expected.items(), key=lambda kv: kv[1]):
        if family not in found:
            source = (
                "its table of contents" if doc.toc else f"the standard set of a {doc.document.get('kind')} document"
            )
            out.append(
                Finding(
                    cfg["severity"],
                    f"Table {number} ({family}) is listed by {source} but is not in the document.",
                    table_code=number,
                    expected=family,
                    actual="absent",
                )
            )
    return out


def tables_elsewhere(doc: DocData, cfg: dict) -> list[Finding]:
    if doc.toc and not any(t["line_items"] for t in doc.tables):
        return [
            Finding(
                cfg["severity"],
                f"The contents list {len(doc.toc)} tables but the document holds none with figures: "
                "they are published as a separate file (a split publication).",
            )
        ]
    return []


# --- within a table ---------------------------------------------------------------------


def _by_table(items: list[dict]) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = defaultdict(list)
    for i in items:
        out[(i["table_code"], i["table_family"])].append(i)
    return out


def hierarchy_sum(doc: DocData, cfg: dict) -> list[Finding]:
    out = []
    for (code, _family), items in _by_table(doc.items).items():
        rows: dict[tuple, dict[str, dict]] = defaultdict(dict)  # (section) -> code -> {column: item}
        columns: dict[tuple, set[str]] = defaultdict(set)
        for i in items:
            if i["code"]:
                rows[(i["section"],)].setdefault(i["code"], {})[i["column"]] = i
                columns[(i["section"],)].add(i["column"])
        for key, codes in rows.items():
            for parent, pcells in codes.items():
                kids = [c for c in codes if len(c) == len(parent) + 2 and c.startswith(parent)]
                if not kids:
                    continue
                for column in sorted(columns[key]):
                    pv = pcells[column]["value"] if column in pcells else Decimal(0)
                    kv = [codes[k][column]["value"] for k in kids if column in codes[k]]
                    total = sum(kv, Decimal(0))
                    evidence = [pcells[column]] if column in pcells else []
                    evidence += [codes[k][column] for k in kids if column in codes[k]]
                    f = _mismatch(
                        cfg,
                        total,
                        pv,
                        len(kids),
                        f"Table {code}: {parent} is {_fmt(pv)} in column {column}, but its "
                        f"{len(kids)} sub-items add up to {_fmt(total)}.",
                        table_code=code,
                        locator=f"code {parent}, column {column}",
                        rows=evidence,
                    )
                    if f:
                        out.append(f)
    return out


def total_sum(doc: DocData, cfg: dict) -> list[Finding]:
    out = []
    for (code, _family), items in _by_table(doc.items).items():
        groups: dict[tuple, dict] = defaultdict(lambda: {"total": None, "tops": {}})
        for i in items:
            key = (i["section"], i["column"])
            if not i["code"] and label_key(i["row_label"]) in ("合计", "总计"):
                groups[key]["total"] = i
            elif i["code"] and len(i["code"]) == 3:
                groups[key]["tops"].setdefault(i["code"], i)
        coded = {i["code"] for i in items if i["code"] and len(i["code"]) == 3}
        totals = {k: g for k, g in groups.items() if g["total"] is not None}
        for (_section, column), g in totals.items():
            if not coded:
                continue
            tops = list(g["tops"].values())
            s = sum((t["value"] for t in tops), Decimal(0))
            f = _mismatch(
                cfg,
                s,
                g["total"]["value"],
                len(coded),
                f"Table {code}: 合计 is {_fmt(g['total']['value'])} in column {column}, but its "
                f"{len(coded)} 类 rows add up to {_fmt(s)}.",
                table_code=code,
                locator=f"合计, column {column}",
                rows=[g["total"], *tops],
            )
            if f:
                out.append(f)
    return out


def _group_value(node: dict, cells: dict[str, dict]) -> tuple[Decimal | None, list[dict]]:
    """A header group's value in one row: its total column, else the sum of its parts."""
    total = next((c for c in node["leaves"] if TOTAL_COLUMN.match(leaf(c))), None)
    if total is not None:
        return (cells[total]["value"] if total in cells else Decimal(0)), [cells[total]] if total in cells else []
    values, evidence = [], []
    for c in node["leaves"]:
        if c in cells:
            values.append(cells[c]["value"])
            evidence.append(cells[c])
    for child in node["groups"].values():
        v, ev = _group_value(child, cells)
        if v is not None:
            values.append(v)
            evidence += ev
    return (sum(values, Decimal(0)) if values else None), evidence


def _tree(columns: set[str]) -> dict:
    root: dict = {"leaves": [], "groups": {}}
    for col in sorted(columns):
        parts = col.split("/")
        node = root
        for p in parts[:-1]:
            node = node["groups"].setdefault(p, {"leaves": [], "groups": {}})
        node["leaves"].append(col)
    return root


def _check_group(node: dict, cells: dict[str, dict], path: str) -> list[tuple]:
    """(total column, expected, actual, addends, evidence) for each group headed by a total."""
    out = []
    totals = [c for c in node["leaves"] if TOTAL_COLUMN.match(leaf(c))]
    parts = [c for c in node["leaves"] if c not in totals]
    if len(totals) == 1 and (parts or node["groups"]):
        total = totals[0]
        actual = cells[total]["value"] if total in cells else Decimal(0)
        values, evidence = [], [cells[total]] if total in cells else []
        for c in parts:
            if c in cells:
                values.append(cells[c]["value"])
                evidence.append(cells[c])
        for child in node["groups"].values():
            v, ev = _group_value(child, cells)
            if v is not None:
                values.append(v)
                evidence += ev
        n = len(parts) + len(node["groups"])
        if any(c in cells for c in [total, *parts]) or values:
            out.append((total, sum(values, Decimal(0)), actual, n, evidence))
    # transposed headers: 合计/预算数, 因公出国（境）费/预算数 … (the measure is the last level)
    kids = node["groups"]
    total_kids = [k for k in kids if TOTAL_COLUMN.match(k)]
    if len(total_kids) == 1 and len(kids) > 1:
        tk = total_kids[0]
        for measure_col in kids[tk]["leaves"]:
            m = leaf(measure_col)
            actual = cells[measure_col]["value"] if measure_col in cells else Decimal(0)
            values, evidence = [], [cells[measure_col]] if measure_col in cells else []
            for name, child in kids.items():
                if name == tk:
                    continue
                sub_total = next((g for g in child["groups"] if TOTAL_COLUMN.match(g)), None)
                source = child["groups"][sub_total] if sub_total else child
                col = next((c for c in source["leaves"] if leaf(c) == m), None)
                if col is None and not sub_total:  # nested parts without their own 小计
                    for g in child["groups"].values():
                        c2 = next((c for c in g["leaves"] if leaf(c) == m), None)
                        if c2 and c2 in cells:
                            values.append(cells[c2]["value"])
                            evidence.append(cells[c2])
                    continue
                if col and col in cells:
                    values.append(cells[col]["value"])
                    evidence.append(cells[col])
            out.append((measure_col, sum(values, Decimal(0)), actual, len(kids) - 1, evidence))
    for name, child in node["groups"].items():
        out += _check_group(child, cells, f"{path}/{name}")
    return out


def row_sum(doc: DocData, cfg: dict) -> list[Finding]:
    out = []
    for (code, _family), items in _by_table(doc.items).items():
        by_section: dict[str | None, list[dict]] = defaultdict(list)
        for i in items:
            by_section[i["section"]].append(i)
        for _section, sitems in by_section.items():
            tree = _tree({i["column"] for i in sitems})
            rows: dict[int, dict[str, dict]] = defaultdict(dict)
            for i in sitems:
                rows[i["row_index"]][i["column"]] = i
            for _, cells in sorted(rows.items()):
                for total, expected, actual, n, evidence in _check_group(tree, cells, ""):
                    row = next(iter(cells.values()))
                    name = row["code"] or row["row_label"]
                    f = _mismatch(
                        cfg,
                        expected,
                        actual,
                        n,
                        f"Table {code}: row {name} has {_fmt(actual)} in {total}, but the columns it heads add up "
                        f"to {_fmt(expected)}.",
                        table_code=code,
                        locator=f"row {name}, column {total}",
                        rows=evidence,
                    )
                    if f:
                        out.append(f)
    return out


def ordinal_sum(doc: DocData, cfg: dict) -> list[Finding]:
    out = []
    for (code, family), items in _by_table(doc.items).items():
        if cfg.get("families") and family not in cfg["families"]:
            continue
        groups: dict[tuple, list[dict]] = defaultdict(list)
        for i in items:
            groups[(i["section"], i.get("panel", 0), i["column"])].append(i)
        for (section, _panel, column), col_items in groups.items():
            numbered: list[dict] = []
            for i in sorted(col_items, key=lambda x: x["row_index"]):
                label = compact(i["row_label"])
                if CN_ORDINAL.match(label):
                    numbered.append(i)
                elif SIDE_TOTAL.match(label):
                    if numbered:
                        s = sum((n["value"] for n in numbered), Decimal(0))
                        f = _mismatch(
                            cfg,
                            s,
                            i["value"],
                            len(numbered),
                            f"Table {code} ({section}): {label} is {_fmt(i['value'])}, but the numbered rows above "
                            f"it add up to {_fmt(s)}.",
                            table_code=code,
                            locator=f"{section} {label}, column {column}",
                            rows=[i, *numbered],
                        )
                        if f:
                            out.append(f)
                    break
    return out


def balance(doc: DocData, cfg: dict) -> list[Finding]:
    out = []
    for (code, family), items in _by_table(doc.items).items():
        if cfg.get("families") and family not in cfg["families"]:
            continue
        ends = {}
        for side in ("income", "expenditure"):
            cands = [i for i in items if i["section"] == side and GRAND_TOTAL[side].match(label_key(i["row_label"]))]
            if not cands:
                continue
            last = max(cands, key=lambda i: i["row_index"])
            row = [i for i in cands if i["row_index"] == last["row_index"]]
            pick = next((i for i in row if TOTAL_COLUMN.match(leaf(i["column"]))), row[0])
            ends[side] = pick
        if len(ends) == 2:
            inc, exp = ends["income"], ends["expenditure"]
            f = _mismatch(
                cfg,
                inc["value"],
                exp["value"],
                1,
                f"Table {code}: income total {_fmt(inc['value'])} and expenditure total {_fmt(exp['value'])} differ.",
                table_code=code,
                locator="总计",
                rows=[inc, exp],
            )
            if f:
                out.append(f)
    return out


# --- across tables ----------------------------------------------------------------------


def _ref(doc: DocData, ref: dict) -> list[dict] | None:
    """Items a reference names; None when its table is not in the document."""
    items = doc.family(ref["family"])
    if not items:
        # a table printed empty (本表无数据) holds zeros; an absent table leaves the rule unrun
        return [] if any(t["table_family"] == ref["family"] for t in doc.tables) else None
    row = re.compile(ref["row"])
    col = re.compile(ref["column"]) if ref.get("column") else None
    hits = [
        i
        for i in items
        if (ref.get("section") is None or i["section"] == ref["section"])
        and row.search(label_key(i["row_label"]))
        and (col is None or col.search(i["column"]))
    ]
    if col is None and hits:
        first = min(hits, key=lambda i: i["row_index"])
        hits = [first]  # one column: the row's first figure
    return hits[:1]


def cross_sum(doc: DocData, cfg: dict) -> list[Finding]:
    params = cfg["params"]
    left = _ref(doc, params["left"])
    rights = [_ref(doc, r) for r in params["right"]]
    if left is None or any(r is None for r in rights):
        return []  # a table is absent: structure.table_missing reports that
    if not left and not any(rights):
        return []  # both sides blank: zero on both sides
    if not left:
        # the row is blank (上海 prints no 0.00) or the table printed empty: zero, as printed
        code = next(t["table_code"] for t in doc.tables if t["table_family"] == params["left"]["family"])
        left = [{"value": Decimal(0), "table_code": code, "row_label": "", "code": None}]
    right_families = {r["family"] for r in params["right"]}
    lv = left[0]["value"]
    rv = sum((r[0]["value"] for r in rights if r), Decimal(0))
    evidence = [left[0], *[r[0] for r in rights if r]]
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


def code_parent(doc: DocData, cfg: dict) -> list[Finding]:
    out = []
    for (code, _family), items in _by_table(doc.items).items():
        by_code: dict[str, dict] = {}
        for i in items:
            if i["code"]:
                by_code.setdefault(i["code"], i)
        for c, i in sorted(by_code.items()):
            if len(c) > 3 and c[:-2] not in by_code:
                out.append(
                    Finding(
                        cfg["severity"],
                        f"Table {code}: {c} ({i['row_label']}) is listed without its parent {c[:-2]}: "
                        "a row is missing or a code is misread.",
                        table_code=code,
                        locator=f"code {c}",
                        expected=c[:-2],
                        actual="absent",
                        rows=[i],
                    )
                )
    return out


def row_missing(doc: DocData, cfg: dict) -> list[Finding]:
    kind = doc.document.get("kind")
    required = cfg["params"].get(kind) or {}
    out = []
    for (code, family), items in _by_table(doc.items).items():
        if cfg.get("families") and family not in cfg["families"]:
            continue
        for section, pattern in required.items():
            rx = re.compile(pattern)
            if not any(i["section"] == section and rx.search(label_key(i["row_label"])) for i in items):
                out.append(
                    Finding(
                        cfg["severity"],
                        f"Table {code} has no {section} row matching {pattern.strip('^$')}: it was not printed "
                        "or not read.",
                        table_code=code,
                        locator=section,
                        expected=pattern.strip("^$"),
                        actual="absent",
                    )
                )
    return out


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


def columns_missing(doc: DocData, cfg: dict) -> list[Finding]:
    required = cfg["params"].get(doc.document.get("kind")) or {}
    out = []
    for t in doc.tables:
        patterns = required.get(t["table_family"])
        if not patterns or not t["line_items"]:
            continue
        leaves = [leaf(c) for c in t.get("columns") or []]
        for pattern in patterns:
            if not any(re.search(pattern, lv) for lv in leaves):
                out.append(
                    Finding(
                        cfg["severity"],
                        f"Table {t['table_code']} ({t['table_family']}) has no column {pattern.strip('^$')}; "
                        f"its columns are: {', '.join(t.get('columns') or []) or 'none'}.",
                        table_code=t["table_code"],
                        locator="header",
                        expected=pattern.strip("^$"),
                        actual="; ".join(t.get("columns") or []),
                    )
                )
    return out


def row_formula(doc: DocData, cfg: dict) -> list[Finding]:
    params = cfg["params"]
    out = []
    for (code, family), items in _by_table(doc.items).items():
        if cfg.get("families") and family not in cfg["families"]:
            continue
        rows: dict[int, dict[str, dict]] = defaultdict(dict)
        for i in items:
            rows[i["row_index"]][i["column"]] = i
        for _, cells in sorted(rows.items()):

            def pick(pattern: str, cells: dict = cells) -> dict | None:
                return next((c for col, c in cells.items() if re.search(pattern, col)), None)

            result = pick(params["result"])
            plus = [pick(p) for p in params["plus"]]
            minus = [pick(p) for p in params["minus"]]
            if result is None and not any(plus) and not any(minus):
                continue
            value = lambda c: c["value"] if c else Decimal(0)  # noqa: E731 - a blank cell is zero
            expected = sum((value(c) for c in plus), Decimal(0)) - sum((value(c) for c in minus), Decimal(0))
            actual = value(result)
            name = next(iter(cells.values()))
            name = name["code"] or name["row_label"]
            f = _mismatch(
                cfg,
                expected,
                actual,
                len(plus) + len(minus),
                f"Table {code}: row {name} has {_fmt(actual)} carried forward, but opening + income − spending "
                f"is {_fmt(expected)}.",
                table_code=code,
                locator=f"row {name}",
                rows=[c for c in [result, *plus, *minus] if c],
            )
            if f:
                out.append(f)
    return out


def _coded_rows(doc: DocData) -> dict[tuple[str, str], dict]:
    rows: dict[tuple[str, str], dict] = {}
    for i in doc.items:
        if i["code"]:
            rows.setdefault((i["table_code"], i["code"]), i)
    return rows


def code_known(doc: DocData, cfg: dict) -> list[Finding]:
    codes = reference_codes()
    if codes is None:
        return [Finding("info", "Could not run: no reference code list configured (--reference DIR).")]
    out = []
    for (table, code), i in sorted(_coded_rows(doc).items()):
        if code not in codes:
            out.append(
                Finding(
                    cfg["severity"],
                    f"Table {table}: code {code} ({i['row_label']}) is not in the reference list.",
                    table_code=table,
                    locator=f"code {code}",
                    actual=code,
                    rows=[i],
                )
            )
    return out


def code_name(doc: DocData, cfg: dict) -> list[Finding]:
    codes = reference_codes()
    if codes is None:
        return []  # code_known reports that the rules could not run
    out = []
    for (table, code), i in sorted(_coded_rows(doc).items()):
        if code in codes and name_key(i["row_label"]) != name_key(codes[code]):
            out.append(
                Finding(
                    cfg["severity"],
                    f"Table {table}: code {code} is printed as {i['row_label']}, the reference calls it {codes[code]}.",
                    table_code=table,
                    locator=f"code {code}",
                    expected=codes[code],
                    actual=i["row_label"],
                    rows=[i],
                )
            )
    return out


def unit_scale(doc: DocData, cfg: dict) -> list[Finding]:
    """Reported by the cross-table rules when their sides differ by ×10,000 (see cross_sum)."""
    return []


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
    "code_sets": code_sets,
    "columns_missing": columns_missing,
    "code_known": code_known,
    "code_name": code_name,
    "row_formula": row_formula,
    "unit_scale": unit_scale,
}
