"""Compaction: documents' own files folded into a few Parquet files per table and year.

Each document is first written as files of its own (`WAREHOUSE/<table>/<doc_id>.parquet`); at
100,000 documents that is 700,000 small files. `compact` folds them into groups (a year's
documents, at most `group_docs` in a group) stored as one file per table and group, sorted by
unit and code, with row-group statistics, and committed by one rename of the manifest
(`yujuesuan.warehouse.segments`). Only the groups that gain or lose a document are rewritten. Order:

1. the new groups' files (names no manifest knows yet: readers ignore them, `repair` removes them),
2. the manifest (the commit: one rename),
3. the documents' own files, each document's documents row first (then its rows elsewhere are
   leftovers that `repair` removes), then the old groups' files.

A reader at any moment sees each document once: its own files, or its compacted rows.
"""

from __future__ import annotations

import itertools
import os
import secrets
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from yujuesuan.warehouse.fs import Remote
from yujuesuan.warehouse.schema import SCHEMAS
from yujuesuan.warehouse.segments import MANIFEST, Manifest, group_year, load_manifest, part_name
from yujuesuan.warehouse.store import ORDER, Warehouse, WarehouseLocked, release_memory

GROUP_DOCS = 2000  # documents in one compacted group (one file per table)
ROW_GROUP_ROWS = 64_000
CHUNK_DOCS = 250  # a group's documents read, sorted and written at a time (a unit's documents stay together)
SORT_KEYS = ("unit_id", "code", "doc_id", "table_code", "row_index")


@dataclass
class CompactSummary:
    documents: int = 0  # documents folded in from their own files
    groups_written: int = 0
    files_removed: int = 0
    seconds: float = 0.0


def _file(wh: Warehouse, table: str, name: str) -> Path | tuple[Remote, str]:
    """A file to remove: its Path locally, else the remote folder and the file's key on it."""
    return (wh.fs, wh.fs.key(table, name)) if isinstance(wh.fs, Remote) else wh.fs.key(table, name)


def _unlink(path: Path | tuple[Remote, str]) -> bool:
    if isinstance(path, tuple):
        return path[0].remove(path[1])
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def compact_or_problem(warehouse: str | os.PathLike[str], wait: float = 0.0) -> str | None:
    """Fold what a run wrote into the compacted groups; what went wrong (the lock, the disk), if anything, as
    a line to report: the documents' own files stay readable as they are."""
    try:
        compact(warehouse, wait=wait)
    except (WarehouseLocked, OSError) as exc:
        return str(exc)
    return None


def compact(warehouse: str | os.PathLike[str], *, group_docs: int = GROUP_DOCS, wait: float = 0.0) -> CompactSummary:
    """Fold every document's own files into the compacted groups (holding the warehouse lock)."""
    if group_docs < 1:
        raise ValueError("a group needs at least one document")
    start = time.perf_counter()
    wh = Warehouse(warehouse)
    summary = CompactSummary()
    with wh.lock(wait):
        wh.init()
        summary.files_removed += len(wh.repair())
        own = sorted(wh.own_ids())
        if not own:
            summary.seconds = time.perf_counter() - start
            return summary
        manifest = load_manifest(wh.fs)
        docs = {d: wh.document(d) or {} for d in own}
        plan, affected, units = _plan(wh, manifest, docs, group_docs)
        for group, members in plan.items():
            _write_group(wh, manifest, group, members, set(own), units)
            release_memory()  # a group's tables, freed: not kept for the next group
        groups = {g: d for g, d in manifest.groups.items() if g not in affected} | plan
        # each document keeps its revision: rows moved are rows unchanged
        revisions = {d: r for d in manifest.group_of if (r := manifest.revision(d)) is not None}
        revisions |= {d: r for d in own if (r := wh.revision(d)) is not None}
        _write_manifest(wh, Manifest.of(manifest.generation + 1, dict(sorted(groups.items())), revisions))
        removed = [_unlink(_file(wh, "documents", f"{d}.parquet")) for d in own]  # documents rows first
        removed += [_unlink(_file(wh, table, f"{d}.parquet")) for table in ORDER[:-1] for d in own]
        removed += [_unlink(_file(wh, table, part_name(g))) for g in affected for table in ORDER]
        summary.documents, summary.groups_written = len(own), len(plan)
        summary.files_removed += sum(removed)
        if wh.fs.exists("datapackage.json"):  # it lists the tables' files
            from yujuesuan.warehouse.datapackage import datapackage

            datapackage(warehouse)
    summary.seconds = time.perf_counter() - start
    return summary


def _year(doc: dict) -> str:
    return str(doc.get("year")) if doc.get("year") is not None else "none"


