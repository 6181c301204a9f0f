"""Three families of what word processors and sheets do to a table (issue #13), from both producers:
a figure wrapped so that its last line is a lone digit, a row the page break cuts in two (figure
fragments on each page), and a sheet's tables one below the other, each under the unit's heading line."""

from __future__ import annotations

import pytest

from extractors.document import extract_document
from extractors.pdf import extract_pdf
from extractors.word import soffice
from yujuesuan.samples.generator import Generated, Layout, generate
from yujuesuan.samples.office import Office, convert, write_docx, write_xlsx

needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")


def _misread(gen: Generated) -> tuple[set, set, list[str]]:
    ex = extract_pdf(gen.pdf, "d.pdf")
    want = {(e.table_code, e.code or e.row_label, e.column, e.value) for e in gen.expected}
    got = {(i.table_code, i.code or i.row_label, i.column, i.value) for i in ex.items}
    errors = [f"{i.check_id}: {i.message}" for i in ex.issues if i.severity == "error"]
    return want - got, got - want, errors


def _lines(pdf: bytes) -> list[list[list[str]]]:
    """Each page's text lines, each as its segments (runs of text apart from the others)."""
    from yujuesuan.ingest.debug import _pages

    return [[[seg.strip() for seg in ln.segments()] for ln in p.text_lines()] for p in _pages(pdf)]


def _lone_digit(pdf: bytes) -> bool:
    return any(len(seg) == 1 and seg.isdigit() for page in _lines(pdf) for ln in page for seg in ln)


@pytest.mark.parametrize("seed", [3, 8])
def test_a_figure_wrapped_onto_a_lone_digit_is_read_whole(seed: int) -> None:
    gen = generate(seed, Layout(narrow=True))
    assert _lone_digit(gen.pdf)  # the family is printed
    missing, extra, errors = _misread(gen)
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


@pytest.mark.parametrize(("seed", "layout"), [(3, Layout(cut_row=8)), (4, Layout(cut_row=3, split_codes=True)),
                                              (5, Layout(cut_row=0, currency="元")),
                                              # ruled across only, and 类|款|项 cut by the text as 类 | 款项 on the
                                              # page above: the repeated header's 款 | 项 are pieces of its words
                                              (3, Layout(cut_row=0, split_codes=True, rules="horizontal")),
                                              (30, Layout(cut_row=0, split_codes=True, rules="horizontal",
                                                          total_word="小计"))])
def test_a_row_the_page_break_cuts_in_two_is_one_row(seed: int, layout: Layout) -> None:
    gen = generate(seed, layout)
    pages = _lines(gen.pdf)
    # the family is printed: a page of table 02 ends on a row's first line, the next begins with its rest
    # (its first line with digits holds only the figures' last digits, no code, no whole figure)
    firsts = [next((ln for ln in p if any(ch.isdigit() for ch in "".join(ln))), []) for p in pages]
    assert any(ln and all(len(s) <= 2 for s in ln if any(ch.isdigit() for ch in s)) for ln in firsts)
    missing, extra, errors = _misread(gen)
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


@pytest.mark.parametrize("seed", [1, 2, 4])
def test_the_units_heading_above_a_stacked_title_ends_the_table_before(seed: int) -> None:
    gen = generate(seed, Layout(heading=True, stacked=True))
    heading = f"{gen.unit_name}{gen.year}年度部门决算"
    assert sum("".join(ln) == heading for p in _lines(gen.pdf) for ln in p) >= 3  # above each title
    missing, extra, errors = _misread(gen)
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


# -- the second producer: python-docx / openpyxl files as LibreOffice prints and exports them ----------------

def _office(seed: int, office: Office, source: str, fmt: str) -> tuple[bytes, Generated, tuple[set, set, list[str]]]:
    doc = (write_docx if source == "docx" else write_xlsx)(seed, office)
    out = convert(doc, fmt)
    ex = extract_document(out.data, f"office.{fmt}")
    want = {(e.table_code, e.code or e.row_label, e.column, e.value) for e in doc.generated.expected}
    got = {(i.table_code, i.code or i.row_label, i.column, i.value) for i in ex.items}
    errors = [f"{i.check_id}: {i.message}" for i in ex.issues if i.severity == "error"]
    return out.data, doc.generated, (want - got, got - want, errors)


@needs_soffice
def test_word_narrow_columns_wrap_a_lone_digit_and_it_is_read() -> None:
    pdf, _, (missing, extra, errors) = _office(254, Office(narrow=True, merged_header=False), "docx", "pdf")
    assert any(len(s) == 1 and s in "123456789" for p in _lines(pdf) for ln in p for s in ln)  # printed
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


@needs_soffice
@pytest.mark.parametrize(("seed", "office"), [(251, Office(currency="元", merged_header=False, cut_row=6)),
                                              (254, Office(cut_row=3, split_codes=True))])
