"""OCR yardstick: generator documents scanned (skew, speckle, one page sideways), extracted and checked.

    python scripts/benchmark_ocr.py [N_DOCS] [DPI] [FIRST] [NOISE,...]

Documents cycle through six layouts and three scan qualities (speckle 0.2 %, 0.6 %, 1 % of the
pixels; or the shares given as NOISE, e.g. 0.002 for scanner speckle alone), every one at
DPI (the issue's range is 150–200 dpi; `... 16 120` is the low-resolution
extra, reported on its own). Reports cell recall against the generator's known
values; how many wrong OCR values are flagged on their cell (extract.ocr_uncertain, table.ocr_*)
and, for each one that is not, why no rule named it; how many right values are flagged (false
flags); seconds per page as CPU time of this process and as wall time. A report, not a test.

With OCR_BENCH_CACHE=DIR each document's extraction (rows, timings) is kept in DIR and read back
on the next run, so the checks can be measured again without OCR'ing the scans again (the
timings printed are then those of the first run). With OCR_BENCH_MISSES=1 every cell not read
(its key, the value wanted and what was read under that key) is listed.
"""

from __future__ import annotations

import os
import pickle
import re
import sys
import time
from collections import Counter

os.environ.setdefault("OMP_NUM_THREADS", "1")

from extractors.document import extract_document  # noqa: E402
from extractors.scan import UNCERTAIN  # noqa: E402
from yujuesuan.checks import run_checks  # noqa: E402
from yujuesuan.checks.apply import doc_data  # noqa: E402
from yujuesuan.checks.rules.ocr import Verdict, net  # noqa: E402
from yujuesuan.samples.generator import Layout, generate  # noqa: E402
from yujuesuan.samples.scans import Scan, scan_pdf  # noqa: E402
from yujuesuan.warehouse.store import extraction_rows  # noqa: E402

# flagged on the cell: these rules, and extract.ocr_uncertain (confidence < UNCERTAIN)
OCR_RULES = {"table.ocr_suspect", "table.ocr_unverified", "table.ocr_misread"}
NOISE = (0.002, 0.006, 0.01)

LAYOUTS = [
    Layout(currency="万元", rules="grid"),
    Layout(currency="元", rules="grid", decimals=True),
    Layout(currency="万元", split_codes=True, rules="grid", rows_per_page=12),
    Layout(currency="元", rules="horizontal", decimals=False),
    Layout(currency="万元", rules="none", sangong=True),
    Layout(currency="元", split_codes=True, rules="horizontal", decimals=True),
]


def key(i) -> tuple:
    if isinstance(i, dict):
        return (i.get("table_code"), i.get("section"), i.get("code") or i.get("row_label"), i.get("column"))
    return (i.table_code, i.section, i.code or i.row_label, i.column)


def scan_of(n: int, dpi: int) -> Scan:
    return Scan(
        dpi=dpi,
        skew=1.0 + 0.5 * (n % 3),
        noise=NOISE[n % len(NOISE)],
        sideways=(3 + n % 3,),
        seed=n,
    )


def miss_class(k: tuple, want: dict, verdict: Verdict | None) -> str:
    """Why no rule named a wrong value (the safety net vouched for it)."""
    if verdict is None:
        return "not an OCR value"
    where = "row or column misassigned under known words" if k not in want else "wrong value"
    kinds = sorted({i.locator or "?" for i in verdict.holds})
    return f"{where}, an identity holds ({'; '.join(kinds)[:80]})"


def _flag_class(verdict: Verdict | None) -> str:
    """Why a right value was flagged, in a few words."""
    if verdict is None:
        return "confidence below UNCERTAIN"
    if verdict.misread:
        return "label/header: " + re.sub(r"'[^']*'|\([^)]*\)", "…", verdict.misread)[:70]
    if verdict.holds:
        return "confidence below UNCERTAIN"
    return "in a failing identity only" if verdict.fails else "within 尾差 only" if verdict.tail else "in no identity"


