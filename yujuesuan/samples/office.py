"""The second document producer: the generator's 部门决算 and 部门预算 as XLSX and DOCX (and, where
LibreOffice is installed, XLS, DOC, PDF and HTML converted from them), with ground truth.

The numbers are the PDF generator's (`yujuesuan.samples.generator.generate`: its expected line items are
the data model); only the layout is this module's, varied the ways offices vary it (`Office`):
one sheet per table or all tables on one sheet, title rows, 单位：元 or 万元, a 栏次 row, merged
header cells, split 类|款|项 code columns, a hidden column of other figures, totals as formulas
with cached values. `truth(doc)` is the ground-truth JSON of /work/shared/tools/score.py.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from extractors.word import soffice
from yujuesuan.samples.generator import Expected, Generated, Layout, _fmt, generate

SHEET_NAMES = {"01": "公开01表", "02": "公开02表", "03": "公开03表"}
ALT_SHEET_NAMES = {"01": "收支总表", "02": "表二", "03": "表三"}
TITLES = {"01": "收入支出决算总表", "02": "收入决算表", "03": "支出决算表"}
CONTENTS = ["一、收入支出决算总表", "二、收入决算表", "三、支出决算表"]
CONVERT_TIMEOUT = 180.0


@dataclass(frozen=True)
class KindWords:
    """What a document of one kind prints around the generator's tables (sheet names, titles, cover)."""

    sheet_names: dict[str, str]
    alt_sheet_names: dict[str, str]
    titles: dict[str, str]
    contents: list[str]
    year: str  # 2024年度 (决算) or 2025年 (预算)
    name: str  # 部门决算 | 部门预算


# the 部门预算 as the Shanghai template's sheets name its tables (部门收支总表 …)
WORDS = {
    "final": KindWords(SHEET_NAMES, ALT_SHEET_NAMES, TITLES, CONTENTS, "年度", "部门决算"),
    "budget": KindWords(
        {"01": "部门收支总表", "02": "部门收入总表", "03": "部门支出总表"},
        {"01": "收支预算总表", "02": "收入预算表", "03": "支出预算表"},
        {"01": "部门收支总表", "02": "部门收入总表", "03": "部门支出总表"},
        ["一、部门收支总表", "二、部门收入总表", "三、部门支出总表"],
        "年",
        "部门预算",
    ),
}


@dataclass(frozen=True)
class Office:
    """How an office lays out the workbook or Word file."""

    currency: str = "万元"  # 万元 | 元
    split_codes: bool = False  # 类 | 款 | 项 cells
    sheet_per_table: bool = True  # else every table on one sheet, one below the other
    title_rows: bool = True  # a cover line above each table's title
    column_numbers: bool = False  # a 栏次 row under the header
    merged_header: bool = True  # spanning header cells (收入 | 支出, 科目编码 over 类款项)
    hidden_column: bool = False  # a hidden column of last year's figures, not to be read
    formulas: bool = False  # 合计 rows as SUM formulas with their cached values
    alt_names: bool = False  # sheets named 收支总表 / 表二 rather than 公开01表
    fit_columns: bool = True  # columns as wide as their text (as offices set them), else the default width
    header_rules: bool = True  # header cells ruled and centred like the body's grid, else bare text
    narrative: str | None = None  # Word files: the generator's 情况说明 in 万元 or 元 (its facts in the truth)
    separators: bool = True  # the narrative's figures with thousands separators, else without
    kind: str = "final"  # the generator's kind: final (部门决算) | budget (部门预算)
    narrow: bool = False  # Word files: 02/03's columns narrow (labels wrap, the widest figure its last digit alone)
    cut_row: int | None = None  # Word files: 02 placed so that the page break cuts this body row (or the first
    # from it whose figures wrap) after its first line, its rest atop the next page (implies narrow)


@dataclass
class OfficeDocument:
    data: bytes
    file_name: str
    format: str  # xlsx | docx | xls | doc | pdf | html
    generated: Generated
    office: Office


