"""Load the catalogue and run it on one document's rows."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from extractors.vocabulary import VocabularyError, expand
from extractors.yamltext import load_yaml
from yujuesuan.checks.rules import RULES, DocData, Finding

SEVERITIES = {"error", "warning", "info"}
TOLERANCES = {"tail", "exact", "none"}
FIELDS = {"id", "rule", "severity", "tolerance", "families", "kinds", "meaning", "params"}
# check ids owned by the checker (re-running `check` replaces exactly these issues)
CHECK_PREFIXES = ("structure.", "table.", "cross.", "units.", "catalogue.", "narrative.")


class CatalogueError(ValueError):
    """catalogue.yaml is malformed; the message names the rule and the field."""


@dataclass(frozen=True)
class Rule:
    id: str
    rule: str
    severity: str
    tolerance: str
    meaning: str
    families: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    params: dict = field(default_factory=dict, hash=False, compare=False)

    def applies(self, doc: DocData) -> bool:
        if self.kinds and doc.document.get("kind") not in self.kinds:
            return False
        if self.families and not any(t["table_family"] in self.families for t in doc.tables):
            return False
        return True

    def as_cfg(self) -> dict:
        return {
            "severity": self.severity,
            "tolerance": self.tolerance,
            "families": self.families,
            "kinds": self.kinds,
            "meaning": self.meaning,
            "params": self.params,
        }


def parse_catalogue(
    text: str,
    *,
    file: str = "catalogue.yaml",
    implementations: Collection[str] | None = None,
    prefixes: tuple[str, ...] = CHECK_PREFIXES,
) -> list[Rule]:
    """A catalogue of rules (catalogue.yaml, or crossdoc.yaml with its own implementations and
    prefix), validated: every error names the file, the rule and the field."""
    implementations = RULES if implementations is None else implementations
    data = load_yaml(text)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise CatalogueError(f"{file}: top level must be a mapping with a 'rules' list")
    rules, seen = [], set()
    for n, entry in enumerate(data["rules"]):
        where = f"{file} rule {n} ({entry.get('id', '?')})"
        for key in ("id", "rule", "severity", "tolerance", "meaning"):
            if key not in entry:
                raise CatalogueError(f"{where}: missing field '{key}'")
        if set(entry) - FIELDS:
            raise CatalogueError(f"{where}: unknown field(s) {sorted(set(entry) - FIELDS)}")
        if entry["rule"] not in implementations:
            raise CatalogueError(f"{where}: field 'rule' names no implementation ({entry['rule']})")
        if entry["severity"] not in SEVERITIES:
            raise CatalogueError(f"{where}: field 'severity' must be one of {sorted(SEVERITIES)}")
        if entry["tolerance"] not in TOLERANCES:
            raise CatalogueError(f"{where}: field 'tolerance' must be one of {sorted(TOLERANCES)}")
        if not entry["id"].startswith(prefixes):
            raise CatalogueError(f"{where}: field 'id' must start with one of {prefixes}")
        if entry["id"] in seen:
            raise CatalogueError(f"{where}: duplicate id")
        seen.add(entry["id"])
        try:
            params = _expand(dict(entry.get("params") or {}))
        except VocabularyError as exc:
            raise CatalogueError(f"{where}: field 'params': {exc}") from None
        rules.append(
            Rule(
                id=entry["id"],
                rule=entry["rule"],
                severity=entry["severity"],
                tolerance=entry["tolerance"],
                meaning=entry["meaning"],
                families=tuple(entry.get("families") or ()),
                kinds=tuple(entry.get("kinds") or ()),
                params=params,
            )
        )
    return rules


def _expand(value: object) -> object:
    """Every {term} of the vocabulary in the params' patterns replaced by its forms."""
    if isinstance(value, str):
        return expand(value)
    if isinstance(value, list):
        return [_expand(v) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    return value


@cache
def load_catalogue() -> tuple[Rule, ...]:
    text = resources.files("yujuesuan.checks").joinpath("catalogue.yaml").read_text(encoding="utf-8")
    return tuple(parse_catalogue(text))


@dataclass
class CheckRun:
    issues: list[dict] = field(default_factory=list)
    findings: list[tuple[Rule, Finding]] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)  # rule ids that ran on this document


def run_checks(doc: DocData, rules: tuple[Rule, ...] | None = None) -> CheckRun:
    run = CheckRun()
    doc_id = doc.document["doc_id"]
    for rule in rules or load_catalogue():
        if not rule.applies(doc):
            continue
        run.ran.append(rule.id)
        for f in RULES[rule.rule](doc, rule.as_cfg()):
            run.findings.append((rule, f))
            run.issues.append(
                {
                    "doc_id": doc_id,
                    "check_id": f.check_id or rule.id,
                    "severity": f.severity,
                    "table_code": f.table_code,
                    "locator": f.locator,
                    "message": f.message,
                    "expected": f.expected,
                    "actual": f.actual,
                }
            )
    return run
