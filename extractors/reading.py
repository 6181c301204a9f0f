"""Stage 5 — reading: the columns of a cell matrix, and its header and body rows.

Columns get a role from what their body cells hold (code, label, line number, value) and
their position (codes stand left of the label, figures right of it). A new label or code
column after figures starts a new panel (收入 | 支出, or the 06 table's three panels).
Header rows above the first body row give each value column its path (本年支出/基本支出).
The body rows then become line items in extractors/rows.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product
from math import prod

from extractors.cells import Cell
from extractors.codes import CODE, CODE_HEADER, SPLIT_PART, code_cell, split_code_prefix
from extractors.grid import Grid, cut_short
from extractors.money import AMOUNT, parse_amount
from extractors.settings import DEFAULT_SETTINGS, EngineSettings
from extractors.spec import TableSpec
from extractors.text import compact, has_cjk
from extractors.vocabulary import expand

TOTAL_LABEL = re.compile(r"^(合计|总计|小计|收入总计|支出总计|收入合计|支出合计|本年收入合计|本年支出合计)$")
ORDINAL_LABEL = re.compile(r"^([一二三四五六七八九十]+[、.]|\d+[.、]|\([一二三四五六七八九十\d]+\))")
META_TEXT = re.compile(r"单位[:：]|^(编制)?(部门|部门名称|预算单位|编制单位)[:：]")
# a cell of the row that numbers the columns (栏次 | 1 | 2 | 3=1+2 …): header, never data
COLUMN_NO_ROW = re.compile(expand(r"^({column_numbers}|\d{1,2}|\d{1,2}=\d{1,2}(?:[+-]\d{1,2})+)$"))
COLUMN_NO_WORD = re.compile(expand("{column_numbers}"))


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


def txt(cell: Cell | None) -> str:
    """A cell's text without spaces and line breaks ("" for no cell)."""
    return compact(cell.text) if cell else ""


def _is_figure(text: str, s: EngineSettings) -> bool:
    v = parse_amount(text)
    return v is not None and ("." in text or "," in text or len(text.strip("-")) >= s.figure_min_digits)


def _is_body_row(row: list[Cell | None], s: EngineSettings) -> bool:
    texts = [txt(c) for c in row if c]
    if not texts:
        return False
    if is_column_number_row(texts) or all(COLUMN_NO_ROW.match(t) for t in texts):
        return False
    if (TOTAL_LABEL.match(texts[0]) or ORDINAL_LABEL.match(texts[0])) and not any(has_cjk(t) for t in texts[1:]):
        return True
    for t in texts:
        if _is_figure(t, s) or CODE.match(t):
            return True
        code, _ = split_code_prefix(t)
        if code:
            return True
    return False


def _wraps_header(matrix: list[list[Cell | None]], r: int, s: EngineSettings) -> bool:
    """Row r holds no figure, only the wrapped last lines of header cells (本年支出 over 合计 in a narrow
    unruled column): each of its texts stands under a header cell, in a column of figures below."""
    row = matrix[r]
    filled = [k for k, c in enumerate(row) if txt(c)]
    if r == 0 or not filled or any(_is_figure(txt(row[k]), s) for k in filled):
        return False
    below = matrix[r + 1 :]
    return all(txt(matrix[r - 1][k]) and any(_is_figure(txt(b[k]), s) for b in below if b[k] is not None)
               for k in filled)


def _skip_row(row: list[Cell | None]) -> bool:
    texts = [txt(c) for c in row if c]
    return not texts or is_column_number_row(texts) or all(COLUMN_NO_ROW.match(t) for t in texts)


def _column_stats(
    matrix: list[list[Cell | None]], body: list[int], k: int, s: EngineSettings, coded: bool = False
) -> tuple[int, int, int, int, int, int]:
    """(cells, in Chinese, numbers, codes, with decimals, short labels) of column k's body; under a
    header that names codes (`coded`), a code with a speck read as a separator counts as a code."""
    texts = [txt(matrix[r][k]) for r in body if txt(matrix[r][k])]
    if coded:
        texts = [code_cell(t) for t in texts]
    n_cjk = sum(1 for t in texts if has_cjk(t))
    n_num = sum(1 for t in texts if parse_amount(t) is not None)
    n_code = sum(1 for t in texts if CODE.match(t) or SPLIT_PART.match(t))
    # label text overflowing into the code columns: 合计, or 合 | 计 split by a rule
    short = s.short_label_max_chars
    n_total = sum(
        1
        for t in texts
        if TOTAL_LABEL.match(t) or (has_cjk(t) and len(t) <= short and not any(ch.isdigit() for ch in t))
    )
    n_dec = sum(1 for t in texts if "." in t)
    return len(texts), n_cjk, n_num, n_code, n_dec, n_total


