"""Compaction of the published tables (issue #15, item 4): a few Parquet files per table and year,
per-document replacement still atomic, no document counted twice or lost, readers never see a half state."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from yujuesuan.analysis.duck import connect
from yujuesuan.warehouse.compact import MANIFEST, compact
from yujuesuan.warehouse.store import ORDER, Warehouse


def doc_rows(n: int, version: int = 1, year: int = 2023, items: int = 3, facts: bool = True) -> dict[str, list[dict]]:
    doc_id = f"{n:064x}"
    unit = f"单位{n % 7}"
    return {
        "documents": [{"doc_id": doc_id, "file_name": f"d{n}.pdf", "format": "pdf", "status": "ok", "year": year,
                       "unit_name": unit, "unit_id": unit, "kind": "final", "pages": 2, "is_current": True,
                       "seen_as": [f"file:/d{n}.pdf"], "extractor_version": f"v{version}"}],
        "line_items": [{"doc_id": doc_id, "unit_id": unit, "year": year, "table_code": "01", "code": f"20{i:05d}",
                        "row_index": i, "value": Decimal(version * 100 + i), "page": 1,
                        "column": "合计", "row_label": f"项目{i}", "section": "支出"} for i in range(items)],
        "facts": [{"doc_id": doc_id, "unit_id": unit, "year": year, "metric": "sangong_total",
                   "value": Decimal(version)}] if facts else [],
    }


def counts(wh: Warehouse, table: str = "line_items") -> dict[str, int]:
    out: dict[str, int] = {}
    for r in wh.read(table).to_pylist():
        out[r["doc_id"]] = out.get(r["doc_id"], 0) + 1
    return out


def glob_count(root: Path, table: str) -> int:
    """Rows a plain glob over the table's folder sees."""
    glob = str(root / table / "*.parquet")
    return duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{glob}', union_by_name=true)").fetchone()[0]


def parquet_files(root: Path, table: str) -> list[Path]:
    return sorted(p for p in (root / table).glob("*.parquet") if p.name != "schema.parquet")


def fill(root: Path, n: int, years: tuple[int, ...] = (2022, 2023)) -> Warehouse:
    wh = Warehouse(root)
    wh.init()
    for i in range(n):
        wh.write(f"{i:064x}", doc_rows(i, year=years[i % len(years)]))
    return wh


def test_compaction_leaves_one_file_per_table_and_year_with_the_same_rows(tmp_path) -> None:
    wh = fill(tmp_path / "w", 12)
    before = {t: sorted(map(repr, wh.read(t).to_pylist())) for t in ("documents", "line_items", "facts")}
    assert len(parquet_files(wh.root, "line_items")) == 12
    summary = compact(wh.root)
    assert summary.documents == 12
    for t in ("documents", "line_items", "facts"):
        assert len(parquet_files(wh.root, t)) == 2  # two years
        assert sorted(map(repr, wh.read(t).to_pylist())) == before[t]
    assert wh.doc_ids() == [f"{i:064x}" for i in range(12)]
    assert wh.document(f"{5:064x}")["file_name"] == "d5.pdf"
    assert len(wh.read_document(f"{5:064x}")["line_items"]) == 3
    # sorted by unit and code, with statistics
    f = parquet_files(wh.root, "line_items")[0]
    rows = pq.read_table(f).select(["unit_id", "code"]).to_pylist()
    assert rows == sorted(rows, key=lambda r: (r["unit_id"], r["code"]))
    assert pq.ParquetFile(f).metadata.row_group(0).column(0).statistics is not None
    # a plain glob over the folder sees each row once
    assert glob_count(wh.root, "line_items") == 36
    assert compact(wh.root).documents == 0  # nothing new: nothing rewritten


