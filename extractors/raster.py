"""Page images for OCR: decoding, straightening, ruling lines and text segments.

Pure image handling (numpy + OpenCV), no model: a scanned page is decoded to greyscale,
binarised (ink = 1), deskewed by the angle whose row profile is sharpest (±`MAX_SKEW`°), and
split into what the table engine reads: ruling lines (long thin runs of ink, found by
morphological opening) and text segments (runs of characters with no wide gap, ruling lines
removed, never across a vertical rule).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np

MAX_SKEW = 3.0  # degrees searched either way
RULE_MIN = 0.03  # a ruling line is at least this share of the page's width (or height)


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels: x0, top inclusive; x1, bottom exclusive."""

    x0: int
    top: int
    x1: int
    bottom: int

    @property
    def height(self) -> int:
        return self.bottom - self.top

    @property
    def width(self) -> int:
        return self.x1 - self.x0


@dataclass
class PageImage:
    grey: np.ndarray  # uint8, 255 = paper
    dpi: float | None = None  # as the file states it, when it does


class ImageError(ValueError):
    """The bytes are not an image this module can read."""


def decode_images(data: bytes) -> list[PageImage]:
    """Every frame of a PNG, JPEG or (multi-page) TIFF as greyscale pages."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        img = Image.open(io.BytesIO(data))
        pages = []
        for frame in ImageSequence.Iterator(img):
            dpi = frame.info.get("dpi")
            grey = np.array(frame.convert("L"))
            value = float(dpi[0]) if dpi and dpi[0] and float(dpi[0]) > 30 else None
            pages.append(PageImage(grey, value))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageError(f"{type(exc).__name__}: {exc}") from exc
    return pages


def binarise(grey: np.ndarray, *, despeckled: bool = False) -> np.ndarray:
    """Ink as 1, paper as 0 (Otsu on the despeckled page; `despeckled`: `grey` already is)."""
    _, ink = cv2.threshold(grey if despeckled else despeckle(grey), 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    return ink


def despeckle(grey: np.ndarray) -> np.ndarray:
    """The page without speckle: specks of ink up to `SPECK` pixels become paper, a light pixel
    inside ink becomes ink. Unlike a median filter this keeps one-pixel strokes (the bars of 一 and
    三 on a 96 dpi page)."""
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    dark = (grey <= threshold).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    speck = stats[:, cv2.CC_STAT_AREA] <= SPECK
    speck[0] = False
    out = grey.copy()
    out[speck[labels]] = 255
    kernel = np.ones((3, 3), np.float32)
    kernel[1, 1] = 0
    around = cv2.filter2D(dark, cv2.CV_8U, kernel, borderType=cv2.BORDER_CONSTANT)
    out[(dark == 0) & (around == 8)] = 0
    return out


SPECK = 3


def _profile_score(ink: np.ndarray) -> float:
    rows = ink.sum(axis=1, dtype=np.float64)
    return float(np.var(np.diff(rows)))


def _small(ink: np.ndarray, long_side: int = 800) -> np.ndarray:
    scale = long_side / max(ink.shape)
    if scale >= 1:
        return ink.astype(np.uint8)
    return cv2.resize(ink.astype(np.uint8) * 255, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) // 128


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    """The image turned by `angle` degrees counter-clockwise about its centre, paper outside."""
    if angle % 360 == 0:
        return grey
    if angle % 90 == 0:
        turns = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
        return cv2.rotate(grey, turns[int(angle) % 360])
    h, w = grey.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(grey, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def skew_angle(ink: np.ndarray) -> float:
    """The small rotation (degrees, counter-clockwise positive) that makes the text lines level."""
    small = _small(ink, 1600)
    h, w = small.shape
    centre = (w / 2, h / 2)

    def score(angle: float) -> float:
        m = cv2.getRotationMatrix2D(centre, angle, 1.0)
        return _profile_score(cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST))

    best = max(np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5), key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    angle = float(max(fine, key=score))
    return 0.0 if abs(angle) < 0.05 else round(angle, 2)


def _runs(ink: np.ndarray, horizontal: bool, min_len: int) -> np.ndarray:
    """Straight runs of ink at least `min_len` long (small gaps in them bridged)."""
    bridge = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1) if horizontal else (1, 3))
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, bridge)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (min_len, 1) if horizontal else (1, min_len))
    runs: np.ndarray = cv2.morphologyEx(closed, cv2.MORPH_OPEN, kernel)
    return runs


def rule_masks(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ink of the horizontal and of the vertical ruling lines: runs with paper beside them (a
    run with ink along its side is the foot or head of a line of characters, bridged by speckle
    and blur)."""
    h, w = ink.shape
    hruns, vruns = _runs(ink, True, max(25, int(RULE_MIN * w))), _runs(ink, False, max(25, int(RULE_MIN * h)))
    near: np.ndarray = cv2.dilate(hruns | vruns, np.ones((3, 3), np.uint8))
    other = ink & ~near
    return _alone(hruns, other, True) & ink, _alone(vruns, other, False) & ink


