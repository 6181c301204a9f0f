"""The analyst's interface: unit identity, compare (cross-checked against line_items), query,
exports (Datasette opens the SQLite), datapackage.json, overview, charts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from yujuesuan.analysis.compare import Selection, figures, overruns, shares
from yujuesuan.analysis.duck import connect
from yujuesuan.analysis.export import export_csv, export_sqlite, export_xlsx
from yujuesuan.analysis.measures import MeasureError, get
from yujuesuan.cli import main
from yujuesuan.cli.common import free_port
from yujuesuan.warehouse.datapackage import datapackage
from yujuesuan.warehouse.schema import SCHEMAS
from yujuesuan.warehouse.units import AliasError, UnitRules, load_rules

PUTUO = "上海市普陀区"


def _cell(con, file_prefix: str, family: str, column_like: str, row: str | None = None) -> Decimal:  # noqa: ANN001
    """One line item, looked up directly (the cross-check of compare)."""
    sql = (
        "SELECT li.value FROM line_items li JOIN documents d USING (doc_id) WHERE d.file_name LIKE ? "
        'AND li.table_family = ? AND li."column" LIKE ?'
    )
    params = [file_prefix + "%", family, column_like]
    if row:
        sql += " AND li.row_label = ?"
        params.append(row)
    (value,) = {r[0] for r in con.execute(sql, params).fetchall()}
    return value


def test_compare_sangong_and_basic_expenditure_across_putuo(real_warehouse: Path) -> None:
    con = connect(real_warehouse)
    sangong = figures(con, get("sangong_total"), Selection(region=PUTUO))
    got = {(r.unit_id, r.year, r.qualifier): r.value for r in sangong.itertuples()}
    # every value is the 三公 合计 cell of the unit's own document, looked up directly
    assert got[("上海市普陀区人民政府万里街道办事处", 2023, "budget")] == _cell(con, "10_", "sangong", "%三公%/合计")
    assert got[("上海市普陀区人民政府万里街道办事处", 2024, "budget")] == _cell(con, "11_", "sangong", "%三公%/合计")
    assert got[("上海市普陀区人民政府万里街道办事处", 2025, "budget")] == _cell(con, "12_", "sangong", "%三公%/合计")
    assert got[("上海市普陀区规划和自然资源局", 2024, "final")] == _cell(con, "02_", "sangong", "%三公%/合计/决算数")
    assert got[("上海市普陀区规划和自然资源局", 2024, "budget")] == _cell(con, "02_", "sangong", "%三公%/合计/预算数")
    # a body's 部门 report wins over its 单位 report (both print the same 三公 here)
    office = sangong[sangong["unit_id"] == "上海市普陀区人民政府办公室"]
    assert list(office["scope"]) == ["department"] and office["file_name"].iloc[0].startswith("06_")
    assert got[("上海市普陀区人民政府办公室", 2025, "budget")] == Decimal("8675000.00")
    assert {u for u, _, _ in got} <= {r[0] for r in con.execute("SELECT unit_id FROM documents").fetchall()}
    assert all(r.startswith(PUTUO) or r.startswith("中共" + PUTUO) for r, _, _ in got)

    basic = figures(con, get("basic_expenditure"), Selection(region=PUTUO))
    b = {(r.unit_id, r.year): r.value for r in basic.itertuples()}
    assert (
        b[("上海市普陀区财政局", 2024)]
        == _cell(con, "01_", "expenditure", "基本支出", "合计")
        == Decimal("23369100.00")
    )
    assert b[("上海市普陀区财政局", 2025)] == _cell(con, "13_", "expenditure", "%基本支出", "合计")
    assert b[("上海市普陀区司法局", 2026)] == _cell(con, "15_", "expenditure", "%基本支出", "合计")
    assert len(b) == 11  # every 普陀 unit-year with a 支出表

    both = shares([basic, figures(con, get("project_expenditure"), Selection(region=PUTUO))])
    czj = both[(both["unit_id"] == "上海市普陀区财政局") & (both["year"] == 2024)].set_index("measure")
    assert czj.loc["basic_expenditure", "share_pct"] + czj.loc["project_expenditure", "share_pct"] == pytest.approx(100)
    assert czj.loc["basic_expenditure", "share_pct"] == 79.49  # 2336.91 / (2336.91 + 603.14)


def test_compare_command_writes_table_csv_xlsx_and_chart(real_warehouse: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    chart, csv_path, xlsx = tmp_path / "sangong.png", tmp_path / "s.csv", tmp_path / "s.xlsx"
    args = ["compare", "--warehouse", str(real_warehouse), "--measure", "sangong_total", "--region", PUTUO]
    assert main([*args, "--chart", str(chart), "--csv", str(csv_path), "--xlsx", str(xlsx)]) == 0
    out = capsys.readouterr().out
    assert "上海市普陀区人民政府万里街道办事处" in out and "47.91" in out and "867.50" in out
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and chart.stat().st_size > 20_000
    assert "万里街道" in csv_path.read_text(encoding="utf-8") and xlsx.stat().st_size > 0
    svg = tmp_path / "basic.svg"
    assert (
        main(["compare", "--warehouse", str(real_warehouse), "--measure", "basic_expenditure", "--chart", str(svg)])
        == 0
    )
    assert "万里街道办事处" in svg.read_text(encoding="utf-8")  # SVG keeps text as text
    shares_png = tmp_path / "shares.png"
    both = ["--measure", "basic_expenditure", "project_expenditure", "--shares", "--region", PUTUO]
    assert main(["compare", "--warehouse", str(real_warehouse), *both, "--chart", str(shares_png)]) == 0
    assert shares_png.read_bytes()[:4] == b"\x89PNG" and shares_png.stat().st_size > 20_000
    assert main(["compare", "--warehouse", str(real_warehouse), "--overruns", "--top", "5"]) == 0
    assert main(["compare", "--warehouse", str(real_warehouse), "--measure", "nonsense"]) == 2


def test_overruns_carry_their_reasons(real_warehouse: Path) -> None:
    df = overruns(connect(real_warehouse), Selection(region=PUTUO), top=50)
    assert not df.empty and df["reason"].notna().any()
    assert list(df["overrun"]) == sorted(df["overrun"], reverse=True)
    for r in df.itertuples():
        assert r.overrun == r.final - r.budget


def test_fact_measures_and_unknown_measures(real_warehouse: Path) -> None:
    df = figures(connect(real_warehouse), get("fact:sangong_total"), Selection(region=PUTUO, kinds=["final"]))
    assert not df.empty and set(df["source"]) == {"facts"}
    with pytest.raises(MeasureError, match="known: sangong_total"):
        get("sangong")
    with pytest.raises(MeasureError, match="unknown fact metric"):
        get("fact:nothing")


def test_unit_identity_resolves_renamed_and_prefixed_names(real_warehouse: Path) -> None:
    units = {u["unit_id"]: u for u in pq.read_table(real_warehouse / "units" / "units.parquet").to_pylist()}
    party = units["中共江苏省委办公厅"]
    assert party["names"] == ["中共江苏省委办公厅", "中国共产党江苏省委员会办公厅", "江苏省委办公厅"]
    assert (party["first_year"], party["last_year"], party["documents"]) == (2017, 2019, 6)
    office = units["上海市普陀区人民政府办公室"]
    assert office["scopes"] == ["department", "unit"]  # 部门 and 单位 reports of one body
    li = connect(real_warehouse).execute(
        "SELECT DISTINCT f.unit_id FROM facts f JOIN documents d USING (doc_id) WHERE d.unit_name = '江苏省委办公厅'"
    )
    assert li.fetchall() == [("中共江苏省委办公厅",)]  # every table's rows carry the resolved id


def test_alias_rules() -> None:
    rules = load_rules()
    assert rules.resolve("普陀区财政局", None) == "上海市普陀区财政局"  # a short region prefix
    assert rules.resolve("万里街道办事处（本部）", "上海市普陀区") == "上海市普陀区万里街道办事处"
    assert rules.resolve("江苏省人大办公厅", None) == "江苏省人大常委会办公厅"  # a renamed body
    assert rules.resolve("中国共产党江苏省委员会办公厅", "江苏省") == "中共江苏省委办公厅"
    assert UnitRules().resolve("某局", "某市") == "某市某局"
    assert rules.resolve(None, "某市") is None


def test_alias_file_errors_name_the_entry(tmp_path: Path) -> None:
    bad = tmp_path / "aliases.yaml"
    bad.write_text("units:\n  - unit_id: 甲\n    names: [乙]\n  - unit_id: 丙\n    names: [乙]\n", encoding="utf-8")
    with pytest.raises(AliasError, match=r"units\[1\]: 乙 is already an alias of 甲"):
        load_rules(bad)
    bad.write_text("normalise:\n  - {pattern: '(', replace: ''}\n", encoding="utf-8")
    with pytest.raises(AliasError, match=r"normalise\[0\].pattern"):
        load_rules(bad)
    bad.write_text("aliases: {}\n", encoding="utf-8")
    with pytest.raises(AliasError, match="unknown section"):
        load_rules(bad)


def test_query_registers_every_table(demo_warehouse: Path, capsys) -> None:  # noqa: ANN001
    con = connect(demo_warehouse)
    for table in SCHEMAS:
        con.execute(f"SELECT * FROM {table} LIMIT 1")  # every table is a view, empty ones too
    assert main(["query", "--warehouse", str(demo_warehouse), "SELECT count(*) AS n FROM documents"]) == 0
    assert "│ 8 │" in capsys.readouterr().out  # 6 PDF attachments + 2 API downloads
    assert main(["query", "--warehouse", str(demo_warehouse), "SELECT nope FROM documents"]) == 2


def test_exports_round_trip(demo_warehouse: Path, tmp_path: Path) -> None:
    db, meta = export_sqlite(demo_warehouse, tmp_path / "wh.db")
    import sqlite3

    con = sqlite3.connect(db)
    n = con.execute("SELECT count(*) FROM line_items").fetchone()[0]
    assert n == len(pq.read_table(demo_warehouse / "line_items").to_pylist()) > 0
    described = json.loads(meta.read_text(encoding="utf-8"))["databases"]["wh"]["tables"]["line_items"]
    assert described["columns"]["value"].startswith("the figure in 元")
    csvs = {p.name for p in export_csv(demo_warehouse, tmp_path / "csv")}
    assert {"documents.csv", "line_items.csv", "units.csv"} <= csvs
    text = (tmp_path / "csv" / "line_items.csv").read_text(encoding="utf-8")
    assert ".00" in text  # exact decimals as text
    from openpyxl import load_workbook

    wb = load_workbook(export_xlsx(demo_warehouse, tmp_path / "wh.xlsx"), read_only=True)
    assert {"about", "documents", "line_items"} <= set(wb.sheetnames)


def test_datapackage_describes_the_parquet_tables(demo_warehouse: Path) -> None:
    package = json.loads(datapackage(demo_warehouse).read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    li = resources["line_items"]
    assert li["format"] == "parquet" and all((demo_warehouse / p).exists() for p in li["path"])
    fields = {f["name"]: f for f in li["schema"]["fields"]}
    assert fields["value"]["unit"] == "元" and fields["value"]["arrowType"] == "decimal128(20, 2)"
    assert all(f["description"] for r in resources.values() for f in r["schema"]["fields"])


def test_every_column_is_described() -> None:
    from yujuesuan.warehouse.columns import column_description, table_description

    for table, schema in SCHEMAS.items():
        assert table_description(table)
        missing = [c for c in schema.names if not column_description(table, c)]
        assert not missing, (table, missing)


def test_overview_has_figures_changes_and_evidence(real_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "overview.html"
    assert main(["overview", "--warehouse", str(real_warehouse), "--region", PUTUO, "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "上海市普陀区人民政府万里街道办事处" in text
    assert "+109.1% vs 2023" in text  # 三公 预算 22.91 → 47.91 万元
    assert "11_shpt_wljd_2024" in text and "printed “47.91”" in text


def test_the_sqlite_export_opens_in_datasette(demo_warehouse: Path, tmp_path: Path) -> None:
    db, meta = export_sqlite(demo_warehouse, tmp_path / "warehouse.db")
    port = free_port()
    exe = Path(sys.executable).with_name("datasette")
    proc = subprocess.Popen(
        [str(exe), "serve", str(db), "-m", str(meta), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        deadline, page = time.monotonic() + 60, None
        while time.monotonic() < deadline and page is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/warehouse/line_items", timeout=5) as resp:
                    page = resp.read().decode("utf-8")
            except OSError:
                time.sleep(0.3)
        assert page is not None, "datasette did not answer"
        assert "One row per numeric cell of a standard table" in page  # the table's description
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/warehouse/documents.json?_shape=array", timeout=5) as r:
            rows = json.loads(r.read())
        assert len(rows) == 8 and {"doc_id", "unit_id", "year"} <= set(rows[0])
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_an_ad_hoc_row_by_code_or_label(real_warehouse: Path) -> None:
    con = connect(real_warehouse)
    by_code = figures(con, get("row:expenditure:2080505:基本支出"), Selection(units=["普陀区财政局"]))
    got = {(r.year, r.qualifier): r.value for r in by_code.itertuples()}
    direct = con.execute(
        "SELECT li.value FROM line_items li JOIN documents d USING (doc_id) WHERE d.file_name LIKE '01_%' "
        "AND li.table_family = 'expenditure' AND li.code = '2080505' AND li.\"column\" = '基本支出'"
    ).fetchone()[0]
    assert got[(2024, "final")] == direct
    by_label = figures(con, get("row:expenditure:合计:项目支出"), Selection(units=["普陀区财政局"]))
    assert {(r.year, r.qualifier): r.value for r in by_label.itertuples()}[(2024, "final")] == Decimal("6031400.00")
    with pytest.raises(MeasureError, match="row:<family>"):
        get("row:expenditure")
