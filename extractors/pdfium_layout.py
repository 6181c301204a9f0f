"""Stage 1 — layout through pdfium: the same `PageLayout` as `layout.read_page`, twenty times faster.

pdfium (through pypdfium2's raw bindings) parses a page in C; this module reads its characters
and its path objects into pdfminer's geometry, so that every later stage sees what the pdfminer
layout stage gives:

- a character's box is pdfminer's: from its origin, its advance across, and from the font's
  descent (the descriptor's, as pdfminer reads it) one font size up; characters pdfium makes up
  (spaces, line breaks: `FPDFText_IsGenerated`) are left out, like pdfminer's blank ones;
- paths are split at each move-to and sorted into lines, rectangles and curves by pdfminer's
  rules (`converter.paint_path`), then into rules by the shared `layout._rule_from_shape`;
- coordinates go from PDF user space through pdfminer's page matrix (MediaBox offset, /Rotate)
  into pdfplumber's top-based space, by `layout.to_plumber`.

pdfium has no caps of its own: before it parses a page, `pdfium_caps.check_page` bounds the
content the page executes (form XObjects counted at each use, their nesting, the decoded bytes);
the characters it drew are counted against the page's and the document's glyph caps after.
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as R

from extractors.layout import Char, PageLayout, PageSpace, Rule, _rule_from_shape, keep_char
from extractors.limits import MAX_DOCUMENT_GLYPHS, MAX_PAGE_GLYPHS, budget

_TEXT, _PATH, _IMAGE, _FORM = R.FPDF_PAGEOBJ_TEXT, R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_IMAGE, R.FPDF_PAGEOBJ_FORM
_MOVE, _LINE = R.FPDF_SEGMENT_MOVETO, R.FPDF_SEGMENT_LINETO
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mult(m: Matrix, n: Matrix) -> Matrix:
    """`m` then `n` (PDF's row-vector convention, as pdfminer's `mult_matrix`)."""
    a, b, c, d, e, f = m
    a1, b1, c1, d1, e1, f1 = n
    return (
        a * a1 + b * c1,
        a * b1 + b * d1,
        c * a1 + d * c1,
        c * b1 + d * d1,
        e * a1 + f * c1 + e1,
        e * b1 + f * d1 + f1,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


@dataclass
class _Scratch:
    """ctypes out-parameters, allocated once per page."""

    x: ctypes.c_double
    y: ctypes.c_double
    fx: ctypes.c_float
    fy: ctypes.c_float
    rect: Any
    matrix: Any
    rgba: tuple[ctypes.c_uint, ctypes.c_uint, ctypes.c_uint, ctypes.c_uint]
    mode: ctypes.c_int
    stroke: ctypes.c_int

    @classmethod
    def new(cls) -> _Scratch:
        return cls(
            ctypes.c_double(),
            ctypes.c_double(),
            ctypes.c_float(),
            ctypes.c_float(),
            R.FS_RECTF(),
            R.FS_MATRIX(),
            (ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()),
            ctypes.c_int(),
            ctypes.c_int(),
        )


class PdfiumDocument:
    """A PDF opened by pdfium; `page(i, space)` reads page i (0-based) as a PageLayout."""

    def __init__(self, data: bytes) -> None:
        self._pdf = pdfium.PdfDocument(data)
        self._descents: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._pdf)

    def close(self) -> None:
        self._pdf.close()

    def page(self, index: int, space: PageSpace) -> PageLayout:
        page = self._pdf[index]
        try:
            textpage = page.get_textpage()
            try:
                chars = self._chars(textpage.raw, space)
            finally:
                textpage.close()
            rules: list[Rule] = []
            images = 0
            s = _Scratch.new()
            for obj, matrix in _objects(page.raw, s):
                kind = R.FPDFPageObj_GetType(obj)
                if kind == _PATH:
                    rules += _path_rules(obj, matrix, space, s)
                elif kind == _IMAGE:
                    images += 1
        finally:
            page.close()
        return PageLayout(
            number=index + 1,
            width=space.width,
            height=space.height,
            chars=chars,
            rules=rules,
            images=images,
            rotation=space.rotation,
        )

    def _chars(self, tp: Any, space: PageSpace) -> list[Char]:
        n = R.FPDFText_CountChars(tp)
        real = [i for i in range(n) if not R.FPDFText_IsGenerated(tp, i)]
        _charge_glyphs(len(real))
        s = _Scratch.new()
        chars: list[Char] = []
        for i in real:
            u = R.FPDFText_GetUnicode(tp, i)
            text = keep_char(_text_of(tp, i, u))
            if text is None:
                continue
            box = self._box(tp, i, s)
            x0, x1, top, bottom = space.box(*box[:4])
            if space.outside(x0, x1, top, bottom):
                continue
            chars.append(Char(text, x0, x1, top, bottom, box[4]))
        return chars

    def _box(self, tp: Any, i: int, s: _Scratch) -> tuple[float, float, float, float, float]:
        """pdfminer's box of character i in user space (x0, y0, x1, y1) and its size."""
        R.FPDFText_GetCharOrigin(tp, i, s.x, s.y)
        ox, oy = s.x.value, s.y.value
        R.FPDFText_GetMatrix(tp, i, s.matrix)
        m = s.matrix
        a, b, c, d = m.a, m.b, m.c, m.d
        size = R.FPDFText_GetFontSize(tp, i)
        R.FPDFText_GetLooseCharBox(tp, i, s.rect)
        r = s.rect
        scale_x = (a * a + b * b) ** 0.5 or 1.0
        if abs(b) < 1e-9 and abs(c) < 1e-9:
            adv = (r.right - r.left) / scale_x  # text space, font size applied
        else:
            adv = max(r.right - r.left, r.top - r.bottom) / scale_x
        descent = self._descent(R.FPDFText_GetTextObject(tp, i)) * size
        corners = [
            (ox + a * u + c * v, oy + b * u + d * v) for u in (0.0, adv) for v in (descent, descent + size)
        ]
        xs = [p[0] for p in corners]
        ys = [p[1] for p in corners]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        height = y1 - y0
        return x0, y0, x1, y1, height

    def _descent(self, textobj: Any) -> float:
        font = R.FPDFTextObj_GetFont(textobj)
        key = ctypes.cast(font, ctypes.c_void_p).value or 0
        got = self._descents.get(key)
        if got is None:
            out = ctypes.c_float()
            got = out.value / 1000 if R.FPDFFont_GetDescent(font, ctypes.c_float(1000.0), out) else 0.0
            got = -got if got > 0 else got  # pdfminer makes a positive descent negative
            self._descents[key] = got
        return got


