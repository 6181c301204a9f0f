"""`yujuesuan debug`: one page drawn with what the engine saw, and the same said as text."""

from __future__ import annotations

from PIL import Image

from yujuesuan.cli import main
from yujuesuan.ingest.debug import debug_page
from yujuesuan.samples.generator import Layout, generate


def test_the_view_of_a_table_page(tmp_path, capsys) -> None:
    pdf = generate(7, Layout(split_codes=True, column_numbers=True)).pdf
    views = debug_page(pdf, 4, tmp_path / "p.png")
    (view,) = views
    assert view.table == "02" and view.header_rows == 2  # the header and its 栏次 row
    assert [r for r, _ in view.columns][:4] == ["code", "code", "code", "label"]
    assert ("value", "本年收入合计") in view.columns
    image = Image.open(tmp_path / "p.png")
    assert image.width > 1000 and image.getpixel((0, 0)) == (255, 255, 255)
    (tmp_path / "d.pdf").write_bytes(pdf)
    assert main(["debug", str(tmp_path / "d.pdf"), "--page", "4", "--out", str(tmp_path / "q.png")]) == 0
    out = capsys.readouterr().out
    assert "table 02 收入决算表" in out and "column 4: value 本年收入合计" in out


def test_a_page_that_is_not_there_is_a_clear_error(tmp_path, capsys) -> None:
    (tmp_path / "d.pdf").write_bytes(generate(7).pdf)
    assert main(["debug", str(tmp_path / "d.pdf"), "--page", "99", "--out", str(tmp_path / "q.png")]) == 2
    assert "page 99 is not in the document" in capsys.readouterr().err



def test_a_continuation_page_shows_the_columns_the_extraction_reads(tmp_path) -> None:
    from extractors.pdf import extract_pdf
    from tests.conftest import shared_path

    real = shared_path("real", "docs")
    pdf = next(real.glob("01_shpt_czj_2024_js-bm*.pdf")).read_bytes()  # its 02 table runs on to page 9
    table = next(t for t in extract_pdf(pdf, "d.pdf", layout="pdfminer").tables if t.table_code == "02")
    page = table.pages[-1]
    (view,) = [v for v in debug_page(pdf, page, tmp_path / "p.png") if v.table == "02"]
    read = {i.column for i in table.items if i.page == page}
    assert page > table.pages[0] and read and read <= {path for _, path in view.columns}
