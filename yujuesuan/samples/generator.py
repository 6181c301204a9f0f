"""Synthetic disclosure generator: 部门决算 and 部门预算 PDFs with known numbers and varied layout.

It makes the project's bundled samples (data/samples) and the documents of parametrised tests.
Every figure it prints is also returned as an expected line item, so a test can compare the
extraction exactly. Layout varies by `Layout`: currency unit, codes joined (2010301) or split
over 类|款|项 columns, full grid / horizontal rules only / no rules, and rows per page (long
tables break over pages and repeat their header). `Layout.kind` "budget" makes a 部门预算 (收支预算总表,
收入预算表, 支出预算表 with 合计 at the bottom, the year being the budget year) from the same figures.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extractors.text import compact

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

# a small slice of the 支出功能分类科目 (类 → 款 → 项)
FUNCTIONS: dict[str, str] = {
    "201": "一般公共服务支出",
    "20103": "政府办公厅（室）及相关机构事务",
    "2010301": "行政运行",
    "2010302": "一般行政管理事务",
    "2010350": "事业运行",
    "20106": "财政事务",
    "2010601": "行政运行",
    "2010607": "信息化建设",
    "208": "社会保障和就业支出",
    "20805": "行政事业单位养老支出",
    "2080501": "行政单位离退休",
    "2080505": "机关事业单位基本养老保险缴费支出",
    "2080506": "机关事业单位职业年金缴费支出",
    "210": "卫生健康支出",
    "21011": "行政事业单位医疗",
    "2101101": "行政单位医疗",
    "2101102": "事业单位医疗",
    "221": "住房保障支出",
    "22102": "住房改革支出",
    "2210201": "住房公积金",
    "2210203": "购房补贴",
}
UNITS = ["示例市人民政府办公室", "示例市财政局", "示例县司法局", "示例区商务委员会"]


@dataclass(frozen=True)
class Layout:
    currency: str = "万元"  # 万元 | 元
    split_codes: bool = False  # 类 | 款 | 项 in three columns
    rules: str = "grid"  # grid | horizontal | none
    rows_per_page: int = 40
    decimals: bool = True  # 元 printed with or without cents
    # what offices vary beyond the grid (defaults: the original three-table document)
    total_word: str | None = None  # the 02/03 total column's header: 合计, 小计, 合计数 … (default 本年收入合计 …)
    column_numbers: bool = False  # a 栏次 row numbering the columns under the header
    sangong: bool = False  # a horizontal 财政拨款“三公”经费支出决算表 (预算数/决算数 under each item)
    narrative: str | None = None  # a 情况说明 with known facts and variance lines, its figures in 万元 or 元
    separators: bool = True  # the narrative's figures with thousands separators (1,234.56) or without
    # the self-evaluation attachments (项目支出绩效自评表, 部门整体支出绩效自评表), their 单位 label
    # printed as 万元 or 元, or "unprinted" (no label; figures in 万元)
    performance: str | None = None
    kind: str = "final"  # final (部门决算) | budget (部门预算: tables 01-03 only)
    # what word processors and sheets do to a table (defaults: none of it)
    narrow: bool = False  # 02/03's columns narrow: labels wrap, the widest figure wraps its last digit alone
    cut_row: int | None = None  # this body row of 02 broken by the page break after its first line (implies narrow)
    heading: bool = False  # the unit's heading line (…年度部门决算) in a ruled cell above each title
    stacked: bool = False  # tables one below the other on a page while they fit (one sheet printed)
    # a table after another starts at the page's foot: its title (and 单位 line) alone there, its header and
    # rows atop the next page, as a word processor without keep-with-next prints it (with stacked: when its
    # rows do not fit below the table before)
    orphan_title: bool = False
    unit: str | None = None  # the unit's name (default: one of UNITS, drawn by the seed)


@dataclass(frozen=True)
class Expected:
    table_code: str
    table_family: str
    section: str | None
    row_label: str
    code: str | None
    column: str
    value: Decimal  # 元

    def key(self) -> tuple:
        return (self.table_code, self.section, self.code or self.row_label, self.column, self.value)


@dataclass(frozen=True)
class Mutation:
    """One deliberate error, for testing the checks: in table `table`, `kind` is
    "number" (one printed figure changed), "drop_row" (one row left out) or "unit" (the
    单位 label switched between 万元 and 元, figures unchanged)."""

    kind: str
    table: str
    seed: int = 0


# the table mutations ("narrative", a stated total off, too); "honest_unit" is the control: one table honestly
# printed in 元 in a document in 万元 (as Shanghai's budgets mix them), which must raise no error
MUTATION_KINDS = ("number", "drop_row", "unit", "honest_unit")


@dataclass(frozen=True)
class StatedFact:
    """A figure the narrative states: a contract metric (or variance:CODE with the variance's
    field as qualifier), its qualifier, and its value in 元 (or % for shares and rates)."""

    metric: str
    qualifier: str | None
    value: Decimal
    unit: str = "元"


@dataclass(frozen=True)
class ExpectedProject:
    """A row the self-evaluation attachments print (amounts in 元, rate and score as printed)."""

    project_name: str
    budget: Decimal
    executed: Decimal
    execution_rate: Decimal
    score: Decimal


@dataclass
class Generated:
    pdf: bytes
    expected: list[Expected]
    unit_name: str
    year: int
    layout: Layout
    mutation: Mutation | None = None
    mutation_detail: str | None = None
    facts: list[StatedFact] = field(default_factory=list)
    projects: list[ExpectedProject] = field(default_factory=list)
    narrative: list[str] = field(default_factory=list)  # the 情况说明's paragraphs (other producers print them too)


def _fmt(value_yuan: Decimal, layout: Layout) -> str:
    if layout.currency == "万元":
        return f"{value_yuan / 10000:,.2f}"
    return f"{value_yuan:,.2f}" if layout.decimals else f"{value_yuan:,.0f}"


def _amount(rng: random.Random, layout: Layout) -> Decimal:
    if layout.currency == "万元":
        return Decimal(rng.randint(1, 500_000) * 100)  # whole 0.01 万元
    if layout.decimals:
        return Decimal(rng.randint(100, 500_000_000)) / 100
    return Decimal(rng.randint(1000, 5_000_000))


def _function_rows(rng: random.Random, layout: Layout) -> list[tuple[str, str, dict[str, Decimal]]]:
    """Coded rows (类, 款, 项 in code order) with 基本/项目 and 财政拨款/其他 figures summing up."""
    leaves = [c for c in FUNCTIONS if len(c) == 7]
    chosen = sorted(rng.sample(leaves, rng.randint(3, len(leaves))))
    figures: dict[str, dict[str, Decimal]] = {}
    for leaf in chosen:
        basic, project = _amount(rng, layout), _amount(rng, layout) if rng.random() < 0.5 else Decimal(0)
        other = Decimal(0)
        if rng.random() < 0.3:
            step = Decimal(100) if layout.currency == "万元" else Decimal(1)
            other = (basic / 10 / step).quantize(Decimal(1)) * step
        figures[leaf] = {"basic": basic, "project": project, "fiscal": basic + project - other, "other": other}
    for leaf in chosen:
        for parent in (leaf[:3], leaf[:5]):
            agg = figures.setdefault(
                parent, {"basic": Decimal(0), "project": Decimal(0), "fiscal": Decimal(0), "other": Decimal(0)}
            )
            for k in agg:
                agg[k] += figures[leaf][k]
    return [(code, FUNCTIONS[code], figures[code]) for code in sorted(figures)]


class _Pages:
    """Draws tables onto pages, starting a new page (with the header again) when one is full.
    A cell's text wider than its column wraps onto more lines (its row grows); with
    `layout.cut_row`, that body row of table 02 is broken by the page break after its first line."""

    LINE = 11.0  # the step between a wrapped cell's lines
    FOOT = 40.0  # the page's bottom margin

    def __init__(self, c: canvas.Canvas, layout: Layout, heading: str | None = None) -> None:
        self.c, self.layout = c, layout
        self.width, self.height = landscape(A4)
        self.page = 0
        self.heading = heading if layout.heading else None  # the unit's heading line above each title
        self.y: float | None = None  # where the page's last table ended (stacked tables)

    def table(
        self,
        title: str,
        meta: str,
        header: list[list[tuple[str, int]]],
        widths: list[float],
        rows: list[list[str]],
        aligns: list[str],
        cut: int | None = None,
    ) -> None:
        c = self.c
        cells = [[_wrap(text, w) for text, w in zip(row, widths, strict=False)] for row in rows]
        wrapped = [i for i, row in enumerate(cells) if cut is not None and i >= cut
                   and any(len(lines) > 1 for lines, a in zip(row, aligns, strict=False) if a == "r")]
        if wrapped:  # the first row from `cut` on whose figures wrap: its first line ends the page
            k = wrapped[0]
            top, rest = [lines[:1] for lines in cells[k]], [lines[1:] or [""] for lines in cells[k]]
            cells[k : k + 1] = [top, rest]
            cut = k  # the page ends after the row's first line
        else:
            cut = None
        below = self._below(len(header))
        orphan = self._orphan() if below is None else None  # the title alone at this page's foot
        chunks = self._chunks(cells, len(header), cut, None if below is None else below - 40 - 30 * len(header))
        for n, chunk in enumerate(chunks):
            y = below if n == 0 and below is not None else orphan if n == 0 and orphan is not None else self._new_page()
            if n == 0 and self.heading:
                self._heading(y + 26, widths)
            c.setFont(FONT, 16)
            if n == 0:
                c.drawCentredString(self.width / 2, y, title)
                c.setFont(FONT, 10)
                c.drawString(40, y - 24, meta)
            if n == 0 and orphan is not None:
                y = self._new_page() + 40  # the header atop the next page, where a title would stand
            y -= 40
            self.y = self._rows(y, header, widths, chunk, aligns)

    def _below(self, nhead: int) -> float | None:
        """Stacked tables: the y of the title below the table before, where a few of its rows still fit."""
        if not self.layout.stacked or self.y is None:
            return None
        y = self.y - 30 - (26 if self.heading else 0)
        return y if y - 40 - 30 * nhead - 3 * 18 > self.FOOT else None

    def _orphan(self) -> float | None:
        """Orphan titles: the y of a title at the page's foot, below the table before (its rows go overleaf)."""
        if not self.layout.orphan_title or self.y is None:
            return None
        y = self.FOOT + 34 + (26 if self.heading else 0)
        return y if self.y - 30 > y else None

    def _new_page(self) -> float:
        """A new page: the y of the title at its top."""
        if self.page:
            self.c.showPage()
        self.page += 1
        self.c.setPageSize(landscape(A4))
        return self.height - 50 - (26 if self.heading else 0)

    def _heading(self, y: float, widths: list[float]) -> None:
        """The unit's heading line (单位 年度 部门决算) in a ruled cell, as a sheet prints its bordered title row."""
        c = self.c
        c.setFont(FONT, 10)
        x1 = 40 + sum(widths)
        c.drawCentredString((40 + x1) / 2, y - 10, self.heading or "")
        c.setLineWidth(0.6)
        c.rect(40, y - 14, x1 - 40, 16)

    def _height(self, row: list[list[str]]) -> float:
        return 18 + self.LINE * (max(len(lines) for lines in row) - 1) if row else 18

    def _chunks(
        self, cells: list[list[list[str]]], nhead: int, cut: int | None, first_room: float | None = None
    ) -> list[list[list[list[str]]]]:
        """The rows page by page: at most rows_per_page, as many as the page holds (the first page
        `first_room` when the table starts below another), a break after `cut`."""
        full = self.height - 90 - 30 * nhead - self.FOOT - (26 if self.heading else 0)
        room = full if first_room is None else first_room - self.FOOT
        chunks: list[list[list[list[str]]]] = [[]]
        used = 0.0
        for i, row in enumerate(cells):
            h = self._height(row)
            if chunks[-1] and (len(chunks[-1]) >= self.layout.rows_per_page or used + h > room):
                chunks.append([])
                used, room = 0.0, full
            chunks[-1].append(row)
            used += h
            if i == cut and i + 1 < len(cells):
                chunks.append([])
                used, room = 0.0, full
        return chunks

    def _header(self, y: float, header: list[list[tuple[str, int]]], xs: list[float]) -> float:
        """The header rows (their words wrapped in narrow columns); the y below them."""
        c, rules = self.c, self.layout.rules
        for hrow in header:
            h = self._height([_wrap(text, xs[col + span] - xs[col]) for col, (text, span) in _at(hrow)])
            for col, (text, span) in _at(hrow):
                if text == "\0":  # a cell continued from the row above: no rule between them
                    continue
                a, b = xs[col], xs[col + span]
                for n, line in enumerate(_wrap(text, b - a)):
                    c.drawCentredString((a + b) / 2, y - 13 - self.LINE * n, line)
                if rules == "grid":
                    c.line(a, y, a, y - h)
                    c.line(b, y, b, y - h)
            if rules != "none":
                c.line(xs[0], y, xs[-1], y)
            y -= h
        return y

    def _rows(
        self,
        y: float,
        header: list[list[tuple[str, int]]],
        widths: list[float],
        rows: list[list[list[str]]],
        aligns: list[str],
    ) -> float:
        c, rules = self.c, self.layout.rules
        x0 = 40
        xs = [x0]
        for w in widths:
            xs.append(xs[-1] + w)
        c.setFont(FONT, 9)
        c.setLineWidth(0.6)
        y = body_top = self._header(y, header, xs)
        for row in rows:
            if rules != "none":
                c.line(xs[0], y, xs[-1], y)
            for k, lines in enumerate(row):
                for n, text in enumerate(lines):
                    if not text:
                        continue
                    if aligns[k] == "r":
                        c.drawRightString(xs[k + 1] - 4, y - 13 - self.LINE * n, text)
                    else:
                        c.drawString(xs[k] + 4, y - 13 - self.LINE * n, text)
            y -= self._height(row)
        if rules != "none":
            c.line(xs[0], y, xs[-1], y)
        if rules == "grid":
            for x in xs:
                c.line(x, body_top, x, y)
        return y


