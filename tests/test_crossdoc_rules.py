"""Rules across documents: each fires on a planted case (generated PDFs, or warehouse rows written
directly where a PDF adds nothing), findings name both documents, and the run is incremental."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from yujuesuan.checks.across_documents import run_across_documents
from yujuesuan.checks.across_documents.catalogue import load_crossdoc
from yujuesuan.warehouse.store import Warehouse

WAN = Decimal(10000)
UNIT = "示例市财政局"


def document(doc_id: str, kind: str, year: int, scope: str = "department", unit: str = UNIT, **kw) -> dict:
    return {"doc_id": doc_id, "kind": kind, "year": year, "scope": scope, "unit_id": unit, "unit_name": unit,
            "region": "示例市", "status": "ok", "is_current": True, "tables_found": 1, "extractor_version": "test",
            "file_name": f"{doc_id}.pdf", **kw}


def cell(family: str, label: str, column: str, wan: str, code: str | None = None, page: int = 3, **kw) -> dict:
    return {"table_code": "03", "table_family": family, "section": None, "row_label": label, "code": code,
            "column": column, "value": Decimal(wan) * WAN, "printed": wan, "page": page, "row_index": 0, "panel": 0,
            **kw}


def fact(metric: str, wan: str, qualifier: str | None = None, sentence: str = "s", page: int = 2) -> dict:
    return {"metric": metric, "value": Decimal(wan) * WAN, "value_unit": "元", "qualifier": qualifier,
            "sentence": sentence, "page": page}


def put(wh: Warehouse, doc: dict, items=(), facts=(), variances=()) -> None:  # noqa: ANN001
    doc_id = doc["doc_id"]
    rows = {
        "documents": [doc],
        "line_items": [{**i, "doc_id": doc_id, "unit_id": doc["unit_id"], "year": doc["year"], "kind": doc["kind"]}
                       for i in items],
        "tables": [{"doc_id": doc_id, "table_code": "03", "table_family": f, "line_items": 1}
                   for f in sorted({i["table_family"] for i in items})],
        "facts": [{**f, "doc_id": doc_id} for f in facts],
        "variances": [{**v, "doc_id": doc_id} for v in variances],
    }
    wh.write(doc_id, rows)


def issues(warehouse: Path, members: Path | None = None) -> list[dict]:
    """The findings after a run over the warehouse (incremental: what is unchanged is not compared again)."""
    run_across_documents(warehouse, members=members)
    return Warehouse(warehouse).read("cross_issues").to_pylist()


def expenditure(total: str, basic: str, project: str) -> list[dict]:
    return [cell("expenditure", "合计", "本年支出合计", total), cell("expenditure", "合计", "基本支出", basic),
            cell("expenditure", "合计", "项目支出", project)]


@pytest.fixture
def wh(tmp_path: Path) -> Warehouse:
    w = Warehouse(tmp_path / "wh")
    w.init()
    return w


# -- 部门 vs 单位 ----------------------------------------------------------------------------------


def test_a_one_unit_department_equals_its_unit_report(wh: Warehouse) -> None:
    put(wh, document("dep", "budget", 2025), expenditure("100", "60", "40"))
    put(wh, document("uni", "budget", 2025, scope="unit"), expenditure("100", "60", "40"))
    run = run_across_documents(wh.root)
    assert run.pairs == {"department_units": 1} and not issues(wh.root)
    assert wh.read("cross_pairs").to_pylist()[0]["compared"] == 3


def test_a_department_below_its_unit_report_is_an_error_naming_both(wh: Warehouse) -> None:
    put(wh, document("dep", "budget", 2025), expenditure("100", "60", "40"))
    put(wh, document("uni", "budget", 2025, scope="unit"), [cell("expenditure", "合计", "本年支出合计", "101", page=7)])
    [found] = issues(wh.root)
    assert found["check_id"] == "crossdoc.department_units" and found["severity"] == "error"
    assert found["doc_id"] == "dep" and found["page"] == 3 and found["printed"] == "100"
    assert found["other_doc_ids"] == ["uni"] and found["other_pages"] == [7] and found["other_printed"] == ["101"]
    assert (Decimal(found["actual"]), Decimal(found["expected"])) == (100 * WAN, 101 * WAN)


def test_a_department_above_its_undeclared_unit_may_hold_other_units(wh: Warehouse) -> None:
    put(wh, document("dep", "budget", 2025), expenditure("120", "60", "60"))
    put(wh, document("uni", "budget", 2025, scope="unit"), expenditure("100", "60", "40"))
    assert {(i["locator"].split()[0], i["severity"]) for i in issues(wh.root)} == {
        ("expenditure_total", "info"), ("project_expenditure", "info")}


def test_a_department_is_the_sum_of_its_declared_units(wh: Warehouse, tmp_path: Path) -> None:
    members = tmp_path / "departments.yaml"
    members.write_text(f"departments:\n  {UNIT}: [{UNIT}, 示例市财政信息中心]\n", encoding="utf-8")
    put(wh, document("dep", "final", 2024), expenditure("150", "90", "60"))
    put(wh, document("own", "final", 2024, scope="unit"), expenditure("100", "60", "40"))
    assert [i["message"][:13] for i in issues(wh.root, members)] == ["Could not run"]  # one unit's report is missing
    put(wh, document("sub", "final", 2024, scope="unit", unit="示例市财政信息中心"), expenditure("50", "30", "30"))
    [found] = issues(wh.root, members)  # 150 = 100 + 50 and 90 = 60 + 30, but 60 ≠ 40 + 30
    assert found["locator"].startswith("project_expenditure") and found["severity"] == "error"
    assert sorted(found["other_doc_ids"]) == ["own", "sub"]


# -- 决算 vs 预算 -----------------------------------------------------------------------------------


def test_a_final_accounts_budget_figures_are_the_years_budget(wh: Warehouse) -> None:
    put(wh, document("fin", "final", 2024), [cell("expenditure", "合计", "本年支出合计", "90")],
        facts=[fact("sangong_total", "12.5", "budget", "“三公”经费年初预算12.5万元")],
        variances=[{"code": "2010301", "row_label": "行政运行", "initial_budget": Decimal(80) * WAN,
                    "final": Decimal(82) * WAN, "page": 6}])
    put(wh, document("bud", "budget", 2024),
        [cell("gpb_expenditure", "行政运行", "一般公共预算支出/合计", "80", code="2010301"),
         cell("gpb_expenditure", "行政运行", "一般公共预算支出/基本支出", "70", code="2010301")],
        facts=[fact("sangong_total", "12.0", sentence="“三公”经费预算12万元")])
    found = issues(wh.root)
    assert [(i["check_id"], i["locator"][:13], i["severity"]) for i in found] == [
        ("crossdoc.final_budget", "sangong_total", "error")]
    assert found[0]["printed"] == "“三公”经费年初预算12.5万元" and found[0]["other_printed"] == ["“三公”经费预算12万元"]


def test_a_variance_lines_initial_budget_against_the_budgets_row(wh: Warehouse) -> None:
    put(wh, document("fin", "final", 2024), [cell("expenditure", "合计", "本年支出合计", "90")],
        variances=[{"code": "2010301", "row_label": "行政运行", "initial_budget": Decimal(85) * WAN,
                    "final": Decimal(82) * WAN, "page": 6}])
    put(wh, document("bud", "budget", 2024),
        [cell("gpb_expenditure", "行政运行", "一般公共预算支出/合计", "80", code="2010301", page=9)])
    [found] = issues(wh.root)
    assert found["locator"].startswith("code 2010301") and found["page"] == 6 and found["other_pages"] == [9]


# -- 上年 ----------------------------------------------------------------------------------------


def test_a_budgets_stated_change_on_the_year_before_against_last_years_budget(wh: Warehouse) -> None:
    said = "2025年财政拨款收入100万元，比2024年预算增加10万元"
    put(wh, document("b25", "budget", 2025), [cell("summary", "收入总计", "本年预算数", "100")],
        facts=[fact("fiscal_appropriation_income", "100", sentence=said), fact("yoy_change", "10",
               "fiscal_appropriation_income", sentence=said)])
    put(wh, document("b24", "budget", 2024), [cell("summary", "收入总计", "本年预算数", "90")],
        facts=[fact("fiscal_appropriation_income", "90", sentence="2024年财政拨款收入90万元")])
    assert not issues(wh.root)  # 100 − 10 = 90
    put(wh, document("b24", "budget", 2024), [cell("summary", "收入总计", "本年预算数", "90")],
        facts=[fact("fiscal_appropriation_income", "92", sentence="2024年财政拨款收入92万元")])
    [found] = issues(wh.root)
    assert found["check_id"] == "crossdoc.prior_year_budget" and found["doc_id"] == "b25"
    assert (Decimal(found["actual"]), Decimal(found["expected"])) == (90 * WAN, 92 * WAN)


def test_a_budgets_last_year_column_against_last_years_budget(wh: Warehouse) -> None:
    put(wh, document("b25", "budget", 2025), [cell("summary", "收入总计", "本年预算数", "100"),
                                               cell("summary", "收入总计", "上年预算数", "95")])
    put(wh, document("b24", "budget", 2024), [cell("summary", "收入总计", "本年预算数", "90")])
    [found] = issues(wh.root)
    assert found["check_id"] == "crossdoc.prior_year_budget" and "上年预算数" in found["locator"]


def test_a_final_accounts_change_on_the_year_before_against_last_years(wh: Warehouse) -> None:
    said = "2024年度支出合计200万元，比上年减少20万元"
    put(wh, document("f24", "final", 2024), expenditure("200", "150", "50"),
        facts=[fact("expenditure_total", "200", sentence=said),
               fact("yoy_change", "-20", "expenditure_total", sentence=said)])
    put(wh, document("f23", "final", 2023), expenditure("210", "150", "60"))
    [found] = issues(wh.root)
    assert found["check_id"] == "crossdoc.prior_year_final" and Decimal(found["expected"]) == 210 * WAN


# -- versions ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Two versions of one generated 决算: the second prints one figure of table 03 differently."""
    from yujuesuan.ingest.pipeline import extract_paths
    from yujuesuan.samples.generator import Layout, Mutation, generate

    folder = tmp_path_factory.mktemp("versions")
    (folder / "v1.pdf").write_bytes(generate(5, Layout()).pdf)
    revised = generate(5, Layout(), Mutation("number", "03", seed=3))
    (folder / "v2.pdf").write_bytes(revised.pdf)
    extract_paths([folder], folder / "wh", jobs=1)
    return folder / "wh", revised.mutation_detail or ""


