"""Every issue id as Markdown (docs/checks.md is this text; a test keeps them equal): the check
catalogues' rules and the issue registry's ids (extractors/specs/issues.yaml), from `all_issues`."""

from __future__ import annotations

from extractors.issues import Issue
from yujuesuan.checks.issues import all_issues


def catalogue_markdown() -> str:
    lines = [
        "# Quality checks",
        "",
        "Generated from `yujuesuan/checks/catalogue.yaml`, `yujuesuan/checks/crossdoc.yaml` and the issue",
        "registry `extractors/specs/issues.yaml` (every other id the code raises, with the severity the code",
        "looks up there) by `python -m yujuesuan.checks.docs`; `tests/test_checks.py` fails when this file is stale.",
        "",
        "Tolerance `tail` is 尾差: 0.01 万元 (100 元) per addend, computed exactly on decimals. A",
        "difference within it is reported as `info`; beyond it, with the rule's severity.",
        "A blank printed cell counts as zero; an input that was not read never does: a rule whose table",
        "is not in the document, or whose column was not read, reports `info` «Could not run: …» under",
        "its id. Words such as {total} in the rules' patterns are terms of",
        "`extractors/specs/vocabulary.yaml` (合计, 小计, 合计数, 总计 …).",
        "Rules run after extraction (`yujuesuan extract`) and",
        "alone on a stored warehouse (`yujuesuan check`); failures never remove data.",
        "",
        "## Catalogue rules",
        "",
        "| check_id | severity | tolerance | applies to | meaning |",
        "|---|---|---|---|---|",
    ]
    issues = all_issues()
    lines += [_rule_row(i) for i in issues if i.source == "catalogue"]
    lines += [
        "",
        "## Across documents",
        "",
        "Generated from `yujuesuan/checks/crossdoc.yaml`. Run after every extraction over the whole warehouse,",
        "only on the pairs a new or changed document touches (`cross_pairs` lists every pair compared);",
        "findings are rows of `cross_issues`, filed under the anchor document (the 部门 report, the 决算,",
        "the later year's, the later version) with the other documents' ids, pages and printed figures.",
        "A figure is a table cell (the measures of `yujuesuan/analysis/measures.yaml`) or a fact of the",
        "text; two documents agree when some figure of one equals some figure of the other.",
        "",
        "| check_id | severity | tolerance | applies to | meaning |",
        "|---|---|---|---|---|",
    ]
    lines += [_rule_row(i) for i in issues if i.source == "crossdoc"]
    lines += [
        "",
        "## Raised by extraction",
        "",
        "From the issue registry; an id with two severities names when it takes the second.",
        "",
        "| check_id | severity | meaning |",
        "|---|---|---|",
    ]
    lines += [_issue_row(i) for i in issues if i.source == "registry" and i.id.split(".")[0] in EXTRACTION]
    lines += [
        "",
        "## Raised while crawling",
        "",
        "In the warehouse's `crawl_issues` table (one file per run) and the run report; `health.*` in",
        "`source_health.warnings`. A failed download is recorded and retried by the next run. A request that",
        "failed (page, API call or document) is an error whatever its kind. The `health.*` severities are",
        "defaults: a source's YAML may set its own (`health.severity`, docs/sources.md).",
        "",
        "| check_id | severity | meaning |",
        "|---|---|---|",
    ]
    lines += [_issue_row(i) for i in issues if i.source == "registry" and i.id.split(".")[0] not in EXTRACTION]
    return "\n".join(lines) + "\n"


EXTRACTION = ("extract", "profile")


def _rule_row(rule: Issue) -> str:
    return f"| `{rule.id}` | {rule.severity} | {rule.tolerance} | {rule.applies_to} | {rule.meaning} |"


def _issue_row(issue: Issue) -> str:
    also = "".join(f" {severity.capitalize()} when {when}." for severity, when in issue.also.items())
    return f"| `{issue.id}` | {' / '.join(issue.severities)} | {issue.meaning}{also} |"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
