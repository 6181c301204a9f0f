"""Declarative table specs (specs/tables.yaml) and title matching."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from extractors.text import compact
from extractors.yamltext import load_yaml

VALID_KINDS = {"final", "budget"}
VALID_CODE_SYSTEMS = {None, "function", "economic", "revenue"}
VALID_SECTIONS = {"income", "expenditure"}
VALID_READERS = {None, "projects", "overall"}  # the hooks of extractors/projects.py
VALID_UNITS = {None, "元", "万元", "亿元"}


class SpecError(ValueError):
    """A table spec file is malformed; the message names the entry and field."""


@dataclass(frozen=True)
class TableSpec:
    family: str
    number: str
    kinds: tuple[str, ...]
    titles: tuple[str, ...]
    code_system: str | None
    sections: dict[str, str] = field(default_factory=dict)
    required: bool = True
    reader: str | None = None  # a family read by a hook, not the line-item reader ("" number)
    default_unit: str | None = None  # the unit of a table that prints none, where the family has one
    group_subtotals: int | None = None  # label cells of an item (left out of its group's name), see tables.yaml

    @property
    def title_keys(self) -> tuple[str, ...]:
        return tuple(title_key(t) for t in self.titles)


_QUOTES = re.compile(r"[“”\"'‘’「」『』《》()（）\[\]【】、，,·:：\s]")
_ORDINAL = re.compile(r"^(?:公开\d+表|表[一二三四五六七八九十\d]+|附表\d*|[一二三四五六七八九十]+[、.．]|\d+[、.．])+")
_NUMBER_SUFFIX = re.compile(r"(?:公开\d+表|表\d+)$")
_YEAR = re.compile(r"^.*?(?:19|20)\d{2}年度?")
_SCOPE_PREFIX = re.compile(r"^(?:区级|市级|省级)?(?:部门|预算单位|单位)")


@lru_cache(maxsize=1 << 14)  # every line of every page is tried as a title
def title_key(text: str) -> str:
    """A title reduced to what identifies the table (see specs/tables.yaml)."""
    t = compact(text)
    t = _ORDINAL.sub("", t)
    t = _YEAR.sub("", t)
    t = _QUOTES.sub("", t)
    t = _ORDINAL.sub("", t)
    t = _NUMBER_SUFFIX.sub("", t)
    t = _SCOPE_PREFIX.sub("", t)
    return t


def _validate(entry: dict, index: int) -> TableSpec:
    where = f"tables.yaml entry {index} ({entry.get('family', '?')})"
    reader = entry.get("reader")
    for key in ("family", "kinds", "titles") if reader else ("family", "number", "kinds", "titles"):
        if key not in entry:
            raise SpecError(f"{where}: missing field '{key}'")
    unknown = set(entry) - {
        "family", "number", "kinds", "titles", "code_system", "sections", "required", "reader", "default_unit",
        "group_subtotals",
    }
    if unknown:
        raise SpecError(f"{where}: unknown field(s) {sorted(unknown)}")
    kinds = tuple(entry["kinds"])
    if not kinds or set(kinds) - VALID_KINDS:
        raise SpecError(f"{where}: field 'kinds' must be a subset of {sorted(VALID_KINDS)}")
    if entry.get("code_system") not in VALID_CODE_SYSTEMS:
        raise SpecError(f"{where}: field 'code_system' must be one of function/economic/revenue/null")
    sections = dict(entry.get("sections") or {})
    if set(sections.values()) - VALID_SECTIONS:
        raise SpecError(f"{where}: field 'sections' maps to income/expenditure only")
    if reader not in VALID_READERS:
        raise SpecError(f"{where}: field 'reader' must be one of {sorted(r for r in VALID_READERS if r)}")
    if entry.get("default_unit") not in VALID_UNITS:
        raise SpecError(f"{where}: field 'default_unit' must be one of {sorted(u for u in VALID_UNITS if u)}")
    group = entry.get("group_subtotals")
    if group is not None and (isinstance(group, bool) or not isinstance(group, int) or group < 1):
        raise SpecError(f"{where}: field 'group_subtotals' must be a positive number of label cells")
    if "number" in entry and not re.fullmatch(r"\d{2}", str(entry["number"])):
        raise SpecError(f"{where}: field 'number' must be two digits")
    return TableSpec(
        family=entry["family"],
        number=str(entry.get("number", "")),
        kinds=kinds,
        titles=tuple(entry["titles"]),
        code_system=entry.get("code_system"),
        sections=sections,
        required=bool(entry.get("required", True)),
        reader=reader,
        default_unit=entry.get("default_unit"),
        group_subtotals=group,
    )


def parse_specs(text: str) -> list[TableSpec]:
    data = load_yaml(text)
    if not isinstance(data, dict) or not isinstance(data.get("tables"), list):
        raise SpecError("tables.yaml: top level must be a mapping with a 'tables' list")
    return [_validate(e, i) for i, e in enumerate(data["tables"])]


@cache
def load_specs() -> tuple[TableSpec, ...]:
    text = resources.files("extractors").joinpath("specs/tables.yaml").read_text(encoding="utf-8")
    return tuple(parse_specs(text))


@cache
def _title_index() -> dict[str, list[TableSpec]]:
    index: dict[str, list[TableSpec]] = {}
    for spec in load_specs():
        for key in spec.title_keys:
            index.setdefault(key, []).append(spec)
    return index


def match_title(text: str, kind: str | None = None) -> TableSpec | None:
    """The spec whose title aliases match `text` exactly (after normalisation), if any.

    When the document kind is known, specs of that kind win over others.
    """
    key = title_key(text)
    if len(key) < 4:
        return None
    hits = _title_index().get(key, [])
    if not hits:
        return None
    if kind in VALID_KINDS:
        for s in hits:
            if kind in s.kinds:
                return s
    return hits[0]


def specs_for_kind(kind: str) -> list[TableSpec]:
    return [s for s in load_specs() if kind in s.kinds]