@dataclass
class _Table:
    code: str
    header: list[list[tuple[str, int, int]]]  # rows of (text, colspan, rowspan)
    rows: list[list[str | Decimal | None]]  # codes/labels as text, figures in 元
    figure_cols: list[int]
    total_row: int | None  # the 合计 row (a formula over the 类 rows when Office.formulas)
    parent_rows: list[int]  # the 类 rows the 合计 sums


def _tables(gen: Generated, office: Office) -> list[_Table]:
    """The generator's expected items regrouped as the three tables they came from."""
    by_table: dict[str, list[Expected]] = {}
    for e in gen.expected:
        by_table.setdefault(e.table_code, []).append(e)
    tables = []
    inc = [e for e in by_table["01"] if e.section == "income"]
    exp = [e for e in by_table["01"] if e.section == "expenditure"]
    rows01: list[list[str | Decimal | None]] = []
    for i in range(max(len(inc), len(exp))):
        left = [inc[i].row_label, inc[i].value] if i < len(inc) else [None, None]
        right = [exp[i].row_label, exp[i].value] if i < len(exp) else [None, None]
        rows01.append(left + right)
    word = by_table["01"][0].column  # 决算数 | 预算数
    head01 = [[("收入", 2, 1), ("支出", 2, 1)], [("项目", 1, 1), (word, 1, 1), ("项目", 1, 1), (word, 1, 1)]]
    tables.append(_Table("01", head01, rows01, [1, 3], None, []))
    for code in ("02", "03"):
        items = by_table[code]
        columns = list(dict.fromkeys(e.column for e in items))
        keyed: dict[tuple[str | None, str], dict[str, Decimal]] = {}
        for e in items:
            keyed.setdefault((e.code, e.row_label), {})[e.column] = e.value
        ncode = 3 if office.split_codes else 1
        rows: list[list[str | Decimal | None]] = []
        for (c, label), values in keyed.items():
            cells: list[str | Decimal | None] = (
                [c[:3], c[3:5] or None, c[5:7] or None] if c and office.split_codes else [c] if c else [None] * ncode
            )
            rows.append(cells + [label] + [values.get(col) for col in columns])
        if office.split_codes and office.merged_header:
            header = [
                [("科目编码", 3, 1), ("科目名称", 1, 2)] + [(col, 1, 2) for col in columns],
                [("类", 1, 1), ("款", 1, 1), ("项", 1, 1)],
            ]
        elif office.split_codes:
            header = [[("类", 1, 1), ("款", 1, 1), ("项", 1, 1), ("科目名称", 1, 1)] + [(col, 1, 1) for col in columns]]
        else:
            header = [[("科目编码", 1, 1), ("科目名称", 1, 1)] + [(col, 1, 1) for col in columns]]
        figure_cols = list(range(ncode + 1, ncode + 1 + len(columns)))
        parents = [i for i, r in enumerate(rows) if r[0] and len(str(r[0])) == 3 and (ncode == 1 or not r[1])]
        total_row = next(i for i, r in enumerate(rows) if r[ncode] == "合计")  # on top (决算) or at the bottom (预算)
        tables.append(_Table(code, header, rows, figure_cols, total_row, parents))
    return tables


def _number(value: Decimal, office: Office) -> float | int:
    shown = value / 10000 if office.currency == "万元" else value
    return int(shown) if shown == shown.to_integral_value() and office.currency == "元" else float(shown)


def _meta(gen: Generated, office: Office) -> str:
    return f"部门：{gen.unit_name}    {gen.year}{WORDS[office.kind].year}    单位：{office.currency}"


