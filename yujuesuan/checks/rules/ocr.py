"""OCR values nothing vouches for, named cell by cell.

Each OCR figure keeps its confidence (`ocr_confidence`, the weakest of its digits) and box. The
accounting identities are the safety net: an OCR value is *verified* only when it takes part in at
least one identity that holds exactly (Σ children = parent, 合计 = Σ 类, a row sum, the 收支总表's
numbered rows and sides, a cross-table sum, or the same figure printed again: the same row in
another table, a figure the narrative states) and its row label and column header read as known
words (the code catalogue's name for its code, the standard tables' row and column names). Every
other OCR value is flagged on its cell, saying why:

- `table.ocr_suspect`: it takes part in a failing identity and in none that holds;
- `table.ocr_unverified`: it takes part in no identity, or its identities hold only within 尾差
  (a misread last digit is within 尾差 too);
- `table.ocr_misread`: its row label or column header does not read as known words (a header not
  read, Latin letters, a speck read as 。, a digit run into the words, a coded row without its code,
  a name that is not its code's, a header beside a misread one), so it may stand in the wrong cell.

A wrong value escapes only when errors cancel exactly, or a misassigned value lands under a known
name where its identities hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from statistics import median

from extractors.text import compact, is_cjk
from extractors.vocabulary import expand
from yujuesuan.checks.rules.base import TOTAL_COLUMN, DocData, Finding, label_key, leaf
from yujuesuan.codes import name_key, shipped

IDENTITIES = ("hierarchy_sum", "total_sum", "row_sum", "ordinal_sum", "balance", "row_formula", "cross_sum")


@dataclass
class Identity:
    """One evaluated identity: its rows, whether it holds exactly, fails, or holds within 尾差 only."""

    rows: list[dict]
    outcome: str  # holds | tail | fails
    locator: str


@dataclass
class Verdict:
    """What the safety net says about one OCR value."""

    holds: list[Identity] = field(default_factory=list)
    fails: list[Identity] = field(default_factory=list)
    tail: list[Identity] = field(default_factory=list)
    misread: str | None = None  # why its label or header is not known words

    @property
    def verified(self) -> bool:
        return bool(self.holds) and self.misread is None


def _identities(doc: DocData) -> tuple[list[Finding], list[list[dict]]]:
    """The failed identities of the document, and the rows of every identity evaluated on it."""
    found = _evaluate(doc)
    failed = [f for f, _ in found if f is not None and f.severity != "info"]
    return failed, [rows for _, rows in found]


def _evaluate(doc: DocData) -> list[tuple[Finding | None, list[dict]]]:
    """Every identity evaluated on the document: its finding (None when it holds exactly) and rows."""
    from yujuesuan.checks.rules import RULES
    from yujuesuan.checks.run import load_catalogue

    out: list[tuple[Finding | None, list[dict]]] = []
    for rule in load_catalogue():
        if rule.rule not in IDENTITIES or not rule.applies(doc):
            continue
        evaluated: list[list[dict]] = []
        cfg = {**rule.as_cfg(), "evaluated": evaluated}
        findings = {id(f.rows): f for f in RULES[rule.rule](doc, cfg) if not f.not_run}
        out += [(findings.get(id(rows)), rows) for rows in evaluated if rows]
    return out


_NET: list = [None, None]  # what the last document judged read, and its verdicts (the three rules share them)


def _fingerprint(doc: DocData, ocr: list[dict]) -> tuple:
    cells = tuple((id(i), i["value"], i["column"], i.get("row_label"), i.get("code"), i.get("section")) for i in ocr)
    tables = tuple((t["table_code"], tuple(t.get("columns") or ())) for t in doc.tables)
    return (id(doc), len(doc.items), len(doc.facts), doc.document.get("year"), cells, tables)


def net(doc: DocData) -> dict[int, Verdict]:
    """Each OCR value's verdict, by id() of its row."""
    ocr = _ocr_items(doc)
    key = _fingerprint(doc, ocr)
    if _NET[0] == key:
        return _NET[1]
    verdicts: dict[int, Verdict] = {id(i): Verdict() for i in ocr}
    if ocr:
        for finding, rows in _evaluate(doc):
            if finding is None:
                outcome, where = "holds", ""
            else:
                outcome = "tail" if finding.severity == "info" else "fails"
                where = f"{finding.table_code or ''} {finding.locator or ''}".strip()
            identity = Identity(rows, outcome, where)
            for i in rows:
                if id(i) in verdicts:
                    getattr(verdicts[id(i)], outcome).append(identity)
        for rows in _repeated(doc, ocr):
            identity = Identity(rows, "holds", "the same figure printed again")
            for i in rows:
                verdicts[id(i)].holds.append(identity)
        words = _words()
        for table, items in _by_table(ocr).items():
            for i, why in _misread_table(doc, table, items, words).items():
                verdicts[i].misread = why
    _NET[:] = [key, verdicts]
    return verdicts


