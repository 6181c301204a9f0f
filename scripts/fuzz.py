"""Fuzz the extractors: N mutated documents, each extracted in a child process under a time and
memory limit. Prints the inputs tried, crashes (an exception out of extract_document), budget
hits (the child ran out of time or memory), documents not `ok` without an issue, peak RSS.

    python scripts/fuzz.py 2000 [--seed 0] [--cheap] [--seconds 60] [--memory-mb 2048] [--save DIR]

Exit status 1 when any input crashed, hit the budget or came back not `ok` without an issue.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections import Counter
from pathlib import Path

from yujuesuan.samples.fuzz import inputs, run_bounded


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, help="how many inputs")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cheap", action="store_true", help="leave out the bombs (seconds each)")
    ap.add_argument("--seconds", type=float, default=60.0, help="wall-time limit per input")
    ap.add_argument("--memory-mb", type=int, default=2048, help="memory limit per input")
    ap.add_argument("--save", type=Path, help="write each failing input into this folder")
    args = ap.parse_args(argv)
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # broken inputs make it chatty
    started = time.monotonic()
    statuses: Counter[str] = Counter()
    bad: list[str] = []
    peak, slowest = 0.0, (0.0, "")
    for name, data in inputs(args.n, args.seed, cheap=args.cheap):
        out = run_bounded(name, data, seconds=args.seconds, memory_mb=args.memory_mb)
        statuses[out.status or ("crash" if out.crash else "budget")] += 1
        peak = max(peak, out.peak_mb)
        slowest = max(slowest, (out.seconds, name))
        problem = out.crash or out.budget
        if not problem and out.status != "ok" and not out.issues:
            problem = f"status {out.status} without an issue"
        if problem:
            bad.append(f"{name}: {problem}")
            print(f"  {name}: {problem}", flush=True)
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / name).write_bytes(data)
    crashes = sum(1 for b in bad if "budget" not in b and "time >" not in b and "memory" not in b)
    print(f"inputs tried: {sum(statuses.values())} in {time.monotonic() - started:.0f} s (seed {args.seed})")
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(f"crashes: {statuses['crash']}  budget hits: {statuses['budget']}  other problems: {len(bad) - crashes}")
    print(f"peak RSS of a child: {peak:.0f} MB  slowest: {slowest[1]} {slowest[0]:.1f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