def _at(hrow: list[tuple[str, int]]) -> list[tuple[int, tuple[str, int]]]:
    """A header row's cells with the column each starts at."""
    out, col = [], 0
    for text, span in hrow:
        out.append((col, (text, span)))
        col += span
    return out


def _wrap(text: str, width: float) -> list[str]:
    """A cell's text in lines no wider than its column (less its padding), as a word processor wraps it."""
    lines, current = [], ""
    for ch in text:
        if current and pdfmetrics.stringWidth(current + ch, FONT, 9) > width - 8:
            lines.append(current)
            current = ""
        current += ch
    return [*lines, current]


def _mutate(
    mutation: Mutation, body: list[list[str]], meta: str, layout: Layout, value_cols: list[int]
) -> tuple[list[list[str]], str, str]:
    """Apply a mutation to a table's printed rows and meta line: (rows, meta, what was done)."""
    rng = random.Random(mutation.seed)
    body = [list(r) for r in body]
    if mutation.kind == "unit":
        other = "元" if layout.currency == "万元" else "万元"
        return body, meta.replace(f"单位：{layout.currency}", f"单位：{other}"), f"单位 printed as {other}"
    if mutation.kind == "honest_unit":  # no error: the table is printed in 元, figures and label alike
        if layout.currency != "万元":
            raise ValueError("an honest 元 table needs a document in 万元")
        for row in body:
            for k in value_cols:
                if k < len(row) and row[k]:
                    row[k] = f"{Decimal(row[k].replace(',', '')) * 10000:,.2f}"
        return body, meta.replace("单位：万元", "单位：元"), "table printed in 元 (figures and 单位 alike)"
    numeric = [(r, k) for r, row in enumerate(body) for k in value_cols if k < len(row) and row[k]]
    if mutation.kind == "number":
        r, k = rng.choice(numeric)
        old = Decimal(body[r][k].replace(",", ""))
        step = Decimal(rng.randint(100, 5000)) / (100 if layout.currency == "万元" else 1) * rng.choice((1, -1))
        new = old + step if old + step > 0 else old + abs(step)
        body[r][k] = f"{new:,.2f}" if "." in body[r][k] else f"{new:,.0f}"
        return body, meta, f"row {r}: {old} printed as {body[r][k]}"
    if mutation.kind == "drop_row":
        rows = [
            r for r, row in enumerate(body) if any(k < len(row) and row[k] for k in value_cols) and "合计" not in row
        ]
        r = rng.choice(rows)
        dropped = body.pop(r)
        return body, meta, f"row {' '.join(t for t in dropped if t)} left out"
    raise ValueError(f"unknown mutation kind {mutation.kind!r}; one of {MUTATION_KINDS}")


