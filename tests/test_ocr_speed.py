"""OCR's cost on one core: a page is analysed once and every text segment is read by the
recogniser once (the segments read to tell which way up the page is are not read again)."""

from __future__ import annotations

import numpy as np
import pytest

from extractors import ocr
from yujuesuan.samples.generator import Layout, generate
from yujuesuan.samples.scans import Scan, scan_images


@pytest.fixture(scope="module")
def pages() -> list[np.ndarray]:
    gen = generate(31, Layout(currency="元", rules="grid"))
    return scan_images(gen.pdf, Scan(dpi=150, skew=1.0, sideways=(4,), seed=31, pages=(3, 4)))


def _count(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"analyse": 0, "crops": 0}
    analyse, read = ocr._analyse, ocr.Recogniser.read

    def counted_analyse(grey: np.ndarray) -> ocr._Straight:
        calls["analyse"] += 1
        return analyse(grey)

    def counted_read(self: ocr.Recogniser, crops: list[np.ndarray]) -> list:
        calls["crops"] += len(crops)
        return read(self, crops)

    monkeypatch.setattr(ocr, "_analyse", counted_analyse)
    monkeypatch.setattr(ocr.Recogniser, "read", counted_read)
    return calls


def test_upright_page_is_analysed_once_and_each_segment_read_once(monkeypatch, pages) -> None:
    calls = _count(monkeypatch)
    page = ocr.ocr_image(pages[0], 1, 150)
    assert page.rotation == 0 and page.segments > ocr.SAMPLE
    assert calls == {"analyse": 1, "crops": page.segments}
