"""The issue registry (specs/issues.yaml): every issue id raised outside the check catalogues
(extract.*, profile.*, crawl.*, health.*) with its severity and meaning. The code asks it for
severities instead of writing them inline; docs/checks.md is generated from it.

    severity("extract.no_tables")                  -> "warning"
    severity("extract.table_unit_missing", "error") -> "error" (a second severity the registry lists)
    severity("nope")                               -> KeyError: unknown issue id 'nope' …
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

import yaml

from extractors.yamltext import load_yaml

SEVERITIES = ("error", "warning", "info")
ID = re.compile(r"^[a-z]+\.[a-z_]+$")
FIELDS = {"severity", "meaning", "also"}
REGISTRY = "extractors/specs/issues.yaml"


class IssueRegistryError(ValueError):
    """specs/issues.yaml is malformed; the message names the file and the id."""


@dataclass(frozen=True)
class Issue:
    """One issue id: its severity, what it means, and any other severity it can have (severity -> when)."""

    id: str
    severity: str
    meaning: str
    also: Mapping[str, str] = field(default_factory=dict)
    source: str = "registry"  # registry | catalogue | crossdoc (see yujuesuan.checks.issues.all_issues)
    tolerance: str | None = None  # check rules only
    applies_to: str | None = None  # check rules only

    @property
    def severities(self) -> tuple[str, ...]:
        return (self.severity, *self.also)


def parse_registry(text: str, name: str = REGISTRY) -> dict[str, Issue]:
    """The registry's entries by id, in file order; a malformed entry is an IssueRegistryError."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise IssueRegistryError(f"{name}: not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict) or not isinstance(data.get("issues"), dict):
        raise IssueRegistryError(f"{name}: expected a mapping 'issues' of id -> {{severity, meaning}}")
    out: dict[str, Issue] = {}
    for check_id, entry in data["issues"].items():
        where = f"{name}: {check_id}"
        if not isinstance(check_id, str) or not ID.match(check_id):
            raise IssueRegistryError(f"{where}: an id is <prefix>.<name> in lower case")
        if not isinstance(entry, dict):
            raise IssueRegistryError(f"{where}: expected a mapping with severity and meaning")
        if unknown := set(entry) - FIELDS:
            raise IssueRegistryError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
        sev, meaning, also = entry.get("severity"), entry.get("meaning"), entry.get("also") or {}
        if sev not in SEVERITIES:
            raise IssueRegistryError(f"{where}: severity {sev!r} is none of {', '.join(SEVERITIES)}")
        if not isinstance(meaning, str) or not meaning.strip():
            raise IssueRegistryError(f"{where}: meaning is missing")
        if (
            not isinstance(also, dict)
            or any(s not in SEVERITIES or s == sev for s in also)
            or not all(isinstance(w, str) and w.strip() for w in also.values())
        ):
            raise IssueRegistryError(f"{where}: also maps another severity than {sev!r} to when it is raised")
        out[check_id] = Issue(check_id, sev, meaning.strip(), MappingProxyType(dict(also)))
    return out


@lru_cache(maxsize=1)
def registry() -> Mapping[str, Issue]:
    """The shipped registry, read once."""
    text = resources.files("extractors").joinpath("specs/issues.yaml").read_text(encoding="utf-8")
    return MappingProxyType(parse_registry(text))


def entry(check_id: str) -> Issue:
    """The registry's entry for an id; an unknown id is a KeyError with a one-line message."""
    try:
        return registry()[check_id]
    except KeyError:
        raise KeyError(f"unknown issue id {check_id!r}: not in {REGISTRY}") from None


def severity(check_id: str, explicit: str | None = None) -> str:
    """The id's severity; `explicit` picks one of the others the registry lists for it (ValueError if not)."""
    e = entry(check_id)
    if explicit is None:
        return e.severity
    if explicit not in e.severities:
        raise ValueError(f"{check_id} is {'/'.join(e.severities)} in {REGISTRY}, never {explicit!r}")
    return explicit


def meaning(check_id: str) -> str:
    return entry(check_id).meaning