def generate(seed: int, layout: Layout | None = None, mutation: Mutation | None = None) -> Generated:
    """One synthetic 部门决算 (tables 01, 02, 03), or 部门预算 with `layout.kind` "budget", with its
    expected line items (of the document before `mutation`, which changes one table as printed)."""
    rng = random.Random(seed)
    layout = layout or Layout()
    if layout.kind == "budget":
        _check_budget_layout(layout)
    unit = rng.choice(UNITS)  # drawn whatever `layout.unit` says: the rest of the document stays the seed's
    unit = layout.unit or unit
    year = rng.choice([2022, 2023, 2024]) + (layout.kind == "budget")  # a budget is for the year ahead
    rows = _function_rows(rng, layout)
    expected: list[Expected] = []
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=landscape(A4), invariant=1)  # same seed, same bytes
    (_budget_cover if layout.kind == "budget" else _cover)(c, unit, year, layout)
    heading = f"{unit}{year}年部门预算" if layout.kind == "budget" else f"{unit}{year}年度部门决算"
    pages = _Pages(c, layout, heading)
    pages.page = 1
    meta = f"部门：{unit}    {year}年度    单位：{layout.currency}"
    tops = [r for r in rows if len(r[0]) == 3]
    total = {k: sum((r[2][k] for r in tops), Decimal(0)) for k in ("basic", "project", "fiscal", "other")}
    if layout.kind == "budget":
        detail = _budget_tables(pages, layout, f"部门：{unit}    {year}年    单位：{layout.currency}", total, rows,
                                mutation, expected)
    else:
        detail = _summary_table(pages, layout, meta, total, tops, mutation, expected)
        detail = _coded_tables(pages, layout, meta, total, rows, mutation, expected) or detail
    if layout.sangong:
        expected += _sangong(pages, rng, layout, meta)
    projects = _performance(pages, random.Random(seed + 11), layout, unit, year) if layout.performance else []
    facts: list[StatedFact] = []
    lines: list[str] = []
    if layout.narrative:
        lines, facts, said = narrative_lines(random.Random(seed + 7), layout, year, total, rows, mutation)
        detail = said or detail
        _draw_narrative(c, lines)
    c.showPage()
    c.save()
    return Generated(buf.getvalue(), expected, unit, year, layout, mutation, detail, facts, projects, lines)


