"""Stage 3 — grid: column and row boundaries of a table segment.

Columns come from vertical ruling lines where the producer drew them, and otherwise from the
words' positions: white corridors that run down the whole body of the table. Rows come from
horizontal rules, split further where one ruled band holds several lines of figures (tables
with no horizontal rules are read line by line).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from extractors.layout import Char, PageLayout, Rule, group_lines
from extractors.money import AMOUNT
from extractors.settings import DEFAULT_SETTINGS, EngineSettings
from extractors.vocabulary import expand


@dataclass
class Grid:
    page: int
    xs: list[float]  # column boundaries, left to right (len = columns + 1)
    ys: list[float]  # row boundaries, top to bottom (len = rows + 1)
    top: float
    bottom: float
    source: str  # "rules" | "text" | "rules+text" | camelot
    body_top: float | None = None  # where the first line of figures starts (None: no figures)
    text_cuts: list[float] = field(default_factory=list)  # boundaries found in the text, not ruled

    @property
    def ncols(self) -> int:
        return len(self.xs) - 1

    @property
    def nrows(self) -> int:
        return len(self.ys) - 1


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(g) / len(g) for g in out]


def segment_chars(page: PageLayout, top: float, bottom: float) -> list[Char]:
    return [c for c in page.chars if top <= (c.top + c.bottom) / 2 < bottom]  # `Char.yc`, inlined


def segment_rules(
    page: PageLayout, top: float, bottom: float, settings: EngineSettings = DEFAULT_SETTINGS
) -> list[Rule]:
    out = []
    margin = settings.rule_margin_pt
    for r in page.rules:
        if r.orientation == "v":
            a, b = max(r.top, top), min(r.bottom, bottom)
            if b - a >= settings.rule_min_length_pt:
                out.append(Rule("v", r.x0, r.x1, a, b))
        elif top - margin <= r.top <= bottom + margin:
            out.append(r)
    return out


def text_corridors(
    lines: list[list[Char]], x_min: float, x_max: float, allow: int = 0, settings: EngineSettings = DEFAULT_SETTINGS
) -> list[float]:
    """x positions of white corridors crossing all (but `allow`) of the given text lines.

    The width is read in steps of `corridor_step_pt`; coverage is kept as runs between the characters'
    edges, so the work grows with the characters, not with the width (one glyph at x = 10⁹
    costs nothing).
    """
    if not lines:
        return []
    step = settings.corridor_step_pt
    n = int((x_max - x_min) / step) + 2
    delta: dict[int, int] = {}  # cover changes at these steps
    for line in lines:
        spans = []
        for c in line:
            a = max(0, int((c.x0 - x_min) / step))
            b = min(n - 1, int((c.x1 - x_min) / step))
            if a <= b:
                spans.append((a, b + 1))
        spans.sort()
        merged: list[list[int]] = []
        for a, b in spans:  # a line covers a step once, however many characters touch it
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in merged:
            delta[a] = delta.get(a, 0) + 1
            delta[b] = delta.get(b, 0) - 1
    # maximal runs of steps [k, j) whose cover is at most `allow`
    edges = sorted({0, n, *(k for k in delta if k < n)})
    white: list[list[int]] = []
    cover = 0
    for k, j in zip(edges, edges[1:], strict=False):
        cover += delta.get(k, 0)
        if cover <= allow:
            if white and white[-1][1] == k:
                white[-1][1] = j
            else:
                white.append([k, j])
    cuts = []
    for k, j in white:
        if k > 0 and j < n and (j - k) * step >= settings.corridor_min_width_pt:  # inner corridors only
            # cut near the corridor's left edge: figures are right-aligned and their
            # column headers, centred above them, reach further left than the figures
            cuts.append(x_min + min(k * step + settings.corridor_cut_offset_pt, (k + j) / 2 * step))
    return cuts


def _token_chars(line: list[Char], settings: EngineSettings) -> list[list[Char]]:
    """The line's characters in runs apart by more than the token gap."""
    out: list[list[Char]] = []
    for c in line:
        if out and c.x0 - out[-1][-1].x1 <= settings.token_gap_pt:
            out[-1].append(c)
        else:
            out.append([c])
    return out


def _tokens(line: list[Char], settings: EngineSettings) -> list[str]:
    return ["".join(c.text for c in t) for t in _token_chars(line, settings)]


def _is_figure_line(line: list[Char], settings: EngineSettings) -> bool:
    """Does this text line hold an amount as a separate token?"""
    return any(AMOUNT.match(t) for t in _tokens(line, settings))


def _is_column_numbers(line: list[Char], settings: EngineSettings) -> bool:
    """The 栏次 row: its word, or the columns numbered 1, 2, 3 … alone (their digits centred where the
    figures below stand right-aligned: they would cut columns of their own)."""
    if COLUMN_NUMBERS.search("".join(c.text for c in line)):
        return True
    numbers = [t.strip() for t in _tokens(line, settings) if t.strip()]
    if len(numbers) < 3 or not all(t.isascii() and t.isdigit() and len(t) <= 2 for t in numbers):
        return False
    return all(int(t) == n for n, t in enumerate(numbers, int(numbers[0])))