def assign_roles(
    matrix: list[list[Cell | None]],
    body: list[int],
    header: list[int],
    grid: Grid,
    settings: EngineSettings = DEFAULT_SETTINGS,
) -> list[Column]:
    """Each column's role (code, label, 行次, value, text, empty) and panel."""
    s = settings
    cols = [Column(k, grid.xs[k], grid.xs[k + 1]) for k in range(grid.ncols)]
    header_text = ["".join(txt(matrix[r][k]) for r in header) for k in range(grid.ncols)]
    stats = [_column_stats(matrix, body, k, s, bool(CODE_HEADER.search(header_text[k]))) for k in range(grid.ncols)]
    # labels first
    for k, (n, n_cjk, n_num, n_code, _n_dec, n_total) in enumerate(stats):
        if n and n_cjk >= max(1, s.label_cjk_share * n) and n_cjk > n_num and not (n_code and n_code + n_total == n):
            cols[k].role = "label"
    _figure_roles(matrix, body, cols, stats, header_text, s)
    _panels(cols)
    return cols


def _figure_roles(
    matrix: list[list[Cell | None]],
    body: list[int],
    cols: list[Column],
    stats: list[tuple[int, int, int, int, int, int]],
    header_text: list[str],
    s: EngineSettings,
) -> None:
    """The roles of the columns that are not labels, left to right."""
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
        nxt_label = any(c.role == "label" for c in cols[k + 1 : k + 1 + s.code_lookahead_columns])
        if "行次" in header_text[k]:
            col.role = "line_no"
        elif (
            n_code
            and n_code >= s.code_share * (n - n_total)
            and n_num - n_code <= n_code
            and n_dec == 0
            and (not seen_label or seen_value)
            and nxt_label
        ):
            col.role = "code"
        elif n_num >= s.value_share * n and n_num >= n - n_num:
            if seen_label and not seen_value and n_dec == 0 and _sequential(matrix, body, k, s):
                col.role = "line_no"
            else:
                col.role = "value"
                seen_value = True
        else:
            col.role = "text"


def _panels(cols: list[Column]) -> None:
    """A new label or code column after figures starts a new panel."""
    panel = 0
    had_value = False
    for col in cols:
        if col.role in ("code", "label") and had_value:
            panel += 1
            had_value = False
        if col.role in ("value", "line_no"):
            had_value = True
        col.panel = panel


def _sequential(matrix: list[list[Cell | None]], body: list[int], k: int, s: EngineSettings) -> bool:
    nums = [txt(matrix[r][k]) for r in body if txt(matrix[r][k])]
    if not nums or not all(t.isdigit() and len(t) <= s.line_no_max_digits for t in nums):
        return False
    ints = [int(t) for t in nums]
    return all(b > a for a, b in zip(ints, ints[1:], strict=False))


def assign_headers(
    matrix: list[list[Cell | None]],
    header: list[int],
    cols: list[Column],
    spec: TableSpec,
    ruled: bool = False,
    settings: EngineSettings = DEFAULT_SETTINGS,
) -> None:
    """Each value column's header path, and each panel's section.

    A header cell is a group (a parent level) when a neighbouring column of the same panel and
    the same kind (figures or not) has nothing printed at or above its row but has text below:
    the cell spans that column too. A group cell is placed wherever its centre falls, so it
    becomes the parent of every column it spans, its own included.
    """
    has = {(r, c.index): txt(matrix[r][c.index]) for r in header for c in cols}
    for key, text in has.items():
        if META_TEXT.search(text):  # 部门：… 单位：万元 printed inside the table's frame
            has[key] = ""
    header = [r for r in header if not is_column_number_row([has[(r, c.index)] for c in cols])]
    groups = _header_groups(matrix, header, cols, has, ruled)
    for col in cols:
        col.path = _header_path(col, header, has, groups)
    if spec.sections:
        _assign_sections(header, cols, has, spec, settings)


Texts = dict[tuple[int, int], str]  # (row, column) → the header cell's text


def _spanned(r: int, k: int, header: list[int], cols: list[Column], has: Texts) -> list[int]:
    """Columns an unruled header cell at (r, k) spans beyond its own: neighbours of its panel
    and kind with nothing printed at or above row r and text below it."""
    figures = {c.index: c.role in ("value", "empty") for c in cols}
    out = []
    for step in (-1, 1):
        j = k + step
        while 0 <= j < len(cols) and cols[j].panel == cols[k].panel and figures[j] == figures[k]:
            if any(has[(r2, j)] for r2 in header if r2 <= r) or not any(has[(r2, j)] for r2 in header if r2 > r):
                break
            out.append(j)
            j += step
    return out