def _cover(c: canvas.Canvas, unit: str, year: int, layout: Layout) -> None:
    """The title page and the contents page (the tables this document promises)."""
    c.setTitle(f"{unit}{year}年度部门决算")
    c.setFont(FONT, 24)
    w, h = landscape(A4)
    c.drawCentredString(w / 2, h / 2 + 20, f"{year}年度")
    c.drawCentredString(w / 2, h / 2 - 20, f"{unit}部门决算")
    c.showPage()  # the contents page: the tables this document promises
    c.setFont(FONT, 18)
    c.drawCentredString(w / 2, h - 60, "目 录")
    c.setFont(FONT, 12)
    contents = ["一、收入支出决算总表", "二、收入决算表", "三、支出决算表"]
    if layout.sangong:
        contents.append("九、财政拨款“三公”经费支出决算表")
    for n, title in enumerate(contents):
        c.drawString(120, h - 110 - 24 * n, title)


BUDGET_KINDS = ("final", "budget")


def _check_budget_layout(layout: Layout) -> None:
    """A 部门预算 is made of tables 01-03: the options only 决算 documents have are refused."""
    extras = [name for name in ("sangong", "performance") if getattr(layout, name)]
    if extras:
        raise ValueError(f"a budget layout has no {', '.join(extras)} (only 决算 documents do)")


def _budget_cover(c: canvas.Canvas, unit: str, year: int, layout: Layout) -> None:
    """The 部门预算's title page ("2025年部门预算") and its contents page."""
    c.setTitle(f"{unit}{year}年部门预算")
    c.setFont(FONT, 24)
    w, h = landscape(A4)
    c.drawCentredString(w / 2, h / 2 + 20, f"{unit}")
    c.drawCentredString(w / 2, h / 2 - 20, f"{year}年部门预算")
    c.showPage()
    c.setFont(FONT, 18)
    c.drawCentredString(w / 2, h - 60, "目 录")
    c.setFont(FONT, 12)
    for n, title in enumerate(BUDGET_TITLES.values()):
        c.drawString(120, h - 110 - 24 * n, f"{'一二三'[n]}、{title}")


BUDGET_TITLES = {"01": "收支预算总表", "02": "收入预算表", "03": "支出预算表"}


def budget_summary_rows(total: dict[str, Decimal], tops: list) -> tuple[list, list]:
    """The 收支预算总表's panels as (label, 元) pairs: income (财政拨款收入 with its three funds, 事业收入,
    事业单位经营收入, 其他收入, 收入总计) and expenditure (each 类, 支出总计)."""
    zero = Decimal(0)
    income = [
        ("一、财政拨款收入", total["fiscal"]),
        ("1.一般公共预算资金", total["fiscal"]),
        ("2.政府性基金", zero),
        ("3.国有资本经营预算", zero),
        ("二、事业收入", zero),
        ("三、事业单位经营收入", zero),
        ("四、其他收入", total["other"]),
        ("收入总计", total["fiscal"] + total["other"]),
    ]
    spent = [(f"{'一二三四五六'[i]}、{r[1]}", r[2]["basic"] + r[2]["project"]) for i, r in enumerate(tops)]
    spent.append(("支出总计", total["basic"] + total["project"]))
    return income, spent


