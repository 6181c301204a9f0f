"""Writes are idempotent and per document; the warehouse follows the contract's types."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from yujuesuan.generator import generate
from yujuesuan.pipeline import extract_paths
from yujuesuan.store import Warehouse


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
