"""Format from the bytes, not the name (extractors/formats.py and the dispatch)."""

from __future__ import annotations

import struct

import pytest

from extractors.document import extract_document
from extractors.formats import OLE2, detect_format
from yujuesuan.samples.office import write_docx, write_xlsx


def _ole2(stream: str) -> bytes:
    """A minimal compound file: the header, then one directory sector naming `stream`."""
    entry = bytearray(128)
    name = stream.encode("utf-16-le") + b"\x00\x00"
    entry[: len(name)] = name
    struct.pack_into("<H", entry, 64, len(name))
    entry[66] = 2  # a stream
    root = bytearray(128)
    root_name = "Root Entry".encode("utf-16-le") + b"\x00\x00"
    root[: len(root_name)] = root_name
    struct.pack_into("<H", root, 64, len(root_name))
    root[66] = 5
    return OLE2 + bytes(504) + bytes(root) + bytes(entry) + bytes(256)


@pytest.mark.parametrize(("stream", "fmt"), [("Workbook", "xls"), ("Book", "xls"), ("WordDocument", "doc")])
def test_ole2_directory_says_workbook_or_word(stream: str, fmt: str) -> None:
    data = _ole2(stream)
    assert detect_format(data, "download.bin") == fmt
    assert detect_format(data, "misnamed.doc" if fmt == "xls" else "misnamed.xls") == fmt


def test_ooxml_content_types_say_xlsx_or_docx() -> None:
    xlsx, docx = write_xlsx(1).data, write_docx(1).data
    assert detect_format(xlsx, "a.docx") == "xlsx"
    assert detect_format(docx, "a.xlsx") == "docx"
    assert detect_format(xlsx, "") == "xlsx" and detect_format(docx, "") == "docx"


def test_magic_numbers_and_html() -> None:
    assert detect_format(b"%PDF-1.7\n...", "x.xls") == "pdf"
    assert detect_format(b"\x89PNG\r\n\x1a\n....", "x.pdf") == "png"
    assert detect_format(b"\xef\xbb\xbf  <html><body>x</body></html>", "x") == "html"
    assert detect_format(b"just text", "x.pdf") is None


@pytest.mark.parametrize(
    ("writer", "name", "fmt"), [(write_xlsx, "report.xls", "xlsx"), (write_docx, "report.doc", "docx")]
)
def test_mislabelled_file_is_read_by_what_it_is(writer, name: str, fmt: str) -> None:  # noqa: ANN001
    doc = writer(2)
    ex = extract_document(doc.data, name)
    assert ex.document.format == fmt and ex.document.status == "ok"
    assert {i.value for i in ex.items} >= {e.value for e in doc.generated.expected}
    mismatch = [i for i in ex.issues if i.check_id == "extract.format_mismatch"]
    assert len(mismatch) == 1 and mismatch[0].severity == "info"


def test_correctly_named_file_has_no_mismatch() -> None:
    ex = extract_document(write_xlsx(3).data, "report.xlsx")
    assert ex.document.format == "xlsx"
    assert not [i for i in ex.issues if i.check_id == "extract.format_mismatch"]
