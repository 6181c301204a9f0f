"""The nightly run's report: Markdown for people (and Prefect's artifact), from the run's rows."""

from __future__ import annotations

import resource
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from yujuesuan.crawl.run import CrawlResult

MAX_ISSUES = 50


@dataclass
class RunRecord:
    run_id: str
    started_at: str
    warehouse: str
    raw: str
    report: str
    timings: dict[str, float] = field(default_factory=dict)  # phase → seconds
    peak_rss_mb: dict[str, float] = field(default_factory=dict)  # phase → this process's peak RSS when it ended
    crawls: list[CrawlResult] = field(default_factory=list)
    extractions: list[dict] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)  # the check phase's documents, per status
    documents: list[dict] = field(default_factory=list)  # the warehouse's documents rows after the run
    failures: list[str] = field(default_factory=list)  # phases that raised: "phase: Error: message"
    own_processes: list[tuple[str, float, float]] = field(default_factory=list)  # (step, seconds, peak RSS MB) each
    recovered: dict[str, int] = field(default_factory=dict)  # run id → download rows an earlier run left unrecorded

    @property
    def downloaded(self) -> int:
        return sum(c.health.new + c.health.changed for c in self.crawls)

    @property
    def extracted(self) -> int:
        return sum(1 for e in self.extractions if e["extracted"])

    @property
    def checked_now(self) -> int:
        """Documents checked in this run: by their worker as they were extracted, or by the check phase."""
        return sum(1 for e in self.extractions if e.get("extracted") and e.get("checked")) + sum(self.checked.values())

    @property
    def warnings(self) -> list[str]:
        return [f"{c.health.source_id}: {w}" for c in self.crawls for w in c.health.warnings]

    @property
    def graded_warnings(self) -> list[tuple[str, str]]:
        """(severity, "source: health.id: message") of each health warning, the source's own severity if it sets one."""
        return [(c.health.severity_of(w), f"{c.health.source_id}: {w}") for c in self.crawls for w in c.health.warnings]


def _cell(value: object) -> str:
    return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")


def markdown(run: RunRecord) -> str:
    total = sum(run.timings.values())
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in run.timings.items())
    lines = [
        f"# yujuesuan nightly — run {run.run_id}",
        "",
        f"Started {run.started_at}; took {total:.1f}s ({phases}).",
        f"Downloaded {run.downloaded} new or changed document(s); extracted {run.extracted}; "
        f"checked {run.checked_now}.",
        *([f"Peak memory (RSS) of the run's process after each phase: {peaks}."] if (peaks := ", ".join(
            f"{k} {v:.0f} MB" for k, v in run.peak_rss_mb.items())) else []),
        "",
        f"- warehouse: `{run.warehouse}`",
        f"- raw store: `{run.raw}`",
        f"- this report: `{run.report}`",
        "",
        "## Sources",
        "",
        "| source | pages | pages failed | requests | found | new | changed | unchanged | failed | last new | s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for c in run.crawls:
        h = c.health
        lines.append(
            f"| {h.source_id} | {h.pages_visited} | {h.pages_failed} | {h.requests} | {h.documents_found} | {h.new} "
            f"| {h.changed} | {h.unchanged} | {h.failed} | {(h.last_new_at or '')[:10]} | {h.seconds:.1f} |"
        )
    if run.failures:
        lines += ["", "## Failures of this run", ""]
        lines += [f"- {_cell(f)}" for f in run.failures]
        lines += ["", "The phases after a failure still ran; the next run retries what this one could not do."]
    if run.recovered:
        lines += ["", "## Recovered from earlier runs", ""]
        lines += [
            f"- run {rid}: {n} download row(s) it had not recorded (stopped before it could), now in the run tables"
            for rid, n in sorted(run.recovered.items())
        ]
    lines += ["", "## Warnings", ""]
    lines += [
        f"- {c.health.severity_of(w)}: {c.health.source_id}: {w}" for c in run.crawls for w in c.health.warnings
    ] or ["None: every source yielded its declared minimum and is fresh."]
    issues = [row for c in run.crawls for row in c.issue_rows()]
    lines += ["", f"## Crawl issues ({len(issues)})", ""]
    if issues:
        lines += ["| source | check | url | message |", "|---|---|---|---|"]
        for row in issues[:MAX_ISSUES]:
            lines.append(f"| {row['source_id']} | {row['check_id']} | {_cell(row['url'])} | {_cell(row['message'])} |")
        if len(issues) > MAX_ISSUES:
            lines.append(f"\n… and {len(issues) - MAX_ISSUES} more in the warehouse's `crawl_issues` table.")
    else:
        lines.append("None.")
    docs = {d["doc_id"]: d for d in run.documents}
    lines += ["", "## Documents extracted in this run", ""]
    done = [e for e in run.extractions if e["extracted"]]
    if done:
        lines += ["| file | unit | year | kind | status | line items |", "|---|---|---|---|---|---:|"]
        for e in done:
            d = docs.get(e["doc_id"], {})
            lines.append(
                f"| {_cell(d.get('file_name'))} | {_cell(d.get('unit_name'))} | {_cell(d.get('year'))} "
                f"| {_cell(d.get('kind'))} | {e['status']} | {e['line_items']} |"
            )
    elif not run.extractions:
        lines.append("None: the raw store holds no document yet.")
    else:
        lines.append("None: every document in the raw store was already extracted by this code.")
    status = Counter(d["status"] for d in run.documents)
    current = sum(1 for d in run.documents if d.get("is_current"))
    lines += [
        "",
        "## Warehouse",
        "",
        f"{len(run.documents)} document(s) ({current} current): "
        + ", ".join(f"{n} {s}" for s, n in sorted(status.items())),
        "",
    ]
    return "\n".join(lines)


def write_report(run: RunRecord, overview: Path | None = None) -> str:
    """The run's report written to `run.report` (and the overview page named at its end); returns its text."""
    text = markdown(run)
    if overview is not None:
        text += f"\nOverview of the key figures per unit and year: `{overview.resolve()}`\n"
    path = Path(run.report)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def summary(run: RunRecord, overview: Path | None = None) -> dict:
    """What the nightly returns (and the command prints): the run's counts, problems and timings."""
    return {
        "run_id": run.run_id,
        "report": run.report,
        "overview": str(overview.resolve()) if overview is not None else None,
        "warehouse": run.warehouse,
        "downloaded": run.downloaded,
        "extracted": run.extracted,
        "checked": run.checked_now,
        "warnings": run.warnings,
        "graded_warnings": run.graded_warnings,
        "failures": run.failures,
        "timings": {k: round(v, 2) for k, v in run.timings.items()},
        "peak_rss_mb": {k: round(v) for k, v in run.peak_rss_mb.items()},
        "documents": len(run.documents),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, bytes on macOS
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024