def build_grid(
    page: PageLayout, top: float, bottom: float, settings: EngineSettings = DEFAULT_SETTINGS
) -> Grid | None:
    """The grid of the segment of `page` between `top` and `bottom`; None where it holds no text."""
    chars = segment_chars(page, top, bottom)
    if not chars:
        return None
    rules = segment_rules(page, top, bottom, settings)
    left = min(c.x0 for c in chars) - settings.segment_margin_pt
    right = max(c.x1 for c in chars) + settings.segment_margin_pt
    lines = group_lines(chars)
    figure_lines = _figure_lines(lines, settings)
    xs, source, text_cuts = _columns(rules, lines, figure_lines, left, right, settings)
    hr = [r for r in rules if r.orientation == "h"]
    ys = _rows(hr, lines, xs, top, bottom, settings)
    if len(ys) < 2:
        return None
    body_top = min(c.top for c in figure_lines[0]) - settings.body_top_margin_pt if figure_lines else None
    grid = Grid(page.number, xs, ys, top, bottom, "rules" if hr and source != "text" else source, body_top)
    grid.text_cuts = text_cuts
    return grid


def _columns(
    rules: list[Rule],
    lines: list[list[Char]],
    figure_lines: list[list[Char]],
    left: float,
    right: float,
    s: EngineSettings,
) -> tuple[list[float], str, list[float]]:
    """(column boundaries, "rules" | "rules+text" | "text", the boundaries cut in the text)."""
    xs_rules = _cluster([(r.x0 + r.x1) / 2 for r in rules if r.orientation == "v"], s.rule_merge_pt)
    if len(xs_rules) < s.min_column_rules:
        body = figure_lines if len(figure_lines) >= s.min_figure_lines else lines
        xs = text_columns(body, left, right, s)
        if len(xs_rules) and xs_rules[0] < left:
            xs[0] = xs_rules[0]
        return _cluster(xs, s.column_merge_pt), "text", []
    xs = xs_rules
    # rules drawn only around part of the table (e.g. the header) leave wide columns:
    # split them where the figure lines show a corridor
    extra = []
    body = figure_lines or lines
    for (a, b), inside in zip(zip(xs, xs[1:], strict=False), _within(body, xs), strict=True):
        margin = s.ruled_cut_margin_pt
        cuts = [x for x in text_corridors(inside, a, b, settings=s) if a + margin < x < b - margin]
        extra += [x for x in cuts if _splits_figures(inside, x)]
    source = "rules"
    if extra:
        xs = sorted(xs + extra)
        source = "rules+text"
    if xs[0] > left + s.edge_column_pt:
        xs.insert(0, left)
    if xs[-1] < right - s.edge_column_pt:
        xs.append(right)
    return _cluster(xs, s.column_merge_pt), source, extra


def _within(lines: list[list[Char]], xs: list[float]) -> list[list[list[Char]]]:
    """Per gap between consecutive boundaries of the sorted `xs`, the lines' characters whose
    centre lies strictly inside it, line by line (lines with none there left out): each
    character placed once by bisection, not tested against every gap."""
    out: list[list[list[Char]]] = [[] for _ in xs[1:]]
    last = len(xs) - 1
    for ln in lines:
        per_gap: dict[int, list[Char]] = {}
        for c in ln:
            xc = (c.x0 + c.x1) / 2  # `Char.xc`, inlined
            k = bisect_left(xs, xc)  # xs[k - 1] < xc <= xs[k]
            if 0 < k <= last and xc < xs[k]:
                per_gap.setdefault(k - 1, []).append(c)
        for k, chars in per_gap.items():
            out[k].append(chars)
    return out


def _rows(
    hr: list[Rule], lines: list[list[Char]], xs: list[float], top: float, bottom: float, s: EngineSettings
) -> list[float]:
    """Row boundaries: the horizontal rules' bands, each split where it holds several rows."""
    ys_rules = _cluster([r.top for r in hr], s.rule_merge_pt)
    ys_rules = [y for y in ys_rules if top - s.rule_margin_pt <= y <= bottom + s.rule_margin_pt]
    edges = _cluster([top, *[y for y in ys_rules if top < y < bottom], bottom], s.rule_merge_pt)
    ys: list[float] = []
    centres = [(sum([(c.top + c.bottom) / 2 for c in ln]) / len(ln), ln) for ln in lines]  # once, not per band
    for a, b in zip(edges, edges[1:], strict=False):
        band_lines = [ln for yc, ln in centres if a <= yc < b]
        if not band_lines:
            continue
        cuts = [a]
        if len(band_lines) > 1 and (_needs_split(band_lines, xs) or _words_over_figures(band_lines, s)):
            for upper, lower in zip(band_lines, band_lines[1:], strict=False):
                cuts.append((max(c.bottom for c in upper) + min(c.top for c in lower)) / 2)
        cuts.append(b)
        for y in cuts:
            if not ys or y - ys[-1] > s.row_edge_min_pt:
                ys.append(y)
    return ys


