"""Rows of the performance self-evaluation attachments (项目自评汇总表, 部门整体自评表) → projects.

`locate` finds them by their titles in specs/tables.yaml like every other table; their entries
name the hook below that reads them (`reader: projects | overall`). The same stages read the table
(grid → cells); a header row is the first whose cells name enough of the fields in
specs/projects.yaml. Money is converted with the 单位 the table prints: a 单位：label by its
title, else a unit in brackets in its header or total row (部门预算总额（万元）); a table that
prints none is read in its family's `default_unit` and said so (`UnitAssumed`). Percentages and
scores as printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from extractors.cells import Cell, read_cells
from extractors.grid import build_grid
from extractors.layout import PageLayout
from extractors.locate import Segment, TableRegion
from extractors.money import parse_amount, to_rate, to_yuan, yuan_in_range
from extractors.text import compact
from extractors.yamltext import load_yaml

BRACKET_UNIT = re.compile(r"\((万元|亿元|元)\)")  # 部门预算总额(万元), after NFKC folded （）


@dataclass
class Project:
    doc_id: str
    project_name: str
    page: int
    budget: Decimal | None = None
    executed: Decimal | None = None
    execution_rate: Decimal | None = None
    score: Decimal | None = None
    grade: str | None = None
    unit_id: str | None = None
    year: int | None = None


@dataclass(frozen=True)
class UnitAssumed:
    """A self-evaluation table that prints no 单位: its figures were read in the family's default."""

    title: str
    pages: tuple[int, ...]
    unit: str

    @property
    def message(self) -> str:
        return (
            f"{self.title} (page(s) {list(self.pages)}) prints no 单位; its amounts are read in {self.unit}, "
            f"the unit of its family in specs/tables.yaml."
        )


@cache
def _data() -> dict:
    return load_yaml(resources.files("extractors").joinpath("specs/projects.yaml").read_text(encoding="utf-8"))


@cache
def _columns() -> dict[str, list[re.Pattern[str]]]:
    return {field: [re.compile(p) for p in pats] for field, pats in _data()["columns"].items()}


def _number(text: str) -> Decimal | None:
    """A rate or score as printed; None when it is none or absurd."""
    value = parse_amount(text.rstrip("%")) if text else None
    return to_rate(str(value)) if value is not None else None


def _yuan(text: str, unit: str) -> Decimal | None:
    """An amount in 元; None when it is none or beyond any budget."""
    value = parse_amount(text.rstrip("%")) if text else None
    yuan = to_yuan(value, unit) if value is not None else None
    return yuan if yuan is not None and yuan_in_range(yuan) else None


Row = list[Cell | None]


def _row_reader(row: Row, fields: dict[str, int]) -> Callable[[str], str]:
    """The compact text of a row's cell for a field ('' when blank or not printed)."""

    def text(field: str) -> str:
        cell = row[fields[field]] if field in fields else None
        return compact(cell.text) if cell else ""

    return text


def _texts(row: Row) -> list[str]:
    return [compact(c.text) if c else "" for c in row]


def _named_fields(row: Row) -> dict[str, int]:
    """field → column index for the row's cells that name a field of specs/projects.yaml."""
    return {
        f: k
        for k, t in enumerate(_texts(row))
        for f, pats in _columns().items()
        if t and any(p.search(t) for p in pats)
    }


def _unit(region: TableRegion, printed: Iterable[str]) -> tuple[str, bool]:
    """The table's 单位 and whether it was assumed: the title block's 单位：label, else a unit in
    brackets among the `printed` texts (header cells, the total row's label), else the family's
    default."""
    if region.currency_unit:
        return region.currency_unit, False
    for text in printed:
        m = BRACKET_UNIT.search(text)
        if m:
            return m.group(1), False
    return region.spec.default_unit or "万元", True


def _matrices(region: TableRegion, pages: list[PageLayout]) -> Iterable[tuple[Segment, list[Row]]]:
    """Each segment of the region with its cells (segments without a grid are skipped)."""
    for seg in region.segments:
        page = pages[seg.page - 1]
        grid = build_grid(page, seg.top, seg.bottom)
        if grid is not None:
            yield seg, read_cells(page, grid)


