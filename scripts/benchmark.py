"""Benchmark: extraction speed and memory, and pdfplumber vs camelot lattice on the same tables.

    python scripts/benchmark.py [--docs ../shared/real/docs] [--truth ../shared/fixtures]

Part 1 runs `extract` over the folder with one worker at a time (one core) and reports pages/s
and peak RSS (the parent's and the largest worker's). Part 2 extracts the ground-truth fixture
and the ruled real documents with each engine and reports time, tables read by each engine,
and cells correct (the shared scorer on the fixture; Σ children = parent on the others).
A report, not a test: numbers go in notes.
"""

from __future__ import annotations

import argparse
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
from yujuesuan.pipeline import extract_paths  # noqa: E402

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


def part1(docs: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = extract_paths([docs], tmp)
        took = time.perf_counter() - start
    print("## extract over", docs)
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
    ap.add_argument("--skip-engines", action="store_true", help="only part 1")
    a = ap.parse_args()
    part1(a.docs)
    if not a.skip_engines:
        part2(a.truth, a.docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
