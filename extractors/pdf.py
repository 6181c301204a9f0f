"""A disclosure PDF → a Document, its standard tables with line items, and quality issues.

This is the only entry point callers need: `extract_pdf(data, file_name)`. It never raises on
bad input: unreadable files come back as a `failed` document with issues saying why.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
from collections import Counter

import pdfplumber

from extractors.extraction import Extraction, failed_extraction
from extractors.layout import PageLayout, PageSpace, read_page
from extractors.limits import Budget, TooLarge, document_budget
from extractors.narrative import Unparsed, extract_facts, extract_variances
from extractors.nonreport import mark_not_a_report
from extractors.pdfium_caps import check_page
from extractors.pdfium_layout import PdfiumDocument
from extractors.pdfstreams import install as bound_stream_decoding
from extractors.profile import read_profile, unit_id_of
from extractors.projects import extract_projects
from extractors.reader import TableReader
from extractors.records import Document, TableResult
from extractors.settings import DEFAULT_SETTINGS, EngineSettings
from extractors.template import mark_template
from extractors.toc import read_toc

log = logging.getLogger(__name__)
bound_stream_decoding()
ENGINES = ("pdfplumber", "camelot")
LAYOUTS = ("pdfium", "pdfminer")  # the layout stage: pdfium (default) or pdfminer through pdfplumber
MIN_CHARS_PER_PAGE = 15  # below this on average, the PDF has no usable text layer


def sniff_format(data: bytes, file_name: str) -> str | None:
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        name = file_name.lower()
        return "docx" if name.endswith(".docx") else "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc" if file_name.lower().endswith(".doc") else "xls"
    if head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        return "html"
    return None


def default_layout() -> str:
    """The layout stage: `YUJUESUAN_LAYOUT` (pdfium or pdfminer), pdfium when unset."""
    return os.environ.get("YUJUESUAN_LAYOUT") or "pdfium"


def extract_pdf(
    data: bytes,
    file_name: str,
    *,
    source_url: str | None = None,
    engine: str = "pdfplumber",
    layout: str | None = None,
) -> Extraction:
    doc = Document(doc_id=hashlib.sha256(data).hexdigest(), file_name=file_name, format="pdf", source_url=source_url)
    ex = Extraction(doc)
    doc.extracted_by = engine
    layout = layout or default_layout()
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {ENGINES}")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout stage {layout!r}; choose one of {LAYOUTS}")
    if not data:
        return failed_extraction(ex, "extract.empty_file", "The file is empty (0 bytes).")
    fmt = sniff_format(data, file_name)
    if fmt != "pdf":
        doc.format = fmt or doc.format
        what = f"a {fmt} file" if fmt else "not a PDF (no %PDF header)"
        message = f"The file is {what}; only PDFs and HTML pages are extracted so far."
        return failed_extraction(ex, "extract.not_pdf", message)
    with document_budget() as budget:
        return _read_pdf(ex, data, engine, budget, layout)


def _pdfium(data: bytes, n_pages: int) -> PdfiumDocument | None:
    """The document opened by pdfium, or None where pdfium cannot open it or counts other pages
    than pdfminer (the pdfminer stage then reads it, as it reads every broken file)."""
    try:
        doc = PdfiumDocument(data)
    except Exception as exc:  # PdfiumError: the pdfminer stage says why
        log.info("pdfium cannot open the PDF (%s); the pdfminer layout stage reads it", exc)
        return None
    if len(doc) != n_pages:
        log.info("pdfium counts %d pages, pdfminer %d; the pdfminer layout stage reads it", len(doc), n_pages)
        doc.close()
        return None
    return doc


def _read_page(page: object, index: int, reader: PdfiumDocument | None) -> PageLayout:
    """Page `index` (0-based) through the chosen layout stage, within the caps."""
    if reader is None:
        return read_page(page, index + 1)
    check_page(page.page_obj)  # type: ignore[attr-defined]
    return reader.page(index, PageSpace.of(page))


def _read_pdf(ex: Extraction, data: bytes, engine: str, budget: Budget, layout: str = "pdfium") -> Extraction:
    doc = ex.document
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        n_pages = len(pdf.pages)
    except Exception as exc:  # pdfminer raises many kinds on broken files
        hit = _too_large(exc, budget, 0)
        if hit is not None:
            return failed_extraction(ex, "extract.too_large", f"The PDF cannot be opened: {hit}.")
        name = type(exc).__name__
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc.__cause__
        names = f"{name} {type(cause).__name__ if cause else ''} {exc} {cause or ''}".lower()
        if "password" in names or "encrypt" in names:
            return failed_extraction(ex, "extract.encrypted", f"The PDF is encrypted and cannot be opened ({name}).")
        return failed_extraction(ex, "extract.unreadable", f"The PDF cannot be opened: {name}: {exc}".strip())
    doc.pages = n_pages
    pages: list[PageLayout] = []
    stopped = False  # the document's glyph budget is spent: later pages are not read
    reader = _pdfium(data, n_pages) if layout == "pdfium" and n_pages else None
    with pdf:
        for i, page in enumerate(pdf.pages):
            if stopped:
                pages.append(PageLayout(i + 1, 0.0, 0.0))
                continue
            hits = len(budget.hits)
            try:
                pages.append(_read_page(page, i, reader))
            except Exception as exc:
                hit = _too_large(exc, budget, hits)
                if hit is not None and hit.whole_document:
                    stopped = True
                    message = f"Page {i + 1}: {hit}; pages {i + 1}–{n_pages} are not read."
                elif hit is not None:
                    message = f"Page {i + 1}: {hit}; the page is not read."
                else:
                    message = f"Page {i + 1} cannot be read ({type(exc).__name__}); its tables are missing."
                ex.issue(
                    "extract.too_large" if hit else "extract.page_unreadable",
                    message,
                    locator=f"page {i + 1}",
                )
                pages.append(PageLayout(i + 1, 0.0, 0.0))
    if reader is not None:
        reader.close()
    if n_pages == 0:
        return failed_extraction(ex, "extract.no_pages", "The PDF has no pages (truncated or damaged).")
    scanned = [p.number for p in pages if len(p.chars) < MIN_CHARS_PER_PAGE and p.images]
    if scanned:  # pages without a text layer are read by OCR (loaded only here)
        from extractors.scan import finish, ocr_pdf_pages

        if len(scanned) == n_pages:
            doc.format = "pdf-scanned"
        ocr = ocr_pdf_pages(ex, data, scanned)
        if ocr is None:
            return ex
        ex.issue("extract.ocr_used", f"Page(s) {scanned} have no text layer and were read by OCR.")
        return finish(ex, [ocr.get(p.number, p) for p in pages], data)
    extract_layout(ex, pages, data, engine)
    mark_template(ex, (p.text() for p in pages), "PDF")  # a disclosure template (XX where figures go)
    return ex


def _too_large(exc: BaseException, budget: Budget, hits_before: int) -> TooLarge | None:
    """The cap behind `exc` (pdfplumber wraps pdfminer's exceptions), or one reached meanwhile
    and swallowed on the way (pdfminer skips what it cannot load)."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        if isinstance(e, TooLarge):
            return e
        seen.add(id(e))
        e = e.args[0] if e.args and isinstance(e.args[0], BaseException) else e.__cause__ or e.__context__
    return budget.hits[-1] if len(budget.hits) > hits_before else None


def extract_layout(
    ex: Extraction,
    pages: list[PageLayout],
    data: bytes,
    engine: str = "pdfplumber",
    settings: EngineSettings | None = None,
) -> Extraction:
    """Stages after layout, on pages read from a PDF or rendered from another format: profile,
    tables (the TableReader: locate → grid → cells → reading), narrative facts, variances and projects."""
    doc = ex.document
    _profile(ex, pages)
    reader = TableReader(pages, engine, settings or DEFAULT_SETTINGS)
    regions = reader.locate(doc.kind if doc.kind != "unknown" else None)
    if doc.kind == "unknown" and regions:
        kinds = Counter(k for r in regions for k in r.spec.kinds)
        kind = kinds.most_common(1)[0][0]
        doc.kind = kind
        ex.issue(
            "extract.kind_from_titles",
            f"The document does not say 部门/单位{'决算' if kind == 'final' else '预算'}; "
            f"its kind was read from its table titles.",
        )
    ex.toc = read_toc(pages, doc.kind)
    doc.toc = [f"{family}:{number}" for family, number in sorted(ex.toc.items(), key=lambda kv: kv[1])]
    units = Counter(r.currency_unit for r in regions if r.currency_unit)
    doc.currency_unit = units.most_common(1)[0][0] if units else None
    ex.tables.extend(reader.read(doc, ex.toc, data if doc.format == "pdf" else None))
    ex.issues.extend(reader.issues)
    unparsed: list[Unparsed] = []
    ex.facts = extract_facts(pages, doc.doc_id, unparsed)
    for u in unparsed:
        ex.issue(
            "extract.fact_unparsed",
            f"The text names {u.metric} but its figure could not be read: {u.sentence[:80]}",
            locator=f"page {u.page}",
        )
    ex.variances = extract_variances(pages, doc.doc_id, ex.items)
    ex.projects, assumed = extract_projects(pages, doc.doc_id, reader.hooked)
    for note in assumed:
        ex.issue("extract.unit_assumed", note.message)
    for record in ex.records:
        record.unit_id, record.year = doc.unit_id, doc.year
    doc.tables_found = len(ex.tables)
    doc.layout_family = layout_family(ex.tables)
    if not regions:
        ex.issue("extract.no_tables", "No standard table was recognised in this document.")
    if mark_not_a_report(ex, pages, _read_anything(ex)):  # a checklist or notice about a disclosure
        return ex
    if not _read_anything(ex):
        if any(i.check_id in PAGES_LOST for i in ex.issues):  # the reason is already given
            doc.status = "failed"
            return ex
        return failed_extraction(ex, *_why_nothing_read(pages))
    if any(i.severity == "error" for i in ex.issues):
        doc.status = "partial"
    return ex


UNMAPPED = re.compile(r"^\(cid:\d+\)$")  # pdfminer's text for a glyph its font does not map to Unicode
MAX_UNMAPPED_SHARE = 0.5
PAGES_LOST = {"extract.too_large", "extract.page_unreadable"}


def _read_anything(ex: Extraction) -> bool:
    """A figure from a table or the text, or a table present and printed empty (本表无数据)."""
    return bool(ex.items or ex.facts or ex.variances or ex.projects or any(t.empty_note for t in ex.tables))


def _why_nothing_read(pages: list[PageLayout]) -> tuple[str, str]:
    """The issue of a document that yielded nothing: no text, text that maps to no characters,
    or text without a figure that can be read."""
    chars = [c for p in pages for c in p.chars]
    n = len(pages)
    if not chars:
        images = sum(p.images for p in pages)
        return "extract.no_text_layer", (
            f"None of the {n} page(s) has a text layer ({images} image(s)); nothing was read, OCR is needed."
        )
    unmapped = sum(1 for c in chars if UNMAPPED.match(c.text))
    if unmapped > MAX_UNMAPPED_SHARE * len(chars):
        return "extract.text_unmapped", (
            f"{unmapped:,} of {len(chars):,} characters have no Unicode mapping in their font (read as (cid:N)); "
            "nothing was read, OCR is needed."
        )
    return "extract.nothing_read", (
        f"{len(chars):,} characters on {n} page(s) were read, but no table figure and no figure in the text."
    )


def layout_family(tables: list[TableResult]) -> str | None:
    """How the document lays out its tables, read from the tables themselves: code cells,
    where table numbers are printed, and the units — e.g. `joined-codes/printed-numbers/万元`."""
    if not tables:
        return None
    layouts = {t.code_layout for t in tables if t.code_layout}
    codes = "split-codes" if "split" in layouts else "joined-codes" if layouts else "no-codes"
    numbers = "printed-numbers" if any(t.printed_number for t in tables) else "title-only"
    units = "+".join(sorted({t.currency_unit for t in tables if t.currency_unit})) or "unit-unknown"
    return f"{codes}/{numbers}/{units}"


def _profile(ex: Extraction, pages: list[PageLayout]) -> None:
    doc = ex.document
    prof = read_profile([p.text() for p in pages])
    doc.kind, doc.scope, doc.year = prof.kind, prof.scope, prof.year
    doc.unit_name, doc.region = prof.unit_name, prof.region
    doc.unit_id = unit_id_of(prof.unit_name, prof.region)
    for name, value in (
        ("year", doc.year),
        ("unit_name", doc.unit_name),
        ("region", doc.region),
        ("kind", None if doc.kind == "unknown" else doc.kind),
        ("scope", None if doc.scope == "unknown" else doc.scope),
    ):
        if value is None:
            ex.issue(
                f"profile.{name}_missing",
                f"The document does not print its {name.replace('_', ' ')} where it can be read; left empty.",
            )