def _alone(runs: np.ndarray, other: np.ndarray, horizontal: bool) -> np.ndarray:
    """The runs with at most `RULE_SIDE_INK` of their length inked (by `other`, the ink that is
    no run) in the band of `RULE_SIDE` pixels just clear of them, on either side."""
    if not horizontal:
        return np.ascontiguousarray(_alone(np.ascontiguousarray(runs.T), np.ascontiguousarray(other.T), True).T)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
    keep = np.zeros(n, dtype=bool)
    for i in range(1, n):
        x, y, w, h = (int(v) for v in stats[i, :4])
        above = other[max(0, y - 1 - RULE_SIDE) : max(0, y - 1), x : x + w]
        below = other[y + h + 1 : y + h + 1 + RULE_SIDE, x : x + w]
        keep[i] = all(side.size == 0 or side.any(axis=0).mean() <= RULE_SIDE_INK for side in (above, below))
    out: np.ndarray = keep[labels].astype(runs.dtype)
    return out


RULE_SIDE = 2  # pixels beside a run looked at, one pixel clear of it
RULE_SIDE_INK = 0.2  # a ruling line has ink beside it along at most this share of its length


def _without_rules(ink: np.ndarray) -> np.ndarray:
    hmask, vmask = rule_masks(ink)
    rules: np.ndarray = cv2.dilate(hmask | vmask, np.ones((3, 3), np.uint8))
    return ink & ~rules


def rules_of(mask: np.ndarray, horizontal: bool, max_thick: int = 8) -> list[Box]:
    """Connected runs of a rule mask as boxes (thin in one direction)."""
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    out = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        thick = bh if horizontal else bw
        if thick > max_thick:  # a filled block, not a line: keep its centre line
            centre = y + bh // 2 if horizontal else x + bw // 2
            out.append(Box(x, centre, x + bw, centre + 1) if horizontal else Box(centre, y, centre + 1, y + bh))
        else:
            out.append(Box(int(x), int(y), int(x + bw), int(y + bh)))
    return out


