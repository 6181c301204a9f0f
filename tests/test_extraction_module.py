"""`Extraction` lives in its own module; no reader reaches into pdf.py's private helpers."""

from __future__ import annotations

import ast
from pathlib import Path

import extractors
from extractors.document import extract_document
from extractors.extraction import Extraction, failed_extraction
from extractors.records import Document

PACKAGE = Path(extractors.__file__).parent


def test_pdf_re_exports_the_one_extraction_class() -> None:
    from extractors.pdf import Extraction as FromPdf

    assert FromPdf is Extraction


def test_failed_extraction_marks_the_document_failed_with_an_error() -> None:
    ex = failed_extraction(Extraction(Document("d", "f.pdf", "pdf")), "extract.unreadable", "cannot be opened")
    assert ex.document.status == "failed"
    assert [(i.check_id, i.severity, i.message) for i in ex.issues] == [
        ("extract.unreadable", "error", "cannot be opened")
    ]


def test_no_module_imports_a_private_name_of_pdf() -> None:
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "extractors.pdf":
                offenders += [f"{path.name}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert offenders == []


def test_an_empty_file_still_fails_through_the_public_helper() -> None:
    ex = extract_document(b"", "empty.pdf")
    assert ex.document.status == "failed" and ex.issues[0].check_id == "extract.empty_file"
