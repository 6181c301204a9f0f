"""Every real 决算/预算 document in ../shared/real/docs, one case per file: profile, tables, Σ children = parent.

What a document is excused from, and why, is tests/real_corpus.yaml (by file name).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from extractors.document import extract_document
from extractors.extraction import Extraction
from tests.conftest import SHARED

DOCS = SHARED / "real" / "docs"
CORPUS_YAML = Path(__file__).resolve().parent / "real_corpus.yaml"
TAIL = Decimal(100)  # 尾差: 0.01 万元 per addend, in 元
MODIFIED = "04_shpt_czj_2024_js-MODIFIED__24年普陀区财政局（测试问题版本）.pdf"  # its table 03 removed


def load_corpus(path: Path = CORPUS_YAML) -> dict[str, dict[str, Any]]:
    """The exclusions and explanations, each reason a sentence; a malformed file is a one-line error."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    sections = {"excluded", "explained_errors", "hierarchy_misses"}
    if not isinstance(spec, dict) or set(spec) - sections:
        raise ValueError(f"{path.name}: the sections are {sorted(sections)}, not {sorted(spec)}")
    corpus = {s: spec.get(s) or {} for s in sections}
    for name, reason in corpus["excluded"].items():
        _sentence(path, name, reason)
    for name, errors in corpus["explained_errors"].items():
        for check_id, reason in errors.items():
            _sentence(path, f"{name} {check_id}", reason)
    for name, miss in corpus["hierarchy_misses"].items():
        if set(miss) != {"parents", "at_most", "reason"}:
            raise ValueError(f"{path.name}: hierarchy_misses of {name} needs parents, at_most and reason")
        _sentence(path, name, miss["reason"])
    return corpus


def _sentence(path: Path, what: str, reason: object) -> None:
    if not (isinstance(reason, str) and len(reason.split()) >= 4 and reason.rstrip().endswith(".")):
        raise ValueError(f"{path.name}: the reason for {what} is not a sentence: {reason!r}")


CORPUS = load_corpus()


def _cases() -> list[Any]:
    if not DOCS.is_dir():
        return [pytest.param("", marks=pytest.mark.skip(reason=f"{DOCS} is not here"), id="no-shared")]
    return [
        pytest.param(p.name, id=p.name, marks=_skip(p.name)) for p in sorted(DOCS.iterdir()) if p.is_file()
    ]


def _skip(name: str) -> list[pytest.MarkDecorator]:
    reason = CORPUS["excluded"].get(name)
    return [pytest.mark.skip(reason=f"{name}: {' '.join(reason.split())}")] if reason else []


CASES = _cases()


@cache
def _extract(name: str) -> Extraction:
    return extract_document((DOCS / name).read_bytes(), name)


def _hierarchy(items) -> tuple[int, int, list[tuple[str, str]]]:
    """Each coded parent against the sum of its children, per table, section and column: (parent, how) when off."""
    cells: dict[tuple, dict[str, Decimal]] = defaultdict(dict)
    for i in items:
        if i.code:
            cells[(i.table_code, i.section, i.column)].setdefault(i.code, i.value)
    ok = total = 0
    bad = []
    for key, codes in cells.items():
        for parent, value in codes.items():
            kids = [v for c, v in codes.items() if len(c) == len(parent) + 2 and c.startswith(parent)]
            if not kids:
                continue
            total += 1
            if abs(sum(kids) - value) <= TAIL * len(kids):
                ok += 1
            else:
                bad.append((parent, f"{key} {parent}: {value} vs Σ {sum(kids)}"))
    return ok, total, bad


