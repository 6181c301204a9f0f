"""camelot is wired in as a second grid engine, and each table records the engine used."""

from __future__ import annotations

from extractors.pdf import extract_pdf
from yujuesuan.samples.generator import Layout, generate


def test_camelot_reads_a_ruled_table_like_pdfplumber() -> None:
    gen = generate(21, Layout(rules="grid"))
    plumber = extract_pdf(gen.pdf, "g.pdf")
    camelot = extract_pdf(gen.pdf, "g.pdf", engine="camelot")
    key = lambda ex: {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items}  # noqa: E731
    assert key(camelot) == key(plumber) == {e.key() for e in gen.expected}
    assert {t.engine for t in camelot.tables} == {"camelot"}
    assert {i.engine for i in camelot.items} == {"camelot"}
    assert {t.engine for t in plumber.tables} == {"pdfplumber"}


def test_camelot_falls_back_where_there_are_no_rules() -> None:
    gen = generate(22, Layout(rules="none"))
    ex = extract_pdf(gen.pdf, "g.pdf", engine="camelot")
    assert {t.engine for t in ex.tables} == {"pdfplumber"}
    assert {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items} == {
        e.key() for e in gen.expected
    }