def write_xlsx(seed: int, office: Office | None = None) -> OfficeDocument:
    """The generator's document `seed` as an .xlsx workbook (openpyxl)."""
    import openpyxl
    from openpyxl.styles import Border, Side

    office = office or Office()
    gen = generate(seed, Layout(currency=office.currency, split_codes=office.split_codes, kind=office.kind))
    wb = openpyxl.Workbook()
    _xlsx_front(wb, gen, WORDS[office.kind])
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    cached: dict[str, dict[str, str]] = {}
    ws = None
    row = 1
    tables = _tables(gen, office)
    widest = max(len(t.rows[0]) for t in tables)  # the hidden column stands right of every table
    for t in tables:
        if office.sheet_per_table or ws is None:
            words = WORDS[office.kind]
            names = words.alt_sheet_names if office.alt_names else words.sheet_names
            ws = wb.create_sheet(names[t.code] if office.sheet_per_table else words.name[2:] + "表")
            row = 1
        else:
            row += 2  # a blank row between tables
        row = _xlsx_header(ws, t, _xlsx_title(ws, t, row, gen, office), office, box)
        first_body = row
        row = _xlsx_body(ws, t, row, gen, office, box)
        if formulas := _xlsx_formulas(ws, t, first_body, office):
            cached.setdefault(ws.title, {}).update(formulas)
        if office.hidden_column:
            _xlsx_hidden_column(ws, t, first_body, widest + 1, office)
    if office.fit_columns:
        for sheet in wb.worksheets:
            _fit_columns(sheet)
            # printed as offices print a table: landscape, all its columns on one page's width
            sheet.page_setup.orientation = "landscape"
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
            sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    buf = io.BytesIO()
    wb.save(buf)
    data = _cache_formulas(buf.getvalue(), wb.sheetnames, cached) if cached else buf.getvalue()
    return OfficeDocument(data, f"office-{seed}.xlsx", "xlsx", gen, office)


def _xlsx_front(wb, gen: Generated, words: KindWords) -> None:  # noqa: ANN001
    """The cover sheet (the workbook's first) and the contents sheet."""
    cover = wb.active
    cover.title = "封面"
    cover["A1"], cover["A2"] = _cover_lines(gen, words)
    contents = wb.create_sheet("目录")
    contents["A1"] = "目录"
    for i, line in enumerate(words.contents):
        contents.cell(i + 2, 1, line)


def _cover_lines(gen: Generated, words: KindWords) -> tuple[str, str]:
    """The cover's two lines: 2024年度 / X部门决算, or X / 2025年部门预算."""
    if words.name == "部门预算":
        return gen.unit_name, f"{gen.year}年部门预算"
    return f"{gen.year}年度", f"{gen.unit_name}部门决算"


def _xlsx_title(ws, t: _Table, row: int, gen: Generated, office: Office) -> int:  # noqa: ANN001
    """The table's title rows (merged across it) and its 部门 / 单位 row; the next free row."""
    if office.title_rows:
        words = WORDS[office.kind]
        ws.cell(row, 1, f"{gen.unit_name}{gen.year}{words.year}{words.name}")
        row += 1
    width = len(t.rows[0])
    ws.cell(row, 1, WORDS[office.kind].titles[t.code])
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    row += 1
    ws.cell(row, 1, f"部门：{gen.unit_name}")
    ws.cell(row, width, f"单位：{office.currency}")
    return row + 1


def _xlsx_header(ws, t: _Table, row: int, office: Office, box) -> int:  # noqa: ANN001
    """The header rows (spans merged and ruled as the office asks) and the 栏次 row; the next free row."""
    from openpyxl.styles import Alignment

    taken: set[tuple[int, int]] = set()
    for h, hrow in enumerate(t.header):
        col = 1
        for text, colspan, rowspan in hrow:
            while (row + h, col) in taken:
                col += 1
            cell = ws.cell(row + h, col, text)
            if office.header_rules:
                cell.alignment = Alignment(horizontal="center", vertical="center")
                for a in range(rowspan):
                    for b in range(colspan):
                        ws.cell(row + h + a, col + b).border = box
            if office.merged_header and (colspan > 1 or rowspan > 1):
                ws.merge_cells(
                    start_row=row + h, start_column=col, end_row=row + h + rowspan - 1, end_column=col + colspan - 1
                )
            taken |= {(row + h + a, col + b) for a in range(rowspan) for b in range(colspan)}
            col += colspan
    row += len(t.header)
    if office.column_numbers:
        ws.cell(row, 1, "栏次")
        for n, k in enumerate(t.figure_cols):
            ws.cell(row, k + 1, n + 1)
        row += 1
    return row


