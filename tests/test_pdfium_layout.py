"""The pdfium layout stage (the default) reads what the pdfminer stage reads (issue #15.1).

Equivalence: on the generator's corpora, the shared fixture and every real PDF, the two stages
yield the same line items, facts and issues. Unit tests pin the geometry pdfium must give in
pdfminer's terms: characters pdfium makes up, rotated pages, MediaBox offsets, rectangles and
lines, light fills, text under a form's matrix, glyphs without Unicode.
"""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pytest

from extractors.layout import PageSpace, read_page
from extractors.pdf import LAYOUTS, default_layout, extract_pdf
from extractors.pdfium_layout import PdfiumDocument
from tests.conftest import shared_path
from yujuesuan.samples.fuzz import assemble, objects_of, pages_pdf, text_op, unmapped_fonts
from yujuesuan.samples.generator import Layout, generate


def _items(ex) -> list[tuple]:
    return [
        (
            i.table_code, i.table_family, i.page, i.section, i.code, i.line_no, i.row_label, i.column,
            i.value, i.printed, i.row_index, i.panel, i.currency_unit, i.engine,
        )
        for i in ex.items
    ]


def _same(data: bytes, name: str) -> None:
    a = extract_pdf(data, name, layout="pdfium")
    b = extract_pdf(data, name, layout="pdfminer")
    assert _items(a) == _items(b), name
    assert [(f.metric, f.value, f.page) for f in a.facts] == [(f.metric, f.value, f.page) for f in b.facts], name
    assert sorted(i.check_id for i in a.issues) == sorted(i.check_id for i in b.issues), name
    assert (a.document.status, a.document.kind, a.document.year, a.document.unit_name) == (
        b.document.status, b.document.kind, b.document.year, b.document.unit_name,
    ), name