def _budget_tables(
    pages: _Pages, layout: Layout, meta: str, total: dict[str, Decimal], rows: list,
    mutation: Mutation | None, expected: list[Expected],
) -> str | None:
    """The 部门预算's tables: 01 收支预算总表 (项目 | 预算数 per panel), 02 收入预算表 and 03 支出预算表 by
    function code with their 合计 row at the bottom; the mutation's detail if it is one of theirs."""
    detail = None
    income, spent = budget_summary_rows(total, [r for r in rows if len(r[0]) == 3])
    body = []
    for i in range(max(len(income), len(spent))):
        pair = [income[i] if i < len(income) else ("", None), spent[i] if i < len(spent) else ("", None)]
        body.append([t for label, v in pair for t in (label, _fmt(v, layout) if v is not None else "")])
        for section, (label, v) in zip(("income", "expenditure"), pair, strict=True):
            if v is not None:
                expected.append(Expected("01", "summary", section, label, None, "预算数", v))
    head = [[("收入", 2), ("支出", 2)], [("项目", 1), ("预算数", 1), ("项目", 1), ("预算数", 1)]]
    tables = [("01", BUDGET_TITLES["01"], head, [220, 120, 240, 120], body, ["l", "r", "l", "r"], [1, 3])]
    ncode = 3 if layout.split_codes else 1
    code_head = [("类", 1), ("款", 1), ("项", 1)] if layout.split_codes else [("科目编码", 1)]
    for code, family, columns in (
        ("02", "income", [(layout.total_word or "合计", None), ("财政拨款收入", "fiscal"), ("其他收入", "other")]),
        ("03", "expenditure", [(layout.total_word or "合计", None), ("基本支出", "basic"), ("项目支出", "project")]),
    ):
        parts = [k for _, k in columns if k]
        coded = [(c, label, fig) for c, label, fig in rows] + [(None, "合计", total)]
        body = []
        for c, label, fig in coded:
            vals = [sum((fig[k] for k in parts), Decimal(0))] + [fig[k] for k in parts]
            cells = ([c[:3], c[3:5], c[5:7]] if layout.split_codes else [c]) if c else [""] * ncode
            body.append(cells + [label] + [_fmt(v, layout) for v in vals])
            expected += [Expected(code, family, None, label, c, n, v)
                         for (n, _), v in zip(columns, vals, strict=True)]
        header = [code_head + [("科目名称", 1)] + [(n, 1) for n, _ in columns]]
        if layout.column_numbers:
            header.append([("栏次", ncode + 1)] + [(str(n + 1), 1) for n in range(len(columns))])
        tables.append((code, BUDGET_TITLES[code], header, [45, 35, 35][:ncode] if ncode == 3 else [80],
                       body, ["l"] * (ncode + 1) + ["r"] * 3, list(range(ncode + 1, ncode + 4))))
    for code, title, header, widths, body, aligns, value_cols in tables:
        table_meta = meta
        if mutation and mutation.table == code and mutation.kind != "narrative":
            body, table_meta, detail = _mutate(mutation, body, meta, layout, value_cols)
        if code != "01":
            widths = widths + [230] + [110] * 3
        pages.table(title, table_meta, header, widths, body, aligns)
    return detail


def _summary_table(
    pages: _Pages, layout: Layout, meta: str, total: dict[str, Decimal], tops: list,
    mutation: Mutation | None, expected: list[Expected],
) -> str | None:
    """Table 01 收入支出决算总表 (two panels); its expected items appended; the mutation's detail if it is 01's."""
    detail = None
    income_total = total["fiscal"] + total["other"]
    zero = Decimal(0)
    left = [
        ("一、一般公共预算财政拨款收入", total["fiscal"]),
        ("二、政府性基金预算财政拨款收入", zero),
        ("三、国有资本经营预算财政拨款收入", zero),
        ("四、上级补助收入", zero),
        ("五、事业收入", zero),
        ("六、经营收入", zero),
        ("七、附属单位上缴收入", zero),
        ("八、其他收入", total["other"]),
        ("本年收入合计", income_total),
    ]
    right = [(f"{'一二三四五六'[i]}、{r[1]}", r[2]["basic"] + r[2]["project"]) for i, r in enumerate(tops)]
    right.append(("本年支出合计", total["basic"] + total["project"]))
    body = []
    for i in range(max(len(left), len(right))):
        lrow = left[i] if i < len(left) else ("", None)
        rrow = right[i] if i < len(right) else ("", None)
        body.append(
            [
                lrow[0],
                _fmt(lrow[1], layout) if lrow[1] is not None else "",
                rrow[0],
                _fmt(rrow[1], layout) if rrow[1] is not None else "",
            ]
        )
        for section, (label, value) in (("income", lrow), ("expenditure", rrow)):
            if value is not None:
                expected.append(Expected("01", "summary", section, label, None, "决算数", value))
    meta01 = meta
    if mutation and mutation.table == "01" and mutation.kind != "narrative":
        body, meta01, detail = _mutate(mutation, body, meta, layout, [1, 3])
    pages.table(
        "收入支出决算总表",
        meta01,
        [[("收入", 2), ("支出", 2)], [("项目", 1), ("决算数", 1), ("项目", 1), ("决算数", 1)]],
        [200, 120, 240, 120],
        body,
        ["l", "r", "l", "r"],
    )
    return detail