Read = tuple[list[Project], UnitAssumed | None]  # what a hook gives: its projects, and its unit if assumed


def _read_projects(region: TableRegion, pages: list[PageLayout], doc_id: str) -> Read:
    """A 项目自评汇总表: every row under its header (the first row naming three fields or more)
    that has a project name; a continuation page without the header keeps the columns."""
    out: list[Project] = []
    fields: dict[str, int] = {}
    unit: tuple[str, bool] | None = None
    for seg, matrix in _matrices(region, pages):
        header = next((r for r, row in enumerate(matrix) if len(_named_fields(row)) >= 3), None)
        if header is not None:
            fields = _named_fields(matrix[header])
            unit = unit or _unit(region, _texts(matrix[header]))
        elif not (seg.continuation and fields):
            continue
        if "project_name" not in fields or unit is None:
            continue
        for row in matrix[header + 1 if header is not None else 0 :]:
            text = _row_reader(row, fields)
            name = text("project_name")
            if not name:
                continue
            out.append(
                Project(
                    doc_id=doc_id,
                    project_name=name,
                    page=seg.page,
                    budget=_yuan(text("budget"), unit[0]),
                    executed=_yuan(text("executed"), unit[0]),
                    execution_rate=_number(text("execution_rate")),
                    score=_number(text("score")),
                    grade=text("grade") or None,
                )
            )
    return out, _assumed(region, unit) if out else None


OVERALL_NAME = "部门整体"


def _read_overall(region: TableRegion, pages: list[PageLayout], doc_id: str) -> Read:
    """A 部门整体自评表 as one project row: the 部门预算总额 row's 全年预算数, 全年执行数 and
    执行率, and the table's 总分 (its cells may run onto the next page)."""
    spec = _data()["overall"]
    project = Project(doc_id=doc_id, project_name=OVERALL_NAME, page=region.pages[0])
    fields: dict[str, int] = {}
    header: list[str] = []
    unit: tuple[str, bool] | None = None
    for _, matrix in _matrices(region, pages):
        for row in matrix:
            texts = _texts(row)
            named = _named_fields(row)
            if len(named) >= 2 and not fields:
                fields, header = named, texts
                continue
            total = next((t for t in texts if re.search(spec["total_row"], t)), None)
            if fields and total is not None and project.budget is None:
                unit = _unit(region, [*header, total])
                text = _row_reader(row, fields)
                project.budget = _yuan(text("budget"), unit[0])
                project.executed = _yuan(text("executed"), unit[0])
                project.execution_rate = _number(text("execution_rate"))
            if any(re.search(spec["score_row"], t) for t in texts):
                # 总分 | 100 (the full mark) | 95.79 (the score): the score is printed last
                scores = [score for score in map(_number, texts) if score is not None]
                project.score = scores[-1] if scores else None
    if project.budget is None and project.score is None:
        return [], None
    return [project], _assumed(region, unit)


def _assumed(region: TableRegion, unit: tuple[str, bool] | None) -> UnitAssumed | None:
    if unit is None or not unit[1]:
        return None
    return UnitAssumed(region.title, tuple(region.pages), unit[0])


HOOKS: dict[str, Callable[[TableRegion, list[PageLayout], str], Read]] = {
    "projects": _read_projects,
    "overall": _read_overall,
}


def extract_projects(
    pages: list[PageLayout], doc_id: str, regions: list[TableRegion]
) -> tuple[list[Project], list[UnitAssumed]]:
    """The projects of the self-evaluation tables `locate` found (the regions whose spec names a
    hook), and the tables whose unit was assumed."""
    projects: list[Project] = []
    assumed: list[UnitAssumed] = []
    for region in regions:
        if region.spec.reader is None:
            continue
        rows, note = HOOKS[region.spec.reader](region, pages, doc_id)
        projects += rows
        assumed += [note] if note else []
    return projects, assumed
