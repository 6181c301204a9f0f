"""Stage 4 — cells: characters placed into the grid, with each cell's text and box."""

from __future__ import annotations

from dataclasses import dataclass

from extractors.grid import Grid, _col_of
from extractors.layout import Char, PageLayout, group_lines

SPACE_GAP = 0.35  # a gap wider than this share of the font size is a space


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


def _cell_text(chars: list[Char]) -> tuple[str, int]:
    lines = group_lines(chars)
    parts = []
    for ln in lines:
        s = ""
        prev: Char | None = None
        for c in ln:
            size = c.bottom - c.top
            if prev is not None and c.x0 - prev.x1 > SPACE_GAP * size:
                s += " "
            s += c.text
            prev = c
        parts.append(s)
    return "".join(parts) if len(parts) == 1 else "\n".join(parts), len(parts)


def _content_centres(chars: list[Char], grid: Grid) -> list[float] | None:
    if grid.body_top is None:
        return None
    spans: list[list[float]] = [[] for _ in range(grid.ncols)]
    for c in chars:
        if c.yc >= grid.body_top:
            k = _col_of(c.xc, grid.xs)
            spans[k] += [c.x0, c.x1]
    return [(min(sp) + max(sp)) / 2 if sp else (grid.xs[i] + grid.xs[i + 1]) / 2 for i, sp in enumerate(spans)]


def read_cells(page: PageLayout, grid: Grid) -> list[list[Cell | None]]:
    """A rows × columns matrix; None where a cell holds no characters."""
    buckets: dict[tuple[int, int], list[Char]] = {}
    inside = [c for c in page.chars if grid.ys[0] <= c.yc < grid.ys[-1] and grid.xs[0] - 2 <= c.xc <= grid.xs[-1] + 2]
    centres = _content_centres(inside, grid)
    head = [c for c in inside if centres and c.yc < grid.body_top]
    for c in inside:
        if not (centres and c.yc < grid.body_top):
            buckets.setdefault((_col_of(c.yc, grid.ys), _col_of(c.xc, grid.xs)), []).append(c)
    # header words of a grid without vertical rules: centred over their column they can
    # overhang the cut; each word goes whole to the column whose figures lie nearest
    for line in group_lines(head):
        words: list[list[Char]] = [[line[0]]] if line else []
        for prev, c in zip(line, line[1:], strict=False):
            if c.x0 - prev.x1 > 0.6 * (c.bottom - c.top):
                words.append([])
            words[-1].append(c)
        for word in words:
            xc = (word[0].x0 + word[-1].x1) / 2
            k = min(range(grid.ncols), key=lambda i: abs(centres[i] - xc))
            buckets.setdefault((_col_of(word[0].yc, grid.ys), k), []).extend(word)
    matrix: list[list[Cell | None]] = [[None] * grid.ncols for _ in range(grid.nrows)]
    for (r, k), chars in buckets.items():
        text, n = _cell_text(chars)
        matrix[r][k] = Cell(
            row=r,
            col=k,
            text=text,
            x0=min(c.x0 for c in chars),
            top=min(c.top for c in chars),
            x1=max(c.x1 for c in chars),
            bottom=max(c.bottom for c in chars),
            lines=n,
        )
    return matrix
