"""Issue #15: a nightly that finds nothing new redoes nothing. The derived tables (units, the checks
across documents, codes) are rebuilt only when their inputs changed, a compaction changes none of
them, and a publish after one document changed gives the tables a publish from scratch gives."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

import yujuesuan.checks.across_documents as across
from tests.test_crossdoc_rules import cell, document, expenditure, put
from yujuesuan.checks.across_documents import run_across_documents
from yujuesuan.ingest import pipeline
from yujuesuan.ingest.pipeline import publish_derived
from yujuesuan.warehouse.compact import compact
from yujuesuan.warehouse.segments import load_manifest
from yujuesuan.warehouse.store import ORDER, Warehouse

DERIVED = ("units", "cross_issues", "cross_pairs", "revisions", "codes")


def fill(root: Path, changed: bool = False) -> Warehouse:
    """Three units' budgets and final accounts over two years (prior_year and final_budget pairs); each
    2024 budget states last year's budget as 100 while unit 0's 2023 budget is 100, unit 1's and 2's are not
    (`changed`: unit 1's 2023 budget is 100 too, and its 2024 final accounts print another total)."""
    wh = Warehouse(root)
    wh.init()
    for u in range(3):
        unit = f"示例市单位{u}"
        for year in (2023, 2024):
            total = 100 if year == 2023 and (u == 0 or (changed and u == 1)) else 100 + u + year - 2023
            summary = [cell("summary", "收入总计", "本年预算数", str(total))]
            if year == 2024:
                summary.append(cell("summary", "收入总计", "上年预算数", "100"))
            coded = [cell("gpb_expenditure", "行政运行", "一般公共预算支出/合计", "60", code="2010301")]
            put(wh, document(f"b{u}{year}", "budget", year, unit=unit),
                expenditure(str(total), "60", str(total - 60)) + summary + coded)
            final = total + (5 if changed and (u, year) == (1, 2024) else 0)
            put(wh, document(f"f{u}{year}", "final", year, unit=unit), expenditure(str(final), "60", str(final - 60)))
    return wh


def mtimes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()
            and p.name != ".lock"}


def rows(wh: Warehouse, table: str) -> list[tuple]:
    t = wh.read(table)
    if "checked_with" in t.column_names:  # the signature names the documents' revisions: not content
        t = t.drop_columns(["checked_with"])
    return sorted(tuple(repr(v) for v in r.values()) for r in t.to_pylist())


def test_a_compaction_leaves_every_revision_and_the_warehouse_state_as_they_were(tmp_path: Path) -> None:
    wh = fill(tmp_path / "wh")
    before, state = wh.revisions(), wh.state()
    assert set(before) == set(wh.doc_ids()) and None not in before.values()
    compact(wh.root)
    assert not wh.own_ids()  # every document is in a compacted group now
    assert (wh.revisions(), wh.state()) == (before, state)
    assert wh.revision("b02023") == before["b02023"]
    put(wh, document("b02023", "budget", 2023, unit="示例市单位0", status="failed"), expenditure("1", "1", "0"))
    assert wh.revision("b02023") != before["b02023"] and wh.state() != state
    compact(wh.root)
    assert wh.revision("b02023") != before["b02023"]


def test_the_checks_across_documents_compare_nothing_again_after_a_compaction(tmp_path: Path) -> None:
    wh = fill(tmp_path / "wh")
    first = run_across_documents(wh.root)
    assert first.anchors_checked > 0 and first.anchors_unchanged == 0
    compact(wh.root)
    again = run_across_documents(wh.root)
    assert (again.anchors_checked, again.anchors_unchanged) == (0, first.anchors_checked)


def test_a_second_publish_with_nothing_changed_does_no_work(tmp_path: Path, monkeypatch) -> None:
    wh = fill(tmp_path / "wh")
    assert publish_derived(wh.root) is True
    compact(wh.root)  # the nightly compacts after publishing
    before = mtimes(wh.root)

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt although nothing changed")

    import yujuesuan.warehouse.units as units

    monkeypatch.setattr(units, "apply_units", no_work)
    monkeypatch.setattr(across, "run_across_documents", no_work)
    assert publish_derived(wh.root) is False
    assert mtimes(wh.root) == before  # not one file written, datapackage.json included


