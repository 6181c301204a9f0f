"""Documents about a disclosure that are not one: the finance bureau's review checklist of a 部门预算/决算
(a heading such as 2026年度普陀区部门预算公开情况检查表, then the standard tables' titles as items marked 是/否,
with a remark where a defect was found) and a notice announcing a publication (no figure). Each is written
by more than one producer: reportlab (PDF), openpyxl (XLSX), python-docx (DOCX) and, where LibreOffice is
installed, what it makes of those (PDF, HTML, XLS, DOC). The engine must read none of them as a report."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from extractors.spec import specs_for_kind
from yujuesuan.samples.generator import BUDGET_KINDS, UNITS

CHECKLIST_WORDS = ("公开情况检查表", "公开自查表", "公开评分表", "公开情况核查表")
NOTICE_WORDS = ("的通知", "的公告", "的公示")
KIND_NAME = {"final": "部门决算", "budget": "部门预算"}
FORMATS = ("pdf", "xlsx", "docx", "html")


@dataclass(frozen=True)
class NonReport:
    """One document of the family: what it is, for which kind and unit, and its heading word."""

    what: str = "checklist"  # checklist | notice
    kind: str = "budget"  # the kind of the disclosure it is about
    seed: int = 0
    remark_figure: bool = False  # a checklist remark quoting a figure (三公经费12.34万元与表不符)

    def __post_init__(self) -> None:
        if self.what not in ("checklist", "notice"):
            raise ValueError(f"NonReport.what must be checklist or notice, not {self.what!r}")
        if self.kind not in BUDGET_KINDS:
            raise ValueError(f"NonReport.kind must be one of {', '.join(BUDGET_KINDS)}, not {self.kind!r}")


def lines(doc: NonReport) -> tuple[str, list[list[str]]]:
    """(the heading, the body as rows of cells): a checklist's rows are 检查内容 | 符合要求 | 问题说明."""
    rng = random.Random(doc.seed)
    unit = rng.choice(UNITS)
    year = rng.choice([2023, 2024, 2025]) + (doc.kind == "budget")
    kind = KIND_NAME[doc.kind]
    if doc.what == "notice":
        heading = f"关于公开{unit}{year}年度{kind}{rng.choice(NOTICE_WORDS)}"
        body = [[f"根据《中华人民共和国预算法》和有关规定，现将{unit}{year}年度{kind}予以公开。"],
                ["公开内容包括部门概况、收支情况说明和公开表格，详见附件。"],
                [f"联系电话：0{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"]]
        return heading, body
    heading = f"{year}年度示例区{kind}{rng.choice(CHECKLIST_WORDS)}"
    body = [[f"部门名称：{unit}"], ["检查内容", "符合要求", "问题说明"], ["及时性：及时公开", "是", ""],
            ["封面", "是", ""], ["目录", rng.choice(["是", "否"]), "目录后有一页多余的空表页"]]
    for spec in specs_for_kind(doc.kind):
        if spec.required and spec.number:
            flawed = rng.random() < 0.2
            remark = "表中数据与说明不一致" if flawed else ""
            body.append([f"《{spec.titles[0]}》", "否" if flawed else "是", remark])
    if doc.remark_figure:
        body.append(["“三公”经费说明", "否", f"“三公”经费{rng.randint(10, 99)}.{rng.randint(10, 99)}万元与表不符"])
    return heading, body


def write(doc: NonReport, fmt: str) -> bytes:
    """The document as `fmt` (pdf by reportlab, xlsx by openpyxl, docx by python-docx, html as a portal's
    article page)."""
    heading, body = lines(doc)
    if fmt == "pdf":
        return _pdf(heading, body)
    if fmt == "xlsx":
        return _xlsx(heading, body)
    if fmt == "docx":
        return _docx(heading, body)
    if fmt == "html":
        return _html(heading, body)
    raise ValueError(f"no producer for {fmt!r}; choose one of {', '.join(FORMATS)}")


def _pdf(heading: str, body: list[list[str]]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from yujuesuan.samples.generator import FONT

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    w, h = A4
    c.setFont(FONT, 16)
    c.drawCentredString(w / 2, h - 60, heading)
    c.setFont(FONT, 10)
    y = h - 100
    for row in body:
        for x, cell in zip((50, 330, 400), row, strict=False):
            c.drawString(x, y, cell)
        if len(row) > 1:
            c.line(45, y - 5, w - 45, y - 5)
        y -= 20
    c.showPage()
    c.save()
    return buf.getvalue()


def _xlsx(heading: str, body: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = heading[:4] + "检查"
    ws.append([heading])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
    for row in body:
        ws.append(row)
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["C"].width = 40
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _docx(heading: str, body: list[list[str]]) -> bytes:
    from docx import Document

    d = Document()
    d.add_heading(heading, level=1)
    table = None
    for row in body:
        if len(row) == 1:
            d.add_paragraph(row[0])
            continue
        if table is None:
            table = d.add_table(rows=0, cols=3)
            table.style = "Table Grid"
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=False):
            cell.text = text
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _html(heading: str, body: list[list[str]]) -> bytes:
    from html import escape

    parts = ["<html><head><meta charset='utf-8'><title>", escape(heading), "</title></head><body>",
             "<div class='nav'>首页 &gt; 信息公开 &gt; 财政预决算</div><h1>", escape(heading), "</h1>"]
    in_table = False
    for row in body:
        if len(row) == 1:
            parts.append(("</table>" if in_table else "") + f"<p>{escape(row[0])}</p>")
            in_table = False
            continue
        if not in_table:
            parts.append("<table border='1'>")
            in_table = True
        parts.append("<tr>\n" + "".join(f"<td>{escape(c)}</td>\n" for c in row) + "</tr>\n")  # as CMSs print it
    parts.append(("</table>" if in_table else "") + "</body></html>")
    return "".join(parts).encode("utf-8")
