"""A static HTML overview: per unit and year the key figures, their change on the year before,
and the evidence (document, page, printed text, link to the source)."""

from __future__ import annotations

import html
import os
from decimal import Decimal
from pathlib import Path

import pandas as pd

from yujuesuan.analysis.compare import KIND_LABEL, Selection, figures
from yujuesuan.analysis.duck import ANALYSIS_TABLES, connect
from yujuesuan.analysis.measures import get
from yujuesuan.checks.report import FONTS

KEY_MEASURES = ["expenditure_total", "basic_expenditure", "project_expenditure", "sangong_total"]
WAN = Decimal(10000)


def overview_frame(warehouse: str | os.PathLike[str], sel: Selection | None = None) -> pd.DataFrame:
    con = connect(warehouse, tables=ANALYSIS_TABLES)
    frames = [figures(con, get(m), sel or Selection()) for m in KEY_MEASURES]
    df = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(not f.empty for f in frames) else None
    if df is None:
        return pd.DataFrame()
    df = df.sort_values(["unit_id", "measure", "qualifier", "year"]).reset_index(drop=True)
    prev = df.groupby(["unit_id", "measure", "qualifier"])["value"].shift(1)
    prev_year = df.groupby(["unit_id", "measure", "qualifier"])["year"].shift(1)
    df["previous"] = prev
    df["previous_year"] = prev_year
    df["change_pct"] = [
        float(((v - p) / p * 100).quantize(Decimal("0.1"))) if p is not None and not pd.isna(p) and p else None
        for v, p in zip(df["value"], prev, strict=True)
    ]
    return df


def _wan(v: object) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else f"{Decimal(str(v)) / WAN:,.2f}"


def build_overview(
    warehouse: str | os.PathLike[str], out: str | os.PathLike[str], sel: Selection | None = None
) -> Path:
    df = overview_frame(warehouse, sel)
    out = Path(out)
    con = connect(warehouse, tables=ANALYSIS_TABLES)
    formats = dict(con.execute("SELECT doc_id, format FROM documents").fetchall())
    parts = [
        "<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'><title>yujuesuan overview</title>",
        f"<style>body{{font-family:{FONTS};margin:2em}}"
        "table{border-collapse:collapse;margin-bottom:2em}"
        "td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px}td.n{text-align:right}td.k{white-space:nowrap}"
        ".up{color:#b00}.down{color:#070}small{color:#666}</style></head><body>",
        "<h1>Overview: key figures per unit and year</h1>",
        f"<p>Warehouse <code>{html.escape(str(Path(warehouse).resolve()))}</code>. Figures in 万元; the change is "
        "against the unit's previous year of the same kind (预算 with 预算, 决算 with 决算); each figure links "
        "to its evidence.</p>",
    ]
    if df.empty:
        parts.append("<p>No figures yet.</p>")
    for unit_id, group in [] if df.empty else df.groupby("unit_id", sort=True):
        parts.append(f"<h2>{html.escape(unit_id)}</h2><table><tr><th>year</th><th></th>")
        parts += [f"<th>{html.escape(get(m).label)}</th>" for m in KEY_MEASURES]
        parts.append("</tr>")
        for (year, qualifier), cells in group.groupby(["year", "qualifier"], sort=True):
            parts.append(f"<tr><td class='k'>{year}</td><td class='k'>{KIND_LABEL.get(qualifier, qualifier)}</td>")
            by_measure = {r.measure: r for r in cells.itertuples()}
            for m in KEY_MEASURES:
                r = by_measure.get(m)
                if r is None:
                    parts.append("<td></td>")
                    continue
                change = ""
                if r.change_pct is not None and not pd.isna(r.change_pct):
                    cls = "up" if r.change_pct > 0 else "down" if r.change_pct < 0 else ""
                    change = f" <span class='{cls}'>{r.change_pct:+.1f}% vs {int(r.previous_year)}</span>"
                where = f"{r.file_name}, page {r.page}" + (f", table {r.table_code}" if r.table_code else "")
                evidence = html.escape(where)
                link = evidence_link(warehouse, out, r.doc_id, r.page)
                if link:
                    kind = "application/pdf" if formats.get(r.doc_id) == "pdf" else "text/html"
                    evidence = f"<a href='{html.escape(link)}' type='{kind}'>{evidence}</a>"
                parts.append(
                    f"<td class='n'>{_wan(r.value)}{change}<br><small>{evidence}; printed "
                    f"“{html.escape(str(r.printed))}”</small></td>"
                )
            parts.append("</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def evidence_link(
    warehouse: str | os.PathLike[str], out: str | os.PathLike[str], doc_id: str, page: object
) -> str | None:
    """The stored copy of a figure's document (WAREHOUSE/_raw/<sha256>), relative to the page written at
    `out`, opened at its page (`#page=N`); None when the warehouse keeps no copy. A source URL is not
    used: it may be gone (the demo portal's server is, after the run)."""
    raw = Path(warehouse) / "_raw" / doc_id
    if not raw.is_file():
        return None
    rel = Path(os.path.relpath(raw.resolve(), Path(out).resolve().parent)).as_posix()
    return rel + (f"#page={int(page)}" if page is not None and not pd.isna(page) else "")
