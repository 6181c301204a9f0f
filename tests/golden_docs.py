"""Golden documents: one folder per document under tests/golden/, compared row by row.

Each folder `tests/golden/<doc>/` holds `source.yaml` (where the document is: a path relative to the
repository, under `../shared/` or the repo's `data/`, with its sha256 and size) and small CSVs of what
the extractor reads from it, one per record kind (`line_items.csv`, `facts.csv`, `variances.csv`,
`projects.csv`, `tables.csv`). Adding a folder adds a case. Regenerate after a deliberate change with
`python scripts/update_golden.py [DOC ...]`, which prints the diff, then read it before committing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from extractors.document import extract_document
from extractors.extraction import Extraction

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
REPO = GOLDEN_DIR.parent.parent
SHARED_PREFIX = "../shared/"
DIFF_LINES = 20  # a failing case shows at most this many differences


class GoldenError(Exception):
    """A golden folder that cannot be checked: its source.yaml is wrong, or the document changed."""


@dataclass(frozen=True)
class Kind:
    """One frozen CSV: the Extraction attribute it reads, its columns, the columns that key a row."""

    attr: str
    columns: tuple[str, ...]
    key: tuple[str, ...]


KINDS: dict[str, Kind] = {
    "line_items": Kind(
        "items",
        ("table_code", "table_family", "section", "code", "row_label", "column", "printed", "value", "page"),
        ("table_code", "section", "code", "row_label", "column", "page"),
    ),
    "facts": Kind("facts", ("metric", "qualifier", "value", "value_unit", "page"), ("metric", "qualifier", "page")),
    "variances": Kind(
        "variances",
        ("code", "row_label", "initial_budget", "final", "completion_rate", "reason", "page"),
        ("code", "row_label"),
    ),
    "projects": Kind(
        "projects",
        ("project_name", "budget", "executed", "execution_rate", "score", "grade", "page"),
        ("project_name", "page"),
    ),
    "tables": Kind(
        "tables",
        ("table_code", "table_family", "table_title", "pages", "currency_unit", "code_layout", "empty"),
        ("table_code", "table_family"),
    ),
}


@dataclass(frozen=True)
class Source:
    """Where a golden document is, as its folder's source.yaml says."""

    folder: Path
    path: str  # relative to the repository root: ../shared/... or data/...
    sha256: str | None
    size: int | None
    description: str = ""

    @property
    def file(self) -> Path:
        return (REPO / self.path).resolve()

    @property
    def in_shared(self) -> bool:
        return self.path.startswith(SHARED_PREFIX)


def golden_folders() -> list[Path]:
    return sorted(p for p in GOLDEN_DIR.iterdir() if p.is_dir()) if GOLDEN_DIR.exists() else []


