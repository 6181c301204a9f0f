"""The caps of `extractors.limits` for a page pdfium is about to parse.

pdfium parses a page whole, form XObjects included, and has no caps of ours: a page whose forms
nest 9 deep, each drawing the next 10 times, is 10⁹ glyphs in pdfium's memory. `check_page`
walks the page's content streams (decoded by pdfminer's bounded decoders, `pdfstreams`) and the
form XObjects they draw, without interpreting them, and raises `TooLarge` where
`render_page` (the pdfminer stage) would: more than `MAX_PAGE_CONTENT_BYTES` executed (a form's
content counted at each use), more than `MAX_PAGE_FORMS` XObjects drawn, forms nested
`MAX_FORM_DEPTH` deep. A form's totals are computed once and multiplied by its uses, so the
walk costs the size of the streams, not of what they would draw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1
from pdfminer.psparser import PSLiteral

from extractors.limits import MAX_FORM_DEPTH, MAX_PAGE_CONTENT_BYTES, MAX_PAGE_FORMS, TooLarge, budget

DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![A-Za-z0-9])")
HEX = re.compile(rb"#([0-9A-Fa-f]{2})")


@dataclass
class _Cost:
    content_bytes: int = 0
    forms: int = 0
    depth: int = 0


def _exceed(what: str, limit: int) -> TooLarge:
    b = budget()
    return b.exceed(what, limit) if b else TooLarge(what, limit)


def _check(cost: _Cost) -> None:
    if cost.content_bytes > MAX_PAGE_CONTENT_BYTES:
        raise _exceed("bytes of content on one page (form XObjects included)", MAX_PAGE_CONTENT_BYTES)
    if cost.forms > MAX_PAGE_FORMS:
        raise _exceed("XObjects drawn on one page", MAX_PAGE_FORMS)
    if cost.depth > MAX_FORM_DEPTH:
        raise _exceed("levels of nested form XObjects", MAX_FORM_DEPTH)


def _name(raw: bytes) -> str:
    return HEX.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def _xobjects(resources: Any) -> dict[str, Any]:
    res = resolve1(resources)
    if not isinstance(res, dict):
        return {}
    xobjs = resolve1(res.get("XObject"))
    return xobjs if isinstance(xobjs, dict) else {}


class _Walk:
    def __init__(self) -> None:
        self.memo: dict[int, _Cost] = {}
        self.open: set[int] = set()

    def streams(self, streams: list[Any], resources: Any, depth: int) -> _Cost:
        """What executing these content streams costs: their bytes and the XObjects they draw."""
        total = _Cost()
        xobjs: dict[str, Any] | None = None
        for s in streams:
            s = resolve1(s)
            if not isinstance(s, PDFStream):
                continue
            data = s.get_data()  # decoded within the caps of `pdfstreams`
            total.content_bytes += len(data)
            _check(total)
            for m in DO.finditer(data):
                xobjs = _xobjects(resources) if xobjs is None else xobjs
                total.forms += 1
                ref = xobjs.get(_name(m.group(1)))
                cost = self.form(ref, resources, depth + 1)
                if cost is not None:
                    total.content_bytes += cost.content_bytes
                    total.forms += cost.forms
                    total.depth = max(total.depth, cost.depth)
                _check(total)
        return total

    def form(self, ref: Any, parent_resources: Any, depth: int) -> _Cost | None:
        """The cost of drawing one form XObject (None for an image or a missing name)."""
        key = ref.objid if isinstance(ref, PDFObjRef) else None
        if key is not None and key in self.memo:
            return self.memo[key]
        xobj = resolve1(ref)
        if not isinstance(xobj, PDFStream):
            return None
        subtype = xobj.get("Subtype")
        if not (isinstance(subtype, PSLiteral) and subtype.name == "Form"):
            return None
        if depth > MAX_FORM_DEPTH or (key is not None and key in self.open):  # a form drawing itself
            raise _exceed("levels of nested form XObjects", MAX_FORM_DEPTH)
        if key is not None:
            self.open.add(key)
        try:
            resources = xobj.get("Resources") or parent_resources
            inner = self.streams([xobj], resources, depth)
        finally:
            if key is not None:
                self.open.discard(key)
        cost = _Cost(inner.content_bytes, inner.forms, inner.depth + 1)
        if key is not None:
            self.memo[key] = cost
        return cost


def check_page(page_obj: Any) -> None:
    """Raise `TooLarge` when the pdfminer page `page_obj` executes more than the caps allow."""
    streams = page_obj.contents if isinstance(page_obj.contents, list) else [page_obj.contents]
    cost = _Walk().streams(streams, page_obj.resources, 0)
    _check(cost)
