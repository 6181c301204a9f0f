"""What extracting one document gives: the document, its tables, facts, variances, projects and
quality issues. Every format's reader (pdf, html, workbook, Word, scan) returns an `Extraction`."""

from __future__ import annotations

from dataclasses import dataclass, field

from extractors.issues import severity as registered_severity
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

    def issue(self, check_id: str, message: str, *, severity: str | None = None, **kw: str | None) -> None:
        """Raise `check_id` with the registry's severity (specs/issues.yaml); `severity` only picks
        another one the registry lists for that id."""
        sev = registered_severity(check_id, severity)
        self.issues.append(QualityIssue(self.document.doc_id, check_id, sev, message, **kw))


def failed_extraction(ex: Extraction, check_id: str, message: str) -> Extraction:
    """`ex` marked failed, with its issue `check_id` (an error in the registry) saying why."""
    ex.document.status = "failed"
    ex.issue(check_id, message)
    return ex
