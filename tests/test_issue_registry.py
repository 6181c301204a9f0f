"""One issue registry (extractors/specs/issues.yaml): every id the code raises outside the check
catalogues, with its severity and meaning; severities are looked up there, docs/checks.md generated."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from extractors import issues
from extractors.issues import IssueRegistryError, parse_registry

REPO = Path(__file__).resolve().parent.parent
PREFIXES = ("extract", "profile", "crawl", "health", "ocr")

# docs/checks.md's severities before the registry (the Python lists of yujuesuan/checks/docs.py), frozen
DOCUMENTED = {
    "extract.empty_file": "error",
    "extract.crashed": "error",
    "extract.budget_exceeded": "error",
    "extract.not_pdf": "error",
    "extract.format_mismatch": "info",
    "extract.converter_missing": "error",
    "extract.formula_uncached": "error",
    "extract.placeholder_value": "warning",
    "extract.template": "warning",
    "extract.not_a_report": "warning",
    "extract.no_text": "error",
    "extract.encoding_ignored": "warning",
    "extract.text_replaced": "warning",
    "extract.encrypted": "error",
    "extract.unreadable": "error",
    "extract.no_pages": "error",
    "extract.no_text_layer": "error",
    "extract.ocr_used": "info",
    "extract.ocr_straightened": "info",
    "extract.ocr_uncertain": "warning",
    "extract.ocr_unavailable": "error",
    "extract.page_unreadable": "error",
    "extract.too_large": "error",
    "extract.text_unmapped": "error",
    "extract.nothing_read": "error",
    "extract.table_unit_missing": "warning",
    "extract.unit_assumed": "info",
    "extract.cell_not_number": "error",
    "extract.code_unreadable": "error",
    "extract.code_zero_dropped": "warning",
    "extract.row_unlabelled": "error",
    "extract.column_unmapped": "warning",
    "extract.column_no_header": "warning",
    "extract.table_no_rows": "warning",
    "extract.no_tables": "warning",
    "extract.fact_unparsed": "warning",
    "extract.kind_from_titles": "info",
    "profile.kind_missing": "warning",
    "profile.scope_missing": "warning",
    "profile.unit_name_missing": "warning",
    "profile.region_missing": "warning",
    "profile.year_missing": "warning",
    "crawl.unreachable": "error",
    "crawl.timeout": "error",
    "crawl.connection": "error",
    "crawl.server_error": "error",
    "crawl.http_status": "error",
    "crawl.truncated": "error",
    "crawl.bad_response": "error",
    "crawl.bad_url": "error",
    "crawl.too_large": "error",
    "crawl.deadline": "error",
    "crawl.redirect_loop": "error",
    "crawl.too_many_redirects": "error",
    "crawl.host_not_allowed": "warning",
    "crawl.robots_disallowed": "warning",
    "crawl.page_encoding": "warning",
    "crawl.api_unreadable": "error",
    "crawl.empty_body": "warning",
    "crawl.html_instead_of_document": "warning",
    "crawl.not_a_document": "warning",
    "crawl.content_type_mismatch": "info",
    "crawl.zip_entry_refused": "warning",
    "health.too_few_documents": "warning",
    "health.unreachable": "warning",
    "health.stale": "warning",
    "health.recovered": "info",
}

# documented as a warning, but the code has always raised it as an error (a fetch robots.txt forbids is a
# request that failed, like every FetchError kind); the registry says what the code does
CORRECTED = {"crawl.robots_disallowed": "error"}


def test_the_registry_keeps_todays_severities() -> None:
    assert set(issues.registry()) == set(DOCUMENTED)
    assert {i: issues.severity(i) for i in DOCUMENTED} == {**DOCUMENTED, **CORRECTED}


def _raised() -> set[str]:
    """Every id the source raises: literals, FetchError kinds (crawl.<kind>), profile.<field>_missing."""
    used: set[str] = set()
    for path in [p for folder in ("extractors", "yujuesuan", "flows") for p in (REPO / folder).rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(rf"\"((?:{'|'.join(PREFIXES)})\.[a-z_]+)\"", text))
        used |= {f"crawl.{k}" for k in re.findall(r"FetchError\(\s*\"([a-z_]+)\"", text)}
        used |= {f"crawl.{k}" for k in re.findall(r"else \"([a-z_]+)\", url", text)}  # FetchError(a if … else b, …)
        used |= {f"profile.{m}_missing" for m in re.findall(r"\(\"(kind|scope|unit_name|region|year)\", ", text)}
    return used


def test_every_id_raised_is_registered_and_every_registered_id_is_raised() -> None:
    raised, registered = _raised(), set(issues.registry())
    assert raised - registered == set(), "raised but not in extractors/specs/issues.yaml"
    assert registered - raised == set(), "in extractors/specs/issues.yaml but raised nowhere"


def test_every_id_is_listed_once_with_the_catalogues() -> None:
    from yujuesuan.checks.across_documents.catalogue import load_crossdoc
    from yujuesuan.checks.issues import all_issues
    from yujuesuan.checks.run import load_catalogue

    listed = [e.id for e in all_issues()]
    assert len(listed) == len(set(listed))
    assert set(listed) == set(issues.registry()) | {r.id for r in load_catalogue()} | {r.id for r in load_crossdoc()}
    rule = next(e for e in all_issues() if e.id == "units.scale")
    assert rule.severity == "error" and rule.source == "catalogue"


def test_an_unknown_id_is_a_one_line_key_error() -> None:
    with pytest.raises(KeyError, match="extract.nope") as err:
        issues.severity("extract.nope")
    assert "\n" not in str(err.value)
    with pytest.raises(KeyError, match="unknown issue id"):
        issues.meaning("crawl.nope")


def test_an_id_with_two_severities_lists_both_and_says_when() -> None:
    entry = issues.registry()["extract.table_unit_missing"]
    assert entry.severity == "warning" and set(entry.severities) == {"warning", "error"}
    assert entry.also["error"]
    assert issues.severity("extract.table_unit_missing", "error") == "error"
    with pytest.raises(ValueError, match="extract.no_tables.*error"):
        issues.severity("extract.no_tables", "error")


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("issues:\n  extract.x: {severity: fatal, meaning: m}\n", "extract.x.*severity.*fatal"),
        ("issues:\n  extract.x: {severity: error}\n", "extract.x.*meaning"),
        ("issues:\n  extract.x: {severity: error, meaning: m, colour: red}\n", "extract.x.*colour"),
        ("issues:\n  nodot: {severity: error, meaning: m}\n", "nodot"),
        ("issues:\n  extract.x: {severity: error, meaning: m, also: {error: again}}\n", "extract.x.*also"),
        ("nothing: here\n", "issues"),
    ],
)
def test_registry_errors_are_one_line_and_name_the_id(text: str, match: str) -> None:
    with pytest.raises(IssueRegistryError, match=match) as err:
        parse_registry(text, "issues.yaml")
    assert "\n" not in str(err.value) and str(err.value).startswith("issues.yaml: ")


def test_extraction_issues_take_their_severity_from_the_registry() -> None:
    from extractors.extraction import Extraction
    from extractors.records import Document

    ex = Extraction(Document("d", "f.pdf", "pdf"))
    ex.issue("extract.no_tables", "no table")
    ex.issue("extract.table_unit_missing", "no unit at all", severity="error", table_code="01")
    assert [(i.check_id, i.severity, i.table_code) for i in ex.issues] == [
        ("extract.no_tables", "warning", None),
        ("extract.table_unit_missing", "error", "01"),
    ]
    with pytest.raises(ValueError, match="extract.no_tables"):
        ex.issue("extract.no_tables", "m", severity="error")
    with pytest.raises(KeyError, match="unknown issue id"):
        ex.issue("extract.nope", "m")


RAISERS = {"issue", "problem", "QualityIssue", "failed_extraction", "warn"}


def _calls() -> list[tuple[str, ast.Call]]:
    out = []
    for path in [p for folder in ("extractors", "yujuesuan") for p in (REPO / folder).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in RAISERS:
                    out.append((f"{path.relative_to(REPO)}:{node.lineno}", node))
    return out


def test_no_issue_is_raised_with_a_severity_written_inline() -> None:
    """Severities come from the registry; an explicit one only for an id the registry gives two."""
    inline = []
    for where, call in _calls():
        consts = [a for a in call.args if isinstance(a, ast.Constant | ast.IfExp)]
        if any(_severity_literal(a) for a in consts):
            inline.append(where)
        for kw in call.keywords:
            if kw.arg == "severity" and _severity_literal(kw.value):
                ids = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if not ids or not issues.registry()[ids[0]].also:
                    inline.append(where)
    assert inline == []


def _severity_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.IfExp):
        return _severity_literal(node.body) or _severity_literal(node.orelse)
    return isinstance(node, ast.Constant) and node.value in issues.SEVERITIES


def test_crawl_problems_carry_registry_severities() -> None:
    from yujuesuan.crawl.adapters.base import Visit
    from yujuesuan.crawl.download import Download
    from yujuesuan.crawl.fetch import FetchError
    from yujuesuan.crawl.run import CrawlResult, SourceHealth

    visit = Visit()
    visit.problem("crawl.host_not_allowed", "http://elsewhere/a.pdf", "link not followed")
    visit.request_failed(FetchError("host_not_allowed", "http://x/", "redirect off the source"), "http://x/", "m")
    visit.request_failed(FetchError("robots_disallowed", "http://x/", "robots"), "http://x/", "m")
    visit.problem("crawl.api_unreadable", "http://x/api", "one entry", severity="warning")
    assert [(p.check_id, p.severity) for p in visit.problems] == [
        ("crawl.host_not_allowed", "warning"),
        ("crawl.host_not_allowed", "error"),
        ("crawl.robots_disallowed", "error"),
        ("crawl.api_unreadable", "warning"),
    ]
    with pytest.raises(ValueError, match="crawl.page_encoding"):
        visit.problem("crawl.page_encoding", "http://x/", "m", severity="error")

    def row(outcome: str, kind: str) -> Download:
        return Download("r", "s", f"http://x/{kind}", None, None, "", "2025-01-01T00:00:00+00:00", outcome,
                        error_kind=kind)

    downloads = [
        row("failed", "crawl.host_not_allowed"),
        row("failed", "crawl.timeout"),
        row("failed", "crawl.http_status"),
        row("refused", "crawl.html_instead_of_document"),
        row("refused", "crawl.zip_entry_refused"),
        row("new", "crawl.content_type_mismatch"),
    ]
    rows = CrawlResult(SourceHealth("r", "s", "2025-01-01T00:00:00+00:00", 0.0), downloads, []).issue_rows()
    assert [r["severity"] for r in rows] == ["error", "error", "error", "warning", "warning", "info"]


def _source(tmp_path: Path, health: str) -> Path:
    path = tmp_path / "dead.yaml"
    path.write_text(
        'name: dead\nadapter: generic_cms\nstart_urls: ["http://127.0.0.1:9/list/index.html"]\n'
        f"limits: {{retries: 0, timeout_seconds: 2}}\nhealth: {health}\n",
        encoding="utf-8",
    )
    return path


def test_a_source_sets_its_own_health_severities(tmp_path: Path) -> None:
    from yujuesuan.crawl.rawstore import RawStore
    from yujuesuan.crawl.run import crawl_source
    from yujuesuan.crawl.sources import load_source

    source = load_source(_source(tmp_path, "{min_documents: 8, severity: {too_few_documents: error}}"))
    assert source.health.severity == {"too_few_documents": "error"}
    health = crawl_source(source, RawStore(tmp_path / "raw"), "r").health
    assert [w.split(":")[0] for w in health.warnings] == ["health.unreachable", "health.too_few_documents"]
    assert health.severities == {"health.unreachable": "warning", "health.too_few_documents": "error"}


@pytest.mark.parametrize(
    ("health", "match"),
    [
        ("{severity: {too_many: error}}", r"dead\.yaml: health\.severity: unknown health warning 'too_many'"),
        ("{severity: {stale: fatal}}", r"dead\.yaml: health\.severity\.stale: .*'error', 'warning' or 'info'"),
        ("{severity: {recovered: error}}", r"dead\.yaml: health\.severity: unknown health warning 'recovered'"),
    ],
)
def test_a_bad_health_severity_is_a_one_line_error_naming_the_file(tmp_path: Path, health: str, match: str) -> None:
    from yujuesuan.crawl.sources import SourceError, load_source

    with pytest.raises(SourceError, match=match) as err:
        load_source(_source(tmp_path, health))
    assert "\n" not in str(err.value)


def test_the_run_report_gives_each_health_warning_its_severity(tmp_path: Path) -> None:
    from yujuesuan.crawl.run import CrawlResult, SourceHealth
    from yujuesuan.runs.report import RunRecord, markdown

    health = SourceHealth("r", "s", "2025-01-01T00:00:00+00:00", 0.0)
    health.warn("health.too_few_documents", "0 document(s) found", "error")
    health.warn("health.stale", "nothing new")
    text = markdown(RunRecord("r", "2025-01-01", "wh", "raw", "report.md", crawls=[CrawlResult(health, [], [])]))
    assert "- error: s: health.too_few_documents: 0 document(s) found" in text
    assert "- warning: s: health.stale: nothing new" in text


def test_docs_sources_names_every_health_warning_a_source_may_set() -> None:
    from yujuesuan.crawl.sources import HEALTH_WARNINGS

    doc = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
    row = next(line for line in doc.splitlines() if line.startswith("| `health.severity` |"))
    assert all(f"`{name}`" in row for name in HEALTH_WARNINGS)
    assert {f"health.{n}" for n in HEALTH_WARNINGS} <= set(issues.registry())


def test_the_crawl_command_prints_each_health_warning_at_its_severity(tmp_path: Path, capsys) -> None:
    """A source that makes too_few_documents an error sees it printed as one, not as a warning."""
    from yujuesuan.cli.main import main

    sources = tmp_path / "sources"
    sources.mkdir()
    _source(sources, "{min_documents: 8, severity: {too_few_documents: error}}")
    assert main(["crawl", "--sources", str(sources), "--raw", str(tmp_path / "raw")]) == 0
    out = capsys.readouterr().out
    assert "  error: health.too_few_documents:" in out and "  warning: health.unreachable:" in out, out