def test_a_changed_input_makes_the_publish_rebuild(tmp_path: Path, monkeypatch) -> None:
    wh = fill(tmp_path / "wh")
    publish_derived(wh.root)
    aliases = tmp_path / "aliases.yaml"
    aliases.write_text("units:\n  - unit_id: 示例市单位0\n    names: [示例市单位9]\n", encoding="utf-8")
    assert publish_derived(wh.root, aliases) is True  # another alias file
    assert publish_derived(wh.root, aliases) is False
    monkeypatch.setattr(pipeline, "publish_version", lambda: "other code")
    assert publish_derived(wh.root, aliases) is True


def test_a_publish_after_one_document_changed_gives_the_tables_of_a_publish_from_scratch(tmp_path: Path) -> None:
    wh = fill(tmp_path / "wh")
    publish_derived(wh.root)
    compact(wh.root)
    was = rows(wh, "cross_issues")
    fill(wh.root, changed=True)  # every document written again, one with other figures
    changed = run_across_documents(wh.root)
    assert changed.anchors_checked > 0
    publish_derived(wh.root)
    fresh = fill(tmp_path / "fresh", changed=True)
    publish_derived(fresh.root)
    assert wh.read("cross_issues").num_rows > 0 and rows(wh, "cross_issues") != was
    for table in DERIVED:
        assert rows(wh, table) == rows(fresh, table), table


def test_one_document_changed_compares_only_the_anchors_it_touches(tmp_path: Path) -> None:
    wh = fill(tmp_path / "wh")
    first = run_across_documents(wh.root)
    compact(wh.root)
    unit = "示例市单位1"
    put(wh, document("f12024", "final", 2024, unit=unit), expenditure("106", "60", "46"))
    again = run_across_documents(wh.root)
    assert 0 < again.anchors_checked < first.anchors_checked
    assert again.anchors_checked + again.anchors_unchanged == first.anchors_checked