def _header_groups(
    matrix: list[list[Cell | None]], header: list[int], cols: list[Column], has: Texts, ruled: bool
) -> dict[tuple[int, int], list[int]]:
    """The group cells of the header: (row, column) → the other columns each spans."""
    groups: dict[tuple[int, int], list[int]] = {}
    for r in header:
        for c in cols:
            if not has[(r, c.index)]:
                continue
            cell = matrix[r][c.index]
            width = cell.span if cell is not None else 1
            if width > 1:  # a ruled cell over several columns: one header over all of them
                groups[(r, c.index)] = list(range(c.index + 1, min(c.index + width, len(cols))))
                continue
            inferred = _spanned(r, c.index, header, cols, has) if not ruled else []
            if inferred and any(has[(r2, c.index)] for r2 in header if r2 > r):
                groups[(r, c.index)] = inferred
    if not ruled:
        for r in header:
            _share_contested(matrix, r, cols, groups)
            _nest(r, header, groups)
    return groups


def _nest(r: int, header: list[int], groups: dict[tuple[int, int], list[int]]) -> None:
    """A group on row r lies within the group above it: its span is cut to that group's columns
    (小计 under 公务用车购置及运行费 never reaches 因公出国(境)费's columns)."""
    above = [(gr, k, {k, *sp}) for (gr, k), sp in groups.items() if gr < r]
    for (gr, k), sp in list(groups.items()):
        if gr != r:
            continue
        parents = [cols for _, pk, cols in above if k in cols]
        if parents:
            inside = set.intersection(*parents)
            groups[(gr, k)] = [j for j in sp if j in inside]


def _share_contested(
    matrix: list[list[Cell | None]], r: int, cols: list[Column], groups: dict[tuple[int, int], list[int]]
) -> None:
    """Unruled group cells side by side on row r may both reach the columns between them (因公出国(境)费 and
    公务用车购置及运行费 over 小计's columns): each such column goes to one of them, cut where all of the row's
    groups stay best centred over their columns together, as offices centre a group's text over its span."""
    row = sorted(k for (gr, k) in groups if gr == r)
    cells = [matrix[r][k] for k in row]
    if len(row) < 2 or any(c is None for c in cells):
        return
    centres = [(c.x0 + c.x1) / 2 for c in cells if c is not None]
    options: list[range] = []  # for each pair side by side: where the columns between them are cut
    for a, b in zip(row, row[1:], strict=False):
        contested = sorted(set(groups[(r, a)]) & set(groups[(r, b)]) & set(range(a + 1, b)))
        options.append(range(contested[0], contested[-1] + 2) if contested else range(b, b + 1))
    if all(len(o) == 1 for o in options) or prod(len(o) for o in options) > MAX_HEADER_CUTS:
        return

    def spans(cuts: tuple[int, ...]) -> list[list[int]]:
        out = []
        for n, k in enumerate(row):
            low = cuts[n - 1] if n else -1
            high = cuts[n] if n < len(cuts) else len(cols)
            out.append([j for j in groups[(r, k)] if (j > k and j < high) or (j < k and j >= low)])
        return out

    def error(cuts: tuple[int, ...]) -> float:
        return sum(abs((cols[min([k, *sp])].x0 + cols[max([k, *sp])].x1) / 2 - cx)
                   for k, sp, cx in zip(row, spans(cuts), centres, strict=True))

    best = min(product(*options), key=error)
    for k, sp in zip(row, spans(best), strict=True):
        groups[(r, k)] = sp


MAX_HEADER_CUTS = 4096  # ways to share a header row's contested columns tried at most


def _header_path(col: Column, header: list[int], has: Texts, groups: dict[tuple[int, int], list[int]]) -> str:
    """The column's header levels, top to bottom: groups over it, then its own text."""
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
    return "/".join(levels)


def _is_panel_word(text: str, word: str, s: EngineSettings) -> bool:
    """`text` is the panel word (收入, 支出), printed with at most a few more characters."""
    return text.endswith(word) and len(text) <= len(word) + s.section_word_slack_chars


def _panel_section(
    p: int, header: list[int], cols: list[Column], has: Texts, spec: TableSpec, s: EngineSettings
) -> str | None:
    """The section the first panel word of panel p's header names (the row's last word that fits)."""
    for r in header:
        for c in cols:
            if c.panel != p:
                continue
            hits = [section for word, section in spec.sections.items() if _is_panel_word(has[(r, c.index)], word, s)]
            if hits:
                return hits[-1]
    return None


def _assign_sections(header: list[int], cols: list[Column], has: Texts, spec: TableSpec, s: EngineSettings) -> None:
    """Each panel's section from its panel word (else the panel's before it); the panel word is
    the section, not a level of the column paths."""
    last = None
    for p in sorted({c.panel for c in cols}):
        section = _panel_section(p, header, cols, has, spec, s) or last
        for c in cols:
            if c.panel == p:
                c.section = section
                first, _, rest = c.path.partition("/")
                if rest and any(_is_panel_word(first, w, s) for w in spec.sections):
                    c.path = rest
        last = section


