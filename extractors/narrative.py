"""Narrative facts and budget variances from a document's 情况说明.

Grammar, not one pattern per document: a metric's phrase (specs/facts.yaml), then within the
same clause its numbers, each read with the words just before it — 预算(数)为 → budget,
(支出)决算(数)为 → final, 增加/减少 (比上年) → a year-on-year change, 占 → a share (skipped
here). The 预算 vs 决算 explanation (年初预算为…支出决算为…完成年初预算的…%) becomes
variances, its 类/款/项 names resolved to codes through the document's own tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from extractors.layout import PageLayout
from extractors.locate import page_lines
from extractors.money import UNIT_FACTOR, to_decimal, to_rate, to_yuan, yuan_in_range
from extractors.records import LineItem
from extractors.text import compact
from extractors.yamltext import load_yaml

NUMBER = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)(万元|亿元|元|%|个|人次|辆|台\(套\)|台|分)")
UNIT_KIND = {
    "万元": "money",
    "亿元": "money",
    "元": "money",
    "个": "count",
    "人次": "count",
    "辆": "count",
    "台(套)": "count",
    "台": "count",
    "分": "score",
    "%": "percent",
}
SENTENCE_END = re.compile(r"[。;!?]")
QUALIFIED = re.compile(r"预算|决算")
MAX_GAP = 14  # characters between a phrase and its first number
CHANGE = re.compile(r"(增加|减少|增长|下降|上升|持平)")
# the 预算 vs 决算 explanation: a 类/款/项 heading, then its figures in any order and unit
HEADING = re.compile(r"(?:\d+[.、])?([^。;,]{2,40}?)\(类\)([^。;,]{2,40}?)\(款\)([^。;,]{2,60}?)\(项\)")
MONEY = re.compile(r"(-?\d[\d,]*(?:\.\d+)?)(万元|亿元|元)|(-?\d[\d,]*(?:\.\d+)?)%")
BUDGET_WORDS = re.compile(r"预算")
ADJUSTED_WORDS = re.compile(r"全年|调整")
FINAL_WORDS = re.compile(r"决算|实际支出|执行数|支出数")
REASON = re.compile(r"[^。]*(?:原因|持平|主要是|主要用于)[^。]*")
WORDS_BEFORE = 16  # characters before a figure that say what it is
SEGMENT = 600  # a line's figures follow its heading within this many characters


@dataclass
class Fact:
    doc_id: str
    metric: str
    value: Decimal
    value_unit: str  # 元 | % | count | score
    sentence: str
    page: int
    qualifier: str | None = None
    unit_id: str | None = None
    year: int | None = None


@dataclass
class Variance:
    doc_id: str
    row_label: str
    final: Decimal | None
    page: int
    code: str | None = None
    initial_budget: Decimal | None = None  # 年初预算
    adjusted_budget: Decimal | None = None  # 全年预算 (the budget after adjustments), where the text uses it
    completion_rate: Decimal | None = None  # as printed, against completion_basis
    completion_basis: str | None = None  # "initial" (年初预算) | "adjusted" (全年预算)
    reason: str | None = None
    unit_id: str | None = None
    year: int | None = None


@cache
def vocabulary() -> tuple[tuple[str, str, re.Pattern[str], bool], ...]:
    """(metric, unit kind, phrase, whether the matched phrase is the fact's qualifier)."""
    data = load_yaml(resources.files("extractors").joinpath("specs/facts.yaml").read_text(encoding="utf-8"))
    out = []
    for entry in data["facts"]:
        for phrase in entry["phrases"]:
            out.append((entry["metric"], entry["unit"], re.compile(phrase), entry.get("qualifier") == "phrase"))
    return tuple(out)


def _text_with_pages(pages: list[PageLayout]) -> tuple[str, list[tuple[int, int]]]:
    """All pages' text, whitespace removed (lines wrap mid-sentence), with page start offsets."""
    parts, starts, pos = [], [], 0
    for page in pages:
        t = "".join(line.key for line in page_lines(page))  # without page numbers and footers
        starts.append((pos, page.number))
        parts.append(t)
        pos += len(t)
    return "".join(parts), starts


def _page_at(starts: list[tuple[int, int]], offset: int) -> int:
    page = starts[0][1] if starts else 1
    for pos, number in starts:
        if pos <= offset:
            page = number
    return page


def _value(number: str, unit: str) -> tuple[Decimal, str] | None:
    """A stated figure in 元 (money) or as printed; None when it is no number or absurd."""
    if unit in UNIT_FACTOR:
        v = to_decimal(number)
        yuan = to_yuan(v, unit) if v is not None else None
        return (yuan, "元") if yuan is not None and yuan_in_range(yuan) else None
    v = to_rate(number)
    return (v, {"%": "%", "分": "score"}.get(unit, "count")) if v is not None else None


@dataclass
class Unparsed:
    """A metric named in a clause whose figure could not be read."""

    metric: str
    sentence: str
    page: int


Hit = tuple[int, int, str, str, str | None]  # start, end, metric, unit kind, qualifier


@dataclass(frozen=True)
class _Clause:
    """Where a metric's phrase stands: what every fact read after it shares."""

    doc_id: str
    metric: str
    sentence: str
    page: int

    def fact(self, metric: str, value: Decimal, unit: str, qualifier: str | None) -> Fact:
        return Fact(self.doc_id, metric, value, unit, self.sentence, self.page, qualifier)


def extract_facts(pages: list[PageLayout], doc_id: str, unparsed: list[Unparsed] | None = None) -> list[Fact]:
    """Facts stated in the text; clauses that name a metric and hold a figure of its kind that
    could not be tied to it are appended to `unparsed`."""
    text, starts = _text_with_pages(pages)
    hits = _phrase_hits(text)
    facts: list[Fact] = []
    for n, hit in enumerate(hits):
        next_start = hits[n + 1][0] if n + 1 < len(hits) else len(text)
        facts += _clause_facts(text, hit, next_start, doc_id, _page_at(starts, hit[0]), unparsed)
    return facts


def _phrase_hits(text: str) -> list[Hit]:
    """Every metric phrase in the text; at one position the longest phrase wins, and a phrase
    inside a longer one is not a hit."""
    hits: list[Hit] = []
    for metric, kind, rx, named in vocabulary():
        for m in rx.finditer(text):
            hits.append((m.start(), m.end(), metric, kind, m.group(0) if named else None))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    kept: list[Hit] = []
    for h in hits:
        if kept and h[0] < kept[-1][1]:
            continue
        kept.append(h)
    return kept


def _clause_facts(
    text: str, hit: Hit, next_start: int, doc_id: str, page: int, unparsed: list[Unparsed] | None
) -> list[Fact]:
    """The numbers after a phrase up to the next phrase or the sentence's end, each read with
    the words just before it."""
    start, end, metric, kind, named = hit
    sentence_end = SENTENCE_END.search(text, end)
    stop = min(next_start, sentence_end.start() if sentence_end else len(text))
    sentence_start = max(text.rfind("。", 0, start), text.rfind(";", 0, start)) + 1
    clause = _Clause(doc_id, metric, text[sentence_start : (sentence_end.start() + 1 if sentence_end else len(text))],
                     page)
    facts: list[Fact] = []
    cursor, taken = end, 0
    for m in NUMBER.finditer(text, end, stop):
        words = text[cursor : m.start()]
        cursor = m.end()
        unit_kind = UNIT_KIND[m.group(2)]
        if unit_kind == "percent":
            rate = _rate_fact(clause, m.group(1), words, after_figure=taken > 0)
            facts += [rate] if rate else []
            continue
        if unit_kind != kind:
            continue
        if taken == 0 and m.start() - end > (MAX_GAP if kind == "money" else 4):
            if unparsed is not None:
                unparsed.append(Unparsed(metric, clause.sentence, page))
            break  # the number is too far from the phrase to be its value
        if taken and (kind == "count" or not (QUALIFIED.search(words) or CHANGE.search(words))):
            break  # a further number belongs to something else unless 预算/决算/增减 names it
        read = _value(m.group(1), m.group(2))
        if read is None:
            if unparsed is not None:
                unparsed.append(Unparsed(metric, clause.sentence, page))
            break  # not a figure (a misprint, or beyond any budget)
        taken += 1
        facts.append(_stated_fact(clause, read, words, named))
    return facts


def _rate_fact(clause: _Clause, number: str, words: str, *, after_figure: bool) -> Fact | None:
    """A rate read with its words: a growth rate (after a figure), or a share (占); completion
    rates (完成预算的) are the variances' business."""
    rate = to_rate(number)
    if rate is None:
        return None
    if after_figure and CHANGE.search(words):
        return clause.fact("yoy_change_pct", -rate if re.search(r"减少|下降", words) else rate, "%", clause.metric)
    if words.endswith("占") or re.search(r"占[^,;]{0,12}的$", words):
        return clause.fact("share", rate, "%", clause.metric)
    return None


def _stated_fact(clause: _Clause, read: tuple[Decimal, str], words: str, named: str | None) -> Fact:
    """A figure of the metric's kind: a year-on-year change where 增加/减少 precedes it, else the
    metric itself, qualified 预算 (budget) or 决算 (final) by the words before it."""
    value, value_unit = read
    if CHANGE.search(words):
        if re.search(r"减少|下降", words):
            value = -value
        return clause.fact("yoy_change", value, value_unit, clause.metric)
    qualifier = named
    if "预算" in words and "决算" not in words:
        qualifier = "budget"
    elif "决算" in words:
        qualifier = "final"
    return clause.fact(clause.metric, value, value_unit, qualifier)


def _resolve_code(names: tuple[str, str, str], items: list[LineItem]) -> str | None:
    """类/款/项 names → a 7-digit code, through the document's coded rows."""
    by_label: dict[str, set[str]] = {}
    for i in items:
        if i.code:
            by_label.setdefault(compact(i.row_label), set()).add(i.code)
    lei, kuan, xiang = (compact(n) for n in names)
    for c1 in by_label.get(lei, ()):
        if len(c1) != 3:
            continue
        for c2 in by_label.get(kuan, ()):
            if len(c2) == 5 and c2.startswith(c1):
                for c3 in by_label.get(xiang, ()):
                    if len(c3) == 7 and c3.startswith(c2):
                        return c3
    return None


def extract_variances(pages: list[PageLayout], doc_id: str, items: list[LineItem]) -> list[Variance]:
    """Each 类/款/项 line of the 预算 vs 决算 explanation: its budget and final figures read by the
    words before them (年初预算/全年预算/调整预算 … → the budget and its basis; 决算/支出决算/实际
    支出 → the final), in 元, 万元 or 亿元, with or without separators; the completion rate; the
    sentence giving the reason."""
    text, starts = _text_with_pages(pages)
    heads = list(HEADING.finditer(text))
    out = []
    for n, m in enumerate(heads):
        end = min(heads[n + 1].start() if n + 1 < len(heads) else len(text), m.end() + SEGMENT)
        figures = _line_figures(text, m.end(), end)
        if figures.final is None and figures.budget is None:
            continue  # a heading without figures (a list of lines, a table caption)
        lei, kuan, xiang = m.group(1), m.group(2), m.group(3)
        lei = re.split(r"\d+[.、]|[:]", lei)[-1]  # "其中:1.一般公共服务支出" → the 类 name
        out.append(
            Variance(
                doc_id=doc_id,
                row_label=f"{lei}/{kuan}/{xiang}",
                code=_resolve_code((lei, kuan, xiang), items),
                initial_budget=figures.budget if figures.basis == "initial" else None,
                adjusted_budget=figures.budget if figures.basis == "adjusted" else None,
                final=figures.final,
                completion_rate=figures.rate,
                completion_basis=figures.basis,
                reason=figures.reason,
                page=_page_at(starts, m.start()),
            )
        )
    return out


@dataclass
class _LineFigures:
    budget: Decimal | None = None
    basis: str | None = None  # initial | adjusted
    final: Decimal | None = None
    rate: Decimal | None = None
    reason: str | None = None


def _line_figures(text: str, start: int, end: int) -> _LineFigures:
    got = _LineFigures()
    segment = text[start:end]
    last = used = 0
    for f in MONEY.finditer(segment):
        if got.final is not None and got.budget is not None and "。" in segment[used : f.start()]:
            break  # the line's sentence is over: later figures belong to what follows
        words = segment[max(last, f.start() - WORDS_BEFORE) : f.start()]
        words = re.split(r"[,。;]", words)[-1] or words  # the clause the figure belongs to
        last = f.end()
        if f.group(3) is not None:  # a percentage: the completion rate (完成年初预算的 105.31%)
            if got.rate is None and ("完成" in words or "预算" in words):
                got.rate = to_rate(f.group(3).replace(",", ""))
                got.basis = got.basis or ("adjusted" if ADJUSTED_WORDS.search(words) else "initial")
                used = f.end()
            continue
        read = _value(f.group(1), f.group(2))
        if read is None:
            continue  # a misprinted or absurd figure: not this line's
        value = read[0]
        if FINAL_WORDS.search(words) and got.final is None:
            got.final, used = value, f.end()
        elif BUDGET_WORDS.search(words) and got.budget is None:
            got.budget, used = value, f.end()
            got.basis = "adjusted" if ADJUSTED_WORDS.search(words) else "initial"
    if got.final is not None or got.budget is not None:
        tail = segment[used:].lstrip("%。;,")  # the reason is the sentence right after the figures
        reason = REASON.match(tail)
        got.reason = reason.group(0).strip("。;,") if reason and reason.group(0).strip("。;,") else None
    return got
