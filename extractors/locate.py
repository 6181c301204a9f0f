"""Stage 2 — locate: find the standard tables in a document by their printed titles.

A table is recognised by title (specs/tables.yaml), never by position. Its region on a page
runs from below its title block (title, 公开NN表, 部门：…, 单位：…) to the next title, a note
(注：/说明：) or the page end. A page with no title that follows an open table and looks like a
table (rules, or lines of amounts) continues it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.layout import PageLayout, TextLine
from extractors.money import AMOUNT, find_unit_label
from extractors.spec import TableSpec, match_title
from extractors.text import compact
from extractors.vocabulary import expand

CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
PRINTED_NO = re.compile(
    r"公开(\d{1,2})表|公开表([一二三四五六七八九十]{1,3})$|^表(\d{1,2})$|^表([一二三四五六七八九十]{1,3})$|附表(\d{1,2})"
)
NOTE = re.compile(r"^((注|说明|备注)\d*)?[:：]")
EMPTY_NOTE = re.compile(r"本表无数据|故本表为空|本表为空表|无数据|空表")
NUMBER_LABEL = re.compile(
    r"^(公开\d{1,2}表|公开表[一二三四五六七八九十]{1,3}|表[一二三四五六七八九十\d]{1,3}|附表\d*)$"
)
PART_HEADING = re.compile(r"^第[一二三四五六七八九十]+部分")
LEADER = re.compile(r"[…\.·]{4,}")
META = re.compile(
    r"^(编制)?(部门|部门名称|单位|预算单位|主管部门|编制单位)[:：]|单位[:：]|金额单位|公开\d+表|^公开表[一二三四五六七八九十]+$"
    r"|^表[一二三四五六七八九十\d]+$"
)


def cn_to_int(text: str) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CN_NUM.get(text[1:], 0)
    if "十" in text:
        a, _, b = text.partition("十")
        return CN_NUM.get(a, 0) * 10 + (CN_NUM.get(b, 0) if b else 0)
    return CN_NUM.get(text)


@dataclass
class Segment:
    """The part of one page that holds (part of) a table's header and body."""

    page: int
    top: float
    bottom: float
    continuation: bool = False


@dataclass
class TableRegion:
    spec: TableSpec
    title: str
    printed_number: str | None
    currency_unit: str | None
    segments: list[Segment] = field(default_factory=list)
    note: str | None = None
    empty_note: bool = False

    @property
    def pages(self) -> list[int]:
        return sorted({s.page for s in self.segments})


def is_toc_page(lines: list[TextLine]) -> bool:
    head = "".join(ln.key for ln in lines[:4])
    if "目录" in head:
        return True
    return sum(1 for ln in lines if LEADER.search(ln.text)) >= 3


def _title_at(lines: list[TextLine], i: int, kind: str | None) -> tuple[TableSpec, str, int] | None:
    """A title starting at line i: (spec, printed title, number of lines it uses)."""
    line = lines[i]
    if LEADER.search(line.text) or len(line.key) > 60:
        return None
    biggest = max(c.size for c in line.chars)
    large = "".join(c.text for c in line.chars if c.size >= 0.9 * biggest)  # a title beside small print
    for seg in [line.text, *line.segments(), large]:
        spec = match_title(seg, kind)
        if spec:
            return spec, compact(seg), 1
    # a title wrapped over the next one or two short lines (the quotes of “三公” may sit alone)
    joined, height = line.text, line.bottom - line.top
    last = line
    for used in (2, 3):
        if i + used - 1 >= len(lines):
            break
        nxt = lines[i + used - 1]
        if nxt.top - last.bottom > 2 * height or len(nxt.key) > 6:
            break
        joined += nxt.text
        last = nxt
        spec = match_title(joined, kind)
        if spec:
            return spec, compact(joined), used
    return None


def _printed_number(keys: list[str]) -> str | None:
    for key in keys:
        for seg in re.split(r"\s+", key):
            m = PRINTED_NO.search(seg)
            if m:
                raw = next(g for g in m.groups() if g)
                n = cn_to_int(raw)
                if n:
                    return f"{n:02d}"
    return None


def _looks_tabular(page: PageLayout, lines: list[TextLine]) -> bool:
    if sum(1 for r in page.rules if r.orientation == "h") >= 2:
        return True
    numeric = 0
    for ln in lines:
        if any(AMOUNT.match(s.strip()) for s in ln.segments(6.0)):
            numeric += 1
    return numeric >= min(2, len(lines)) and numeric >= 0.3 * len(lines)


PREAMBLE = re.compile(expand("{preamble_words}"))


def _preamble(page: PageLayout, line: TextLine) -> bool:
    """A line with no figure and no rule at its top or bottom: the next table's heading text,
    not a row of the table above it."""
    if any(AMOUNT.match(s.strip()) for s in line.segments(6.0)) or NOTE.match(line.key):
        return False
    if not PREAMBLE.search(line.key):
        return False  # a label's wrapped tail (计) or a row of an unruled table
    x0, x1 = line.chars[0].x0, line.chars[-1].x1
    return not any(
        r.orientation == "h" and line.top - 4 <= r.top <= line.bottom + 4 and r.x0 < x1 and r.x1 > x0
        for r in page.rules
    )