def _both(pdf: bytes, number: int = 0):
    """Page `number` of `pdf` through both layout stages."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[number]
        miner = read_page(page, number + 1)
        reader = PdfiumDocument(pdf)
        try:
            fast = reader.page(number, PageSpace.of(page))
        finally:
            reader.close()
    return miner, fast


def _chars(layout) -> list[tuple]:
    return [(c.text, round(c.x0, 1), round(c.x1, 1), round(c.top, 1), round(c.bottom, 1), round(c.size, 1))
            for c in layout.chars]


def _rules(layout) -> list[tuple]:
    return sorted((r.orientation, round(r.x0, 1), round(r.x1, 1), round(r.top, 1), round(r.bottom, 1))
                  for r in layout.rules)


def test_pdfium_is_the_default_and_pdfminer_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YUJUESUAN_LAYOUT", raising=False)
    assert default_layout() == "pdfium" and LAYOUTS == ("pdfium", "pdfminer")
    monkeypatch.setenv("YUJUESUAN_LAYOUT", "pdfminer")
    assert default_layout() == "pdfminer"
    with pytest.raises(ValueError, match="layout stage"):
        extract_pdf(b"%PDF-1.4", "x.pdf", layout="poppler")


def test_characters_and_rules_as_pdfminer_reads_them() -> None:
    content = (
        text_op(50, 700, "一般公共服务支出 1,234.56")
        + b"BT /F1 9 Tf 60 650 Td (Total 12.00) Tj ET\n"
        + b"0 0 0 RG 0.5 w 40 690 m 560 690 l S\n"  # a line
        + b"40 600 520 80 re S\n"  # a stroked box: four rules
        + b"0 g 40 580 520 0.8 re f\n"  # a thin black bar: a rule
        + b"0.95 g 40 500 520 1 re f\n"  # a light bar: a cell's background, no rule
        + b"0 g 40 400 m 100 450 l 160 400 l 40 400 l f\n"  # a triangle: a curve, no rule
        + b"1 0 0 1 10 20 cm 0 G 300 300 m 300 360 l S\n"  # under a matrix
    )
    miner, fast = _both(pages_pdf([content]))
    assert _chars(fast) == _chars(miner) and len(fast.chars) == len("一般公共服务支出1,234.56Total12.00")
    assert _rules(fast) == _rules(miner) and len(fast.rules) == 7
    assert (fast.width, fast.height, fast.rotation, fast.images) == (miner.width, miner.height, 0, 0)


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_rotated_pages_as_pdfminer_turns_them(rotate: int) -> None:
    content = text_op(50, 700, "支出合计 12.00") + b"0 G 1 w 40 690 m 560 690 l S 40 100 m 40 700 l S\n"
    pdf = pages_pdf([content])
    objects, root = objects_of(pdf)
    objects[100] = objects[100].replace(b"/MediaBox", b"/Rotate %d /MediaBox" % rotate)  # the first page
    miner, fast = _both(assemble(objects, root))
    assert fast.rotation == miner.rotation == rotate
    assert (fast.width, fast.height) == (miner.width, miner.height) == ((595, 842) if rotate == 180 else (842, 595))
    assert _chars(fast) == _chars(miner)
    assert _rules(fast) == _rules(miner)


def test_a_mediabox_offset_is_kept_as_pdfplumber_keeps_it() -> None:
    content = text_op(150, 800, "单位：万元") + b"0 G 1 w 140 790 m 500 790 l S\n"
    miner, fast = _both(pages_pdf([content], media_box=b"[100 50 695 892]"))
    assert _chars(fast) == _chars(miner) and fast.chars
    assert _rules(fast) == _rules(miner) and fast.rules


def test_text_in_a_form_xobject_under_its_matrix() -> None:
    leaf = text_op(50, 400, "项目支出 88.00") + b"0 G 1 w 40 390 m 300 390 l S\n"
    pdf = pages_pdf([b"q 0.5 0 0 0.5 100 100 cm /X Do Q\n"], xobjects=b"/X 10 0 R")
    objects, root = objects_of(pdf)
    objects[10] = (
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Matrix [1 0 0 1 5 5] "
        b"/Resources << /Font << /F2 4 0 R >> >> /Length %d >>\nstream\n" % len(leaf) + leaf + b"\nendstream"
    )
    miner, fast = _both(assemble(objects, root))
    assert _chars(fast) == _chars(miner) and fast.chars
    assert _rules(fast) == _rules(miner) and fast.rules


def test_glyphs_without_unicode_read_as_unmapped() -> None:
    gen = generate(3, Layout(rules="grid"))
    ex = extract_pdf(unmapped_fonts(gen.pdf), "unmapped.pdf", layout="pdfium")
    ref = extract_pdf(unmapped_fonts(gen.pdf), "unmapped.pdf", layout="pdfminer")
    assert [i.check_id for i in ex.issues if i.severity == "error"] == [
        i.check_id for i in ref.issues if i.severity == "error"
    ]
    assert ex.document.status == ref.document.status


def test_pdfium_cannot_open_it_then_pdfminer_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import extractors.pdf as pdf

    def refuse(data: bytes) -> PdfiumDocument:
        raise RuntimeError("pdfium says no")

    monkeypatch.setattr(pdf, "PdfiumDocument", refuse)
    gen = generate(5, Layout(rules="horizontal"))
    ex = extract_pdf(gen.pdf, "g.pdf", layout="pdfium")
    assert {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items} == {
        e.key() for e in gen.expected
    }


GENERATED = [
    Layout(currency=cur, split_codes=split, rules=rules, rows_per_page=rows)
    for cur in ("万元", "元")
    for split in (False, True)
    for rules in ("grid", "horizontal", "none")
    for rows in (40, 5)
] + [Layout(currency=c, sangong=True, column_numbers=n) for c in ("万元", "元") for n in (False, True)]


@pytest.mark.parametrize("n", range(len(GENERATED)))
def test_same_line_items_on_the_generated_corpus(n: int) -> None:
    _same(generate(200 + n, GENERATED[n]).pdf, f"generated-{n}.pdf")


def test_same_line_items_on_the_bench_corpus(tmp_path: Path) -> None:
    from yujuesuan.samples.bench import write_corpus

    for path in write_corpus(tmp_path):
        if path.suffix == ".pdf":
            _same(path.read_bytes(), path.name)


def test_same_line_items_on_the_fixture() -> None:
    path = shared_path("fixtures", "mengzhou-2024-office.pdf")
    _same(path.read_bytes(), path.name)


def _real() -> list[str]:
    from tests.conftest import SHARED

    folder = SHARED / "real" / "docs"
    return sorted(p.name for p in folder.glob("*.pdf")) if folder.exists() else ["(absent)"]


@pytest.mark.parametrize("name", _real())
def test_same_line_items_on_every_real_pdf(name: str) -> None:
    path = shared_path("real", "docs", name)
    _same(path.read_bytes(), name)
