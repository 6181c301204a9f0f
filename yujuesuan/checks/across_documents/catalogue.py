"""The rules across documents, declared in yujuesuan/checks/crossdoc.yaml (validated like catalogue.yaml)."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from yujuesuan.checks.run import FIELDS, SEVERITIES, TOLERANCES, CatalogueError, Rule, _expand

PREFIX = "crossdoc."
IMPLEMENTATIONS = {"department_units", "final_budget", "prior_year", "revision"}


def parse_crossdoc(text: str) -> list[Rule]:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise CatalogueError("crossdoc.yaml: top level must be a mapping with a 'rules' list")
    rules, seen = [], set()
    for n, entry in enumerate(data["rules"]):
        where = f"crossdoc.yaml rule {n} ({entry.get('id', '?')})"
        for key in ("id", "rule", "severity", "tolerance", "meaning"):
            if key not in entry:
                raise CatalogueError(f"{where}: missing field '{key}'")
        if set(entry) - FIELDS:
            raise CatalogueError(f"{where}: unknown field(s) {sorted(set(entry) - FIELDS)}")
        if entry["rule"] not in IMPLEMENTATIONS:
            raise CatalogueError(f"{where}: field 'rule' names no implementation ({entry['rule']})")
        if entry["severity"] not in SEVERITIES:
            raise CatalogueError(f"{where}: field 'severity' must be one of {sorted(SEVERITIES)}")
        if entry["tolerance"] not in TOLERANCES:
            raise CatalogueError(f"{where}: field 'tolerance' must be one of {sorted(TOLERANCES)}")
        if not entry["id"].startswith(PREFIX) or entry["id"] in seen:
            raise CatalogueError(f"{where}: field 'id' must be unique and start with {PREFIX}")
        seen.add(entry["id"])
        rules.append(
            Rule(
                id=entry["id"],
                rule=entry["rule"],
                severity=entry["severity"],
                tolerance=entry["tolerance"],
                meaning=entry["meaning"],
                families=tuple(entry.get("families") or ()),
                kinds=tuple(entry.get("kinds") or ()),
                params=_expand(dict(entry.get("params") or {})),
            )
        )
    return rules


@cache
def load_crossdoc() -> tuple[Rule, ...]:
    text = resources.files("yujuesuan.checks").joinpath("crossdoc.yaml").read_text(encoding="utf-8")
    return tuple(parse_crossdoc(text))
