"""The debug view of one page: what the table engine saw, drawn over the rendered page.

    yujuesuan debug report.pdf --page 7 --out page7.png

Ruling lines in grey, each table region found by its title in blue, the grid's column cuts in
red and row cuts in pink, header rows shaded yellow, and every cell outlined in green with its
column's role (C code, L label, N 行次, V value, · empty) and header path printed at the top, so a
misread is seen, not guessed. The stages are the extraction's own (extractors: layout, locate,
grid, cells, reading); nothing here reads differently.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

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
    what was found on it, table by table."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    from extractors.cells import read_cells
    from extractors.grid import build_grid
    from extractors.locate import locate_tables
    from extractors.reading import assign_headers, assign_roles, split_rows

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
    font = _font()

    def box(x0: float, top: float, x1: float, bottom: float) -> list[float]:
        return [x0 * SCALE, top * SCALE, x1 * SCALE, bottom * SCALE]

    for r in page.rules:
        draw.rectangle(box(r.x0, r.top, max(r.x1, r.x0 + 0.5), max(r.bottom, r.top + 0.5)), fill=(120, 120, 120, 160))
    views: list[TableView] = []
    for region in locate_tables(pages):
        for seg in region.segments:
            if seg.page != page_no:
                continue
            view = TableView(region.printed_number or region.spec.number, region.title, seg.top, seg.bottom)
            views.append(view)
            grid = build_grid(page, seg.top, seg.bottom)
            x_left = grid.xs[0] if grid else 20.0
            x_right = grid.xs[-1] if grid else page.width - 20
            draw.rectangle(box(x_left - 4, seg.top, x_right + 4, seg.bottom), outline=(0, 90, 255, 255), width=3)
            draw.text((x_left * SCALE, max(0, seg.top * SCALE - 22)), f"{view.table} {region.title}",
                      fill=(0, 90, 255, 255), font=font)
            if grid is None:
                continue
            view.grid_source = grid.source
            matrix = read_cells(page, grid)
            header, body = split_rows(matrix)
            cols = assign_roles(matrix, body, header, grid)
            assign_headers(matrix, header, cols, region.spec, ruled=grid.source != "text")
            view.rows, view.header_rows = len(body), len(header)
            view.columns = [(c.role, c.path or "") for c in cols]
            for r in header:
                draw.rectangle(box(grid.xs[0], grid.ys[r], grid.xs[-1], grid.ys[r + 1]), fill=(255, 220, 0, 70))
            for x in grid.xs:
                line = [x * SCALE, grid.ys[0] * SCALE, x * SCALE, grid.ys[-1] * SCALE]
                draw.line(line, fill=(230, 0, 0, 220), width=2)
            for y in grid.ys:
                draw.line([grid.xs[0] * SCALE, y * SCALE, grid.xs[-1] * SCALE, y * SCALE], fill=(255, 120, 160, 200))
            for row in matrix:
                for cell in row:
                    if cell is not None:
                        draw.rectangle(box(cell.x0 - 1, cell.top - 1, cell.x1 + 1, cell.bottom + 1),
                                       outline=(0, 160, 0, 230), width=1)
            for c in cols:
                label = ROLE_MARK.get(c.role, "?") + (f" {c.path}" if c.path else "")
                draw.text((c.x0 * SCALE + 2, grid.ys[0] * SCALE + 2), label[:24], fill=(200, 0, 0, 255), font=font)
    Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB").save(out)
    return views


def _font():  # noqa: ANN202 - PIL's font types
    """A font that has CJK glyphs for the header paths: the charts' Noto Sans CJK (mplfonts)."""
    from importlib import resources

    from PIL import ImageFont

    try:
        path = resources.files("mplfonts").joinpath("fonts", "NotoSansCJKsc-Regular.otf")
        return ImageFont.truetype(str(path), 16)
    except Exception:  # noqa: BLE001 - without it PIL's own font (no CJK, but the view still draws)
        return ImageFont.load_default()
