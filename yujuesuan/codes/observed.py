"""The warehouse's `codes` table: every classification code the documents print, against the catalogue."""

from __future__ import annotations

import itertools
import os
from collections import defaultdict

import pyarrow as pa
import pyarrow.compute as pc

from yujuesuan.codes import Catalogue, active, name_key, system_of
from yujuesuan.warehouse.store import Warehouse, to_arrow

LEVELS = {3: "类", 5: "款", 7: "项"}


def observed_codes(items: list[dict], years: dict[str, int | None], catalogue: Catalogue) -> list[dict]:
    """One row per code of `items` (line_items rows: doc_id, code, row_label); `years` gives each document's year."""
    seen: dict[str, dict] = defaultdict(lambda: {"names": {}, "docs": set(), "years": set()})
    for i in items:
        code = i.get("code")
        if not code:
            continue
        entry = seen[code]
        year = years.get(i["doc_id"])
        name = name_key(i.get("row_label"))
        if name:
            entry["names"].setdefault(name, set()).add((year, i["doc_id"]))
        entry["docs"].add(i["doc_id"])
        if year is not None:
            entry["years"].add(int(year))
    rows = []
    for code in sorted(seen):
        entry = seen[code]
        known = [e.name for e in catalogue.names(code)]
        conflicts = []
        for name, where in sorted(entry["names"].items()):
            for year, doc_id in sorted(where, key=lambda w: (w[0] or 0, w[1])):
                verdict = catalogue.check(code, name, year)
                if verdict.outcome in ("other_name", "later"):
                    conflicts.append(f"{name} ({year or 'year unknown'}, {doc_id[:12]}): catalogue {verdict.expected}")
                    break
        if code not in catalogue:
            status = "unknown"
        elif conflicts:
            status = "name_differs"
        elif len({catalogue.name_for(code, y) for y in entry["years"]}) > 1:
            status = "renamed"
        else:
            status = "known"
        rows.append(
            {
                "code": code,
                "code_system": system_of(code),
                "level": LEVELS.get(len(code)),
                "names": sorted(entry["names"]),
                "years": sorted(entry["years"]),
                "documents": len(entry["docs"]),
                "doc_ids": sorted(entry["docs"]),
                "catalogue_names": known,
                "status": status,
                "conflicts": conflicts,
            }
        )
    return rows


def publish_codes(warehouse: str | os.PathLike[str], catalogue: Catalogue | None = None) -> int:
    """Write WAREHOUSE/codes/codes.parquet from the stored line items, each code's status against
    `catalogue` (None: the shipped one); returns the number of codes. Aggregated in Arrow: Python
    sees one row per (code, printed name, year), not every line item of the warehouse."""
    wh = Warehouse(warehouse)
    docs = wh.read("documents", ["doc_id", "year"])
    items = wh.read("line_items", ["doc_id", "code", "row_label"])
    items = items.filter(pc.and_(pc.is_valid(items["code"]), pc.not_equal(items["code"], "")))
    items = items.join(docs, "doc_id", join_type="left outer")
    # the first document (by id) printing each name in each year: what the names, years and conflicts need
    named = items.group_by(["code", "row_label", "year"]).aggregate([("doc_id", "min")]).to_pylist()
    rows = observed_codes([{"doc_id": r["doc_id_min"], "code": r["code"], "row_label": r["row_label"]} for r in named],
                          {r["doc_id_min"]: r["year"] for r in named}, catalogue or active())
    # each code's documents, sorted, as one list column (the table's largest: kept in Arrow)
    pairs = items.group_by(["code", "doc_id"]).aggregate([]).sort_by([("code", "ascending"), ("doc_id", "ascending")])
    counts = pairs.group_by("code").aggregate([("doc_id", "count")]).sort_by("code")
    assert counts["code"].to_pylist() == [r["code"] for r in rows], "codes out of step"
    offsets = pa.array([0, *itertools.accumulate(counts["doc_id_count"].to_pylist())], pa.int32())
    doc_ids = pa.ListArray.from_arrays(offsets, pairs["doc_id"].combine_chunks())
    for r, n in zip(rows, counts["doc_id_count"].to_pylist(), strict=True):
        r["documents"], r["doc_ids"] = n, []
    table = to_arrow("codes", rows)
    field = table.schema.field("doc_ids")
    table = table.set_column(table.schema.get_field_index("doc_ids"), field, doc_ids.cast(field.type))
    with wh.lock():
        wh.fs.write_parquet(table, "codes", "codes.parquet", compression="zstd")
    return len(rows)
