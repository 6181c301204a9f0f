"""The rules across documents: each compares an anchor document with the other(s) of its pair.

A rule gets the anchor's rows and the others' (DocData), the pair and its catalogue entry, and
returns findings that name both sides: the anchor's figure (page, printed text) and the others'."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from yujuesuan.checks.across_documents.figures import Figure, figures, natural_qualifier
from yujuesuan.checks.across_documents.pairs import Pair
from yujuesuan.checks.across_documents.revisions import diff
from yujuesuan.checks.rules import DocData
from yujuesuan.checks.rules.base import _fmt, compare, label_key, leaf
from yujuesuan.checks.run import Rule

KIND = {"final": "决算", "budget": "预算"}
SCOPE = {"department": "部门", "unit": "单位"}


@dataclass
class CrossFinding:
    severity: str
    message: str
    locator: str | None = None
    expected: str | None = None
    actual: str | None = None
    page: int | None = None
    printed: str | None = None
    others: list[Figure] = field(default_factory=list)
    other_doc_ids: list[str] = field(default_factory=list)
    not_run: bool = False


def _doc(d: DocData) -> str:
    doc = d.document
    scope = SCOPE.get(doc.get("scope") or "", "")
    return f"{doc.get('year')} {scope}{KIND.get(doc.get('kind') or '', '')} ({doc['doc_id'][:12]})"


def _where(f: Figure) -> str:
    return f"p.{f.page}" if f.page else "no page"


@dataclass
class Tally:
    """How many figures a pair's rules compared (cross_pairs.compared)."""

    compared: int = 0


def match(
    actual: list[Figure],
    expected: list[tuple[Decimal, list[Figure]]],
    addends: int,
    rule: Rule,
    what: str,
    tally: Tally,
) -> CrossFinding | None:
    """None when some figure of the anchor equals some expected value; else the closest pair as a
    finding (info within 尾差, else the rule's severity)."""
    if actual and expected:
        tally.compared += 1
    best = None
    for a in actual:
        for value, sources in expected:
            outcome = compare(value, a.value, addends, rule.tolerance)
            if outcome is None:
                return None
            rank = (outcome != "info", abs(value - a.value))
            if best is None or rank < best[0]:
                best = (rank, outcome, a, value, sources)
    if best is None:
        return None
    _, outcome, a, value, sources = best
    severity = "info" if outcome == "info" else rule.severity
    there = "; ".join(f"{s.doc_id[:12]} {_where(s)} {_fmt(s.value)}" for s in sources)
    return CrossFinding(
        severity,
        f"{what}: {_fmt(a.value)} here ({_where(a)}), {_fmt(value)} from {there}.",
        locator=what,
        expected=str(value),
        actual=str(a.value),
        page=a.page,
        printed=a.printed,
        others=sources,
    )


def department_units(
    anchor: DocData, others: list[DocData], pair: Pair, rule: Rule, tally: Tally
) -> list[CrossFinding]:
    if pair.missing:
        return [
            CrossFinding(
                "info",
                f"Could not run: the {anchor.document.get('year')} 单位 report(s) of {', '.join(pair.missing)} are "
                "not in the warehouse (the 部门 report is compared with its units when all are published).",
                locator="members",
                not_run=True,
            )
        ]
    q = natural_qualifier(anchor)
    out = []
    for metric in rule.params.get("metrics", []):
        dept = figures(anchor, metric, q)
        parts = [figures(o, metric, q) for o in others]
        if not dept or not parts or any(not p for p in parts):
            continue
        if len(parts) == 1:
            expected = [(f.value, [f]) for f in parts[0]]
        else:
            chosen = [p[0] for p in parts]
            expected = [(sum((f.value for f in chosen), Decimal(0)), chosen)]
        units = "its 单位 report" if len(others) == 1 else f"the sum of its {len(others)} units' 单位 reports"
        f = match(dept, expected, len(others), rule, f"{metric} of the 部门 report vs {units}", tally)
        if f and not pair.declared and f.severity != "info" and Decimal(f.actual or 0) > Decimal(f.expected or 0):
            # units not declared: a 部门 report above its own 单位 report may hold other units
            f.severity = "info"
            f.message += (" The department may have other units: list them in data/units/departments.yaml to "
                          "compare it with their sum.")
        if f:
            out.append(f)
    return out