def test_word_row_cut_by_the_page_break_is_one_row(seed: int, office: Office) -> None:
    pdf, _, (missing, extra, errors) = _office(seed, office, "docx", "pdf")
    pages = _lines(pdf)
    firsts = [next((ln for ln in p if any(ch.isdigit() for ch in "".join(ln))), []) for p in pages]
    assert any(ln and all(len(s) <= 2 for s in ln if any(ch.isdigit() for ch in s)) for ln in firsts)  # printed
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


@needs_soffice
@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_a_sheet_of_tables_under_headings_is_read_table_by_table(fmt: str) -> None:
    office = Office(sheet_per_table=False, hidden_column=True, column_numbers=True)
    _, gen, (missing, extra, errors) = _office(202, office, "xlsx", fmt)
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


# -- a table's title alone at a page's foot, and a continuation page holding one row under its header ----------

@pytest.mark.parametrize("rules", ["grid", "horizontal", "none"])
@pytest.mark.parametrize("seed", [7, 8])
def test_a_title_alone_at_the_page_foot_opens_the_table_overleaf(seed: int, rules: str) -> None:
    gen = generate(seed, Layout(orphan_title=True, rules=rules, rows_per_page=9))
    pages = _lines(gen.pdf)
    assert sum(1 for p in pages if p and "单位" in "".join(p[-1])) >= 2
    missing, extra, errors = _misread(gen)
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


@pytest.mark.parametrize("rules", ["grid", "horizontal"])
def test_a_title_alone_at_the_page_foot_and_a_row_the_next_page_break_cuts(rules: str) -> None:
    """The header atop the page after the title is the one a later page repeats: the row cut there is joined."""
    gen = generate(1082, Layout(orphan_title=True, cut_row=4, rules=rules, split_codes=True, currency="元"))
    pages = _lines(gen.pdf)
    # the family is printed: a page ends on a table's 单位 line, the next begins with its header
    assert sum(1 for p in pages if p and "单位" in "".join(p[-1])) >= 2
    missing, extra, errors = _misread(gen)
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


@pytest.mark.parametrize("rules", ["grid", "horizontal", "none"])
@pytest.mark.parametrize("seed", [7, 8])
def test_a_continuation_page_with_one_row_under_its_header(seed: int, rules: str) -> None:
    gen = generate(seed, Layout(rules=rules, rows_per_page=9))
    pages = _lines(gen.pdf)
    assert any(len(p) == 2 and "科目编码" in "".join(p[0]) for p in pages)  # the family is printed: header + a row
    missing, extra, errors = _misread(gen)
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


@pytest.mark.parametrize(("seed", "layout"), [
    (3, Layout(narrow=True, rules="none")),  # figures wrapped onto a lone last digit, no rule between rows
    (8, Layout(narrow=True, rules="none", currency="元")),  # and 本年支出合计 wrapped as 本年支出 over 合计
    (1046, Layout(narrow=True, rules="none", split_codes=True, currency="元", rows_per_page=9, total_word="合计")),
    (5, Layout(cut_row=0, rules="none")),  # and the 合计 row cut by the page break, unruled
    (1042, Layout(cut_row=1, rules="none", currency="元", total_word="合计")),
    # the table's last row wrapped at the page's foot: its rests (3   2) are no page number
    (4, Layout(cut_row=3, rules="none", split_codes=True)),
])
def test_an_unruled_tables_wrapped_figures_are_read_whole(seed: int, layout: Layout) -> None:
    gen = generate(seed, layout)
    assert _lone_digit(gen.pdf)  # the family is printed
    missing, extra, errors = _misread(gen)
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


@pytest.mark.parametrize("rules", ["none", "horizontal"])
def test_a_last_page_holding_only_the_header_and_its_total(rules: str) -> None:
    """A 部门预算 prints its 合计 row last: alone under the repeated header on the last page, no rule between."""
    gen = generate(1076, Layout(kind="budget", rules=rules, rows_per_page=9, heading=True))
    pages = _lines(gen.pdf)
    assert any(len(p) == 2 and "".join(p[1]).startswith("合计") for p in pages)  # the family is printed
    missing, extra, errors = _misread(gen)
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)


def test_a_title_alone_at_the_page_foot_over_a_one_row_table() -> None:
    """The horizontal 三公 table (one row of figures under a three-row header) overleaf from its title."""
    gen = generate(1068, Layout(orphan_title=True, sangong=True, narrow=True, rules="none", rows_per_page=5))
    pages = _lines(gen.pdf)
    assert any(p and "三公" in "".join(p[-2]) for p in pages if len(p) > 1)  # the family is printed
    missing, extra, errors = _misread(gen)
    assert not missing and not extra and not errors, (sorted(missing)[:4], sorted(extra)[:4], errors)
