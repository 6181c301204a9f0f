"""A second grid engine: camelot's lattice reading of ruled tables.

camelot finds a table's ruling lines by image processing of the rendered page and gives its
column and row boundaries; the cells, header and rows are then read by the same stages as
with the pdfplumber grid (cells → reading), so the two engines differ only in the grid.
camelot needs a file on disk: the caller passes the path of a temporary copy. Pages with a
/Rotate, and pages where lattice finds no table over the segment, fall back to pdfplumber.
"""

from __future__ import annotations

import logging
import warnings
from functools import lru_cache

from extractors.grid import Grid, figure_lines_of
from extractors.layout import PageLayout

log = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _lattice(path: str, page: int) -> tuple:
    import camelot  # imported here: heavy, and only needed when this engine is chosen

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tables = camelot.read_pdf(path, pages=str(page), flavor="lattice")
        except Exception as exc:  # camelot raises on pages it cannot render or read
            log.info("camelot could not read page %s: %s", page, exc)
            return ()
    return tuple((t._bbox, tuple(t.cols), tuple(t.rows)) for t in tables)


def camelot_grid(path: str, page: PageLayout, top: float, bottom: float) -> Grid | None:
    """The lattice grid of the table over [top, bottom] on this page, or None."""
    if page.rotation:
        return None
    best = None
    for bbox, cols, rows in _lattice(path, page.number):
        t_top, t_bottom = page.height - bbox[3], page.height - bbox[1]
        overlap = min(bottom, t_bottom) - max(top, t_top)
        if overlap > 0 and (best is None or overlap > best[0]):
            best = (overlap, cols, rows)
    if best is None:
        return None
    _, cols, rows = best
    xs = [cols[0][0], *[c[1] for c in cols]]
    ys = sorted({page.height - rows[0][0], *[page.height - r[1] for r in rows]})
    ys = [y for y in ys if top - 1 <= y <= bottom + 1]
    if ys and ys[-1] < bottom - 1 and any(page.height - r[1] > bottom for r in rows):
        ys.append(bottom)  # the segment ends just below its last line, above the closing rule
    if len(xs) < 2 or len(ys) < 2:
        return None
    figures = figure_lines_of(page, ys[0], ys[-1])
    body_top = min(c.top for c in figures[0]) - 0.5 if figures else None
    return Grid(page.number, xs, ys, ys[0], ys[-1], "camelot", body_top)
