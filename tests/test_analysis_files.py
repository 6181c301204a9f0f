"""The analyst's files: CSV that Excel on Windows opens (UTF-8 with a BOM, --bom), exports that refuse to
overwrite without --force, and no spreadsheet formula injection (CSV escaped, XLSX text cells)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from yujuesuan.analysis.cells import for_csv, for_xlsx, is_formula
from yujuesuan.cli import main
from yujuesuan.samples.generator import generate

EVIL = "=cmd|' -c calc'!A0.pdf"


@pytest.fixture(scope="module")
def evil_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("evil")
    (root / "docs").mkdir()
    (root / "docs" / EVIL).write_bytes(generate(3).pdf)
    assert main(["extract", str(root / "docs"), "--warehouse", str(root / "w")]) == 0
    return root / "w"


def _csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_formula_strings_are_escaped_numbers_are_not() -> None:
    assert for_csv(EVIL) == "'" + EVIL and for_csv("@SUM(A1)") == "'@SUM(A1)" and for_csv("+A1") == "'+A1"
    assert for_csv("-1+2") == "'-1+2" and for_csv("\t=1") == "'\t=1"
    assert for_csv(-5) == "-5" and for_csv("-5.00") == "-5.00" and for_csv("-1,234.50") == "-1,234.50"
    assert not is_formula(-5) and for_xlsx(EVIL) == EVIL  # XLSX keeps the text, typed as text


def test_export_csv_and_xlsx_do_not_run_a_file_name(evil_warehouse: Path, tmp_path: Path) -> None:
    assert main(["export", "--warehouse", str(evil_warehouse), "--format", "csv", "--out", str(tmp_path / "c")]) == 0
    header, *rows = _csv(tmp_path / "c" / "documents.csv")
    assert rows[0][header.index("file_name")] == "'" + EVIL
    xlsx = tmp_path / "w.xlsx"
    assert main(["export", "--warehouse", str(evil_warehouse), "--format", "xlsx", "--out", str(xlsx)]) == 0
    ws = load_workbook(xlsx)["documents"]
    names = [c for c in ws[2] if c.value == EVIL]
    assert names and names[0].data_type == "s"  # a text cell, not a formula
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_query_and_compare_files_are_escaped(evil_warehouse: Path, tmp_path: Path) -> None:
    out, xlsx = tmp_path / "q.csv", tmp_path / "q.xlsx"
    sql = "SELECT file_name, CAST(-5.25 AS DECIMAL(20, 2)) AS n, '-5.25' AS s, '@x' AS a FROM documents"
    assert main(["query", "--warehouse", str(evil_warehouse), sql, "--csv", str(out), "--xlsx", str(xlsx)]) == 0
    assert _csv(out)[1] == ["'" + EVIL, "-5.25", "-5.25", "'@x"]
    ws = load_workbook(xlsx).active
    assert ws["A2"].value == EVIL and ws["A2"].data_type == "s" and ws["B2"].value == -5.25
    assert ws["D2"].data_type == "s"
    cmp = tmp_path / "c.csv"
    args = ["compare", "--warehouse", str(evil_warehouse), "--measure", "basic_expenditure", "--csv", str(cmp)]
    assert main(args) == 0
    header, *rows = _csv(cmp)
    assert rows and all(r[header.index("file_name")] == "'" + EVIL for r in rows)


def test_bom_for_excel(evil_warehouse: Path, tmp_path: Path) -> None:
    wh = ["--warehouse", str(evil_warehouse)]
    q = tmp_path / "q.csv"
    assert main(["query", *wh, "SELECT unit_id FROM documents", "--csv", str(q), "--bom"]) == 0
    assert q.read_bytes().startswith(b"\xef\xbb\xbfunit_id\r\n")
    assert main(["query", *wh, "SELECT unit_id FROM documents", "--csv", str(q)]) == 0
    assert q.read_bytes().startswith(b"unit_id")  # plain UTF-8 unless asked
    c = tmp_path / "c.csv"
    assert main(["compare", *wh, "--measure", "basic_expenditure", "--csv", str(c), "--bom"]) == 0
    assert c.read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["export", *wh, "--format", "csv", "--out", str(tmp_path / "e"), "--bom"]) == 0
    text = (tmp_path / "e" / "documents.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbfdoc_id,")


@pytest.mark.parametrize("fmt", ["sqlite", "xlsx", "csv"])
def test_export_refuses_to_overwrite_without_force(evil_warehouse: Path, tmp_path: Path, fmt: str, capsys) -> None:  # noqa: ANN001
    out = tmp_path / ("out" if fmt == "csv" else f"out.{fmt}")
    args = ["export", "--warehouse", str(evil_warehouse), "--format", fmt, "--out", str(out)]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "--force" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert main([*args, "--force"]) == 0


def test_export_into_the_wrong_kind_of_path(evil_warehouse: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    wh = ["export", "--warehouse", str(evil_warehouse)]
    a_file = tmp_path / "a.txt"
    a_file.write_text("x", encoding="utf-8")
    assert main([*wh, "--format", "csv", "--out", str(a_file), "--force"]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main([*wh, "--format", "xlsx", "--out", str(tmp_path), "--force"]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main([*wh, "--format", "sqlite", "--out", "/proc/nope/w.db"]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_overview_links_the_stored_copy_at_its_page(demo_warehouse: Path, tmp_path: Path) -> None:
    import re

    out = tmp_path / "site" / "overview.html"
    assert main(["overview", "--warehouse", str(demo_warehouse), "--out", str(out)]) == 0
    links = re.findall(r"href='([^']*)'", out.read_text(encoding="utf-8"))
    assert links and not [u for u in links if "://" in u]  # no server that is gone after the run
    for link in links:
        path, page = link.split("#page=")
        target = (out.parent / path).resolve()
        assert target.parent == (demo_warehouse / "_raw").resolve() and target.is_file() and int(page) >= 1


def test_chart_legend_covers_no_bar_or_label(demo_warehouse: Path) -> None:
    from yujuesuan.analysis.chart import _pyplot, bar_figure
    from yujuesuan.analysis.compare import Selection, figures
    from yujuesuan.analysis.duck import connect

    df = figures(connect(demo_warehouse), get_measure("expenditure_total"), Selection())
    plt = _pyplot()
    fig = bar_figure(plt, df, "支出合计")
    try:
        fig.canvas.draw()
        ax = fig.axes[0]
        legend = ax.get_legend().get_window_extent()
        things = [p.get_window_extent() for p in ax.patches] + [t.get_window_extent() for t in ax.texts]
        assert len(ax.texts) >= 3 and not [b for b in things if legend.overlaps(b)]
    finally:
        plt.close(fig)


def get_measure(name: str):  # noqa: ANN201
    from yujuesuan.analysis.measures import get

    return get(name)
