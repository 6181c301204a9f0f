"""The shared scorer on workbooks and Word files from the office producer (cell recall and
precision ≥ 0.999, as for PDFs)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from extractors.word import soffice
from tests.conftest import shared_path
from yujuesuan.ingest.pipeline import extract_paths
from yujuesuan.samples.office import write_samples


def test_office_documents_score_like_pdfs(tmp_path: Path) -> None:
    scorer = shared_path("tools", "score.py")
    docs_dir = tmp_path / "docs"
    written = write_samples(docs_dir)
    assert {p.suffix for p in written} >= {".xlsx", ".docx"} | ({".xls", ".doc"} if soffice() else set())
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