def _xlsx_body(ws, t: _Table, row: int, gen: Generated, office: Office, box) -> int:  # noqa: ANN001
    """The body rows, ruled, figures as numbers in the office's number format; the next free row."""
    number_format = "#,##0.00" if office.currency == "万元" or gen.layout.decimals else "#,##0"
    for values in t.rows:
        for k, v in enumerate(values):
            if v is None:
                continue
            c = ws.cell(row, k + 1)
            c.border = box
            if isinstance(v, Decimal):
                c.value = _number(v, office)
                c.number_format = number_format
            else:
                c.value = v
        row += 1
    return row


def _xlsx_formulas(ws, t: _Table, first_body: int, office: Office) -> dict[str, str]:  # noqa: ANN001
    """With office.formulas, the total row as =SUM() of the parent rows: each formula's cell → the value
    Excel would cache (none for a table without a total row or parent rows)."""
    from openpyxl.utils import get_column_letter

    cached: dict[str, str] = {}
    if not office.formulas or t.total_row is None or not t.parent_rows:
        return cached
    for k in t.figure_cols:
        letter = get_column_letter(k + 1)
        refs = ",".join(f"{letter}{first_body + p}" for p in t.parent_rows)
        cell = ws.cell(first_body + t.total_row, k + 1)
        total = t.rows[t.total_row][k]
        cell.value = f"=SUM({refs})"
        cached[f"{letter}{first_body + t.total_row}"] = repr(_number(total, office))
    return cached


def _xlsx_hidden_column(ws, t: _Table, first_body: int, extra: int, office: Office) -> None:  # noqa: ANN001
    """A hidden 上年决算数 column right of the tables, with figures that must not be read."""
    from openpyxl.utils import get_column_letter

    ws.cell(first_body - 1, extra, "上年决算数")
    for r, values in enumerate(t.rows):
        figures = [v for v in values if isinstance(v, Decimal)]
        if figures:
            ws.cell(first_body + r, extra, _number(figures[0] * 2 + 1, office))
    ws.column_dimensions[get_column_letter(extra)].hidden = True


