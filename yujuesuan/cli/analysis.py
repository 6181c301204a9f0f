"""The analyst's commands: compare, query, export, units, overview."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

from yujuesuan.cli.common import compact_after_run, have_warehouse

COMPARE_EXAMPLE = """examples:
  yujuesuan compare --measure expenditure_total --region 示例市 --chart expenditure.png   # on the demo
  yujuesuan compare --measure sangong_total --region 上海市普陀区 --chart sangong.png
  yujuesuan compare --measure basic_expenditure project_expenditure --shares --csv shares.csv
  yujuesuan compare --measure fact:sangong_total --units 财政局 --years 2023 2024 --xlsx out.xlsx
  yujuesuan compare --measure row:expenditure:2080505:基本支出 --region 上海市普陀区
  yujuesuan compare --overruns --top 10
  yujuesuan compare --code 20805 --region 上海市普陀区     # one code across its rename (行政事业单位离退休 → …养老支出)
  yujuesuan compare --measure sangong_total --budget-vs-final  # 预算 | 决算 | variance | stated reason
"""
QUERY_EXAMPLE = """examples:
  yujuesuan query "SELECT unit_id, year, kind FROM documents ORDER BY unit_id, year"
  yujuesuan query "SELECT table_family, count(*) FROM line_items GROUP BY 1" --csv families.csv
"""
EXPORT_EXAMPLE = """examples:
  yujuesuan export --format sqlite --out data/export/warehouse.db
  datasette data/export/warehouse.db -m data/export/warehouse.metadata.json   # browse it
  yujuesuan export --format csv --out data/export/csv --bom       # CSV that Excel on Windows opens
  yujuesuan export --format xlsx --out data/export/warehouse.xlsx --force   # replace an earlier export
  yujuesuan export --format datapackage                              # WAREHOUSE/datapackage.json
"""
UNITS_EXAMPLE = """examples:
  yujuesuan units                                   # apply data/units/aliases.yaml, list the units
  yujuesuan units --aliases my/aliases.yaml --warehouse /srv/wh
"""
OVERVIEW_EXAMPLE = """examples:
  yujuesuan overview --out data/overview.html
  yujuesuan overview --region 上海市普陀区 --out putuo.html
