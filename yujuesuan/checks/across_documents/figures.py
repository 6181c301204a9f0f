"""A figure of one document wherever it prints it: a fact of its text, or a table cell a measure names.

Each figure keeps its provenance (document, page, printed text) for the findings. Money is in 元."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from yujuesuan.checks.rules import DocData


@dataclass(frozen=True)
class Figure:
    value: Decimal
    doc_id: str
    page: int | None
    printed: str | None
    source: str  # facts / line_items


@cache
def _measures() -> dict:
    from yujuesuan.analysis.measures import catalogue

    return catalogue()


def natural_qualifier(doc: DocData) -> str:
    return "final" if doc.document.get("kind") == "final" else "budget"


def fact_figures(doc: DocData, metric: str, qualifier: str) -> list[Figure]:
    """The figures of a metric the text states: facts with that qualifier, or with none in a document
    of the qualifier's kind."""
    natural = natural_qualifier(doc)
    out = []
    for f in doc.facts:
        if f.get("metric") != metric or f.get("value_unit") not in (None, "元") or f.get("value") is None:
            continue
        q = f.get("qualifier")
        if q == qualifier or (q in (None, "") and qualifier == natural):
            out.append(Figure(Decimal(f["value"]), doc.document["doc_id"], f.get("page"), f.get("sentence"), "facts"))
    return out


def table_figures(doc: DocData, metric: str, qualifier: str) -> list[Figure]:
    """The cells the measure of that name finds (yujuesuan/analysis/measures.yaml), of that qualifier."""
    measure = _measures().get(metric)
    if measure is None or measure.source != "line_items" or not doc.items:
        return []
    import duckdb
    import pandas as pd

    from yujuesuan.analysis.compare import per_document
    from yujuesuan.warehouse.store import to_arrow

    con = duckdb.connect()
    try:
        items = [{**i, "doc_id": doc.document["doc_id"]} for i in doc.items]
        con.register("line_items", to_arrow("line_items", items))
        con.register("facts", to_arrow("facts", []))
        d = doc.document
        docs = pd.DataFrame(
            [{k: d.get(k) for k in ("doc_id", "unit_id", "unit_name", "region", "year", "kind", "scope", "file_name")}]
        )
        docs["year"] = docs["year"].fillna(0)
        found = per_document(con, measure, docs)
    except Exception:  # a measure that cannot be read here gives no figure, never a crash
        return []
    finally:
        con.close()
    return [
        Figure(Decimal(str(r.value)), d["doc_id"], None if pd.isna(r.page) else int(r.page), r.printed, "line_items")
        for r in found.itertuples()
        if r.qualifier == qualifier and r.value is not None
    ]


def figures(doc: DocData, metric: str, qualifier: str) -> list[Figure]:
    """Table cells first (what the tables print), then what the text states."""
    return table_figures(doc, metric, qualifier) + fact_figures(doc, metric, qualifier)
