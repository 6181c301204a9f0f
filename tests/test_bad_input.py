"""Bad input never crashes a run: it becomes a failed document and an issue saying why."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter

from extractors.pdf import extract_pdf
from yujuesuan.cli import main
from yujuesuan.samples.generator import generate
from yujuesuan.warehouse.store import Warehouse


def _encrypted() -> bytes:
    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.encrypt(user_password="secret")
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


CASES = {
    "empty.pdf": (b"", "extract.empty_file"),
    "notes.pdf": (b"this is a text file, not a PDF\n", "extract.not_pdf"),
    "page.pdf": (b"<!DOCTYPE html><html><body>404</body></html>", "extract.not_pdf"),
    "truncated.pdf": (generate(1).pdf[:600], None),
    "corrupt.pdf": (b"%PDF-1.4\n" + bytes(range(256)) * 40, None),
    "encrypted.pdf": (_encrypted(), "extract.encrypted"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_is_a_failed_document(name: str) -> None:
    data, check_id = CASES[name]
    ex = extract_pdf(data, name)
    assert ex.document.status == "failed"
    errors = [i for i in ex.issues if i.severity == "error"]
    assert errors and all(i.message for i in errors)
    if check_id:
        assert check_id in {i.check_id for i in errors}


def test_cli_goes_on_past_bad_files(tmp_path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, (data, _) in CASES.items():
        (docs / name).write_bytes(data)
    (docs / "good.pdf").write_bytes(generate(3).pdf)
    assert main(["extract", str(docs), "--warehouse", str(tmp_path / "w")]) == 0
    documents = Warehouse(tmp_path / "w").read("documents").to_pylist()
    status = {d["file_name"]: d["status"] for d in documents}
    assert status["good.pdf"] == "ok"
    assert all(status[n] == "failed" for n in CASES)
    issues = Warehouse(tmp_path / "w").read("quality_issues").to_pylist()
    failed_ids = {d["doc_id"] for d in documents if d["status"] == "failed"}
    assert failed_ids <= {i["doc_id"] for i in issues}