def char_height(ink: np.ndarray) -> int:
    """The usual height of a character (px): the median height of the ink's components."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    heights = [int(s[3]) for s in stats[1:] if s[4] >= 6 and 4 <= s[3] <= ink.shape[0] // 10]
    return int(np.median(heights)) if heights else 12


def meets(vrule: Box, hrules: list[Box], reach: int = 4) -> bool:
    """A vertical run ends on (or crosses) a horizontal rule, as table rules do."""
    for h in hrules:
        if h.x0 - reach <= vrule.x0 <= h.x1 + reach and vrule.top - reach <= h.top <= vrule.bottom + reach:
            return True
    return False


def text_segments(ink: np.ndarray, vrules: list[Box], hrules: list[Box]) -> list[Box]:
    """Runs of characters: ink without ruling lines, joined across gaps narrower than about half a
    character, split at vertical rules; speckles dropped."""
    hmask = np.zeros_like(ink)
    for r in [*vrules, *hrules]:
        hmask[max(0, r.top - 1) : r.bottom + 1, max(0, r.x0 - 1) : r.x1 + 1] = 1
    text = ink & ~hmask
    char_h = char_height(text)
    gap = max(3, char_h)
    joined = cv2.dilate(text, cv2.getStructuringElement(cv2.MORPH_RECT, (gap, max(1, char_h // 4))))
    for r in vrules:  # never across a vertical rule
        joined[r.top : r.bottom, max(0, r.x0 - 1) : r.x1 + 1] = 0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    out = []
    for i in range(1, n):
        x, y, bw, bh, _ = stats[i]
        sub = text[y : y + bh, x : x + bw] & (labels[y : y + bh, x : x + bw] == i)
        if sub.sum() < max(6, char_h // 2):
            continue  # speckle
        ys, xs = np.nonzero(sub)
        box = Box(int(x + xs.min()), int(y + ys.min()), int(x + xs.max() + 1), int(y + ys.max() + 1))
        if box.height < max(3, char_h // 4) and box.width < char_h // 2:
            continue  # a dot of noise, not a character (a lone 、or . is kept with its neighbours)
        out.append(box)
    return _attach_small(_join_lines(_join_lines(out, vrules, text), vrules, text), char_h, gap, vrules)


def _join_lines(boxes: list[Box], vrules: list[Box], ink: np.ndarray | None = None) -> list[Box]:
    """Pieces on one line closer than about a character of their own height are one segment (a
    large title's quotes and 三 sit further apart than the page's usual characters); a piece
    ending in a small mark low in the line (the 、 of 四、上级补助收入, printed in the left of its
    full-width advance) reaches a further `PUNCT_ADVANCE` of its height."""
    parent = list(range(len(boxes)))
    reach = [PUNCT_ADVANCE * b.height if ink is not None and _ends_low(ink, b) else 0.0 for b in boxes]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
            if overlap < 0.6 * min(a.height, b.height):
                continue
            left = i if a.x0 <= b.x0 else j
            if max(b.x0 - a.x1, a.x0 - b.x1) > 0.9 * max(a.height, b.height) + reach[left] or _rule_between(
                a, b, vrules
            ):
                continue
            parent[find(i)] = find(j)
    groups: dict[int, list[Box]] = {}
    for i, b in enumerate(boxes):
        groups.setdefault(find(i), []).append(b)
    return [
        Box(min(b.x0 for b in g), min(b.top for b in g), max(b.x1 for b in g), max(b.bottom for b in g))
        for g in groups.values()
    ]


def _ends_low(ink: np.ndarray, box: Box) -> bool:
    """The box's last run of inked columns is a punctuation mark: narrow (`MARK_WIDTH` of the
    box's height at most), its ink below `MARK_LOW` of the height."""
    sub = ink[box.top : box.bottom, box.x0 : box.x1]
    cols = sub.any(axis=0)
    blank = np.flatnonzero(~cols)
    start = int(blank[-1]) + 1 if len(blank) else 0  # where the last inked run begins
    if start == 0 and box.width <= ORDINAL_WIDTH * box.height:  # 四、 printed touching: the low tail
        high = np.flatnonzero(sub[: int(MARK_LOW * box.height)].any(axis=0))
        start = int(high[-1]) + 1 if len(high) and box.width - high[-1] > 2 else 0
    if start == 0 or box.width - start > MARK_WIDTH * box.height:
        return False
    rows = np.flatnonzero(sub[:, start:].any(axis=1))
    return bool(rows[0] >= MARK_LOW * box.height)


PUNCT_ADVANCE = 1.0  # the white a full-width punctuation mark leaves after its ink, in line heights
MARK_WIDTH = 0.4  # a punctuation mark (、，。) is at most this share of its line's height wide
MARK_LOW = 0.45  # ... and its ink starts below this share of the line's height
ORDINAL_WIDTH = 1.6  # a piece this many heights wide at most is one character and the mark it touches


def _attach_small(boxes: list[Box], char_h: int, gap: int, vrules: list[Box]) -> list[Box]:
    """Short pieces (the strokes of 一 二 三, quotes, 、) join the segment beside them on the same
    line: the one whose height band holds the piece's centre, within a character's gap."""
    boxes = sorted(boxes, key=lambda b: (b.top, b.x0))
    changed = True
    while changed:
        changed = False
        for i, a in enumerate(boxes):
            if a.height >= 0.7 * char_h:
                continue
            ac = (a.top + a.bottom) / 2
            best = None
            for j, b in enumerate(boxes):
                if j == i or b.height <= a.height:
                    continue
                band = b.height * 0.25
                if not (b.top - band <= ac <= b.bottom + band):
                    continue
                dist = max(b.x0 - a.x1, a.x0 - b.x1, 0)
                if dist > gap * 1.5 or _rule_between(a, b, vrules):
                    continue
                if best is None or dist < best[0]:
                    best = (dist, j)
            if best is not None:
                b = boxes[best[1]]
                merged = Box(min(a.x0, b.x0), min(a.top, b.top), max(a.x1, b.x1), max(a.bottom, b.bottom))
                boxes = [x for k, x in enumerate(boxes) if k not in (i, best[1])] + [merged]
                changed = True
                break
    return boxes


def _rule_between(a: Box, b: Box, vrules: list[Box]) -> bool:
    left, right = (a, b) if a.x0 <= b.x0 else (b, a)
    top, bottom = min(a.top, b.top), max(a.bottom, b.bottom)
    return any(left.x1 <= r.x0 <= right.x0 and r.top <= bottom and r.bottom >= top for r in vrules)
