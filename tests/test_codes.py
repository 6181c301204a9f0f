"""The shipped code catalogue: names by year, renames, abbreviations; the catalogue rules by default;
the warehouse's codes table; `yujuesuan codes`."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import shared_path
from yujuesuan.checks import run_checks
from yujuesuan.checks.reference import configured, reference_catalogue
from yujuesuan.checks.rules import DocData
from yujuesuan.codes import Catalogue, is_abbreviation, shipped
from yujuesuan.codes.observed import observed_codes

REPO = Path(__file__).resolve().parent.parent


def coded(code: str, label: str, year: int | None, catalogue: Catalogue | None = None) -> DocData:
    item = {"doc_id": "d", "table_code": "03", "table_family": "expenditure", "section": None, "row_label": label,
            "code": code, "column": "合计", "value": Decimal(1), "row_index": 0, "panel": 0}
    return DocData({"doc_id": "d", "kind": "final", "year": year},
                   [{"table_code": "03", "table_family": "expenditure", "line_items": 1}], [item],
                   catalogue=catalogue)


def issues(case: DocData, check_id: str) -> list[dict]:
    return [i for i in run_checks(case).issues if i["check_id"] == check_id]


def test_a_renamed_code_has_its_name_for_each_year() -> None:
    cat = shipped()
    assert cat.name_for("20805", 2018) == "行政事业单位离退休"
    assert cat.name_for("20805", 2024) == "行政事业单位养老支出"
    assert [e.name for e in cat.names("20805")] == ["行政事业单位离退休", "行政事业单位养老支出"]
    assert cat.names("20805")[1].renamed_from == "行政事业单位离退休"


def test_the_catalogue_rules_run_without_a_reference() -> None:
    assert [i["severity"] for i in issues(coded("2999999", "某某支出", 2024), "catalogue.code_unknown")] == ["warning"]
    assert not issues(coded("2080505", "机关事业单位基本养老保险缴费支出", 2024), "catalogue.code_unknown")


@pytest.mark.parametrize(
    ("code", "label", "year"),
    [
        ("20805", "行政事业单位养老支出", 2024),  # the year's name
        ("20805", "行政事业单位离退休", 2024),  # a known earlier name
        ("20805", "行政事业单位离退休", 2018),
        ("2080505", "基本养老保险", 2024),  # an abbreviation (docs 02/03 print it)
        ("2080506", "职业年金缴费", 2024),
        ("20805", "行政事业单位养老支出", None),  # year unknown: any of its names
    ],
)
def test_names_the_catalogue_accepts(code: str, label: str, year: int | None) -> None:
    assert not issues(coded(code, label, year), "catalogue.code_name")


@pytest.mark.parametrize(
    ("code", "label", "year", "expected"),
    [
        ("20805", "行政事业单位养老支出", 2018, "行政事业单位离退休"),  # the later name, years before it
        ("20805", "教育支出", 2024, "行政事业单位养老支出"),
        ("2080505", "养老", 2024, "机关事业单位基本养老保险缴费支出"),  # too short to be an abbreviation
    ],
)
def test_names_the_catalogue_warns_about(code: str, label: str, year: int, expected: str) -> None:
    found = issues(coded(code, label, year), "catalogue.code_name")
    assert [(i["severity"], i["expected"]) for i in found] == [("warning", expected)]


def test_the_users_reference_overrides_the_shipped_catalogue(tmp_path, monkeypatch) -> None:
    (tmp_path / "function_codes.csv").write_text("code,name\n2999999,某某支出\n", encoding="utf-8")
    reference = reference_catalogue(tmp_path)
    assert not issues(coded("2999999", "某某支出", 2024, reference), "catalogue.code_unknown")
    assert issues(coded("2080505", "机关事业单位基本养老保险缴费支出", 2024, reference), "catalogue.code_unknown")
    assert issues(coded("2999999", "某某支出", 2024), "catalogue.code_unknown")  # the shipped catalogue


def test_the_reference_is_named_by_the_option_else_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("YUJUESUAN_REFERENCE", str(tmp_path))
    assert configured(None) == str(tmp_path)
    assert configured("other") == "other"
    with pytest.raises(ValueError, match="does not exist"):
        reference_catalogue(tmp_path / "missing")


def test_abbreviation_needs_four_characters_in_order() -> None:
    assert is_abbreviation("基本养老保险", "机关事业单位基本养老保险缴费支出")
    assert not is_abbreviation("保险养老基本", "机关事业单位基本养老保险缴费支出")
    assert not is_abbreviation("养老", "机关事业单位基本养老保险缴费支出")


def test_the_codes_table_lists_names_years_and_conflicts() -> None:
    items = [
        {"doc_id": "a", "code": "20805", "row_label": "行政事业单位离退休"},
        {"doc_id": "b", "code": "20805", "row_label": "行政事业单位养老支出"},
        {"doc_id": "b", "code": "2080505", "row_label": "基本养老保险"},
        {"doc_id": "b", "code": "2010301", "row_label": "教育支出"},
        {"doc_id": "b", "code": "2999999", "row_label": "某某支出"},
    ]
    rows = {r["code"]: r for r in observed_codes(items, {"a": 2018, "b": 2024}, shipped())}
    assert rows["20805"]["status"] == "renamed"
    assert rows["20805"]["names"] == ["行政事业单位养老支出", "行政事业单位离退休"]
    assert rows["20805"]["years"] == [2018, 2024] and rows["20805"]["documents"] == 2
    assert rows["2080505"]["status"] == "known"
    assert rows["2010301"]["status"] == "name_differs" and rows["2010301"]["conflicts"][0].startswith("教育支出 (2024")
    assert rows["2999999"]["status"] == "unknown"


def test_codes_command_explains_a_rename(tmp_path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "yujuesuan.cli", "codes", "20805", "--warehouse", str(tmp_path / "none")],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "行政事业单位离退休" in out.stdout and "行政事业单位养老支出" in out.stdout
    assert "renamed from 行政事业单位离退休" in out.stdout
    bad = subprocess.run([sys.executable, "-m", "yujuesuan.cli", "codes", "20x05"], capture_output=True, text=True,
                         cwd=REPO, timeout=120)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "not a classification code" in bad.stderr


def test_the_build_script_reproduces_the_shipped_file(tmp_path) -> None:
    reference = shared_path("reference")
    out = tmp_path / "catalogue.csv"
    subprocess.run([sys.executable, "scripts/build_codes.py", "--reference", str(reference), "--out", str(out)],
                   check=True, cwd=REPO, capture_output=True, timeout=120)
    assert out.read_text(encoding="utf-8") == (REPO / "yujuesuan" / "codes" / "catalogue.csv").read_text("utf-8")


def test_the_catalogue_knows_every_code_the_corpus_observations_list() -> None:
    import csv

    path = shared_path("reference", "catalogue", "corpus_code_observations.csv")
    with path.open(encoding="utf-8") as fh:
        listed = {r["code"] for r in csv.DictReader(fh)}
    assert listed - set(shipped().by_code) == set()


def test_a_shorter_name_of_other_years_is_a_rename_not_an_abbreviation() -> None:
    cat = shipped()
    assert [e.name for e in cat.names("310")] == ["其他资本性支出", "资本性支出"]  # 2017, then 2024–26
    assert [e.name for e in cat.abbreviations("2080505")] == ["基本养老保险"]  # printed beside the full name in 2024
    assert not issues(coded("30307", "医疗费", 2017), "catalogue.code_name")
    assert issues(coded("30307", "医疗费补助", 2017), "catalogue.code_name")  # the name from 2018 on
