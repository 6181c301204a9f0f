"""Stage 5b — rows: the body rows of one segment become line items, in named passes.

Once the columns have their roles (extractors/reading.py), each panel's rows are read in passes:

1. `_moved_labels` — a label centred over several panels (合计 of the 3-block 收支总表) lands in
   the previous panel's figure column: it labels the next panel's row.
2. `_read_row` — each row's label, code, 行次 and figure cells, as printed.
3. `_join_cut_label` — a lone fragment on the page's first row is the tail of the label the page
   break cut: it goes to the previous page's last row.
4. `_attach_labels` — figures without a label take the label printed on the line above them, or
   below them (figures centred in a tall merged cell), or their group's name (`group_subtotals`).
5. `_row_items` — every figure cell of a labelled row becomes a line item in 元.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.cells import Cell
from extractors.codes import code_level, code_system_of, join_code, pad_parts, split_code_prefix
from extractors.money import MAX_YUAN, parse_amount, to_yuan, yuan_in_range
from extractors.reading import ORDINAL_LABEL, TOTAL_LABEL, Column, txt
from extractors.records import LineItem
from extractors.settings import DEFAULT_SETTINGS, EngineSettings
from extractors.spec import TableSpec
from extractors.text import compact, has_cjk

Matrix = list[list[Cell | None]]
Problem = tuple[str, str, str]  # (check_id, locator, message)
Carry = dict[int, list[LineItem]]  # panel → the line items of its last row

# a figure cell holding the tail of its row's label before the figure: text a narrow label cell
# could not show ran on under the next cell (spreadsheets printed with clipped text)
OVERFLOW = re.compile(r"^([\u4e00-\u9fff（）()、]{1,12})([-−]?\(?\d[\d,]*(?:\.\d+)?\)?)$")


@dataclass(frozen=True)
class RowContext:
    """What every line item of a segment shares: its document, table, page and grid engine."""

    doc_id: str
    title: str
    table_code: str
    currency_unit: str | None
    page: int
    engine: str


@dataclass
class Panel:
    """One panel's columns by role."""

    number: int
    labels: list[Column]
    codes: list[Column]
    line_nos: list[Column]
    values: list[Column]

    @classmethod
    def of(cls, cols: list[Column], number: int) -> Panel:
        own = [c for c in cols if c.panel == number]
        return cls(number, *([c for c in own if c.role == role] for role in ("label", "code", "line_no", "value")))


@dataclass
class RowRead:
    """One body row as one panel reads it."""

    r: int
    label: str
    code: str | None
    line_no: int | None
    cells: list[tuple[Column, Cell]]  # the figure cells with text
    overflow: dict[int, str]  # column → the figure, where the label's tail ran into its cell
    others: bool  # something is printed in another panel's columns
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Labels:
    """Labels placed in other columns than their own (pass 1)."""

    moved: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, panel) → its label
    consumed: set[tuple[int, int]] = field(default_factory=set)  # (row, column) cells read as a label


def read_rows(
    matrix: Matrix,
    body: list[int],
    cols: list[Column],
    spec: TableSpec,
    ctx: RowContext,
    *,
    start_index: int = 0,
    carry: Carry | None = None,
    settings: EngineSettings = DEFAULT_SETTINGS,
) -> tuple[list[LineItem], list[Problem], Carry]:
    """Line items of one segment, problems met, and each panel's last row (for the next page:
    a label cut by the page break continues at the top of the next page)."""
    items: list[LineItem] = []
    problems: list[Problem] = []
    last_rows: Carry = {}
    index = start_index
    labels = _moved_labels(matrix, body, cols, settings)
    for p in sorted({c.panel for c in cols}):
        panel = Panel.of(cols, p)
        if not panel.values:
            continue
        reads = [_read_row(matrix, r, panel, cols, labels, ctx.page) for r in body]
        rows = _join_cut_label(reads, (carry or {}).get(p), settings)
        rows = _attach_labels(rows, matrix, body, panel, spec)
        figure_rows = sum(1 for r in body if any(txt(matrix[r][c.index]) for c in panel.values))
        for row in rows:
            row_items = _row_items(row, spec, ctx, index, figure_rows >= settings.unlabelled_min_figure_rows)
            items.extend(row_items)
            if row_items:
                last_rows[p] = row_items
            index += 1
        problems.extend(pr for row in reads for pr in row.problems)
    problems.extend(_column_problems(cols, ctx.page))
    return items, problems, last_rows