def load_source(folder: Path) -> Source:
    where = folder / "source.yaml"
    if not where.exists():
        raise GoldenError(f"{_rel(where)} is missing: every golden folder names its document there")
    try:
        spec = yaml.safe_load(where.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise GoldenError(f"{_rel(where)} is not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("path"), str):
        raise GoldenError(f"{_rel(where)} needs a 'path' (relative to the repository: ../shared/... or data/...)")
    unknown = set(spec) - {"path", "sha256", "size", "description"}
    if unknown:
        raise GoldenError(f"{_rel(where)} has unknown keys {sorted(unknown)}")
    path = spec["path"]
    if not (path.startswith(SHARED_PREFIX) or path.startswith("data/") or path.startswith("tests/golden/")):
        raise GoldenError(f"{_rel(where)}: path {path!r} is neither under ../shared/, data/ nor tests/golden/")
    sha256, size = spec.get("sha256"), spec.get("size")
    if sha256 is not None and not (isinstance(sha256, str) and re.fullmatch(r"[0-9a-f]{64}", sha256)):
        raise GoldenError(f"{_rel(where)}: sha256 must be 64 lowercase hex digits, as a string")
    if size is not None and not isinstance(size, int):
        raise GoldenError(f"{_rel(where)}: size must be a number of bytes")
    return Source(folder, path, sha256, size, str(spec.get("description", "")))


def write_source(source: Source) -> None:
    spec: dict[str, object] = {"path": source.path, "sha256": source.sha256, "size": source.size}
    if source.description:
        spec["description"] = source.description
    text = yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=120)
    (source.folder / "source.yaml").write_text(text, encoding="utf-8")


def read_document(source: Source) -> bytes:
    """The document's bytes, once its size and sha256 are those source.yaml records."""
    if not source.file.is_file():
        raise GoldenError(f"{_rel(source.folder)}: {source.path} is not here")
    data = source.file.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if source.sha256 is None or source.size is None:
        raise GoldenError(
            f"{_rel(source.folder)}/source.yaml records no sha256/size: run python scripts/update_golden.py"
        )
    if digest != source.sha256 or len(data) != source.size:
        raise GoldenError(
            f"{_rel(source.folder)}: {source.path} has sha256 {digest[:12]}… ({len(data)} bytes), source.yaml "
            f"expects {source.sha256[:12]}… ({source.size} bytes): the document changed, restore it or re-freeze "
            "with python scripts/update_golden.py --repin"
        )
    return data


def extract(source: Source, data: bytes) -> Extraction:
    return extract_document(data, source.file.name)


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def records(ex: Extraction, kind: Kind) -> list[dict[str, str]]:
    return [{c: cell(getattr(r, c)) for c in kind.columns} for r in getattr(ex, kind.attr)]


def to_csv(kind: Kind, rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(kind.columns)
    for row in rows:
        w.writerow([row[c] for c in kind.columns])
    return out.getvalue()


def from_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, [])
    return header, [dict(zip(header, r, strict=False)) for r in reader]


def _keyed(kind: Kind, rows: list[dict[str, str]]) -> dict[tuple[str, ...], dict[str, str]]:
    """Rows by their key; a key seen again gets its occurrence number (#2, #3 ...) as last part."""
    seen: Counter[tuple[str, ...]] = Counter()
    out: dict[tuple[str, ...], dict[str, str]] = {}
    for row in rows:
        base = tuple(row.get(c, "") for c in kind.key)
        seen[base] += 1
        out[base + (f"#{seen[base]}",)] = row
    return out


def _label(kind: Kind, key: tuple[str, ...]) -> str:
    parts = [f"{c}={v}" for c, v in zip(kind.key, key, strict=False) if v]
    occurrence = key[-1]
    return "[" + " ".join(parts) + ("" if occurrence == "#1" else f" {occurrence}") + "]"


def _rest(kind: Kind, row: dict[str, str]) -> str:
    return " ".join(f"{c}={row.get(c, '')}" for c in kind.columns if c not in kind.key)


def diff_rows(kind: Kind, expected: list[dict[str, str]], actual: list[dict[str, str]]) -> list[str]:
    """Every difference, one line each: missing rows (-), extra rows (+), changed cells (~), then order."""
    want, got = _keyed(kind, expected), _keyed(kind, actual)
    lines = [f"- {_label(kind, k)} {_rest(kind, row)}" for k, row in want.items() if k not in got]
    lines += [f"+ {_label(kind, k)} {_rest(kind, row)}" for k, row in got.items() if k not in want]
    for k, row in want.items():
        if k in got:
            lines += [
                f"~ {_label(kind, k)} {c}: {row.get(c, '')!r} → {got[k].get(c, '')!r}"
                for c in kind.columns
                if row.get(c, "") != got[k].get(c, "")
            ]
    if not lines and list(want) != list(got):
        at = next(i for i, (a, b) in enumerate(zip(want, got, strict=True)) if a != b)
        lines.append(f"same rows in another order, first at row {at + 1}: {_label(kind, list(got)[at])}")
    return lines


def short(lines: list[str], limit: int = DIFF_LINES) -> str:
    if len(lines) <= limit:
        return "\n".join(lines)
    return "\n".join(lines[:limit] + [f"… and {len(lines) - limit} more"])


def compare(kind_name: str, expected_csv: str, ex: Extraction) -> list[str]:
    """The differences between a frozen CSV and what the extractor reads now (none: the case passes)."""
    kind = KINDS[kind_name]
    header, expected = from_csv(expected_csv)
    if tuple(header) != kind.columns:
        return [f"columns {header} are not {list(kind.columns)}: re-freeze with python scripts/update_golden.py"]
    return diff_rows(kind, expected, records(ex, kind))


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)
