"""Any disclosure file → an Extraction: PDFs read page by page, HTML reports rendered first.

`extract_document(data, file_name)` is what the pipeline calls; it never raises on bad input.
"""

from __future__ import annotations

import hashlib

from extractors.html import render
from extractors.pdf import ENGINES, Extraction, _fail, extract_layout, extract_pdf, sniff_format
from extractors.records import Document


def decode_html(data: bytes) -> str:
    """HTML bytes as text: BOM, then <meta charset>, then UTF-8, then GB18030."""
    import re

    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", data[:4096], re.I)
    label = m.group(1).decode("ascii").lower() if m else None
    codec = "gb18030" if label in ("gb2312", "gbk", "gb18030", "x-gbk") else label
    for name in [c for c in (codec, "utf-8", "gb18030") if c]:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", "replace")


def extract_html(data: bytes, file_name: str, *, source_url: str | None = None) -> Extraction:
    doc = Document(doc_id=hashlib.sha256(data).hexdigest(), file_name=file_name, format="html", source_url=source_url)
    doc.extracted_by = "html"
    ex = Extraction(doc)
    pages = render(decode_html(data))
    doc.pages = len(pages)
    if not pages:
        return _fail(ex, "extract.no_text", "The HTML page has no text.")
    extract_layout(ex, pages, data, "pdfplumber")
    for item in ex.items:  # rendered positions point at no printed page
        item.x0 = item.top = item.x1 = item.bottom = None
        item.engine = "html"
    for t in ex.tables:
        t.engine = "html"
    return ex


def extract_document(
    data: bytes, file_name: str, *, source_url: str | None = None, engine: str = "pdfplumber"
) -> Extraction:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {ENGINES}")
    if sniff_format(data, file_name) == "html" and not file_name.lower().endswith(".pdf"):
        return extract_html(data, file_name, source_url=source_url)
    return extract_pdf(data, file_name, source_url=source_url, engine=engine)