def _moved_labels(matrix: Matrix, body: list[int], cols: list[Column], s: EngineSettings) -> Labels:
    """Pass 1: text in a figure column that labels the next panel's row (a label centred over
    several panels' columns), with the head of it its own panel's label cell holds."""
    out = Labels()
    for r in body:
        for c in cols:
            text = txt(matrix[r][c.index])
            if c.role != "value" or not text or parse_amount(text) is not None or not has_cjk(text):
                continue
            nxt = [x for x in cols if x.panel == c.panel + 1 and x.role == "label"]
            if nxt and len(text) >= s.moved_label_min_chars:
                own = [x for x in cols if x.panel == c.panel]
                if not any(parse_amount(txt(matrix[r][x.index])) is not None for x in own if x.role == "value"):
                    # the panel has no figures on this row: its label cell holds the label's head
                    head = [x for x in own if x.role == "label" and txt(matrix[r][x.index])]
                    text = "".join(txt(matrix[r][x.index]) for x in head) + text
                    out.consumed.update((r, x.index) for x in head)
                out.moved[(r, c.panel + 1)] = text
                out.consumed.add((r, c.index))
    return out


def _read_code(parts: list[str], locator: str, problems: list[Problem]) -> str | None:
    """The code the code cells form; a 款/项 part printed without its leading zero is padded."""
    code = join_code(parts)
    if code is None and len([x for x in parts if x]) > 1:
        padded = join_code(pad_parts(parts))
        if padded:
            code = padded
            printed = " ".join(x for x in parts if x)
            problems.append(
                (
                    "extract.code_zero_dropped",
                    locator,
                    f"code printed as '{printed}' without a leading zero; read as {code}",
                )
            )
    return code


def _read_row(matrix: Matrix, r: int, panel: Panel, cols: list[Column], labels: Labels, page: int) -> RowRead:
    """Pass 2: row r's label, code, 行次 and figure cells in `panel`, as printed."""
    row = matrix[r]
    problems: list[Problem] = []
    locator = f"p{page} row {r}"
    label = labels.moved.get((r, panel.number), "") + "".join(
        txt(row[c.index]) for c in panel.labels if (r, c.index) not in labels.consumed
    )
    parts = [txt(row[c.index]) for c in panel.codes]
    code = _read_code(parts, locator, problems) if panel.codes else None
    raw_code = "".join(parts)
    if code is None and raw_code and has_cjk(raw_code) and not any(ch.isdigit() for ch in raw_code):
        label, raw_code = raw_code + label, ""  # 合计 printed across the code columns (or 合 | 计)
    if code is None and label:
        code, label = split_code_prefix(label)
        label = compact(label)
    if raw_code and code is None:
        problems.append(("extract.code_unreadable", locator, f"code cells '{raw_code}' do not form a code"))
    line_no = None
    for c in panel.line_nos:
        t = txt(row[c.index])
        if t.isdigit():
            line_no = int(t)
    overflow: dict[int, str] = {}  # a label's tail printed over into the figure cell (clipped in print)
    for c in panel.values:
        m = OVERFLOW.match(txt(row[c.index])) if label and (r, c.index) not in labels.consumed else None
        if m and parse_amount(m.group(2)) is not None:
            label += m.group(1)
            overflow[c.index] = m.group(2)
    cells = [
        (c, cell)
        for c in panel.values
        if (cell := row[c.index]) is not None and txt(cell) and (r, c.index) not in labels.consumed
    ]
    others = any(c.panel != panel.number and txt(row[c.index]) for c in cols)
    return RowRead(r, label, code, line_no, cells, overflow, others, problems)


def _join_cut_label(reads: list[RowRead], carried: list[LineItem] | None, s: EngineSettings) -> list[RowRead]:
    """Pass 3: a lone fragment on the page's first row, nothing else on that row, is the tail of
    a label cut by the page break (a blank row of its own would stand beside others): it is
    added to the previous page's last row, and is no row of its own."""
    if not carried or not reads:
        return reads
    first = reads[0]
    label = first.label
    if first.cells or not label or first.code or first.others or ORDINAL_LABEL.match(label):
        return reads
    if TOTAL_LABEL.match(label) and len(label) > s.total_tail_max_chars:
        return reads
    for item in carried:
        item.row_label += label
    return reads[1:]


