"""Scanned pages → the page layout the table engine reads (chars with confidence, ruling lines).

A page image is straightened (`raster`: sideways pages turned, skew removed, upside-down pages
found by the text-direction classifier), its ruling lines become the layout's rules and its text
segments are read by the PP-OCR recogniser that ships inside the `rapidocr` wheel (onnxruntime,
on the CPU; the models are loaded from the installed package, never downloaded). Each character
becomes an `OcrChar`, placed where the recogniser saw it in its segment and carrying its
confidence, so the same locate → grid → cells → reading stages read scans as they read PDFs.

onnxruntime and the models are imported on the first scanned page only: text documents pay
nothing for OCR.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from extractors import raster
from extractors.layout import Char, PageLayout, Rule
from extractors.raster import Box
from extractors.text import normalise

MIN_SCORE = 0.5  # segments read with less mean confidence are noise, not text
SAMPLE = 8  # widest segments read to tell which way up a page is
MODELS = ("PP-OCRv6_det_small.onnx", "PP-OCRv6_rec_small.onnx", "ch_ppocr_mobile_v2.0_cls_mobile.onnx")
UPRIGHT = 0.9  # the widest segments read this well: the page is upright, other turns are not tried
TURNS = (90, 270, 180)


@dataclass(frozen=True)
class OcrChar(Char):
    """A character read by OCR: its box on the page (pt) and the recogniser's confidence (0–1)."""

    confidence: float = 1.0
    repaired: bool = False  # the reader changed what the recogniser read (a separator, a look-alike digit)


@dataclass
class OcrPage:
    layout: PageLayout
    rotation: int  # quarter turns applied to make the page upright (degrees, counter-clockwise)
    skew: float  # degrees of skew removed
    seconds: float = 0.0
    segments: int = 0  # text segments read
    grey: np.ndarray | None = None  # the straightened page image


class OcrUnavailable(RuntimeError):
    """The OCR package (rapidocr + onnxruntime) is not installed or its models are missing."""


