"""Build the project's code catalogue (yujuesuan/codes/catalogue.csv) from the shared reference lists.

    python scripts/build_codes.py [--reference ../shared/reference] [--out FILE]

Inputs: data/codes/supplement.csv (the project's own additions) and the reference lists
`function_codes.csv`, `economic_codes.csv`, `revenue_codes.csv` (code,name,level,parent_code,years,source:
pairs printed in a named source) and
`catalogue/corpus_code_observations.csv` (every code-name pair printed in the real corpus, with the
years it appears in). Output: one row per code and name, with the years it was seen, the years it is
taken to be valid and the name it replaced. A name that is an abbreviation of another name of the same
code seen in the same years (基本养老保险 for 机关事业单位基本养老保险缴费支出) is kept as such, never as
a rename. Years are the budget/决算 years of the documents that print a name, not the years the MOF
introduced it: where a name was last seen in 2019 and its successor first in 2023, the successor is
taken as valid from 2020 (the rename happened in between; the earlier name stays acceptable as a known
earlier name). Re-run after the shared lists change and commit the result (the project needs no ../shared).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from yujuesuan.codes import COLUMNS, is_abbreviation, name_key, system_of  # noqa: E402

LISTS = ("function_codes.csv", "economic_codes.csv", "revenue_codes.csv")
SUPPLEMENT = REPO / "data" / "codes" / "supplement.csv"  # the project's own additions (data/codes/README.md)
OBSERVATIONS = Path("catalogue") / "corpus_code_observations.csv"
LEVELS = {3: "类", 5: "款", 7: "项"}


def _years(text: str) -> set[int]:
    return {int(y) for y in (text or "").split(";") if y.strip().isdigit()}


def gather(reference: Path) -> dict[str, dict[str, dict]]:
    """{code: {name: {years, sources, parent_code}}} from every input."""
    codes: dict[str, dict[str, dict]] = defaultdict(dict)

    def add(code: str, name: str, years: set[int], sources: set[str], parent: str) -> None:
        code, name = code.strip(), name.strip().replace("(", "（").replace(")", "）")
        if not code.isdigit() or not name:
            return
        entry = codes[code].setdefault(name, {"years": set(), "sources": set(), "parent": parent.strip()})
        entry["years"] |= years
        entry["sources"] |= sources

    for path in [*(reference / file for file in LISTS), SUPPLEMENT]:
        if not path.exists():
            continue
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                sources = {s if ":" in s else f"ref:{s}" for s in (row.get("source") or "").split(";") if s}
                add(row["code"], row["name"], _years(row.get("years", "")), sources, row.get("parent_code") or "")
    path = reference / OBSERVATIONS
    if path.exists():
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                docs = {f"corpus:{d}" for d in (row.get("docs") or "").split(";") if d}
                add(row["code"], row["name"], _years(row.get("years_observed", "")), docs, row.get("parent_code") or "")
    return codes


def shortens(names: dict[str, dict], short: str, full: str) -> bool:
    """An abbreviation printed in the same years as the longer name (not a rename)."""
    return short != full and is_abbreviation(short, full) and bool(names[short]["years"] & names[full]["years"])


def rows_of(codes: dict[str, dict[str, dict]]) -> list[dict]:
    out: list[dict] = []
    for code in sorted(codes):
        names = codes[code]
        full = [n for n in names if not any(shortens(names, n, o) for o in names)]
        ordered = sorted(full, key=lambda n: (min(names[n]["years"], default=9999), n))
        previous: str | None = None
        for n, name in enumerate(ordered):
            years = names[name]["years"]
            later = ordered[n + 1] if n + 1 < len(ordered) else None
            valid_from = max(names[previous]["years"], default=None) if previous else None
            out.append(
                {
                    "code": code,
                    "name": name,
                    "system": system_of(code),
                    "level": LEVELS.get(len(code), ""),
                    "parent_code": names[name]["parent"] or (code[:-2] if len(code) > 3 else ""),
                    "first_seen": min(years, default=""),
                    "last_seen": max(years, default=""),
                    "valid_from": valid_from + 1 if valid_from else "",
                    "valid_to": max(years, default="") if later else "",
                    "renamed_from": previous or "",
                    "abbreviates": "",
                    "sources": ";".join(sorted(names[name]["sources"])),
                }
            )
            previous = name
        for name in sorted(set(names) - set(full)):
            longer = next(o for o in ordered if shortens(names, name, o))
            years = names[name]["years"]
            out.append(
                {
                    "code": code,
                    "name": name,
                    "system": system_of(code),
                    "level": LEVELS.get(len(code), ""),
                    "parent_code": names[name]["parent"] or (code[:-2] if len(code) > 3 else ""),
                    "first_seen": min(years, default=""),
                    "last_seen": max(years, default=""),
                    "valid_from": "",
                    "valid_to": "",
                    "renamed_from": "",
                    "abbreviates": longer,
                    "sources": ";".join(sorted(names[name]["sources"])),
                }
            )
    assert all(name_key(r["name"]) for r in out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", default=str(REPO.parent / "shared" / "reference"))
    parser.add_argument("--out", default=str(REPO / "yujuesuan" / "codes" / "catalogue.csv"))
    args = parser.parse_args(argv)
    reference = Path(args.reference)
    if not reference.is_dir():
        print(f"build_codes: no reference folder at {reference}", file=sys.stderr)
        return 2
    rows = rows_of(gather(reference))
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} names of {len({r['code'] for r in rows})} codes → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
