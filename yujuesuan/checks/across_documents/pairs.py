"""Which documents are compared with which: found from the documents table alone.

Unit identity is `unit_id`; a pair has an anchor (the document its findings are filed under: the 部门
report, the 决算, the later year's document, the later version) and the other document(s)."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from extractors.yamltext import load_yaml

DEFAULT_MEMBERS = Path(__file__).resolve().parents[3] / "data" / "units" / "departments.yaml"


@dataclass(frozen=True)
class Pair:
    pair: str  # department_units, final_budget, prior_year, revision
    anchor: str
    others: tuple[str, ...]
    missing: tuple[str, ...] = ()  # department_units: member units with no 单位 report that year
    declared: bool = False  # department_units: its members are listed (data/units/departments.yaml)
    order_basis: str = ""  # revision: superseded / fetched / unknown


def load_members(path: str | os.PathLike[str] | None = None) -> dict[str, list[str]]:
    """Department unit_id → the unit_ids of its 单位 reports (data/units/departments.yaml; a department
    not listed has one unit: itself)."""
    p = Path(path) if path else DEFAULT_MEMBERS
    if not p.exists():
        return {}
    try:
        raw = load_yaml(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ValueError(f"{p}: not valid YAML: {exc}") from None
    departments = raw.get("departments") or {}
    if not isinstance(departments, dict) or not all(isinstance(v, list) for v in departments.values()):
        raise ValueError(f"{p}: departments: expected department unit_id: [member unit_ids]")
    return {str(k): [str(u) for u in v] for k, v in departments.items()}


def _usable(d: dict) -> bool:
    return d.get("status") != "failed" and bool(d.get("unit_id")) and d.get("year") is not None


def _key(d: dict) -> tuple:
    return (d["unit_id"], int(d["year"]), d.get("kind"))


def find_pairs(
    documents: list[dict], members: dict[str, list[str]], fetched: dict[str, str] | None = None
) -> list[Pair]:
    """Every pair the documents form. Superseded documents (is_current false) only pair as the earlier
    version of a revision; `fetched` (sha256 → first download time) orders two current versions."""
    docs = [d for d in documents if _usable(d) and d.get("kind") in ("final", "budget")]
    current = [d for d in docs if d.get("is_current") is not False]
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for d in current:
        by_key[_key(d)].append(d)
    out: list[Pair] = []
    out += _department_units(current, by_key, members)
    for d in current:
        unit, year, kind = _key(d)
        if kind == "final":
            budgets = _prefer_scope(by_key.get((unit, year, "budget"), []), d)
            if budgets:
                out.append(Pair("final_budget", d["doc_id"], tuple(sorted(b["doc_id"] for b in budgets))))
        prior = _prefer_scope(by_key.get((unit, year - 1, kind), []), d)
        if prior:
            out.append(Pair("prior_year", d["doc_id"], tuple(sorted(p["doc_id"] for p in prior))))
    out += _revisions(docs, fetched or {})
    return out


def _prefer_scope(candidates: list[dict], d: dict) -> list[dict]:
    """The candidates of the same scope (or of none printed), else all."""
    same = [c for c in candidates if c.get("scope") in (d.get("scope"), None, "unknown")]
    return same or candidates


def _department_units(current: list[dict], by_key: dict, members: dict[str, list[str]]) -> list[Pair]:
    out = []
    for d in current:
        if d.get("scope") != "department":
            continue
        unit, year, kind = _key(d)
        listed = members.get(unit)
        wanted = listed or [unit]
        found, missing = [], []
        for member in wanted:
            reports = [u for u in by_key.get((member, year, kind), []) if u.get("scope") == "unit"]
            if reports:
                found.append(sorted(reports, key=lambda u: u["doc_id"])[0]["doc_id"])
            else:
                missing.append(member)
        if found or listed:
            out.append(Pair("department_units", d["doc_id"], tuple(found), tuple(missing), declared=bool(listed)))
    return out


def _revisions(docs: list[dict], fetched: dict[str, str]) -> list[Pair]:
    """Versions of one document: the same unit, year, kind and scope, both with table figures. The
    earlier is the superseded one (is_current false), else the one downloaded first."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for d in docs:
        if (d.get("tables_found") or 0) > 0:
            groups[(*_key(d), d.get("scope"))].append(d)
    out = []
    for versions in groups.values():
        if len(versions) < 2:
            continue

        def order(d: dict) -> tuple:
            return (d.get("is_current") is not False, fetched.get(d["doc_id"]) or "~", d["doc_id"])

        ordered = sorted(versions, key=order)
        for earlier, later in zip(ordered, ordered[1:], strict=False):
            if earlier.get("is_current") is False:
                basis = "superseded"
            elif fetched.get(earlier["doc_id"]) and fetched.get(later["doc_id"]):
                basis = "fetched"
            else:
                basis = "unknown"
            out.append(Pair("revision", later["doc_id"], (earlier["doc_id"],), order_basis=basis))
    return out
