"""Reports published as HTML pages → the same layout the PDF stages read.

Some offices publish the whole 决算 as a web page: narrative paragraphs and <table>s. Rather
than a second table reader, the page is *rendered* into `PageLayout`s — text lines of
characters and, for every table cell, its four ruling lines — and handed to the one table
engine (locate → grid → cells → reading) and to the narrative reader unchanged.

Rendering: each <table>, with the text since the previous one (its title, 单位), becomes one
page; text wraps at the page width; column widths follow the widest unspanned cell; colspan
and rowspan are honoured. Page numbers of HTML line items count these rendered pages, and
cell boxes are left empty (there is no printed page to point at); `printed` keeps the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from extractors.layout import Char, PageLayout, Rule
from extractors.limits import MAX_HTML_TABLE_CELLS, MAX_HTML_TEXT_CHARS, TooLarge
from extractors.text import compact, normalise

SIZE = 10.0
LINE = 16.0
MARGIN = 40.0
TEXT_WIDTH = 760.0
PAD = 4.0


def char_width(ch: str) -> float:
    return SIZE if unicodedata.east_asian_width(ch) in ("W", "F") else SIZE * 0.55


@dataclass
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class Table:
    rows: list[list[Cell]] = field(default_factory=list)
    area: int = 0  # grid positions its cells take (colspan × rowspan summed)


@dataclass
class Block:
    """Text lines (paragraphs) followed by at most one table."""

    lines: list[str] = field(default_factory=list)
    table: Table | None = None


PAGE_BREAK_STYLE = re.compile(r"page-break-before\s*:\s*always|break-before\s*:\s*page", re.I)


class _Parser(HTMLParser):
    BREAK = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "title"}
    SKIP = {"script", "style", "noscript", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = [Block()]
        self.text: list[str] = []
        self.tables: list[Table] = []  # open tables (nested ones are flattened into their cell)
        self.cell: list[str] | None = None
        self.cell_attrs: dict[str, str] = {}
        self.skip = 0
        self.chars = 0  # text read so far
        self.n_tables = 0
        self.capped: list[TooLarge] = []  # caps reached (extractors.limits)
        self.title: list[str] | None = None  # the <title>'s text while it is read
        self.page_title = ""

    def _cap(self, what: str, limit: int) -> None:
        self.capped.append(TooLarge(what, limit))

    def _flush(self) -> None:
        line = " ".join("".join(self.text).split())
        if line:
            self.blocks[-1].lines.append(line)
        self.text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title" and not self.page_title:
            self.title = []
            return
        if tag in self.SKIP:
            self.skip += 1
            return
        if tag == "table":
            if self.tables:  # nested: its text goes into the enclosing cell
                self.tables.append(Table())
                return
            self._flush()
            self.n_tables += 1
            self.tables.append(Table())
        elif tag == "tr" and len(self.tables) == 1:
            if self.tables[0].area <= MAX_HTML_TABLE_CELLS:
                self.tables[0].rows.append([])
        elif tag in ("td", "th") and len(self.tables) == 1:
            self.cell = []
            self.cell_attrs = {k: v or "" for k, v in attrs}
        elif tag in self.BREAK and not self.tables:
            self._flush()
            if PAGE_BREAK_STYLE.search(dict(attrs).get("style") or "") and self.blocks[-1].lines:
                self.blocks.append(Block())  # a printed page break (Word, WPS, LibreOffice exports)
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title is not None:
            self.page_title, self.title = " ".join("".join(self.title).split())[:200], None
            return
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("td", "th") and self.cell is not None and len(self.tables) == 1:
            table = self.tables[0]
            if not table.rows:
                table.rows.append([])
            span = {k: _int(self.cell_attrs.get(k)) for k in ("colspan", "rowspan")}
            text = " ".join("".join(self.cell).split())
            self.cell = None
            if table.area > MAX_HTML_TABLE_CELLS:
                return  # capped: the table is left out when it ends
            table.area += span["colspan"] * span["rowspan"]
            if table.area > MAX_HTML_TABLE_CELLS:
                self._cap(f"cells (colspan × rowspan) of HTML table {self.n_tables}", MAX_HTML_TABLE_CELLS)
                table.rows = []
                return
            table.rows[-1].append(Cell(text, span["colspan"], span["rowspan"]))
        elif tag == "table" and self.tables:
            done = self.tables.pop()
            if not self.tables:
                done.rows = [r for r in done.rows if r]
                if done.rows:
                    self.blocks[-1].table = done
                    self.blocks.append(Block())
        elif tag in self.BREAK and not self.tables:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.title is not None:
            self.title.append(data)
            return
        if self.skip or self.chars > MAX_HTML_TEXT_CHARS:
            return
        self.chars += len(data)
        if self.chars > MAX_HTML_TEXT_CHARS:
            self._cap("characters of text in the HTML report (the rest is not read)", MAX_HTML_TEXT_CHARS)
            return
        if self.cell is not None:
            self.cell.append(data)
        elif not self.tables:
            self.text.append(data)


def _int(value: str | None) -> int:
    try:
        return max(1, min(int((value or "1").strip()), 100))
    except ValueError:
        return 1


def read_blocks(html: str, capped: list[TooLarge] | None = None) -> list[Block]:
    """The page's text and tables; caps reached are appended to `capped`."""
    p = _Parser()
    p.feed(html)
    p.close()
    p._flush()
    if capped is not None:
        capped.extend(p.capped)
    blocks = [b for b in p.blocks if b.lines or b.table]
    if p.page_title and blocks:
        # the report's own title (unit, year) where a CMS prints it only in <title>: its first line
        first = blocks[0].lines[0] if blocks[0].lines else ""
        if compact(p.page_title) not in compact(first):
            blocks[0].lines.insert(0, p.page_title)
    return blocks


