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
import pypdfium2_raw.bindings as _bindings
from pdfminer.fontmetrics import FONT_METRICS

from extractors.layout import Char, PageLayout, PageSpace, Rule, _rule_from_shape, keep_char
from extractors.limits import MAX_DOCUMENT_GLYPHS, MAX_PAGE_GLYPHS, budget

_TEXT, _PATH, _IMAGE, _FORM = R.FPDF_PAGEOBJ_TEXT, R.FPDF_PAGEOBJ_PATH, R.FPDF_PAGEOBJ_IMAGE, R.FPDF_PAGEOBJ_FORM
_MOVE, _LINE = R.FPDF_SEGMENT_MOVETO, R.FPDF_SEGMENT_LINETO
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
Run = tuple[float, float, float, float, float, float, float, int]  # a text object's a, b, c, d, lo, hi, size, font
Glyph = tuple[str | None, float]  # a character's text as read (None: blank) and its advance


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

    def __post_init__(self) -> None:  # the out-parameters as the bare bindings take them
        self.x_ref, self.y_ref = ctypes.byref(self.x), ctypes.byref(self.y)
        self.fx_ref, self.fy_ref = ctypes.byref(self.fx), ctypes.byref(self.fy)
        self.rect_ref, self.matrix_ref = ctypes.byref(self.rect), ctypes.byref(self.matrix)

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
        self._objs: dict[int, tuple[Run, dict[str, Glyph]]] = {}  # per text object: its run, the run's glyphs
        self._widths: dict[tuple[int, str], float] = {}
        self._standards: dict[int, tuple[dict, dict] | None] = {}
        self._glyphs: dict[Run, dict[str, Glyph]] = {}  # per text run, per character
        self._width_out = ctypes.c_float()  # the out-parameter of _get_width
        self._width_ref = ctypes.byref(self._width_out)

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
                self._objs.clear()  # handles are the page's
                for cache in (self._widths, self._descents, self._standards, self._glyphs):
                    cache.clear()  # keyed by handles, which live as long as the page
                textpage.close()
            rules: list[Rule] = []
            images = 0
            s = _Scratch.new()
            for obj, kind, outer in _objects(_handle(page.raw), s):
                if kind == _PATH:
                    rules += _path_rules(obj, _mult(_matrix(obj, s), outer), space, s)
                else:
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

    def _chars(self, tp: Any, space: PageSpace) -> list[Char]:  # noqa: C901 - the per-character hot loop, kept whole
        n = R.FPDFText_CountChars(tp)
        _charge_glyphs(n)
        if n <= 0:
            return []
        buf = (ctypes.c_ushort * (n + 1))()
        got = R.FPDFText_GetText(tp, 0, n, buf)
        text = bytes(buf)[: max(got - 1, 0) * 2].decode("utf-16-le", "surrogatepass")
        s = _Scratch.new()
        at = ctypes.cast(tp, ctypes.c_void_p)  # the handle for the bare bindings
        if at.value is None:  # a null text page: no characters
            return []
        chars: list[Char] = []
        bx0, btop, bx1, bbottom = space.bounds
        ca, cb, cc, cd, ce, cf = space.ctm
        flat = cb == 0.0 and cc == 0.0  # no quarter turn: x and y keep their axes
        kx, ky = space.mb_x0, space.height + space.mb_top
        get_obj, get_origin, sx, sy = _get_textobj, _get_origin, s.x, s.y
        rx, ry = s.x_ref, s.y_ref
        objs, new_char = self._objs, _new_char
        for i, ch in enumerate(text):
            if ch.isspace():  # pdfium's own spaces and line breaks, and blank glyphs
                continue
            if ch in SURROGATES:
                ch = _surrogate(i, ch, text)
            obj = get_obj(at, i)
            got = objs.get(obj)
            if got is None:
                got = self._run(at, i, obj, s)
            run, glyphs = got
            glyph = glyphs.get(ch)
            if glyph is None:
                glyph = glyphs[ch] = self._glyph(at, i, ch, run, s)
            norm, adv = glyph
            if norm is None:
                continue
            get_origin(at, i, rx, ry)
            ox, oy = sx.value, sy.value
            a, b, c, d, lo, hi, _, _ = run
            if b == 0.0 and c == 0.0:
                ux0, ux1, uy0, uy1 = ox, ox + a * adv, oy + d * lo, oy + d * hi
                if ux1 < ux0:
                    ux0, ux1 = ux1, ux0
                if uy1 < uy0:
                    uy0, uy1 = uy1, uy0
            else:
                xs = (ox + c * lo, ox + c * hi, ox + a * adv + c * lo, ox + a * adv + c * hi)
                ys = (oy + d * lo, oy + d * hi, oy + b * adv + d * lo, oy + b * adv + d * hi)
                ux0, ux1, uy0, uy1 = min(xs), max(xs), min(ys), max(ys)
            if flat:  # pdfminer's page matrix, then pdfplumber's top-based y (as `space.box`)
                x0, x1 = ca * ux0 + ce, ca * ux1 + ce
                y0, y1 = cd * uy0 + cf, cd * uy1 + cf
                if x1 < x0:
                    x0, x1 = x1, x0
                if y1 < y0:
                    y0, y1 = y1, y0
                x0, x1, top, bottom = x0 + kx, x1 + kx, ky - y1, ky - y0
            else:
                x0, x1, top, bottom = space.box(ux0, uy0, ux1, uy1)
            if x1 < bx0 or x0 > bx1 or bottom < btop or top > bbottom:  # not printed: off the page
                continue
            chars.append(new_char(norm, x0, x1, top, bottom, bottom - top))
        return chars

    def _run(self, at: ctypes.c_void_p, i: int, obj: int, s: _Scratch) -> tuple[Run, dict[str, Glyph]]:
        """What the characters of one text object share: the matrix (a, b, c, d), the box's
        bottom and top over the baseline (pdfminer's: the descent, one font size up), the font
        size and the font; with the glyphs read in that run so far (shared by the objects of
        the same run)."""
        _char_matrix(at, i, s.matrix_ref)
        m = s.matrix
        size = _font_size(at, i)
        font = _get_font(obj) or 0
        lo = self._descent(font) * size
        run = (m.a, m.b, m.c, m.d, lo, lo + size, size, font)
        glyphs = self._glyphs.get(run)
        if glyphs is None:
            glyphs = self._glyphs[run] = {}
        got = self._objs[obj] = (run, glyphs)
        return got

    def _glyph(self, at: ctypes.c_void_p, i: int, ch: str, run: Run, s: _Scratch) -> Glyph:
        """Character i's text as the later stages read it (None: blank) and its advance in text
        space (font size applied). pdfium guesses Unicode for a glyph its font does not map
        (the code itself); pdfminer's reading, `(cid:N)`, is kept: it says OCR is needed."""
        if _map_error(at, i) == 1:
            return f"(cid:{ord(ch[0])})", self._advance(at, i, ch, run, s)
        return keep_char(ch), self._advance(at, i, ch, run, s)

    def _advance(self, at: ctypes.c_void_p, i: int, ch: str, run: Run, s: _Scratch) -> float:
        """The advance of character i in text space (font size applied): the font's width of its
        Unicode, or where that is unknown or wider than pdfium's loose box (which holds the
        advance and the glyph's own box), the loose box's extent."""
        a, b, size, font = run[0], run[1], run[6], run[7]
        _get_loose_box(at, i, s.rect_ref)
        r = s.rect
        scale = (a * a + b * b) ** 0.5 or 1.0
        loose = (abs(r.right - r.left) if abs(a) >= abs(b) else abs(r.top - r.bottom)) / scale
        adv = self._width(font, ch) * size
        return adv if 0.0 < adv <= loose + 0.01 else loose

    def _width(self, font: int, ch: str) -> float:
        """The advance of `ch` in `font`, in text space units of font size 1 (0 when unknown)."""
        key = (font, ch)
        got = self._widths.get(key)
        if got is None:
            standard = self._standard(font)
            if standard is not None:
                got = standard[1].get(ch, 0) / 1000
            else:
                out = self._width_out
                ok = len(ch) == 1 and font and _get_width(ctypes.c_void_p(font), ord(ch), _ONE, self._width_ref)
                got = out.value if ok else 0.0
            self._widths[key] = got
        return got

    def _descent(self, font: int) -> float:
        got = self._descents.get(font)
        if got is None:
            standard = self._standard(font)
            out = ctypes.c_float()
            if standard is not None:
                got = float(standard[0].get("Descent", 0)) / 1000
            elif font and _get_descent(font, 1000.0, ctypes.byref(out)):
                got = out.value / 1000
            else:
                got = 0.0
            got = -got if got > 0 else got  # pdfminer makes a positive descent negative
            self._descents[font] = got
        return got

    def _standard(self, font: int) -> tuple[dict, dict] | None:
        """The metrics pdfminer reads a standard font by (its AFM: descent, widths by
        character) in place of the PDF's, or None for any other font."""
        if font not in self._standards:
            buf = ctypes.create_string_buffer(256)
            n = _get_name(font, buf, 256) if font else 0
            name = buf.raw[: max(n - 1, 0)].decode("latin-1") if 0 < n <= 256 else ""
            self._standards[font] = FONT_METRICS.get(name)
        return self._standards[font]


