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

import yaml

from extractors.layout import PageLayout
from extractors.locate import page_lines
from extractors.money import UNIT_FACTOR, to_decimal, to_rate, to_yuan, yuan_in_range
from extractors.records import LineItem
from extractors.text import compact

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
VARIANCE = re.compile(
    r"(?:\d+[.、])?([^。;,]{2,40}?)\(类\)([^。;,]{2,40}?)\(款\)([^。;,]{2,60}?)\(项\)[。:,]?"
    r"(?:主要用于[^。]*。)?"  # 上海: what the line pays for, before its figures
    r"(年初|全年)预算为([\d,]+(?:\.\d+)?)万元,支出决算为([\d,]+(?:\.\d+)?)万元"
    r"(?:,完成(?:年初|全年)预算(?:数)?的([\d.]+)%)?[。;]?(?:([^。]*?(?:原因|持平)[^。]*)。)?"
)


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
    data = yaml.safe_load(resources.files("extractors").joinpath("specs/facts.yaml").read_text(encoding="utf-8"))
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


def _wan(number: str) -> Decimal | None:
    v = to_decimal(number)
    yuan = to_yuan(v, "万元") if v is not None else None
    return yuan if yuan is not None and yuan_in_range(yuan) else None


@dataclass
class Unparsed:
    """A metric named in a clause whose figure could not be read."""

    metric: str
    sentence: str
    page: int


def extract_facts(pages: list[PageLayout], doc_id: str, unparsed: list[Unparsed] | None = None) -> list[Fact]:
    """Facts stated in the text; clauses that name a metric and hold a figure of its kind that
    could not be tied to it are appended to `unparsed`."""
    text, starts = _text_with_pages(pages)
    hits: list[tuple[int, int, str, str, str | None]] = []  # start, end, metric, unit kind, qualifier
    for metric, kind, rx, named in vocabulary():
        for m in rx.finditer(text):
            hits.append((m.start(), m.end(), metric, kind, m.group(0) if named else None))
    # at one position the longest phrase wins; a phrase inside a longer one is not a hit
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    kept: list[tuple[int, int, str, str, str | None]] = []
    for h in hits:
        if kept and h[0] < kept[-1][1]:
            continue
        kept.append(h)
    facts: list[Fact] = []
    for n, (start, end, metric, kind, named) in enumerate(kept):
        stop = kept[n + 1][0] if n + 1 < len(kept) else len(text)
        sentence_end = SENTENCE_END.search(text, end)
        stop = min(stop, sentence_end.start() if sentence_end else len(text))
        sentence_start = max(text.rfind("。", 0, start), text.rfind(";", 0, start)) + 1
        sentence = text[sentence_start : (sentence_end.start() + 1 if sentence_end else len(text))]
        cursor = end
        taken = 0
        for m in NUMBER.finditer(text, end, stop):
            words = text[cursor : m.start()]
            cursor = m.end()
            unit_kind = UNIT_KIND[m.group(2)]
            if unit_kind == "percent":
                # a rate read with its words: a growth rate, or a share (占); completion rates
                # (完成预算的) are the variances' business
                rate = to_rate(m.group(1))
                if rate is None:
                    continue
                if taken and CHANGE.search(words):
                    rate = -rate if re.search(r"减少|下降", words) else rate
                    facts.append(Fact(doc_id, "yoy_change_pct", rate, "%", sentence, _page_at(starts, start), metric))
                elif words.endswith("占") or re.search(r"占[^,;]{0,12}的$", words):
                    facts.append(Fact(doc_id, "share", rate, "%", sentence, _page_at(starts, start), metric))
                continue
            if unit_kind != kind:
                continue
            if taken == 0 and m.start() - end > (MAX_GAP if kind == "money" else 4):
                if unparsed is not None:
                    unparsed.append(Unparsed(metric, sentence, _page_at(starts, start)))
                break  # the number is too far from the phrase to be its value
            if taken and (kind == "count" or not (QUALIFIED.search(words) or CHANGE.search(words))):
                break  # a further number belongs to something else unless 预算/决算/增减 names it
            read = _value(m.group(1), m.group(2))
            if read is None:
                if unparsed is not None:
                    unparsed.append(Unparsed(metric, sentence, _page_at(starts, start)))
                break  # not a figure (a misprint, or beyond any budget)
            taken += 1
            value, value_unit = read
            qualifier = named
            if CHANGE.search(words):
                if re.search(r"减少|下降", words):
                    value = -value
                facts.append(Fact(doc_id, "yoy_change", value, value_unit, sentence, _page_at(starts, start), metric))
                continue
            if "预算" in words and "决算" not in words:
                qualifier = "budget"
            elif "决算" in words:
                qualifier = "final"
            facts.append(Fact(doc_id, metric, value, value_unit, sentence, _page_at(starts, start), qualifier))
    return facts


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
    text, starts = _text_with_pages(pages)
    out = []
    for m in VARIANCE.finditer(text):
        lei, kuan, xiang = m.group(1), m.group(2), m.group(3)
        lei = re.split(r"\d+[.、]|[:]", lei)[-1]  # "其中:1.一般公共服务支出" → the 类 name
        code = _resolve_code((lei, kuan, xiang), items)
        budget, final = _wan(m.group(5)), _wan(m.group(6))
        rate = to_rate(m.group(7)) if m.group(7) else None
        if budget is None or final is None:
            continue  # misprinted or absurd figures: no variance can be read
        initial = m.group(4) == "年初"
        out.append(
            Variance(
                doc_id=doc_id,
                row_label=f"{lei}/{kuan}/{xiang}",
                code=code,
                initial_budget=budget if initial else None,
                adjusted_budget=None if initial else budget,
                final=final,
                completion_rate=rate,
                completion_basis="initial" if initial else "adjusted",
                reason=m.group(8),
                page=_page_at(starts, m.start()),
            )
        )
    return out
