"""OCR yardstick: generator documents scanned (skew, speckle, one page sideways), extracted and checked.

    python scripts/benchmark_ocr.py [N_DOCS] [DPI] [FIRST]

Reports cell recall against the generator's known values, how many wrong OCR values are flagged
on their cell (extract.ocr_uncertain, table.ocr_suspect, table.ocr_unverified), how many right ones
are (false flags), and seconds per page on one core. A report, not a test.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from extractors.document import extract_document  # noqa: E402
from extractors.scan import UNCERTAIN  # noqa: E402
from yujuesuan.checks import run_checks  # noqa: E402
from yujuesuan.checks.apply import doc_data  # noqa: E402
from yujuesuan.samples.generator import Layout, generate  # noqa: E402
from yujuesuan.samples.scans import Scan, scan_pdf  # noqa: E402
from yujuesuan.warehouse.store import extraction_rows  # noqa: E402

OCR_RULES = {"table.ocr_suspect", "table.ocr_unverified"}  # besides extract.ocr_uncertain (confidence < UNCERTAIN)

LAYOUTS = [
    Layout(currency="万元", rules="grid"),
    Layout(currency="元", rules="grid", decimals=True),
    Layout(currency="万元", split_codes=True, rules="grid", rows_per_page=12),
    Layout(currency="元", rules="horizontal", decimals=False),
    Layout(currency="万元", rules="none"),
    Layout(currency="元", split_codes=True, rules="horizontal", decimals=True),
]


def key(i) -> tuple:
    return (i.table_code, i.section, i.code or i.row_label, i.column)


def main(n_docs: int = 6, dpi: int = 150, first: int = 0) -> None:
    cells = found = wrong = caught = flagged_right = pages = 0
    seconds = 0.0
    for n in range(first, first + n_docs):
        layout = LAYOUTS[n % len(LAYOUTS)]
        gen = generate(100 + n, layout)
        data = scan_pdf(gen.pdf, Scan(dpi=dpi, skew=1.0 + 0.5 * (n % 3), sideways=(3 + n % 3,), seed=n))
        t = time.perf_counter()
        ex = extract_document(data, f"scan-{n}.pdf")
        seconds += time.perf_counter() - t
        pages += ex.document.pages or 0
        want = {(e.table_code, e.section, e.code or e.row_label, e.column): e.value for e in gen.expected}
        rows = extraction_rows(ex)
        run = run_checks(doc_data(rows))
        named = {  # flagged on the cell itself: the OCR rules of the catalogue
            (r.get("table_code"), r.get("section"), r.get("code") or r.get("row_label"), r.get("column"))
            for rule, f in run.findings
            if rule.id in OCR_RULES
            for r in f.rows
        }
        doc_found = doc_wrong = doc_caught = 0
        for item in ex.items:
            k = key(item)
            if want.get(k) == item.value:
                doc_found += 1
                flagged_right += (item.ocr_confidence or 1) < UNCERTAIN or k in named
                continue
            doc_wrong += 1
            if (item.ocr_confidence or 1) < UNCERTAIN or k in named:
                doc_caught += 1
            else:
                print(f"  uncaught: {k} read {item.printed!r} (conf {item.ocr_confidence}), want {want.get(k)}")
        cells += len(want)
        found += doc_found
        wrong += doc_wrong
        caught += doc_caught
        print(
            f"doc {n} {layout}: recall {doc_found / len(want):.4f} ({doc_found}/{len(want)}), "
            f"wrong {doc_wrong}, caught {doc_caught}"
        )
    print(f"cell recall {found / cells:.4f} ({found}/{cells})")
    print(f"wrong OCR values {wrong}, caught by a check {caught} ({caught / wrong if wrong else 1:.2%})")
    print(f"right values flagged (false flags) {flagged_right} ({flagged_right / max(found, 1):.2%})")
    print(f"{pages} pages, {seconds / pages:.2f} s per page (one core, {dpi} dpi, model load included)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
