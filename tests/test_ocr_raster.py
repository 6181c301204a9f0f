"""Image handling for OCR (no model): straightening and ruling lines on synthetic scans."""

from __future__ import annotations

import numpy as np
import pytest

from extractors import raster
from extractors.ocr import _fix_figure
from yujuesuan.samples.generator import Layout, generate
from yujuesuan.samples.scans import Scan, scan_images


@pytest.fixture(scope="module")
def table_page() -> np.ndarray:
    return scan_images(generate(5, Layout(currency="元", rules="grid")).pdf, Scan(pages=(4,), skew=0, noise=0))[0]


@pytest.mark.parametrize("angle", [-2.0, -0.8, 1.5])
def test_skew_is_measured(table_page: np.ndarray, angle: float) -> None:
    skewed = raster.rotate(table_page, angle)
    assert raster.skew_angle(raster.binarise(skewed)) == pytest.approx(-angle, abs=0.15)


def test_ruling_lines_of_a_grid(table_page: np.ndarray) -> None:
    ink = raster.binarise(table_page)
    hmask, vmask = raster.rule_masks(ink)
    hrules, vrules = raster.rules_of(hmask, True), raster.rules_of(vmask, False)
    # table 02 of the generator: 1 code + 1 name + 3 figure columns -> 6 vertical rules
    long_v = [r for r in vrules if r.height > 200]
    assert len(long_v) == 6
    assert len([r for r in hrules if r.width > 800]) >= 10


def test_text_segments_never_cross_a_vertical_rule(table_page: np.ndarray) -> None:
    ink = raster.binarise(table_page)
    hmask, vmask = raster.rule_masks(ink)
    vrules = [r for r in raster.rules_of(vmask, False) if r.height > 200]
    segments = raster.text_segments(ink, vrules, raster.rules_of(hmask, True))
    assert segments
    for s in segments:
        assert not any(s.x0 < r.x0 < s.x1 - 1 and r.top <= s.top <= r.bottom for r in vrules)


def _read(text: str) -> list[tuple[str, float, float]]:
    return [(ch, k / len(text), 0.9) for k, ch in enumerate(text)]


@pytest.mark.parametrize(
    "seen, fixed",
    [
        ("24,150;470.11", "24,150,470.11"),
        ("8,575,156:25", "8,575,156.25"),
        ("4,490,719.22.", "4,490,719.22"),
        ("0:00", "0.00"),
        ("1,234", "1,234"),
        ("八。其他收入", "八、其他收入"),
        ("财政拨款收入", "财政拨款收入"),
    ],
)
def test_figure_separators_are_put_right(seen: str, fixed: str) -> None:
    assert "".join(t for t, _, _ in _fix_figure(_read(seen))) == fixed


def test_undecodable_image_is_an_error() -> None:
    with pytest.raises(raster.ImageError):
        raster.decode_images(b"\x89PNG\r\n\x1a\n not really")


