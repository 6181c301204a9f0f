"""A user's own classification-code lists (code, name) for the catalogue checks.

The project ships its own year-versioned catalogue (yujuesuan/codes); a user who names a folder of
`*_codes.csv` files (columns `code,name`, e.g. function_codes.csv, economic_codes.csv) with
`--reference DIR` or YUJUESUAN_REFERENCE replaces it. Such lists are partial, so an unknown code is
a warning, never an error.
"""

from __future__ import annotations

import csv
import os
from functools import cache
from pathlib import Path

from extractors.text import compact

ENV = "YUJUESUAN_REFERENCE"


def name_key(name: str) -> str:
    return compact(name).replace("(", "（").replace(")", "）")


@cache
def _load(folder: str) -> dict[str, str]:
    codes: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*_codes.csv")):
        with path.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("code") and row.get("name"):
                    codes.setdefault(row["code"].strip(), row["name"].strip())
    return codes


def reference_codes() -> dict[str, str] | None:
    """{code: name} from the configured folder, or None when none is configured."""
    folder = os.environ.get(ENV)
    if not folder or not Path(folder).is_dir():
        return None
    return _load(str(Path(folder).resolve()))


def reference_catalogue():  # noqa: ANN201 (a yujuesuan.codes.Catalogue; imported late: no cycle)
    """The configured folder's lists as a catalogue whose names hold in every year, or None."""
    from yujuesuan.codes import Catalogue, CodeName, system_of

    codes = reference_codes()
    if codes is None:
        return None
    folder = os.environ[ENV]
    return Catalogue([CodeName(c, n, system_of(c)) for c, n in codes.items()], folder)
