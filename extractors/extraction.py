"""What extracting one document gives: the document, its tables, facts, variances, projects and
quality issues. Every format's reader (pdf, html, workbook, Word, scan) returns an `Extraction`."""

from __future__ import annotations

from dataclasses import dataclass, field

from extractors.narrative import Fact, Variance
from extractors.projects import Project
from extractors.records import Document, LineItem, QualityIssue, TableResult


@dataclass
class Extraction:
    document: Document
    tables: list[TableResult] = field(default_factory=list)
    issues: list[QualityIssue] = field(default_factory=list)
    toc: dict[str, str] = field(default_factory=dict)  # family -> number, as the contents list them
    facts: list[Fact] = field(default_factory=list)
    variances: list[Variance] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)

    @property
    def items(self) -> list[LineItem]:
        return [i for t in self.tables for i in t.items]

    @property
    def records(self) -> list[Fact | Variance | Project]:
        """The figures read outside the tables' line items: facts, variances, projects."""
        return [*self.facts, *self.variances, *self.projects]

    def issue(self, check_id: str, severity: str, message: str, **kw: str | None) -> None:
        self.issues.append(QualityIssue(self.document.doc_id, check_id, severity, message, **kw))


def failed_extraction(ex: Extraction, check_id: str, message: str) -> Extraction:
    """`ex` marked failed, with an error issue `check_id` saying why."""
    ex.document.status = "failed"
    ex.issue(check_id, "error", message)
    return ex
