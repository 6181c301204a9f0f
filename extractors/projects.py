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
from extractors.money import find_unit_label, parse_amount, to_yuan
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
def _spec() -> tuple[frozenset[str], dict[str, list[re.Pattern[str]]]]:
    data = yaml.safe_load(resources.files("extractors").joinpath("specs/projects.yaml").read_text(encoding="utf-8"))
    columns = {field: [re.compile(p) for p in pats] for field, pats in data["columns"].items()}
    return frozenset(compact(t) for t in data["titles"]), columns


def _number(text: str) -> Decimal | None:
    return parse_amount(text.rstrip("%")) if text else None


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
                budget, executed = _number(text("budget")), _number(text("executed"))
                out.append(
                    Project(
                        doc_id=doc_id,
                        project_name=name,
                        page=page.number,
                        budget=to_yuan(budget, unit) if budget is not None else None,
                        executed=to_yuan(executed, unit) if executed is not None else None,
                        execution_rate=_number(text("execution_rate")),
                        score=_number(text("score")),
                        grade=text("grade") or None,
                    )
                )
    return out
