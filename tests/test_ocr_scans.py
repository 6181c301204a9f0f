"""Scanned PDFs and page images through OCR into the one table engine (rasterised generator pages,
built here; the real PNG pages where ../shared is present)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from decimal import Decimal

import pytest

from extractors.document import extract_document
from tests.conftest import REPO, shared_path
from yujuesuan.samples.generator import Layout, generate
from yujuesuan.samples.scans import Scan, scan_pdf, scan_png


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """OCR must never fetch anything (models ship inside the wheel)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("OCR tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def _keys(items) -> set[tuple]:
    return {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in items}


def _recall(gen, ex) -> float:
    want = {e.key() for e in gen.expected}
    return len(_keys(ex.items) & want) / len(want)


@pytest.mark.parametrize(
    "seed, layout",
    [
        (21, Layout(currency="万元", rules="grid")),
        (22, Layout(currency="元", split_codes=True, rules="horizontal", decimals=True)),
    ],
)
def test_scanned_pdf_reads_like_its_text_original(seed: int, layout: Layout) -> None:
    gen = generate(seed, layout)
    data = scan_pdf(gen.pdf, Scan(dpi=150, skew=1.5, noise=0.002, sideways=(4,), seed=seed, pages=(3, 4, 5)))
    ex = extract_document(data, "scan.pdf")
    assert ex.document.format == "pdf-scanned"
    assert _recall(gen, ex) >= 0.98
    assert all(i.ocr_confidence is not None and 0 < i.ocr_confidence <= 1 for i in ex.items)
    assert {i.engine for i in ex.items} == {"ocr"}
    turned = [i for i in ex.issues if i.check_id == "extract.ocr_straightened" and "turned 90°" in i.message]
    assert [i.locator for i in turned] == ["page 2"]


def test_png_page_is_an_image_document() -> None:
    gen = generate(23, Layout(currency="万元", rules="grid"))
    ex = extract_document(scan_png(gen.pdf, 3, Scan(dpi=160, skew=-1.0)), "page.png")
    assert ex.document.format == "image" and ex.document.pages == 1
    want = {e.key() for e in gen.expected if e.table_code == "01"}
    assert len(_keys(ex.items) & want) / len(want) >= 0.98


def test_upside_down_page_is_turned() -> None:
    gen = generate(24, Layout(currency="万元", rules="grid"))
    ex = extract_document(scan_png(gen.pdf, 3, Scan(dpi=150, skew=0.5, upside_down=(3,))), "page.png")
    want = {e.key() for e in gen.expected if e.table_code == "01"}
    assert len(_keys(ex.items) & want) / len(want) >= 0.98
    assert any("turned 180°" in i.message for i in ex.issues)


def test_partly_scanned_pdf_gets_ocr_on_the_pages_without_text() -> None:
    gen = generate(25, Layout(currency="万元", rules="grid"))
    data = scan_pdf(gen.pdf, Scan(dpi=150, skew=1.0, text_pages=(1, 2, 3, 5)))
    ex = extract_document(data, "mixed.pdf")
    assert ex.document.format == "pdf"
    assert _recall(gen, ex) >= 0.98
    by_page = {i.page: i.ocr_confidence is not None for i in ex.items}
    assert by_page == {3: False, 4: True, 5: False}
    assert [i.message for i in ex.issues if i.check_id == "extract.ocr_used"] == [
        "Page(s) [4] have no text layer and were read by OCR."
    ]


def test_misread_figure_is_flagged_on_its_cell() -> None:
    """A figure the recogniser is unsure of carries its confidence and an issue naming its cell."""
    from extractors.layout import PageLayout
    from extractors.ocr import OcrChar
    from extractors.pdf import Extraction
    from extractors.records import Document, LineItem, TableResult
    from extractors.scan import mark_confidence

    item = LineItem(
        "d",
        "02",
        "收入决算表",
        "income",
        "行政运行",
        "财政拨款收入",
        Decimal("1234"),
        "1,234",
        1,
        x0=10,
        top=10,
        x1=60,
        bottom=20,
    )
    chars = [
        OcrChar(t, 12 + 5 * k, 16 + 5 * k, 11, 19, 8, conf)
        for k, (t, conf) in enumerate([("1", 0.99), (",", 0.4), ("2", 0.99), ("3", 0.55), ("4", 0.98)])
    ]
    ex = Extraction(Document("d", "x.png", "image"))
    ex.tables.append(TableResult("02", "收入决算表", "income", [1], "元", "pdfplumber", items=[item]))
    mark_confidence(ex, {1: PageLayout(1, 100, 100, chars)})
    assert item.ocr_confidence == 0.55  # the weakest digit; separators are set from the figure's shape
    (issue,) = ex.issues
    assert issue.check_id == "extract.ocr_uncertain" and issue.table_code == "02"
    assert "行政运行 / 财政拨款收入" in issue.message and issue.actual == "1,234"


def test_text_documents_never_load_onnxruntime(tmp_path) -> None:
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(generate(26).pdf)
    code = (
        "import sys; from extractors.document import extract_document;"
        f"ex = extract_document(open({str(pdf)!r}, 'rb').read(), 'doc.pdf');"
        "assert ex.items; print(json.dumps(['onnxruntime' in sys.modules, 'rapidocr' in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", "import json;" + code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [False, False]


def _facts(ex) -> dict[str, list[Decimal]]:
    out: dict[str, list[Decimal]] = {}
    for f in ex.facts:
        out.setdefault(f.metric, []).append(f.value)
    return out


def _truth() -> dict[int, str]:
    path = shared_path("real", "groundtruth", "shiquan_unit26_pages.json")
    return {p["page"]: p["text"] for p in json.loads(path.read_text())}


def test_real_png_page_gives_its_sangong_figures() -> None:
    """p33: the title's 三 (one-pixel bars at 96 dpi) is read, so the table is found; its monospaced
    figures (8.53, the point in a full-width advance) stay whole."""
    docs = shared_path("real", "docs")
    truth = _truth()
    table = extract_document((docs / "22_shpt_sqljd_2026_ys-dw-p33__shiquan_unit26_p33.png").read_bytes(), "p33.png")
    assert [t.table_title for t in table.tables] == ["2026年单位“三公”经费和机关运行经费预算表"]
    assert truth[33].startswith("2026年单位“三公”经费和机关运行经费预算表")
    assert ex_values(table) == {Decimal("85300"), Decimal("15300"), Decimal("70000"), Decimal("3860200")}
    assert "386.02" in truth[33] and "8.53" in truth[33]


def test_real_png_narrative_gives_its_figures() -> None:
    docs = shared_path("real", "docs")
    truth = _truth()
    narrative = extract_document((docs / "21_shpt_sqljd_2026_ys-dw-p06__shiquan_unit26_p6.png").read_bytes(), "p6.png")
    text = "".join(line.split() and "".join(line.split()) or "" for line in narrative_text(narrative))
    for figure in ("7,630.61", "2,163.37", "7,262.61", "1,168.37", "368万元", "995万元"):
        assert figure in truth[6] and figure in text
    # a budget's 编制说明 names its totals 收入预算 / 支出预算 and each fund's 拨款支出预算: each read once
    facts = [(f.metric, f.qualifier, f.value) for f in narrative.facts]
    for fact in [("income_total", None, Decimal("76306100")), ("expenditure_total", None, Decimal("76306100")),
                 ("fiscal_appropriation_expenditure", None, Decimal("76306100")),
                 ("gpb_expenditure", None, Decimal("72626100")), ("gov_fund_expenditure", None, Decimal("3680000")),
                 ("yoy_change", "gpb_expenditure", Decimal("-11683700")),
                 ("yoy_change", "gov_fund_expenditure", Decimal("-9950000"))]:
        assert facts.count(fact) == 1, (fact, facts)


def ex_values(ex) -> set[Decimal]:
    return {i.value for i in ex.items if i.value}


def narrative_text(ex) -> list[str]:
    return [f.sentence for f in ex.facts]