def _extracted(n: int, layout: Layout, scan: Scan) -> tuple[dict, dict, int, float, float]:
    """Document n scanned: its extraction rows, the truth by key, pages, CPU and wall seconds."""
    cache = os.environ.get("OCR_BENCH_CACHE")
    path = os.path.join(cache, f"doc{n}-{scan.dpi}.pickle") if cache else None
    if path and os.path.exists(path):
        with open(path, "rb") as f:
            return pickle.load(f)
    gen = generate(100 + n, layout)
    data = scan_pdf(gen.pdf, scan)
    t, c = time.perf_counter(), time.process_time()
    ex = extract_document(data, f"scan-{n}.pdf")
    wall = time.perf_counter() - t
    cpu = time.process_time() - c
    want = {(e.table_code, e.section, e.code or e.row_label, e.column): e.value for e in gen.expected}
    out = (extraction_rows(ex), want, ex.document.pages or 0, cpu, wall)
    if path:
        os.makedirs(cache, exist_ok=True)
        with open(path, "wb") as f:
            pickle.dump(out, f)
    return out


def main(n_docs: int = 6, dpi: int = 150, first: int = 0) -> None:
    cells = found = wrong = caught = flagged_right = pages = 0
    wall = cpu = 0.0
    misses: Counter[str] = Counter()
    false_why: Counter[str] = Counter()
    for n in range(first, first + n_docs):
        layout = LAYOUTS[n % len(LAYOUTS)]
        scan = scan_of(n, dpi)
        rows, want, doc_pages, doc_cpu, doc_wall = _extracted(n, layout, scan)
        wall += doc_wall
        cpu += doc_cpu
        pages += doc_pages
        doc = doc_data(rows)
        run = run_checks(doc)
        named = {key(r) for rule, f in run.findings if rule.id in OCR_RULES for r in f.rows}
        verdicts = net(doc)
        doc_found = doc_wrong = doc_caught = 0
        for item in rows["line_items"]:
            k = key(item)
            flagged = (item["ocr_confidence"] or 1) < UNCERTAIN or k in named
            if want.get(k) == item["value"]:
                doc_found += 1
                flagged_right += flagged
                if flagged:
                    false_why[_flag_class(verdicts.get(id(item)))] += 1
                continue
            doc_wrong += 1
            if flagged:
                doc_caught += 1
                continue
            why = miss_class(k, want, verdicts.get(id(item)))
            misses[why] += 1
            print(f"  uncaught: {k} read {item['printed']!r} (conf {item['ocr_confidence']}, repaired "
                  f"{item['ocr_repaired']}), want {want.get(k)}: {why}")
        if os.environ.get("OCR_BENCH_MISSES"):
            read = {key(i): i["value"] for i in rows["line_items"]}
            for k, v in want.items():
                if read.get(k) != v:
                    print(f"  missed: {k} want {v}, read {read.get(k, 'nothing under this key')}")
        cells += len(want)
        found += doc_found
        wrong += doc_wrong
        caught += doc_caught
        print(
            f"doc {n} (layout {n % len(LAYOUTS)}, {scan.dpi} dpi, noise {scan.noise}): recall "
            f"{doc_found / len(want):.4f} ({doc_found}/{len(want)}), wrong {doc_wrong}, caught {doc_caught}",
            flush=True,
        )
    print(f"cell recall {found / cells:.4f} ({found}/{cells})")
    print(f"wrong OCR values caught by a check {caught}/{wrong} ({caught / wrong if wrong else 1:.2%})")
    for why, count in misses.most_common():
        print(f"  not caught, {why}: {count}")
    print(f"right values flagged (false flags) {flagged_right}/{found} ({flagged_right / max(found, 1):.2%})")
    for why, count in false_why.most_common():
        print(f"  right but flagged, {why}: {count}")
    print(
        f"{pages} pages: {cpu / pages:.2f} s CPU per page, {wall / pages:.2f} s wall "
        f"(one core, {dpi} dpi, model load included)"
    )


if __name__ == "__main__":
    if len(sys.argv) > 4:
        NOISE = tuple(float(x) for x in sys.argv[4].split(","))
    main(*(int(a) for a in sys.argv[1:4]))
