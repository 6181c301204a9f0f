"""The warehouse's `codes` table: every classification code the documents print, against the catalogue."""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Iterator

import pyarrow as pa

from yujuesuan.codes import Catalogue, active, name_key, system_of
from yujuesuan.warehouse.schema import SCHEMAS
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


CODES_DUCKDB = {"threads": 1, "memory_limit": "128MB", "preserve_insertion_order": False}
PAIRS_BATCH = 50_000  # (code, document) pairs read at a time while the table is written


def publish_codes(warehouse: str | os.PathLike[str], catalogue: Catalogue | None = None) -> int:
    """Write WAREHOUSE/codes/codes.parquet from the stored line items, each code's status against
    `catalogue` (None: the shipped one); returns the number of codes. Aggregated in DuckDB under a
    memory limit (spilling to a temporary folder): Python sees one row per (code, printed name, year),
    and each code's documents stream into the file code by code, so memory does not grow with the warehouse."""
    from yujuesuan.analysis.duck import connect

    wh = Warehouse(warehouse)
    with tempfile.TemporaryDirectory(prefix="yujuesuan-codes-") as spill:
        con = connect(warehouse, {**CODES_DUCKDB, "temp_directory": spill}, tables=("documents", "line_items"))
        try:
            con.execute("CREATE TEMP VIEW _coded AS SELECT doc_id, code, row_label FROM line_items "
                        "WHERE code IS NOT NULL AND code <> ''")
            # the first document (by id) printing each name in each year: what the names, years and conflicts need
            named = con.sql(
                "SELECT c.code, c.row_label, d.year, min(c.doc_id) AS doc_id FROM _coded c "
                "LEFT JOIN (SELECT doc_id, year FROM documents) d USING (doc_id) GROUP BY c.code, c.row_label, d.year"
            ).to_arrow_table().to_pylist()
            rows = observed_codes(named, {r["doc_id"]: r["year"] for r in named}, catalogue or active())
            pairs = con.sql("SELECT code, doc_id FROM _coded GROUP BY code, doc_id ORDER BY code, doc_id")
            pieces = _with_documents(rows, pairs.to_arrow_reader(PAIRS_BATCH))
            with wh.lock():
                wh.fs.write_parquet_batches(SCHEMAS["codes"], pieces, "codes", "codes.parquet", compression="zstd")
        finally:
            con.close()
    return len(rows)


def _with_documents(rows: list[dict], pairs: pa.RecordBatchReader) -> Iterator[pa.Table]:
    """The codes table a piece at a time: each code's row with its documents (pairs sorted by code, then document)."""
    by_code = iter(rows)
    done: list[dict] = []
    current: dict | None = None
    for batch in pairs:
        for code, doc_id in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
            if current is None or current["code"] != code:
                current = next(by_code)
                assert current["code"] == code, "codes out of step"
                current["doc_ids"], current["documents"] = [], 0
                done.append(current)
            current["doc_ids"].append(doc_id)
            current["documents"] += 1
        if len(done) > 1:  # the codes complete so far (the last may go on in the next batch)
            yield to_arrow("codes", done[:-1])
            del done[:-1]
    assert next(by_code, None) is None, "codes out of step"
    yield to_arrow("codes", done)