def _text_of(tp: Any, i: int, u: int) -> str:
    if 0xD800 <= u <= 0xDBFF and i + 1 < R.FPDFText_CountChars(tp):  # a surrogate pair
        low = R.FPDFText_GetUnicode(tp, i + 1)
        return chr(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00))
    if 0xDC00 <= u <= 0xDFFF:
        return ""
    if u == 0 or u == 0xFFFE or u == 0xFFFD and R.FPDFText_HasUnicodeMapError(tp, i):
        return "(cid:0)"  # no Unicode for this glyph, as pdfminer writes it
    return chr(u)


def _charge_glyphs(n: int) -> None:
    from extractors.limits import TooLarge

    b = budget()
    if n > MAX_PAGE_GLYPHS:
        raise b.exceed("characters on one page", MAX_PAGE_GLYPHS) if b else TooLarge(
            "characters on one page", MAX_PAGE_GLYPHS
        )
    if b is not None:
        b.glyphs += n
        if b.glyphs > MAX_DOCUMENT_GLYPHS:
            raise b.exceed("characters in the document", MAX_DOCUMENT_GLYPHS, whole_document=True)


def _matrix(obj: Any, s: _Scratch) -> Matrix:
    if not R.FPDFPageObj_GetMatrix(obj, s.matrix):
        return IDENTITY
    m = s.matrix
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _objects(page: Any, s: _Scratch) -> Iterator[tuple[Any, Matrix]]:
    """Every page object, those inside form XObjects included, with the matrix from its own
    space to user space (a path's points are in its own space)."""
    stack: list[tuple[Any, int, Matrix]] = []
    count, get = R.FPDFPage_CountObjects, R.FPDFPage_GetObject
    for k in range(count(page)):
        obj = get(page, k)
        yield obj, _matrix(obj, s)
        if R.FPDFPageObj_GetType(obj) == _FORM:
            stack.append((obj, 0, _matrix(obj, s)))
            while stack:
                form, start, outer = stack.pop()
                for j in range(start, R.FPDFFormObj_CountObjects(form)):
                    child = R.FPDFFormObj_GetObject(form, j)
                    m = _mult(_matrix(child, s), outer)
                    yield child, m
                    if R.FPDFPageObj_GetType(child) == _FORM:
                        stack.append((form, j + 1, outer))
                        stack.append((child, 0, m))
                        break


