"""The document commands: extract, check, report, debug, codes, compact."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from yujuesuan import logs
from yujuesuan.cli.common import compact_after_run, have_warehouse, log_folder, usable_location

EXTRACT_EXAMPLE = """example:
  yujuesuan extract data/samples --warehouse data/warehouse
  yujuesuan extract report.pdf other/ --warehouse /tmp/w --engine camelot --jobs 2
"""


def _cmd_extract(args: argparse.Namespace) -> int:
    from yujuesuan.ingest.files import images_named, preload_ocr
    from yujuesuan.ingest.worker import start_fork_server

    if args.layout:  # read by extractors.pdf in each worker process (forked with the fork server's environment)
        os.environ["YUJUESUAN_LAYOUT"] = args.layout
    # the workers' fork server imports the extractors (and OCR's libraries for page images) while this
    # process imports the rest
    jobs = args.jobs or os.cpu_count() or 1
    start_fork_server(ocr=preload_ocr(images_named(args.paths, jobs + 1), jobs))
    from yujuesuan.checks.reference import configured, reference_catalogue
    from yujuesuan.ingest.pipeline import extract_paths
    from yujuesuan.ingest.progress import ProgressDisplay
    from yujuesuan.ingest.worker import Budget
    from yujuesuan.warehouse.fs import StorageError
    from yujuesuan.warehouse.store import WarehouseLocked

    start = time.perf_counter()
    if not usable_location(args.warehouse, "--warehouse", "extract"):
        return 2
    logs.setup(log_folder(args.warehouse) / "yujuesuan-extract.log", args.verbose)
    try:
        catalogue = reference_catalogue(configured(args.reference))
        budget = Budget.from_env(args.timeout, args.memory)
        with ProgressDisplay("extract") as progress:
            summary = extract_paths(
                args.paths,
                args.warehouse,
                engine=args.engine,
                jobs=jobs,
                force=args.force,
                follow_symlinks=args.follow_symlinks,
                budget=budget,
                wait=args.wait,
                progress=progress,
                catalogue=catalogue,
            )
    except (FileNotFoundError, WarehouseLocked, StorageError, ValueError) as exc:
        print(f"yujuesuan extract: {exc}", file=sys.stderr)
        return 2
    compacted = compact_after_run(args.warehouse, args.wait)
    took = time.perf_counter() - start
    status = ", ".join(f"{n} {s}" for s, n in sorted(summary.status.items())) or "none"
    rate = f", {summary.pages / took:.1f} pages/s" if summary.pages and took > 0 else ""
    print(
        f"extracted {summary.documents} document(s) ({status}), {summary.unchanged} unchanged and skipped "
        f"(--force to redo), {summary.duplicates} duplicate file(s), {len(summary.skipped)} non-document file(s) "
        f"skipped; {summary.pages} pages, {summary.line_items} line items in {took:.1f}s{rate} → {args.warehouse}"
    )
    if summary.crashed or summary.budget_exceeded:
        print(
            f"warning: {summary.crashed} document(s) crashed the extractor and {summary.budget_exceeded} exceeded "
            f"the budget ({budget.seconds:g} s, {budget.memory_mb} MB); each is failed, its reason in quality_issues"
        )
    for path, why in summary.refused:
        print(f"refused {path}: {why} (--follow-symlinks to take it)")
    if compacted:
        print(f"warning: the warehouse was not compacted: {compacted}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from yujuesuan.checks.reference import configured, reference_catalogue
    from yujuesuan.ingest.pipeline import check_warehouse
    from yujuesuan.warehouse.fs import StorageError
    from yujuesuan.warehouse.store import WarehouseLocked

    if not have_warehouse(args.warehouse, "check"):
        return 2
    try:
        catalogue = reference_catalogue(configured(args.reference))
        status = check_warehouse(args.warehouse, wait=args.wait, catalogue=catalogue)
    except (WarehouseLocked, StorageError, ValueError) as exc:
        print(f"yujuesuan check: {exc}", file=sys.stderr)
        return 2
    print("checked " + ", ".join(f"{n} {s}" for s, n in sorted(status.items())) + f" document(s) in {args.warehouse}")
    if problem := compact_after_run(args.warehouse, args.wait):
        print(f"warning: the warehouse was not compacted: {problem}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from yujuesuan.checks.report import build_report

    if not have_warehouse(args.warehouse, "report"):
        return 2
    out = build_report(args.warehouse, args.out)
    print(f"report written to {out}")
    return 0


def _cmd_debug(args: argparse.Namespace) -> int:
    from yujuesuan.ingest.debug import debug_page

    path = Path(args.file)
    if not path.is_file():
        print(f"yujuesuan debug: no such file: {path}", file=sys.stderr)
        return 2
    data = path.read_bytes()
    if b"%PDF-" not in data[:1024]:
        print(f"yujuesuan debug: {path} is not a PDF (the debug view draws PDF pages)", file=sys.stderr)
        return 2
    try:
        views = debug_page(data, args.page, args.out)
    except ValueError as exc:
        print(f"yujuesuan debug: {exc}", file=sys.stderr)
        return 2
    print(f"page {args.page} of {path.name} drawn into {args.out}")
    if not views:
        print("no standard table's title was found on this page (or running on to it)")
    for v in views:
        print(f"table {v.table} {v.title}: grid from {v.grid_source or 'nothing (no grid)'}, {v.header_rows} header "
              f"row(s), {v.rows} body row(s)")
        for n, (role, path_) in enumerate(v.columns):
            print(f"  column {n}: {role}{' ' + path_ if path_ else ''}")
    return 0


def _cmd_codes(args: argparse.Namespace) -> int:
    from yujuesuan.checks.reference import configured
    from yujuesuan.codes import active
    from yujuesuan.codes.explain import explain, observed_table

    try:
        catalogue = active(configured(args.reference))
    except ValueError as exc:
        print(f"yujuesuan codes: {exc}", file=sys.stderr)
        return 2
    observed = observed_table(args.warehouse)
    if args.code:
        for code in args.code:
            if not code.isdigit():
                print(f"yujuesuan codes: {code!r} is not a classification code (digits, e.g. 20805)", file=sys.stderr)
                return 2
            print("\n".join(explain(code, catalogue, None if observed is None else observed.get(code, {}))))
        return 0
    if observed is None:
        print(f"{len(catalogue)} codes in the catalogue ({catalogue.source}); no codes table in {args.warehouse}")
        return 0
    for code, row in observed.items():
        names = "、".join(row["names"])
        print(f"{code}\t{row['status']}\t{row['documents']} doc(s)\t{names}")
    counts: dict[str, int] = {}
    for row in observed.values():
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    print(f"{len(observed)} codes printed: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return 0


def _cmd_compact(args: argparse.Namespace) -> int:
    from yujuesuan.warehouse.compact import compact
    from yujuesuan.warehouse.store import WarehouseLocked

    if not have_warehouse(args.warehouse, "compact"):
        return 2
    try:
        s = compact(args.warehouse, group_docs=args.group_docs, wait=args.wait)
    except (WarehouseLocked, OSError, ValueError) as exc:
        print(f"yujuesuan compact: {exc}", file=sys.stderr)
        return 2
    print(
        f"compacted {s.documents} document(s) into {s.groups_written} group(s); {s.files_removed} file(s) removed "
        f"in {s.seconds:.1f}s → {args.warehouse}"
    )
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    ex = sub.add_parser(
        "extract",
        help="extract local files and folders into the warehouse (no network)",
        description="Extract disclosure documents (files, or folders walked recursively) into the "
        "warehouse's Parquet tables. Exits 0 whatever the documents' quality.",
        epilog=EXTRACT_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ex.add_argument("paths", nargs="+", help="files or folders")
    ex.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    ex.add_argument("--engine", choices=["pdfplumber", "camelot"], default="pdfplumber", help="table engine")
    ex.add_argument(
        "--layout",
        choices=["pdfium", "pdfminer"],
        default=None,
        help="PDF layout stage (default: pdfium, or YUJUESUAN_LAYOUT); pdfminer is the slower reference",
    )
    ex.add_argument("--jobs", type=int, default=0, help="documents extracted in parallel (default: all cores)")
    ex.add_argument("--force", action="store_true", help="extract again documents the warehouse holds already")
    ex.add_argument(
        "--follow-symlinks", action="store_true", help="take symbolic links that point out of the folders named"
    )
    ex.add_argument("--timeout", type=float, help="seconds one document may take, plus 5 s a page (default 120)")
    ex.add_argument("--memory", type=int, help="MB one document's extraction may use (default 2048)")
    ex.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another writer of the warehouse")
    ex.add_argument("--reference", help="folder of *_codes.csv (code,name) for the catalogue checks")
    ex.set_defaults(func=_cmd_extract)
    chk = sub.add_parser(
        "check",
        help="re-run the quality-check catalogue on the warehouse (no re-extraction)",
        description="Run every rule of the check catalogue on each stored document, replace its "
        "check issues in quality_issues and recompute documents.status.",
        epilog="example:\n  yujuesuan check --warehouse data/warehouse\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    chk.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    chk.add_argument("--reference", help="folder of *_codes.csv (code,name) for the catalogue checks")
    chk.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another writer of the warehouse")
    chk.set_defaults(func=_cmd_check)
    rep = sub.add_parser(
        "report",
        help="write the quality report (HTML, or Markdown for a .md name) with crops of the cells involved",
        description="Per document: the checks passed and failed; for each failure the rule, the numbers on "
        "both sides, the page and a PNG crop of the cells, rendered from the stored document.",
        epilog="example:\n  yujuesuan report --warehouse data/warehouse --out report.html\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rep.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    rep.add_argument("--out", default="report.html", help="report file: .html or .md (default: report.html)")
    rep.set_defaults(func=_cmd_report)
    dbg = sub.add_parser(
        "debug",
        help="draw what the table engine saw on one page: regions, rules, column and row cuts, header rows, cells",
        description="Render one PDF page with the engine's view drawn over it: ruling lines (grey), table regions "
        "(blue), column cuts (red), row cuts (pink), header rows (yellow), cells (green), and each column's role "
        "and header path. Prints the same as text.",
        epilog="example:\n  yujuesuan debug report.pdf --page 7 --out page7.png\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dbg.add_argument("file", help="a PDF")
    dbg.add_argument("--page", type=int, required=True, help="1-based page number")
    dbg.add_argument("--out", default="page.png", help="PNG to write (default: page.png)")
    dbg.set_defaults(func=_cmd_debug)
    cod = sub.add_parser(
        "codes",
        help="the classification codes: catalogue names by year, and what the warehouse prints",
        description="Without CODE: every code the warehouse's documents print, with its status against the "
        "code catalogue (known, renamed, name_differs, unknown). With CODE: its names by year, renames, "
        "abbreviations, and where it is printed.",
        epilog="examples:\n  yujuesuan codes\n  yujuesuan codes 20805 2080505\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cod.add_argument("code", nargs="*", help="codes to explain (e.g. 20805)")
    cod.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    cod.add_argument("--reference", help="folder of *_codes.csv (code,name) to use instead of the shipped catalogue")
    cod.set_defaults(func=_cmd_codes)
    com = sub.add_parser(
        "compact",
        help="fold each document's own files into a few Parquet files per table and year",
        description="Compact the warehouse: the files each document was written as are folded into groups "
        "(a year's documents, at most --group-docs in a group), one Parquet file per table and group, sorted by "
        "unit and code. Only groups that change are rewritten; readers see each document once throughout. "
        "extract and nightly compact after each run.",
        epilog="example:\n  yujuesuan compact --warehouse data/warehouse\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    com.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
    com.add_argument("--group-docs", type=int, default=2000, help="documents in one group (default 2000)")
    com.add_argument("--wait", type=float, default=0.0, help="seconds to wait for another writer of the warehouse")
    com.set_defaults(func=_cmd_compact)