def test_a_document_replaced_after_compaction_is_counted_once_with_its_new_rows(tmp_path) -> None:
    wh = fill(tmp_path / "w", 6)
    compact(wh.root)
    doc = f"{2:064x}"
    wh.write(doc, doc_rows(2, version=2, year=2022, items=5, facts=False))
    for reader in (lambda: counts(wh), lambda: dict(connect(wh.root).execute(
            "SELECT doc_id, count(*) FROM line_items GROUP BY 1").fetchall())):
        got = reader()
        assert got[doc] == 5 and sum(got.values()) == 5 * 3 + 5
    assert doc not in counts(wh, "facts")  # its old facts do not come back from the compacted file
    assert wh.document(doc)["extractor_version"] == "v2"
    assert connect(wh.root).execute("SELECT count(*) FROM documents").fetchone()[0] == 6
    compact(wh.root)
    assert counts(wh)[doc] == 5 and doc not in counts(wh, "facts")
    assert len(parquet_files(wh.root, "documents")) == 2
    values = {r["value"] for r in wh.read("line_items").to_pylist() if r["doc_id"] == doc}
    assert values == {Decimal(200 + i) for i in range(5)}


def test_a_document_moving_to_another_year_leaves_its_old_file(tmp_path) -> None:
    wh = fill(tmp_path / "w", 4)
    compact(wh.root)
    wh.write(f"{0:064x}", doc_rows(0, version=2, year=2024))
    compact(wh.root)
    assert sum(counts(wh).values()) == 12
    assert {r["year"] for r in wh.read("documents").to_pylist()} == {2022, 2023, 2024}


def test_update_and_sighting_of_a_compacted_document(tmp_path) -> None:
    wh = fill(tmp_path / "w", 3)
    compact(wh.root)
    doc = f"{1:064x}"
    assert wh.update_document(doc, is_current=False)
    assert wh.update_document(doc, is_current=False) is False
    assert wh.add_sighting(doc, "https://example.org/d1.pdf", source_url="https://example.org/d1.pdf")
    stored = wh.document(doc)
    assert stored["is_current"] is False and stored["seen_as"] == ["file:/d1.pdf", "https://example.org/d1.pdf"]
    assert counts(wh)[doc] == 3 and len(wh.read("documents")) == 3


def test_repair_removes_what_an_interrupted_compaction_or_write_left(tmp_path) -> None:
    wh = fill(tmp_path / "w", 4)
    compact(wh.root)
    clean = {t: sorted(map(repr, wh.read(t).to_pylist())) for t in ("documents", "line_items")}
    # a compaction killed before its manifest landed: a part file no manifest names
    stray = wh.root / "line_items" / "part-2023-deadbeef.parquet"
    pq.write_table(pq.read_table(parquet_files(wh.root, "line_items")[0]), stray)
    # a write of a compacted document killed before its documents row landed
    pq.write_table(pq.read_table(parquet_files(wh.root, "line_items")[0]), wh.path("line_items", f"{1:064x}"))
    assert {t: sorted(map(repr, wh.read(t).to_pylist())) for t in clean} == clean
    removed = wh.repair()
    assert stray in removed and wh.path("line_items", f"{1:064x}") in removed
    assert {t: sorted(map(repr, wh.read(t).to_pylist())) for t in clean} == clean
    assert glob_count(wh.root, "line_items") == 12


def test_compaction_killed_between_its_deletions_loses_nothing(tmp_path, monkeypatch) -> None:
    wh = fill(tmp_path / "w", 4)
    compact(wh.root)
    wh.write(f"{3:064x}", doc_rows(3, version=2, year=2023, items=4))
    import yujuesuan.warehouse.compact as mod

    real = mod._unlink
    calls = {"n": 0}

    def dying(path: Path) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # killed after the first file it removed
        real(path)

    monkeypatch.setattr(mod, "_unlink", dying)
    try:
        compact(wh.root)
    except KeyboardInterrupt:
        pass
    monkeypatch.setattr(mod, "_unlink", real)
    assert counts(wh)[f"{3:064x}"] == 4 and sum(counts(wh).values()) == 13
    wh.repair()
    compact(wh.root)
    assert counts(wh)[f"{3:064x}"] == 4 and sum(counts(wh).values()) == 13
    assert (wh.root / MANIFEST).exists()