_CHAR_NEW = object.__new__


def _new_char(text: str, x0: float, x1: float, top: float, bottom: float, size: float) -> Char:
    """`Char(text, x0, x1, top, bottom, size)`, without the frozen dataclass's six
    `object.__setattr__` calls (the same object: tests/test_pdfium_layout.py compares them)."""
    c = _CHAR_NEW(Char)
    d = c.__dict__
    d["text"], d["x0"], d["x1"], d["top"], d["bottom"], d["size"] = text, x0, x1, top, bottom, size
    return c


SURROGATES = frozenset(chr(u) for u in range(0xD800, 0xE000))


def _surrogate(i: int, ch: str, text: str) -> str:
    """Half of a surrogate pair: the character at its high half, a blank at its low half."""
    u = ord(ch)
    if 0xD800 <= u <= 0xDBFF and i + 1 < len(text) and 0xDC00 <= ord(text[i + 1]) <= 0xDFFF:
        return chr(0x10000 + ((u - 0xD800) << 10) + (ord(text[i + 1]) - 0xDC00))
    if 0xD800 <= u <= 0xDFFF:
        return " "  # the low half: its pair was read at the high half
    return ch


def _private(name: str, argtypes: tuple, restype: Any) -> Any:
    """A pdfium function with plain pointer types (handles as ints: hashable, cheap)."""
    fn = _bindings._libs["pdfium"][name]
    fn.argtypes, fn.restype = argtypes, restype
    return fn


