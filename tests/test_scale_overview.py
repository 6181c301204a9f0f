"""A nightly run that changed nothing copies the last overview page instead of building it again
(building reads every document's figures: seconds per thousand documents)."""

from __future__ import annotations

from pathlib import Path

import yujuesuan.analysis.overview as overview_module
from yujuesuan.ingest.pipeline import extract_paths
from yujuesuan.runs.overview import publish_overview
from yujuesuan.samples.generator import generate
from yujuesuan.warehouse.compact import compact
from yujuesuan.warehouse.store import Warehouse


def test_overview_is_built_again_only_when_the_warehouse_changed(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "d.pdf").write_bytes(generate(3).pdf)
    wh = tmp_path / "wh"
    extract_paths([tmp_path / "d.pdf"], wh)
    compact(wh)
    built: list[Path] = []
    real = overview_module.build_overview

    def counting(warehouse, out, sel=None):  # noqa: ANN001, ANN202
        built.append(Path(out))
        return real(warehouse, out, sel)

    monkeypatch.setattr(overview_module, "build_overview", counting)
    runs = tmp_path / "runs"
    first = publish_overview(wh, runs / "r1" / "overview.html", runs)
    second = publish_overview(wh, runs / "r2" / "overview.html", runs)  # nothing changed
    assert built == [first] and second.read_bytes() == first.read_bytes()
    (doc_id,) = Warehouse(wh).doc_ids()
    Warehouse(wh).update_document(doc_id, is_current=False)  # a change, not yet compacted
    publish_overview(wh, runs / "r3" / "overview.html", runs)
    compact(wh)  # the same rows, compacted: the same state (compaction moves rows, changes none)
    publish_overview(wh, runs / "r4" / "overview.html", runs)
    Warehouse(wh).update_document(doc_id, is_current=True)  # a change of a compacted document
    publish_overview(wh, runs / "r5" / "overview.html", runs)
    assert built == [first, runs / "r3" / "overview.html", runs / "r5" / "overview.html"]
    assert (runs / "r4" / "overview.html").read_bytes() == (runs / "r3" / "overview.html").read_bytes()
