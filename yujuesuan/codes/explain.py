"""`yujuesuan codes [CODE]`: the catalogue's names of a code by year, and what the warehouse prints."""

from __future__ import annotations

import os
from pathlib import Path

from yujuesuan.codes import Catalogue


def explain(code: str, catalogue: Catalogue, observed: dict | None) -> list[str]:
    """Lines explaining one code: its names by year, renames, abbreviations, and where it is printed."""
    lines = []
    names = catalogue.names(code)
    if not names:
        lines.append(f"{code}: not in the code catalogue ({catalogue.source}; the list is partial).")
    else:
        first = names[0]
        lines.append(f"{code} ({first.system} {first.level}, parent {first.parent_code or '-'}), {catalogue.source}:")
        for e in names:
            seen = f"printed {e.first_seen}–{e.last_seen}" if e.first_seen else "years not known"
            renamed = f"; renamed from {e.renamed_from}" if e.renamed_from else ""
            lines.append(f"  {e.name}: valid {e.years()} ({seen}){renamed}")
        for e in catalogue.abbreviations(code):
            lines.append(f"  {e.name}: an abbreviation of {e.abbreviates} (printed {e.first_seen}–{e.last_seen})")
    if observed is None:
        lines.append("  (no warehouse: run `yujuesuan extract` to see where it is printed)")
    elif not observed:
        lines.append("  not printed in any document of the warehouse")
    else:
        years = ", ".join(map(str, observed["years"])) or "unknown"
        lines.append(
            f"  in the warehouse: {observed['documents']} document(s), years {years}, "
            f"printed as {', '.join(observed['names'])}; status {observed['status']}"
        )
        for c in observed["conflicts"]:
            lines.append(f"  name not in the catalogue: {c}")
    return lines


def observed_table(warehouse: str | os.PathLike[str]) -> dict[str, dict] | None:
    """The warehouse's codes table by code, or None when there is no warehouse (or no codes table yet)."""
    import pyarrow.parquet as pq

    from yujuesuan.warehouse.schema import SCHEMAS

    path = Path(warehouse) / "codes" / "codes.parquet"
    if not path.exists():
        return None
    return {r["code"]: r for r in pq.read_table(path, schema=SCHEMAS["codes"]).to_pylist()}
