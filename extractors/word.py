"""Word files (DOCX, DOC) → the layout the table engine reads.

A .docx body is read in order — paragraphs (the narrative the facts come from, titles, 单位
lines) and tables, whose merged cells (`w:gridSpan` across, `w:vMerge` down) become spans —
and rendered as an HTML report is (extractors/html.py): the same pages, engine and narrative
reader. A binary .doc is first converted to .docx by LibreOffice (`soffice --headless`), in a
temporary folder; without LibreOffice the document is failed with `extract.converter_missing`.
"""

from __future__ import annotations

import hashlib
import html
import io
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

from extractors.extraction import Extraction, failed_extraction
from extractors.html import render
from extractors.pdf import extract_layout
from extractors.records import Document
from extractors.template import mark_template

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CONVERT_TIMEOUT = 120.0
INSTALL = "apt-get install libreoffice-writer"


class WordError(Exception):
    """The Word file cannot be read or converted."""


def _text(element) -> str:  # noqa: ANN001 - an lxml element
    parts = []
    for node in element.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag in (f"{W}tab", f"{W}br"):
            parts.append(" ")
        elif node.tag == f"{W}p" and parts:
            parts.append(" ")
    return "".join(parts).strip()


def _prop(tc, name: str) -> str | None:  # noqa: ANN001
    pr = tc.find(f"{W}tcPr")
    el = pr.find(f"{W}{name}") if pr is not None else None
    if el is None:
        return None
    return el.get(f"{W}val", "continue")


def _table_html(tbl) -> str:  # noqa: ANN001
    """A Word table as an HTML table: gridSpan → colspan, vMerge restart … continue → rowspan."""
    grid: list[list[tuple[int, object, str | None]]] = []  # per row: (grid column, tc, vMerge)
    for tr in tbl.findall(f"{W}tr"):
        col, cells = 0, []
        for tc in tr.findall(f"{W}tc"):
            span = int(_prop(tc, "gridSpan") or 1)
            cells.append((col, tc, _prop(tc, "vMerge")))
            col += max(span, 1)
        grid.append(cells)
    out = ["<table>"]
    for r, cells in enumerate(grid):
        out.append("<tr>")
        for col, tc, vmerge in cells:
            if vmerge == "continue":
                continue
            rowspan = 1
            if vmerge == "restart":
                for below in grid[r + 1 :]:
                    if any(c == col and v == "continue" for c, _, v in below):
                        rowspan += 1
                    else:
                        break
            colspan = int(_prop(tc, "gridSpan") or 1)
            out.append(f'<td colspan="{colspan}" rowspan="{rowspan}">{html.escape(_text(tc))}</td>')
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _ends_page(p) -> bool:  # noqa: ANN001
    """A paragraph after which a new page starts (a page break in it, or a section break)."""
    return p.find(f"{W}pPr/{W}sectPr") is not None or any(br.get(f"{W}type") == "page" for br in p.iter(f"{W}br"))


def docx_html(data: bytes) -> list[str]:
    """The .docx body, in order, as HTML: <p> per paragraph, <table> per table; one HTML text
    per printed page where the document breaks pages (page breaks, section breaks)."""
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = z.read("word/document.xml")
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError, ValueError) as exc:
        raise WordError(f"{type(exc).__name__}: {exc}") from exc
    body = root.find(f"{W}body")
    if body is None:
        raise WordError("no document body")
    chunks: list[list[str]] = [[]]
    for el in body.iter(f"{W}p", f"{W}tbl"):
        if next(el.iterancestors(f"{W}tbl"), None) is not None:
            continue  # inside a table: read with it
        if el.tag == f"{W}tbl":
            chunks[-1].append(_table_html(el))
            continue
        before = el.find(f"{W}pPr/{W}pageBreakBefore") is not None
        if before and chunks[-1]:
            chunks.append([])
        text = _text(el)
        if text:
            chunks[-1].append(f"<p>{html.escape(text)}</p>")
        if _ends_page(el):
            chunks.append([])
    return [f"<html><body>{''.join(c)}</body></html>" for c in chunks if c]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def doc_to_docx(data: bytes) -> bytes:
    """A binary .doc converted to .docx by LibreOffice (private profile, bounded in time)."""
    binary = soffice()
    if binary is None:
        raise FileNotFoundError("soffice")
    with tempfile.TemporaryDirectory(prefix="yujuesuan-doc-") as tmp:
        src = Path(tmp) / "document.doc"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        cmd = [binary, f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}", "--headless",
               "--convert-to", "docx", "--outdir", str(out), str(src)]  # fmt: skip
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=CONVERT_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise WordError(f"LibreOffice took more than {CONVERT_TIMEOUT:.0f} s to convert it") from exc
        except subprocess.CalledProcessError as exc:
            raise WordError(f"LibreOffice could not convert it (exit {exc.returncode})") from exc
        result = out / "document.docx"
        if not result.exists():
            raise WordError("LibreOffice wrote no .docx (damaged or not a Word file)")
        return result.read_bytes()


def extract_word(data: bytes, file_name: str, fmt: str, *, source_url: str | None = None) -> Extraction:
    """A .docx or .doc (`fmt`, from its bytes) extracted by the table engine."""
    doc = Document(doc_id=hashlib.sha256(data).hexdigest(), file_name=file_name, format=fmt, source_url=source_url)
    doc.extracted_by = fmt
    ex = Extraction(doc)
    docx = data
    if fmt == "doc":
        try:
            docx = doc_to_docx(data)
        except FileNotFoundError:
            return failed_extraction(
                ex,
                "extract.converter_missing",
                f"The file is a binary Word .doc; LibreOffice converts it and is not installed ({INSTALL}).",
            )
        except WordError as exc:
            return failed_extraction(ex, "extract.unreadable", f"The .doc cannot be read: {exc}.")
    try:
        texts = docx_html(docx)
    except WordError as exc:
        return failed_extraction(ex, "extract.unreadable", f"The Word file cannot be opened: {exc}"[:300])
    pages = [replace(p, number=n + 1) for n, p in enumerate(p for t in texts for p in render(t))]
    doc.pages = len(pages)
    if not pages:
        return failed_extraction(ex, "extract.no_text", "The Word file has no text.")
    extract_layout(ex, pages, data, "pdfplumber")
    for item in ex.items:  # rendered positions point at no printed page
        item.x0 = item.top = item.x1 = item.bottom = None
        item.engine = fmt
    for t in ex.tables:
        t.engine = fmt
    mark_template(ex, (p.text() for p in pages), "Word file")
    return ex
