"""`yujuesuan query` on every view of a warehouse that holds failed documents; the terminal table and
the files take NULL integers, lists, timestamps and exact decimals."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from yujuesuan.cli import main
from yujuesuan.samples.generator import generate
from yujuesuan.warehouse.schema import SCHEMAS


@pytest.fixture(scope="module")
def mixed_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One good document, an empty file and a file that is not a PDF: two documents fail."""
    root = tmp_path_factory.mktemp("mixed")
    docs = root / "docs"
    docs.mkdir()
    (docs / "good.pdf").write_bytes(generate(2).pdf)
    (docs / "empty.pdf").write_bytes(b"")
    (docs / "notes.pdf").write_bytes(b"not a pdf at all\n")
    assert main(["extract", str(docs), "--warehouse", str(root / "w")]) == 0
    return root / "w"


@pytest.mark.parametrize("table", list(SCHEMAS))
def test_select_star_on_every_view(mixed_warehouse: Path, table: str, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / f"{table}.csv"
    assert main(["query", "--warehouse", str(mixed_warehouse), f"SELECT * FROM {table}", "--csv", str(out)]) == 0
    printed = capsys.readouterr()
    assert "Traceback" not in printed.err and "row(s)" in printed.out
    with out.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    assert header == SCHEMAS[table].names
    if table == "documents":
        failed = [r for r in rows if r[header.index("status")] == "failed"]
        assert len(failed) == 2 and all(r[header.index("year")] == "" for r in failed)  # NULL year: blank


def test_nulls_lists_timestamps_and_decimals(mixed_warehouse: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    sql = (
        "SELECT NULL::INTEGER AS n, [1, 2] AS l, TIMESTAMPTZ '2025-03-01 12:00:00+00' AS t, "
        "CAST('-53776400.00' AS DECIMAL(20, 2)) AS d, 'x' AS s UNION ALL "
        "SELECT 3, NULL, NULL, NULL, NULL"
    )
    out, xlsx = tmp_path / "q.csv", tmp_path / "q.xlsx"
    assert main(["query", "--warehouse", str(mixed_warehouse), sql, "--csv", str(out), "--xlsx", str(xlsx)]) == 0
    assert "2 row(s)" in capsys.readouterr().out
    rows = list(csv.reader(out.open(encoding="utf-8", newline="")))
    assert rows[1][1] == "[1, 2]" and rows[1][2].startswith("2025-03-01") and rows[1][3] == "-53776400.00"
    assert rows[2] == ["3", "", "", "", ""]
    from openpyxl import load_workbook

    ws = load_workbook(xlsx).active
    assert ws["D2"].value == -53776400.0 and ws["A2"].value is None  # a negative amount stays a number


def test_query_errors_are_one_line(mixed_warehouse: Path, capsys) -> None:  # noqa: ANN001
    assert main(["query", "--warehouse", str(mixed_warehouse), "SELEC nothing"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("yujuesuan query: ") and len(err.strip().splitlines()) == 1
    assert main(["query", "--warehouse", str(mixed_warehouse), "SELECT 1", "--csv", "/nonexistent/dir/q.csv"]) == 2
    assert "cannot write" in capsys.readouterr().err