class Recogniser:
    """rapidocr's recogniser and direction classifier, loaded from the installed wheel."""

    def __init__(self) -> None:
        try:
            import rapidocr
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise OcrUnavailable(f"OCR needs the rapidocr and onnxruntime packages ({exc})") from exc
        root = Path(rapidocr.__file__).parent / "models"
        paths = [root / name for name in MODELS]
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            raise OcrUnavailable(f"the rapidocr wheel lacks its models {missing}; reinstall rapidocr")
        engine = RapidOCR(
            params={
                "Global.log_level": "error",
                "Global.model_root_dir": str(root),
                "Det.model_path": str(paths[0]),
                "Rec.model_path": str(paths[1]),
                "Cls.model_path": str(paths[2]),
                "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        self.rec = engine._load_rec_model()
        self.characters: list[str] = list(self.rec.postprocess_op.character)

    def read(self, crops: list[np.ndarray]) -> list[list[tuple[str, float, float]]]:
        """Per crop, its characters as (text, centre as a share of the crop's width, confidence)."""
        out: list[list[tuple[str, float, float]]] = [[] for _ in crops]
        if not crops:
            return out
        _, height, width = self.rec.rec_image_shape
        ratios = [c.shape[1] / c.shape[0] for c in crops]
        order = np.argsort(ratios)
        batch = self.rec.rec_batch_num
        for start in range(0, len(crops), batch):
            idx = order[start : start + batch]
            # never narrower than the recogniser's usual input: narrower, short figures lose separators
            max_ratio = max(width / height, *(ratios[i] for i in idx))
            tensor = np.concatenate([self.rec.resize_norm_img(_bgr(crops[i]), max_ratio)[None] for i in idx])
            preds = self.rec.session(tensor.astype(np.float32))
            padded = int(height * max_ratio)
            for k, i in enumerate(idx):
                used = min(padded, math.ceil(height * ratios[i])) / padded  # share of the padded width
                out[i] = self._decode(preds[k], used)
        return out

    def _decode(self, pred: np.ndarray, used: float) -> list[tuple[str, float, float]]:
        tokens = pred.argmax(axis=1)
        probs = pred.max(axis=1)
        steps = len(tokens)
        chars = []
        for t, tok in enumerate(tokens):
            if tok == 0 or (t and tokens[t - 1] == tok):
                continue  # CTC blank or repeat
            centre = min(1.0, (t + 0.5) / steps / used)
            chars.append((self.characters[tok], centre, float(probs[t])))
        return chars


_lock = threading.Lock()
_recogniser: Recogniser | None = None


def recogniser() -> Recogniser:
    """The one recogniser of this process (models load once, on first use)."""
    global _recogniser
    with _lock:
        if _recogniser is None:
            _recogniser = Recogniser()
        return _recogniser


def _bgr(grey: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)


@dataclass
class _Straight:
    grey: np.ndarray
    clean: np.ndarray  # ruling lines painted out
    text: np.ndarray  # ink of the text alone (1), ruling lines removed
    hrules: list[Box]
    vrules: list[Box]
    segments: list[Box]


def _analyse(grey: np.ndarray) -> _Straight:
    """The page's rules and text segments, found on its ink despeckled; the segments are read on
    the page as it is (`grey`, already despeckled before it was turned level), its rules painted
    out: despeckled again once turned, a decimal point thinned by the turn's interpolation to a
    pixel or two below the ink threshold is taken for a speck and erased."""
    ink = raster.binarise(raster.despeckle(grey), despeckled=True)
    clean = grey.copy()
    hmask, vmask = raster.rule_masks(ink)
    hrules = raster.rules_of(hmask, True)
    vrules = raster.rules_of(vmask, False)
    char_h = raster.char_height(ink & ~(hmask | vmask))
    vrules = [r for r in vrules if r.height >= 3 * char_h or raster.meets(r, hrules)]
    segments = raster.text_segments(ink, vrules, hrules)
    painted = cv2.dilate((hmask | vmask).astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    clean[painted] = 255
    return _Straight(grey, clean, ink & ~painted.astype(np.uint8), hrules, vrules, segments)


Reads = dict[int, list[tuple[str, float, float]]]  # segment index → what the recogniser read in it


def _sample(page: _Straight, rec: Recogniser) -> tuple[float, Reads]:
    """How well the page's widest text segments read as it lies (mean character confidence), and
    those reads (kept: they are not read again)."""
    widest = [k for k in sorted(range(len(page.segments)), key=lambda k: -page.segments[k].width)
              if page.segments[k].width > 2 * page.segments[k].height][:SAMPLE]
    reads = dict(zip(widest, rec.read([_crop(page.clean, page.segments[k]) for k in widest]), strict=True))
    probs = [p for read in reads.values() for _, _, p in read]
    return (sum(probs) / len(probs) if probs else 0.0), reads


def _upright(grey: np.ndarray, rec: Recogniser) -> tuple[_Straight, int, Reads]:
    """The page turned the way its text reads best, analysed, with the segments read so far: as it
    lies unless its text reads poorly, else whichever quarter turn reads best (scanned sideways or
    upside down)."""
    page = _analyse(grey)
    score, reads = _sample(page, rec)
    if score >= UPRIGHT:
        return page, 0, reads
    best = (score, 0, page, reads)
    for turn in TURNS:
        turned = _analyse(raster.rotate(grey, turn))
        s, r = _sample(turned, rec)
        if s > best[0]:
            best = (s, turn, turned, r)
        if s >= UPRIGHT:
            break
    return best[2], best[1], best[3]


def _crop(img: np.ndarray, box: Box) -> np.ndarray:
    pad = max(2, box.height // 4)
    h, w = img.shape
    crop = img[max(0, box.top - pad) : min(h, box.bottom + pad), max(0, box.x0 - pad) : min(w, box.x1 + pad)]
    return crop


def ocr_image(grey: np.ndarray, number: int, dpi: float) -> OcrPage:
    """One page image (greyscale, `dpi` pixels per inch) as a PageLayout in PDF points."""
    import time

    started = time.perf_counter()
    rec = recogniser()
    grey, skew = _deskew(grey)
    page, rotation, known = _upright(grey, rec)
    if rotation in (90, 270):  # the skew of a sideways page is measured once it is upright
        grey, skew = _deskew(page.grey)
        if skew:
            page, known = _analyse(grey), {}
    scale = 72.0 / dpi
    todo = [k for k in range(len(page.segments)) if k not in known]
    reads = {**known, **dict(zip(todo, rec.read([_crop(page.clean, page.segments[k]) for k in todo]), strict=True))}
    chars: list[Char] = []
    for k, box in enumerate(page.segments):
        read = reads[k]
        inked = np.asarray(page.text[box.top : box.bottom, box.x0 : box.x1].any(axis=0))  # a column mask
        chars += _chars(box, read, scale, inked)
    rules = [
        Rule("h", r.x0 * scale, r.x1 * scale, _mid(r.top, r.bottom) * scale, _mid(r.top, r.bottom) * scale)
        for r in page.hrules
    ]
    rules += [
        Rule("v", _mid(r.x0, r.x1) * scale, _mid(r.x0, r.x1) * scale, r.top * scale, r.bottom * scale)
        for r in page.vrules
    ]
    h, w = page.grey.shape
    layout = PageLayout(number, w * scale, h * scale, chars, rules, images=1)
    return OcrPage(layout, rotation, skew, time.perf_counter() - started, len(page.segments), page.grey)


def _deskew(grey: np.ndarray) -> tuple[np.ndarray, float]:
    """The page despeckled, then turned level: turned first, each speck of one pixel would be
    smeared by the interpolation into a blot too large to tell from a decimal point."""
    clean = raster.despeckle(grey)
    skew = raster.skew_angle(raster.binarise(clean, despeckled=True))
    return (raster.rotate(clean, skew) if skew else clean), skew


def _mid(a: int, b: int) -> float:
    return (a + b - 1) / 2


def _chars(box: Box, read: list[tuple[str, float, float]], scale: float, inked: np.ndarray) -> list[Char]:
    """A segment's characters, each where the recogniser saw it: the ink between the midpoints to
    its neighbours (so the white gaps between words and columns stay white)."""
    raw = [(normalise(t), c, p) for t, c, p in read if normalise(t).strip()]
    read = _fix_figure(_lookalikes(raw))  # the same characters, some put right; trailing separators dropped
    if not read or sum(p for _, _, p in read) / len(read) < MIN_SCORE:
        return []
    pad = max(2, box.height // 4)
    left, width = box.x0 - pad, box.width + 2 * pad
    centres = [min(max(left + c * width - box.x0, 0), box.width - 1) for _, c, _ in read]
    edges = [0.0] + [(a + b) / 2 for a, b in zip(centres, centres[1:], strict=False)] + [float(box.width)]
    top, bottom = box.top * scale, box.bottom * scale
    out: list[Char] = []
    for k, (text, _, prob) in enumerate(read):
        a, b = int(edges[k]), max(int(edges[k + 1]), int(edges[k]) + 1)
        cols = np.nonzero(inked[a:b])[0]
        x0, x1 = (a + cols[0], a + cols[-1] + 1) if len(cols) else (centres[k] - 0.5, centres[k] + 0.5)
        x0p, x1p = (box.x0 + x0) * scale, (box.x0 + x1) * scale
        out.append(OcrChar(text, x0p, x1p, top, bottom, bottom - top, round(prob, 4), text != raw[k][0]))
    return _close_figures(_close_brackets(out), bottom - top)


OPENING, CLOSING = "([【〔", ")]】〕"


def _close_brackets(chars: list[Char]) -> list[Char]:
    """A bracket inside a segment takes the white of its full-width advance, as a text layer's
    advance does: （ the white on its left, up to the character before it, ） the white on its
    right, up to the one after. Ink-tight, 因公出国(境)费 falls apart at its brackets into header
    words of their own (or is cut there by a column boundary). A segment's first and last
    characters (a negative figure's brackets) have no neighbour in it and are left as they are."""
    out = list(chars)
    for k in range(1, len(out) - 1):
        c = out[k]
        if c.text in OPENING and out[k - 1].x1 < c.x0:
            out[k] = replace(c, x0=out[k - 1].x1)
        elif c.text in CLOSING and c.x1 < out[k + 1].x0:
            out[k] = replace(c, x1=out[k + 1].x0)
    return out


def _close_figures(chars: list[Char], height: float) -> list[Char]:
    """Neighbouring characters of a figure meet, as a text layer's advances do: white narrower than
    `FIGURE_GAP` of the line's height between two digits or a digit and a separator is shared out
    between them. Ink-tight boxes would leave a monospaced figure's decimal point (and the white
    between its digits) as gaps that split it into two figures or columns ("8.5" "3")."""
    out = list(chars)
    for k in range(len(out) - 1):
        a, b = out[k], out[k + 1]
        if not (_figure_char(a.text) and _figure_char(b.text)) or not 0 < b.x0 - a.x1 < FIGURE_GAP * height:
            continue
        if a.text.isdigit() and b.text.isdigit():
            mid = (a.x1 + b.x0) / 2
            out[k], out[k + 1] = replace(a, x1=mid), replace(b, x0=mid)
        elif a.text.isdigit():  # the separator takes the white beside it
            out[k + 1] = replace(b, x0=a.x1)
        else:
            out[k] = replace(a, x1=b.x0)
    return out


def _figure_char(text: str) -> bool:
    return text.isdigit() or text in ".,"


FIGURE_GAP = 0.8


LOOKALIKES = {"拔款": "拨款", "部市": "部门"}  # misreads of the budget vocabulary that are no word


def _lookalikes(read: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """Look-alike characters the recogniser confuses, put right where the pair it read is no word
    but the pair of the budget vocabulary is (拔款 → 拨款): the table engine matches headers and
    the unit line by their words."""
    out = list(read)
    for k in range(len(out) - 1):
        fixed = LOOKALIKES.get(out[k][0] + out[k + 1][0])
        if fixed:
            out[k] = (fixed[0], out[k][1], out[k][2])
            out[k + 1] = (fixed[1], out[k + 1][1], out[k + 1][2])
    return out


SEPARATORS = set(".,:;'·")
DIGITS = {"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8", "Z": "2"}  # look-alikes


def _fix_figure(read: list[tuple[str, float, float]]) -> list[tuple[str, float, float]]:
    """A segment that is one figure gets its separators right: the recogniser often reads the
    decimal point as : and a thousands comma as ; or '. The separator before the last group of
    two digits is the decimal point, the others are commas; a trailing separator is dropped; and a
    CJK ordinal's 、 read as 。 or , is put back."""
    text = "".join(t for t, _, _ in read)
    if len(read) >= 2 and text[0] in ORDINALS and text[1] in "。,.，":
        read = [read[0], ("、", read[1][1], read[1][2]), *read[2:]]
        return read
    body = text.lstrip("-")
    if not body or not body[0].isdigit() or any(not (ch.isdigit() or ch in SEPARATORS or ch in DIGITS) for ch in body):
        return read
    read = [(DIGITS.get(t, t), c, p) for t, c, p in read]  # a letter among digits is the digit it looks like
    while read and read[-1][0] in SEPARATORS:
        read = read[:-1]
    text = "".join(t for t, _, _ in read)
    seps = [i for i, ch in enumerate(text) if ch in SEPARATORS]
    if not seps:
        return read
    decimal = seps[-1] if len(text) - seps[-1] - 1 == 2 else None
    out = []
    for i, (t, c, p) in enumerate(read):
        if i in seps:
            t = "." if i == decimal else ","
        out.append((t, c, p))
    return out


ORDINALS = "一二三四五六七八九十"