class _Handle(ctypes.c_void_p):
    """A handle returned as a ctypes pointer (not converted to an int): a bare binding takes it
    back as it is."""


def _bare(name: str, restype: Any) -> Any:
    """A pdfium function of the per-character and per-segment loops, called without ctypes'
    argument checks (argtypes): ctypes passes each argument by its own type, which costs half as
    much. Its callers pass handles as `ctypes.c_void_p` (or `_Handle`), indices as int (C int),
    out-parameters by `ctypes.byref`."""
    fn = _bindings._libs["pdfium"][name]
    fn.restype = restype
    return fn


_char_matrix = _bare("FPDFText_GetMatrix", ctypes.c_int)  # (text page, index, FS_MATRIX*)
_font_size = _bare("FPDFText_GetFontSize", ctypes.c_double)  # (text page, index)
_get_textobj = _bare("FPDFText_GetTextObject", ctypes.c_void_p)  # (text page, index) -> int
_get_font = _private("FPDFTextObj_GetFont", (ctypes.c_void_p,), ctypes.c_void_p)
_get_descent = _private(
    "FPDFFont_GetDescent", (ctypes.c_void_p, ctypes.c_float, ctypes.POINTER(ctypes.c_float)), ctypes.c_int
)
_get_name = _private("FPDFFont_GetBaseFontName", (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t), ctypes.c_size_t)
_map_error = _bare("FPDFText_HasUnicodeMapError", ctypes.c_int)  # (text page, index)
_get_width = _bare("FPDFFont_GetGlyphWidth", ctypes.c_int)  # (font, glyph as int, c_float font size, float*)
_ONE = ctypes.c_float(1.0)  # the font size _get_width is asked at
_get_origin = _bare("FPDFText_GetCharOrigin", ctypes.c_int)  # (text page, index, double*, double*)
_get_loose_box = _bare("FPDFText_GetLooseCharBox", ctypes.c_int)  # (text page, index, FS_RECTF*)


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


def _handle(ptr: Any) -> int:
    """A pypdfium2 handle as the int the private bindings take."""
    return ctypes.cast(ptr, ctypes.c_void_p).value or 0