def _plan(
    wh: Warehouse, manifest: Manifest, docs: dict[str, dict], group_docs: int
) -> tuple[dict[str, list[str]], set[str], dict[str, str | None]]:
    """(the new groups and their documents, the groups they replace, each member's unit): each year's
    own documents, with the groups that held any of them, and the year's smallest group if it has room."""
    affected = {manifest.group_of[d] for d in docs if d in manifest.group_of}
    years = {_year(doc) for doc in docs.values()}
    for y in years:
        open_groups = [g for g, m in manifest.groups.items() if group_year(g) == y and len(m) < group_docs]
        if open_groups:
            affected.add(min(open_groups, key=lambda g: len(manifest.groups[g])))
    members: dict[str, list[tuple[str, str]]] = defaultdict(list)  # year → (unit, doc_id)
    units: dict[str, str | None] = {}
    for d, doc in docs.items():
        units[d] = doc.get("unit_id")
        members[_year(doc)].append((units[d] or "", d))
    for g in affected:
        for d in manifest.groups[g]:
            if d not in docs:
                units[d] = (wh.document(d) or {}).get("unit_id")
                members[group_year(g)].append((units[d] or "", d))
    plan: dict[str, list[str]] = {}
    for y, pairs in sorted(members.items()):
        ordered = [d for _, d in sorted(pairs)]
        for i in range(0, len(ordered), group_docs):
            plan[f"{y}-{secrets.token_hex(4)}"] = ordered[i : i + group_docs]
    return plan, affected, units


def _chunks(members: list[str], units: dict[str, str | None] | None) -> list[list[str]]:
    """The members a piece at a time, in the order of the table's sort: by unit (a unit's documents in one
    piece, the documents of no unit last, as the sort puts them) where the table has units, else by id."""
    if units is None:
        ordered = sorted(members)
        return [ordered[i : i + CHUNK_DOCS] for i in range(0, len(ordered), CHUNK_DOCS)]
    by_unit: dict[str | None, list[str]] = defaultdict(list)
    for d in members:
        by_unit[units.get(d)].append(d)
    out: list[list[str]] = [[]]
    for unit in sorted(by_unit, key=lambda u: (u is None, u or "")):
        if out[-1] and len(out[-1]) + len(by_unit[unit]) > CHUNK_DOCS:
            out.append([])
        out[-1] += by_unit[unit]
    return [c for c in out if c]


def _write_group(wh: Warehouse, manifest: Manifest, group: str, members: list[str], own: set[str],
                 units: dict[str, str | None]) -> None:
    """One group's file in every table (none where it has no rows), under its final name. Its rows are read,
    sorted and written a piece of CHUNK_DOCS documents at a time (the pieces follow the sort), so memory
    holds a piece, not the group."""
    for table in ORDER:
        schema = SCHEMAS[table]
        present = set(wh.fs.names(table))
        keys = [(k, "ascending") for k in SORT_KEYS if k in schema.names]
        chunks = _chunks(members, units if "unit_id" in schema.names else None)
        pieces = _row_groups(_sorted(_read_chunk(wh, manifest, table, c, own, present), keys) for c in chunks)
        first = next(pieces, None)
        if first is None:
            continue
        wh.fs.write_parquet_batches(schema, itertools.chain([first], pieces), table, part_name(group),
                                    compression="zstd", row_group_size=ROW_GROUP_ROWS, write_statistics=True)


def _sorted(rows: pa.Table, keys: list[tuple[str, str]]) -> pa.Table:
    return rows.sort_by(keys) if len(rows) else rows


def _row_groups(pieces: Iterator[pa.Table]) -> Iterator[pa.Table]:
    """Sorted pieces joined up to a row group's size (small pieces would each make a row group of their own)."""
    held: list[pa.Table] = []
    rows = 0
    for piece in pieces:
        if not len(piece):
            continue
        held.append(piece)
        rows += len(piece)
        if rows >= ROW_GROUP_ROWS:
            yield pa.concat_tables(held)
            held, rows = [], 0
    if held:
        yield pa.concat_tables(held)


def _read_chunk(wh: Warehouse, manifest: Manifest, table: str, chunk: list[str], own: set[str],
                present: set[str]) -> pa.Table:
    """The rows of some of a group's documents: from their own files, or from the groups they were in."""
    schema = SCHEMAS[table]
    sources: dict[str, list[str]] = defaultdict(list)  # old group → its documents moving here
    for d in chunk:
        if d not in own:
            sources[manifest.group_of[d]].append(d)
    pieces = []
    for old, ids in sources.items():
        if part_name(old) in present:
            pieces.append(pq.read_table(wh.fs.key(table, part_name(old)), schema=schema,
                                        filters=pc.field("doc_id").isin(ids), filesystem=wh.arrow))
    mine = [wh.path(table, d) for d in chunk if d in own and f"{d}.parquet" in present]
    if mine:  # read together (pyarrow's threads), not file by file
        pieces.append(ds.dataset([str(p) for p in mine], format="parquet", schema=schema,
                                 filesystem=wh.arrow).to_table())
    return pa.concat_tables(pieces) if pieces else schema.empty_table()


def _write_manifest(wh: Warehouse, manifest: Manifest) -> None:
    wh.fs.write(manifest.to_json().encode("utf-8"), MANIFEST)