def _coded_tables(
    pages: _Pages, layout: Layout, meta: str, total: dict[str, Decimal], rows: list,
    mutation: Mutation | None, expected: list[Expected],
) -> str | None:
    """Tables 02 收入决算表 and 03 支出决算表 by function code; the mutation's detail if it is one of theirs."""
    detail = None
    code_widths = [45, 35, 35] if layout.split_codes else [80]
    code_head = [("类", 1), ("款", 1), ("项", 1)] if layout.split_codes else [("科目编码", 1)]

    def code_cells(code: str) -> list[str]:
        if not layout.split_codes:
            return [code]
        return [code[:3], code[3:5], code[5:7]]

    for table_code, family, title, columns in (
        ("02", "income", "收入决算表",
         [(layout.total_word or "本年收入合计", None), ("财政拨款收入", "fiscal"), ("其他收入", "other")]),
        ("03", "expenditure", "支出决算表",
         [(layout.total_word or "本年支出合计", None), ("基本支出", "basic"), ("项目支出", "project")]),
    ):
        body = []
        parts = [k for _, k in columns if k]
        tot = [sum((total[k] for k in parts), Decimal(0))] + [total[k] for k in parts]
        body.append([""] * len(code_widths) + ["合计"] + [_fmt(v, layout) for v in tot])
        for name, v in zip([n for n, _ in columns], tot, strict=True):
            expected.append(Expected(table_code, family, None, "合计", None, name, v))
        for code, label, fig in rows:
            vals = [sum((fig[k] for k in parts), Decimal(0))] + [fig[k] for k in parts]
            body.append(code_cells(code) + [label] + [_fmt(v, layout) for v in vals])
            for name, v in zip([n for n, _ in columns], vals, strict=True):
                expected.append(Expected(table_code, family, None, label, code, name, v))
        header = [code_head + [("科目名称", 1)] + [(n, 1) for n, _ in columns]]
        if layout.column_numbers:
            header.append([("栏次", len(code_widths) + 1)] + [(str(n + 1), 1) for n in range(len(columns))])
        table_meta = meta
        if mutation and mutation.table == table_code and mutation.kind != "narrative":
            first = len(code_widths) + 1
            body, table_meta, detail = _mutate(mutation, body, meta, layout, list(range(first, first + len(columns))))
        label_width, figure_width = 230.0, 110.0
        if layout.narrow or layout.cut_row is not None:
            label_width, figure_width = 60.0, _lone_digit_width(body, len(code_widths) + 1)
        pages.table(
            title,
            table_meta,
            header,
            code_widths + [label_width] + [figure_width] * len(columns),
            body,
            ["l"] * (len(code_widths) + 1) + ["r"] * len(columns),
            cut=layout.cut_row if table_code == "02" else None,
        )
    return detail


def _lone_digit_width(body: list[list[str]], first: int) -> float:
    """A figure column just too narrow for the widest figure: its last digit wraps onto a line alone."""
    widest = max((t for row in body for t in row[first:]), key=lambda t: pdfmetrics.stringWidth(t, FONT, 9))
    return pdfmetrics.stringWidth(widest[:-1], FONT, 9) + 8 + 0.5


def _say(value_yuan: Decimal, layout: Layout) -> str:
    """A figure as the narrative prints it: in its unit, with or without separators."""
    unit = layout.narrative or "万元"
    v = (value_yuan / 10000 if unit == "万元" else value_yuan).quantize(Decimal("0.01"), ROUND_HALF_UP)
    return (f"{v:,.2f}" if layout.separators else f"{v:.2f}") + unit


def _printed(value_yuan: Decimal, layout: Layout) -> Decimal:
    """The value in 元 that the narrative's printed figure stands for (万元 round to 0.01 万元)."""
    if (layout.narrative or "万元") == "万元":
        return (value_yuan / 10000).quantize(Decimal("0.01"), ROUND_HALF_UP) * 10000
    return value_yuan.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _share(part: Decimal, whole: Decimal) -> Decimal:
    return (part / whole * 100).quantize(Decimal("0.01"), ROUND_HALF_UP) if whole else Decimal(0)


def narrative_lines(
    rng: random.Random, layout: Layout, year: int, total: dict[str, Decimal],
    rows: list[tuple[str, str, dict[str, Decimal]]], mutation: Mutation | None,
) -> tuple[list[str], list[StatedFact], str | None]:
    """The 情况说明's paragraphs: totals, shares and 预算 vs 决算 lines in varied phrasings, each figure a
    known fact (a 部门预算's 编制说明 with `layout.kind` budget). A "narrative" mutation states the
    expenditure total off by a few 万元."""
    if layout.kind == "budget":
        return budget_narrative_lines(rng, layout, year, total, mutation)
    income = total["fiscal"] + total["other"]
    spent = total["basic"] + total["project"]
    stated_spent, detail = spent, None
    if mutation and mutation.kind == "narrative":
        stated_spent = spent + Decimal(random.Random(mutation.seed).randint(1, 50) * 10000)
        detail = f"the text states 支出合计 {stated_spent} instead of {spent}"
    facts = [
        StatedFact("income_total", None, _printed(income, layout)),
        StatedFact("fiscal_appropriation_income", None, _printed(total["fiscal"], layout)),
        StatedFact("other_income", None, _printed(total["other"], layout)),
        StatedFact("share", "fiscal_appropriation_income", _share(total["fiscal"], income), "%"),
        StatedFact("expenditure_total", None, _printed(stated_spent, layout)),
        StatedFact("basic_expenditure", None, _printed(total["basic"], layout)),
        StatedFact("project_expenditure", None, _printed(total["project"], layout)),
        StatedFact("share", "basic_expenditure", _share(total["basic"], spent), "%"),
    ]
    lines = [
        f"第二部分 {year}年度部门决算情况说明",
        "一、收入决算情况说明",
        rng.choice([f"{year}年度收入合计{_say(income, layout)}。", f"本年收入合计{_say(income, layout)}。"])
        + f"其中：财政拨款收入{_say(total['fiscal'], layout)}，占{_share(total['fiscal'], income)}%；"
        f"其他收入{_say(total['other'], layout)}。",
        "二、支出决算情况说明",
        rng.choice([f"{year}年度支出合计{_say(stated_spent, layout)}。", f"本年支出合计{_say(stated_spent, layout)}。"])
        + f"其中：基本支出{_say(total['basic'], layout)}，占{_share(total['basic'], spent)}%；"
        f"项目支出{_say(total['project'], layout)}。",
        "三、一般公共预算财政拨款支出决算情况说明",
    ]
    leaves = [r for r in rows if len(r[0]) == 7][:3]
    names = {code: name for code, name, _ in rows}
    for n, (code, name, fig) in enumerate(leaves, 1):
        final = fig["basic"] + fig["project"]
        budget = (final * Decimal(rng.randint(80, 120)) / 100 / 100).quantize(Decimal(1)) * 100 or Decimal(100)
        rate = _share(final, budget)
        budget_word, final_word = rng.choice([("年初预算为", "支出决算为"), ("年初预算数为", "决算数为")])
        lines.append(
            f"{n}.{names[code[:3]]}（类）{names[code[:5]]}（款）{name}（项）。{budget_word}{_say(budget, layout)}，"
            f"{final_word}{_say(final, layout)}，完成年初预算的{rate}%。"
        )
        key = f"variance:{code}"
        facts += [StatedFact(key, "initial_budget", _printed(budget, layout)),
                  StatedFact(key, "final", _printed(final, layout)),
                  StatedFact(key, "completion_rate", rate, "%")]
    return lines, facts, detail