def _chars(text: str, x: float, top: float) -> tuple[list[Char], float]:
    out = []
    for ch in text:
        w = char_width(ch)
        norm = normalise(ch)
        if norm.strip():
            out.append(Char(norm, x, x + w, top, top + SIZE, SIZE))
        x += w
    return out, x


def _wrap(text: str) -> list[str]:
    lines, current, width = [], "", 0.0
    for ch in text:
        w = char_width(ch)
        if width + w > TEXT_WIDTH and current:
            lines.append(current)
            current, width = "", 0.0
        current += ch
        width += w
    return [*lines, current] if current else lines


def _place(table: Table) -> tuple[list[tuple[int, int, Cell]], int, int]:
    """Cells with their (row, column) after colspan/rowspan; and the grid's size."""
    taken: set[tuple[int, int]] = set()
    placed = []
    ncols = 0
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            ncols = max(ncols, c)
    nrows = max((r + dr + 1 for r, _, cell in placed for dr in range(cell.rowspan)), default=0)
    return placed, nrows, ncols


def _render_table(table: Table, top: float) -> tuple[list[Char], list[Rule], float, float]:
    placed, nrows, ncols = _place(table)
    widths = [4 * SIZE] * ncols
    for _, c, cell in placed:
        if cell.colspan == 1:
            widths[c] = max(widths[c], sum(char_width(ch) for ch in cell.text) + 2 * PAD)
    for _, c, cell in placed:
        need = sum(char_width(ch) for ch in cell.text) + 2 * PAD
        have = sum(widths[c : c + cell.colspan])
        if need > have:
            extra = (need - have) / cell.colspan
            for k in range(c, c + cell.colspan):
                widths[k] += extra
    xs = [MARGIN]
    for w in widths:
        xs.append(xs[-1] + w)
    ys = [top + LINE * i for i in range(nrows + 1)]
    chars: list[Char] = []
    rules: list[Rule] = []
    for r, c, cell in placed:
        x0, x1 = xs[c], xs[min(c + cell.colspan, ncols)]
        y0, y1 = ys[r], ys[min(r + cell.rowspan, nrows)]
        rules += [
            Rule("h", x0, x1, y0, y0),
            Rule("h", x0, x1, y1, y1),
            Rule("v", x0, x0, y0, y1),
            Rule("v", x1, x1, y0, y1),
        ]
        cs, _ = _chars(cell.text, x0 + PAD, (y0 + y1) / 2 - SIZE / 2)
        chars += cs
    return chars, rules, ys[-1], xs[-1]


# printed reports start these on a new page; so does the rendering (the contents reader looks for
# 目录 at the top of a page, as in a PDF)
PAGE_BREAK = re.compile(r"^(目录|第[一二三四五六七八九十]+部分)")


def _split_at_breaks(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        current = Block()
        for line in block.lines:
            if PAGE_BREAK.match(compact(line)) and current.lines:
                out.append(current)
                current = Block()
            current.lines.append(line)
        current.table = block.table
        out.append(current)
    return out


def render(html: str, capped: list[TooLarge] | None = None) -> list[PageLayout]:
    """The page as PageLayouts: one per table (with the text before it), one for trailing text,
    and a new one wherever the report starts a part (目录, 第一部分 …). Text beyond
    `MAX_HTML_TEXT_CHARS` and tables beyond `MAX_HTML_TABLE_CELLS` are left out, each cap
    reached appended to `capped`."""
    pages: list[PageLayout] = []
    for block in _split_at_breaks(read_blocks(html, capped)):
        chars: list[Char] = []
        rules: list[Rule] = []
        top, right = MARGIN, MARGIN + TEXT_WIDTH
        for line in block.lines:
            for part in _wrap(line):
                cs, _ = _chars(part, MARGIN, top)
                chars += cs
                top += LINE
        if block.table is not None:
            top += LINE / 2
            cs, rs, top, table_right = _render_table(block.table, top)
            chars += cs
            rules += rs
            right = max(right, table_right)
        pages.append(PageLayout(len(pages) + 1, right + MARGIN, top + MARGIN, chars, rules))
    return pages