def _attach_labels(
    rows: list[RowRead], matrix: Matrix, body: list[int], panel: Panel, spec: TableSpec
) -> list[RowRead]:
    """Pass 4: the rows with figures, each with its label. Figures without one take the label of
    the row above that has none (a label whose figures come on the next line), else of the
    row below when it has no figures (figures centred above their label in a tall merged cell),
    else, where the family has group subtotals, the group's name from the row below."""
    out: list[RowRead] = []
    pending: RowRead | None = None  # a label whose figures come on the next line
    borrowed: set[int] = set()  # label rows already given to the figures above them
    for row in rows:
        if not row.cells:
            if (row.label or row.code) and row.r not in borrowed:
                pending = row
            continue
        if not row.label and not row.code and pending is not None:
            row.label, row.code, row.line_no = pending.label, pending.code, row.line_no or pending.line_no
        pending = None
        if not row.label and not row.code:
            nxt = next((b for b in body if b > row.r), None)
            if nxt is not None and not any(txt(matrix[nxt][c.index]) for c in panel.values):
                if _borrow_label(row, matrix[nxt], panel):
                    borrowed.add(nxt)
            elif nxt is not None and spec.group_subtotals:
                _group_label(row, matrix[nxt], panel, spec.group_subtotals)
        out.append(row)
    return out


def _borrow_label(row: RowRead, below: list[Cell | None], panel: Panel) -> bool:
    """The label and code of the row below, if it has either."""
    label = "".join(txt(below[c.index]) for c in panel.labels)
    code = join_code([txt(below[c.index]) for c in panel.codes]) if panel.codes else None
    if not (label or code):
        return False
    row.label, row.code = label, code
    return True


def _group_label(row: RowRead, below: list[Cell | None], panel: Panel, item_cells: int) -> None:
    """A group's subtotal above the group's first row: named by that row's outer label cells,
    not its last `item_cells` (the item and, in 政府采购 tables, its purchase form)."""
    filled = [txt(below[c.index]) for c in panel.labels if txt(below[c.index])]
    if len(filled) > item_cells:
        row.label = "".join(filled[:-item_cells])


def _row_items(row: RowRead, spec: TableSpec, ctx: RowContext, index: int, many_rows: bool) -> list[LineItem]:
    """Pass 5: the row's figure cells as line items in 元; cells that are no figure, or beyond
    any budget, are problems of the row."""
    locator = f"p{ctx.page} row {row.r}"
    if not row.label and not row.code and many_rows:
        row.problems.append(("extract.row_unlabelled", locator, "figures on a row with no label or code"))
    items: list[LineItem] = []
    for c, cell in row.cells:
        printed = row.overflow.get(c.index) or cell.text.strip()
        where = f"{locator} col {c.path or c.index}"
        amount = parse_amount(printed)
        if amount is None:
            row.problems.append(("extract.cell_not_number", where, f"'{printed}' is not a number"))
            continue
        value = to_yuan(amount, ctx.currency_unit) if ctx.currency_unit else None
        if value is None:
            continue
        if not yuan_in_range(value):
            message = f"'{printed}' {ctx.currency_unit} is beyond {MAX_YUAN:,} 元, not a figure of a budget"
            row.problems.append(("extract.too_large", where, message))
            continue
        items.append(
            LineItem(
                doc_id=ctx.doc_id,
                table_code=ctx.table_code,
                table_title=ctx.title,
                table_family=spec.family,
                section=c.section,
                row_label=row.label,
                code=row.code,
                code_system=code_system_of(row.code, spec.code_system),
                code_level=code_level(row.code),
                line_no=row.line_no,
                column=c.path or f"col{c.index}",
                value=value,
                printed=printed,
                page=ctx.page,
                x0=round(cell.x0, 2),
                top=round(cell.top, 2),
                x1=round(cell.x1, 2),
                bottom=round(cell.bottom, 2),
                row_index=index,
                panel=c.panel,
                currency_unit=ctx.currency_unit,
                engine=ctx.engine,
            )
        )
    return items


def _column_problems(cols: list[Column], page: int) -> list[Problem]:
    """Columns holding text that is not read, and columns of figures without a header."""
    out: list[Problem] = []
    for c in cols:
        if c.role == "text":
            out.append(
                ("extract.column_unmapped", f"p{page} col {c.index}", f"column '{c.path}' holds text that is not read")
            )
        if c.role == "value" and not c.path:
            out.append(("extract.column_no_header", f"p{page} col {c.index}", "a column of figures has no header"))
    return out
