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
from extractors.settings import DEFAULT_SETTINGS, EngineSettings
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
    header_keys: frozenset[str] = frozenset()  # the lines above its first figure: a page repeating them runs it on

    @property
    def pages(self) -> list[int]:
        return sorted({s.page for s in self.segments})


def is_toc_page(lines: list[TextLine], settings: EngineSettings = DEFAULT_SETTINGS) -> bool:
    head = "".join(ln.key for ln in lines[: settings.toc_head_lines])
    if "目录" in head:
        return True
    return sum(1 for ln in lines if LEADER.search(ln.text)) >= settings.toc_min_leaders


def _title_at(
    lines: list[TextLine], i: int, kind: str | None, s: EngineSettings
) -> tuple[TableSpec, str, int] | None:
    """A title starting at line i: (spec, printed title, number of lines it uses)."""
    line = lines[i]
    if LEADER.search(line.text) or len(line.key) > s.title_max_chars:
        return None
    biggest = max([c.size for c in line.chars])
    floor = s.title_large_share * biggest
    large = "".join([c.text for c in line.chars if c.size >= floor])  # beside small print
    for seg in [line.text, *line.segments(), large]:
        spec = match_title(seg, kind)
        if spec:
            return spec, compact(seg), 1
    # a title wrapped over the next one or two short lines (the quotes of “三公” may sit alone)
    joined, height = line.text, line.bottom - line.top
    last = line
    for used in range(2, s.title_max_lines + 1):
        if i + used - 1 >= len(lines):
            break
        nxt = lines[i + used - 1]
        if nxt.top - last.bottom > s.title_wrap_gap_lines * height or len(nxt.key) > s.title_wrap_max_chars:
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


def _has_figure(line: TextLine, s: EngineSettings) -> bool:
    """A segment of the line is an amount."""
    return any(AMOUNT.match(seg.strip()) for seg in line.segments(s.segment_gap_pt))


def _looks_tabular(page: PageLayout, lines: list[TextLine], s: EngineSettings) -> bool:
    if sum(1 for r in page.rules if r.orientation == "h") >= s.tabular_min_rules:
        return True
    numeric = sum(1 for ln in lines if _has_figure(ln, s))
    return numeric >= min(s.tabular_min_figure_lines, len(lines)) and numeric >= s.tabular_figure_share * len(lines)


PREAMBLE = re.compile(expand("{preamble_words}"))
# the unit's heading line: its name, the year, the document's kind, and nothing else
HEADING = re.compile(expand(r"^[\u4e00-\u9fff（）()]{2,40}?\d{4}年度?{document_kinds}$"))


def _preamble(page: PageLayout, line: TextLine, s: EngineSettings) -> bool:
    """A line with no figure and no rule at its top or bottom, or the unit's heading line (unit, year,
    部门决算): the next table's heading text, not a row of the table above it."""
    if _has_figure(line, s) or NOTE.match(line.key):
        return False
    if not PREAMBLE.search(line.key):
        return False  # a label's wrapped tail (计) or a row of an unruled table
    if HEADING.match(line.key):
        return True  # the unit's heading above the title, ruled or not (a sheet's bordered title row)
    x0, x1 = line.chars[0].x0, line.chars[-1].x1
    reach = s.preamble_rule_reach_pt
    return not any(
        r.orientation == "h" and line.top - reach <= r.top <= line.bottom + reach and r.x0 < x1 and r.x1 > x0
        for r in page.rules
    )


FOOTER = re.compile(r"^(?=.)(公开\d{1,2}表)?([-—–]?\d{1,3}[-—–]?)?$|^第\d+页(共\d+页)?$")


def page_lines(page: PageLayout, settings: EngineSettings = DEFAULT_SETTINGS) -> list[TextLine]:
    """The page's text lines, without its footer (page number, a 公开NN表 label at the foot)."""
    lines = list(page.text_lines())
    while (
        lines
        and lines[-1].top > settings.footer_zone_share * page.height
        and FOOTER.match(lines[-1].key)
        and len(lines[-1].segments(settings.segment_gap_pt)) == 1  # digits apart: a wrapped figure's rests
        and not _ruled_below(page, lines[-1])
    ):
        lines.pop()
    return lines


def _ruled_below(page: PageLayout, line: TextLine) -> bool:
    """A rule under the line that spans it: the line is inside a ruled table (a figure's last digits
    wrapped onto a line of their own), not a page number below it."""
    x0, x1 = line.chars[0].x0, line.chars[-1].x1
    return any(r.orientation == "h" and r.top >= line.bottom - 1 and r.x0 <= x0 and r.x1 >= x1 for r in page.rules)


Title = tuple[int, TableSpec, str, int]  # (line index, spec, printed title, lines used)


def locate_tables(
    pages: list[PageLayout], kind: str | None = None, settings: EngineSettings = DEFAULT_SETTINGS
) -> list[TableRegion]:
    """The standard tables of the document, each with its segments page by page."""
    regions: list[TableRegion] = []
    open_region: TableRegion | None = None
    for page in pages:
        lines = page_lines(page, settings)
        if not lines:
            continue  # a blank page neither opens nor closes a table
        if is_toc_page(lines, settings):
            open_region = None
            continue
        titles = _titles(lines, kind, settings)
        if open_region is not None:
            open_region = _continue(open_region, page, lines, titles, settings)
        for n, title in enumerate(titles):
            next_i = titles[n + 1][0] if n + 1 < len(titles) else len(lines)
            region = _region(page, lines, title, next_i, settings)
            regions.append(region)
            open_region = None if region.note is not None else region
    return [r for r in regions if _holds_table(r, pages, settings)]


