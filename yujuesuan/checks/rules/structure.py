"""Structure rules: the tables and rows a document must print."""

from __future__ import annotations

import re

from extractors.spec import specs_for_kind
from yujuesuan.checks.rules.base import (
    DocData,
    Finding,
    _by_table,
    label_key,
    leaf,
)


def table_missing(doc: DocData, cfg: dict) -> list[Finding]:
    found = {t["table_family"] for t in doc.tables}
    if not any(t["line_items"] for t in doc.tables):
        return []  # a narrative-only publication: tables_elsewhere says so
    if doc.toc:
        expected = dict(doc.toc)
    else:
        kind = doc.document.get("kind")
        expected = (
            {s.family: s.number for s in specs_for_kind(kind) if s.required} if kind in ("final", "budget") else {}
        )
    out = []
    for family, number in sorted(expected.items(), key=lambda kv: kv[1]):
        if family not in found:
            source = (
                "its table of contents" if doc.toc else f"the standard set of a {doc.document.get('kind')} document"
            )
            out.append(
                Finding(
                    cfg["severity"],
                    f"Table {number} ({family}) is listed by {source} but is not in the document.",
                    table_code=number,
                    expected=family,
                    actual="absent",
                )
            )
    return out


def tables_elsewhere(doc: DocData, cfg: dict) -> list[Finding]:
    if doc.toc and not any(t["line_items"] for t in doc.tables):
        return [
            Finding(
                cfg["severity"],
                f"The contents list {len(doc.toc)} tables but the document holds none with figures: "
                "they are published as a separate file (a split publication).",
            )
        ]
    return []


def row_missing(doc: DocData, cfg: dict) -> list[Finding]:
    kind = doc.document.get("kind")
    required = cfg["params"].get(kind) or {}
    out = []
    for (code, family), items in _by_table(doc.items).items():
        if cfg.get("families") and family not in cfg["families"]:
            continue
        sides_read = any(i["section"] for i in items)  # else a side is unknown, never "the other"
        for section, pattern in required.items():
            rx = re.compile(pattern)
            if not any(i["section"] in (section, None if not sides_read else section)
                       and rx.search(label_key(i["row_label"])) for i in items):
                out.append(
                    Finding(
                        cfg["severity"],
                        f"Table {code} has no {section} row matching {pattern.strip('^$')}: it was not printed "
                        "or not read.",
                        table_code=code,
                        locator=section,
                        expected=pattern.strip("^$"),
                        actual="absent",
                    )
                )
    return out


def columns_missing(doc: DocData, cfg: dict) -> list[Finding]:
    required = cfg["params"].get(doc.document.get("kind")) or {}
    out = []
    for t in doc.tables:
        patterns = required.get(t["table_family"])
        if not patterns or not t["line_items"]:
            continue
        leaves = [leaf(c) for c in t.get("columns") or []]
        for pattern in patterns:
            if not any(re.search(pattern, lv) for lv in leaves):
                out.append(
                    Finding(
                        cfg["severity"],
                        f"Table {t['table_code']} ({t['table_family']}) has no column {pattern.strip('^$')}; "
                        f"its columns are: {', '.join(t.get('columns') or []) or 'none'}.",
                        table_code=t["table_code"],
                        locator="header",
                        expected=pattern.strip("^$"),
                        actual="; ".join(t.get("columns") or []),
                    )
                )
    return out
