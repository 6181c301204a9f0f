"""The warehouse's `codes` table: every classification code the documents print, against the catalogue."""

from __future__ import annotations

import os
from collections import defaultdict

import pyarrow.compute as pc

from yujuesuan.codes import Catalogue, active, name_key, system_of
from yujuesuan.warehouse.store import Warehouse

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
    `catalogue` (None: the shipped one); returns the number of codes."""
    wh = Warehouse(warehouse)
    docs = wh.read("documents", ["doc_id", "year"]).to_pylist()
    # three columns only, each (document, code, name) once: not every line item of the warehouse in memory
    items = wh.read("line_items", ["doc_id", "code", "row_label"])
    items = items.filter(pc.is_valid(items["code"])).group_by(["doc_id", "code", "row_label"]).aggregate([])
    items = items.to_pylist()
    rows = observed_codes(items, {d["doc_id"]: d["year"] for d in docs}, catalogue or active())
    wh.write_run_table("codes", "codes", rows)
    return len(rows)
