"""Scanned PDF pages are read at the resolution they were scanned at (their embedded image), not
re-rendered: resampling a noisy scan blurs its strokes and costs time."""

from __future__ import annotations

import numpy as np

from yujuesuan.samples.generator import Layout, generate
from yujuesuan.samples.scans import Scan, scan_images, scan_pdf


def test_scanned_page_is_read_at_its_own_resolution() -> None:
    from extractors.scan import pdf_page_images

    gen = generate(31, Layout(currency="万元", rules="grid"))
    scan = Scan(dpi=150, skew=1.0, seed=3, pages=(3, 4))
    want = scan_images(gen.pdf, scan)
    got = pdf_page_images(scan_pdf(gen.pdf, scan), [1, 2])
    assert [n for n, _, _ in got] == [1, 2]
    for (_, grey, dpi), image in zip(got, want, strict=True):
        assert dpi == 150
        assert grey.shape == image.shape  # the scan's pixels (JPEG-compressed in the PDF), not resampled
        assert np.abs(grey.astype(int) - image).mean() < 2


def test_page_drawn_over_its_image_is_rendered() -> None:
    """A page whose image does not fill it plainly (here: a text page) is rendered at SCAN_DPI."""
    from extractors.scan import SCAN_DPI, pdf_page_images

    ((_, grey, dpi),) = pdf_page_images(generate(32).pdf, [1])
    assert dpi == SCAN_DPI and grey.ndim == 2
    assert abs(grey.shape[1] - 841.89 * SCAN_DPI / 72) <= 1 and abs(grey.shape[0] - 595.28 * SCAN_DPI / 72) <= 1
