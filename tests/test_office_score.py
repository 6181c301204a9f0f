"""The shared scorer on workbooks and Word files from the office producer (cell recall and
precision ≥ 0.999, as for PDFs)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from extractors.word import soffice
from tests.conftest import shared_path
from yujuesuan.pipeline import extract_paths
from yujuesuan.samples.office import Office, OfficeDocument, convert, truth, write_docx, write_xlsx

OFFICES = [
    Office(),
    Office(currency="元", split_codes=True, formulas=True),
    Office(sheet_per_table=False, hidden_column=True, column_numbers=True),
    Office(currency="元", merged_header=False, alt_names=True),
]


def _documents() -> list[OfficeDocument]:
    docs = [write_xlsx(10 + n, o) for n, o in enumerate(OFFICES)]
    docs += [write_docx(20 + n, o) for n, o in enumerate(OFFICES)]
    if soffice() is not None:
        docs += [convert(docs[1], "xls"), convert(docs[len(OFFICES)], "doc")]
    return docs


def test_office_documents_score_like_pdfs(tmp_path: Path) -> None:
    scorer = shared_path("tools", "score.py")
    docs_dir = tmp_path / "docs"
    docs_dir.mkdir()
    for doc in _documents():
        (docs_dir / doc.file_name).write_bytes(doc.data)
        (docs_dir / f"{doc.file_name}.json").write_text(json.dumps(truth(doc), ensure_ascii=False), encoding="utf-8")
    wh = tmp_path / "warehouse"
    extract_paths([docs_dir], wh, jobs=1)
    out = subprocess.run(
        [sys.executable, str(scorer), "--warehouse", str(wh), "--truth", str(docs_dir), "-v"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    m = re.search(r"cell_recall=([\d.]+) cell_precision=([\d.]+) docs=(\d+)", out.stdout)
    assert m, out.stdout + out.stderr
    recall, precision, n = float(m.group(1)), float(m.group(2)), int(m.group(3))
    assert n == len(list(docs_dir.glob("*.json")))
    assert recall >= 0.999 and precision >= 0.999, out.stdout
