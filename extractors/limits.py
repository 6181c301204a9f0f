"""Caps that keep one hostile or broken document from running away with time or memory.

Every cap is far above what a real disclosure needs (the largest of ../shared/real/docs: a
4.4 MB stream, 110 KB of page content, 2,515 glyphs on a page, 23,000 in a document) and is
checked *before* the thing it caps is materialised. Exceeding one raises `TooLarge`, which the
extractor turns into an `extract.too_large` issue naming what was capped; the page (or the
table, or the rest of the document) is left out and the document is `partial` or `failed`.

`Budget` holds the per-document counters; `budget()` is the one active for the document being
read (a context variable, so threads extracting different documents do not share one).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

MIB = 1024 * 1024

MAX_STREAM_BYTES = 32 * MIB  # one decoded PDF stream (font, content, ToUnicode map)
MAX_DOCUMENT_DECODED_BYTES = 512 * MIB  # all streams of one document decoded together
MAX_PAGE_CONTENT_BYTES = 4 * MIB  # content executed for one page, form XObjects included
MAX_PAGE_GLYPHS = 100_000  # characters drawn on one page
MAX_PAGE_FORMS = 20_000  # form XObjects drawn on one page (nested ones counted each time)
MAX_FORM_DEPTH = 16  # form XObjects nested in one another
MAX_DOCUMENT_GLYPHS = 3_000_000  # characters of one document; later pages are not read
MAX_HTML_BYTES = 32 * MIB  # an HTML report's size
MAX_HTML_TEXT_CHARS = 1_000_000  # characters of text an HTML report renders
MAX_HTML_TABLE_CELLS = 200_000  # grid positions of one HTML table (colspan × rowspan summed)


class TooLarge(Exception):
    """A cap was reached; `what` names the thing capped, `limit` the cap; `whole_document`
    when the cap is the document's (nothing more of it can be read)."""

    def __init__(self, what: str, limit: int, *, whole_document: bool = False) -> None:
        super().__init__(f"{what} exceed the cap of {limit:,}")
        self.what = what
        self.limit = limit
        self.whole_document = whole_document


@dataclass
class Budget:
    """Counters of one document; `hits` keeps every cap reached, even where a library swallowed
    the exception (pdfminer skips a font it cannot load)."""

    decoded_bytes: int = 0
    glyphs: int = 0
    hits: list[TooLarge] = field(default_factory=list)

    def exceed(self, what: str, limit: int, *, whole_document: bool = False) -> TooLarge:
        hit = TooLarge(what, limit, whole_document=whole_document)
        self.hits.append(hit)
        return hit


_ACTIVE: ContextVar[Budget | None] = ContextVar("yujuesuan_budget", default=None)


def budget() -> Budget | None:
    """The budget of the document being read, if any."""
    return _ACTIVE.get()


@contextmanager
def document_budget() -> Iterator[Budget]:
    """A fresh budget for the duration of one document's extraction."""
    b = Budget()
    token = _ACTIVE.set(b)
    try:
        yield b
    finally:
        _ACTIVE.reset(token)
