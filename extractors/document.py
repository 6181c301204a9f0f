"""Any disclosure file → an Extraction: PDFs read page by page, HTML reports rendered first.

`extract_document(data, file_name)` is what the pipeline calls; it never raises on bad input.
"""

from __future__ import annotations

import hashlib

from extractors.encoding import decode_html
from extractors.html import render
from extractors.limits import MAX_HTML_BYTES, TooLarge
from extractors.pdf import ENGINES, Extraction, _fail, extract_layout, extract_pdf, sniff_format
from extractors.records import Document


def extract_html(data: bytes, file_name: str, *, source_url: str | None = None) -> Extraction:
    doc = Document(doc_id=hashlib.sha256(data).hexdigest(), file_name=file_name, format="html", source_url=source_url)
    doc.extracted_by = "html"
    ex = Extraction(doc)
    if len(data) > MAX_HTML_BYTES:
        message = f"The HTML report's {len(data):,} bytes exceed the cap of {MAX_HTML_BYTES:,}; not read."
        return _fail(ex, "extract.too_large", message)
    decoded = decode_html(data)
    capped: list[TooLarge] = []
    pages = render(decoded.text, capped)
    doc.pages = len(pages)
    for hit in capped:
        ex.issue("extract.too_large", "error", f"Capped: {hit}; that part is not read.")
    if not pages:
        return _fail(ex, "extract.no_text", "The HTML page has no text.")
    extract_layout(ex, pages, data, "pdfplumber")
    if decoded.replaced:
        ex.issue(
            "extract.text_replaced",
            "warning",
            f"{decoded.replaced} character(s) are not valid {decoded.encoding} (declared "
            f"{decoded.declared or 'nothing'}) and were read as U+FFFD; figures there may be missing.",
        )
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