def _cache_formulas(data: bytes, sheet_names: list[str], cached: dict[str, dict[str, str]]) -> bytes:
    """openpyxl writes formulas without results; store each formula's cached value, as Excel does."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m and sheet_names[int(m.group(1)) - 1] in cached:
                for ref, value in cached[sheet_names[int(m.group(1)) - 1]].items():
                    body = re.sub(
                        rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/?>(?:</v>)?'.encode(),
                        rb"\g<1><v>" + value.encode() + b"</v>",
                        body,
                    )
            dst.writestr(info, body)
    return out.getvalue()


def _fit_columns(ws: object) -> None:
    """Each column as wide as its widest cell (a CJK character counts two), as an office sets
    them before printing; cells merged across columns (titles) do not count."""
    from openpyxl.utils import get_column_letter

    spanning = {(m.min_row, m.min_col) for m in ws.merged_cells.ranges if m.max_col > m.min_col}  # type: ignore[attr-defined]
    widths: dict[int, float] = {}
    for row in ws.iter_rows():  # type: ignore[attr-defined]
        for c in row:
            if c.value is None or (c.row, c.column) in spanning:
                continue
            text = f"{c.value:,.2f}" if isinstance(c.value, float) else str(c.value)
            width = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 2
            widths[c.column] = max(widths.get(c.column, 0), width)
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(width, 60)  # type: ignore[attr-defined]


def write_docx(seed: int, office: Office | None = None) -> OfficeDocument:
    """The generator's document `seed` as a .docx (python-docx): cover, contents, a narrative
    paragraph, and each table after its title and 单位 line, header cells merged."""
    import docx

    office = office or Office()
    gen = generate(seed, Layout(currency=office.currency, split_codes=office.split_codes, narrative=office.narrative,
                                separators=office.separators, kind=office.kind))
    words = WORDS[office.kind]
    d = docx.Document()
    for line in _cover_lines(gen, words):
        d.add_paragraph(line)
    d.add_page_break()
    d.add_paragraph("目录")
    for line in words.contents:
        d.add_paragraph(line)
    d.add_page_break()
    tables = _tables(gen, office)
    label = "本年收入合计" if office.kind == "final" else "收入总计"
    income = next(r[1] for r in tables[0].rows if r[0] == label)
    d.add_paragraph(
        f"{gen.year}{words.year}{label}{_fmt(income, gen.layout)}{office.currency}。"  # a fact the narrative reads
    )
    for line in gen.narrative:  # the 情况说明, each sentence a paragraph as offices type it
        d.add_paragraph(line)
    for t in tables:
        _docx_table(d, t, gen, office, words)
    d.add_paragraph("")  # Word ends a body with a paragraph (LibreOffice's .doc export drops a last table without)
    buf = io.BytesIO()
    d.save(buf)
    return OfficeDocument(buf.getvalue(), f"office-{seed}.docx", "docx", gen, office)


def _docx_table(d, t: _Table, gen: Generated, office: Office, words: KindWords) -> None:  # noqa: ANN001
    """One table after its title and 单位 line (kept with it), its columns narrowed as the office asks."""
    import docx

    narrow = t.code != "01" and (office.narrow or office.cut_row is not None)
    short = 1.5 if office.cut_row is not None else 0.5  # a cut row's figures broken before their cents
    widths = _narrow_widths(t, gen, short) if narrow else None
    space = _cut_space(t, widths, office.cut_row, gen) if widths and t.code == "02" else None
    if space is not None:
        d.add_page_break()
    title = d.add_paragraph(words.titles[t.code])
    meta = d.add_paragraph(_meta(gen, office))
    for para in (title, meta):  # a title is kept with its table, as Word's heading styles keep it
        para.paragraph_format.keep_with_next = True
    if space:
        meta.paragraph_format.space_after = docx.shared.Pt(space)  # the cut row's first line ends the page
    ncols = len(t.rows[0])
    nhead = len(t.header)
    table = d.add_table(rows=nhead + len(t.rows), cols=ncols)
    table.style = "Table Grid"
    if widths:
        _set_widths(table, widths)
    for h in range(nhead):  # header rows are not broken across pages
        table.rows[h]._tr.get_or_add_trPr().append(docx.oxml.OxmlElement("w:cantSplit"))
    taken: set[tuple[int, int]] = set()
    for h, hrow in enumerate(t.header):
        col = 0
        for text, colspan, rowspan in hrow:
            while (h, col) in taken:
                col += 1
            cell = table.cell(h, col)
            if office.merged_header and (colspan > 1 or rowspan > 1):
                cell = cell.merge(table.cell(h + rowspan - 1, col + colspan - 1))
            cell.text = text
            taken |= {(h + a, col + b) for a in range(rowspan) for b in range(colspan)}
            col += colspan
    for r, values in enumerate(t.rows):
        for k, v in enumerate(values):
            if v is not None:
                table.cell(nhead + r, k).text = _fmt(v, gen.layout) if isinstance(v, Decimal) else v


# LibreOffice's layout of python-docx's default template (measured on its PDFs): a cell's line, a row's
# border, a body paragraph's advance, the cell padding (0.08in), glyph widths at 11pt, the first line's
# top on a page, and the top of a cut row's first line that leaves room for it alone (the body ends at 720);
# a paragraph's own space after replaces the template's (LO_AFTER)
LO_LINE, LO_BORDER, LO_PARA, LO_PAD, LO_AFTER = 12.8, 0.5, 24.7, 5.76, 10.0
LO_CJK, LO_DIGIT, LO_MARK = 11.0, 7.0, 3.5
LO_FIRST_TOP, LO_CUT_TOP = 71.2, 700.0


def _glyph(ch: str) -> float:
    return LO_CJK if ord(ch) > 0x2E80 else LO_MARK if ch in ",." else LO_DIGIT


def _text(v: str | Decimal | None, gen: Generated) -> str:
    return "" if v is None else _fmt(v, gen.layout) if isinstance(v, Decimal) else v


def _narrow_widths(t: _Table, gen: Generated, short: float = 0.5) -> list[float]:
    """Column widths (pt) as a narrow Word table has them: codes fit, labels 4 characters a line,
    figure columns `short` digits short of the widest figure (by default its last digit wraps onto a
    line alone; 1.5: its cents)."""
    widest = max(sum(map(_glyph, _text(r[k], gen))) for r in t.rows for k in t.figure_cols)
    widths = []
    for k in range(len(t.rows[0])):
        if k in t.figure_cols:
            widths.append(widest - short * LO_DIGIT + 2 * LO_PAD)
        elif k == t.figure_cols[0] - 1:
            widths.append(4 * LO_CJK + 2 * LO_PAD + 1)
        else:
            widths.append(max(sum(map(_glyph, _text(r[k], gen))) for r in t.rows) + 2 * LO_PAD + 2)
    return widths


def _lines(text: str, width: float) -> int:
    """How many lines `text` takes in a cell `width` wide (characters wrap where the line is full)."""
    lines, used = 1, 0.0
    for ch in text:
        if used and used + _glyph(ch) > width - 2 * LO_PAD:
            lines, used = lines + 1, 0.0
        used += _glyph(ch)
    return lines


def _cut_space(t: _Table, widths: list[float], cut: int | None, gen: Generated) -> float | None:
    """The space (pt) under the table's 单位 line, the table starting a page, that brings body row `cut`
    (or the first from it whose figures wrap) to the page's foot with room for its first line alone;
    None without `cut`, 0 where no row can be brought there."""
    if cut is None:
        return None

    def height(cells: list[str]) -> float:
        return max(_lines(c, w) for c, w in zip(cells, widths, strict=True)) * LO_LINE + LO_BORDER

    y = LO_FIRST_TOP + 2 * LO_PARA + LO_BORDER
    for hrow in t.header:  # a header cell counts in the row it starts, at the width of the columns it spans
        col, lines = 0, 1
        for text, colspan, _ in hrow:
            lines = max(lines, _lines(text, sum(widths[col : col + colspan])))
            col += colspan
        y += lines * LO_LINE + LO_BORDER
    for r, row in enumerate(t.rows):
        texts = [_text(v, gen) for v in row]
        if r >= cut and max(_lines(texts[k], widths[k]) for k in t.figure_cols) > 1 and y <= LO_CUT_TOP:
            return LO_CUT_TOP - y + LO_AFTER
        y += height(texts)
    return 0.0


def _set_widths(table, widths: list[float]) -> None:  # noqa: ANN001
    """Fixed column widths (the grid and every cell), as Word stores a table the user narrowed."""
    from docx.shared import Pt

    table.autofit = False
    for k, w in enumerate(widths):
        table.columns[k].width = Pt(w)
        for cell in table.columns[k].cells:
            cell.width = Pt(w)


def convert(doc: OfficeDocument, to: str) -> OfficeDocument:
    """`doc` converted by LibreOffice (`soffice --headless --convert-to xls|doc|pdf|html`)."""
    data, name = soffice_convert(doc.data, doc.file_name, to)
    return OfficeDocument(data, name, to, doc.generated, doc.office)


def soffice_convert(data: bytes, file_name: str, to: str) -> tuple[bytes, str]:
    """(the bytes, the file name) of `file_name` converted by LibreOffice to `to` (xls, doc, pdf, html)."""
    binary = soffice()
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="yujuesuan-soffice-") as tmp:
        src = Path(tmp) / file_name
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        subprocess.run(
            [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", to,
             "--outdir", str(Path(tmp) / "out"), str(src)],
            check=True, capture_output=True, timeout=CONVERT_TIMEOUT,
        )  # fmt: skip
        out = next((Path(tmp) / "out").iterdir())
        return out.read_bytes(), f"{src.stem}.{to}"


def truth(doc: OfficeDocument) -> dict:
    """The ground truth of `doc` in the scorer's JSON format (values in its currency unit): the
    generator's truth, the document's numbers being the generator's."""
    from yujuesuan.samples.bench import truth_of

    return truth_of(doc.generated, doc.file_name)