# header words some producers print inside the first body row's ruled band (类 | 款 | 项
# above 合计 in one cell): they label the code columns, they are not data
HEADER_ONLY = {"类", "款", "项", "栏次"}


def split_rows(
    matrix: list[list[Cell | None]], settings: EngineSettings = DEFAULT_SETTINGS
) -> tuple[list[int], list[int]]:
    """(header rows, body rows): the header ends at the first row that holds data."""
    first = next((i for i, row in enumerate(matrix)
                  if _is_body_row(row, settings) and not _wraps_header(matrix, i, settings)), len(matrix))
    header = list(range(first))
    body = [i for i in range(first, len(matrix)) if not _skip_row(matrix[i])]
    for r in body[: settings.header_only_rows]:
        for k, cell in enumerate(matrix[r]):
            if cell is not None and "\n" in cell.text:
                lines = [ln for ln in cell.text.split("\n") if compact(ln) not in HEADER_ONLY]
                if len(lines) != len(cell.text.split("\n")):
                    cell.text = "\n".join(lines)
            if cell is not None and compact(cell.text) in HEADER_ONLY:
                matrix[r][k] = None
    return header, body


def inherit_columns(
    cols: list[Column], previous: list[Column], roles: bool = False, settings: EngineSettings = DEFAULT_SETTINGS
) -> None:
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
            same = overlap >= settings.same_column_overlap_share * min(col.x1 - col.x0, best.x1 - best.x0)
            if roles and same and best.role in ("code", "label", "value", "line_no"):
                col.role, col.panel = best.role, best.panel


def join_cut_row(
    above: list[list[Cell | None]], above_body: list[int], cols: list[Column], matrix: list[list[Cell | None]],
    header_words: set[str],
) -> bool:
    """A table row the page break cut in two (a word processor lets rows break across pages): the first
    row of the next page's `matrix` below its repeated header, with no code, whose figure fragments
    complete the broken figures of the last body row of the page before (`above`, read by `cols`), is
    the rest of that row. Its text joins that row's cells line by line and leaves the page; True if so."""
    if not above_body or len(matrix) == 0 or any(len(row) != len(cols) for row in (above[above_body[-1]], matrix[0])):
        return False
    last = above[above_body[-1]]
    r = next((i for i, row in enumerate(matrix) if not _repeats_header(row, header_words)), None)
    if r is None:  # (lone digits, figures' last lines, may look like a 栏次 row: they are not skipped)
        return False
    rest = matrix[r]
    label = "".join(txt(rest[c.index]) for c in cols if c.role == "label")
    coded = any(txt(rest[c.index]) for c in cols if c.role == "code")
    if coded or TOTAL_LABEL.match(label) or ORDINAL_LABEL.match(label):
        return False
    figures = [c.index for c in cols if c.role == "value" and txt(rest[c.index])]
    if not figures or any(not txt(last[k]) or not AMOUNT.match(txt(last[k]) + txt(rest[k])) for k in figures):
        return False
    if not any(cut_short(txt(last[k])) for k in figures):
        return False  # the row above printed its figures whole: this is a row of its own
    for k, cell in enumerate(rest):
        if cell is None or not txt(cell):
            continue
        top = last[k]
        if top is None:
            last[k] = Cell(_row_of(last), k, cell.text, cell.x0, cell.top, cell.x1, cell.bottom, cell.lines)
        else:
            top.text, top.lines = f"{top.text}\n{cell.text}", top.lines + cell.lines
        rest[k] = None
    return True


def join_wrapped_rows(
    matrix: list[list[Cell | None]], body: list[int], cols: list[Column], header_words: set[str]
) -> list[int]:
    """An unruled table's body rows, each figure wrapped in a narrow column (21,607.6 over 9) joined back:
    a row with no code whose figures only complete the cut figures of the row above is that row's last
    line (as join_cut_row joins a row the page break cut), also where its lone digits alone would be
    skipped as column numbers. The body rows left."""
    kept: list[int] = []
    rows = set(body)
    for r in range(body[0], len(matrix)) if body else []:
        if kept and join_cut_row(matrix, [kept[-1]], cols, [matrix[r]], header_words):
            continue
        if r in rows:
            kept.append(r)
    return kept


def _repeats_header(row: list[Cell | None], header_words: set[str]) -> bool:
    """A row of the header printed again: each of its texts is a header word of the first page, or a piece
    of one (款 | 项 where the first page's text cut printed 款项 in one cell; never digits: a figure's rest)."""
    texts = [txt(c) for c in row if txt(c)]
    return all(t in header_words or (not any(ch.isdigit() for ch in t) and any(t in w for w in header_words))
               for t in texts)


def _row_of(row: list[Cell | None]) -> int:
    """The matrix row index of a row's cells."""
    return next(c.row for c in row if c is not None)
