"""Scanned documents into the one table engine: page images (PNG/JPEG/TIFF) and PDF pages with no
text layer are read by OCR (`extractors.ocr`) into page layouts, then extracted like any PDF.

Every figure read by OCR keeps the lowest confidence of its characters (`ocr_confidence`); a
figure below `UNCERTAIN` is flagged on its cell (`extract.ocr_uncertain`), and the accounting
identities of the check catalogue are the safety net for the rest.
"""

from __future__ import annotations

import hashlib

from extractors.extraction import Extraction, failed_extraction
from extractors.layout import PageLayout
from extractors.pdf import extract_layout
from extractors.records import Document

UNCERTAIN = 0.9  # a figure read with less confidence than this is flagged
SCAN_DPI = 200  # PDF pages without text are rendered at this resolution
IMAGE_DPI = 144  # an image that does not state its resolution is taken as A4 at this


def extract_image(data: bytes, file_name: str, *, source_url: str | None = None) -> Extraction:
    """A PNG, JPEG or TIFF (every frame a page) read by OCR."""
    from extractors.raster import ImageError, decode_images

    doc = Document(doc_id=hashlib.sha256(data).hexdigest(), file_name=file_name, format="image", source_url=source_url)
    doc.extracted_by = "ocr"
    ex = Extraction(doc)
    try:
        images = decode_images(data)
    except ImageError as exc:
        return failed_extraction(ex, "extract.unreadable", f"The image cannot be decoded: {exc}")
    doc.pages = len(images)
    if not images:
        return failed_extraction(ex, "extract.no_pages", "The image has no frames.")
    pages = ocr_images(ex, [(i + 1, img.grey, img.dpi or IMAGE_DPI) for i, img in enumerate(images)])
    if pages is None:
        return ex
    return finish(ex, pages, data)


def ocr_images(ex: Extraction, images: list) -> dict[int, PageLayout] | None:
    """Page number → its OCR layout; None (and the document failed) when OCR is not installed."""
    from extractors.ocr import OcrUnavailable, ocr_image

    out: dict[int, PageLayout] = {}
    for number, grey, dpi in images:
        try:
            page = ocr_image(grey, number, dpi)
        except OcrUnavailable as exc:
            failed_extraction(ex, "extract.ocr_unavailable", f"OCR is needed but not available: {exc}.")
            return None
        out[number] = page.layout
        if page.rotation or page.skew:
            turned = f"turned {page.rotation}°" if page.rotation else ""
            skew = f"deskewed by {page.skew:+.2f}°" if page.skew else ""
            ex.issue(
                "extract.ocr_straightened",
                f"Page {number} was {' and '.join(t for t in (turned, skew) if t)} before OCR.",
                locator=f"page {number}",
            )
    return out


def ocr_pdf_pages(ex: Extraction, data: bytes, numbers: list[int]) -> dict[int, PageLayout] | None:
    """The given pages of a PDF rendered at `SCAN_DPI` and read by OCR."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        images = []
        for n in numbers:
            bitmap = pdf[n - 1].render(scale=SCAN_DPI / 72, grayscale=True)
            images.append((n, bitmap.to_numpy().copy(), SCAN_DPI))
    finally:
        pdf.close()
    return ocr_images(ex, images)


def finish(ex: Extraction, pages: dict[int, PageLayout] | list[PageLayout], data: bytes) -> Extraction:
    """The engine's stages on OCR'd pages, then each figure's confidence and the uncertain ones flagged."""
    layouts = list(pages.values()) if isinstance(pages, dict) else pages
    extract_layout(ex, layouts, data, "pdfplumber")
    mark_confidence(ex, {p.number: p for p in layouts})
    return ex


def mark_confidence(ex: Extraction, pages: dict[int, PageLayout]) -> None:
    """Each figure on an OCR'd page: the lowest confidence of the characters in its cell; figures below
    `UNCERTAIN` are flagged (`extract.ocr_uncertain`), one issue per cell."""
    from extractors.ocr import OcrChar

    for table in ex.tables:
        for item in table.items:
            page = pages.get(item.page)
            if page is None:
                continue
            item.engine = "ocr"
            if item.x0 is None or item.top is None or item.x1 is None or item.bottom is None:
                continue
            confs = [
                c.confidence
                for c in page.chars
                if isinstance(c, OcrChar)
                and item.x0 - 1 <= c.xc <= item.x1 + 1
                and item.top - 1 <= c.yc <= item.bottom + 1
                and c.text.isdigit()  # separators are set from the figure's shape
            ]
            if not confs:
                continue
            item.ocr_confidence = round(min(confs), 4)
            if item.ocr_confidence < UNCERTAIN:
                ex.issue(
                    "extract.ocr_uncertain",
                    f"Table {item.table_code}: {item.row_label} / {item.column} was read by OCR as {item.printed!r} "
                    f"with confidence {item.ocr_confidence:.2f}; check it against page {item.page}.",
                    table_code=item.table_code,
                    locator=f"page {item.page}, row {item.row_index}, column {item.column}",
                    actual=item.printed,
                )
        if any(i.engine == "ocr" for i in table.items):
            table.engine = "ocr"
