"""The code catalogue the project ships: 政府收支分类科目 codes with their names by year.

`catalogue.csv` (built by scripts/build_codes.py from the shared reference lists and the codes the
real corpus prints) holds one row per code and name: the years the name was seen, the years it is
taken to be valid (`valid_from`, `valid_to`), the name it replaced (`renamed_from`) or the longer name
it abbreviates (`abbreviates`). The list is partial: a code it lacks is a warning, never an error.

A printed name is accepted for a document's year when it is the catalogue's name for that year, a
known earlier name of the code, or an abbreviation of one of those (the characters of the printed
name, at least four, in order within the catalogue's: 基本养老保险 for 机关事业单位基本养老保险缴费支出).
A user's own list (`--reference DIR`, YUJUESUAN_REFERENCE: `*_codes.csv` with code,name) replaces the
shipped catalogue; its names are taken as valid in every year.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources

from extractors.text import compact

COLUMNS = [
    "code",
    "name",
    "system",
    "level",
    "parent_code",
    "first_seen",
    "last_seen",
    "valid_from",
    "valid_to",
    "renamed_from",
    "abbreviates",
    "sources",
]
MIN_ABBREVIATION = 4  # characters


def name_key(name: str | None) -> str:
    """A name compared without spaces, with full-width brackets and without surrounding quotes."""
    return compact(name or "").replace("(", "（").replace(")", "）").replace('"', "").strip("“”")


def is_abbreviation(short: str, full: str) -> bool:
    """Whether `short` is `full` shortened: at least four characters, all of them in order in `full`."""
    s, f = name_key(short), name_key(full)
    if s == f or len(s) < MIN_ABBREVIATION or len(s) >= len(f):
        return False
    rest = iter(f)
    return all(ch in rest for ch in s)


def system_of(code: str) -> str:
    return {"1": "revenue", "2": "function", "3": "economic", "5": "economic"}.get(code[:1], "other")


def _int(text: str | None) -> int | None:
    return int(text) if text and str(text).strip().isdigit() else None


@dataclass(frozen=True)
class CodeName:
    code: str
    name: str
    system: str = ""
    level: str = ""
    parent_code: str = ""
    first_seen: int | None = None
    last_seen: int | None = None
    valid_from: int | None = None
    valid_to: int | None = None
    renamed_from: str = ""
    abbreviates: str = ""
    sources: str = ""

    def years(self) -> str:
        if self.valid_from and self.valid_to:
            return f"{self.valid_from}–{self.valid_to}"
        if self.valid_from:
            return f"from {self.valid_from}"
        if self.valid_to:
            return f"until {self.valid_to}"
        return "every year seen"


@dataclass(frozen=True)
class Verdict:
    """How a printed name compares with the catalogue for a year."""

    outcome: str  # current, earlier, abbreviation, later, other_name, unknown_code
    expected: str | None = None  # the catalogue's name for the year
    matched: CodeName | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome in ("current", "earlier", "abbreviation")


class Catalogue:
    def __init__(self, entries: list[CodeName], source: str) -> None:
        self.source = source
        self.by_code: dict[str, list[CodeName]] = {}
        for e in entries:
            self.by_code.setdefault(e.code, []).append(e)

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __len__(self) -> int:
        return len(self.by_code)

    def names(self, code: str) -> list[CodeName]:
        """The code's full names, oldest first (abbreviations left out)."""
        return [e for e in self.by_code.get(code, []) if not e.abbreviates]

    def abbreviations(self, code: str) -> list[CodeName]:
        return [e for e in self.by_code.get(code, []) if e.abbreviates]

    def name_for(self, code: str, year: int | None) -> str | None:
        """The catalogue's name of a code in a year (the latest name valid then)."""
        names = self.names(code)
        if not names:
            return None
        valid = [e for e in names if year is None or not e.valid_from or e.valid_from <= year]
        return (valid or names)[-1].name

    def check(self, code: str, printed: str | None, year: int | None) -> Verdict:
        names = self.names(code)
        if not names:
            return Verdict("unknown_code")
        expected = self.name_for(code, year)
        key = name_key(printed)
        for e in names:
            if name_key(e.name) == key:
                if year is not None and e.valid_from and e.valid_from > year:
                    return Verdict("later", expected, e)
                return Verdict("current" if e.name == expected else "earlier", expected, e)
        for e in names:
            if (year is None or not e.valid_from or e.valid_from <= year) and is_abbreviation(key, e.name):
                return Verdict("abbreviation", expected, e)
        return Verdict("other_name", expected)


def parse(text: str, source: str) -> Catalogue:
    entries = []
    for row in csv.DictReader(io.StringIO(text)):
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if not code or not name:
            continue
        entries.append(
            CodeName(
                code=code,
                name=name,
                system=row.get("system") or system_of(code),
                level=row.get("level") or "",
                parent_code=row.get("parent_code") or "",
                first_seen=_int(row.get("first_seen")),
                last_seen=_int(row.get("last_seen")),
                valid_from=_int(row.get("valid_from")),
                valid_to=_int(row.get("valid_to")),
                renamed_from=row.get("renamed_from") or "",
                abbreviates=row.get("abbreviates") or "",
                sources=row.get("sources") or "",
            )
        )
    return Catalogue(entries, source)


@cache
def shipped() -> Catalogue:
    """The project's catalogue (yujuesuan/codes/catalogue.csv)."""
    text = resources.files("yujuesuan.codes").joinpath("catalogue.csv").read_text(encoding="utf-8")
    return parse(text, "yujuesuan/codes/catalogue.csv")


def active(reference: str | os.PathLike[str] | None = None) -> Catalogue:
    """The catalogue the checks use: the user's reference folder when one is named, else the shipped one."""
    from yujuesuan.checks.reference import reference_catalogue

    return reference_catalogue(reference) or shipped()
