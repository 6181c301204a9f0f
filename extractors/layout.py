"""Stage 1 — layout: one PDF page as normalised characters and ruling lines.

Rules come from drawn lines, from stroked rectangles' edges and from thin filled rectangles
(many producers draw table borders as 0.5–1 pt black boxes). Light-filled boxes are cell
backgrounds, not rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from typing import Any

from extractors.text import compact, normalise

THIN = 2.5  # a filled rectangle thinner than this (pt) is a drawn line


@dataclass(frozen=True)
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float = 0.0

    @property
    def xc(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def yc(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Rule:
    orientation: str  # "h" | "v"
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class TextLine:
    """One line of text on a page (its characters are not changed once grouped: what is
    derived from them is computed once)."""

    chars: list[Char]
    _segments: dict[float, list[str]] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def text(self) -> str:
        return "".join(c.text for c in self.chars)

    @cached_property
    def key(self) -> str:
        return compact(self.text)

    @cached_property
    def top(self) -> float:
        return min([c.top for c in self.chars])

    @cached_property
    def bottom(self) -> float:
        return max([c.bottom for c in self.chars])

    def segments(self, gap: float = 12.0) -> list[str]:
        """The line split where the horizontal gap between characters is wide (computed once per
        gap; the list is shared, not to be changed)."""
        got = self._segments.get(gap)
        if got is None:
            got = self._segments[gap] = self._split(gap)
        return got

    def _split(self, gap: float) -> list[str]:
        out: list[list[Char]] = [[self.chars[0]]]
        for prev, ch in zip(self.chars, self.chars[1:], strict=False):
            if ch.x0 - prev.x1 > gap:
                out.append([])
            out[-1].append(ch)
        return ["".join(c.text for c in seg) for seg in out]


@dataclass
class PageLayout:
    number: int  # 1-based
    width: float
    height: float
    chars: list[Char] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    images: int = 0
    rotation: int = 0
    _lines: list[list[Char]] | None = field(default=None, repr=False, compare=False)
    _text_lines: list[TextLine] | None = field(default=None, repr=False, compare=False)
    _text: str | None = field(default=None, repr=False, compare=False)

    def lines(self) -> list[list[Char]]:
        """Characters grouped into text lines (top to bottom, each left to right); computed once."""
        if self._lines is None:
            self._lines = group_lines(self.chars)
        return self._lines

    def text_lines(self) -> list[TextLine]:
        if self._text_lines is None:
            self._text_lines = [TextLine(chars) for chars in self.lines()]
        return self._text_lines

    def text(self) -> str:
        """The page's text, line by line (computed once, like its lines)."""
        if self._text is None:
            self._text = "\n".join(ln.text for ln in self.text_lines())
        return self._text


def group_lines(chars: list[Char], tolerance: float = 2.5) -> list[list[Char]]:
    """Characters in lines: by centre top to bottom (then left to right), a line taking each
    character within `tolerance` of its running mean centre; each line left to right."""
    if len(chars) < 2:
        return [list(chars)] if chars else []
    rows: list[list[Char]] = []
    # each centre computed once; the index keeps the sort stable where centre and x0 tie
    keyed = sorted([((c.top + c.bottom) / 2, c.x0, i) for i, c in enumerate(chars)])
    row: list[Char] = []
    centre = 0.0
    for yc, _, i in keyed:
        if row and abs(yc - centre) <= tolerance:
            row.append(chars[i])
            centre += (yc - centre) / len(row)
        else:
            row = [chars[i]]
            rows.append(row)
            centre = yc
    return [r if len(r) == 1 else sorted(r, key=_x0) for r in rows]


_x0 = attrgetter("x0")  # a character's left edge, read in C (the sort key of every line)


def _is_light(colour: Any) -> bool:
    if colour is None:
        return False
    if isinstance(colour, int | float):
        return colour > 0.8
    if isinstance(colour, tuple | list):
        vals = [v for v in colour if isinstance(v, int | float)]
        if len(vals) == 4:  # CMYK: light when little ink
            return max(vals) < 0.2
        return bool(vals) and min(vals) > 0.8
    return False


def _rule_from_shape(
    kind: str, x0: float, x1: float, top: float, bottom: float, fill: Any, stroke: Any, colour: Any
) -> list[Rule]:
    """Rules drawn by one line or rectangle (see the module docstring)."""
    w, h = x1 - x0, bottom - top
    if kind == "line":
        if h <= THIN and w > THIN:
            return [Rule("h", x0, x1, top, bottom)]
        if w <= THIN and h > THIN:
            return [Rule("v", x0, x1, top, bottom)]
        return []
    if fill and not stroke:
        if _is_light(colour):
            return []
        if h <= THIN and w > THIN:
            return [Rule("h", x0, x1, top, bottom)]
        if w <= THIN and h > THIN:
            return [Rule("v", x0, x1, top, bottom)]
        return []
    if stroke:
        return [
            Rule("h", x0, x1, top, top),
            Rule("h", x0, x1, bottom, bottom),
            Rule("v", x0, x0, top, bottom),
            Rule("v", x1, x1, top, bottom),
        ]
    return []


def _outside(x0: float, x1: float, top: float, bottom: float, box: tuple[float, float, float, float]) -> bool:
    return x1 < box[0] or x0 > box[2] or bottom < box[1] or top > box[3]


