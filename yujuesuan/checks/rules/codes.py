"""Catalogue rules: codes and names against a reference code list."""

from __future__ import annotations

from yujuesuan.checks.reference import name_key, reference_codes
from yujuesuan.checks.rules.base import (
    DocData,
    Finding,
)


def _coded_rows(doc: DocData) -> dict[tuple[str, str], dict]:
    rows: dict[tuple[str, str], dict] = {}
    for i in doc.items:
        if i["code"]:
            rows.setdefault((i["table_code"], i["code"]), i)
    return rows


def code_known(doc: DocData, cfg: dict) -> list[Finding]:
    codes = reference_codes()
    if codes is None:
        return [Finding("info", "Could not run: no reference code list configured (--reference DIR).")]
    out = []
    for (table, code), i in sorted(_coded_rows(doc).items()):
        if code not in codes:
            out.append(
                Finding(
                    cfg["severity"],
                    f"Table {table}: code {code} ({i['row_label']}) is not in the reference list.",
                    table_code=table,
                    locator=f"code {code}",
                    actual=code,
                    rows=[i],
                )
            )
    return out


def code_name(doc: DocData, cfg: dict) -> list[Finding]:
    codes = reference_codes()
    if codes is None:
        return []  # code_known reports that the rules could not run
    out = []
    for (table, code), i in sorted(_coded_rows(doc).items()):
        if code in codes and name_key(i["row_label"]) != name_key(codes[code]):
            out.append(
                Finding(
                    cfg["severity"],
                    f"Table {table}: code {code} is printed as {i['row_label']}, the reference calls it {codes[code]}.",
                    table_code=table,
                    locator=f"code {code}",
                    expected=codes[code],
                    actual=i["row_label"],
                    rows=[i],
                )
            )
    return out