def test_the_run_across_documents_reads_each_documents_figure_of_a_measure_once(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    """An anchor's document is the other side of its neighbours' pairs: its figures are read once a run,
    and with no DuckDB connection (a document's cells are matched in memory)."""
    import duckdb

    import yujuesuan.checks.across_documents.figures as figures

    wh = fill(tmp_path / "wh")
    opened, reads = [], []
    real_connect, real_read = duckdb.connect, figures._read_figures

    def connecting(*args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
        opened.append(1)
        return real_connect(*args, **kwargs)

    def reading(doc, measure):  # noqa: ANN001, ANN202
        reads.append((doc.document["doc_id"], measure.id))
        return real_read(doc, measure)

    monkeypatch.setattr(duckdb, "connect", connecting)
    monkeypatch.setattr(figures, "_read_figures", reading)
    run = run_across_documents(wh.root)
    assert run.anchors_checked >= 6 and run.issues and not opened
    assert reads and len(reads) == len(set(reads))
    assert {doc_id for doc_id, _ in reads} >= {"b02023", "b02024"}  # a 2023 budget: the other side of 2024's


def test_a_documents_rows_are_dropped_after_the_last_anchor_that_needs_them(tmp_path: Path, monkeypatch) -> None:
    wh = fill(tmp_path / "wh")
    held: list[int] = []
    take = across._Loaded.take

    def watched(self: across._Loaded, needed: set[str]) -> dict:
        out = take(self, needed)
        held.append(len(self.rows))
        return out

    monkeypatch.setattr(across._Loaded, "take", watched)
    monkeypatch.setattr(across, "PREFETCH", 1)  # the documents of one anchor read at a time
    run_across_documents(wh.root)
    assert held and max(held) <= 4 < len(wh.doc_ids())  # a unit's documents at most, not the warehouse's


def test_compacted_documents_are_read_a_groups_file_at_a_time(tmp_path: Path, monkeypatch) -> None:
    import pyarrow.parquet as pq

    wh = fill(tmp_path / "wh")
    compact(wh.root)
    put(wh, document("b02023", "budget", 2023, unit="示例市单位0"), expenditure("1", "1", "0"))  # written since
    ids = wh.doc_ids()
    one_by_one = {d: wh.read_document(d) for d in ids}
    reads: list[str] = []
    real = pq.read_table

    def counting(source: object, *args: object, **kwargs: object) -> object:
        reads.append(str(source))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", counting)
    assert wh.read_documents([*ids, "absent"]) == {**one_by_one, "absent": {t: [] for t in ORDER}}
    parts = [r for r in reads if "b02023" not in r]
    assert len(parts) <= len(ORDER) * len(load_manifest(wh.fs).groups)  # a file per table and group, not per document
    reads.clear()
    run_across_documents(wh.root, force=True)
    assert len([r for r in reads if "b02023" not in r]) <= len(ORDER) * len(load_manifest(wh.fs).groups)


def test_a_table_read_for_some_columns_reads_only_those(tmp_path: Path) -> None:
    wh = fill(tmp_path / "wh")
    compact(wh.root)
    put(wh, document("b02023", "budget", 2023, unit="示例市单位0"), expenditure("1", "1", "0"))
    t = wh.read("line_items", ["doc_id", "code"])
    assert t.column_names == ["doc_id", "code"] and t.num_rows == wh.read("line_items").num_rows
    assert isinstance(t, pa.Table)
    empty = Warehouse(tmp_path / "none").read("line_items", ["doc_id"])
    assert empty.column_names == ["doc_id"] and empty.num_rows == 0


@pytest.mark.parametrize("name", ["publish"])
def test_the_publish_state_is_written_last(tmp_path: Path, monkeypatch, name: str) -> None:
    """A publish killed midway (here: the checks across documents raise) is redone by the next one."""
    wh = fill(tmp_path / "wh")

    def killed(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed")

    monkeypatch.setattr(across, "run_across_documents", killed)
    with pytest.raises(RuntimeError):
        publish_derived(wh.root)
    monkeypatch.undo()
    assert not (wh.root / "_state" / f"{name}.json").exists()
    assert publish_derived(wh.root) is True


def test_unchanged_documents_are_recorded_from_one_read_of_the_documents_table(tmp_path: Path, monkeypatch) -> None:
    from yujuesuan.ingest.pipeline import StoredDocument, extract_stored, extractor_version, known_documents
    from yujuesuan.runs.publish import update_revisions

    wh = Warehouse(tmp_path / "wh")
    wh.init()
    url = "http://127.0.0.1/d.pdf"
    for name in ("a", "b"):
        put(wh, document(name, "budget", 2024, extractor_version=extractor_version(), extracted_by="pdfplumber",
                         source_url=url + name, seen_as=[url + name]), expenditure("1", "1", "0"))
    compact(wh.root)
    known = known_documents(wh.root)
    assert set(known) == {"a", "b"}

    def no_read(*args: object) -> None:
        raise AssertionError("a document's file read")

    monkeypatch.setattr(Warehouse, "document", no_read)
    refs = [StoredDocument(n, f"{n}.pdf", url + n, is_current=True) for n in ("a", "b")]
    summaries = [extract_stored(r, tmp_path / r.sha256, wh.root, known=known) for r in refs]
    assert [(s["extracted"], s["status"]) for s in summaries] == [(False, "ok"), (False, "ok")]
    assert update_revisions(wh.root, refs, known) == []
    monkeypatch.undo()
    assert not wh.own_ids()  # nothing was written
    moved = StoredDocument("a", "a.pdf", url + "a", is_current=False)  # no URL serves it any more
    assert update_revisions(wh.root, [moved], known) == [moved] and wh.document("a")["is_current"] is False


@pytest.mark.parametrize("batch", [2, 3, 50_000])  # codes whose documents run over several pieces, and one piece
def test_the_codes_table_streamed_from_duckdb_is_the_one_from_every_line_item(tmp_path: Path, monkeypatch,
                                                                              batch: int) -> None:
    from yujuesuan.codes import observed, shipped
    from yujuesuan.codes.observed import observed_codes, publish_codes

    monkeypatch.setattr(observed, "PAIRS_BATCH", batch)
    wh = fill(tmp_path / "wh")
    for n, (year, label) in enumerate([(2018, "行政事业单位离退休"), (2024, "行政事业单位养老支出"), (2024, "教育支出"),
                                       (None, "某某支出"), (2020, None)]):
        items = [cell("gpb_expenditure", label, "合计", "5", code=code) for code in ("20805", "2010301", "2999999")]
        put(wh, document(f"x{n}", "final", year, unit=f"示例市其他{n}"), items + [cell("summary", "合计", "合计", "5")])
    compact(wh.root)
    put(wh, document("x0", "final", 2018, unit="示例市其他0"), [cell("gpb_expenditure", "行政运行", "合计", "1",
                                                                  code="2010301")])  # written since
    assert publish_codes(wh.root) > 0
    docs = {d["doc_id"]: d["year"] for d in wh.read("documents").to_pylist()}
    expected = observed_codes(wh.read("line_items").to_pylist(), docs, shipped())
    assert wh.read("codes").to_pylist() == expected


def test_the_raw_store_finds_a_urls_last_fetch_without_scanning_its_manifest(tmp_path: Path, monkeypatch) -> None:
    from yujuesuan.crawl.rawstore import RawStore

    store = RawStore(tmp_path / "raw")
    for n in range(300):  # each URL fetched twice, the second time not modified (or failed for some)
        url = f"http://127.0.0.1/d{n}.pdf"
        store.append({"url": url, "outcome": "new", "sha256": f"{n:064x}", "etag": "a"})
        store.append({"url": url, "outcome": "failed" if n % 3 == 0 else "not_modified", "sha256": None
                      if n % 3 == 0 else f"{n:064x}", "etag": "b"})
    again = RawStore(tmp_path / "raw")  # read back from the manifest

    def scan() -> list[dict]:
        raise AssertionError("the whole manifest scanned for one URL")

    monkeypatch.setattr(store, "rows", scan)
    monkeypatch.setattr(again, "rows", scan)
    for s in (store, again):
        assert s.last_success("http://127.0.0.1/d3.pdf")["etag"] == "a"  # the failed fetch gave no document
        assert s.last_success("http://127.0.0.1/d4.pdf")["etag"] == "b"
        assert s.last_success("http://127.0.0.1/none.pdf") is None
        assert len(s.current()) == 300 and s.current()["http://127.0.0.1/d5.pdf"]["outcome"] == "not_modified"


def test_fetches_that_brought_nothing_new_are_synced_once_not_one_by_one(tmp_path: Path, monkeypatch) -> None:
    import yujuesuan.crawl.rawstore as rawstore

    synced: list[int] = []
    real = rawstore.os.fsync
    monkeypatch.setattr(rawstore.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    store = rawstore.RawStore(tmp_path / "raw")
    for n in range(10):
        store.append({"url": f"http://127.0.0.1/d{n}.pdf", "outcome": "not_modified", "sha256": f"{n:064x}"})
    store.append({"url": "http://127.0.0.1/new.pdf", "outcome": "new", "sha256": "f" * 64})
    assert len(synced) == 1  # the fetch that brought bytes, at once
    store.sync()
    assert len(synced) == 2
    assert len(rawstore.RawStore(tmp_path / "raw").rows()) == 11  # every line written


def test_the_checks_across_documents_in_batches_give_the_tables_of_one_run(tmp_path: Path) -> None:
    """`limit` compares the first anchors due and says how many remain; calls in turn (the nightly's
    processes) finish the work and give the tables of a single call."""
    whole, batched = fill(tmp_path / "whole"), fill(tmp_path / "batched")
    once = run_across_documents(whole.root)
    assert once.anchors_left == 0 and once.anchors_checked >= 6
    lefts = []
    while not lefts or lefts[-1]:
        run = run_across_documents(batched.root, limit=2)
        assert run.anchors_checked == min(2, once.anchors_checked - 2 * len(lefts))
        lefts.append(run.anchors_left)
    n = once.anchors_checked
    assert lefts == [max(0, n - 2 * k) for k in range(1, -(-n // 2) + 1)]
    for table in ("cross_issues", "cross_pairs", "revisions"):
        assert rows(batched, table) == rows(whole, table), table
    again = run_across_documents(batched.root, limit=2)
    assert (again.anchors_checked, again.anchors_left) == (0, 0)
    with pytest.raises(ValueError, match="no limit"):
        run_across_documents(batched.root, force=True, limit=2)


def test_the_publish_stages_in_turn_give_the_tables_of_one_publish(tmp_path: Path) -> None:
    from yujuesuan.codes.observed import publish_codes
    from yujuesuan.ingest.pipeline import publish_record, publish_units

    whole, staged = fill(tmp_path / "whole"), fill(tmp_path / "staged")
    assert publish_derived(whole.root) is True
    assert publish_units(staged.root) is True
    while run_across_documents(staged.root, limit=3).anchors_left:
        pass
    assert publish_codes(staged.root) > 0
    assert publish_units(staged.root) is True  # nothing recorded yet: a publish stopped here is redone
    publish_record(staged.root, rebuilt=True)
    assert publish_units(staged.root) is False and publish_derived(staged.root) is False
    for table in DERIVED:
        assert rows(staged, table) == rows(whole, table), table
    assert (staged.root / "datapackage.json").exists()