_VP, _INT = ctypes.c_void_p, ctypes.c_int
_count_objects = _private("FPDFPage_CountObjects", (_VP,), _INT)
_get_object = _bare("FPDFPage_GetObject", _Handle)  # (page, index)
_get_type = _bare("FPDFPageObj_GetType", _INT)  # (object)
_form_count = _private("FPDFFormObj_CountObjects", (_VP,), _INT)
_form_object = _private("FPDFFormObj_GetObject", (_VP, ctypes.c_ulong), _Handle)
_obj_matrix = _private("FPDFPageObj_GetMatrix", (_VP, ctypes.POINTER(R.FS_MATRIX)), _INT)
_draw_mode = _private("FPDFPath_GetDrawMode", (_VP, ctypes.POINTER(_INT), ctypes.POINTER(_INT)), _INT)
_fill_colour = _private("FPDFPageObj_GetFillColor", (_VP, *[ctypes.POINTER(ctypes.c_uint)] * 4), _INT)
_count_segments = _private("FPDFPath_CountSegments", (_VP,), _INT)
_get_segment = _bare("FPDFPath_GetPathSegment", _Handle)  # (path, index)
_segment_point = _bare("FPDFPathSegment_GetPoint", _INT)  # (segment, float*, float*)
_segment_type = _bare("FPDFPathSegment_GetType", _INT)  # (segment)
_segment_close = _bare("FPDFPathSegment_GetClose", _INT)  # (segment)
_WANTED = frozenset((_PATH, _IMAGE))


def _matrix(obj: _Handle, s: _Scratch) -> Matrix:
    if not _obj_matrix(obj, s.matrix):
        return IDENTITY
    m = s.matrix
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _objects(page: int, s: _Scratch) -> Iterator[tuple[_Handle, int, Matrix]]:
    """Every path and image object of the page, those inside form XObjects included, with its
    type and the matrix from its form's space to user space (the page's objects: the identity).
    Text objects are left out: the characters are read from the text page."""
    gettype, wanted = _get_type, _WANTED
    handle = ctypes.c_void_p(page)
    for k in range(_count_objects(page)):
        obj = _get_object(handle, k)
        kind = gettype(obj)
        if kind in wanted:
            yield obj, kind, IDENTITY
        if kind != _FORM:
            continue
        stack: list[tuple[_Handle, int, Matrix]] = [(obj, 0, _matrix(obj, s))]
        while stack:
            form, start, outer = stack.pop()
            for j in range(start, _form_count(form)):
                child = _form_object(form, j)
                kind = gettype(child)
                if kind in wanted:
                    yield child, kind, outer
                if kind == _FORM:
                    stack.append((form, j + 1, outer))
                    stack.append((child, 0, _mult(_matrix(child, s), outer)))
                    break


def _path_rules(obj: _Handle, matrix: Matrix, space: PageSpace, s: _Scratch) -> list[Rule]:
    """The rules one path object draws, its subpaths read as pdfminer reads them."""
    _draw_mode(obj, s.mode, s.stroke)
    fill, stroke = s.mode.value != R.FPDF_FILLMODE_NONE, bool(s.stroke.value)
    colour = None
    if fill and _fill_colour(obj, *s.rgba):
        colour = tuple(v.value / 255 for v in s.rgba[:3])
    rules: list[Rule] = []
    for shape, pts in _subpaths(obj, matrix, s):
        kind = _kind(shape, pts)
        if kind is None:
            continue
        if kind == "line":
            (ax, ay), (bx, by) = pts[0], pts[1]
        else:
            (ax, ay), (bx, by) = pts[0], pts[2]
        ux0, ux1, uy0, uy1 = min(ax, bx), max(ax, bx), min(ay, by), max(ay, by)
        x0, x1, top, bottom = space.box(ux0, uy0, ux1, uy1)
        if space.outside(x0, x1, top, bottom):
            continue
        x0, x1, top, bottom = space.clip(x0, x1, top, bottom)
        rules += _rule_from_shape(kind, x0, x1, top, bottom, fill, stroke, colour)
    return rules


def _subpaths(obj: _Handle, matrix: Matrix, s: _Scratch) -> Iterator[tuple[str, list[tuple[float, float]]]]:
    """Each subpath as pdfminer's shape string (m, l, c, h) and its points in user space (a
    closing h repeats the first point)."""
    shape: list[str] = []
    pts: list[tuple[float, float]] = []
    ma, mb, mc, md, me, mf = matrix
    fx, fy, rx, ry = s.fx, s.fy, s.fx_ref, s.fy_ref
    get_segment, get_type, get_point, get_close = _get_segment, _segment_type, _segment_point, _segment_close
    for i in range(_count_segments(obj)):
        seg = get_segment(obj, i)
        kind = get_type(seg)
        get_point(seg, rx, ry)
        x, y = fx.value, fy.value
        p = (ma * x + mc * y + me, mb * x + md * y + mf)  # `_apply(matrix, x, y)`, inlined
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
        if get_close(seg) and shape:
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
