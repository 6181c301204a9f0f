"""The layout and grid stages' fast paths (issue #15): each gives what its plain definition gives.

Speed itself is measured by scripts/benchmark.py (a report, not a test); these tests pin that the
shortcuts change nothing: a character built without the dataclass's __init__, the column lookup
by bisection, the line grouping with each centre computed once, the page text joined once, and
the page-object walk that skips text objects.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import pypdfium2
import pytest

from extractors.grid import _col_of
from extractors.layout import Char, PageLayout, group_lines
from extractors.pdfium_layout import _IMAGE, _PATH, _handle, _new_char, _objects, _Scratch

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def test_new_char_is_the_dataclass_char() -> None:
    fast, plain = _new_char("预", 1.0, 2.5, 3.0, 4.25, 1.25), Char("预", 1.0, 2.5, 3.0, 4.25, 1.25)
    assert type(fast) is Char and fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert (fast.xc, fast.yc) == (plain.xc, plain.yc)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.x0 = 0.0  # type: ignore[misc]


def _col_of_plain(x: float, xs: list[float]) -> int:
    for i, (a, b) in enumerate(zip(xs, xs[1:], strict=False)):
        if a <= x < b:
            return i
    return len(xs) - 2 if x >= xs[-1] else 0


def test_col_of_is_the_linear_scan() -> None:
    rng = random.Random(15)
    for _ in range(2000):
        xs = sorted(round(rng.uniform(0, 100), rng.choice((0, 1))) for _ in range(rng.randint(1, 8)))
        for x in [*xs, xs[0] - 1, xs[-1] + 1, rng.uniform(-10, 110)]:
            assert _col_of(x, xs) == _col_of_plain(x, xs), (x, xs)


def _group_lines_plain(chars: list[Char], tolerance: float = 2.5) -> list[list[Char]]:
    rows: list[list[Char]] = []
    centres: list[float] = []
    for ch in sorted(chars, key=lambda c: (c.yc, c.x0)):
        if rows and abs(ch.yc - centres[-1]) <= tolerance:
            rows[-1].append(ch)
            centres[-1] += (ch.yc - centres[-1]) / len(rows[-1])
        else:
            rows.append([ch])
            centres.append(ch.yc)
    return [sorted(r, key=lambda c: c.x0) for r in rows]


def test_group_lines_is_the_plain_grouping() -> None:
    rng = random.Random(15)
    for _ in range(300):
        chars = []
        for _ in range(rng.randint(0, 40)):
            x, y = rng.choice((10.0, 20.0, rng.uniform(0, 200))), rng.choice((100.0, 101.5, rng.uniform(90, 130)))
            chars.append(Char(rng.choice("一二三12"), x, x + 5, y, y + 8, 8))
        assert [[id(c) for c in ln] for ln in group_lines(chars)] == [
            [id(c) for c in ln] for ln in _group_lines_plain(chars)
        ]


def test_page_text_is_joined_once() -> None:
    page = PageLayout(1, 100, 100, [Char("预", 10, 20, 10, 20, 10), Char("算", 20, 30, 10, 20, 10)])
    first = page.text()
    assert first == "预算" and page.text() is first


def test_object_walk_gives_only_paths_and_images() -> None:
    pdf = pypdfium2.PdfDocument((SAMPLES / "sample-01-万元-grid.pdf").read_bytes())
    kinds = []
    try:
        for page in pdf:
            kinds += [kind for _, kind, _ in _objects(_handle(page.raw), _Scratch.new())]
            page.close()
    finally:
        pdf.close()
    assert kinds and set(kinds) <= {_PATH, _IMAGE}


def test_a_lines_segments_are_split_once_per_gap() -> None:
    from extractors.layout import TextLine

    line = TextLine([Char("合", 0, 10, 0, 10, 10), Char("计", 10, 20, 0, 10, 10), Char("1", 40, 45, 0, 10, 10)])
    first = line.segments()
    assert first == ["合计", "1"] and line.segments() is first
    assert line.segments(30.0) == ["合计1"] and line.segments() is first
