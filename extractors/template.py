"""Disclosure templates: the files offices fill in, with XX / x,xxx where names and figures go."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from extractors.extraction import Extraction

# a whole cell that stands for a figure or a row: XX, XXX, XX.XX, x,xxx, x,xxx.xx; … (and so on)
PLACEHOLDER_CELL = re.compile(r"^(?:[Xx×]{2,}(?:\.[Xx]+)?|[Xx](?:,[Xx]{3})+(?:\.[Xx]+)?|[…\.·]{2,}|…)$")
# a placeholder inside text: 上海市普陀区XX局, XXX万元, x,xxx万元
PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:[Xx]{2,}|[Xx](?:,[Xx]{3})+)(?![A-Za-z])")
TEMPLATE_MIN = 3  # this many placeholders make a document a template
# what the engine says about a template's blank or placeholder cells: noise, not findings
TEMPLATE_NOISE = {
    "extract.nothing_read",  # a template holds no figures by design
    "extract.cell_not_number",
    "extract.row_unlabelled",
    "extract.code_unreadable",
    "extract.table_no_rows",
    "extract.fact_unparsed",
    "extract.column_no_header",
}


def is_placeholder(text: str) -> bool:
    return bool(PLACEHOLDER_CELL.match(text.strip()))


def placeholder_count(texts: Iterable[str]) -> int:
    return sum(len(PLACEHOLDER.findall(t)) for t in texts)


def template_message(count: int, what: str) -> str:
    return (
        f"The {what} is a disclosure template: {count} placeholder(s) (XX, x,xxx) stand where a real "
        f"disclosure prints the unit's name and its figures; it holds no unit's data."
    )


def mark_template(ex: Extraction, texts: Iterable[str], what: str) -> bool:
    """When the texts hold TEMPLATE_MIN placeholders or more, the document is a template: an
    `extract.template` warning; its tables are kept (found, empty, noted as a template) without
    line items (the only figures a template has are its codes), and the engine's complaints
    about its blank cells are dropped."""
    if any(i.check_id == "extract.not_a_report" for i in ex.issues):
        return False  # a checklist about a template is still a checklist
    count = placeholder_count(texts)
    if count < TEMPLATE_MIN:
        return False
    for t in ex.tables:
        t.items = []
        t.empty, t.empty_note = True, "template"
    ex.facts, ex.variances, ex.projects = [], [], []
    ex.issues = [i for i in ex.issues if i.check_id not in TEMPLATE_NOISE]
    ex.issue("extract.template", template_message(count, what))
    ex.document.status = "partial" if any(i.severity == "error" for i in ex.issues) else "ok"
    return True