"""


MIN_COLUMN_WIDTH = 9  # below this a terminal column shows only "…"


def _console():  # noqa: ANN202
    from rich.console import Console

    return Console(width=max(100, Console().width))


def _print_rows(header: list[str], rows: list[list[object]], title: str) -> None:
    """A terminal table of plain values (NULL as blank, lists as JSON, floats as 万元 with 2 decimals)."""
    from rich.table import Table

    from yujuesuan.analysis.cells import plain, text

    console = _console()
    if len(header) * MIN_COLUMN_WIDTH > console.width:  # too wide for columns: one record after another
        console.print(title)
        for n, row in enumerate(rows, 1):
            console.print(f"── row {n}", markup=False)
            for c, x in zip(header, row, strict=True):
                console.print(f"  {c}: {text(x)}", markup=False, highlight=False, overflow="fold")
        return
    table = Table(title=title, show_lines=False)
    for k, c in enumerate(header):
        values = [plain(r[k]) for r in rows if plain(r[k]) is not None]
        numeric = bool(values) and all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in values)
        table.add_column(str(c), justify="right" if numeric else "left")
    for row in rows:
        table.add_row(*[f"{v:,.2f}" if isinstance(v := plain(x), float) else text(v) for x in row])
    console.print(table)


def _print_frame(df, title: str) -> None:  # noqa: ANN001
    from yujuesuan.analysis.cells import frame_rows

    _print_rows(*frame_rows(df), title)


def _write_rows(header: list[str], rows: list[list[object]], args: argparse.Namespace, command: str) -> bool:
    """--csv / --xlsx: the rows through the shared cell writers; False (said on stderr) if a file cannot be written."""
    from yujuesuan.analysis.cells import write_csv, write_xlsx

    try:
        if getattr(args, "csv", None):
            print(f"csv written to {write_csv(args.csv, header, rows, bom=getattr(args, 'bom', False))}")
        if getattr(args, "xlsx", None):
            print(f"xlsx written to {write_xlsx(args.xlsx, header, rows)}")
    except OSError as exc:
        print(f"yujuesuan {command}: cannot write {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _write_frame(df, args: argparse.Namespace, command: str = "compare") -> bool:  # noqa: ANN001
    from yujuesuan.analysis.cells import frame_rows

    return _write_rows(*frame_rows(df), args, command)


def cmd_compare(args: argparse.Namespace) -> int:
    from yujuesuan.analysis.codes_compare import code_measure, resolve_code
    from yujuesuan.analysis.compare import Selection
    from yujuesuan.analysis.duck import ANALYSIS_TABLES, connect
    from yujuesuan.analysis.measures import MeasureError, get
    from yujuesuan.checks.reference import configured
    from yujuesuan.codes import active

    try:
        con = connect(args.warehouse, tables=ANALYSIS_TABLES)
        measures = [get(m) for m in args.measure]
        codes = [resolve_code(c, active(configured(None))) for c in args.code or []]
        measures += [code_measure(c, args.family, active(configured(None))) for c in codes]
    except (FileNotFoundError, MeasureError) as exc:
        print(f"yujuesuan compare: {exc}", file=sys.stderr)
        return 2
    sel = Selection(args.units or [], args.region, args.years or [], args.kinds or [], args.qualifier)
    if codes or args.budget_vs_final:
        return _compare_codes(con, measures, codes, sel, args)
    if args.overruns:
        return _compare_overruns(con, sel, args)
    if not measures:
        print("yujuesuan compare: name a --measure (or --overruns)", file=sys.stderr)
        return 2
    return _compare_measures(con, measures, sel, args)


def _compare_overruns(con, sel, args: argparse.Namespace) -> int:  # noqa: ANN001
    """`compare --overruns`: the biggest 决算 over 预算 lines with their reasons."""
    from yujuesuan.analysis.compare import EmptySelection, overruns

    try:
        df = overruns(con, sel, args.top)
    except EmptySelection as exc:
        print(f"yujuesuan compare: {exc}", file=sys.stderr)
        return 1
    if df.empty:
        print("no 预算 vs 决算 lines in the selection")
        return 0
    show = df.assign(
        **{c: df[c].map(lambda v: float(v) / 10000 if v is not None else None) for c in ("budget", "final", "overrun")}
    )
    _print_frame(show.drop(columns=["doc_id"]), "biggest 决算 over 预算 (万元)")
    if not _write_frame(df, args):
        return 2
    if args.chart:
        print("(no chart for --overruns)")
    return 0


def _compare_measures(con, measures: list, sel, args: argparse.Namespace) -> int:  # noqa: ANN001
    """`compare --measure ...`: each measure's figures (or their --shares), written and charted as asked."""
    from yujuesuan.analysis.compare import EmptySelection, explain_missing, figures
    from yujuesuan.analysis.measures import MeasureError

    try:
        frames = [figures(con, m, sel) for m in measures]
    except MeasureError as exc:  # a row label that several codes carry
        print(f"yujuesuan compare: {exc}", file=sys.stderr)
        return 2
    except EmptySelection as exc:
        print(f"yujuesuan compare: {exc}", file=sys.stderr)
        return 1
    for m, f in zip(measures, frames, strict=True):
        if f.empty:
            print(f"yujuesuan compare: no figures: {explain_missing(con, m, sel)}", file=sys.stderr)
    if all(f.empty for f in frames):
        return 1
    df = _print_measures(measures, frames, args.shares)
    if not _write_frame(df, args):
        return 2
    if args.chart:
        _write_charts(measures, frames, df, args)
    return 0


