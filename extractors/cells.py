"""Stage 4 — cells: characters placed into the grid, with each cell's text and box."""

from __future__ import annotations

from dataclasses import dataclass

from extractors.grid import Grid, _col_of
from extractors.layout import Char, PageLayout, group_lines
from extractors.settings import DEFAULT_SETTINGS, EngineSettings


@dataclass
class Cell:
    row: int
    col: int
    text: str  # as printed, lines joined, spaces kept where the gap was wide
    x0: float
    top: float
    x1: float
    bottom: float
    lines: int = 1
    span: int = 1  # header cells: how many grid columns the ruled cell covers


def _cell_text(chars: list[Char], settings: EngineSettings) -> tuple[str, int]:
    lines = group_lines(chars)
    parts = []
    for ln in lines:
        s = ""
        prev: Char | None = None
        for c in ln:
            size = c.bottom - c.top
            if prev is not None and c.x0 - prev.x1 > settings.space_gap_share * size:
                s += " "
            s += c.text
            prev = c
        parts.append(s)
    return "".join(parts) if len(parts) == 1 else "\n".join(parts), len(parts)


def _content_centres(chars: list[Char], grid: Grid) -> list[float]:
    spans: list[list[float]] = [[] for _ in range(grid.ncols)]
    for c in chars:
        if grid.body_top is not None and c.yc >= grid.body_top:
            spans[_col_of(c.xc, grid.xs)] += [c.x0, c.x1]
    return [(min(sp) + max(sp)) / 2 if sp else (grid.xs[i] + grid.xs[i + 1]) / 2 for i, sp in enumerate(spans)]


def _crossing_rules(page: PageLayout, yc: float, s: EngineSettings) -> list[float]:
    """x of the vertical rules that cross the line whose centre is at `yc`."""
    reach = s.rule_reach_pt
    return [(r.x0 + r.x1) / 2 for r in page.rules if r.orientation == "v" and r.top - reach <= yc <= r.bottom + reach]


def _words(
    chars: list[Char], s: EngineSettings, page: PageLayout | None = None, xs: list[float] | None = None
) -> list[list[Char]]:
    """Runs of characters on one line; with `page`, a run is also cut where a vertical rule
    crosses it (text of adjacent ruled cells printed without a gap), and with `xs` where a
    column boundary of the body lies in a gap between two characters (unruled header cells)."""
    words: list[list[Char]] = []
    for line in group_lines(chars):
        yc = sum(c.yc for c in line) / len(line)
        rules = _crossing_rules(page, yc, s) if page is not None else []
        words.append([line[0]])
        cuts = [x for x in (xs or [])[1:-1]] if not rules else []
        for prev, c in zip(line, line[1:], strict=False):
            gap = c.x0 - prev.x1
            slack = s.boundary_slack_pt
            at_boundary = gap > s.column_gap_pt and any(prev.x1 - slack <= x <= c.x0 + slack for x in cuts)
            if gap > s.word_gap_share * (c.bottom - c.top) or at_boundary or any(prev.xc < x < c.xc for x in rules):
                words.append([])
            words[-1].append(c)
    return words


def _ruled_span(word: list[Char], page: PageLayout, grid: Grid, s: EngineSettings) -> tuple[int, int]:
    """Columns of the ruled cell holding a header word: between the nearest vertical rules
    that cross the word's line (a spanning header has no rule inside it at its height)."""
    yc = sum(c.yc for c in word) / len(word)
    x0, x1 = word[0].x0, word[-1].x1
    crossing = _crossing_rules(page, yc, s)
    if not crossing:
        # a header row without vertical rules above a ruled body: the word is in the columns it
        # covers (more than half of a column's width), or else the one holding its centre
        share = s.header_cover_share
        covered = [k for k in range(grid.ncols)
                   if min(x1, grid.xs[k + 1]) - max(x0, grid.xs[k]) > (grid.xs[k + 1] - grid.xs[k]) * share]
        if not covered:
            k = _col_of((x0 + x1) / 2, grid.xs)
            return k, k
        return covered[0], covered[-1]
    crossing += [x for x in grid.text_cuts if not x0 < x < x1]  # cuts the figures showed
    left = max((x for x in crossing if x <= x0 + s.ruled_span_slack_pt), default=grid.xs[0])
    right = min((x for x in crossing if x >= x1 - s.ruled_span_slack_pt), default=grid.xs[-1])
    slack = s.ruled_span_column_slack_pt
    cols = [k for k in range(grid.ncols) if grid.xs[k] >= left - slack and grid.xs[k + 1] <= right + slack]
    if not cols:
        k = _col_of((x0 + x1) / 2, grid.xs)
        return k, k
    return cols[0], cols[-1]


def read_cells(page: PageLayout, grid: Grid, settings: EngineSettings = DEFAULT_SETTINGS) -> list[list[Cell | None]]:
    """A rows × columns matrix; None where a cell holds no characters."""
    s = settings
    buckets: dict[tuple[int, int], list[Char]] = {}
    spans: dict[tuple[int, int], int] = {}
    margin = s.cell_margin_pt
    inside: list[Char] = []
    in_header: list[Char] = []
    ys, xs, body_top = grid.ys, grid.xs, grid.body_top
    top, bottom, left, right = ys[0], ys[-1], xs[0] - margin, xs[-1] + margin
    for c in page.chars:  # each centre computed once (Char.yc, Char.xc)
        yc = (c.top + c.bottom) / 2
        if not top <= yc < bottom:
            continue
        xc = (c.x0 + c.x1) / 2
        if not left <= xc <= right:
            continue
        inside.append(c)
        if body_top is not None and yc < body_top:
            in_header.append(c)
        else:
            buckets.setdefault((_col_of(yc, ys), _col_of(xc, xs)), []).append(c)
    # header words go whole to one cell. With vertical rules, the cell is the ruled cell around
    # the word (it may span columns); without, the column whose figures lie nearest: centred
    # over its column, a header word can overhang the white corridor the columns were cut at
    centres = _content_centres(inside, grid) if grid.source == "text" else None
    for word in _words(in_header, s, None if centres is not None else page, None if centres is not None else grid.xs):
        row = _col_of(word[0].yc, grid.ys)
        if centres is not None:
            xc = (word[0].x0 + word[-1].x1) / 2
            first = last = min(range(grid.ncols), key=lambda i: abs(centres[i] - xc))
        else:
            first, last = _ruled_span(word, page, grid, s)
        buckets.setdefault((row, first), []).extend(word)
        spans[(row, first)] = max(spans.get((row, first), 1), last - first + 1)
    matrix: list[list[Cell | None]] = [[None] * grid.ncols for _ in range(grid.nrows)]
    for (r, k), chars in buckets.items():
        text, n = _cell_text(chars, s)
        matrix[r][k] = Cell(
            row=r,
            col=k,
            text=text,
            x0=min([c.x0 for c in chars]),  # lists, not generators: one cell per figure
            top=min([c.top for c in chars]),
            x1=max([c.x1 for c in chars]),
            bottom=max([c.bottom for c in chars]),
            lines=n,
            span=spans.get((r, k), 1),
        )
    return matrix