SAMPLE_OFFICES: list[Office] = [
    Office(narrative="万元"),
    Office(currency="元", split_codes=True, formulas=True, narrative="元", separators=False),
    Office(sheet_per_table=False, hidden_column=True, column_numbers=True, narrative="元"),
    Office(currency="元", merged_header=False, alt_names=True, narrative="万元", separators=False),
    Office(header_rules=False, split_codes=True),  # header cells as bare text above a ruled body
    # 部门预算 (部门收支总表, 部门收入总表, 部门支出总表): a workbook's ways (元, formulas, 栏次, a hidden
    # column) and a Word file's (split codes, header cells unmerged, the other sheet names), each Word file
    # with its 编制说明 (totals 收入预算/支出预算, the fiscal appropriation by fund)
    Office(kind="budget", currency="元", formulas=True, column_numbers=True, hidden_column=True, narrative="元"),
    Office(kind="budget", split_codes=True, merged_header=False, alt_names=True, narrative="万元"),
    # Word tables narrowed: figures wrap (the widest its last digit alone), and a row the page break cuts
    Office(narrow=True, merged_header=False, narrative="万元"),
    Office(currency="元", cut_row=4, split_codes=True),
]


def write_samples(out: Path, seed: int = 100) -> list[Path]:
    """XLSX and DOCX samples (and XLS, DOC where LibreOffice is installed) with their ground
    truth beside them (`NAME.json`), for `score.py --warehouse W --truth OUT`."""
    out.mkdir(parents=True, exist_ok=True)
    docs = [write_xlsx(seed + n, o) for n, o in enumerate(SAMPLE_OFFICES)]
    docs += [write_docx(seed + 50 + n, o) for n, o in enumerate(SAMPLE_OFFICES)]
    if soffice() is not None:
        docs += [convert(docs[1], "xls"), convert(docs[len(SAMPLE_OFFICES)], "doc")]
    written = []
    for doc in docs:
        path = out / doc.file_name
        path.write_bytes(doc.data)
        path.with_name(f"{doc.file_name}.json").write_text(
            json.dumps(truth(doc), ensure_ascii=False, indent=1), encoding="utf-8"
        )
        written.append(path)
    return written


