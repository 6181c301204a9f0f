"""Scanned documents into the one table engine: page images (PNG/JPEG/TIFF) and PDF pages with no
text layer are read by OCR (`extractors.ocr`) into page layouts, then extracted like any PDF.

Every figure read by OCR keeps the lowest confidence of its digits (`ocr_confidence`) and whether
any of its characters was put right after the recogniser (`ocr_repaired`: a separator set from the
figure's shape, a look-alike letter read as a digit); a
figure below `UNCERTAIN` is flagged on its cell (`extract.ocr_uncertain`), and the accounting
identities of the check catalogue are the safety net for the rest.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from extractors.extraction import Extraction, failed_extraction
from extractors.layout import PageLayout
from extractors.pdf import extract_layout
from extractors.records import Document

UNCERTAIN = 0.9  # a figure read with less confidence than this is flagged
SCAN_DPI = 200  # PDF pages without text are rendered at this resolution
IMAGE_DPI = 144  # an image that does not state its resolution is taken as A4 at this
MIN_NATIVE_DPI, MAX_NATIVE_DPI = 100, 400  # a scanned PDF page's own image is read at its resolution within these


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
    """The given pages of a PDF read by OCR, each at the resolution it was scanned at."""
    return ocr_images(ex, pdf_page_images(data, numbers))


def pdf_page_images(data: bytes, numbers: list[int]) -> list[tuple[int, np.ndarray, float]]:
    """(page number, greyscale image, dpi) of the given pages: a page that is one upright image
    filling it (a scan) gives that image's own pixels; any other page is rendered at `SCAN_DPI`
    (resampling a scan blurs its thin strokes and costs time)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        out = []
        for n in numbers:
            page = pdf[n - 1]
            native = _scanned_image(page)
            if native is None:
                native = page.render(scale=SCAN_DPI / 72, grayscale=True).to_numpy().copy(), float(SCAN_DPI)
            out.append((n, *native))
    finally:
        pdf.close()
    return out


def _scanned_image(page: Any) -> tuple[np.ndarray, float] | None:
    """The page's one image in its own pixels and resolution, when it fills the page upright."""
    import pypdfium2.raw as pdfium_c

    objs = list(page.get_objects(max_depth=1))
    if len(objs) != 1 or objs[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    image = objs[0]
    m = image.get_matrix()
    width, height = page.get_size()
    if m.b or m.c or m.a <= 0 or m.d <= 0 or m.a < 0.95 * width or m.d < 0.95 * height:
        return None  # turned, mirrored or not the whole page: render it
    try:
        grey = np.array(image.get_bitmap(render=False).to_pil().convert("L"))
    except Exception:  # noqa: BLE001 - pdfium cannot hand over this image's pixels: render the page
        return None
    dpi = grey.shape[1] / (m.a / 72)
    if not MIN_NATIVE_DPI <= dpi <= MAX_NATIVE_DPI or abs(grey.shape[0] / (m.d / 72) - dpi) > 1:
        return None
    return grey, round(dpi, 2)


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
            cell = [
                c
                for c in page.chars
                if isinstance(c, OcrChar)
                and item.x0 - 1 <= c.xc <= item.x1 + 1
                and item.top - 1 <= c.yc <= item.bottom + 1
            ]
            confs = [c.confidence for c in cell if c.text.isdigit()]  # separators are set from the figure's shape
            if not confs:
                continue
            item.ocr_confidence = round(min(confs), 4)
            item.ocr_repaired = any(c.repaired for c in cell)
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
