"""Named measures find their cell in every layout the engine reads (each real document that prints the
measure's column); a `row:` label that several codes carry is refused with the candidates."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from yujuesuan.analysis.compare import Selection, _documents, figures, per_document
from yujuesuan.analysis.duck import connect
from yujuesuan.analysis.measures import AmbiguousRow, Measure, catalogue, get
from yujuesuan.cli import main

TABLE_MEASURES = [m for m in catalogue().values() if m.source == "line_items"]


def _printed_columns(cells, measure: Measure) -> set[str]:  # noqa: ANN001
    """Documents with a cell (any row) in a column the measure reads: they print the measure's table."""
    docs: set[str] = set()
    for m in measure.matches:
        hit = cells[cells["table_family"].isin(m.families)]
        for pattern in m.column:
            hit = hit[hit["column"].fillna("").map(lambda c, p=pattern: bool(re.search(p, c)))]
        for pattern in m.exclude:
            hit = hit[~hit["column"].fillna("").map(lambda c, p=pattern: bool(re.search(p, c)))]
        docs |= set(hit["doc_id"])
    return docs


@pytest.mark.parametrize("measure", TABLE_MEASURES, ids=lambda m: m.id)
def test_measure_found_in_every_document_that_prints_it(real_warehouse: Path, measure: Measure) -> None:
    con = connect(real_warehouse)
    docs = _documents(con, Selection(include_superseded=True))
    cells = con.execute(
        'SELECT doc_id, table_family, table_code, row_label, code, "column", value FROM line_items'
    ).df()
    cells = cells[cells["doc_id"].isin(set(docs["doc_id"]))]
    printing = _printed_columns(cells, measure)
    assert printing, f"no real document prints {measure.id}"
    found = per_document(con, measure, docs[docs["doc_id"].isin(printing)])
    names = docs.set_index("doc_id")["file_name"]
    missing = sorted(names[d][:40] for d in printing - set(found["doc_id"]))
    assert not missing, f"{measure.id} not found in {missing}"
    for r in found.itertuples():  # the total: no cell of its column in its table is larger
        same = cells[
            (cells["doc_id"] == r.doc_id) & (cells["table_code"] == r.table_code) & (cells["column"] == r.column)
        ]
        assert r.value >= max(Decimal(str(v)) for v in same["value"]), (measure.id, names[r.doc_id], r.column)


def test_jiangsu_total_row_without_label(real_warehouse: Path, capsys) -> None:  # noqa: ANN001
    """The 江苏 03 table prints 合计 | 基本支出 | 项目支出 as the columns of one unlabelled row."""
    con = connect(real_warehouse)
    basic = figures(con, get("basic_expenditure"), Selection(units=["江苏"]))
    got = {(r.unit_id, r.year): r.value for r in basic.itertuples()}
    assert got[("江苏省人大常委会办公厅", 2017)] == Decimal("76666800.00")  # printed 7,666.68 万元
    total = figures(con, get("expenditure_total"), Selection(units=["江苏"]))
    assert {(r.unit_id, r.year) for r in total.itertuples()} == set(got)
    assert len(got) == 12  # every 江苏 document with a 支出预算总表
    assert (
        main(["compare", "--warehouse", str(real_warehouse), "--measure", "basic_expenditure", "--units", "江苏"]) == 0
    )
    assert "7,666.68" in capsys.readouterr().out


def test_ambiguous_row_label_lists_the_codes(real_warehouse: Path, capsys) -> None:  # noqa: ANN001
    con = connect(real_warehouse)
    with pytest.raises(AmbiguousRow, match=r"2010301.*2010601.*row:expenditure:2010301"):
        figures(con, get("row:expenditure:行政运行:基本支出"), Selection())
    assert main(["compare", "--warehouse", str(real_warehouse), "--measure", "row:expenditure:行政运行"]) == 2
    err = capsys.readouterr().err
    assert "2010301" in err and "2010601" in err and len(err.strip().splitlines()) == 1
    by_code = figures(con, get("row:expenditure:2010301:基本支出"), Selection())
    assert not by_code.empty and set(by_code["code"]) == {"2010301"}


def test_compare_csv_carries_code_column_table_and_page(real_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    args = ["compare", "--warehouse", str(real_warehouse), "--measure", "row:expenditure:2080505:基本支出"]
    assert main([*args, "--units", "普陀区财政局", "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert rows and {"code", "column", "table_code", "page"} <= set(rows[0])
    assert {r["code"] for r in rows} == {"2080505"} and all(r["column"].endswith("基本支出") for r in rows)
    assert all(r["table_code"] and r["page"].isdigit() for r in rows)
