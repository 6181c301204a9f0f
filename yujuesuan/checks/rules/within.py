"""Rules within one table: hierarchy, totals, row sums, the 收支总表 sides."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

from extractors.text import compact
from yujuesuan.checks.rules.base import (
    CN_ORDINAL,
    GRAND_TOTAL,
    SIDE_TOTAL,
    TOTAL_COLUMN,
    DocData,
    Finding,
    _by_table,
    _fmt,
    _mismatch,
    label_key,
    leaf,
)


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


def _group_value(node: dict, cells: dict[str, dict]) -> tuple[Decimal | None, list[dict]]:
    """A header group's value in one row: its total column, else the sum of its parts."""
    total = next((c for c in node["leaves"] if TOTAL_COLUMN.match(leaf(c))), None)
    if total is not None:
        return (cells[total]["value"] if total in cells else Decimal(0)), [cells[total]] if total in cells else []
    values, evidence = _parts(node["leaves"], node["groups"], cells)
    return (sum(values, Decimal(0)) if values else None), evidence


def _parts(leaves: list, groups: dict, cells: dict) -> tuple[list[Decimal], list[dict]]:
    """The printed leaf cells' values and each sub-group's value, with the cells they come from."""
    values: list[Decimal] = []
    evidence: list[dict] = []
    for c in leaves:
        if c in cells:
            values.append(cells[c]["value"])
            evidence.append(cells[c])
    for child in groups.values():
        v, ev = _group_value(child, cells)
        if v is not None:
            values.append(v)
            evidence += ev
    return values, evidence


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
    headed = _headed_by_total(node, cells)
    if headed is not None:
        out.append(headed)
    out += _transposed_totals(node, cells)
    for name, child in node["groups"].items():
        out += _check_group(child, cells, f"{path}/{name}")
    return out


def _headed_by_total(node: dict, cells: dict[str, dict]) -> tuple | None:
    """The group's one total column against its other columns and its sub-groups' values."""
    totals = [c for c in node["leaves"] if TOTAL_COLUMN.match(leaf(c))]
    parts = [c for c in node["leaves"] if c not in totals]
    if len(totals) != 1 or not (parts or node["groups"]):
        return None
    total = totals[0]
    actual = cells[total]["value"] if total in cells else Decimal(0)
    values, found = _parts(parts, node["groups"], cells)
    evidence = ([cells[total]] if total in cells else []) + found
    n = len(parts) + len(node["groups"])
    if any(c in cells for c in [total, *parts]) or values:
        return (total, sum(values, Decimal(0)), actual, n, evidence)
    return None


def _transposed_totals(node: dict, cells: dict[str, dict]) -> list[tuple]:
    """Transposed headers: 合计/预算数, 因公出国（境）费/预算数 … (the measure is the last level)."""
    kids = node["groups"]
    total_kids = [k for k in kids if TOTAL_COLUMN.match(k)]
    if len(total_kids) != 1 or len(kids) <= 1:
        return []
    tk = total_kids[0]
    out = []
    for measure_col in kids[tk]["leaves"]:
        m = leaf(measure_col)
        actual = cells[measure_col]["value"] if measure_col in cells else Decimal(0)
        values, evidence = [], [cells[measure_col]] if measure_col in cells else []
        for name, child in kids.items():
            if name != tk:
                for c in _measure_cells(child, m, cells):
                    values.append(cells[c]["value"])
                    evidence.append(cells[c])
        out.append((measure_col, sum(values, Decimal(0)), actual, len(kids) - 1, evidence))
    return out


def _measure_cells(child: dict, m: str, cells: dict[str, dict]) -> list[str]:
    """The columns of one part that add into the total's measure m: its 小计's, its own, or its sub-groups'."""
    sub_total = next((g for g in child["groups"] if TOTAL_COLUMN.match(g)), None)
    source = child["groups"][sub_total] if sub_total else child
    col = next((c for c in source["leaves"] if leaf(c) == m), None)
    if col is None and not sub_total:  # nested parts without their own 小计
        found = [next((c for c in g["leaves"] if leaf(c) == m), None) for g in child["groups"].values()]
        return [c for c in found if c and c in cells]
    return [col] if col and col in cells else []


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
