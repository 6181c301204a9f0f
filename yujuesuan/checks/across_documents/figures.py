"""A figure of one document wherever it prints it: a fact of its text, or a table cell a measure names.

Each figure keeps its provenance (document, page, printed text) for the findings. Money is in 元."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

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


_SESSION: list[Any] = []  # the DuckDB connection of the figure_session in progress (none: one per call)
DUCKDB_SETTINGS = {"threads": 1, "memory_limit": "256MB"}  # a document's cells: small, on the writer's core


def _connect() -> Any:
    import duckdb

    return duckdb.connect(config=dict(DUCKDB_SETTINGS))


@contextmanager
def figure_session() -> Iterator[None]:
    """Every table figure read inside the block shares one DuckDB connection (a run across documents
    otherwise opened one per document and measure)."""
    if _SESSION:  # nested: the outer session's connection
        yield
        return
    _SESSION.append(_connect())
    try:
        yield
    finally:
        _SESSION.pop().close()


def table_figures(doc: DocData, metric: str, qualifier: str) -> list[Figure]:
    """The cells the measure of that name finds (yujuesuan/analysis/measures.yaml), of that qualifier."""
    measure = _measures().get(metric)
    if measure is None or measure.source != "line_items" or not doc.items:
        return []
    import pandas as pd

    from yujuesuan.analysis.compare import per_document
    from yujuesuan.warehouse.store import to_arrow

    con = _SESSION[-1] if _SESSION else _connect()
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
        for view in ("line_items", "facts", "_selected"):
            with suppress(Exception):
                con.unregister(view)
        if not _SESSION:
            con.close()
    return [
        Figure(Decimal(str(r.value)), d["doc_id"], None if pd.isna(r.page) else int(r.page), r.printed, "line_items")
        for r in found.itertuples()
        if r.qualifier == qualifier and r.value is not None
    ]


def figures(doc: DocData, metric: str, qualifier: str) -> list[Figure]:
    """Table cells first (what the tables print), then what the text states."""
    return table_figures(doc, metric, qualifier) + fact_figures(doc, metric, qualifier)
