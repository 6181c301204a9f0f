"""Code columns read by OCR: a speck between the digits of a code is read as a separator
(`208.05`, `0,1`); under a header that names a code column (科目编码, 类/款/项) it is no figure's
separator, and the column stays a code column with its codes whole. Synthetic OCR boxes on a ruled
grid, read by the table engine as a scan's page is."""

from __future__ import annotations

from extractors.codes import code_cell, join_code
from extractors.layout import Char, PageLayout, Rule
from extractors.ocr import OcrChar
from extractors.reader import TableReader

ROW_H, CHAR_W, TOP = 18.0, 7.0, 120.0


def _text(text: str, x: float, top: float) -> list[Char]:
    return [
        OcrChar(ch, x + i * CHAR_W, x + (i + 0.8) * CHAR_W, top + 4, top + 14, 10.0, 0.99)
        for i, ch in enumerate(text)
    ]


def _page(widths: list[float], rows: list[list[str]]) -> PageLayout:
    """A ruled table under the title 支出决算表: one cell per text, columns `widths` pt wide."""
    xs = [40.0]
    for w in widths:
        xs.append(xs[-1] + w)
    chars = _text("支出决算表", 200, 60) + _text("单位：元", 40, 95)
    for r, row in enumerate(rows):
        for k, text in enumerate(row):
            chars += _text(text, xs[k] + 3, TOP + r * ROW_H)
    bottom = TOP + len(rows) * ROW_H
    rules = [Rule("h", xs[0], xs[-1], TOP + r * ROW_H, TOP + r * ROW_H) for r in range(len(rows) + 1)]
    rules += [Rule("v", x, x, TOP, bottom) for x in xs]
    return PageLayout(1, 595, 842, chars, rules, images=1)


def _items(page: PageLayout) -> dict[tuple[str | None, str], str]:
    reader = TableReader([page])
    reader.locate()
    tables = reader.read()
    return {(i.code or i.row_label, i.column): str(i.value) for t in tables for i in t.items}


BODY = [
    ["", "合计", "900", "600", "300"],
    ["201", "一般公共服务支出", "900", "600", "300"],
    ["20103", "政府办公厅(室)及相关机构事务", "500", "300", "200"],
    ["2010301", "行政运行", "300", "300", "0"],
    ["2010302", "一般行政管理事务", "200", "0", "200"],
    ["20106", "财政事务", "400", "300", "100"],
    ["2010601", "行政运行", "400", "300", "100"],
]
HEADER = ["科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出"]
WIDTHS = [70.0, 180.0, 90.0, 90.0, 90.0]


def test_code_with_a_speck_read_as_a_decimal_point_keeps_its_code_column() -> None:
    body = [list(r) for r in BODY]
    body[5][0] = "201.06"  # a speck between 201 and 06
    items = _items(_page(WIDTHS, [HEADER, *body]))
    assert items[("20106", "本年支出合计")] == "400.00"
    assert items[("2010301", "基本支出")] == "300.00"
    assert not any(column == "科目编码" for _, column in items)


SPLIT_HEADER = ["类", "款", "项", "科目名称", "本年支出合计", "基本支出", "项目支出"]
SPLIT_WIDTHS = [30.0, 30.0, 30.0, 180.0, 90.0, 90.0, 90.0]
SPLIT_BODY = [
    ["", "", "", "合计", "900", "600", "300"],
    ["201", "", "", "一般公共服务支出", "900", "600", "300"],
    ["201", "03", "", "政府办公厅(室)及相关机构事务", "500", "300", "200"],
    ["201", "03", "0,1", "行政运行", "300", "300", "0"],
    ["201", "03", "02", "一般行政管理事务", "200", "0", "200"],
    ["201", "06", "", "财政事务", "400", "300", "100"],
    ["201", "06", "01", "行政运行", "400", "300", "100"],
]


def test_split_code_part_with_a_speck_read_as_a_comma_keeps_its_code_column() -> None:
    items = _items(_page(SPLIT_WIDTHS, [SPLIT_HEADER, *SPLIT_BODY]))
    assert items[("2010301", "本年支出合计")] == "300.00"
    assert items[("2010601", "基本支出")] == "300.00"
    assert not any(column in ("类", "款", "项") for _, column in items)


def test_figures_with_decimals_under_a_figure_header_stay_figures() -> None:
    """A figure column of 万元 amounts shaped like codes once their point is dropped (123.45) is no
    code column: only a header naming codes lets a separator be a speck."""
    body = [
        ["", "合计", "901.50", "600.25", "301.25"],
        ["201", "一般公共服务支出", "901.50", "600.25", "301.25"],
        ["20103", "政府办公厅(室)及相关机构事务", "501.50", "300.25", "201.25"],
        ["2010301", "行政运行", "501.50", "300.25", "201.25"],
        ["20106", "财政事务", "400.00", "300.00", "100.00"],
        ["2010601", "行政运行", "400.00", "300.00", "100.00"],
    ]
    items = _items(_page(WIDTHS, [HEADER, *body]))
    assert items[("20103", "本年支出合计")] == "501.50"
    assert items[("2010601", "项目支出")] == "100.00"


def test_code_cell_drops_only_a_speck_that_leaves_a_code() -> None:
    assert code_cell("208.05") == "20805"
    assert code_cell("0,1") == "01"
    assert code_cell("208.505") == "208.505"  # a digit read as a separator: no code either way
    assert code_cell("1,234.56") == "1,234.56"
    assert code_cell("20805") == "20805"
    assert join_code(["201", "0,3", "01"]) == "2010301"