def _print_measures(measures: list, frames: list, shares_only: bool):  # noqa: ANN202
    """Print each measure's pivot (or the shares table) and return the frame to write."""
    import pandas as pd

    from yujuesuan.analysis.compare import pivot, shares

    if shares_only:
        df = shares(frames)
        _print_frame(
            df[["unit_id", "year", "qualifier", "measure", "value", "share_pct"]].assign(
                value=df["value"].map(lambda v: float(v) / 10000)
            ),
            "shares (万元, %)",
        )
        return df
    for m, f in zip(measures, frames, strict=True):
        if not f.empty:
            _print_frame(pivot(f).reset_index(), f"{m.label} (万元)")
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _write_charts(measures: list, frames: list, df, args: argparse.Namespace) -> None:  # noqa: ANN001
    """--chart: one share chart with --shares, else one bar chart per measure (a suffix each when several)."""
    from yujuesuan.analysis.chart import bar_chart, share_chart

    if args.shares:
        title = f"{args.region or ''} " + " / ".join(m.label for m in measures)
        print(f"chart written to {share_chart(df, title.strip(), args.chart)}")
        return
    for m, f in zip(measures, frames, strict=True):
        if f.empty:
            continue
        path = Path(args.chart)
        if len(measures) > 1:
            path = path.with_name(f"{path.stem}-{m.id.replace(':', '-')}{path.suffix}")
        title = f"{args.region or ''} {m.label}".strip()
        print(f"chart written to {bar_chart(f, title, path)}")