def test_a_reader_never_sees_a_half_state(tmp_path) -> None:
    wh = fill(tmp_path / "w", 8)
    compact(wh.root)
    stop, bad = threading.Event(), []

    def read() -> None:
        reader = Warehouse(wh.root)
        while not stop.is_set():
            rows = reader.read("line_items").to_pylist()
            per_doc: dict[str, set] = {}
            n: dict[str, int] = {}
            for r in rows:
                per_doc.setdefault(r["doc_id"], set()).add(r["value"] // 100)
                n[r["doc_id"]] = n.get(r["doc_id"], 0) + 1
            if len(n) != 8 or any(len(v) != 1 for v in per_doc.values()) or any(c != 3 for c in n.values()):
                bad.append(n)

    t = threading.Thread(target=read)
    t.start()
    try:
        for version in range(2, 8):
            for i in range(0, 8, 3):
                wh.write(f"{i:064x}", doc_rows(i, version=version, year=(2022, 2023)[i % 2]))
            compact(wh.root)
    finally:
        stop.set()
        t.join(30)
    assert not bad, bad[:3]


def test_the_compact_command(tmp_path, capsys) -> None:
    from yujuesuan.cli import main

    wh = fill(tmp_path / "w", 5)
    assert main(["compact", "--warehouse", str(wh.root), "--group-docs", "2"]) == 0
    assert "compacted 5 document(s) into 3 group(s)" in capsys.readouterr().out  # 2022: 3 docs, 2023: 2
    assert len(wh.read("documents")) == 5 and len(parquet_files(wh.root, "documents")) == 3
    assert main(["compact", "--warehouse", str(tmp_path / "none")]) == 2
    assert "no warehouse" in capsys.readouterr().err


def test_commands_that_rewrite_documents_leave_them_compacted(tmp_path, capsys) -> None:
    from yujuesuan.cli import main

    wh = fill(tmp_path / "w", 4)
    compact(wh.root)
    assert main(["check", "--warehouse", str(wh.root)]) == 0  # rewrites every document
    assert glob_count(wh.root, "documents") == 4 and not wh.own_ids()
    assert glob_count(wh.root, "line_items") == 12


@pytest.mark.parametrize("chunk", [1, 2, 5])
def test_a_group_written_a_few_documents_at_a_time_is_sorted_as_if_written_whole(tmp_path, monkeypatch,
                                                                                 chunk: int) -> None:
    import yujuesuan.warehouse.compact as compaction
    from yujuesuan.warehouse.compact import SORT_KEYS

    monkeypatch.setattr(compaction, "CHUNK_DOCS", chunk)
    monkeypatch.setattr(compaction, "ROW_GROUP_ROWS", 4)
    wh = fill(tmp_path / "w", 9, years=(2022,))
    unitless = doc_rows(20, year=2022)
    for table in ("documents", "line_items", "facts"):
        for r in unitless[table]:
            r["unit_id"] = None
    wh.write(f"{20:064x}", unitless)
    compact(wh.root)
    for i in range(9, 14):  # a second run: the group gains documents, its old rows read back in pieces
        wh.write(f"{i:064x}", doc_rows(i, year=2022))
    before = {t: sorted(map(repr, wh.read(t).to_pylist())) for t in ORDER}
    compact(wh.root)
    for table in ORDER:
        assert sorted(map(repr, wh.read(table).to_pylist())) == before[table]
        files = parquet_files(wh.root, table)
        if not files:
            continue
        (f,) = files
        keys = [k for k in SORT_KEYS if k in pq.read_schema(f).names]
        rows = pq.read_table(f).select(keys).to_pylist()
        assert rows == sorted(rows, key=lambda r: tuple((r[k] is None, r[k] if r[k] is not None else "")
                                                        for k in keys)), table
    assert pq.ParquetFile(parquet_files(wh.root, "line_items")[0]).metadata.row_group(0).num_rows >= 4