def text_columns(
    lines: list[list[Char]], left: float, right: float, settings: EngineSettings = DEFAULT_SETTINGS
) -> list[float]:
    """Column boundaries of a table without vertical rules, from its lines of figures.

    A total row's label (合计) may span the code and label columns: it does not count against
    a corridor; every other line must leave the corridor white.
    """
    spanning = [ln for ln in lines if _is_total_line(ln)]
    if len(lines) - len(spanning) >= settings.min_corridor_lines:
        lines = [ln for ln in lines if not _is_total_line(ln)]
    return [left, *text_corridors(lines, left, right, settings=settings), right]


def figure_lines_of(
    page: PageLayout, top: float, bottom: float, settings: EngineSettings = DEFAULT_SETTINGS
) -> list[list[Char]]:
    return _figure_lines(group_lines(segment_chars(page, top, bottom)), settings)


def _figure_lines(lines: list[list[Char]], settings: EngineSettings) -> list[list[Char]]:
    """The lines holding an amount, the 栏次 row aside."""
    return [ln for ln in lines if _is_figure_line(ln, settings) and not _is_column_numbers(ln, settings)]


COLUMN_NUMBERS = re.compile(expand("{column_numbers}"))
TOTAL_START = ("合计", "总计", "小计", "收入总计", "支出总计", "本年收入合计", "本年支出合计")


def _is_total_line(line: list[Char]) -> bool:
    text = "".join(c.text for c in line).replace(" ", "")
    return text.startswith(TOTAL_START)


def _splits_figures(lines: list[list[Char]], x: float) -> bool:
    """Split a ruled column only where the corridor puts a figure on its right, with text on
    its left on the same line: numbers of adjacent columns printed into one ruled cell, or a
    panel whose label and amount columns share a ruled cell."""
    for ln in lines:
        left = [c for c in ln if c.x1 <= x]
        right = "".join(c.text for c in ln if c.x0 >= x)
        if left and right and AMOUNT.match(right):
            return True
    return False


def _needs_split(band_lines: list[list[Char]], xs: list[float]) -> bool:
    """A band is several rows when two of its lines put text into the same value column.

    Wrapped labels put several lines into one text column, but never two amounts into one
    column, nor words into a column of amounts (a header's words above a lone body row of an
    unruled continuation page): so split only where a column receives an amount on one line and
    another amount, or words, on another.
    """
    pieces: dict[int, list[str]] = {}  # column → its digits' text, line by line
    words: set[int] = set()  # columns that receive text without a digit on some line
    for ln in band_lines:
        by_col: dict[int, str] = {}
        for c in ln:
            k = _col_of(c.xc, xs)
            by_col[k] = by_col.get(k, "") + c.text.strip()
        for col, text in by_col.items():
            if any(ch.isdigit() for ch in text):
                pieces.setdefault(col, []).append(text)
            elif text:
                words.add(col)
    if any(len(p) > 1 and not _wrapped_amount(p) for p in pieces.values()):
        return True
    return any(col in words and any(AMOUNT.match(t) for t in p) for col, p in pieces.items())


def _words_over_figures(band_lines: list[list[Char]], settings: EngineSettings) -> bool:
    """Lines of words without a digit above a band's figures, spread over their columns (two words or
    more right of the first figure: a header above a lone body row, no rule between them): a row of their
    own. A wrapped label is one piece in its column; a figure's wrapped rest has digits."""
    def tokens(ln: list[Char]) -> list[list[Char]]:
        return [t for t in _token_chars(ln, settings) if "".join(c.text for c in t).strip()]

    figures = [(n, t[0].x0) for n, ln in enumerate(band_lines) for t in tokens(ln)
               if AMOUNT.match("".join(c.text for c in t))]
    if not figures:
        return False
    first_line, left = min(n for n, _ in figures), min(x for _, x in figures)
    return any(not any(c.text.isdigit() for c in ln) and sum(1 for t in tokens(ln) if t[0].x0 >= left) >= 2
               for ln in band_lines[:first_line])


def _wrapped_amount(pieces: list[str]) -> bool:
    """Lines of one ruled cell that are one amount wrapped in a narrow column (11,867,5 | 02.80, or
    18,303.0 | 2): the pieces joined are one amount, and a piece alone is none or stops short of its cents."""
    whole = all(AMOUNT.match(p) for p in pieces) and not any(cut_short(p) for p in pieces[:-1])
    return bool(AMOUNT.match("".join(pieces))) and not whole


def cut_short(text: str) -> bool:
    """A figure's line that stops short of the figure's end: no amount (5,393,57, 238,201.), or one decimal."""
    return not AMOUNT.match(text) or bool(CUT_DECIMALS.search(text))


CUT_DECIMALS = re.compile(r"\.\d?$")


def _col_of(x: float, xs: list[float]) -> int:
    """The column (or row) of the sorted boundaries `xs` holding `x`: i where xs[i] <= x < xs[i + 1];
    the last one beyond the right edge, the first one before the left."""
    i = bisect_right(xs, x) - 1
    if i < 0:
        return 0
    return i if i < len(xs) - 1 else len(xs) - 2