def keep_char(text: str) -> str | None:
    """A character's text as the later stages read it (normalised), or None for a blank one."""
    text = normalise(text)
    return text if text.strip() else None


@dataclass(frozen=True)
class PageSpace:
    """pdfplumber's page coordinates, shared by both layout stages: x from the MediaBox's left
    edge, top from its top edge, /Rotate applied (pdfminer's page matrix), what lies wholly
    outside the MediaBox left out and what reaches beyond it clipped."""

    width: float
    height: float
    rotation: int
    ctm: tuple[float, float, float, float, float, float]  # PDF user space → pdfminer's device space
    mb_x0: float
    mb_top: float

    @classmethod
    def of(cls, page: Any) -> PageSpace:
        """The space of a pdfplumber page (its pdfminer page gives the matrix)."""
        x0, y0, x1, y1 = page.page_obj.mediabox
        rotate = page.page_obj.rotate
        if rotate == 90:
            ctm = (0.0, -1.0, 1.0, 0.0, -y0, x1)
        elif rotate == 180:
            ctm = (-1.0, 0.0, 0.0, -1.0, x1, y1)
        elif rotate == 270:
            ctm = (0.0, 1.0, -1.0, 0.0, y1, -x0)
        else:
            ctm = (1.0, 0.0, 0.0, 1.0, -x0, -y0)
        return cls(
            width=float(page.width),
            height=float(page.height),
            rotation=int(getattr(page, "rotation", 0) or 0) % 360,
            ctm=tuple(float(v) for v in ctm),  # type: ignore[arg-type]
            mb_x0=float(page.mediabox[0]),
            mb_top=float(page.mediabox[1]),
        )

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.mb_x0, self.mb_top, self.mb_x0 + self.width, self.mb_top + self.height)

    def device_box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A box in pdfminer's device space (bottom-up) as (x0, x1, top, bottom)."""
        return x0 + self.mb_x0, x1 + self.mb_x0, self.height - y1 + self.mb_top, self.height - y0 + self.mb_top

    def box(self, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        """A box in PDF user space as (x0, x1, top, bottom)."""
        a, b, c, d, e, f = self.ctm
        xs = (a * x0 + c * y0 + e, a * x1 + c * y1 + e, a * x0 + c * y1 + e, a * x1 + c * y0 + e)
        ys = (b * x0 + d * y0 + f, b * x1 + d * y1 + f, b * x0 + d * y1 + f, b * x1 + d * y0 + f)
        return self.device_box(min(xs), min(ys), max(xs), max(ys))

    def outside(self, x0: float, x1: float, top: float, bottom: float) -> bool:
        return _outside(x0, x1, top, bottom, self.bounds)

    def clip(self, x0: float, x1: float, top: float, bottom: float) -> tuple[float, float, float, float]:
        box = self.bounds
        return max(x0, box[0]), min(x1, box[2]), max(top, box[1]), min(bottom, box[3])


def read_page(page: Any, number: int) -> PageLayout:
    """A pdfplumber page as a PageLayout (pdfplumber applies /Rotate for us); what lies wholly
    outside the page box is not printed and left out, rules reaching beyond it are clipped.

    The page's pdfminer layout objects (`render_page`: pdfplumber's, within the caps of
    `extractors.limits`) are read directly, in pdfplumber's coordinates (top
    from the page's top edge, offsets of the MediaBox applied), without building a dict for
    every object: on these documents that is a fifth of the extraction time.
    """
    from pdfminer.layout import LTChar, LTContainer, LTCurve, LTImage, LTLine, LTRect

    from extractors.pdfrender import render_page

    def walk(objs: list) -> Any:
        for o in objs:
            if isinstance(o, LTContainer):  # figures (form XObjects) hold their own objects
                yield from walk(o._objs)
            else:
                yield o

    space = PageSpace.of(page)
    chars: list[Char] = []
    rules: list[Rule] = []
    images = 0
    for obj in walk(render_page(page)._objs):
        if isinstance(obj, LTChar):
            text = keep_char(obj.get_text())
            if text is None:
                continue
            x0, x1, top, bottom = space.device_box(obj.x0, obj.y0, obj.x1, obj.y1)
            if space.outside(x0, x1, top, bottom):  # not printed: off the page
                continue
            chars.append(Char(text, x0, x1, top, bottom, float(obj.size)))
        elif isinstance(obj, LTLine | LTRect):
            kind = "line" if isinstance(obj, LTLine) else "rect"
            x0, x1, top, bottom = space.device_box(obj.x0, obj.y0, obj.x1, obj.y1)
            if space.outside(x0, x1, top, bottom):
                continue
            x0, x1, top, bottom = space.clip(x0, x1, top, bottom)
            rules += _rule_from_shape(kind, x0, x1, top, bottom, obj.fill, obj.stroke, obj.non_stroking_color)
        elif isinstance(obj, LTImage):
            images += 1
        elif isinstance(obj, LTCurve):
            continue  # curves (charts, seals) are not table rules
    return PageLayout(
        number=number,
        width=space.width,
        height=space.height,
        chars=chars,
        rules=rules,
        images=images,
        rotation=space.rotation,
    )
