"""Writes are idempotent and per document; the warehouse follows the contract's types."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from yujuesuan.ingest.pipeline import extract_paths
from yujuesuan.samples.generator import generate
from yujuesuan.warehouse.store import Warehouse


def _rows(root) -> dict:
    wh = Warehouse(root)
    return {
        t: sorted(map(repr, wh.read(t).to_pylist())) for t in ("documents", "line_items", "tables", "quality_issues")
    }


def test_extract_twice_gives_the_same_warehouse(tmp_path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for seed in (1, 5):
        (docs / f"d{seed}.pdf").write_bytes(generate(seed).pdf)
    (docs / "copy.pdf").write_bytes(generate(1).pdf)  # same content, another name
    extract_paths([docs], tmp_path / "w")
    first = _rows(tmp_path / "w")
    extract_paths([docs], tmp_path / "w")
    assert _rows(tmp_path / "w") == first
    assert len(Warehouse(tmp_path / "w").read("documents")) == 2
    assert not list((tmp_path / "w").rglob(".*.tmp"))


def test_contract_types_and_money_in_yuan(tmp_path) -> None:
    gen = generate(11)
    (tmp_path / "d.pdf").write_bytes(gen.pdf)
    extract_paths([tmp_path / "d.pdf"], tmp_path / "w")
    items = Warehouse(tmp_path / "w").read("line_items")
    assert items.schema.field("value").type == pa.decimal128(20, 2)
    assert items.schema.field("code_level").type == pa.int8()
    row = items.to_pylist()[0]
    assert row["printed"] and row["page"] >= 1 and row["x0"] is not None
    expected = {e.key() for e in gen.expected}
    got = {
        (r["table_code"], r["section"], r["code"] or r["row_label"], r["column"], r["value"]) for r in items.to_pylist()
    }
    assert got == {(a, b, c, d, Decimal(v).quantize(Decimal("0.01"))) for a, b, c, d, v in expected}


def test_interrupted_write_is_repaired_on_the_next_run(tmp_path) -> None:
    doc = tmp_path / "d.pdf"
    doc.write_bytes(generate(2).pdf)
    extract_paths([doc], tmp_path / "w")
    clean = _rows(tmp_path / "w")
    wh = Warehouse(tmp_path / "w")
    # a run killed mid-write: a half-written temporary file, and a document's rows whose
    # documents row (written last) never landed
    (tmp_path / "w" / "line_items" / ".abc.parquet.tmp").write_bytes(b"PAR1 half")
    orphan = generate(4)
    (tmp_path / "o.pdf").write_bytes(orphan.pdf)
    from extractors.document import extract_document
    from yujuesuan.warehouse.store import extraction_rows

    rows = extraction_rows(extract_document(orphan.pdf, "o.pdf"))
    oid = rows["documents"][0]["doc_id"]
    assert {r["doc_id"] for r in rows["line_items"]} == {oid}
    Warehouse(tmp_path / "w2").write(oid, rows)  # its own files, as the writer leaves them before a compaction
    (tmp_path / "w" / "line_items" / f"{oid}.parquet").write_bytes(
        (tmp_path / "w2" / "line_items" / f"{oid}.parquet").read_bytes()
    )
    # the orphan is on disk, but no reader counts rows whose documents row never landed
    assert oid not in {r["doc_id"] for r in wh.read("line_items").to_pylist()}
    extract_paths([doc], tmp_path / "w")
    assert _rows(tmp_path / "w") == clean
