"""The sample commands: generate (the synthetic disclosures) and bench (scores against ground truth)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

SAMPLES_EXTRA = "pip install 'yujuesuan[samples]'"


def missing_samples(command: str) -> str | None:
    """A one-line reason when the samples extra (reportlab, python-docx) is not installed, else None."""
    try:
        import reportlab  # noqa: F401
    except ImportError:
        return f"yujuesuan {command}: needs the development tools of the samples extra ({SAMPLES_EXTRA}): no reportlab"
    return None


def _cmd_generate(args: argparse.Namespace) -> int:
    if problem := missing_samples("generate"):
        print(problem, file=sys.stderr)
        return 2
    from yujuesuan.samples.generator import SAMPLE_LAYOUTS, generate

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for seed, layout in SAMPLE_LAYOUTS:
        gen = generate(seed, layout)
        path = out / f"sample-{seed:02d}-{layout.currency}-{layout.rules}{'-split' if layout.split_codes else ''}.pdf"
        path.write_bytes(gen.pdf)
        print(f"{path} ({gen.unit_name} {gen.year}, {len(gen.expected)} known figures)")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    import tempfile

    if problem := missing_samples("bench"):
        print(problem, file=sys.stderr)
        return 2
    from yujuesuan.samples.bench import bench, report, write_corpus

    with tempfile.TemporaryDirectory(prefix="yujuesuan-corpus-") as tmp:
        folder = Path(args.folder) if args.folder else Path(tmp)
        if not args.folder:
            write_corpus(folder)
            if args.office:
                from yujuesuan.samples.office import write_converted

                try:
                    write_converted(folder)
                except RuntimeError as exc:
                    print(f"yujuesuan bench: {exc}", file=sys.stderr)
                    return 2
            print(f"the generated corpus: {len(list(folder.glob('*.json')))} documents with their truth")
        elif not folder.is_dir():
            print(f"yujuesuan bench: no such folder: {folder}", file=sys.stderr)
            return 2
        result = bench(folder, args.warehouse, planted=args.planted, jobs=args.jobs or os.cpu_count() or 1)
    print(report(result))
    if not result.documents:
        print(f"yujuesuan bench: no document with a ground-truth JSON in {folder}", file=sys.stderr)
        return 1
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    gen = sub.add_parser(
        "generate",
        help="write the synthetic sample disclosures (the bundled data/samples)",
        description="Write synthetic 部门决算 PDFs with known numbers, made by the project's generator.",
        epilog="example:\n  yujuesuan generate --out data/samples\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gen.add_argument("--out", default="data/samples", help="folder to write into (default: data/samples)")
    gen.set_defaults(func=_cmd_generate)
    ben = sub.add_parser(
        "bench",
        help="score extraction against ground truth: cells per table family, facts, findings, planted errors",
        description="Extract every document of FOLDER that has a ground-truth JSON beside it (the format of "
        "../shared/fixtures) and print cell recall and precision per table family, fact recall, the "
        "error-level findings on those documents, and (--planted N) how many planted errors the checks catch. "
        "Without FOLDER: the project's own generated corpus (every layout family the generator makes).",
        epilog="examples:\n  yujuesuan bench                       # the generated corpus\n"
        "  yujuesuan bench ../shared/fixtures --planted 50\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ben.add_argument("folder", nargs="?", help="documents with their ground-truth JSON (default: generate them)")
    ben.add_argument("--planted", type=int, default=20, help="planted-error trials (default 20; 0: none)")
    ben.add_argument("--warehouse", help="keep the warehouse here (default: a temporary one)")
    ben.add_argument("--jobs", type=int, default=0, help="documents extracted in parallel (default: all cores)")
    ben.add_argument(
        "--office", action="store_true",
        help="add the second producer's corpus: XLSX/DOCX and their LibreOffice PDF and HTML (needs soffice)",
    )
    ben.set_defaults(func=_cmd_bench)
