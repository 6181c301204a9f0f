"""The document profile: kind, scope, year, unit and region, with no place named in the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.profile import read_profile, region_of
from extractors.vocabulary import forms

ROOT = Path(__file__).resolve().parents[1]


def test_region_levels_are_vocabulary_and_the_longest_level_word_wins() -> None:
    assert "州市" in forms("city_level") and "区" in forms("county_level")
    assert region_of("孟州市人民政府办公室") == "孟州市"  # a city named after a 州 keeps its 市
    assert region_of("郑州市金水区财政局") == "郑州市金水区"
    assert region_of("湘西州吉首市财政局") == "湘西州"  # an autonomous 州 stays a 州
    assert region_of("中共上海市普陀区委社会工作部") == "上海市普陀区"
    assert region_of("江苏省财政厅") == "江苏省"
    assert region_of("孟州市") is None  # a region alone is no unit's prefix


def test_profile_of_a_county_level_city_named_after_a_zhou() -> None:
    prof = read_profile(["孟州市人民政府办公室 2024年度部门决算", "目录 一、收入支出决算总表", "部门决算 正文"])
    assert (prof.kind, prof.scope, prof.year, prof.unit_name, prof.region) == (
        "final",
        "department",
        2024,
        "孟州市人民政府办公室",
        "孟州市",
    )


def test_profile_steps_fall_back_in_order() -> None:
    # no 部门决算 next to the year: the year of a table title; a 单位 cover makes a unit report
    prof = read_profile(["上海市普陀区商务委员会单位预算", "2025年收支预算总表 单位：万元", "部门预算"])
    assert (prof.kind, prof.scope, prof.year, prof.region) == ("budget", "unit", 2025, "上海市普陀区")
    assert read_profile([""]).kind == "unknown" and read_profile([]).year is None


@pytest.mark.parametrize("module, function", [("profile", "read_profile"), ("narrative", "extract_facts")])
def test_function_is_within_the_complexity_bound(module: str, function: str) -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed")
    out = subprocess.run(
        [ruff, "check", "--no-cache", "--select", "C901", "--config", "lint.mccabe.max-complexity=15",
         "--output-format", "concise", str(ROOT / "extractors" / f"{module}.py")],
        capture_output=True, text=True, timeout=60,
    )
    assert f"`{function}`" not in out.stdout, out.stdout