def budget_narrative_lines(
    rng: random.Random, layout: Layout, year: int, total: dict[str, Decimal], mutation: Mutation | None
) -> tuple[list[str], list[StatedFact], str | None]:
    """A 部门预算's 编制说明: its totals named 收入预算 / 支出预算 (or 收入总计 / 支出总计), the fiscal
    appropriation's change on last year's budget, and its split by fund (一般公共预算 | 政府性基金 |
    国有资本经营预算 拨款支出预算), each figure a known fact."""
    income = total["fiscal"] + total["other"]
    spent = stated_spent = total["basic"] + total["project"]
    detail = None
    if mutation and mutation.kind == "narrative":
        stated_spent = spent + Decimal(random.Random(mutation.seed).randint(1, 50) * 10000)
        detail = f"the text states 支出预算 {stated_spent} instead of {spent}"
    fund = (total["fiscal"] * Decimal(rng.randint(0, 15)) / 100 / 10000).quantize(Decimal(1)) * 10000
    gpb = total["fiscal"] - fund
    change = (total["fiscal"] * Decimal(rng.randint(-20, 20)) / 100 / 10000).quantize(Decimal("0.01")) * 10000
    gpb_change = (change * Decimal(rng.randint(30, 100)) / 100).quantize(Decimal(100))
    fund_change = change - gpb_change

    def versus(delta: Decimal) -> str:
        if not _printed(delta, layout):
            return f"与{year - 1}年预算持平"
        return f"比{year - 1}年预算{'增加' if delta > 0 else '减少'}{_say(abs(delta), layout)}"

    def yoy(metric: str, delta: Decimal) -> list[StatedFact]:
        return [StatedFact("yoy_change", metric, _printed(delta, layout))] if _printed(delta, layout) else []

    if rng.random() < 0.5:  # a province's wording: 收入预算总计, each fund's 收入预算, 支出预算合计 by kind
        lines = [
            f"{year}年度部门预算情况说明",
            f"（一）收入预算总计{_say(income, layout)}。",
            f"1.一般公共预算收入预算{_say(gpb, layout)}。",
            f"2.政府性基金收入预算{_say(fund, layout)}。",
            f"3.其他资金收入预算总计{_say(total['other'], layout)}。",
            f"（二）支出预算总计{_say(stated_spent, layout)}。",
            f"本年支出预算合计{_say(stated_spent, layout)}，其中：基本支出{_say(total['basic'], layout)}，"
            f"占{_share(total['basic'], spent)}%；项目支出{_say(total['project'], layout)}。",
        ]
        facts = [
            StatedFact("income_total", None, _printed(income, layout)),
            StatedFact("gpb_income", None, _printed(gpb, layout)),
            StatedFact("gov_fund_income", None, _printed(fund, layout)),
            StatedFact("expenditure_total", None, _printed(stated_spent, layout)),
            StatedFact("expenditure_total", None, _printed(stated_spent, layout)),  # stated twice
            StatedFact("basic_expenditure", None, _printed(total["basic"], layout)),
            StatedFact("share", "basic_expenditure", _share(total["basic"], spent), "%"),
            StatedFact("project_expenditure", None, _printed(total["project"], layout)),
        ]
        return lines, facts, detail
    words = rng.choice([("收入预算", "支出预算"), ("收入总计", "支出总计")])  # a city's wording
    lines = [
        f"{year}年部门预算编制说明",
        f"{year}年，本部门{words[0]}{_say(income, layout)}，其中：财政拨款收入{_say(total['fiscal'], layout)}，"
        f"{versus(change)}；事业收入{_say(Decimal(0), layout)}；事业单位经营收入{_say(Decimal(0), layout)}；"
        f"其他收入{_say(total['other'], layout)}。",
        f"{words[1]}{_say(stated_spent, layout)}，其中：财政拨款支出预算{_say(total['fiscal'], layout)}，"
        f"{versus(change)}。财政拨款支出预算中，一般公共预算拨款支出预算{_say(gpb, layout)}，{versus(gpb_change)}；"
        f"政府性基金拨款支出预算{_say(fund, layout)}，{versus(fund_change)}；"
        f"国有资本经营预算拨款支出预算{_say(Decimal(0), layout)}，与{year - 1}年预算持平。",
    ]
    facts = [
        StatedFact("income_total", None, _printed(income, layout)),
        StatedFact("fiscal_appropriation_income", None, _printed(total["fiscal"], layout)),
        *yoy("fiscal_appropriation_income", change),
        StatedFact("business_income", None, Decimal(0)),
        StatedFact("operating_income", None, Decimal(0)),
        StatedFact("other_income", None, _printed(total["other"], layout)),
        StatedFact("expenditure_total", None, _printed(stated_spent, layout)),
        StatedFact("fiscal_appropriation_expenditure", None, _printed(total["fiscal"], layout)),
        *yoy("fiscal_appropriation_expenditure", change),
        StatedFact("gpb_expenditure", None, _printed(gpb, layout)),
        *yoy("gpb_expenditure", gpb_change),
        StatedFact("gov_fund_expenditure", None, _printed(fund, layout)),
        *yoy("gov_fund_expenditure", fund_change),
        StatedFact("state_capital_expenditure", None, Decimal(0)),
    ]
    return lines, facts, detail


