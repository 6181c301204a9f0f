"""Word files (DOCX, DOC) through the table engine."""

from __future__ import annotations

import pytest

import extractors.word as word
from extractors.document import extract_document
from extractors.word import soffice
from yujuesuan.samples.office import Office, convert, write_docx

VARIANTS = [
    Office(),
    Office(currency="元", split_codes=True),
    Office(merged_header=False, split_codes=True),
    Office(currency="元", merged_header=False),
]


def _keys(ex) -> set[tuple]:  # noqa: ANN001
    return {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items}


@pytest.mark.parametrize("n", range(len(VARIANTS)))
def test_docx_extracts_exactly(n: int) -> None:
    doc = write_docx(n, VARIANTS[n])
    ex = extract_document(doc.data, doc.file_name)
    assert ex.document.format == "docx" and ex.document.status == "ok"
    assert _keys(ex) == {e.key() for e in doc.generated.expected}
    assert ex.document.unit_name == doc.generated.unit_name and ex.document.year == doc.generated.year
    assert all(i.engine == "docx" and i.printed for i in ex.items)


def test_docx_narrative_gives_facts() -> None:
    doc = write_docx(3)
    ex = extract_document(doc.data, doc.file_name)
    income = next(e.value for e in doc.generated.expected if e.row_label == "本年收入合计")
    assert any(f.metric == "income_total" and f.value == income for f in ex.facts)


def test_doc_without_libreoffice_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word, "soffice", lambda: None)
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    ex = extract_document(data, "report.doc")
    assert ex.document.format == "doc" and ex.document.status == "failed"
    issue = ex.issues[0]
    assert issue.check_id == "extract.converter_missing" and "libreoffice" in issue.message.lower()


def test_damaged_docx_fails_with_one_line() -> None:
    data = write_docx(1).data
    ex = extract_document(data[:2000], "broken.docx")
    assert ex.document.status == "failed" and ex.issues[0].check_id == "extract.unreadable"
    assert "\n" not in ex.issues[0].message


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_doc_converted_by_libreoffice_extracts_exactly() -> None:
    doc = convert(write_docx(5, Office(split_codes=True)), "doc")
    ex = extract_document(doc.data, doc.file_name)
    assert ex.document.format == "doc" and ex.document.status == "ok"
    assert _keys(ex) == {e.key() for e in doc.generated.expected}
