"""Compare by classification code across renames, and 预算 vs 决算 side by side per unit-year."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pandas as pd

from extractors.vocabulary import pattern
from yujuesuan.analysis.compare import KIND_LABEL, Selection, _documents, per_document
from yujuesuan.analysis.measures import Match, Measure, MeasureError
from yujuesuan.codes import Catalogue, name_key


def resolve_code(given: str, catalogue: Catalogue) -> str:
    """A code as given, or the code whose catalogue names (any year, or an abbreviation) include a name."""
    if given.isdigit():
        return given
    key = name_key(given)
    codes = sorted(c for c, entries in catalogue.by_code.items() if any(name_key(e.name) == key for e in entries))
    if len(codes) == 1:
        return codes[0]
    if not codes:
        raise MeasureError(f"--code {given}: no code of the catalogue is named so (give the code, e.g. 20805)")
    raise MeasureError(f"--code {given}: several codes are named so ({', '.join(codes)}); give the code")


def code_measure(code: str, family: str, catalogue: Catalogue) -> Measure:
    """The total column of the rows carrying `code` in a table family, whatever the name printed beside it."""
    names = " → ".join(e.name for e in catalogue.names(code)) or "not in the catalogue"
    column = f"(^|/)({pattern('total_column')}|{pattern('amount')})$"
    return Measure(f"code:{family}:{code}", f"{code} {names}", "line_items", (Match((family,), column=(column,),
                                                                                        code=code),))


def rename_note(code: str, catalogue: Catalogue, printed: pd.DataFrame) -> str:
    """One line: the catalogue's names of the code by year, and the names the selected documents print."""
    entries = catalogue.names(code)
    known = "; ".join(f"{e.name} ({e.years()})" for e in entries) or "not in the catalogue"
    seen = sorted({str(n) for n in printed.get("row_label", pd.Series(dtype=str)).dropna()})
    return f"{code}: {known}; printed as {', '.join(seen) or '—'}"


def printed_names(con: duckdb.DuckDBPyConnection, code: str, family: str, docs: pd.DataFrame) -> pd.DataFrame:
    """Per document, the label printed beside the code."""
    if docs.empty:
        return pd.DataFrame(columns=["doc_id", "row_label"])
    con.register("_named", docs[["doc_id"]])
    return con.execute(
        "SELECT DISTINCT li.doc_id, li.row_label FROM line_items li JOIN _named USING (doc_id) "
        "WHERE li.code = ? AND li.table_family = ?",
        [code, family],
    ).df()


SIDE_COLUMNS = ["unit_id", "year", "measure", "budget", "final", "variance", "variance_pct", "budget_from", "reason",
                "budget_doc_id", "final_doc_id", "final_page", "reason_page"]


def budget_vs_final(con: duckdb.DuckDBPyConnection, measure: Measure, sel: Selection) -> pd.DataFrame:
    """Per unit and year: the 预算 figure (the year's 预算 document, else the 决算's own 预算数 column), the
    决算 figure, the variance (决算 − 预算, and in % of 预算), and the reason the 决算 states for the line
    of the same code (its 预算 vs 决算 explanation)."""
    docs = _documents(con, sel)
    every = per_document(con, measure, docs)
    if every.empty:
        return pd.DataFrame(columns=SIDE_COLUMNS)
    every["_scope"] = every["scope"].map({"department": 0, "unit": 1}).fillna(2)
    every = every.sort_values(["unit_id", "year", "_scope", "doc_id"])
    reasons = _reasons(con, docs)
    rows = []
    for (unit, year), group in every.groupby(["unit_id", "year"], sort=True):
        final = group[(group["kind"] == "final") & (group["qualifier"] == "final")]
        budget = group[(group["kind"] == "budget") & (group["qualifier"] == "budget")]
        source = KIND_LABEL["budget"]
        if budget.empty:
            budget, source = group[(group["kind"] == "final") & (group["qualifier"] == "budget")], "决算 预算数"
        if final.empty and budget.empty:
            continue
        f = final.iloc[0] if not final.empty else None
        b = budget.iloc[0] if not budget.empty else None
        fv = f["value"] if f is not None else None
        bv = b["value"] if b is not None else None
        variance = fv - bv if fv is not None and bv is not None else None
        pct = float((variance / bv * 100).quantize(Decimal("0.01"))) if variance is not None and bv else None
        reason = None
        if f is not None and f["code"]:
            reason = reasons.get((f["doc_id"], f["code"]))
        rows.append(
            {
                "unit_id": unit,
                "year": int(year),
                "measure": measure.id,
                "budget": bv,
                "final": fv,
                "variance": variance,
                "variance_pct": pct,
                "budget_from": source if b is not None else None,
                "reason": reason[0] if reason else None,
                "budget_doc_id": b["doc_id"] if b is not None else None,
                "final_doc_id": f["doc_id"] if f is not None else None,
                "final_page": f["page"] if f is not None else None,
                "reason_page": reason[1] if reason else None,
            }
        )
    return pd.DataFrame(rows, columns=SIDE_COLUMNS)


def _reasons(con: duckdb.DuckDBPyConnection, docs: pd.DataFrame) -> dict[tuple[str, str], tuple[str, int | None]]:
    if docs.empty:
        return {}
    con.register("_reasoned", docs[["doc_id"]])
    v = con.execute(
        "SELECT v.doc_id, v.code, v.reason, v.page FROM variances v JOIN _reasoned USING (doc_id) "
        "WHERE v.code IS NOT NULL AND v.reason IS NOT NULL"
    ).df()
    return {(r.doc_id, r.code): (r.reason, None if pd.isna(r.page) else int(r.page)) for r in v.itertuples()}
