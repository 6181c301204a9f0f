"""Named measures (measures.yaml): a figure found in any document, whatever its layout."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from extractors.narrative import vocabulary
from extractors.yamltext import load_yaml


class MeasureError(ValueError):
    """An unknown or malformed measure; the message says which and lists the known ones."""


class AmbiguousRow(MeasureError):
    """A `row:` measure named by a label that several classification codes carry; the message lists them."""


@dataclass(frozen=True)
class Match:
    families: tuple[str, ...]
    row: str | None = None
    column: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    code: str | None = None  # a classification code (the row's code, exactly)
    uncoded: bool = False  # only rows without a classification code (a total row)
    sole_row: bool = False  # only tables that print a single row of figures (their total, often unlabelled)


@dataclass(frozen=True)
class Measure:
    id: str
    label: str
    source: str  # line_items | facts
    matches: tuple[Match, ...] = field(default_factory=tuple)
    metric: str | None = None  # facts: the vocabulary's metric
    one_code: bool = False  # a row named by its label: refuse a label that several codes carry


MATCH_KEYS = {"families", "row", "column", "exclude", "uncoded", "sole_row"}


@cache
def catalogue() -> dict[str, Measure]:
    raw = load_yaml(resources.files("yujuesuan.analysis").joinpath("measures.yaml").read_text(encoding="utf-8"))
    out = {}
    for mid, spec in raw["measures"].items():
        matches = []
        for m in spec.get("match", []):
            for pattern in [m.get("row"), *m.get("column", []), *m.get("exclude", [])]:
                if pattern:
                    re.compile(pattern)
            unknown = set(m) - MATCH_KEYS
            if unknown:
                raise MeasureError(f"measures.yaml: {mid}: unknown key(s) {', '.join(sorted(unknown))}")
            matches.append(
                Match(
                    tuple(m["families"]),
                    m.get("row"),
                    tuple(m.get("column", [])),
                    tuple(m.get("exclude", [])),
                    uncoded=bool(m.get("uncoded", False)),
                    sole_row=bool(m.get("sole_row", False)),
                )
            )
        out[mid] = Measure(mid, spec["label"], spec["from"], tuple(matches))
    return out


def metrics() -> list[str]:
    return sorted({metric for metric, *_ in vocabulary()})


def get(name: str) -> Measure:
    """A measure by id; `fact:<metric>` for any metric of the facts vocabulary; or an ad-hoc table
    row, `row:<family>:<code or row label>[:<column regex>]` (e.g. `row:expenditure:2010301:基本支出`)."""
    if name.startswith("row:"):
        parts = name.split(":", 3)
        if len(parts) < 3 or not parts[1] or not parts[2]:
            raise MeasureError(f"{name!r}: write row:<family>:<code or row label>[:<column regex>]")
        family, row = parts[1], parts[2]
        column = (parts[3],) if len(parts) == 4 and parts[3] else ()
        try:
            for pattern in column:
                re.compile(pattern)
        except re.error as exc:
            raise MeasureError(f"{name!r}: column pattern: {exc}") from None
        if row.isdigit():
            match = Match((family,), column=column, code=row)
        else:
            match = Match((family,), row=f"^{re.escape(row)}$", column=column)
            return Measure(name, name.removeprefix("row:"), "line_items", (match,), one_code=True)
        return Measure(name, name.removeprefix("row:"), "line_items", (match,))
    if name.startswith("fact:"):
        metric = name.removeprefix("fact:")
        if metric not in metrics():
            raise MeasureError(f"unknown fact metric {metric!r}; known: {', '.join(metrics())}")
        return Measure(name, metric, "facts", metric=metric)
    known = catalogue()
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=2, cutoff=0.5)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise MeasureError(f"unknown measure {name!r}{hint} known: {', '.join(known)} (or fact:<metric>)")
    return known[name]
