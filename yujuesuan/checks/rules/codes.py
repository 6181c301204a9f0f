"""Catalogue rules: codes and names against the code catalogue (the shipped one, or the user's --reference)."""

from __future__ import annotations

from yujuesuan.checks.rules.base import DocData, Finding
from yujuesuan.codes import shipped


def _coded_rows(doc: DocData) -> dict[tuple[str, str], dict]:
    rows: dict[tuple[str, str], dict] = {}
    for i in doc.items:
        if i["code"]:
            rows.setdefault((i["table_code"], i["code"]), i)
    return rows


def code_known(doc: DocData, cfg: dict) -> list[Finding]:
    catalogue = doc.catalogue or shipped()
    out = []
    for (table, code), i in sorted(_coded_rows(doc).items()):
        if code not in catalogue:
            out.append(
                Finding(
                    cfg["severity"],
                    f"Table {table}: code {code} ({i['row_label']}) is not in the code catalogue "
                    f"({catalogue.source}; the list is partial: look the code up).",
                    table_code=table,
                    locator=f"code {code}",
                    actual=code,
                    rows=[i],
                )
            )
    return out


def code_name(doc: DocData, cfg: dict) -> list[Finding]:
    catalogue = doc.catalogue or shipped()
    year = doc.document.get("year")
    out = []
    for (table, code), i in sorted(_coded_rows(doc).items()):
        verdict = catalogue.check(code, i["row_label"], year)
        if verdict.outcome not in ("other_name", "later"):
            continue
        when = f" in {year}" if year else ""
        if verdict.outcome == "later":
            why = f"a name the catalogue knows from {verdict.matched.valid_from} on"  # type: ignore[union-attr]
        else:
            earlier = [e.name for e in catalogue.names(code) if e.name != verdict.expected]
            why = "which is none of its names" + (f" (earlier: {', '.join(earlier)})" if earlier else "")
        out.append(
            Finding(
                cfg["severity"],
                f"Table {table}: code {code} is printed as {i['row_label']}, {why}; the catalogue calls it "
                f"{verdict.expected}{when}.",
                table_code=table,
                locator=f"code {code}",
                expected=verdict.expected,
                actual=i["row_label"],
                rows=[i],
            )
        )
    return out