def _compare_codes(con, measures: list, codes: list[str], sel, args: argparse.Namespace) -> int:  # noqa: ANN001
    """`compare --code` (a code across its renames) and `--budget-vs-final` (预算 | 决算 | variance | reason)."""
    import pandas as pd

    from yujuesuan.analysis.codes_compare import budget_vs_final, printed_names, rename_note
    from yujuesuan.analysis.compare import EmptySelection, _documents, figures, pivot
    from yujuesuan.checks.reference import configured
    from yujuesuan.codes import active

    try:
        docs = _documents(con, sel)
        frames = []
        for m in measures:
            if args.budget_vs_final:
                df = budget_vs_final(con, m, sel)
                show = df.assign(**{c: df[c].map(lambda v: float(v) / 10000 if v is not None else None)
                                    for c in ("budget", "final", "variance")})
                if not df.empty:
                    title = f"{m.label}: 预算 vs 决算 (万元)"
                    _print_frame(show.drop(columns=["budget_doc_id", "final_doc_id"]), title)
            else:
                df = figures(con, m, sel)
                if not df.empty:
                    _print_frame(pivot(df).reset_index(), f"{m.label} (万元)")
            frames.append(df)
            if m.id.startswith("code:"):
                code = m.id.rsplit(":", 1)[1]
                print(rename_note(code, active(configured(None)), printed_names(con, code, args.family, docs)))
    except EmptySelection as exc:
        print(f"yujuesuan compare: {exc}", file=sys.stderr)
        return 1
    if all(f.empty for f in frames):
        print("yujuesuan compare: no figures for " + ", ".join(m.label for m in measures), file=sys.stderr)
        return 1
    if not _write_frame(pd.concat([f for f in frames if not f.empty], ignore_index=True), args):
        return 2
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from yujuesuan.analysis.duck import connect, tables_in

    try:
        con = connect(args.warehouse, tables=tables_in(args.sql))
        relation = con.sql(args.sql)
        result = relation.to_arrow_table() if relation is not None else None
    except (FileNotFoundError, duckdb.Error) as exc:
        print(f"yujuesuan query: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    if result is None:
        print("done (the statement returns no rows)")
        return 0
    header = list(result.column_names)
    rows = [list(r) for r in zip(*(col.to_pylist() for col in result.columns), strict=True)]  # by position
    shown = rows[: args.limit]
    _print_rows(header, shown, f"{len(rows)} row(s)" + (f", first {args.limit}" if len(rows) > args.limit else ""))
    return 0 if _write_rows(header, rows, args, "query") else 2


def cmd_export(args: argparse.Namespace) -> int:
    from yujuesuan.analysis import export

    if not have_warehouse(args.warehouse, "export"):
        return 2
    try:
        if args.format == "datapackage":
            from yujuesuan.warehouse.datapackage import datapackage

            print(f"datapackage written to {datapackage(args.warehouse)}")
            return 0
        defaults = {
            "sqlite": "data/export/warehouse.db",
            "csv": "data/export/csv",
            "xlsx": "data/export/warehouse.xlsx",
        }
        out = args.out or defaults[args.format]
        problem = export.target_problem(args.format, out, args.force)
        if problem:
            print(f"yujuesuan export: {problem}", file=sys.stderr)
            return 2
        if args.format == "sqlite":
            db, meta = export.export_sqlite(args.warehouse, out)
            print(f"sqlite written to {db}\ndatasette metadata: {meta}\nopen with: datasette {db} -m {meta}")
        elif args.format == "csv":
            print(f"{len(export.export_csv(args.warehouse, out, bom=args.bom))} csv file(s) written to {out}")
        else:
            print(f"xlsx written to {export.export_xlsx(args.warehouse, out)}")
    except OSError as exc:
        print(f"yujuesuan export: cannot write {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


def cmd_units(args: argparse.Namespace) -> int:
    from yujuesuan.warehouse.units import AliasError, apply_units, load_rules

    if not have_warehouse(args.warehouse, "units"):
        return 2
    try:
        rules = load_rules(args.aliases)
    except AliasError as exc:
        print(f"yujuesuan units: {exc}", file=sys.stderr)
        return 2
    units = apply_units(args.warehouse, rules)
    for u in units:
        years = f"{u['first_year']}–{u['last_year']}" if u["first_year"] else "?"
        print(f"{u['unit_id']}\t{years}\t{u['documents']} document(s)\t{' / '.join(u['names'])}")
    print(f"{len(units)} unit(s); aliases from {rules.source or '(none)'}")
    if problem := compact_after_run(args.warehouse):
        print(f"warning: the warehouse was not compacted: {problem}")
    return 0


def cmd_overview(args: argparse.Namespace) -> int:
    from yujuesuan.analysis.compare import EmptySelection, Selection
    from yujuesuan.analysis.overview import build_overview

    if not have_warehouse(args.warehouse, "overview"):
        return 2
    try:
        out = build_overview(args.warehouse, args.out, Selection(region=args.region))
    except EmptySelection as exc:
        print(f"yujuesuan overview: {exc}", file=sys.stderr)
        return 1
    print(f"overview written to {out}")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    wh = {"default": "data/warehouse", "help": "warehouse folder (default: data/warehouse)"}
    p = sub.add_parser(
        "compare",
        help="compare a measure across units and years (terminal table, CSV/XLSX, PNG/SVG chart)",
        description="Figures of a named measure (yujuesuan/analysis/measures.yaml, or fact:<metric>) per unit, "
        "year and budget/final, from DuckDB over the warehouse's Parquet files. A body's 部门 report wins "
        "over its 单位 report; superseded documents are left out.",
        epilog=COMPARE_EXAMPLE,
        formatter_class=fmt,
    )
    p.add_argument("--warehouse", **wh)
    p.add_argument(
        "--measure",
        nargs="+",
        default=[],
        help="measure id(s), fact:<metric>, or row:<family>:<code|label>[:<column re>]",
    )
    p.add_argument("--units", nargs="+", help="units: part of a unit_id or printed name")
    p.add_argument("--region", help="region, e.g. 上海市普陀区")
    p.add_argument("--years", nargs="+", type=int, help="fiscal years")
    p.add_argument("--kinds", nargs="+", choices=["budget", "final"], help="document kinds")
    p.add_argument("--qualifier", choices=["budget", "final"], help="only the 预算 or the 决算 figures")
    p.add_argument("--shares", action="store_true", help="each measure's share of their sum (基本 vs 项目支出)")
    p.add_argument("--overruns", action="store_true", help="the biggest 决算 over 预算 lines, with their reasons")
    p.add_argument("--top", type=int, default=20, help="rows of --overruns (default 20)")
    p.add_argument("--code", nargs="+", help="classification codes (or a name one had): found under every name")
    p.add_argument("--family", default="gpb_expenditure", help="table family --code reads (default: gpb_expenditure)")
    p.add_argument(
        "--budget-vs-final", action="store_true", help="预算 vs 决算 per unit-year: variance and the stated reason"
    )
    p.add_argument("--csv", help="also write the figures to this CSV")
    p.add_argument("--xlsx", help="also write the figures to this XLSX")
    p.add_argument("--bom", action="store_true", help="CSV with a UTF-8 byte-order mark (for Excel on Windows)")
    p.add_argument("--chart", help="write a bar chart (.png or .svg)")
    p.set_defaults(func=cmd_compare)
    p = sub.add_parser(
        "query",
        help='run SQL on the warehouse (DuckDB; every table is a view): yujuesuan query "SELECT …"',
        description="Every warehouse table (documents, line_items, facts, …) is a DuckDB view over its Parquet files.",
        epilog=QUERY_EXAMPLE,
        formatter_class=fmt,
    )
    p.add_argument("sql", help="the SQL statement")
    p.add_argument("--warehouse", **wh)
    p.add_argument("--limit", type=int, default=50, help="rows shown in the terminal (default 50; files get all)")
    p.add_argument("--csv", help="also write the result to this CSV")
    p.add_argument("--xlsx", help="also write the result to this XLSX")
    p.add_argument("--bom", action="store_true", help="CSV with a UTF-8 byte-order mark (for Excel on Windows)")
    p.set_defaults(func=cmd_query)
    p = sub.add_parser(
        "export",
        help="export the warehouse: SQLite (+ Datasette metadata), CSV, XLSX, or datapackage.json",
        description="SQLite: one table per warehouse table, with OUT.metadata.json for Datasette (table and "
        "column descriptions). CSV: one file per table. XLSX: one sheet per table. datapackage: a Frictionless "
        "datapackage.json in the warehouse describing its Parquet tables.",
        epilog=EXPORT_EXAMPLE,
        formatter_class=fmt,
    )
    p.add_argument("--warehouse", **wh)
    p.add_argument("--format", choices=["sqlite", "csv", "xlsx", "datapackage"], required=True)
    p.add_argument("--out", help="file (sqlite, xlsx) or folder (csv); default under data/export/")
    p.add_argument("--force", action="store_true", help="overwrite an existing export")
    p.add_argument("--bom", action="store_true", help="CSV with a UTF-8 byte-order mark (for Excel on Windows)")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser(
        "units",
        help="resolve unit identity (aliases file) across the warehouse and list the units",
        description="Apply data/units/aliases.yaml (rewrites, short regions, renamed bodies) to every stored "
        "row's unit_id and write the units table (names seen, region, first/last year).",
        epilog=UNITS_EXAMPLE,
        formatter_class=fmt,
    )
    p.add_argument("--warehouse", **wh)
    p.add_argument("--aliases", help="alias file (default: data/units/aliases.yaml)")
    p.set_defaults(func=cmd_units)
    p = sub.add_parser(
        "overview",
        help="write the static HTML overview: key figures per unit and year, their change, the evidence",
        description="Per unit and year: 支出合计, 基本支出, 项目支出 and “三公”经费 (预算 and 决算), the change on "
        "the previous year, and for each figure its document, page and printed text (linked to the source).",
        epilog=OVERVIEW_EXAMPLE,
        formatter_class=fmt,
    )
    p.add_argument("--warehouse", **wh)
    p.add_argument("--region", help="only this region")
    p.add_argument("--out", default="data/overview.html", help="HTML file (default: data/overview.html)")
    p.set_defaults(func=cmd_overview)
