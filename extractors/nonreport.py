"""Documents about a disclosure, not a disclosure: a review checklist (检查表, 自查表: the standard
tables' titles listed as items marked 是/否) or a notice (通知, 公告) that holds no figure. Recognised
by their heading (vocabulary terms `checklist_titles`, `notice_titles`); their table titles are
items, not tables, so nothing is read from them and no table is complained about."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from extractors.text import compact
from extractors.vocabulary import pattern

if TYPE_CHECKING:
    from extractors.extraction import Extraction
    from extractors.layout import PageLayout

HEADING_LINES = 3  # the heading is among the first lines of the first page
# what the engine says about a checklist's or notice's table titles, blank cells and missing unit: noise
NOT_REPORT_NOISE = {
    "extract.nothing_read",
    "extract.no_tables",
    "extract.table_no_rows",
    "extract.table_unit_missing",
    "extract.kind_from_titles",
    "extract.cell_not_number",
    "extract.row_unlabelled",
    "extract.code_unreadable",
    "extract.column_no_header",
    "extract.column_unmapped",
    "extract.fact_unparsed",
    "extract.unit_assumed",
    "profile.year_missing",
    "profile.unit_name_missing",
    "profile.region_missing",
    "profile.kind_missing",
    "profile.scope_missing",
}


@cache
def _heading(term: str) -> re.Pattern[str]:
    return re.compile(pattern(term))


def heading(pages: list[PageLayout]) -> list[str]:
    """The first lines of the first page with text, whitespace removed."""
    for page in pages:
        lines = [compact(line) for line in page.text().splitlines() if compact(line)]
        if lines:
            return lines[:HEADING_LINES]
    return []


def not_a_report(pages: list[PageLayout], read_anything: bool) -> tuple[str, str] | None:
    """(what the document is, its heading line that says so), or None for a report."""
    return heading_says(heading(pages), read_anything)


def heading_says(lines: list[str], read_anything: bool) -> tuple[str, str] | None:
    """(what a document headed by `lines` is, the line that says so) when it is about a disclosure
    rather than one (the line names a 预算/决算): a checklist whatever it holds, a notice only when nothing
    was read from it. A notice about anything else is no concern of this: nothing read is nothing read."""
    terms = [("a review checklist", "checklist_titles")] + ([] if read_anything else [("a notice", "notice_titles")])
    for what, term in terms:
        for line in lines:
            if _heading(term).search(compact(line)) and _heading("disclosure_words").search(compact(line)):
                return what, compact(line)
    return None


def mark_not_a_report(ex: Extraction, pages: list[PageLayout], read_anything: bool) -> bool:
    """When the heading says the document is a checklist or a notice: failed (nothing in it is a
    unit's data), its table titles not taken for tables, one `extract.not_a_report` saying what it is."""
    found = not_a_report(pages, read_anything)
    if found is None:
        return False
    what, line = found
    listed = len(ex.tables)
    ex.tables, ex.facts, ex.variances, ex.projects = [], [], [], []
    ex.issues = [i for i in ex.issues if i.check_id not in NOT_REPORT_NOISE]
    doc = ex.document
    doc.kind, doc.tables_found, doc.layout_family, doc.toc = "unknown", 0, None, []
    ex.toc = {}
    titles = f"; the {listed} table title(s) it names are items, not tables" if listed else ""
    ex.issue(
        "extract.not_a_report",
        f"Not a disclosure: {what} (its heading: {line[:60]}){titles}; nothing read as data.",
    )
    doc.status = "failed"
    return True
