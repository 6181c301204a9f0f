"""Rewrite tests/golden/*.csv from the current extractor (read the diff before committing)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractors.pdf import extract_pdf  # noqa: E402
from tests.golden_docs import GOLDEN, NARRATIVE_DOC, NARRATIVE_GOLDEN, golden_csv, records_csv  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

for name, rel in GOLDEN.items():
    doc = SHARED / rel
    ex = extract_pdf(doc.read_bytes(), doc.name)
    (REPO / "tests" / "golden" / name).write_text(golden_csv(ex), encoding="utf-8")
    print(f"{name}: {len(ex.items)} line items")

doc = SHARED / NARRATIVE_DOC
ex = extract_pdf(doc.read_bytes(), doc.name)
for name, (attr, columns) in NARRATIVE_GOLDEN.items():
    (REPO / "tests" / "golden" / name).write_text(records_csv(getattr(ex, attr), columns), encoding="utf-8")
    print(f"{name}: {len(getattr(ex, attr))} {attr}")