def test_characters_of_a_figure_meet() -> None:
    """A decimal point printed in a full-width advance (monospaced figures) leaves white on both
    sides of its ink, and so do the digits: the boxes meet, so the figure stays one word ("8.53",
    not "8." "53" or "8.5" "3"); a wide white (another figure) stays white."""
    from extractors.ocr import _chars

    box = raster.Box(0, 0, 100, 20)
    pad = max(2, box.height // 4)

    def read(ink: list[tuple[int, int]], seen: list[tuple[str, int]]) -> list:
        inked = np.zeros(100, dtype=bool)
        for a, b in ink:
            inked[a:b] = True
        return _chars(box, [(t, (x + pad) / (box.width + 2 * pad), 0.99) for t, x in seen], 1.0, inked)

    chars = read([(5, 15), (27, 30), (45, 55), (60, 70)], [("8", 10), (".", 28), ("5", 50), ("3", 65)])
    assert "".join(c.text for c in chars) == "8.53"
    assert [c.x0 - p.x1 for p, c in zip(chars, chars[1:], strict=False)] == [0, 0, 0]
    apart = read([(5, 15), (18, 28), (48, 58)], [("1", 10), ("2", 23), ("7", 53)])  # "12" and "7"
    assert [c.x0 - p.x1 for p, c in zip(apart, apart[1:], strict=False)] == [0, 20]


@pytest.mark.parametrize(
    "seen, fixed", [("财政拔款收入", "财政拨款收入"), ("部市:示例县", "部门:示例县"), ("拔河", "拔河")]
)
def test_lookalikes_of_the_budget_vocabulary_are_put_right(seen: str, fixed: str) -> None:
    from extractors.ocr import _lookalikes

    assert "".join(t for t, _, _ in _lookalikes(_read(seen))) == fixed


@pytest.mark.parametrize("noise", [0.006, 0.01])
def test_speckle_of_a_skewed_scan_leaves_no_text_segments(noise: float) -> None:
    """Heavy scanner speckle (up to 1 % of the pixels) is removed before the page is turned level:
    turned first, each one-pixel speck is smeared into a blot of several pixels that passes for a
    character (a 1 or a decimal point) and wrecks titles and figures. The straightened speckled
    page has about the text segments of the clean one."""
    from extractors import ocr

    pdf = generate(5, Layout(currency="元", rules="grid")).pdf

    def segments(noise: float) -> int:
        grey, skew = ocr._deskew(scan_images(pdf, Scan(dpi=150, pages=(4,), skew=1.5, noise=noise, seed=3))[0])
        assert skew == pytest.approx(1.5, abs=0.15)  # page 4 is turned by -1.5°
        return len(ocr._analyse(grey).segments)

    clean = segments(0)
    assert clean * 0.97 <= segments(noise) <= clean * 1.03


def test_ordinal_and_its_label_are_one_segment() -> None:
    """四、上级补助收入: the 、 is printed in the left of its full-width advance, so the white after
    it is about a character wide; the ordinal, its 、 and the label are one segment (read apart,
    "四、" loses its 、 and the label splits from its ordinal); two words a character and a
    half apart with no mark between them stay apart."""
    ink = np.zeros((60, 400), dtype=np.uint8)

    def glyph(x: int) -> None:
        ink[20:38, x : x + 16] = 1
        ink[24:34, x + 4 : x + 12] = 0  # a hollow square, as 口

    glyph(10)
    ink[32:37, 28:32] = 1  # the 、, low in the line
    glyph(51)  # 19 px (a character and then some) after the 、
    glyph(69)
    glyph(200)
    glyph(245)  # 29 px after the last: no mark, another word
    segments = sorted(raster.text_segments(ink, [], []), key=lambda b: b.x0)
    assert [(b.x0, b.x1) for b in segments] == [(10, 85), (200, 216), (245, 261)]


def test_ordinal_touching_its_mark_and_its_label_are_one_segment() -> None:
    """Blurred at 150 dpi, the 、 of 四、 touches the ordinal's last stroke: the ink right of the
    ordinal's last column reaching up into the line is the mark, and the label still joins."""
    ink = np.zeros((60, 300), dtype=np.uint8)
    ink[20:38, 10:26] = 1
    ink[24:34, 14:22] = 0  # 口
    ink[31:37, 26:31] = 1  # the 、, touching its right stroke
    ink[20:38, 50:66] = 1  # 19 px after the 、
    ink[20:38, 68:84] = 1
    assert [(b.x0, b.x1) for b in raster.text_segments(ink, [], [])] == [(10, 84)]


def test_foot_of_a_line_of_figures_is_no_ruling_line() -> None:
    """Blur and heavy speckle bridge the flat feet of a line of figures (2 2 2 …) into one
    straight run as long as a narrow column's rule; painted out as a rule, it takes the decimal
    points and commas, which sit on that foot, with it. A run with ink along its side is no
    ruling line; a true rule (paper on both sides, text a few pixels clear of it) still is."""
    rng = np.random.default_rng(0)
    ink = np.zeros((80, 400), dtype=np.uint8)
    for x in range(40, 200, 9):  # "2"s 7 px wide, 2 px apart, their feet on row 40
        ink[30:41, x + 4 : x + 7] = 1  # the upright (a third of the width)
        ink[39:41, x : x + 7] = 1  # the foot
        ink[40, x + 7 : x + 9] = rng.random(2) < 0.7  # speckle in the gap, mostly bridging it
    ink[40, 40:200] |= ink[40, 41:201] & ink[40, 39:199]  # blur fills what is left
    ink[60:62, 20:380] = 1  # a ruling line
    for x in range(30, 330, 20):  # characters 16 px wide, above and below, three pixels clear of it
        ink[44:57, x : x + 16] = ink[65:78, x : x + 16] = 1
        ink[46:55, x + 2 : x + 14] = ink[67:76, x + 2 : x + 14] = 0
    hmask, vmask = raster.rule_masks(ink)
    rules = raster.rules_of(hmask, True)
    assert [(r.top, r.x0, r.x1) for r in rules] == [(60, 20, 380)]
    assert not vmask.any()


def test_decimal_point_thinned_by_the_deskew_is_read() -> None:
    """The page is despeckled before it is turned level; once turned, a decimal point thinned by
    the interpolation to two dark pixels must reach the recogniser (despeckled again, it was
    erased as a speck and 4,316.38 read as 4,31638)."""
    from extractors import ocr

    grey = np.full((60, 200), 255, dtype=np.uint8)
    for x in (20, 40, 60, 100, 120):  # digits, hollow as 0
        grey[20:38, x : x + 12] = 40
        grey[23:35, x + 3 : x + 9] = 255
    grey[36:38, 84:85] = 60  # the decimal point between 6 and 3: two pixels left of it
    clean = ocr._analyse(grey).clean
    assert (clean[36:38, 84] < 128).all()