def _path_rules(obj: Any, matrix: Matrix, space: PageSpace, s: _Scratch) -> list[Rule]:
    """The rules one path object draws, its subpaths read as pdfminer reads them."""
    R.FPDFPath_GetDrawMode(obj, s.mode, s.stroke)
    fill, stroke = s.mode.value != R.FPDF_FILLMODE_NONE, bool(s.stroke.value)
    colour = None
    if fill and R.FPDFPageObj_GetFillColor(obj, *s.rgba):
        colour = tuple(v.value / 255 for v in s.rgba[:3])
    rules: list[Rule] = []
    for shape, pts in _subpaths(obj, matrix, s):
        kind = _kind(shape, pts)
        if kind is None:
            continue
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        if kind == "line":
            ux0, uy0, ux1, uy1 = min(xs[:2]), min(ys[:2]), max(xs[:2]), max(ys[:2])
        else:
            (ax, ay), (bx, by) = pts[0], pts[2]
            ux0, ux1, uy0, uy1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        x0, x1, top, bottom = space.box(ux0, uy0, ux1, uy1)
        if space.outside(x0, x1, top, bottom):
            continue
        x0, x1, top, bottom = space.clip(x0, x1, top, bottom)
        rules += _rule_from_shape(kind, x0, x1, top, bottom, fill, stroke, colour)
    return rules


def _subpaths(obj: Any, matrix: Matrix, s: _Scratch) -> Iterator[tuple[str, list[tuple[float, float]]]]:
    """Each subpath as pdfminer's shape string (m, l, c, h) and its points in user space (a
    closing h repeats the first point)."""
    shape: list[str] = []
    pts: list[tuple[float, float]] = []
    n = R.FPDFPath_CountSegments(obj)
    for i in range(n):
        seg = R.FPDFPath_GetPathSegment(obj, i)
        kind = R.FPDFPathSegment_GetType(seg)
        R.FPDFPathSegment_GetPoint(seg, s.fx, s.fy)
        p = _apply(matrix, s.fx.value, s.fy.value)
        if kind == _MOVE:
            if shape:
                yield "".join(shape), pts
            shape, pts = ["m"], [p]
        else:
            if not shape:  # a path must start with a move-to
                shape, pts = ["m"], [p]
                continue
            shape.append("l" if kind == _LINE else "c")
            pts.append(p)
        if R.FPDFPathSegment_GetClose(seg) and shape:
            shape.append("h")
            pts.append(pts[0])
    if shape:
        yield "".join(shape), pts


def _kind(shape: str, pts: list[tuple[float, float]]) -> str | None:
    """pdfminer's reading of one subpath: "line", "rect", or None (a curve or nothing)."""
    shape = shape.replace("ccc", "c")  # pdfium lists a Bézier's three points as three segments
    if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
        shape = shape[:-2] + "h"
        pts.pop(-2)
    if shape in {"mlh", "ml"}:
        return "line"
    if shape in {"mlllh", "mllll"}:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
        closed = pts[0] == pts[4]
        square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
        return "rect" if closed and square else None
    return None
