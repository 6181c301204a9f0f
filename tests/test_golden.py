"""Golden documents against their frozen records, one case per folder of tests/golden/ and CSV in it.

A folder is a case: `source.yaml` names the document (under ../shared or the repo's data/) with its sha256
and size, each CSV freezes one kind of record; see tests/golden_docs.py and scripts/update_golden.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from extractors.extraction import Extraction
from tests.golden_docs import (
    GOLDEN_DIR,
    KINDS,
    REPO,
    GoldenError,
    Source,
    compare,
    diff_rows,
    extract,
    golden_folders,
    load_source,
    read_document,
    short,
)

CASES = [(folder.name, csv.stem) for folder in golden_folders() for csv in sorted(folder.glob("*.csv"))]


@cache
def _extraction(doc: str) -> Extraction:
    source = load_source(GOLDEN_DIR / doc)
    return extract(source, read_document(source))


def _source_or_skip(doc: str) -> Source:
    source = load_source(GOLDEN_DIR / doc)
    if source.in_shared and not source.file.exists():
        pytest.skip(f"{source.path} is not here (../shared is only beside CI and developer checkouts)")
    return source


@pytest.mark.parametrize(("doc", "kind"), CASES, ids=[f"{d}/{k}" for d, k in CASES])
def test_golden(doc: str, kind: str) -> None:
    source = _source_or_skip(doc)
    try:
        ex = _extraction(doc)
    except GoldenError as exc:
        pytest.fail(str(exc), pytrace=False)
    lines = compare(kind, (source.folder / f"{kind}.csv").read_text(encoding="utf-8"), ex)
    if lines:
        pytest.fail(
            f"{doc}/{kind}.csv: {len(lines)} differences (- frozen only, + read only, ~ changed cell); "
            f"after a deliberate change run python scripts/update_golden.py {doc}\n{short(lines)}",
            pytrace=False,
        )


def test_every_folder_is_a_complete_case() -> None:
    folders = golden_folders()
    assert len(folders) >= 5
    for folder in folders:
        source = load_source(folder)
        assert source.sha256 and source.size, f"{folder.name}/source.yaml records no sha256/size"
        csvs = {p.stem for p in folder.glob("*.csv")}
        assert csvs, f"{folder.name} freezes nothing"
        assert csvs <= set(KINDS), f"{folder.name}: {sorted(csvs - set(KINDS))} are not kinds of {sorted(KINDS)}"
        assert not {p.name for p in folder.iterdir()} - {"source.yaml"} - {f"{k}.csv" for k in csvs}


def test_some_golden_documents_need_no_shared_folder() -> None:
    local = [f.name for f in golden_folders() if not load_source(f).in_shared]
    assert local, "every golden document is under ../shared: CI without it would check nothing"
    for doc in local:
        assert _extraction(doc).items, doc


# the comparison itself

KIND = KINDS["facts"]


def _fact(metric: str, value: str, page: str = "4", qualifier: str = "") -> dict[str, str]:
    return {"metric": metric, "qualifier": qualifier, "value": value, "value_unit": "元", "page": page}


def test_the_diff_names_missing_extra_and_changed_rows_by_their_key() -> None:
    frozen = [_fact("total", "10.00"), _fact("budget", "5.00"), _fact("basic", "3.00")]
    now = [_fact("total", "11.00"), _fact("basic", "3.00"), _fact("project", "2.00")]
    assert diff_rows(KIND, frozen, now) == [
        "- [metric=budget page=4] value=5.00 value_unit=元",
        "+ [metric=project page=4] value=2.00 value_unit=元",
        "~ [metric=total page=4] value: '10.00' → '11.00'",
    ]


def test_repeated_keys_are_told_apart_by_their_occurrence() -> None:
    frozen = [_fact("total", "1.00"), _fact("total", "1.00")]
    assert diff_rows(KIND, frozen, frozen) == []
    assert diff_rows(KIND, frozen, frozen[:1]) == ["- [metric=total page=4 #2] value=1.00 value_unit=元"]


def test_the_same_rows_in_another_order_still_differ() -> None:
    rows = [_fact("total", "1.00"), _fact("basic", "2.00")]
    assert diff_rows(KIND, rows, rows[::-1]) == [
        "same rows in another order, first at row 1: [metric=basic page=4]"
    ]


def test_a_long_diff_is_cut_to_twenty_lines() -> None:
    now = [_fact(f"m{i}", "1.00") for i in range(50)]
    text = short(diff_rows(KIND, [], now))
    assert len(text.splitlines()) == 21 and text.endswith("… and 30 more")


def test_a_stale_header_asks_for_a_refreeze() -> None:
    (line,) = compare("facts", "metric,value\ntotal,1\n", Extraction.__new__(Extraction))
    assert "re-freeze" in line


def _folder(tmp_path: Path, name: str, data: bytes, sha256: str, size: int) -> Source:
    doc = tmp_path / f"{name}.pdf"
    doc.write_bytes(data)
    folder = tmp_path / name
    folder.mkdir()
    (folder / "source.yaml").write_text(f"path: data/x.pdf\nsha256: {sha256}\nsize: {size}\n", encoding="utf-8")
    source = load_source(folder)
    return Source(folder, str(doc), source.sha256, source.size)


def test_a_document_with_another_sha256_fails_with_a_clear_message(tmp_path: Path) -> None:
    changed = _folder(tmp_path, "changed", b"%PDF-1.4 changed", "ab" * 32, 16)
    with pytest.raises(GoldenError, match=r"has sha256 [0-9a-f]{12}… \(16 bytes\), source.yaml expects abababab"):
        read_document(changed)
    same = _folder(tmp_path, "same", b"%PDF", hashlib.sha256(b"%PDF").hexdigest(), 4)
    assert read_document(same) == b"%PDF"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sha256: x\n", "needs a 'path'"),
        ("path: /etc/passwd\n", "neither under ../shared/, data/ nor tests/golden/"),
        ("path: data/x.pdf\nsha: 1\n", "unknown keys \\['sha'\\]"),
        ("path: [\n", "not valid YAML"),
        (f"path: data/x.pdf\nsha256: {'0' * 64}\n", "sha256 must be 64 lowercase hex digits"),
        ("path: data/x.pdf\nsize: big\n", "size must be a number"),
    ],
)
def test_a_bad_source_yaml_is_one_line_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "source.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(GoldenError, match=message) as info:
        load_source(tmp_path)
    assert "source.yaml" in str(info.value) and "\n" not in str(info.value)


def _update_golden() -> ModuleType:  # scripts/ is not a package
    spec = importlib.util.spec_from_file_location("update_golden", REPO / "scripts" / "update_golden.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_update_golden_fills_a_new_folder_and_prints_its_diff(tmp_path: Path, capsys) -> None:
    frozen = GOLDEN_DIR / "sample-01-wanyuan-grid"
    folder = tmp_path / "sample-01-wanyuan-grid"
    folder.mkdir()
    (folder / "source.yaml").write_text(f"path: {load_source(frozen).path}\n", encoding="utf-8")
    update_golden = _update_golden()
    update_golden.update(folder, [], repin=False)
    assert load_source(folder).sha256 == load_source(frozen).sha256
    assert sorted(p.name for p in folder.glob("*.csv")) == ["line_items.csv", "tables.csv"]
    for name in ("line_items.csv", "tables.csv"):
        assert (folder / name).read_text(encoding="utf-8") == (frozen / name).read_text(encoding="utf-8")
    (folder / "tables.csv").write_text("table_code,table_family,table_title,pages,currency_unit,code_layout,empty\n")
    update_golden.update(folder, [], repin=False)
    out = capsys.readouterr().out
    assert "sample-01-wanyuan-grid/tables.csv: 3 rows, 3 changed\n  + [table_code=01 table_family=summary]" in out
    assert (folder / "tables.csv").read_text(encoding="utf-8") == (frozen / "tables.csv").read_text(encoding="utf-8")


def test_update_golden_refuses_a_changed_document_without_repin(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    path = load_source(GOLDEN_DIR / "sample-01-wanyuan-grid").path
    (folder / "source.yaml").write_text(f"path: {path}\nsha256: {'ab' * 32}\nsize: 1\n", encoding="utf-8")
    update_golden = _update_golden()
    with pytest.raises(GoldenError, match="the document changed"):
        update_golden.update(folder, [], repin=False)
    assert not list(folder.glob("*.csv"))
    update_golden.update(folder, [], repin=True)
    assert load_source(folder).sha256 == load_source(GOLDEN_DIR / "sample-01-wanyuan-grid").sha256