def write_converted(out: Path, seed: int = 200, to: tuple[str, ...] = ("pdf", "html")) -> list[Path]:
    """The second producer's corpus: every sample office's XLSX and DOCX, and each converted by
    LibreOffice to PDF and HTML (the PDFs and web pages offices publish from the same files),
    with their truth. Needs `soffice`; raises RuntimeError without it."""
    if soffice() is None:
        raise RuntimeError("LibreOffice (soffice) is not installed (Debian: libreoffice-calc, libreoffice-writer)")
    out.mkdir(parents=True, exist_ok=True)
    sources = [write_xlsx(seed + n, o) for n, o in enumerate(SAMPLE_OFFICES)]
    sources += [write_docx(seed + 50 + n, o) for n, o in enumerate(SAMPLE_OFFICES)]
    docs = list(sources)
    for doc in sources:
        for fmt in to:
            converted = convert(doc, fmt)
            converted.file_name = f"{Path(doc.file_name).stem}-{doc.format}.{fmt}"
            docs.append(converted)
    written = []
    for doc in docs:
        path = out / doc.file_name
        path.write_bytes(doc.data)
        path.with_name(f"{doc.file_name}.json").write_text(json.dumps(truth(doc), ensure_ascii=False), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    import sys

    for p in write_samples(Path(sys.argv[1] if len(sys.argv) > 1 else "office-samples")):
        print(p)
