"""Structure rules: the tables and rows a document must print."""

from __future__ import annotations

import re

from extractors.spec import specs_for_kind
from extractors.text import compact
from yujuesuan.checks.rules.base import (
    DocData,
    Finding,
    _by_table,
    label_key,
    leaf,
    not_run,
)


def table_missing(doc: DocData, cfg: dict) -> list[Finding]:
    found = {t["table_family"] for t in doc.tables}
    if not any(t["line_items"] for t in doc.tables):
        return []  # a narrative-only publication: tables_elsewhere says so
    if doc.toc:
        expected = dict(doc.toc)
    elif (pages := doc.document.get("pages")) is not None and pages <= cfg["params"]["excerpt_pages"]:
        return [not_run(f"a page excerpt ({pages} page(s)) without a contents list: "
                        "which tables its whole report holds is not known")]
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


CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
LEADING_ORDINAL = re.compile(r"^([一二三四五六七八九十]{1,3})[、.．]")


def ordinal_value(label: str | None) -> int | None:
    """The number of a label's leading Chinese ordinal (一、 → 1, 十二、 → 12), else None."""
    m = LEADING_ORDINAL.match(compact(label or ""))
    if not m:
        return None
    text = m.group(1)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CN_DIGITS.get(text[1:], 0) if len(text) == 2 else None
    if len(text) >= 2 and text[1] == "十":
        return CN_DIGITS[text[0]] * 10 + (CN_DIGITS.get(text[2:], 0) if len(text) == 3 else 0)
    return CN_DIGITS.get(text) if len(text) == 1 else None


def _numbered_rows(items: list[dict]) -> dict[object, list[tuple[int, int, str]]]:
    """Per section: (row_index, ordinal, label) of the rows numbered 一、二、…, in row order, each row once."""
    seen: dict[object, dict[int, tuple[int, int, str]]] = {}
    for i in items:
        n = ordinal_value(i["row_label"])
        if n is not None:
            key = (i["section"], i.get("panel") or 0)
            seen.setdefault(key, {})[i["row_index"]] = (i["row_index"], n, compact(i["row_label"]))
    return {k: sorted(v.values()) for k, v in seen.items()}


def ordinal_gap(doc: DocData, cfg: dict) -> list[Finding]:
    """A run of numbered rows that skips a number (五、 then 七、): the skipped row was not printed, or not
    read. Rows printed without figures (tables.blank_rows) count as present; a restart (一、 again, or a
    smaller number) begins a new run."""
    blank: dict[str, set[int]] = {}
    for t in doc.tables:
        blank[t["table_code"]] = {n for label in t.get("blank_rows") or [] if (n := ordinal_value(label))}
    out = []
    for (code, family), items in _by_table(doc.items).items():
        if cfg.get("families") and family not in cfg["families"]:
            continue
        for (section, _panel), rows in _numbered_rows(items).items():
            for (_, prev, before), (_, n, label) in zip(rows, rows[1:], strict=False):
                missing = [k for k in range(prev + 1, n) if k not in blank.get(code, set())]
                if n > prev + 1 and missing:
                    out.append(
                        Finding(
                            cfg["severity"],
                            f"Table {code}{f' ({section})' if section else ''}: the numbered rows go from {before} "
                            f"to {label}; row {'、'.join(_cn(k) for k in missing)} is missing (not printed, or not "
                            "read).",
                            table_code=code,
                            locator=f"{section or ''} {before} → {label}".strip(),
                            expected=f"{_cn(prev + 1)}、",
                            actual=label,
                            rows=[i for i in items if compact(i["row_label"]) in (before, label)
                                  and i["section"] == section][:4],
                        )
                    )
    return out


def _cn(n: int) -> str:
    digits = "一二三四五六七八九"
    if n < 10:
        return digits[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens - 1]) + "十" + (digits[ones - 1] if ones else "")