def _titles(lines: list[TextLine], kind: str | None, s: EngineSettings) -> list[Title]:
    """The table titles on a page's lines, top to bottom."""
    titles = []
    i = 0
    while i < len(lines):
        hit = _title_at(lines, i, kind, s)
        if hit:
            titles.append((i, *hit))
            i += hit[2]
        else:
            i += 1
    return titles


def _continue(
    region: TableRegion, page: PageLayout, lines: list[TextLine], titles: list[Title], s: EngineSettings
) -> TableRegion | None:
    """The lines above the page's first title continue the table open from the page before: add
    them as its segment. The region still open afterwards (None once a note or a non-table ends it)."""
    first_title_line = titles[0][0] if titles else len(lines)
    before = lines[:first_title_line]
    while before and (NUMBER_LABEL.match(before[-1].key) or (titles and _preamble(page, before[-1], s))):
        before.pop()  # the next table's 公开NN表 label or preamble line
    if not before:
        return region
    figures = any(_has_figure(ln, s) for ln in before)
    noted = any(NOTE.match(ln.key) for ln in before)
    repeated = 0  # the table's header printed again atop the page: its rows follow, however few
    while repeated < len(before) - 1 and before[repeated].key in region.header_keys:
        repeated += 1
    body = before[repeated:] if repeated else before
    tabular = bool(repeated) or (_looks_tabular(page, body, s) and (figures or noted))  # (a header: its rows,
    # however few, even the rest of a row the page break cut, lone digits)
    if not tabular and not region.header_keys and figures:  # the title alone at the page before's foot: a
        # header over a row of figures side by side (a sentence's figures are not apart in columns) is its table
        tabular = any(sum(1 for seg in ln.segments(s.segment_gap_pt) if AMOUNT.match(seg.strip())) >= 2
                      for ln in before)
    if PART_HEADING.match(before[0].key) or not tabular:
        # lines with no figure above the next title (a sheet's name, the unit's title
        # row) are that table's preamble, not the previous table running on
        return None
    end_line, note = _body_end(before, 0, s)
    bottom = before[end_line - 1].bottom + s.region_foot_pt if end_line else before[0].top
    region.segments.append(Segment(page.number, 0.0, bottom, continuation=True))
    if not region.header_keys:  # a title alone at a page's foot: its header is atop this page
        first_figure = next((k for k, ln in enumerate(before) if _has_figure(ln, s)), 0)
        region.header_keys = frozenset(ln.key for ln in before[:first_figure] if ln.key)
    if note is not None:
        _close(region, note)
        return None
    return region


def _region(page: PageLayout, lines: list[TextLine], title: Title, next_i: int, s: EngineSettings) -> TableRegion:
    """The region a title opens, down to its note, the next title or the page's end."""
    line_i, spec, printed_title, used = title
    # the next table's number label (公开04表, 表十二) stands above its title, and so may
    # its preamble: unruled lines without a figure (the unit's title row of a sheet)
    while next_i < len(lines) and next_i - 1 > line_i + used and (
        NUMBER_LABEL.match(lines[next_i - 1].key) or _preamble(page, lines[next_i - 1], s)
    ):
        next_i -= 1
    meta_end = line_i + used
    while meta_end < next_i and meta_end < line_i + used + s.meta_max_lines and META.search(lines[meta_end].key):
        meta_end += 1
    head = lines[max(0, line_i - s.number_lines_above) : meta_end]
    region = TableRegion(
        spec=spec,
        title=printed_title,
        printed_number=_printed_number(
            [ln.key for ln in head] + [x for ln in lines[line_i:meta_end] for x in ln.segments()]
        ),
        currency_unit=find_unit_label(" ".join(ln.text for ln in head)),
    )
    top = lines[meta_end - 1].bottom + s.region_gap_pt
    first_figure = next((k for k in range(meta_end, next_i) if _has_figure(lines[k], s)), meta_end)
    region.header_keys = frozenset(ln.key for ln in lines[meta_end:first_figure] if ln.key)
    end_line, note = _body_end(lines[:next_i], meta_end, s)
    if end_line < next_i:
        bottom = lines[end_line].top - s.region_gap_pt
    elif next_i < len(lines):
        bottom = lines[next_i].top - s.region_gap_pt
    else:
        bottom = lines[-1].bottom + s.region_foot_pt  # the footer (page number, 公开NN表) stays out
    region.segments.append(Segment(page.number, top, bottom))
    if note is not None:
        _close(region, note)
    return region


def _holds_table(region: TableRegion, pages: list[PageLayout], s: EngineSettings) -> bool:
    """A title with no rules, no figures and no 本表无数据 note under it is a mention in the
    text (a heading of the narrative, a contents line), not a table."""
    if region.empty_note:
        return True
    for seg in region.segments:
        page = pages[seg.page - 1]
        if any(r for r in page.rules if seg.top <= r.top <= seg.bottom):
            return True
        lines = [ln for ln in page_lines(page, s) if seg.top <= ln.top <= seg.bottom]
        if any(_has_figure(ln, s) for ln in lines):
            return True
    return False


def _body_end(lines: list[TextLine], start: int, s: EngineSettings) -> tuple[int, str | None]:
    """Index of the first note line at or after start (or len), and the note's text."""
    for j in range(start, len(lines)):
        key = lines[j].key
        if NOTE.match(key) or PART_HEADING.match(key):
            note = " ".join(ln.key for ln in lines[j : j + s.note_max_lines]) if NOTE.match(key) else None
            return j, note
    return len(lines), None


def _close(region: TableRegion, note: str) -> None:
    region.note = note if region.note is None else region.note + " " + note
    if EMPTY_NOTE.search(note):
        region.empty_note = True
