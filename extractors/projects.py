"""Rows of the performance self-evaluation attachments (项目自评汇总表) → projects.

The same stages read the table (grid → cells); the header row is the first whose cells name
at least three of the fields in specs/projects.yaml, and each later row with a project name is
a project. Money is converted with the attachment's own 单位 label; percentages as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

import yaml

from extractors.cells import read_cells
from extractors.grid import build_grid
from extractors.layout import PageLayout
from extractors.money import find_unit_label, parse_amount, to_rate, to_yuan, yuan_in_range
from extractors.text import compact


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


@cache
def _data() -> dict:
    return yaml.safe_load(resources.files("extractors").joinpath("specs/projects.yaml").read_text(encoding="utf-8"))


@cache
def _spec() -> tuple[frozenset[str], dict[str, list[re.Pattern[str]]]]:
    data = _data()
    columns = {field: [re.compile(p) for p in pats] for field, pats in data["columns"].items()}
    return frozenset(compact(t) for t in data["titles"]), columns


def _number(text: str) -> Decimal | None:
    """A rate or score as printed; None when it is none or absurd."""
    value = parse_amount(text.rstrip("%")) if text else None
    return to_rate(str(value)) if value is not None else None


def _yuan(text: str, unit: str) -> Decimal | None:
    """An amount in 元; None when it is none or beyond any budget."""
    value = parse_amount(text.rstrip("%")) if text else None
    yuan = to_yuan(value, unit) if value is not None else None
    return yuan if yuan is not None and yuan_in_range(yuan) else None


def _row_reader(row: list, fields: dict[str, int]):
    """The compact text of a row's cell for a field ('' when blank or not printed)."""

    def text(field: str) -> str:
        cell = row[fields[field]] if field in fields else None
        return compact(cell.text) if cell else ""

    return text


def extract_projects(pages: list[PageLayout], doc_id: str) -> list[Project]:
    titles, columns = _spec()
    out: list[Project] = []
    for page in pages:
        lines = page.text_lines()
        for n, line in enumerate(lines):
            if line.key not in titles:
                continue
            head = " ".join(ln.text for ln in lines[n : n + 3])
            unit = find_unit_label(head) or "万元"
            grid = build_grid(page, line.bottom + 0.5, page.height)
            if grid is None:
                continue
            matrix = read_cells(page, grid)
            fields: dict[str, int] = {}
            header_row = None
            for r, row in enumerate(matrix):
                found = {
                    f: k
                    for k, cell in enumerate(row)
                    if cell
                    for f, pats in columns.items()
                    if any(p.search(compact(cell.text)) for p in pats)
                }
                if len(found) >= 3:
                    fields, header_row = found, r
                    break
            if header_row is None or "project_name" not in fields:
                continue
            for row in matrix[header_row + 1 :]:
                text = _row_reader(row, fields)
                name = text("project_name")
                if not name:
                    continue
                out.append(
                    Project(
                        doc_id=doc_id,
                        project_name=name,
                        page=page.number,
                        budget=_yuan(text("budget"), unit),
                        executed=_yuan(text("executed"), unit),
                        execution_rate=_number(text("execution_rate")),
                        score=_number(text("score")),
                        grade=text("grade") or None,
                    )
                )
    return out


OVERALL_NAME = "部门整体"


def extract_overall(pages: list[PageLayout], doc_id: str) -> list[Project]:
    """The 部门整体自评表 as one project row: the 部门预算总额 row's 全年预算数, 全年执行数 and
    执行率, and the table's 总分 (its cells may run onto the next page)."""
    spec = _data()["overall"]
    titles = frozenset(compact(t) for t in spec["titles"])
    _, columns = _spec()
    for i, page in enumerate(pages):
        lines = page.text_lines()
        start = next((ln for ln in lines if ln.key in titles), None)
        if start is None:
            continue
        project = Project(doc_id=doc_id, project_name=OVERALL_NAME, page=page.number)
        fields: dict[str, int] = {}
        for p in pages[i : i + 2]:
            grid = build_grid(p, start.bottom + 0.5 if p is page else 0.0, p.height)
            if grid is None:
                continue
            for row in read_cells(p, grid):
                texts = [compact(c.text) if c else "" for c in row]
                named = {
                    f: k
                    for k, t in enumerate(texts)
                    for f, pats in columns.items()
                    if t and any(x.search(t) for x in pats)
                }
                if len(named) >= 2 and not fields:
                    fields = named
                    continue
                if fields and any(re.search(spec["total_row"], t) for t in texts) and project.budget is None:
                    text = _row_reader(row, fields)
                    project.budget = _yuan(text("budget"), "万元")
                    project.executed = _yuan(text("executed"), "万元")
                    project.execution_rate = _number(text("execution_rate"))
                if any(re.search(spec["score_row"], t) for t in texts):
                    # 总分 | 100 (the full mark) | 95.79 (the score): the score is printed last
                    scores = [_number(t) for t in texts if _number(t) is not None]
                    project.score = scores[-1] if scores else None
        return [project] if project.budget is not None or project.score is not None else []
    return []
