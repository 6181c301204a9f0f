"""Which OCR figures were guessed: a figure whose characters the reader changed after the recogniser
(separators set from the figure's shape, look-alike letters read as digits) says so on its line item
and in the warehouse (`line_items.ocr_repaired`), beside its confidence."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pyarrow as pa

from extractors.extraction import Extraction
from extractors.layout import PageLayout
from extractors.ocr import OcrChar, _chars
from extractors.raster import Box
from extractors.records import Document, LineItem, TableResult
from extractors.scan import mark_confidence
from yujuesuan.warehouse.schema import LINE_ITEMS


def _read(text: str) -> list[tuple[str, float, float]]:
    return [(t, (k + 0.5) / len(text), 0.98) for k, t in enumerate(text)]


def _segment(text: str) -> list[OcrChar]:
    box = Box(0, 0, 20 * len(text), 20)
    inked = np.ones(box.width, dtype=bool)
    return [c for c in _chars(box, _read(text), 1.0, inked) if isinstance(c, OcrChar)]


def test_separator_read_wrong_is_a_repair() -> None:
    chars = _segment("1;234:56")
    assert "".join(c.text for c in chars) == "1,234.56"
    assert [c.repaired for c in chars] == [False, True, False, False, False, True, False, False]


def test_lookalike_letter_in_a_figure_is_read_as_a_digit_and_marked() -> None:
    chars = _segment("1,2O4.56")
    assert "".join(c.text for c in chars) == "1,204.56"
    assert [c.text for c in chars if c.repaired] == ["0"]


def test_figure_read_as_printed_is_not_repaired() -> None:
    assert not any(c.repaired for c in _segment("1,234.56"))
    assert not any(c.repaired for c in _segment("行政运行"))


def _item(x0: float, x1: float) -> LineItem:
    return LineItem("d", "02", "收入决算表", "income", "行政运行", "合计", Decimal("1234"), "1,234", 1,
                    x0=x0, top=0, x1=x1, bottom=20)


def test_line_item_carries_the_repair() -> None:
    repaired, clean = _item(0, 160), _item(200, 360)
    chars = _segment("1;234") + [
        OcrChar(c.text, c.x0 + 200, c.x1 + 200, c.top, c.bottom, c.size, c.confidence) for c in _segment("1,234")
    ]
    ex = Extraction(Document("d", "x.png", "image"))
    ex.tables.append(TableResult("02", "收入决算表", "income", [1], "元", "ocr", items=[repaired, clean]))
    mark_confidence(ex, {1: PageLayout(1, 400, 100, chars)})
    assert (repaired.ocr_repaired, clean.ocr_repaired) == (True, False)
    assert LineItem("d", "02", "t", "income", "r", "c", Decimal(1), "1", 1).ocr_repaired is None  # a text layer


def test_warehouse_has_the_column() -> None:
    assert LINE_ITEMS.field("ocr_repaired").type == pa.bool_()
    assert LINE_ITEMS.field("ocr_confidence").type == pa.float64()


def _bracketed_segment(text: str, slot: int = 20) -> list[OcrChar]:
    """A segment printed as a text layer prints it: each character in a full-width advance, a
    CJK character's ink filling it, a bracket's ink narrow at its inner side (the white of （ on
    its left, of ） on its right)."""
    box = Box(0, 0, slot * len(text), slot)
    inked = np.zeros(box.width, dtype=bool)
    for k, ch in enumerate(text):
        a, b = {"(": (14, 18), ")": (2, 6)}.get(ch, (2, 18))
        inked[k * slot + a : k * slot + b] = True
    return [c for c in _chars(box, _read(text), 1.0, inked) if isinstance(c, OcrChar)]


def test_bracketed_words_are_one_header_word() -> None:
    """因公出国(境)费: the white a bracket leaves in its advance is no gap between words (nor a
    place a column boundary may cut), so the header is one word over its columns."""
    from extractors.cells import _words
    from extractors.settings import DEFAULT_SETTINGS

    chars = _bracketed_segment("因公出国(境)费")
    words = _words(list(chars), DEFAULT_SETTINGS)
    assert ["".join(c.text for c in w) for w in words] == ["因公出国(境)费"]
    outer = [b.x0 - a.x1 for a, b in zip(chars, chars[1:], strict=False) if b.text == "(" or a.text == ")"]
    assert outer == [0, 0]
    # a figure's brackets are its own first and last characters: nothing to close
    assert [round(c.x0) for c in _bracketed_segment("(1.50)")][:1] == [14]
