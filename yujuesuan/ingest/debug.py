"""The debug view of one page: what the table engine saw, drawn over the rendered page.

    yujuesuan debug report.pdf --page 7 --out page7.png

Ruling lines in grey, each table region found by its title in blue, the grid's column cuts in
red and row cuts in pink, header rows shaded yellow, and every cell outlined in green with its
column's role (C code, L label, N 行次, V value, · empty) and header path printed at the top, so a
misread is seen, not guessed. The stages are the extraction's own: what a TableReader
(extractors/reader.py) kept of locate, grid, cells, header and columns; nothing here reads
differently (continuation pages' shared columns and inherited header paths included).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageDraw

    from extractors.reader import TableReader

SCALE = 2.0
ROLE_MARK = {"code": "C", "label": "L", "line_no": "N", "value": "V", "empty": "·"}


@dataclass
class TableView:
    table: str
    title: str
    top: float
    bottom: float
    columns: list[tuple[str, str]] = field(default_factory=list)  # (role, header path)
    rows: int = 0
    header_rows: int = 0
    grid_source: str | None = None


def _pages(data: bytes) -> list:
    import pdfplumber

    from extractors.layout import read_page

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [read_page(p, i + 1) for i, p in enumerate(pdf.pages)]


def debug_page(data: bytes, page_no: int, out: str | Path) -> list[TableView]:
    """Draw the engine's view of page `page_no` (1-based) of a PDF into the PNG `out`; returns
    what was found on it, table by table. The stages drawn are the TableReader's own."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    from extractors.reader import TableReader

    pages = _pages(data)
    if not 1 <= page_no <= len(pages):
        raise ValueError(f"page {page_no} is not in the document (it has {len(pages)} page(s))")
    page = pages[page_no - 1]
    pdf = pdfium.PdfDocument(data)
    try:
        image = pdf[page_no - 1].render(scale=SCALE).to_pil().convert("RGB")
    finally:
        pdf.close()
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for r in page.rules:
        draw.rectangle(_box(r.x0, r.top, max(r.x1, r.x0 + 0.5), max(r.bottom, r.top + 0.5)), fill=(120, 120, 120, 160))
    reader = TableReader(pages)
    reader.locate()
    reader.read()
    views: list[TableView] = []
    for i, region in enumerate(reader.regions):
        for j, seg in enumerate(region.segments):
            if seg.page == page_no:
                views.append(_draw_segment(draw, reader, i, j, page.width))
    Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB").save(out)
    return views


def _box(x0: float, top: float, x1: float, bottom: float) -> list[float]:
    return [x0 * SCALE, top * SCALE, x1 * SCALE, bottom * SCALE]


def _draw_segment(draw: ImageDraw.ImageDraw, reader: TableReader, i: int, j: int, width: float) -> TableView:
    """Segment j of region i as the reader saw it: region, column and row cuts, header rows,
    cells, and each column's role and header path."""
    region, seg = reader.regions[i], reader.regions[i].segments[j]
    grid, matrix, cols = reader.grids[i][j], reader.matrices[i][j], reader.columns[i][j]
    view = TableView(region.printed_number or region.spec.number, region.title, seg.top, seg.bottom)
    font = _font()
    x_left = grid.xs[0] if grid else 20.0
    x_right = grid.xs[-1] if grid else width - 20
    draw.rectangle(_box(x_left - 4, seg.top, x_right + 4, seg.bottom), outline=(0, 90, 255, 255), width=3)
    draw.text((x_left * SCALE, max(0, seg.top * SCALE - 22)), f"{view.table} {region.title}",
              fill=(0, 90, 255, 255), font=font)
    if grid is None or matrix is None or cols is None:
        return view
    header, body = reader.headers[i][j]
    view.grid_source = grid.source
    view.rows, view.header_rows = len(body), len(header)
    view.columns = [(c.role, c.path or "") for c in cols]
    for r in header:
        draw.rectangle(_box(grid.xs[0], grid.ys[r], grid.xs[-1], grid.ys[r + 1]), fill=(255, 220, 0, 70))
    for x in grid.xs:
        draw.line([x * SCALE, grid.ys[0] * SCALE, x * SCALE, grid.ys[-1] * SCALE], fill=(230, 0, 0, 220), width=2)
    for y in grid.ys:
        draw.line([grid.xs[0] * SCALE, y * SCALE, grid.xs[-1] * SCALE, y * SCALE], fill=(255, 120, 160, 200))
    for row in matrix:
        for cell in row:
            if cell is not None:
                draw.rectangle(_box(cell.x0 - 1, cell.top - 1, cell.x1 + 1, cell.bottom + 1),
                               outline=(0, 160, 0, 230), width=1)
    for c in cols:
        label = ROLE_MARK.get(c.role, "?") + (f" {c.path}" if c.path else "")
        draw.text((c.x0 * SCALE + 2, grid.ys[0] * SCALE + 2), label[:24], fill=(200, 0, 0, 255), font=font)
    return view


def _font():  # noqa: ANN202 - PIL's font types
    """A font that has CJK glyphs for the header paths: the charts' Noto Sans CJK (mplfonts)."""
    from importlib import resources

    from PIL import ImageFont

    try:
        path = resources.files("mplfonts").joinpath("fonts", "NotoSansCJKsc-Regular.otf")
        return ImageFont.truetype(str(path), 16)
    except Exception:  # noqa: BLE001 - without it PIL's own font (no CJK, but the view still draws)
        return ImageFont.load_default()