def test_a_revision_is_listed_cell_by_cell(versions: tuple[Path, str], tmp_path: Path) -> None:
    import hashlib
    import shutil

    warehouse = tmp_path / "wh"
    shutil.copytree(versions[0], warehouse)
    old, new = (hashlib.sha256((versions[0].parent / f).read_bytes()).hexdigest() for f in ("v1.pdf", "v2.pdf"))
    [found] = issues(warehouse)
    assert found["check_id"] == "crossdoc.revision" and found["severity"] == "warning"  # both current
    wh = Warehouse(warehouse)
    wh.update_document(old, is_current=False)  # the crawl's word: v1 was superseded
    run_across_documents(warehouse)
    [found] = issues(warehouse)
    assert (found["doc_id"], found["other_doc_ids"], found["severity"]) == (new, [old], "info")
    [row] = wh.read("revisions").to_pylist()
    assert (row["doc_id"], row["previous_doc_id"], row["order_basis"], row["change"]) == (
        new, old, "superseded", "changed")
    printed_before, printed_after = versions[1].split(": ")[1].split(" printed as ")
    assert Decimal(printed_after.replace(",", "")) * WAN == row["value"]
    assert Decimal(printed_before) * WAN == row["previous_value"]


def test_the_run_compares_only_the_pairs_a_new_document_touches(wh: Warehouse) -> None:
    put(wh, document("b23", "budget", 2023), expenditure("90", "60", "30"))
    put(wh, document("b24", "budget", 2024), expenditure("100", "60", "40"))
    first = run_across_documents(wh.root)
    assert (first.anchors_checked, first.pairs) == (1, {"prior_year": 1})
    assert run_across_documents(wh.root).anchors_checked == 0
    put(wh, document("b25", "budget", 2025), expenditure("110", "60", "50"))
    put(wh, document("f24", "final", 2024), expenditure("100", "60", "40"))
    again = run_across_documents(wh.root)
    assert (again.anchors_checked, again.anchors_unchanged) == (2, 1)  # b25 and f24; b24 as it was


