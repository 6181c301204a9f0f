"""Unit identity: one `unit_id` for one body across years and documents.

The extractors give each document the name it prints (`unit_name`) and a first id (the name
with its region prefix). Here, project data decides which names are one body
(`data/units/aliases.yaml`: rewrites, short region names, and explicit aliases for renamed
bodies), the warehouse's rows are given the resolved id, and the `units` table lists each
unit with every name seen, its region and the years covered."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from extractors.profile import unit_id_of
from extractors.yamltext import load_yaml
from yujuesuan.warehouse.store import ORDER, Warehouse

DEFAULT_ALIASES = Path(__file__).resolve().parents[2] / "data" / "units" / "aliases.yaml"


class AliasError(ValueError):
    """The alias file is malformed; the message names the file and the entry."""


@dataclass
class UnitRules:
    normalise: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    regions: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # normalised name → unit_id
    source: str | None = None

    def resolve(self, unit_name: str | None, region: str | None) -> str | None:
        """The unit_id of a printed name (with the document's region, if any)."""
        key = unit_id_of(unit_name, region)
        if key is None:
            return None
        return self._canonical(key)

    def _canonical(self, key: str) -> str:
        for short, full in self.regions.items():
            if key.startswith(short) and not key.startswith(full):
                key = full + key[len(short) :]
        for pattern, replace in self.normalise:
            key = pattern.sub(replace, key)
        return self.aliases.get(key, key)


def load_rules(path: str | os.PathLike[str] | None = None) -> UnitRules:
    """The alias file (default: the project's data/units/aliases.yaml; none: ids as extracted)."""
    p = Path(path) if path else DEFAULT_ALIASES
    if not p.exists():
        if path:
            raise AliasError(f"{p}: no such alias file")
        return UnitRules()
    try:
        raw = load_yaml(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise AliasError(f"{p}: not valid YAML: {exc}") from None
    unknown = set(raw) - {"normalise", "regions", "units"}
    if unknown:
        raise AliasError(f"{p}: unknown section(s) {', '.join(sorted(unknown))}")
    rules = UnitRules(source=str(p))
    for n, entry in enumerate(raw.get("normalise") or []):
        if not isinstance(entry, dict) or set(entry) != {"pattern", "replace"}:
            raise AliasError(f"{p}: normalise[{n}]: needs exactly pattern and replace")
        try:
            rules.normalise.append((re.compile(entry["pattern"]), str(entry["replace"])))
        except re.error as exc:
            raise AliasError(f"{p}: normalise[{n}].pattern: {exc}") from None
    regions = raw.get("regions") or {}
    if not isinstance(regions, dict):
        raise AliasError(f"{p}: regions: expected short name: full name")
    rules.regions = {str(k): str(v) for k, v in regions.items()}
    for n, entry in enumerate(raw.get("units") or []):
        if not isinstance(entry, dict) or "unit_id" not in entry or not isinstance(entry.get("names", []), list):
            raise AliasError(f"{p}: units[{n}]: needs unit_id and a list of names")
        target = str(entry["unit_id"])
        for name in [target, *entry.get("names", [])]:
            key = rules._canonical(unit_id_of(str(name), None) or "")
            if key in rules.aliases and rules.aliases[key] != target:
                raise AliasError(f"{p}: units[{n}]: {name} is already an alias of {rules.aliases[key]}")
            rules.aliases[key] = target
    return rules


def apply_units(warehouse: str | os.PathLike[str], rules: UnitRules) -> list[dict]:
    """Give every stored row its resolved unit_id; write and return the `units` table."""
    wh = Warehouse(warehouse)
    docs = []
    columns = ["doc_id", "unit_name", "region", "unit_id", "year", "kind", "scope"]
    for doc in wh.read("documents", columns).to_pylist():  # one read, not a file per document
        doc_id = doc["doc_id"]
        unit_id = rules.resolve(doc.get("unit_name"), doc.get("region"))
        if unit_id != doc.get("unit_id"):
            rows = wh.read_document(doc_id)
            for table in ORDER:
                for row in rows.get(table) or []:
                    if "unit_id" in row:
                        row["unit_id"] = unit_id
            wh.write(doc_id, rows)
            doc["unit_id"] = unit_id
        docs.append(doc)
    units = units_table(docs)
    wh.write_run_table("units", "units", units)
    return units


def units_table(docs: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for d in docs:
        if d.get("unit_id"):
            groups[d["unit_id"]].append(d)
    out = []
    for unit_id, members in sorted(groups.items()):
        years = [d["year"] for d in members if d.get("year")]
        out.append(
            {
                "unit_id": unit_id,
                "names": sorted({d["unit_name"] for d in members if d.get("unit_name")}),
                "region": next((d["region"] for d in members if d.get("region")), None),
                "first_year": min(years) if years else None,
                "last_year": max(years) if years else None,
                "documents": len(members),
                "kinds": sorted({d["kind"] for d in members if d.get("kind")}),
                "scopes": sorted({d["scope"] for d in members if d.get("scope")}),
            }
        )
    return out
