"""One PDF page through pdfminer, bounded: content size, form XObjects and glyphs per page.

pdfplumber's `page.layout` runs pdfminer's interpreter unbounded: form XObjects nested 9 deep,
each drawing the next 10 times, are 10⁹ glyphs on one page. `render_page` runs the same
interpreter and device (so the layout objects are exactly pdfplumber's) with counters that
stop the page, by `TooLarge`, before `MAX_PAGE_CONTENT_BYTES` of content are executed (every
invocation of a form counts its content again), `MAX_PAGE_FORMS` forms are drawn, forms nest
`MAX_FORM_DEPTH` deep, or `MAX_PAGE_GLYPHS` characters are drawn (or the document's
`MAX_DOCUMENT_GLYPHS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pdfminer.layout import LTPage
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfplumber.page import PDFPageAggregatorWithMarkedContent

from extractors.limits import (
    MAX_DOCUMENT_GLYPHS,
    MAX_FORM_DEPTH,
    MAX_PAGE_CONTENT_BYTES,
    MAX_PAGE_FORMS,
    MAX_PAGE_GLYPHS,
    Budget,
    TooLarge,
    budget,
)


@dataclass
class _Counts:
    content_bytes: int = 0
    forms: int = 0
    glyphs: int = 0
    depth: int = 0


def _exceed(what: str, limit: int) -> TooLarge:
    b = budget()
    return b.exceed(what, limit) if b else TooLarge(what, limit)


class _Device(PDFPageAggregatorWithMarkedContent):
    counts: _Counts

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        self.counts.glyphs += 1
        if self.counts.glyphs > MAX_PAGE_GLYPHS:
            raise _exceed("characters on one page", MAX_PAGE_GLYPHS)
        return super().render_char(*args, **kwargs)


class _Interpreter(PDFPageInterpreter):
    counts: _Counts

    def dup(self) -> PDFPageInterpreter:
        interp = super().dup()
        interp.counts = self.counts  # type: ignore[attr-defined]
        return interp

    def execute(self, streams: Sequence[object]) -> None:
        size = 0
        for obj in streams:
            s = stream_value(obj)
            if isinstance(s, PDFStream):
                size += len(s.get_data())  # decoded (bounded) before it is parsed
        self.counts.content_bytes += size
        if self.counts.content_bytes > MAX_PAGE_CONTENT_BYTES:
            raise _exceed("bytes of content on one page (form XObjects included)", MAX_PAGE_CONTENT_BYTES)
        super().execute(streams)

    def do_Do(self, xobjid_arg: Any) -> None:
        c = self.counts
        c.forms += 1
        if c.forms > MAX_PAGE_FORMS:
            raise _exceed("XObjects drawn on one page", MAX_PAGE_FORMS)
        if c.depth >= MAX_FORM_DEPTH:
            raise _exceed("levels of nested form XObjects", MAX_FORM_DEPTH)
        c.depth += 1
        try:
            super().do_Do(xobjid_arg)
        finally:
            c.depth -= 1


def render_page(page: Any) -> LTPage:
    """The pdfminer layout of a pdfplumber page (what `page.layout` gives), within the caps;
    raises `TooLarge` past one of them."""
    device = _Device(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    counts = _Counts()
    device.counts = counts
    interpreter = _Interpreter(page.pdf.rsrcmgr, device)
    interpreter.counts = counts
    interpreter.process_page(page.page_obj)
    _charge_document(budget(), counts.glyphs)
    return device.get_result()


def _charge_document(b: Budget | None, glyphs: int) -> None:
    if b is None:
        return
    b.glyphs += glyphs
    if b.glyphs > MAX_DOCUMENT_GLYPHS:
        raise b.exceed("characters in the document", MAX_DOCUMENT_GLYPHS, whole_document=True)
