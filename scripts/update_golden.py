"""Rewrite the golden folders tests/golden/<doc>/ from the current extractor and print what changed.

    python scripts/update_golden.py                    # every folder: rewrite the CSVs it holds
    python scripts/update_golden.py sample-01-wanyuan-grid --add tables
    python scripts/update_golden.py DOC --repin        # the document itself changed: record its new sha256

A new folder needs only a source.yaml with its `path`: its sha256 and size are filled in, and every
kind of record the document yields is written. Read the printed diff before committing.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.golden_docs import (  # noqa: E402
    GOLDEN_DIR,
    KINDS,
    GoldenError,
    Source,
    compare,
    extract,
    golden_folders,
    load_source,
    read_document,
    records,
    short,
    to_csv,
    write_source,
)


def _pin(source: Source, repin: bool) -> Source:
    """The source with its sha256 and size recorded (new folder, or --repin after a deliberate change)."""
    if not source.file.is_file():
        raise GoldenError(f"{source.path} is not here")
    data = source.file.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if source.sha256 is None or repin:
        if (source.sha256, source.size) != (digest, len(data)):
            source = dataclasses.replace(source, sha256=digest, size=len(data))
            write_source(source)
            print(f"{source.folder.name}: source.yaml now records sha256 {digest[:12]}… ({len(data)} bytes)")
    return source


def _kinds(folder: Path, ex_kinds: dict[str, int], add: list[str]) -> list[str]:
    held = [k for k in KINDS if (folder / f"{k}.csv").exists()]
    if not held:  # a new folder: every kind the document yields, line items and tables always
        held = [k for k in KINDS if ex_kinds[k] or k in ("line_items", "tables")]
    return [k for k in KINDS if k in held or k in add]


def update(folder: Path, add: list[str], repin: bool) -> None:
    source = _pin(load_source(folder), repin)
    ex = extract(source, read_document(source))
    counts = {name: len(getattr(ex, kind.attr)) for name, kind in KINDS.items()}
    for name in _kinds(folder, counts, add):
        target = folder / f"{name}.csv"
        old = target.read_text(encoding="utf-8") if target.exists() else to_csv(KINDS[name], [])
        lines = compare(name, old, ex)
        target.write_text(to_csv(KINDS[name], records(ex, KINDS[name])), encoding="utf-8")
        print(f"{folder.name}/{name}.csv: {counts[name]} rows, {len(lines)} changed")
        if lines:
            print("  " + short(lines).replace("\n", "\n  "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("docs", nargs="*", help="golden folder names (default: every folder)")
    parser.add_argument("--add", action="append", default=[], choices=sorted(KINDS), help="also write this CSV")
    parser.add_argument("--repin", action="store_true", help="record the document's new sha256 and size")
    args = parser.parse_args(argv)
    folders = [GOLDEN_DIR / d for d in args.docs] if args.docs else golden_folders()
    failed = 0
    for folder in folders:
        try:
            if not folder.is_dir():
                raise GoldenError(f"{folder.name} is not a folder of {GOLDEN_DIR}")
            update(folder, args.add, args.repin)
        except GoldenError as exc:
            failed += 1
            print(f"{folder.name}: {exc}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
