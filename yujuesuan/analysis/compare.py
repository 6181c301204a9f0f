"""Comparisons across units and years: figures of a measure, pivots, shares and overruns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb
import pandas as pd

from yujuesuan.analysis.cells import plain
from yujuesuan.analysis.measures import AmbiguousRow, Match, Measure

SCOPE_ORDER = {"department": 0, "unit": 1, "unknown": 2}
STATUS_ORDER = {"ok": 0, "partial": 1, "failed": 2}
WAN = Decimal(10000)
KIND_LABEL = {"budget": "预算", "final": "决算"}  # a qualifier as the documents print it


@dataclass
class Selection:
    """Which documents a comparison reads. Units match a unit_id or any printed name by substring."""

    units: list[str] = field(default_factory=list)
    region: str | None = None
    years: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # budget / final
    qualifier: str | None = None  # budget / final: which figure of a cell pair
    include_superseded: bool = False


class EmptySelection(LookupError):
    """A filter of the selection matched nothing; the message names the filter and the values there are."""


def _documents(con: duckdb.DuckDBPyConnection, sel: Selection) -> pd.DataFrame:
    """The readable documents the selection names. A filter that leaves nothing raises EmptySelection,
    which names it and lists what there is (a warehouse without readable documents is just empty)."""
    docs = con.execute(
        "SELECT doc_id, unit_id, unit_name, region, year, kind, scope, status, file_name, is_current "
        "FROM documents WHERE status <> 'failed' AND unit_id IS NOT NULL AND year IS NOT NULL"
    ).df()
    if not sel.include_superseded:
        docs = docs[docs["is_current"].fillna(True).astype(bool)]
    if docs.empty:
        return docs
    applied: list[str] = []
    if sel.region:
        regions = docs["region"].fillna("").astype(str)
        docs = _narrow(
            docs,
            regions.str.contains(sel.region, regex=False),
            f"--region {sel.region}",
            applied,
            _suggest(sel.region, regions),
            "regions",
        )
    if sel.years:
        docs = _narrow(
            docs,
            docs["year"].isin(sel.years),
            "--years " + " ".join(map(str, sel.years)),
            applied,
            [],
            "years",
            sorted({int(y) for y in docs["year"]}),
        )
    if sel.kinds:
        docs = _narrow(docs, docs["kind"].isin(sel.kinds), "--kinds " + " ".join(sel.kinds), applied, [], "kinds")
    if sel.units:
        names = docs["unit_id"].fillna("").astype(str) + "|" + docs["unit_name"].fillna("").astype(str)
        for u in sel.units:  # each name given must match a unit
            if not names.map(lambda n, u=u: u in n).any():
                units = pd.concat([docs["unit_id"], docs["unit_name"]]).dropna().astype(str)
                _narrow(docs, names.map(lambda n: False), f"--units {u}", applied, _suggest(u, units), "units")
        docs = docs[names.map(lambda n: any(u in n for u in sel.units)).astype(bool)]
    return docs


def _narrow(
    docs: pd.DataFrame,
    keep: pd.Series,
    what: str,
    applied: list[str],
    close: list[str],
    noun: str,
    present: list | None = None,
) -> pd.DataFrame:
    kept = docs[keep.astype(bool)]
    if kept.empty:
        column = {"regions": "region", "years": "year", "kinds": "kind", "units": "unit_id"}[noun]
        there = present if present is not None else sorted({str(v) for v in docs[column].dropna()})
        scope = f" among the documents of {', '.join(applied)}" if applied else ""
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        listed = ", ".join(map(str, there[:12])) + (f", … ({len(there)} in all)" if len(there) > 12 else "")
        raise EmptySelection(f"{what} matches nothing{scope}{hint} ({noun} there: {listed})")
    applied.append(what)
    return kept


def _suggest(given: str, values: pd.Series) -> list[str]:
    """Up to three values close to a mistyped one (edit similarity, then shared characters)."""
    import difflib

    choices = sorted({str(v) for v in values if v})
    close = difflib.get_close_matches(given, choices, n=3, cutoff=0.5)
    if not close:
        shared = sorted(choices, key=lambda c: (-len(set(c) & set(given)) / max(len(set(given)), 1), len(c)))
        close = [c for c in shared[:3] if len(set(c) & set(given)) >= max(2, len(set(given)) // 2)]
    return close


def _qualifier(column: str, kind: str) -> str:
    if "决算" in column:
        return "final"
    if "预算" in column:
        return "budget"
    return "final" if kind == "final" else "budget"


FIGURE_COLUMNS = ["unit_id", "unit_name", "region", "year", "kind", "scope", "qualifier", "measure", "value"]
FIGURE_COLUMNS += ["doc_id", "file_name", "table_code", "page", "code", "column", "printed", "source"]


def figures(con: duckdb.DuckDBPyConnection, measure: Measure, sel: Selection) -> pd.DataFrame:
    """One row per unit, year and qualifier: the measure's value (元) and where it was printed.

    Where several documents give it (a body's 部门 and 单位 reports), the 部门 report wins, then
    an `ok` document over a `partial` one."""
    docs = _documents(con, sel)
    out = per_document(con, measure, docs)
    if sel.qualifier:
        out = out[out["qualifier"] == sel.qualifier]
    if out.empty:
        return out.reset_index(drop=True)
    out["_scope"] = out["scope"].map(SCOPE_ORDER).fillna(3)
    out["_status"] = out["doc_id"].map(docs.set_index("doc_id")["status"]).map(STATUS_ORDER).fillna(3)
    out = out.sort_values(["unit_id", "year", "qualifier", "_scope", "_status", "doc_id"])
    out = out.drop_duplicates(["unit_id", "year", "qualifier"]).drop(columns=["_scope", "_status"])
    return out.reset_index(drop=True)


def per_document(con: duckdb.DuckDBPyConnection, measure: Measure, docs: pd.DataFrame) -> pd.DataFrame:
    """The measure in each of the documents `docs` (rows of `documents`): one row per document and
    qualifier, before a body's reports are reduced to one (`figures`)."""
    if docs.empty:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    con.register("_selected", docs[["doc_id"]])
    meta = docs.set_index("doc_id")
    if measure.source == "facts":
        facts = con.execute(
            "SELECT f.doc_id, CAST(f.value AS VARCHAR) AS value, f.qualifier, f.sentence, f.page "
            "FROM facts f JOIN _selected USING (doc_id) "
            "WHERE f.metric = ? ORDER BY f.doc_id, f.page",
            [measure.metric],
        ).df()
        rows = []
        for f in facts.itertuples():
            d = meta.loc[f.doc_id]
            q = f.qualifier if f.qualifier in ("budget", "final") else ("final" if d.kind == "final" else "budget")
            rows.append(_row(d, f.doc_id, q, measure, f.value, f.page, f.sentence, "facts"))
        return pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    families = sorted({fam for m in measure.matches for fam in m.families})
    cells = con.execute(
        f"SELECT {', '.join(CELL_SELECT)} "
        "FROM line_items li JOIN _selected USING (doc_id) "
        f"WHERE li.table_family IN ({', '.join('?' for _ in families)}) ORDER BY li.doc_id, li.page, li.row_index",
        families,
    ).df()
    return cell_figures(measure, cells, meta)


CELL_SELECT = ("li.doc_id", "li.table_code", "li.table_family", "li.row_label", "li.code", 'li."column" AS col',
               "CAST(li.value AS VARCHAR) AS value", "li.printed", "li.page", "li.row_index")
CELL_COLUMNS = [c.rsplit(" ", 1)[-1].removeprefix("li.") for c in CELL_SELECT]  # doc_id … row_index


def cell_figures(measure: Measure, cells: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """The measure in documents' cells (CELL_COLUMNS, each document's in reading order: page, row;
    the value as text), `meta` the documents' rows indexed by doc_id: as `per_document`."""
    cells["row_label"] = cells["row_label"].fillna("").astype(str).str.strip()
    cells["code"] = cells["code"].where(cells["code"].notna(), None)
    rows: list[dict] = []
    for doc_id, group in cells.groupby("doc_id", sort=True):
        d = meta.loc[doc_id]
        for m in measure.matches:
            hit = _hits(group, m)
            if hit.empty:
                continue
            if measure.one_code:
                _refuse_ambiguous(measure, hit, cells)
            seen: set[str] = set()
            for c in hit.itertuples():
                q = _qualifier(c.col, d.kind)
                if q in seen:
                    continue  # the first cell of each qualifier (in reading order)
                seen.add(q)
                rows.append(_row(d, doc_id, q, measure, c.value, c.page, c.printed, "line_items", cell=c))
            break
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)


def _hits(group: pd.DataFrame, m: Match) -> pd.DataFrame:
    """The cells of one document's tables that one alternative of a measure finds."""
    hit = group[group["table_family"].isin(m.families)]
    if m.code:
        hit = hit[hit["code"] == m.code]
    if m.row:
        hit = hit[_matches(hit["row_label"], m.row)]
    if m.uncoded:
        hit = hit[hit["code"].isna()]
    for pattern in m.column:
        hit = hit[_matches(hit["col"], pattern)]
    for pattern in m.exclude:
        hit = hit[~_matches(hit["col"], pattern)]
    if m.sole_row and not hit.empty:
        tables = group[group["table_code"].isin(set(hit["table_code"])) & group["table_family"].isin(m.families)]
        rows_per_table = tables.groupby("table_code")[["page", "row_index"]].apply(lambda t: len(t.drop_duplicates()))
        hit = hit[hit["table_code"].map(rows_per_table) == 1]
    return hit


def _refuse_ambiguous(measure: Measure, hit: pd.DataFrame, cells: pd.DataFrame) -> None:
    """A row named by its label that stands for several classification codes (行政运行 is 2010301 and
    2010601) cannot be compared: say so and list the codes."""
    label_rx = [m.row for m in measure.matches if m.row]
    candidates = cells[cells["code"].notna()]
    for pattern in label_rx:
        candidates = candidates[_matches(candidates["row_label"], pattern)]
    codes = sorted(set(candidates["code"]) | set(hit["code"].dropna()))
    if len(codes) < 2:
        return
    parents = dict(zip(cells["code"].dropna(), cells.loc[cells["code"].notna(), "row_label"], strict=True))
    listed = []
    for code in codes:
        path = [parents.get(code[:n]) for n in (3, 5) if len(code) > n]
        docs = candidates.loc[candidates["code"] == code, "doc_id"].nunique()
        where = "/".join(p for p in path if p)
        listed.append(f"{code}{f' ({where})' if where else ''} in {docs} document(s)")
    family = measure.matches[0].families[0]
    raise AmbiguousRow(
        f"{measure.id!r}: the label stands for {len(codes)} codes: {'; '.join(listed)}; "
        f"name one by its code, e.g. row:{family}:{codes[0]}"
    )


def _matches(values: pd.Series, pattern: str) -> pd.Series:
    rx = re.compile(pattern)
    return values.fillna("").map(lambda v: bool(rx.search(v))).astype(bool)


def _row(d, doc_id, qualifier, measure, value, page, printed, source, cell=None) -> dict:  # noqa: ANN001
    return {
        "unit_id": d.unit_id,
        "unit_name": d.unit_name,
        "region": d.region,
        "year": int(d.year),
        "kind": d.kind,
        "scope": d.scope,
        "qualifier": qualifier,
        "measure": measure.id,
        "value": Decimal(str(plain(value))) if plain(value) is not None else None,
        "doc_id": doc_id,
        "file_name": d.file_name,
        "table_code": cell.table_code if cell is not None else None,
        "page": int(page) if plain(page) is not None else None,
        "code": cell.code if cell is not None else None,
        "column": cell.col if cell is not None else None,
        "printed": printed,
        "source": source,
    }


def pivot(df: pd.DataFrame) -> pd.DataFrame:
    """Units × (year, qualifier), values in 万元."""
    if df.empty:
        return pd.DataFrame()
    table = df.assign(wan=df["value"].map(lambda v: float(v / WAN) if v is not None else None))
    table["period"] = table["year"].astype(str) + " " + table["qualifier"].map(KIND_LABEL)
    return table.pivot_table(index="unit_id", columns="period", values="wan", aggfunc="first").sort_index(axis=1)


def shares(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """For measures that add up (基本支出 + 项目支出): each one's share of their sum, per unit-year."""
    both = pd.concat(frames, ignore_index=True)
    if both.empty:
        return both
    keys = ["unit_id", "year", "qualifier"]
    total = both.groupby(keys)["value"].transform(lambda s: sum(s, Decimal(0)))
    both["share_pct"] = [
        float((v / t * 100).quantize(Decimal("0.01"))) if t else None for v, t in zip(both["value"], total, strict=True)
    ]
    return both.sort_values([*keys, "measure"]).reset_index(drop=True)


def overruns(con: duckdb.DuckDBPyConnection, sel: Selection, top: int = 20) -> pd.DataFrame:
    """The biggest 决算 over 预算 lines of the 预算 vs 决算 explanations, with their reasons."""
    docs = _documents(con, sel)
    if docs.empty:
        return pd.DataFrame()
    con.register("_selected", docs[["doc_id"]])
    v = con.execute(
        "SELECT v.doc_id, v.code, v.row_label, v.initial_budget, v.adjusted_budget, v.final, v.completion_rate, "
        "v.completion_basis, v.reason, v.page FROM variances v JOIN _selected USING (doc_id)"
    ).df()
    if v.empty:
        return v
    meta = docs.set_index("doc_id")
    v["unit_id"] = v["doc_id"].map(meta["unit_id"])
    v["year"] = v["doc_id"].map(meta["year"])
    basis = v["adjusted_budget"].where(v["adjusted_budget"].notna(), v["initial_budget"])
    v["budget"] = basis
    v["overrun"] = [
        (f - b) if f is not None and b is not None and not pd.isna(b) and not pd.isna(f) else None
        for f, b in zip(v["final"], basis, strict=True)
    ]
    v = v[v["overrun"].notna()]
    v = v.sort_values("overrun", ascending=False, key=lambda s: s.map(float)).head(top)
    cols = ["unit_id", "year", "code", "row_label", "budget", "final", "overrun", "completion_rate"]
    return v[[*cols, "completion_basis", "reason", "doc_id", "page"]].reset_index(drop=True)


def normalise_units(values: list[str]) -> list[str]:
    return [re.sub(r"\s+", "", v) for v in values]


def explain_missing(con: duckdb.DuckDBPyConnection, measure: Measure, sel: Selection) -> str:
    """Why a measure has no figures in a selection that has documents, and which measures do."""
    from yujuesuan.analysis.measures import catalogue

    docs = _documents(con, sel)
    if docs.empty:
        return "the warehouse holds no readable documents (every one failed, or none is stored)"
    every = per_document(con, measure, docs)
    if not every.empty and sel.qualifier:
        there = sorted({KIND_LABEL.get(q, q) for q in every["qualifier"]})
        wanted = KIND_LABEL[sel.qualifier]
        return f"{measure.id}: no {wanted} figures (--qualifier {sel.qualifier}) here, only {'/'.join(there)}"
    others = [m for m in catalogue().values() if m.id != measure.id and not per_document(con, m, docs).empty]
    hint = f"; measures with figures there: {', '.join(m.id for m in others)}" if others else ""
    families = sorted({f for m in measure.matches for f in m.families})
    printed = f" (no {' / '.join(families)} table with it)" if families else ""
    return f"{measure.id}: none of the {len(docs)} selected document(s) prints it{printed}{hint}"