def _by_table(items: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for i in items:
        out.setdefault(i["table_code"], []).append(i)
    return out


def _repeated(doc: DocData, ocr: list[dict]) -> list[list[dict]]:
    """Figures printed twice: the same row (its code, or its name) in two tables with the same value,
    or a value the narrative states. Two reads of one figure agree only when both are right (zero
    and one-digit figures are too common to vouch for anything)."""
    by_name: dict[tuple[str, Decimal], list[dict]] = {}
    for i in ocr:
        if abs(i["value"]) < 10:
            continue
        for name in {i.get("code") or "", name_key(label_key(i.get("row_label")))} - {"", "合计", "总计"}:
            by_name.setdefault((name, i["value"]), []).append(i)
    out = [rows for rows in by_name.values() if len({i["table_code"] for i in rows}) > 1]
    stated = {Decimal(f["value"]) for f in doc.facts if f.get("value") is not None and f.get("value_unit") == "元"}
    out += [[i] for i in ocr if abs(i["value"]) >= 10 and i["value"] in stated]
    return out


# --- the words a label or header may read as ---------------------------------------------------

LEAF_MISREAD = re.compile(r"^col\d+$|^[。，,.、:：;；'\"“”‘’·]|[A-Za-z]|^\d+(?=[\u4e00-\u9fff])(?!\d*年)")
LABEL_MISREAD = re.compile(r"^[。，,.、:：;；'\"“”‘’·]|[A-Za-z]|[\u4e00-\u9fff)）]\d+$")
TOTAL = re.compile(r"合计|总计|^其中")
CODED = 0.5  # a table whose rows have a code at least this often: a row without one lost it
SIDED = ("summary", "fiscal_summary")  # the 收支总表 families, whose expenditure side lists the 类 by name
NAME_LIKE = 0.75  # a coded row's label this close to its code's name is that name, a few characters misread


@dataclass(frozen=True)
class Words:
    columns: re.Pattern[str]
    totals: re.Pattern[str]  # a side's total, as a header may print it (收入合计, 本年支出合计 …)
    rows: dict[str, re.Pattern[str]]  # side (any | income | expenditure) → uncoded row labels
    function_tops: frozenset[str]  # the catalogue's names of the 类 of the function classification


def _words() -> Words:
    from yujuesuan.checks.run import load_catalogue

    rule = next(r for r in load_catalogue() if r.rule == "ocr_misread")
    params = rule.params

    def alternation(forms: list[str]) -> re.Pattern[str]:
        return re.compile("^(?:" + "|".join(f"(?:{f})" for f in forms) + ")$")

    catalogue = shipped()
    tops = frozenset(
        name_key(e.name) for code, entries in catalogue.by_code.items() if len(code) == 3 and code[0] == "2"
        for e in entries
    )
    totals = re.compile(
        expand("^(?:{year_income_total}|{year_expenditure_total}|{income_grand_total}|{expenditure_grand_total})$")
    )
    rows = {k: alternation(v) for k, v in params["rows"].items()}
    return Words(alternation(params["columns"]), totals, rows, tops)


def _misread(i: dict, coded: bool) -> str | None:
    """Why the cell's row label or column header looks misread by OCR, if it does (the shape alone)."""
    column_leaf = str(i.get("column") or "").split("/")[-1]
    label = str(i.get("row_label") or "")
    if LEAF_MISREAD.search(column_leaf):
        return f"its column header {column_leaf!r} does not read as the table's words"
    if not i.get("code") and LABEL_MISREAD.search(label):
        return f"its row label {label!r} does not read as the table's words"
    if coded and not i.get("code") and not TOTAL.search(label):
        return "its row has no classification code where the table's rows have one (the code was not read)"
    return None


def _cjk(text: str) -> str:
    return "".join(ch for ch in compact(text) if is_cjk(ch))


def _unknown_levels(column: str, words: Words) -> list[str]:
    return [level for level in column.split("/") if not words.columns.match(compact(level))]


def _near(label: str, names: list) -> bool:
    """Whether the label is one of the names with a few characters misread (specks, one wrong character)."""
    read = _cjk(label)
    return any(SequenceMatcher(None, read, _cjk(e.name)).ratio() >= NAME_LIKE for e in names) if read else False


def _label_unknown(doc: DocData, i: dict, words: Words) -> str | None:
    """Why the row's label is not a known name: not its code's name, or no standard row's label."""
    label = str(i.get("row_label") or "")
    if i.get("code"):
        verdict = (doc.catalogue or shipped()).check(i["code"], label, doc.document.get("year"))
        if verdict.outcome == "unknown_code":
            return f"its code {i['code']} is not in the code catalogue (a misread code?), so its row is not known"
        if not verdict.accepted and not _near(label, (doc.catalogue or shipped()).names(i["code"])):
            return f"its row label {label!r} is not the catalogue's name for code {i['code']} ({verdict.expected})"
        return None
    key = label_key(label)
    if key == "" and i.get("table_family") == "sangong":
        return None  # the one row of a 三公 table needs no label
    sides = ["any", i.get("section") or "income", i.get("section") or "expenditure"]
    if any(words.rows[s].match(key) for s in sides if s in words.rows):
        return None
    sided = i.get("table_family") in SIDED
    if sided and i.get("section") != "income" and name_key(key) in words.function_tops:
        return None
    if i.get("section") and (other := "expenditure" if i["section"] == "income" else "income") in words.rows:
        if words.rows[other].match(key) or (sided and other == "expenditure" and name_key(key) in words.function_tops):
            return f"its row label {label!r} is a row of the {other} side, read on the {i['section']} side"
    return f"its row label {label!r} is no standard row's name"


def _misread_table(doc: DocData, table: str, items: list[dict], words: Words) -> dict[int, str]:
    """id(item) → why its label or header is not known words, for one table's OCR values."""
    rows = {(i.get("row_index"), i.get("panel")): i for i in items}
    coded = sum(1 for i in rows.values() if i.get("code")) >= CODED * len(rows)
    printed = next((t.get("columns") or [] for t in doc.tables if t["table_code"] == table), [])
    columns = list(dict.fromkeys([*printed, *(i["column"] for i in items)]))
    unknown = {c: u for c in columns if (u := _unknown_levels(c, words))}
    beside = {}  # a known header that, run together with a misread one beside it, makes a known name
    for left, right in zip(printed, printed[1:], strict=False):
        if (left in unknown) == (right in unknown):
            continue
        known, misread = (right, left) if left in unknown else (left, right)
        if not _cjk(leaf(misread)):
            continue  # nothing of a name was read there (col4): it cut no header in two
        joined = _cjk(leaf(left)) + _cjk(leaf(right))
        if words.columns.match(joined) or words.totals.match(joined):
            beside[known] = misread
    totals = _second_totals(columns, items)
    out: dict[int, str] = {}
    for i in items:
        why = _misread(i, coded)
        if not why and i["column"] in unknown:
            why = f"its column header {'/'.join(unknown[i['column']])!r} is no standard table's column name"
        if not why and i["column"] in beside:
            why = (
                f"its column header and the misread header {beside[i['column']]!r} beside it read as one name "
                "(a header cut in two)"
            )
        if not why and i["column"] in totals:
            why = f"its column {i['column']!r} is a second total column beside {totals[i['column']]!r}"
        if not why:
            why = _label_unknown(doc, i, words)
        if why:
            out[id(i)] = why
    return out


def _second_totals(columns: list[str], items: list[dict]) -> dict[str, str]:
    """Total columns under one header beside another total column holding more figures: the header
    of one of them was misread (本年收入合计 read as 合计 on some rows)."""
    count: dict[str, int] = {}
    for i in items:
        count[i["column"]] = count.get(i["column"], 0) + 1
    groups: dict[str, list[str]] = {}
    for c in columns:
        if TOTAL_COLUMN.match(leaf(c)):
            groups.setdefault(c.rpartition("/")[0], []).append(c)
    out = {}
    for group in groups.values():
        if len(group) > 1:
            main = max(group, key=lambda c: count.get(c, 0))
            out.update({c: main for c in group if c != main})
    return out


# --- the rules ---------------------------------------------------------------------------------


def _cell(i: dict) -> str:
    return f"{i.get('code') or i['row_label']} / {i['column']}"


def _medians(items: list[dict]) -> dict[str, float]:
    by_table: dict[str, list[float]] = {}
    for i in items:
        if i.get("ocr_confidence") is not None:
            by_table.setdefault(i["table_code"], []).append(i["ocr_confidence"])
    return {t: median(v) for t, v in by_table.items()}


def _suspect_cell(cfg: dict, i: dict, medians: dict[str, float], why: str) -> Finding:
    """A finding on one OCR cell: what was read, its confidence against the table's median, and `why`."""
    conf = i.get("ocr_confidence")
    read = f"with confidence {conf:.2f}" if conf is not None else "without a digit to rate"
    if i["table_code"] in medians:
        read += f" (the table's median: {medians[i['table_code']]:.2f})"
    return Finding(
        cfg["severity"],
        f"Table {i['table_code']}: {_cell(i)} was read by OCR as {i.get('printed')!r} {read} and {why}; "
        f"check it against page {i.get('page')}.",
        table_code=i["table_code"],
        locator=f"page {i.get('page')}, row {i.get('row_index')}, column {i['column']}",
        actual=i.get("printed"),
        rows=[i],
    )


def _ocr_items(doc: DocData) -> list[dict]:
    """The values read by OCR (a figure without digits, such as -, has no confidence of its own)."""
    return [i for i in doc.items if i.get("ocr_confidence") is not None or i.get("engine") == "ocr"]


def _flag(doc: DocData, cfg: dict, why: Callable[[Verdict], str | None]) -> list[Finding]:
    """A finding on each OCR value for which `why(verdict)` gives a reason."""
    ocr = _ocr_items(doc)
    if not ocr:
        return []
    medians = _medians(ocr)
    verdicts = net(doc)
    out = []
    for i in ocr:
        reason = why(verdicts[id(i)])
        if reason:
            out.append(_suspect_cell(cfg, i, medians, reason))
    return out


def ocr_suspect(doc: DocData, cfg: dict) -> list[Finding]:
    def why(v: Verdict) -> str | None:
        if v.holds or not v.fails or v.misread:
            return None
        return f"takes part in a failed identity ({v.fails[0].locator}) and in none that holds"

    return _flag(doc, cfg, why)


def ocr_unverified(doc: DocData, cfg: dict) -> list[Finding]:
    def why(v: Verdict) -> str | None:
        if v.holds or v.fails or v.misread:
            return None
        if v.tail:
            return f"its identities hold only within 尾差 ({v.tail[0].locator}), as a misread last digit would"
        return "no accounting identity checks it"

    return _flag(doc, cfg, why)


def ocr_misread(doc: DocData, cfg: dict) -> list[Finding]:
    def why(v: Verdict) -> str | None:
        return f"{v.misread}, so the value may stand in the wrong cell" if v.misread else None

    return _flag(doc, cfg, why)
