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


def read_cells(page: PageLayout, grid: Grid) -> list[list[Cell | None]]:
    """A rows × columns matrix; None where a cell holds no characters."""
    buckets: dict[tuple[int, int], list[Char]] = {}
    for c in page.chars:
        if not (grid.ys[0] <= c.yc < grid.ys[-1]) or not (grid.xs[0] - 2 <= c.xc <= grid.xs[-1] + 2):
            continue
        r = _col_of(c.yc, grid.ys)
        k = _col_of(c.xc, grid.xs)
        buckets.setdefault((r, k), []).append(c)
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
