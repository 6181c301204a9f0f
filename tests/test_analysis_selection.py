"""A selection that matches nothing says which filter emptied it and what there is, and exits non-zero;
the README's headline compare shows figures on the bundled demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from yujuesuan.analysis.compare import EmptySelection, Selection, figures
from yujuesuan.analysis.duck import connect
from yujuesuan.analysis.measures import get
from yujuesuan.cli import main

# the README's headline example, as given to the lead for README.md (the demo has no 上海市普陀区)
HEADLINE = ["--measure", "expenditure_total", "--region", "示例市"]


def _compare(warehouse: Path, *args: str) -> list[str]:
    return ["compare", "--warehouse", str(warehouse), *args]


def test_headline_example_shows_figures_on_the_demo(demo_warehouse: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    chart = tmp_path / "expenditure.png"
    assert main(_compare(demo_warehouse, *HEADLINE, "--chart", str(chart))) == 0
    out = capsys.readouterr().out
    assert "示例市财政局" in out and "示例市人民政府办公室" in out and chart.stat().st_size > 10_000


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--units", "示例市财政厅"], ["--units 示例市财政厅 matches nothing", "did you mean 示例市财政局"]),
        (["--years", "2030"], ["--years 2030 matches nothing", "years there: 2022, 2023, 2024"]),
        (["--region", "上海市普陀区"], ["--region 上海市普陀区 matches nothing", "示例市"]),
        (
            ["--region", "示例市", "--units", "司法局"],
            ["--units 司法局 matches nothing among the documents of --region"],
        ),
    ],
)
def test_the_filter_that_emptied_the_selection_is_named(demo_warehouse: Path, args, says, capsys) -> None:  # noqa: ANN001
    assert main(_compare(demo_warehouse, "--measure", "basic_expenditure", *args)) == 1
    err = capsys.readouterr().err
    assert all(s in err for s in says), err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_measure_the_warehouse_lacks(demo_warehouse: Path, capsys) -> None:  # noqa: ANN001
    assert main(_compare(demo_warehouse, "--measure", "sangong_total")) == 1
    err = capsys.readouterr().err
    assert "sangong_total: none of the 8 selected document(s) prints it" in err
    assert "measures with figures there: basic_expenditure" in err
    assert main(_compare(demo_warehouse, "--measure", "basic_expenditure", "--qualifier", "budget")) == 1
    assert "no 预算 figures" in capsys.readouterr().err
    assert main(_compare(demo_warehouse, "--measure", "sangong")) == 2
    assert "did you mean sangong_total" in capsys.readouterr().err


def test_library_raises_and_unfiltered_empty_is_not_an_error(demo_warehouse: Path) -> None:
    con = connect(demo_warehouse)
    with pytest.raises(EmptySelection, match="--years 1999"):
        figures(con, get("basic_expenditure"), Selection(years=[1999]))
    assert figures(con, get("sangong_total"), Selection()).empty  # no filter: nothing to blame


def test_overview_of_an_unknown_region(demo_warehouse: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "o.html"
    assert main(["overview", "--warehouse", str(demo_warehouse), "--region", "火星", "--out", str(out)]) == 1
    assert "--region 火星 matches nothing" in capsys.readouterr().err and not out.exists()
