"""Checks applied to stored rows: run the catalogue on a document, merge its issues with the
extraction's, and set the document's status (ok / partial / failed)."""

from __future__ import annotations

from yujuesuan.checks import CHECK_PREFIXES, run_checks
from yujuesuan.checks.rules import DocData
from yujuesuan.checks.run import CheckRun
from yujuesuan.codes import Catalogue


def doc_data(rows: dict[str, list[dict]], catalogue: Catalogue | None = None) -> DocData:
    document = rows["documents"][0]
    toc = dict(entry.split(":", 1) for entry in document.get("toc") or [])
    return DocData(
        document=document,
        tables=rows.get("tables") or [],
        items=rows.get("line_items") or [],
        toc=toc,
        facts=rows.get("facts") or [],
        variances=rows.get("variances") or [],
        catalogue=catalogue,
    )


def apply_checks(rows: dict[str, list[dict]], catalogue: Catalogue | None = None) -> CheckRun:
    """Run the catalogue on one document's rows, in place: its previous check issues are
    replaced, the extraction's issues kept, and its status recomputed. `catalogue` is the code
    list of the catalogue rules (a user's --reference); None: the shipped one."""
    document = rows["documents"][0]
    kept = [i for i in rows.get("quality_issues") or [] if not i["check_id"].startswith(CHECK_PREFIXES)]
    if document["status"] == "failed":
        rows["quality_issues"] = kept
        return CheckRun()
    run = run_checks(doc_data(rows, catalogue))
    rows["quality_issues"] = kept + run.issues
    document["status"] = "partial" if any(i["severity"] == "error" for i in rows["quality_issues"]) else "ok"
    return run