def _draw_narrative(c: canvas.Canvas, lines: list[str]) -> None:
    """The 情况说明 page as the reportlab producer prints it."""
    c.showPage()
    c.setFont(FONT, 11)
    w, h = landscape(A4)
    y = h - 60
    for line in lines:
        for k in range(0, len(line), 60):  # long sentences wrap (the reader joins the lines)
            c.drawString(50, y, line[k : k + 60])
            y -= 20


SANGONG_ITEMS = ["合计", "因公出国（境）费", "公务用车购置及运行费/小计", "公务用车购置及运行费/公务用车购置费",
                 "公务用车购置及运行费/公务用车运行费", "公务接待费"]


def _sangong(pages: _Pages, rng: random.Random, layout: Layout, meta: str) -> list[Expected]:
    """The horizontal 三公 table: one row of figures under a three-level header (item, its parts,
    预算数 | 决算数), optionally with a 栏次 row; the 合计 and 小计 add up."""
    budget = {k: _amount(rng, layout) for k in ("outbound", "purchase", "operation", "reception")}
    step = Decimal(100) if layout.currency == "万元" else Decimal("0.01") if layout.decimals else Decimal(1)
    final = {k: (v * rng.randint(50, 100) / 100 / step).quantize(Decimal(1)) * step for k, v in budget.items()}

    def figures(f: dict[str, Decimal]) -> list[Decimal]:
        vehicle = f["purchase"] + f["operation"]
        return [f["outbound"] + vehicle + f["reception"], f["outbound"], vehicle, f["purchase"], f["operation"],
                f["reception"]]

    values = [v for pair in zip(figures(budget), figures(final), strict=True) for v in pair]
    header = [
        [("合计", 2), ("因公出国（境）费", 2), ("公务用车购置及运行费", 6), ("公务接待费", 2)],
        [("\0", 2), ("\0", 2), ("小计", 2), ("公务用车购置费", 2), ("公务用车运行费", 2), ("\0", 2)],
        [(w, 1) for _ in range(6) for w in ("预算数", "决算数")],
    ]
    if layout.column_numbers:
        header.append([(str(n + 1), 1) for n in range(12)])
    pages.table("财政拨款“三公”经费支出决算表", meta, header, [62] * 12, [[_fmt(v, layout) for v in values]],
                ["r"] * 12)
    out = []
    for n, v in enumerate(values):
        column = compact(f"{SANGONG_ITEMS[n // 2]}/{('预算数', '决算数')[n % 2]}")
        out.append(Expected("09", "sangong", None, "", None, column, v))
    return out


PROJECT_NAMES = ["政务网站运行维护费", "法律顾问服务费", "档案数字化项目"]


def _performance(pages: _Pages, rng: random.Random, layout: Layout, unit: str, year: int) -> list[ExpectedProject]:
    """The 项目支出绩效自评表 (one row per project) and the 部门整体支出绩效自评表 (its 部门预算总额
    row and 总分), printed in `layout.performance`; the projects they state."""
    printed = "万元" if layout.performance == "unprinted" else layout.performance or "万元"
    label = "" if layout.performance == "unprinted" else f"    单位：{printed}"
    meta = f"部门：{unit}    {year}年度{label}"
    step = Decimal(100) if printed == "万元" else Decimal(1)

    def money(value: Decimal) -> str:
        return f"{value / 10000:,.2f}" if printed == "万元" else f"{value:,.2f}"

    def rate(part: Decimal, whole: Decimal) -> Decimal:
        return (part / whole * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)

    out = []
    for name in PROJECT_NAMES:
        budget = Decimal(rng.randint(50, 50_000)) * step
        executed = (budget * rng.randint(40, 100) / 100 / step).quantize(Decimal(1)) * step
        out.append(ExpectedProject(name, budget, executed, rate(executed, budget), Decimal(rng.randint(70, 100))))
    pages.table(
        "项目支出绩效自评表",
        meta,
        [[("项目名称", 1), ("全年预算数", 1), ("全年执行数", 1), ("预算执行率", 1), ("自评得分", 1)]],
        [230, 110, 110, 90, 90],
        [[p.project_name, money(p.budget), money(p.executed), f"{p.execution_rate}%", str(p.score)] for p in out],
        ["l", "r", "r", "r", "r"],
    )
    budget = sum((p.budget for p in out), Decimal(0)) * 3
    executed = (budget * rng.randint(80, 100) / 100 / step).quantize(Decimal(1)) * step
    score = Decimal(rng.randint(8000, 10000)) / 100
    overall = ExpectedProject("部门整体", budget, executed, rate(executed, budget), score)
    pages.table(
        "部门整体支出绩效自评表",
        meta,
        [[("部门整体支出情况", 1), ("年初预算数", 1), ("全年预算数", 1), ("全年执行数", 1), ("执行率", 1),
          ("得分", 1)]],
        [200, 100, 100, 100, 80, 80],
        [["部门预算总额", money(budget), money(budget), money(executed), str(overall.execution_rate), "10"],
         ["总分", "", "", "", "100", str(score)]],
        ["l", "r", "r", "r", "r", "r"],
    )
    return [*out, overall]


# the bundled samples (data/samples): one per rule style the engine reads exactly today
SAMPLE_LAYOUTS: list[tuple[int, Layout]] = [
    (1, Layout(currency="万元", rules="grid")),
    (7, Layout(currency="万元", split_codes=True, rules="grid", rows_per_page=5)),
    (12, Layout(currency="元", rules="grid", decimals=True)),
]
