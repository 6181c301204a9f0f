"""Benchmark: extraction speed and memory, and pdfplumber vs camelot lattice on the same tables.

    python scripts/benchmark.py [--docs ../shared/real/docs] [--truth ../shared/fixtures]

Part 0 compares, side by side in one process (one core), document by document so that the
machine's load weighs on each alike: pypdfium2's text alone (the floor), pdfplumber's
`extract_tables()` alone, and the whole extraction with the pdfium and the pdfminer layout
stages (with whether their line items are identical). Part 1 runs `extract` over the folder
with one worker at a time (one core) and reports pages/s
and peak RSS (the parent's and the largest worker's), and the wall time with two workers beside
it. Part 2 extracts the ground-truth fixture
and the ruled real documents with each engine and reports time, tables read by each engine,
and cells correct (the shared scorer on the fixture; Σ children = parent on the others).
A report, not a test: numbers go in notes.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extractors.pdf import extract_pdf  # noqa: E402
from yujuesuan.ingest.pipeline import extract_paths  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def hierarchy(items) -> tuple[int, int]:
    cells: dict[tuple, dict[str, Decimal]] = defaultdict(dict)
    for i in items:
        if i.code:
            cells[(i.table_code, i.section, i.column)].setdefault(i.code, i.value)
    ok = total = 0
    for codes in cells.values():
        for parent, value in codes.items():
            kids = [v for c, v in codes.items() if len(c) == len(parent) + 2 and c.startswith(parent)]
            if kids:
                total += 1
                ok += abs(sum(kids) - value) <= 100 * len(kids)
    return ok, total


def _line_items(ex) -> list[tuple]:
    return [(i.table_code, i.page, i.section, i.code, i.row_label, i.column, i.value, i.row_index) for i in ex.items]


def part0(docs: Path) -> None:
    import io

    import pdfplumber
    import pypdfium2

    def floor(data: bytes) -> None:
        pdf = pypdfium2.PdfDocument(data)
        for page in pdf:
            page.get_textpage().get_text_range()
        pdf.close()

    def tables(data: bytes) -> None:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_tables()

    runs = {
        "pypdfium2 text only (the floor)": floor,
        "pdfplumber extract_tables() alone": tables,
        "yujuesuan, pdfium layout (default)": lambda d: extract_pdf(d, "d.pdf", layout="pdfium"),
        "yujuesuan, pdfminer layout": lambda d: extract_pdf(d, "d.pdf", layout="pdfminer"),
    }
    took = dict.fromkeys(runs, 0.0)
    pages = same = n = 0
    for doc in sorted(docs.glob("*.pdf")):
        data = doc.read_bytes()
        out = {}
        for name, fn in runs.items():
            start = time.process_time()
            out[name] = fn(data)
            took[name] += time.process_time() - start
        a, b = out["yujuesuan, pdfium layout (default)"], out["yujuesuan, pdfminer layout"]
        pages += b.document.pages
        n += 1
        same += _line_items(a) == _line_items(b)
    print(f"## side by side, one core: {n} PDFs, {pages} pages (CPU seconds; load: {os.getloadavg()[0]:.2f})")
    print("| run | seconds | pages/s |")
    print("|---|---|---|")
    for name, t in took.items():
        print(f"| {name} | {t:.1f} | **{pages / t:.1f}** |")
    base = took["pdfplumber extract_tables() alone"]
    ratio = base / took["yujuesuan, pdfium layout (default)"]
    print(f"- whole pipeline (pdfium layout) vs pdfplumber extract_tables() alone: **{ratio:.1f}×**")
    print(f"- documents whose line items are identical under both layout stages: **{same}/{n}**\n")


def part1(docs: Path) -> None:
    took_by_jobs = {}
    for jobs in (1, 2):  # one run after the other, so that the machine's load weighs on both alike
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            summary = extract_paths([docs], tmp, jobs=jobs)
            took_by_jobs[jobs] = time.perf_counter() - start
    took = took_by_jobs[1]
    print("## extract over", docs)
    print(
        f"- --jobs 1: {took:.1f} s, --jobs 2: {took_by_jobs[2]:.1f} s wall → **{took / took_by_jobs[2]:.2f}×** "
        f"(load: {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores)"
    )
    print(f"- documents: {summary.documents} ({summary.status}), pages: {summary.pages}")
    print(f"- wall time: {took:.1f} s on one process → **{summary.pages / took:.1f} pages/s**")
    print(
        f"- line items: {summary.line_items}; peak RSS: **{peak_rss_mb():.0f} MB** in the parent, "
        f"**{summary.peak_rss_mb:.0f} MB** in the largest worker (one worker process per document)"
    )


def part2(truth: Path, docs: Path) -> None:
    print("\n## pdfplumber vs camelot lattice (same tables)")
    print("| document | engine | seconds | tables by camelot | cells correct |")
    print("|---|---|---|---|---|")
    for engine in ("pdfplumber", "camelot"):
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            extract_paths([truth], tmp, engine=engine)
            took = time.perf_counter() - start
            out = (
                subprocess.run(
                    [sys.executable, str(SHARED / "tools" / "score.py"), "--warehouse", tmp, "--truth", str(truth)],
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
        print(f"| fixture (31 pp) | {engine} | {took:.1f} | | {out} |")
    for doc in sorted(docs.glob("0[123]_*.pdf")):
        data = doc.read_bytes()
        for engine in ("pdfplumber", "camelot"):
            start = time.perf_counter()
            ex = extract_pdf(data, doc.name, engine=engine)
            took = time.perf_counter() - start
            ok, total = hierarchy(ex.items)
            by_camelot = sum(1 for t in ex.tables if "camelot" in t.engine)
            print(
                f"| {doc.name[:24]} | {engine} | {took:.1f} | {by_camelot}/{len(ex.tables)} | "
                f"{len(ex.items)} items, Σ children = parent {ok}/{total} |"
            )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=Path, default=SHARED / "real" / "docs")
    ap.add_argument("--truth", type=Path, default=SHARED / "fixtures")
    ap.add_argument("--skip-engines", action="store_true", help="only parts 0 and 1")
    ap.add_argument("--layouts-only", action="store_true", help="only part 0 (the layout stages side by side)")
    a = ap.parse_args()
    part0(a.docs)
    if a.layouts_only:
        return 0
    part1(a.docs)
    if not a.skip_engines:
        part2(a.truth, a.docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
