"""The table reader: pages in, standard tables with their line items out, every stage kept.

    reader = TableReader(pages)
    reader.locate(kind)           # .regions: the tables found by title, segment by segment
    tables = reader.read(document, toc)
    reader.grids[i][j]            # region i, segment j: its grid (None: nothing on it)
    reader.matrices[i][j]         # its cell matrix
    reader.headers[i][j]          # (header rows, body rows) of that matrix
    reader.columns[i][j]          # each column's role, panel, header path and section
    reader.items[i][j]            # the line items it gave
    reader.issues                 # what reading raised

Each stage is a small method; the PDF, HTML, spreadsheet, Word and scan front ends all feed
their page layouts here (extractors/pdf.py `extract_layout`), and the debug view draws these
same stages (yujuesuan/ingest/debug.py).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field

from extractors.cells import Cell, read_cells
from extractors.grid import Grid, build_grid, figure_lines_of, text_columns
from extractors.issues import severity as registered_severity
from extractors.layout import PageLayout
from extractors.locate import Segment, TableRegion, locate_tables
from extractors.reading import (
    Column,
    assign_headers,
    assign_roles,
    inherit_columns,
    join_cut_row,
    join_wrapped_rows,
    split_rows,
)
from extractors.records import Document, LineItem, QualityIssue, TableResult
from extractors.rows import Carry, RowContext, read_rows
from extractors.settings import DEFAULT_SETTINGS, EngineSettings
from extractors.text import compact

Matrix = list[list[Cell | None]]
NOT_FIGURES = re.compile(r"项目|科目|名称|编码|代码|行次|栏次|^[类款项]$")  # header words of no figure column


@dataclass
class _Running:
    """What one segment of a table hands to the next: the columns of the last page with a
    header, the first page's header words, each panel's last row, the next row index."""

    previous: list[Column] = field(default_factory=list)
    header_words: set[str] = field(default_factory=set)
    carry: Carry = field(default_factory=dict)
    index: int = 0


@dataclass
class TableReader:
    pages: list[PageLayout]
    engine: str = "pdfplumber"  # pdfplumber | camelot (the grid of ruled tables; pdfplumber's elsewhere)
    settings: EngineSettings = DEFAULT_SETTINGS
    regions: list[TableRegion] = field(default_factory=list)
    hooked: list[TableRegion] = field(default_factory=list)  # tables a family's own reader takes (specs: reader)
    grids: list[list[Grid | None]] = field(default_factory=list)
    matrices: list[list[Matrix | None]] = field(default_factory=list)
    headers: list[list[tuple[list[int], list[int]] | None]] = field(default_factory=list)
    columns: list[list[list[Column] | None]] = field(default_factory=list)
    items: list[list[list[LineItem]]] = field(default_factory=list)
    tables: list[TableResult] = field(default_factory=list)
    issues: list[QualityIssue] = field(default_factory=list)

    def locate(self, kind: str | None = None) -> list[TableRegion]:
        """Stage locate: the standard tables by their titles. Tables whose family names a reader of
        its own in tables.yaml (`reader:`, e.g. the self-evaluation tables, read as projects) are
        kept apart in `.hooked`; the others are read here as line items."""
        found = locate_tables(self.pages, kind, self.settings)
        self.hooked = [r for r in found if r.spec.reader]
        self.regions = [r for r in found if not r.spec.reader]
        return self.regions

    def read(
        self, document: Document | None = None, toc: dict[str, str] | None = None, pdf: bytes | None = None
    ) -> list[TableResult]:
        """Every located table read: grid → cells → header → columns → rows. `document` gives the
        ids, year and unit the line items carry; `toc` the numbers the contents print; `pdf` the
        file's bytes, which camelot needs on disk."""
        doc = document or Document(doc_id="", file_name="", format="pdf")
        n = len(self.regions)
        self.grids, self.matrices, self.headers = [[] for _ in range(n)], [[] for _ in range(n)], [[] for _ in range(n)]
        self.columns, self.items, self.tables = [[] for _ in range(n)], [[] for _ in range(n)], []
        if self.engine == "camelot" and self.regions and pdf is not None:
            with tempfile.TemporaryDirectory(prefix="yujuesuan-camelot-") as tmp:
                path = os.path.join(tmp, "document.pdf")  # camelot reads files, not bytes
                with open(path, "wb") as fh:
                    fh.write(pdf)
                self.tables = [self._read_table(i, doc, toc or {}, path) for i in range(n)]
        else:
            self.tables = [self._read_table(i, doc, toc or {}, None) for i in range(n)]
        return self.tables

    def issue(self, doc: Document, check_id: str, message: str, *, severity: str | None = None,
              **kw: str | None) -> None:
        """Raise `check_id` with the registry's severity (specs/issues.yaml); `severity` only picks
        another one the registry lists for that id."""
        self.issues.append(QualityIssue(doc.doc_id, check_id, registered_severity(check_id, severity), message, **kw))

    # -- one table -------------------------------------------------------------------------

    def _read_table(self, i: int, doc: Document, toc: dict[str, str], path: str | None) -> TableResult:
        region = self.regions[i]
        code = region.printed_number or toc.get(region.spec.family) or region.spec.number
        result = TableResult(
            table_code=code,
            table_title=region.title,
            table_family=region.spec.family,
            pages=region.pages,
            currency_unit=self._unit(region, code, doc),
            engine=self.engine,
            printed_number=region.printed_number,
            empty_note=region.note if region.empty_note else None,
        )
        self.grids[i] = self.build_grids(region, path)
        running = _Running()
        for j, seg in enumerate(region.segments):
            self._shape_segment(i, j, seg, running)
        running.previous = []
        for j, seg in enumerate(region.segments):
            self._read_segment(i, j, seg, result, doc, running)
        self._finish(i, result, running.previous, doc)
        return result

    def _unit(self, region: TableRegion, code: str, doc: Document) -> str | None:
        """The table's 单位 label, else the document's (an issue either way)."""
        if region.currency_unit is not None:
            return region.currency_unit
        unit = doc.currency_unit
        self.issue(
            doc,
            "extract.table_unit_missing",
            f"Table {code} ({region.title}) prints no 单位 label; "
            + (f"the document's unit {unit} is used." if unit else "its figures cannot be converted to 元."),
            severity=None if unit else "error",
            table_code=code,
        )
        return unit

    def _shape_segment(self, i: int, j: int, seg: Segment, running: _Running) -> None:
        """A segment's cells, header and columns; the rest of a row the page break cut goes back to
        the page before (its figures completed) first."""
        grid = self.grids[i][j]
        if grid is None:
            for stage in (self.matrices, self.headers, self.columns):
                stage[i].append(None)
            return
        matrix = read_cells(self.pages[seg.page - 1], grid, self.settings)
        self.matrices[i].append(matrix)
        before = next((k for k in range(j - 1, -1, -1) if self.matrices[i][k] is not None), None)
        if seg.continuation and before is not None:
            above, split, cols_above = self.matrices[i][before], self.headers[i][before], self.columns[i][before]
            if above is not None and split is not None and cols_above is not None:
                join_cut_row(above, split[1], cols_above, matrix, running.header_words)
        header, body = self.split_header(matrix, seg, running)
        cols = self.assign_columns(matrix, header, body, grid, i, running.previous)
        if grid.source == "text":  # no rules between rows: a figure's wrapped rest is a line of its own
            body = join_wrapped_rows(matrix, body, cols, running.header_words)
        self.headers[i].append((header, body))
        self.columns[i].append(cols)
        if header or not running.previous:
            running.previous = cols

    def _read_segment(
        self, i: int, j: int, seg: Segment, result: TableResult, doc: Document, running: _Running
    ) -> None:
        grid, matrix, split, cols = self.grids[i][j], self.matrices[i][j], self.headers[i][j], self.columns[i][j]
        if grid is None or matrix is None or split is None or cols is None:
            self.items[i].append([])
            return
        header, body = split
        ctx = RowContext(
            doc_id=doc.doc_id,
            title=result.table_title,
            table_code=result.table_code,
            currency_unit=result.currency_unit,
            page=seg.page,
            engine="camelot" if grid.source == "camelot" else "pdfplumber",
        )
        items, problems, running.carry = read_rows(
            matrix,
            body,
            cols,
            self.regions[i].spec,
            ctx,
            start_index=running.index,
            carry=running.carry if seg.continuation else None,
            settings=self.settings,
        )
        self.items[i].append(items)
        running.index += len({it.row_index for it in items})
        for item in items:
            item.unit_id, item.year, item.kind = doc.unit_id, doc.year, doc.kind
        result.items.extend(items)
        for check_id, locator, message in problems:
            self.issue(
                doc,
                check_id,
                f"Table {result.table_code}: {message}.",
                table_code=result.table_code,
                locator=locator,
            )
        _note_blank_rows(matrix, body, cols, result)
        _note_columns(cols, result)
        if header or not running.previous:
            running.previous = cols

    def _finish(self, i: int, result: TableResult, last_cols: list[Column], doc: Document) -> None:
        """The table's code layout and engines, and an issue when it yielded no figures."""
        region = self.regions[i]
        coded = [c for c in last_cols if c.role == "code"]
        if coded:
            result.code_layout = "split" if len({c.panel for c in coded}) < len(coded) else "joined"
        used = sorted({"camelot" if g.source == "camelot" else "pdfplumber" for g in self.grids[i] if g is not None})
        result.engine = "+".join(used) or self.engine  # camelot falls back to pdfplumber's grid per page
        if result.items:
            return
        result.columns = []  # with no figures, headers cannot be told from body rows
        result.empty = True
        if not region.empty_note:
            self.issue(
                doc,
                "extract.table_no_rows",
                f"Table {result.table_code} ({region.title}) was found on page(s) {region.pages} "
                "but yielded no figures.",
                table_code=result.table_code,
            )

    # -- the stages ------------------------------------------------------------------------

    def build_grids(self, region: TableRegion, path: str | None = None) -> list[Grid | None]:
        """Stage grid: each segment's grid, the columns then shared across the table's pages."""
        grids = [self._grid(self.pages[seg.page - 1], seg, path) for seg in region.segments]
        self._share_text_columns(region.segments, grids)
        self._share_ruled_columns(region.segments, grids)
        return grids

    def _grid(self, page: PageLayout, seg: Segment, path: str | None) -> Grid | None:
        """The segment's grid from the chosen engine; camelot falls back to pdfplumber's grid
        where lattice finds nothing (no ruling lines, rotated pages)."""
        if self.engine == "camelot" and path is not None:
            from extractors.camelot_grid import camelot_grid

            grid = camelot_grid(path, page, seg.top, seg.bottom)
            if grid is not None:
                return grid
        return build_grid(page, seg.top, seg.bottom, self.settings)

    def _share_text_columns(self, segments: list[Segment], grids: list[Grid | None]) -> None:
        """A table without vertical rules keeps its columns across pages: find the corridors in all
        its pages' lines of figures together (a page with few rows shows corridors that are not)."""
        text = [(seg, g) for seg, g in zip(segments, grids, strict=True) if g is not None and g.source == "text"]
        if len(text) < 2 or len({round(self.pages[s.page - 1].width) for s, _ in text}) > 1:
            return
        lines = [
            ln
            for seg, _ in text
            for ln in figure_lines_of(self.pages[seg.page - 1], seg.top, seg.bottom, self.settings)
        ]
        left = min(g.xs[0] for _, g in text)
        right = max(g.xs[-1] for _, g in text)
        xs = text_columns(lines, left, right, self.settings)
        for _, g in text:
            g.xs = list(xs)

    def _share_ruled_columns(self, segments: list[Segment], grids: list[Grid | None]) -> None:
        """A ruled table keeps its columns across pages: a continuation page that draws fewer
        vertical rules (only where its few rows have cells) takes the first page's columns too."""
        first = next((g for g in grids if g is not None), None)
        if first is None or first.source == "text":
            return
        width = self.pages[first.page - 1].width
        for seg, g in zip(segments, grids, strict=True):
            if g is None or g is first or not seg.continuation or g.source == "text":
                continue
            if self.pages[seg.page - 1].width == width and len(g.xs) < len(first.xs):
                merged = sorted(set(g.xs) | set(first.xs))
                g.xs = [x for k, x in enumerate(merged) if k == 0 or x - merged[k - 1] > self.settings.rule_merge_pt]

    def split_header(self, matrix: Matrix, seg: Segment, running: _Running) -> tuple[list[int], list[int]]:
        """Stage header: (header rows, body rows). A continuation page's rows above its first
        figures are a repeated header only when they repeat the first page's header words."""
        header, body = split_rows(matrix, self.settings)
        if seg.continuation and header and running.header_words:
            texts = {compact(c.text) for r in header for c in matrix[r] if c is not None}
            if not texts & running.header_words:  # not a repeated header: rows cut by the page break
                body = sorted(set(header) | set(body))
                header = []
        if header and (not seg.continuation or not running.header_words):  # (a title alone at a page's
            # foot: its header is atop the next page)
            running.header_words = {compact(c.text) for r in header for c in matrix[r] if c is not None}
        return header, body

    def assign_columns(
        self, matrix: Matrix, header: list[int], body: list[int], grid: Grid, i: int, previous: list[Column]
    ) -> list[Column]:
        """Stage columns: roles and panels, header paths and sections; a page without its own
        header takes them from the page before."""
        cols = assign_roles(matrix, body, header, grid, self.settings)
        if header:
            assign_headers(
                matrix, header, cols, self.regions[i].spec, ruled=grid.source != "text", settings=self.settings
            )
        if (not header or all(not c.path for c in cols if c.role == "value")) and previous:
            inherit_columns(cols, previous, roles=not header, settings=self.settings)
        return cols


def _note_blank_rows(matrix: Matrix, body: list[int], cols: list[Column], result: TableResult) -> None:
    """Rows printed with their label and no figure, panel by panel (收入 | 支出 side by side: one side's
    row may be blank where the other's has figures): blank, which checks read as 0."""
    for r in body:
        row = matrix[r]
        for panel in sorted({c.panel for c in cols}):
            label = "".join(
                compact(cell.text)
                for c in cols
                if c.role == "label" and c.panel == panel and (cell := row[c.index]) is not None
            )
            figures = [row[c.index] for c in cols if c.role in ("value", "empty") and c.panel == panel]
            if label and not any(cell is not None and compact(cell.text) for cell in figures):
                if label not in result.blank_rows:
                    result.blank_rows.append(label)


def _note_columns(cols: list[Column], result: TableResult) -> None:
    """Figure columns' header paths, including those the document left blank."""
    for c in cols:
        blank_figures = c.role == "empty" and c.path and not NOT_FIGURES.search(c.path)
        if (c.role == "value" or blank_figures) and c.path and c.path not in result.columns:
            result.columns.append(c.path)
