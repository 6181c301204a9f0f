"""Scans of text PDFs: each page rasterised, turned, skewed and speckled, as a scanner would.

`scan_pdf(generate(seed).pdf)` gives an image-only PDF (no text layer) whose figures are known
from the generator's `.expected`, so OCR can be measured against exact values.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Scan:
    dpi: int = 150
    skew: float = 1.5  # degrees, alternating in sign page by page
    noise: float = 0.002  # share of pixels flipped (speckle)
    blur: bool = True
    sideways: tuple[int, ...] = ()  # 1-based pages scanned turned by 90°
    upside_down: tuple[int, ...] = ()  # 1-based pages scanned turned by 180°
    seed: int = 0
    pages: tuple[int, ...] | None = None  # only these pages (1-based); None: all
    text_pages: tuple[int, ...] = field(default=())  # keep these pages' text layer (a partly scanned PDF)


def scan_images(pdf: bytes, scan: Scan | None = None) -> list[np.ndarray]:
    """The PDF's pages as greyscale scans (uint8, 255 = paper)."""
    import cv2
    import pypdfium2 as pdfium

    scan = scan or Scan()
    rng = np.random.default_rng(scan.seed)
    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for i in range(len(doc)):
            number = i + 1
            if scan.pages is not None and number not in scan.pages:
                continue
            grey = doc[i].render(scale=scan.dpi / 72, grayscale=True).to_numpy().copy()
            if scan.blur:
                grey = cv2.GaussianBlur(grey, (3, 3), 0.6)
            angle = scan.skew * (1 if number % 2 else -1)
            if angle:
                h, w = grey.shape
                m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
                grey = cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
            if scan.noise:
                flip = rng.random(grey.shape) < scan.noise
                grey[flip] = rng.choice(np.array([0, 255], dtype=np.uint8), size=int(flip.sum()))
            if number in scan.sideways:
                grey = cv2.rotate(grey, cv2.ROTATE_90_CLOCKWISE)
            if number in scan.upside_down:
                grey = cv2.rotate(grey, cv2.ROTATE_180)
            out.append(grey)
    finally:
        doc.close()
    return out


def scan_pdf(pdf: bytes, scan: Scan | None = None) -> bytes:
    """An image-only PDF of the scans (except `text_pages`, copied with their text layer)."""
    from PIL import Image

    scan = scan or Scan()
    images = scan_images(pdf, scan)
    if scan.text_pages:
        return _mixed(pdf, images, scan)
    frames = [Image.fromarray(g) for g in images]
    buf = io.BytesIO()
    frames[0].save(buf, format="PDF", save_all=True, append_images=frames[1:], resolution=float(scan.dpi))
    return buf.getvalue()


def scan_png(pdf: bytes, page: int, scan: Scan | None = None) -> bytes:
    """One page's scan as PNG bytes (with its resolution stated)."""
    from PIL import Image

    scan = scan or Scan()
    base = Scan(**{**scan.__dict__, "pages": (page,), "text_pages": ()})
    buf = io.BytesIO()
    Image.fromarray(scan_images(pdf, base)[0]).save(buf, format="PNG", dpi=(scan.dpi, scan.dpi))
    return buf.getvalue()


def _mixed(pdf: bytes, images: list[np.ndarray], scan: Scan) -> bytes:
    """The original PDF with every page not in `text_pages` replaced by its scan."""
    import pypdfium2 as pdfium
    from PIL import Image

    out = pdfium.PdfDocument(pdf)
    numbers = [n for n in range(1, len(out) + 1) if scan.pages is None or n in scan.pages]
    for number, grey in zip(numbers, images, strict=True):
        if number in scan.text_pages:
            continue
        buf = io.BytesIO()
        Image.fromarray(grey).save(buf, format="PDF", resolution=float(scan.dpi))
        page_pdf = pdfium.PdfDocument(buf.getvalue())
        out.del_page(number - 1)
        out.import_pages(page_pdf, [0], index=number - 1)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()