def test_every_crossdoc_rule_is_documented_and_fired_by_a_test() -> None:
    from yujuesuan.checks.docs import catalogue_markdown

    text = Path(__file__).read_text(encoding="utf-8")
    for rule in load_crossdoc():
        assert f"`{rule.id}`" in catalogue_markdown()
        assert f'"{rule.id}"' in text, rule.id


def test_the_catalogue_is_written_as_a_table_per_anchor(wh: Warehouse) -> None:
    put(wh, document("dep", "budget", 2025), expenditure("100", "60", "40"))
    put(wh, document("uni", "budget", 2025, scope="unit"), expenditure("101", "60", "41"))
    run_across_documents(wh.root)
    assert pq.read_table(wh.root / "cross_issues" / "dep.parquet").num_rows == 2
    wh.update_document("uni", status="failed")  # the unit report no longer pairs
    run_across_documents(wh.root)
    assert not (wh.root / "cross_issues" / "dep.parquet").exists() and not issues(wh.root)


def test_a_generated_department_report_against_a_unit_report_that_differs(
    versions: tuple[Path, str], tmp_path: Path
) -> None:
    """The 单位 report: the generated 决算's own extracted rows, as a 单位 report printing one total differently."""
    import hashlib
    import shutil

    warehouse = tmp_path / "wh"
    shutil.copytree(versions[0], warehouse)
    wh = Warehouse(warehouse)
    v1 = hashlib.sha256((versions[0].parent / "v1.pdf").read_bytes()).hexdigest()
    v2 = hashlib.sha256((versions[0].parent / "v2.pdf").read_bytes()).hexdigest()
    wh.update_document(v2, status="failed")  # leave one 部门 report
    rows = wh.read_document(v1)
    rows["documents"][0].update(doc_id="unit-report", scope="unit")
    for i in rows["line_items"]:
        i["doc_id"] = "unit-report"
        if i["table_family"] == "expenditure" and i["row_label"] == "合计" and i["column"] == "基本支出":
            i["value"] += 5 * WAN
    rows["quality_issues"] = []
    wh.write("unit-report", rows)
    found = [(i["check_id"], i["locator"].split()[0], i["doc_id"], i["other_doc_ids"]) for i in issues(warehouse)]
    assert found == [("crossdoc.department_units", "basic_expenditure", v1, ["unit-report"])]


def test_the_report_shows_a_finding_across_documents_with_both_sides(wh: Warehouse, tmp_path: Path) -> None:
    from yujuesuan.checks.report import build_report

    put(wh, document("dep", "budget", 2025), expenditure("100", "60", "40"))
    put(wh, document("uni", "budget", 2025, scope="unit"), [cell("expenditure", "合计", "本年支出合计", "101", page=7)])
    issues(wh.root)
    text = build_report(wh.root, tmp_path / "r.md").read_text(encoding="utf-8")
    part = text.split("## Across documents", 1)[1]
    assert "crossdoc.department_units" in part and "page 3: 100" in part and "page 7: 101" in part
    html_text = build_report(wh.root, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<h2>Across documents</h2>" in html_text and "page 7: <b>101</b>" in html_text
