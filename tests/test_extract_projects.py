"""Self-evaluation attachments (项目支出绩效自评表, 部门整体支出绩效自评表): found by locate through
specs/tables.yaml, their printed 单位 honoured, a missing 单位 assumed from the spec and said so."""

from __future__ import annotations

import pytest

import extractors.projects as projects_module
from extractors.pdf import extract_pdf
from extractors.spec import VALID_READERS, load_specs
from yujuesuan.samples.generator import Layout, generate


def _rows(ex) -> list[tuple]:
    return sorted((p.project_name, p.budget, p.executed, p.execution_rate, p.score) for p in ex.projects)


def _expected(gen) -> list[tuple]:
    return sorted((p.project_name, p.budget, p.executed, p.execution_rate, p.score) for p in gen.projects)


@pytest.mark.parametrize("unit", ["万元", "元"])
def test_printed_unit_is_honoured_for_projects_and_the_department_as_a_whole(unit: str) -> None:
    gen = generate(3, Layout(currency=unit, performance=unit))
    ex = extract_pdf(gen.pdf, "performance.pdf")
    assert _rows(ex) == _expected(gen)
    assert any(p.project_name == "部门整体" for p in ex.projects)
    assert not [i for i in ex.issues if i.check_id == "extract.unit_assumed"]


def test_a_table_without_a_unit_is_read_in_the_family_default_and_said_so() -> None:
    gen = generate(5, Layout(performance="unprinted"))
    ex = extract_pdf(gen.pdf, "performance.pdf")
    assert _rows(ex) == _expected(gen)  # the generator prints them in 万元, the spec's default
    assumed = [i for i in ex.issues if i.check_id == "extract.unit_assumed"]
    assert [i.severity for i in assumed] == ["info", "info"]
    assert all("万元" in i.message for i in assumed)
    defaults = {s.family: s.default_unit for s in load_specs() if s.reader}
    assert defaults == {"projects": "万元", "overall_performance": "万元"}


def test_self_evaluation_tables_are_not_line_items_nor_contents() -> None:
    plain = extract_pdf(generate(3, Layout()).pdf, "plain.pdf")
    ex = extract_pdf(generate(3, Layout(performance="元")).pdf, "performance.pdf")
    assert [(i.table_code, i.row_label, i.column, i.value) for i in ex.items] == [
        (i.table_code, i.row_label, i.column, i.value) for i in plain.items
    ]
    assert ex.document.toc == plain.document.toc and ex.document.tables_found == plain.document.tables_found


def test_projects_have_no_title_list_of_their_own() -> None:
    assert not hasattr(projects_module, "_spec")
    assert "titles" not in projects_module._data() and "titles" not in projects_module._data()["overall"]
    readers = {s.reader for s in load_specs() if s.reader}
    assert readers == set(projects_module.HOOKS) == VALID_READERS - {None}
    assert all(s.titles for s in load_specs() if s.reader)


def test_the_fixture_s_overall_row_reads_its_unit_from_the_total_row_label() -> None:
    # the fixture prints 部门预算总额（万元） and no 单位：label; generated: the label in brackets
    from extractors.locate import TableRegion
    from extractors.spec import match_title

    region = TableRegion(spec=match_title("部门整体自评表"), title="部门整体自评表", printed_number=None,
                         currency_unit=None)
    assert projects_module._unit(region, ["部门整体支出情况", "部门预算总额(万元)"]) == ("万元", False)
    assert projects_module._unit(region, ["部门整体支出情况", "部门预算总额(元)"]) == ("元", False)
    assert projects_module._unit(region, ["部门预算总额"]) == ("万元", True)