FOOTER = re.compile(r"^(?=.)(公开\d{1,2}表)?([-—–]?\d{1,3}[-—–]?)?$|^第\d+页(共\d+页)?$")


def page_lines(page: PageLayout) -> list[TextLine]:
    """The page's text lines, without its footer (page number, a 公开NN表 label at the foot)."""
    lines = list(page.text_lines())
    while lines and lines[-1].top > 0.75 * page.height and FOOTER.match(lines[-1].key):
        lines.pop()
    return lines


def locate_tables(pages: list[PageLayout], kind: str | None = None) -> list[TableRegion]:
    regions: list[TableRegion] = []
    open_region: TableRegion | None = None
    for page in pages:
        lines = page_lines(page)
        if not lines:
            continue  # a blank page neither opens nor closes a table
        if is_toc_page(lines):
            open_region = None
            continue
        titles = []
        i = 0
        while i < len(lines):
            hit = _title_at(lines, i, kind)
            if hit:
                titles.append((i, *hit))
                i += hit[2]
            else:
                i += 1
        # continuation of the table open from the previous page
        first_title_line = titles[0][0] if titles else len(lines)
        before = lines[:first_title_line]
        while before and (NUMBER_LABEL.match(before[-1].key) or (titles and _preamble(page, before[-1]))):
            before.pop()  # the next table's 公开NN表 label or preamble line
        if open_region is not None and before:
            figures = any(AMOUNT.match(seg.strip()) for ln in before for seg in ln.segments(6.0))
            noted = any(NOTE.match(ln.key) for ln in before)
            if PART_HEADING.match(before[0].key) or not _looks_tabular(page, before) or not (figures or noted):
                # lines with no figure above the next title (a sheet's name, the unit's title
                # row) are that table's preamble, not the previous table running on
                open_region = None
            else:
                end_line, note = _body_end(before, 0)
                bottom = before[end_line - 1].bottom + 1 if end_line else before[0].top
                open_region.segments.append(Segment(page.number, 0.0, bottom, continuation=True))
                if note is not None:
                    _close(open_region, note)
                    open_region = None
        if not titles:
            continue
        for n, (line_i, spec, title, used) in enumerate(titles):
            next_i = titles[n + 1][0] if n + 1 < len(titles) else len(lines)
            # the next table's number label (公开04表, 表十二) stands above its title, and so may
            # its preamble: unruled lines without a figure (the unit's title row of a sheet)
            while next_i < len(lines) and next_i - 1 > line_i + used and (
                NUMBER_LABEL.match(lines[next_i - 1].key) or _preamble(page, lines[next_i - 1])
            ):
                next_i -= 1
            meta_end = line_i + used
            while meta_end < next_i and meta_end < line_i + used + 4 and META.search(lines[meta_end].key):
                meta_end += 1
            window = [ln.key for ln in lines[max(0, line_i - 2) : meta_end]]
            window_text = " ".join(ln.text for ln in lines[max(0, line_i - 2) : meta_end])
            region = TableRegion(
                spec=spec,
                title=title,
                printed_number=_printed_number(window + [s for ln in lines[line_i:meta_end] for s in ln.segments()]),
                currency_unit=find_unit_label(window_text),
            )
            top = lines[meta_end - 1].bottom + 0.5
            end_line, note = _body_end(lines[:next_i], meta_end)
            if end_line < next_i:
                bottom = lines[end_line].top - 0.5
            elif next_i < len(lines):
                bottom = lines[next_i].top - 0.5
            else:
                bottom = lines[-1].bottom + 1.0  # the footer (page number, 公开NN表) stays out
            region.segments.append(Segment(page.number, top, bottom))
            regions.append(region)
            open_region = region
            if note is not None:
                _close(region, note)
                open_region = None
    return [r for r in regions if _holds_table(r, pages)]


def _holds_table(region: TableRegion, pages: list[PageLayout]) -> bool:
    """A title with no rules, no figures and no 本表无数据 note under it is a mention in the
    text (a heading of the narrative, a contents line), not a table."""
    if region.empty_note:
        return True
    for seg in region.segments:
        page = pages[seg.page - 1]
        if any(r for r in page.rules if seg.top <= r.top <= seg.bottom):
            return True
        lines = [ln for ln in page_lines(page) if seg.top <= ln.top <= seg.bottom]
        if any(AMOUNT.match(s.strip()) for ln in lines for s in ln.segments(6.0)):
            return True
    return False


def _body_end(lines: list[TextLine], start: int) -> tuple[int, str | None]:
    """Index of the first note line at or after start (or len), and the note's text."""
    for j in range(start, len(lines)):
        key = lines[j].key
        if NOTE.match(key) or PART_HEADING.match(key):
            note = " ".join(ln.key for ln in lines[j : j + 4]) if NOTE.match(key) else None
            return j, note
    return len(lines), None


def _close(region: TableRegion, note: str) -> None:
    region.note = note if region.note is None else region.note + " " + note
    if EMPTY_NOTE.search(note):
        region.empty_note = True
