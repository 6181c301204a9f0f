"""Any disclosure file → an Extraction: PDFs read page by page; HTML reports, workbooks and
Word files rendered into the same page layout first.

`extract_document(data, file_name)` is what the pipeline calls; it never raises on bad input.
The format comes from the bytes (extractors/formats.py), not the file name; a file named for
another format is read by what it is, with an `extract.format_mismatch` info issue.
"""

from __future__ import annotations

import hashlib

from extractors.encoding import decode_html
from extractors.extraction import Extraction, failed_extraction
from extractors.formats import detect_format, named_format
from extractors.html import render
from extractors.limits import MAX_HTML_BYTES, TooLarge
from extractors.pdf import ENGINES, extract_layout, extract_pdf
from extractors.records import Document
from extractors.spreadsheet import extract_spreadsheet
from extractors.word import extract_word

sniff_format = detect_format  # the name the pipeline and the worker import

# what the front ends import on their first document of a format, not before (a run of PDFs never
# loads them): a process that forks a worker per document imports them once beforehand (`preload`)
FRONT_END_MODULES = ("openpyxl", "xlrd", "lxml.etree", "PIL.Image")
OCR_MODULES = ("extractors.scan", "extractors.ocr", "onnxruntime", "rapidocr.main",
               "rapidocr.inference_engine.onnxruntime")  # a second to import: where OCR is due
CODECS = ("utf-16-be", "utf-16-le", "cp437", "gb18030", "gbk")  # PDF strings, ZIP member names, Chinese pages


def preload(ocr: bool = False) -> list[str]:
    """Import every front end's libraries now (and OCR's, with `ocr`); returns those that are not
    installed (their front end says so when a document needs it)."""
    import codecs
    import importlib

    missing = []
    for name in FRONT_END_MODULES + (OCR_MODULES if ocr else ()):
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if "PIL.Image" not in missing:
        from PIL import Image

        Image.preinit()  # the common image formats' plugins (an embedded picture of a workbook)
    for name in CODECS:
        codecs.lookup(name)
    return missing

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")  # PNG, JPEG, TIFF


def extract_html(data: bytes, file_name: str, *, source_url: str | None = None) -> Extraction:
    doc = Document(doc_id=hashlib.sha256(data).hexdigest(), file_name=file_name, format="html", source_url=source_url)
    doc.extracted_by = "html"
    ex = Extraction(doc)
    if len(data) > MAX_HTML_BYTES:
        message = f"The HTML report's {len(data):,} bytes exceed the cap of {MAX_HTML_BYTES:,}; not read."
        return failed_extraction(ex, "extract.too_large", message)
    decoded = decode_html(data)
    capped: list[TooLarge] = []
    pages = render(decoded.text, capped)
    doc.pages = len(pages)
    for hit in capped:
        ex.issue("extract.too_large", f"Capped: {hit}; that part is not read.")
    if not pages:
        return failed_extraction(ex, "extract.no_text", "The HTML page has no text.")
    extract_layout(ex, pages, data, "pdfplumber")
    if decoded.warning:
        ex.issue("extract.encoding_ignored", f"{decoded.warning}; its figures were read.")
    if decoded.replaced:
        ex.issue(
            "extract.text_replaced",
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
    fmt = detect_format(data, file_name)
    claimed = named_format(file_name)
    if fmt == "html" and claimed == "pdf":  # an error page served for a PDF is not a report
        return extract_pdf(data, file_name, source_url=source_url, engine=engine)
    if fmt == "html":
        ex = extract_html(data, file_name, source_url=source_url)
    elif fmt in ("xlsx", "xls"):
        ex = extract_spreadsheet(data, file_name, fmt, source_url=source_url)
    elif fmt in ("docx", "doc"):
        ex = extract_word(data, file_name, fmt, source_url=source_url)
    elif data.startswith(IMAGE_MAGIC):  # a page image: OCR (loaded only here)
        from extractors.scan import extract_image

        ex = extract_image(data, file_name, source_url=source_url)
    else:
        ex = extract_pdf(data, file_name, source_url=source_url, engine=engine)
    if fmt and claimed and fmt != claimed and ex.document.status != "failed":
        ex.issue(
            "extract.format_mismatch",
            f"The file is named as {claimed} but its bytes are {fmt}; it was read as {fmt}.",
        )
    return ex
