"""Stage 5 — reading: a cell matrix and a table spec become line items.

Columns get a role from what their body cells hold (code, label, line number, value) and
their position (codes stand left of the label, figures right of it). A new label or code
column after figures starts a new panel (收入 | 支出, or the 06 table's three panels).
Header rows above the first body row give each value column its path (本年支出/基本支出).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.cells import Cell
from extractors.codes import (
    CODE,
    SPLIT_PART,
    code_level,
    code_system_of,
    join_code,
    pad_parts,
    split_code_prefix,
)
from extractors.grid import Grid
from extractors.money import MAX_YUAN, parse_amount, to_yuan, yuan_in_range
from extractors.records import LineItem
from extractors.spec import TableSpec
from extractors.text import compact, has_cjk
from extractors.vocabulary import expand

TOTAL_LABEL = re.compile(r"^(合计|总计|小计|收入总计|支出总计|收入合计|支出合计|本年收入合计|本年支出合计)$")
ORDINAL_LABEL = re.compile(r"^([一二三四五六七八九十]+[、.]|\d+[.、]|\([一二三四五六七八九十\d]+\))")
META_TEXT = re.compile(r"单位[:：]|^(编制)?(部门|部门名称|预算单位|编制单位)[:：]")
# a cell of the row that numbers the columns (栏次 | 1 | 2 | 3=1+2 …): header, never data
COLUMN_NO_ROW = re.compile(expand(r"^({column_numbers}|\d{1,2}|\d{1,2}=\d{1,2}(?:[+-]\d{1,2})+)$"))
COLUMN_NO_WORD = re.compile(expand("{column_numbers}"))


# a figure cell holding the tail of its row's label before the figure: text a narrow label cell
# could not show ran on under the next cell (spreadsheets printed with clipped text)
OVERFLOW = re.compile(r"^([\u4e00-\u9fff（）()、]{1,12})([-−]?\(?\d[\d,]*(?:\.\d+)?\)?)$")


def is_column_number_row(texts: list[str]) -> bool:
    """The row numbering the columns: a 栏次 word, or only column numbers (two or more)."""
    texts = [t for t in texts if t]
    if any(COLUMN_NO_WORD.search(t) for t in texts):
        return True
    return len(texts) >= 2 and all(COLUMN_NO_ROW.match(t) for t in texts)


@dataclass
class Column:
    index: int
    x0: float
    x1: float
    role: str = "empty"  # code | label | line_no | value | empty | text
    panel: int = 0
    path: str = ""
    section: str | None = None


@dataclass
class SegmentReading:
    items: list[LineItem] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    header_rows: int = 0
    body_rows: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (check_id, locator, message)


def _txt(cell: Cell | None) -> str:
    return compact(cell.text) if cell else ""


def _is_figure(text: str) -> bool:
    v = parse_amount(text)
    return v is not None and ("." in text or "," in text or len(text.strip("-")) >= 3)


def _is_body_row(row: list[Cell | None]) -> bool:
    texts = [_txt(c) for c in row if c]
    if not texts:
        return False
    if is_column_number_row(texts) or all(COLUMN_NO_ROW.match(t) for t in texts):
        return False
    if (TOTAL_LABEL.match(texts[0]) or ORDINAL_LABEL.match(texts[0])) and not any(has_cjk(t) for t in texts[1:]):
        return True
    for t in texts:
        if _is_figure(t) or CODE.match(t):
            return True
        code, _ = split_code_prefix(t)
        if code:
            return True
    return False


def _skip_row(row: list[Cell | None]) -> bool:
    texts = [_txt(c) for c in row if c]
    return not texts or is_column_number_row(texts) or all(COLUMN_NO_ROW.match(t) for t in texts)


def assign_roles(matrix: list[list[Cell | None]], body: list[int], header: list[int], grid: Grid) -> list[Column]:
    cols = [Column(k, grid.xs[k], grid.xs[k + 1]) for k in range(grid.ncols)]
    header_text = ["".join(_txt(matrix[r][k]) for r in header) for k in range(grid.ncols)]
    stats = []
    for k in range(grid.ncols):
        texts = [_txt(matrix[r][k]) for r in body if _txt(matrix[r][k])]
        n = len(texts)
        n_cjk = sum(1 for t in texts if has_cjk(t))
        n_num = sum(1 for t in texts if parse_amount(t) is not None)
        n_code = sum(1 for t in texts if CODE.match(t) or SPLIT_PART.match(t))
        # label text overflowing into the code columns: 合计, or 合 | 计 split by a rule
        n_total = sum(
            1
            for t in texts
            if TOTAL_LABEL.match(t) or (has_cjk(t) and len(t) <= 6 and not any(ch.isdigit() for ch in t))
        )
        n_dec = sum(1 for t in texts if "." in t)
        stats.append((n, n_cjk, n_num, n_code, n_dec, n_total))
    # labels first
    for k, (n, n_cjk, n_num, n_code, _n_dec, n_total) in enumerate(stats):
        if n and n_cjk >= max(1, 0.5 * n) and n_cjk > n_num and not (n_code and n_code + n_total == n):
            cols[k].role = "label"
    seen_label = False
    seen_value = False
    for k, (n, _n_cjk, n_num, n_code, n_dec, n_total) in enumerate(stats):
        col = cols[k]
        if col.role == "label":
            seen_label, seen_value = True, False
            continue
        if n == 0:
            col.role = "empty"
            continue
        nxt_label = any(c.role == "label" for c in cols[k + 1 : k + 4])
        if "行次" in header_text[k]:
            col.role = "line_no"
        elif (
            n_code
            and n_code >= 0.8 * (n - n_total)
            and n_num - n_code <= n_code
            and n_dec == 0
            and (not seen_label or seen_value)
            and nxt_label
        ):
            col.role = "code"
        elif n_num >= 0.5 * n and n_num >= n - n_num:
            if seen_label and not seen_value and n_dec == 0 and _sequential(matrix, body, k):
                col.role = "line_no"
            else:
                col.role = "value"
                seen_value = True
        else:
            col.role = "text"
    # panels
    panel = 0
    had_value = False
    for col in cols:
        if col.role in ("code", "label") and had_value:
            panel += 1
            had_value = False
        if col.role in ("value", "line_no"):
            had_value = True
        col.panel = panel
    return cols


def _sequential(matrix: list[list[Cell | None]], body: list[int], k: int) -> bool:
    nums = [_txt(matrix[r][k]) for r in body if _txt(matrix[r][k])]
    if not nums or not all(t.isdigit() and len(t) <= 3 for t in nums):
        return False
    ints = [int(t) for t in nums]
    return all(b > a for a, b in zip(ints, ints[1:], strict=False))


def assign_headers(
    matrix: list[list[Cell | None]], header: list[int], cols: list[Column], spec: TableSpec, ruled: bool = False
) -> None:
    """Each value column's header path, and each panel's section.

    A header cell is a group (a parent level) when a neighbouring column of the same panel and
    the same kind (figures or not) has nothing printed at or above its row but has text below:
    the cell spans that column too. A group cell is placed wherever its centre falls, so it
    becomes the parent of every column it spans, its own included.
    """
    has = {(r, c.index): _txt(matrix[r][c.index]) for r in header for c in cols}
    for key, text in has.items():
        if META_TEXT.search(text):  # 部门：… 单位：万元 printed inside the table's frame
            has[key] = ""
    header = [r for r in header if not is_column_number_row([has[(r, c.index)] for c in cols])]
    figures = {c.index: c.role in ("value", "empty") for c in cols}

    def spans(r: int, k: int) -> list[int]:
        """Columns a cell at (r, k) spans beyond its own."""
        out = []
        for step in (-1, 1):
            j = k + step
            while 0 <= j < len(cols) and cols[j].panel == cols[k].panel and figures[j] == figures[k]:
                if any(has[(r2, j)] for r2 in header if r2 <= r) or not any(has[(r2, j)] for r2 in header if r2 > r):
                    break
                out.append(j)
                j += step
        return out

    groups: dict[tuple[int, int], list[int]] = {}
    for r in header:
        for c in cols:
            if not has[(r, c.index)]:
                continue
            cell = matrix[r][c.index]
            width = cell.span if cell is not None else 1
            if width > 1:  # a ruled cell over several columns: parent of those with text below
                covered = [j for j in range(c.index + 1, min(c.index + width, len(cols)))]
                if any(has[(r2, j)] for j in [c.index, *covered] for r2 in header if r2 > r):
                    groups[(r, c.index)] = covered
                else:
                    groups[(r, c.index)] = covered  # one header over several columns
                continue
            inferred = spans(r, c.index) if ruled is False else []
            if inferred and any(has[(r2, c.index)] for r2 in header if r2 > r):
                groups[(r, c.index)] = inferred
    for col in cols:
        levels: list[str] = []
        leaf = ""
        for r in header:
            own = has[(r, col.index)]
            if own and (r, col.index) in groups:
                levels.append(own)
            elif own:
                leaf += own
            else:
                for (gr, gk), spanned in groups.items():
                    if gr == r and col.index in spanned:
                        levels.append(has[(gr, gk)])
                        break
        if leaf:
            levels.append(leaf)
        col.path = "/".join(levels)
    if spec.sections:
        panels = sorted({c.panel for c in cols})
        last = None
        for p in panels:
            found = None
            for r in header:
                for c in cols:
                    if c.panel == p and not found:
                        t = has[(r, c.index)]
                        for word, section in spec.sections.items():
                            if t.endswith(word) and len(t) <= len(word) + 4:
                                found = (t, section)
                if found:
                    break
            section = found[1] if found else last
            for c in cols:
                if c.panel == p:
                    c.section = section
                    first, _, rest = c.path.partition("/")
                    if rest and any(first.endswith(w) and len(first) <= len(w) + 4 for w in spec.sections):
                        c.path = rest  # the panel word is the section, not a column level
            last = section


# header words some producers print inside the first body row's ruled band (类 | 款 | 项
# above 合计 in one cell): they label the code columns, they are not data
HEADER_ONLY = {"类", "款", "项", "栏次"}


def split_rows(matrix: list[list[Cell | None]]) -> tuple[list[int], list[int]]:
    """(header rows, body rows): the header ends at the first row that holds data."""
    first = next((i for i, row in enumerate(matrix) if _is_body_row(row)), len(matrix))
    header = [i for i in range(first)]
    body = [i for i in range(first, len(matrix)) if not _skip_row(matrix[i])]
    for r in body[:2]:
        for k, cell in enumerate(matrix[r]):
            if cell is not None and "\n" in cell.text:
                lines = [ln for ln in cell.text.split("\n") if compact(ln) not in HEADER_ONLY]
                if len(lines) != len(cell.text.split("\n")):
                    cell.text = "\n".join(lines)
            if cell is not None and compact(cell.text) in HEADER_ONLY:
                matrix[r][k] = None
    return header, body


def inherit_columns(cols: list[Column], previous: list[Column], roles: bool = False) -> None:
    """A continuation page without its own header takes paths and sections from the page
    before, column by column, by horizontal overlap; with `roles`, also the roles and panels of
    columns that are the same column (a page with few rows shows too little to tell)."""
    for col in cols:
        best, overlap = None, 0.0
        for p in previous:
            ov = min(col.x1, p.x1) - max(col.x0, p.x0)
            if ov > overlap:
                best, overlap = p, ov
        if best is not None:
            col.path = best.path
            col.section = best.section
            same = overlap >= 0.8 * min(col.x1 - col.x0, best.x1 - best.x0)
            if roles and same and best.role in ("code", "label", "value", "line_no"):
                col.role, col.panel = best.role, best.panel


def read_rows(
    matrix: list[list[Cell | None]],
    body: list[int],
    cols: list[Column],
    spec: TableSpec,
    *,
    doc_id: str,
    title: str,
    table_code: str,
    currency_unit: str | None,
    page: int,
    engine: str,
    start_index: int = 0,
    carry: dict[int, list[LineItem]] | None = None,
) -> tuple[list[LineItem], list[tuple[str, str, str]], dict[int, list[LineItem]]]:
    """Line items of one segment, problems met, and each panel's last row (for the next page:
    a label cut by the page break continues at the top of the next page)."""
    items: list[LineItem] = []
    last_rows: dict[int, list[LineItem]] = {}
    problems: list[tuple[str, str, str]] = []
    panels = sorted({c.panel for c in cols})
    index = start_index
    # a label centred over several panels' columns (合计 rows of the 3-block 收支总表) lands in
    # the previous panel's figure column: it labels the next panel's row when that has none
    moved: dict[tuple[int, int], str] = {}
    consumed: set[tuple[int, int]] = set()
    for r in body:
        for c in cols:
            text = _txt(matrix[r][c.index])
            if c.role != "value" or not text or parse_amount(text) is not None or not has_cjk(text):
                continue
            nxt = [x for x in cols if x.panel == c.panel + 1 and x.role == "label"]
            if nxt and len(text) >= 2:
                own = [x for x in cols if x.panel == c.panel]
                if not any(parse_amount(_txt(matrix[r][x.index])) is not None for x in own if x.role == "value"):
                    # the panel has no figures on this row: its label cell holds the label's head
                    head = [x for x in own if x.role == "label" and _txt(matrix[r][x.index])]
                    text = "".join(_txt(matrix[r][x.index]) for x in head) + text
                    consumed.update((r, x.index) for x in head)
                moved[(r, c.panel + 1)] = text
                consumed.add((r, c.index))
    for p in panels:
        pcols = [c for c in cols if c.panel == p]
        label_cols = [c for c in pcols if c.role == "label"]
        code_cols = [c for c in pcols if c.role == "code"]
        line_cols = [c for c in pcols if c.role == "line_no"]
        value_cols = [c for c in pcols if c.role == "value"]
        if not value_cols:
            continue
        figure_rows = sum(1 for r in body if any(_txt(matrix[r][c.index]) for c in value_cols))
        pending: tuple[str, str | None, int | None] | None = None  # a label whose figures come on the next line
        at_top = bool(carry and carry.get(p))
        borrowed: set[int] = set()  # label rows already given to the figures above them
        for r in body:
            row = matrix[r]
            label = moved.get((r, p), "") + "".join(
                _txt(row[c.index]) for c in label_cols if (r, c.index) not in consumed
            )
            parts = [_txt(row[c.index]) for c in code_cols]
            code = join_code(parts) if code_cols else None
            if code is None and code_cols and len([p for p in parts if p]) > 1:
                padded = join_code(pad_parts(parts))
                if padded:
                    code = padded
                    problems.append(
                        (
                            "extract.code_zero_dropped",
                            f"p{page} row {r}",
                            f"code printed as '{' '.join(p for p in parts if p)}' without a leading zero; "
                            f"read as {code}",
                        )
                    )
            raw_code = "".join(_txt(row[c.index]) for c in code_cols)
            if code is None and raw_code and has_cjk(raw_code) and not any(ch.isdigit() for ch in raw_code):
                label, raw_code = raw_code + label, ""  # 合计 printed across the code columns (or 合 | 计)
            if code is None and label:
                code, label = split_code_prefix(label)
                label = compact(label)
            if raw_code and code is None:
                problems.append(
                    ("extract.code_unreadable", f"p{page} row {r}", f"code cells '{raw_code}' do not form a code")
                )
            line_no = None
            for c in line_cols:
                t = _txt(row[c.index])
                if t.isdigit():
                    line_no = int(t)
            overflow: dict[int, str] = {}  # a label's tail printed over into the figure cell (clipped in print)
            for c in value_cols:
                m = OVERFLOW.match(_txt(row[c.index])) if label and (r, c.index) not in consumed else None
                if m and parse_amount(m.group(2)) is not None:
                    label += m.group(1)
                    overflow[c.index] = m.group(2)
            cells = [
                (c, row[c.index])
                for c in value_cols
                if row[c.index] is not None and _txt(row[c.index]) and (r, c.index) not in consumed
            ]
            others = [c for c in cols if c.panel != p and _txt(row[c.index])]
            if not cells and at_top and label and not code and not others and not ORDINAL_LABEL.match(label):
                # a lone fragment on the page's first row, nothing else on that row: the tail of a
                # label cut by the page break (a blank row of its own would stand beside others)
                if not TOTAL_LABEL.match(label) or len(label) <= 2:
                    for it in carry[p]:  # the tail of a label cut by the page break
                        it.row_label += label
                    at_top = False
                    continue
            at_top = False
            if not cells:
                if (label or code) and r not in borrowed:
                    pending = (label, code, line_no)
                continue
            if not label and not code and pending is not None:
                label, code, line_no = pending[0], pending[1], line_no or pending[2]
            pending = None
            if not label and not code:
                # figures centred above their label in a tall merged cell: the next row has the
                # label and no figures of its own
                nxt = next((b for b in body if b > r), None)
                if nxt is not None and not any(_txt(matrix[nxt][c.index]) for c in value_cols):
                    nlabel = "".join(_txt(matrix[nxt][c.index]) for c in label_cols)
                    ncode = join_code([_txt(matrix[nxt][c.index]) for c in code_cols]) if code_cols else None
                    if nlabel or ncode:
                        label, code = nlabel, ncode
                        borrowed.add(nxt)
                elif nxt is not None:
                    # a group's subtotal above the group's first row (政府采购 tables): the group
                    # is named by that row's outer label cells (not the item and its purchase form)
                    filled = [_txt(matrix[nxt][c.index]) for c in label_cols if _txt(matrix[nxt][c.index])]
                    if len(filled) >= 3:
                        label = "".join(filled[:-2])
            if not label and not code and figure_rows > 1:
                problems.append(
                    ("extract.row_unlabelled", f"p{page} row {r}", "figures on a row with no label or code")
                )
            row_items: list[LineItem] = []
            for c, cell in cells:
                printed = overflow.get(c.index) or cell.text.strip()
                amount = parse_amount(printed)
                if amount is None:
                    problems.append(
                        (
                            "extract.cell_not_number",
                            f"p{page} row {r} col {c.path or c.index}",
                            f"'{printed}' is not a number",
                        )
                    )
                    continue
                value = to_yuan(amount, currency_unit) if currency_unit else None
                if value is None:
                    continue
                if not yuan_in_range(value):
                    problems.append(
                        (
                            "extract.too_large",
                            f"p{page} row {r} col {c.path or c.index}",
                            f"'{printed}' {currency_unit} is beyond {MAX_YUAN:,} 元, not a figure of a budget",
                        )
                    )
                    continue
                row_items.append(
                    LineItem(
                        doc_id=doc_id,
                        table_code=table_code,
                        table_title=title,
                        table_family=spec.family,
                        section=c.section,
                        row_label=label,
                        code=code,
                        code_system=code_system_of(code, spec.code_system),
                        code_level=code_level(code),
                        line_no=line_no,
                        column=c.path or f"col{c.index}",
                        value=value,
                        printed=printed,
                        page=page,
                        x0=round(cell.x0, 2),
                        top=round(cell.top, 2),
                        x1=round(cell.x1, 2),
                        bottom=round(cell.bottom, 2),
                        row_index=index,
                        panel=p,
                        currency_unit=currency_unit,
                        engine=engine,
                    )
                )
            items.extend(row_items)
            if row_items:
                last_rows[p] = row_items
            index += 1
    for c in cols:
        if c.role == "text":
            problems.append(
                ("extract.column_unmapped", f"p{page} col {c.index}", f"column '{c.path}' holds text that is not read")
            )
        if c.role == "value" and not c.path:
            problems.append(("extract.column_no_header", f"p{page} col {c.index}", "a column of figures has no header"))
    return items, problems, last_rows