def final_budget(
    anchor: DocData, others: list[DocData], pair: Pair, rule: Rule, tally: Tally
) -> list[CrossFinding]:
    out = []
    budget_docs = ", ".join(_doc(o) for o in others)
    for metric in rule.params.get("metrics", []):
        stated = figures(anchor, metric, "budget")
        budgeted = [f for o in others for f in figures(o, metric, "budget")]
        if stated and budgeted:
            what = f"{metric} 年初预算 vs the 预算 {budget_docs}"
            f = match(stated, [(b.value, [b]) for b in budgeted], 1, rule, what, tally)
            if f:
                out.append(f)
    column = re.compile(rule.params.get("budget_column") or "$^")
    for v in anchor.variances:
        if not v.get("code") or v.get("initial_budget") is None:
            continue
        cells = [
            Figure(Decimal(i["value"]), o.document["doc_id"], i.get("page"), i.get("printed"), "line_items")
            for o in others
            for i in o.family("gpb_expenditure")
            if i.get("code") == v["code"] and i.get("value") is not None and column.search(leaf(i["column"]))
        ]
        if not cells:
            continue
        stated = [Figure(Decimal(v["initial_budget"]), anchor.document["doc_id"], v.get("page"), v.get("row_label"),
                         "variances")]
        what = f"code {v['code']} ({v.get('row_label')}) 年初预算 vs the 预算's 一般公共预算支出表"
        f = match(stated, [(c.value, [c]) for c in cells], 1, rule, what, tally)
        if f:
            out.append(f)
    return out


def prior_year(
    anchor: DocData, others: list[DocData], pair: Pair, rule: Rule, tally: Tally
) -> list[CrossFinding]:
    out = []
    q = natural_qualifier(anchor)
    year = anchor.document.get("year")
    for change in anchor.facts:
        metric = change.get("qualifier")
        if change.get("metric") != "yoy_change" or not metric or change.get("value") is None:
            continue
        if change.get("value_unit") not in (None, "元"):
            continue
        values = [
            f
            for f in anchor.facts
            if f.get("metric") == metric
            and f.get("sentence") == change.get("sentence")
            and f.get("qualifier") in (None, "", q)
            and f.get("value") is not None
        ]
        if not values:
            continue
        now = Decimal(values[0]["value"])
        stated = Figure(now - Decimal(change["value"]), anchor.document["doc_id"], change.get("page"),
                        change.get("sentence"), "facts")
        earlier = [f for o in others for f in figures(o, metric, q)]
        if not earlier:
            continue
        what = (f"{metric}: {year}'s {_fmt(now)} less its stated change on the year before "
                f"({_fmt(Decimal(change['value']))}) vs the {year - 1 if year else '?'} {KIND.get(q)}")
        f = match([stated], [(e.value, [e]) for e in earlier], 2, rule, what, tally)
        if f:
            out.append(f)
    out += _prior_columns(anchor, others, rule, tally)
    return out


def _prior_columns(anchor: DocData, others: list[DocData], rule: Rule, tally: Tally) -> list[CrossFinding]:
    """Cells under a 上年… column against the previous year's same row under the matching 本年 column."""
    out = []
    for i in anchor.items:
        if "上年" not in i["column"] or i.get("value") is None:
            continue
        key = (i["table_family"], i.get("section"), i.get("code") or label_key(i.get("row_label")))
        column = i["column"].replace("上年", "")
        cells = [
            Figure(Decimal(c["value"]), o.document["doc_id"], c.get("page"), c.get("printed"), "line_items")
            for o in others
            for c in o.items
            if (c["table_family"], c.get("section"), c.get("code") or label_key(c.get("row_label"))) == key
            and "上年" not in c["column"]
            and c["column"].replace("本年", "") == column
            and c.get("value") is not None
        ]
        if not cells:
            continue
        stated = Figure(Decimal(i["value"]), anchor.document["doc_id"], i.get("page"), i.get("printed"), "line_items")
        what = f"{i['table_family']} {key[2]} {i['column']} vs the year before's {column}"
        f = match([stated], [(c.value, [c]) for c in cells], 1, rule, what, tally)
        if f:
            out.append(f)
    return out


def revision(
    anchor: DocData, others: list[DocData], pair: Pair, rule: Rule, tally: Tally
) -> tuple[list[CrossFinding], list[dict]]:
    rows = diff(others[0], anchor, pair.order_basis)
    tally.compared += len({(i["table_family"], i.get("code"), i["column"]) for i in anchor.items + others[0].items})
    if not rows:
        return [], rows
    counts = {c: sum(r["change"] == c for r in rows) for c in ("changed", "added", "removed")}
    first = "; ".join(
        f"{r['table_family']} {r['code'] or r['row_label']} {r['column']}: "
        f"{_fmt(r['previous_value']) if r['previous_value'] is not None else '—'} → "
        f"{_fmt(r['value']) if r['value'] is not None else '—'}"
        for r in rows[:3]
    )
    earlier = others[0].document["doc_id"][:12]
    how = {"superseded": "supersedes", "fetched": "was published after"}.get(pair.order_basis, "is another version of")
    severity = "info" if pair.order_basis == "superseded" else rule.severity
    message = (
        f"This version {how} {earlier}: {counts['changed']} figure(s) changed, {counts['added']} added, "
        f"{counts['removed']} removed (the revisions table lists each), e.g. {first}."
    )
    return [CrossFinding(severity, message, locator="revisions", actual=str(len(rows)))], rows
