"""Workbooks (XLSX, XLS) → the layout the table engine reads.

Like an HTML report (extractors/html.py), a sheet is *rendered*: its title, 单位 and note rows
as text lines, each run of table rows (a header row of two or more cells up to the next blank,
title or 单位 row) as ruled cells, merged ranges spanning, hidden sheets, rows and columns left
out; a sheet holding several tables is rendered as one page per table (with the text before
it), so no text stands between one table and the next one's title. The
engine (locate → grid → cells → reading) and the narrative reader then run unchanged, and each
line item is traced back to its cell: `sheet`, `cell_ref` (`公开03表!D12`) and `printed` (the
text as the workbook displays it); its page is the sheet's 1-based index. Figures are rendered
as the exact decimal the cell holds, so the value in 元 is the workbook's number, never a
rounded display.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field

from extractors.extraction import Extraction, failed_extraction
from extractors.html import LINE, MARGIN, PAD, TEXT_WIDTH, _chars, _wrap, char_width
from extractors.layout import PageLayout, Rule
from extractors.money import find_unit_label
from extractors.pdf import extract_layout
from extractors.records import Document
from extractors.template import is_placeholder, mark_template
from extractors.text import compact
from extractors.workbook import Sheet, SheetCell, WorkbookError, cell_ref, read_workbook

META_ROW = ("单位:", "编制单位", "编制部门", "部门:", "单位名称")
MAX_REFS = 5


@dataclass(frozen=True)
class Slot:
    """A rendered cell: its first and last block row and visible column, and the sheet cell."""

    r0: int
    c0: int
    r1: int
    c1: int
    cell: SheetCell


@dataclass
class Block:
    """Consecutive table rows of a sheet, rendered as ruled cells."""

    ys: list[float]
    slots: list[Slot] = field(default_factory=list)


@dataclass
class RenderedPage:
    """One rendered page of a sheet: a table block with the text rows before it (or the
    sheet's text alone). Pages are numbered for the engine; `sheet` is the sheet's index."""

    sheet: int
    page: PageLayout
    xs: list[float]
    blocks: list[Block] = field(default_factory=list)

    def cell_at(self, x: float, y: float) -> SheetCell | None:
        """The sheet cell rendered at a point of the page."""
        c = bisect.bisect_right(self.xs, x) - 1
        for b in self.blocks:
            if b.ys[0] <= y <= b.ys[-1]:
                r = bisect.bisect_right(b.ys, y) - 1
                return next((s.cell for s in b.slots if s.r0 <= r <= s.r1 and s.c0 <= c <= s.c1), None)
        return None


@dataclass
class RenderedSheet:
    pages: list[RenderedPage] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # refs of figure cells holding XX
    uncached: list[str] = field(default_factory=list)  # refs of formulas without a cached value


def _cell_text(cell: SheetCell) -> str:
    """What the engine is shown: the exact number for an amount, else the displayed text on one line."""
    if cell.value is not None and not cell.percent:
        return format(cell.value, "f")
    return "".join(part.strip() for part in cell.text.split("\n"))


def _is_meta(cells: list[SheetCell]) -> bool:
    return any(find_unit_label(c.text) or compact(c.text).startswith(META_ROW) for c in cells)


def _row_kinds(sheet: Sheet, rows: dict[int, list[SheetCell]], span: dict) -> dict[int, str]:
    """Each visible row: "table" (a run from a row of two or more cells, not a 单位 row, to the
    next blank, merged title or 单位 row), "text" or "blank"."""
    kinds: dict[int, str] = {}
    in_table = False
    for r in range(min(rows, default=0), max(rows, default=-1) + 1):
        cells = rows.get(r)
        if r in sheet.hidden_rows:
            continue
        if not cells:
            in_table = False
            kinds[r] = "blank"
            continue
        merged_alone = len(cells) == 1 and span.get((r, cells[0].col), (r, cells[0].col))[1] > cells[0].col
        if _is_meta(cells) or (in_table and merged_alone) or (not in_table and len(cells) < 2):
            in_table = False
            kinds[r] = "text"
        else:
            in_table = True
            kinds[r] = "table"
    return kinds


def _chunks(kinds: dict[int, str]) -> list[list[int]]:
    """Rows per rendered page: a new page where text follows a table block after a blank row
    (the next table's title rows), so no text stands between one table and the next's title."""
    chunks: list[list[int]] = [[]]
    seen_block = gap = False
    for r in sorted(kinds):
        kind = kinds[r]
        if gap and kind != "blank":
            chunks.append([])
            seen_block = gap = False
        if kind == "table":
            seen_block = True
        elif kind == "blank" and seen_block:
            gap = True
        chunks[-1].append(r)
    return [c for c in chunks if any(kinds[r] != "blank" for r in c)]


def render_sheet(sheet: Sheet) -> RenderedSheet:
    """The sheet as pages: text rows as lines, runs of table rows as ruled cells."""
    rendered = RenderedSheet()
    if sheet.hidden or not sheet.cells:
        return rendered
    span, covered = _merges(sheet)
    rows = _visible_rows(sheet, covered, rendered)
    kinds = _row_kinds(sheet, rows, span)
    table_rows = [r for r, k in kinds.items() if k == "table"]
    cols = sorted({c.col for r in table_rows for c in rows[r]} | _span_cols(table_rows, rows, span, sheet))
    vis = {c: i for i, c in enumerate(cols)}
    xs = _column_edges(table_rows, rows, span, vis)
    for chunk in _chunks(kinds):
        view = RenderedPage(sheet.index, PageLayout(0, max(2 * MARGIN + TEXT_WIDTH, xs[-1] + MARGIN), 0.0), xs)
        view.page.height = _render_chunk(rendered, view, sheet, chunk, kinds, rows, span, vis) + MARGIN
        rendered.pages.append(view)
    return rendered


def _merges(sheet: Sheet) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Each merge's top-left cell → (last row, last column), and the cells the merges cover."""
    span: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in sheet.merged:
        span[(r0, c0)] = (r1, c1)
        covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
    return span, covered


def _visible_rows(
    sheet: Sheet, covered: set[tuple[int, int]], rendered: RenderedSheet
) -> dict[int, list[SheetCell]]:
    """The shown cells with something in them, by row and left to right; uncached formulas noted."""
    rows: dict[int, list[SheetCell]] = {}
    for (r, c), cell in sheet.cells.items():
        if r in sheet.hidden_rows or c in sheet.hidden_cols or (r, c) in covered:
            continue
        if cell.formula is not None:
            rendered.uncached.append(cell_ref(sheet.name, r, c))
        if cell.text or cell.formula is not None:
            rows.setdefault(r, []).append(cell)
    for cells in rows.values():
        cells.sort(key=lambda c: c.col)
    return rows


def _column_edges(
    table_rows: list[int], rows: dict[int, list[SheetCell]], span: dict, vis: dict[int, int]
) -> list[float]:
    """The x of every column edge: each column as wide as its widest unmerged text."""
    widths = [4 * char_width("中")] * len(vis)
    for r in table_rows:
        for cell in rows[r]:
            if span.get((r, cell.col), (r, cell.col))[1] == cell.col:
                text = "" if is_placeholder(cell.text) else _cell_text(cell)
                widths[vis[cell.col]] = max(widths[vis[cell.col]], sum(map(char_width, text)) + 2 * PAD)
    xs = [MARGIN]
    for w in widths:
        xs.append(xs[-1] + w)
    return xs


def _render_chunk(
    rendered: RenderedSheet,
    view: RenderedPage,
    sheet: Sheet,
    chunk: list[int],
    kinds: dict[int, str],
    rows: dict[int, list[SheetCell]],
    span: dict,
    vis: dict[int, int],
) -> float:
    """One page's rows drawn top to bottom: blank rows as space, text rows as lines, table runs as cells."""
    top = MARGIN
    i = 0
    while i < len(chunk):
        r = chunk[i]
        if kinds[r] == "blank":
            top += LINE
            i += 1
        elif kinds[r] == "text":
            line = "    ".join(c.text.replace("\n", " ") for c in rows[r] if c.text)
            for wrapped in _wrap(line):
                cs, _ = _chars(wrapped, MARGIN, top)
                view.page.chars.extend(cs)
                top += LINE
            i += 1
        else:
            j = i
            while j < len(chunk) and kinds[chunk[j]] == "table":
                j += 1
            top = _render_block(rendered, view, sheet, chunk[i:j], rows, span, vis, top)
            i = j
    return top


def _span_cols(
    table_rows: list[int], rows: dict[int, list[SheetCell]], span: dict, sheet: Sheet
) -> set[int]:
    out: set[int] = set()
    for r in table_rows:
        for cell in rows[r]:
            last = span.get((r, cell.col), (r, cell.col))[1]
            out |= {c for c in range(cell.col, last + 1) if c not in sheet.hidden_cols}
    return out


def _render_block(
    rendered: RenderedSheet,
    view: RenderedPage,
    sheet: Sheet,
    block_rows: list[int],
    rows: dict[int, list[SheetCell]],
    span: dict[tuple[int, int], tuple[int, int]],
    vis: dict[int, int],
    top: float,
) -> float:
    page, xs = view.page, view.xs
    index = {r: k for k, r in enumerate(block_rows)}
    ys = [top + LINE * k for k in range(len(block_rows) + 1)]
    block = Block(ys)
    lo, hi = min(vis[c.col] for r in block_rows for c in rows[r]), 0
    for r in block_rows:
        for cell in rows[r]:
            last_r, last_c = span.get((r, cell.col), (r, cell.col))
            c0 = vis[cell.col]
            c1 = max([vis[c] for c in range(cell.col, last_c + 1) if c in vis] or [c0])
            r1 = max([index[x] for x in range(r, last_r + 1) if x in index] or [index[r]])
            hi = max(hi, c1)
            block.slots.append(Slot(index[r], c0, r1, c1, cell))
            text = _cell_text(cell)
            if is_placeholder(cell.text):
                rendered.placeholders.append(cell_ref(sheet.name, cell.row, cell.col))
                text = ""
            y0, y1 = ys[index[r]], ys[r1 + 1]
            cs, _ = _chars(text, xs[c0] + PAD, (y0 + y1) / 2 - 5.0)
            page.chars.extend(cs)
    # every slot of the block ruled, merged ones as one box
    filled: set[tuple[int, int]] = set()
    for s in block.slots:
        filled |= {(a, b) for a in range(s.r0, s.r1 + 1) for b in range(s.c0, s.c1 + 1)}
        page.rules.extend(_box(xs[s.c0], xs[s.c1 + 1], ys[s.r0], ys[s.r1 + 1]))
    for a in range(len(block_rows)):
        for b in range(lo, hi + 1):
            if (a, b) not in filled:
                page.rules.extend(_box(xs[b], xs[b + 1], ys[a], ys[a + 1]))
    view.blocks.append(block)
    return ys[-1]


def _box(x0: float, x1: float, y0: float, y1: float) -> list[Rule]:
    return [Rule("h", x0, x1, y0, y0), Rule("h", x0, x1, y1, y1), Rule("v", x0, x0, y0, y1), Rule("v", x1, x1, y0, y1)]


PAGE_REF = re.compile(r"\b(p|page )(\d+)\b")


def _remap(text: str, sheet_of: dict[int, int]) -> str:
    """Page numbers in a locator or message: rendered page → the sheet's index."""
    return PAGE_REF.sub(lambda m: f"{m.group(1)}{sheet_of.get(int(m.group(2)), int(m.group(2)))}", text)


def _refs(refs: list[str]) -> str:
    return ", ".join(refs[:MAX_REFS]) + (" …" if len(refs) > MAX_REFS else "")


def extract_spreadsheet(data: bytes, file_name: str, fmt: str, *, source_url: str | None = None) -> Extraction:
    """An .xlsx or .xls workbook (`fmt`, from its bytes) extracted by the table engine."""
    doc = Document(doc_id=hashlib.sha256(data).hexdigest(), file_name=file_name, format=fmt, source_url=source_url)
    doc.extracted_by = fmt
    ex = Extraction(doc)
    try:
        sheets = read_workbook(data, fmt)
    except WorkbookError as exc:
        return failed_extraction(ex, "extract.unreadable", f"The {fmt.upper()} workbook cannot be opened: {exc}"[:300])
    doc.pages = len(sheets)
    if not sheets:
        return failed_extraction(ex, "extract.no_pages", "The workbook has no sheets.")
    rendered = [render_sheet(s) for s in sheets]
    views = [v for r in rendered for v in r.pages]
    for n, view in enumerate(views):
        view.page.number = n + 1
    if not any(v.page.chars for v in views):
        return failed_extraction(ex, "extract.no_text", "The workbook's visible sheets hold no text.")
    extract_layout(ex, [v.page for v in views], data, "pdfplumber")
    sheet_of = {n + 1: v.sheet for n, v in enumerate(views)}
    for item in ex.items:
        view, sheet = views[item.page - 1], sheets[views[item.page - 1].sheet - 1]
        cell = None
        if item.x0 is not None and item.top is not None and item.x1 is not None and item.bottom is not None:
            cell = view.cell_at((item.x0 + item.x1) / 2, (item.top + item.bottom) / 2)
        item.page, item.sheet = sheet.index, sheet.name
        if cell is not None:
            item.cell_ref = cell_ref(sheet.name, cell.row, cell.col)
            item.printed = cell.text
        item.x0 = item.top = item.x1 = item.bottom = None
        item.engine = fmt
    for t in ex.tables:
        t.engine = fmt
        t.pages = sorted({sheet_of[p] for p in t.pages})
    for record in ex.records:
        record.page = sheet_of.get(record.page, record.page)
    for issue in ex.issues:
        issue.message = _remap(issue.message, sheet_of)
        issue.locator = _remap(issue.locator, sheet_of) if issue.locator else issue.locator
    for sheet, shown in zip(sheets, rendered, strict=True):
        if shown.uncached:
            ex.issue(
                "extract.formula_uncached",
                f"Sheet {sheet.name}: {len(shown.uncached)} formula cell(s) have no cached value "
                f"({_refs(shown.uncached)}); they are not read as 0. Open and save the workbook in Excel or "
                "LibreOffice to store their results.",
                locator=shown.uncached[0],
            )
        if shown.placeholders:
            ex.issue(
                "extract.placeholder_value",
                f"Sheet {sheet.name}: {len(shown.placeholders)} table cell(s) hold a placeholder (XX, …) where a "
                f"figure or row goes ({_refs(shown.placeholders)}); not read as numbers.",
                locator=shown.placeholders[0],
            )
    if doc.status == "ok" and any(i.severity == "error" for i in ex.issues):
        doc.status = "partial"
    mark_template(ex, (c.text for s in sheets if not s.hidden for c in s.cells.values()), "workbook")
    return ex
