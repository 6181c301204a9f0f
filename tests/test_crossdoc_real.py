"""The rules across documents and the codes table on the real corpus (../shared/real/docs)."""

from __future__ import annotations

from pathlib import Path

from yujuesuan.warehouse.store import Warehouse


def _by_file(wh: Warehouse) -> dict[str, str]:
    return {d["doc_id"]: (d["file_name"] or "")[:2] for d in wh.read("documents").to_pylist()}


def test_every_pair_of_the_corpus_is_compared(real_warehouse: Path) -> None:
    wh = Warehouse(real_warehouse)
    files = _by_file(wh)
    pairs = {(r["pair"], files[r["doc_id"]], tuple(sorted(files[o] for o in r["other_doc_ids"]))): r
             for r in wh.read("cross_pairs").to_pylist()}
    kinds = {k for k, _, _ in pairs}
    assert {"department_units", "prior_year", "revision"} <= kinds  # (no 预算 and 决算 of one unit-year yet)
    # one-unit departments (their 部门 reports say the other body 不单列预算): identical totals
    for dep, unit in (("06", "07"), ("08", "09")):
        pair = pairs[("department_units", dep, (unit,))]
        assert pair["compared"] >= 3 and pair["issues"] == 0
    for year_pair in (("11", ("10",)), ("12", ("11",)), ("29", ("28",))):  # 万里街道 2023–25, 检察院 2018–19
        assert pairs[("prior_year", *year_pair)]["compared"] >= 2


def test_every_cross_error_names_both_figures_as_printed(real_warehouse: Path) -> None:
    found = Warehouse(real_warehouse).read("cross_issues").to_pylist()
    errors = [i for i in found if i["severity"] == "error"]
    for e in errors:
        assert e["printed"] and e["page"] and all(e["other_printed"]) and all(e["other_pages"]), e


def test_the_codes_table_covers_every_code_the_corpus_prints(real_warehouse: Path) -> None:
    wh = Warehouse(real_warehouse)
    printed = {r["code"] for r in wh.read("line_items").select(["code"]).to_pylist() if r["code"]}
    codes = {r["code"]: r for r in wh.read("codes").to_pylist()}
    assert printed == set(codes)
    assert codes["20805"]["status"] == "renamed"
    files = _by_file(wh)
    differing = {c for c, r in codes.items() if r["status"] in ("unknown", "name_differs")}
    # only the 社会福利院's local economic codes (doc 14: 302 02 咨询费 …) disagree with the catalogue
    assert differing and all(set(files[d] for d in codes[c]["doc_ids"]) & {"14"} for c in differing)
