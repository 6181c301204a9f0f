"""A figure of one document wherever it prints it: a fact of its text, or a table cell a measure names.

Each figure keeps its provenance (document, page, printed text) for the findings. Money is in 元."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


_SESSION: list[dict[tuple[str, str], list[tuple[str, Figure]]]] = []  # the figure_session in progress


@contextmanager
def figure_session() -> Iterator[None]:
    """Inside the block each document's figures of a measure are read once (an anchor's document is the
    other side of its neighbours' pairs). The documents' rows must not change inside it."""
    if _SESSION:  # nested: the outer session's
        yield
        return
    _SESSION.append({})
    try:
        yield
    finally:
        _SESSION.pop()


def table_figures(doc: DocData, metric: str, qualifier: str) -> list[Figure]:
    """The cells the measure of that name finds (yujuesuan/analysis/measures.yaml), of that qualifier."""
    measure = _measures().get(metric)
    if measure is None or measure.source != "line_items" or not doc.items:
        return []
    found = _SESSION[-1] if _SESSION else {}
    key = (doc.document["doc_id"], metric)
    if key not in found:
        found[key] = _read_figures(doc, measure)
    return [f for q, f in found[key] if q == qualifier]


def _read_figures(doc: DocData, measure: Any) -> list[tuple[str, Figure]]:
    """Every qualifier's figures of one measure in one document: its cells of the measure's table families
    in reading order, matched as `compare` matches them over the warehouse."""
    import pandas as pd

    from yujuesuan.analysis.compare import CELL_COLUMNS, cell_figures

    d = doc.document
    families = {fam for m in measure.matches for fam in m.families}
    items = sorted((i for i in doc.items if i.get("table_family") in families),
                   key=lambda i: (i.get("page") is None, i.get("page") or 0, i.get("row_index") is None,
                                  i.get("row_index") or 0))
    cells = pd.DataFrame(
        [[d["doc_id"], i.get("table_code"), i.get("table_family"), i.get("row_label"), i.get("code"),
          i.get("column"), None if i.get("value") is None else str(i["value"]), i.get("printed"), i.get("page"),
          i.get("row_index")] for i in items],
        columns=CELL_COLUMNS, dtype=object,
    )
    meta = pd.DataFrame(
        [{k: d.get(k) for k in ("doc_id", "unit_id", "unit_name", "region", "year", "kind", "scope", "file_name")}]
    )
    meta["year"] = meta["year"].fillna(0)
    try:
        found = cell_figures(measure, cells, meta.set_index("doc_id"))
    except Exception:  # a measure that cannot be read here gives no figure, never a crash
        return []
    return [
        (r.qualifier, Figure(Decimal(str(r.value)), d["doc_id"], None if pd.isna(r.page) else int(r.page), r.printed,
                             "line_items"))
        for r in found.itertuples()
        if r.value is not None
    ]


def figures(doc: DocData, metric: str, qualifier: str) -> list[Figure]:
    """Table cells first (what the tables print), then what the text states."""
    return table_figures(doc, metric, qualifier) + fact_figures(doc, metric, qualifier)