def _totals(items) -> tuple[int, int, list[str]]:
    """Each 合计 row against the sum of the table's top-level (类) rows, per column."""
    by_key: dict[tuple, dict] = defaultdict(lambda: {"total": None, "tops": {}})
    for i in items:
        key = (i.table_code, i.section, i.column)
        if i.code is None and i.row_label in ("合计", "总计"):
            by_key[key]["total"] = i.value
        elif i.code and len(i.code) == 3:
            by_key[key]["tops"].setdefault(i.code, i.value)
    ok = total = 0
    bad = []
    for key, d in by_key.items():
        if d["total"] is None or not d["tops"]:
            continue
        total += 1
        s = sum(d["tops"].values())
        if abs(s - d["total"]) <= TAIL * len(d["tops"]):
            ok += 1
        else:
            bad.append(f"{key}: 合计 {d['total']} vs Σ 类 {s}")
    return ok, total, bad


@pytest.mark.parametrize("name", CASES)
def test_kind_year_and_unit(name: str) -> None:
    doc = _extract(name).document
    assert doc.kind == ("budget" if "_ys-" in name else "final")
    assert doc.year == int(name.split("_")[3])
    assert doc.unit_name


@pytest.mark.parametrize("name", CASES)
def test_tables_promised_by_the_contents_are_found(name: str) -> None:
    ex = _extract(name)
    if not any(t.items for t in ex.tables):  # narrative-only half of a split publication
        assert ex.toc
        return
    assert set(ex.toc) <= {t.table_family for t in ex.tables}


@pytest.mark.parametrize("name", CASES)
def test_coded_parents_equal_the_sum_of_their_children(name: str) -> None:
    _, _, bad = _hierarchy(_extract(name).items)
    miss = CORPUS["hierarchy_misses"].get(name)
    if miss is None:
        assert not bad
        return
    assert {parent for parent, _ in bad} <= set(miss["parents"]), bad
    assert len(bad) <= miss["at_most"], bad


@pytest.mark.parametrize("name", CASES)
def test_total_rows_equal_the_sum_of_top_level_rows(name: str) -> None:
    _, _, bad = _totals(_extract(name).items)
    assert not bad


@pytest.mark.parametrize("name", CASES)
def test_no_errors_but_the_explained_ones(name: str) -> None:
    from yujuesuan.checks.apply import apply_checks
    from yujuesuan.warehouse.store import extraction_rows

    rows = extraction_rows(_extract(name))
    apply_checks(rows)
    errors = {i["check_id"] for i in rows["quality_issues"] if i["severity"] == "error"}
    assert errors <= set(CORPUS["explained_errors"].get(name, {}))


def test_the_corpus_checks_enough_sums() -> None:
    names = [p.values[0] for p in CASES if not p.marks]
    if not names:
        pytest.skip(f"{DOCS} is not here")
    hierarchy = sum(_hierarchy(_extract(n).items)[1] for n in names)
    totals = sum(_totals(_extract(n).items)[1] for n in names)
    assert hierarchy > 2000 and totals > 150, (hierarchy, totals)


def test_every_name_in_the_yaml_is_a_file_of_the_corpus() -> None:
    if not DOCS.is_dir():
        pytest.skip(f"{DOCS} is not here")
    files = {p.name for p in DOCS.iterdir()}
    for section, names in CORPUS.items():
        assert set(names) <= files, (section, sorted(set(names) - files))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("excluded:\n  a.pdf: template\n", "the reason for a.pdf is not a sentence"),
        ("skipped:\n  a.pdf: A blank template, not a disclosure.\n", "the sections are"),
        ("hierarchy_misses:\n  a.pdf: {parents: ['201']}\n", "needs parents, at_most and reason"),
    ],
)
def test_a_bad_corpus_yaml_is_a_one_line_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "corpus.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_corpus(tmp_path / "corpus.yaml")


def test_the_document_with_table_03_removed_is_flagged() -> None:
    if not (DOCS / MODIFIED).exists():
        pytest.skip(f"{DOCS / MODIFIED} is not here")
    from yujuesuan.checks.apply import apply_checks
    from yujuesuan.warehouse.store import extraction_rows

    rows = extraction_rows(_extract(MODIFIED))
    apply_checks(rows)
    missing = [i for i in rows["quality_issues"] if i["check_id"] == "structure.table_missing"]
    assert [(i["severity"], i["table_code"]) for i in missing] == [("error", "03")]
    assert rows["documents"][0]["status"] == "partial"
