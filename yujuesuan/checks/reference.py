"""A user's own classification-code lists (code, name) for the catalogue checks.

The project ships its own year-versioned catalogue (yujuesuan/codes); a user who names a folder of
`*_codes.csv` files (columns `code,name`, e.g. function_codes.csv, economic_codes.csv) with
`--reference DIR` (or YUJUESUAN_REFERENCE, read by the command line only) replaces it: the catalogue
is loaded here and handed to the checks explicitly (`apply_checks(rows, catalogue)`). Such lists are
partial, so an unknown code is a warning, never an error.
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


def configured(option: str | None) -> str | None:
    """The reference folder a command was given: its --reference option, else YUJUESUAN_REFERENCE."""
    return option or os.environ.get(ENV) or None


def reference_codes(folder: str | os.PathLike[str] | None) -> dict[str, str] | None:
    """{code: name} from the folder's *_codes.csv, or None when no folder is named."""
    if not folder:
        return None
    if not Path(folder).is_dir():
        raise ValueError(f"the reference folder {folder} does not exist (it should hold *_codes.csv files)")
    return _load(str(Path(folder).resolve()))


def reference_catalogue(folder: str | os.PathLike[str] | None):  # noqa: ANN201 (a yujuesuan.codes.Catalogue)
    """The folder's lists as a catalogue whose names hold in every year, or None when no folder is named."""
    from yujuesuan.codes import Catalogue, CodeName, system_of

    codes = reference_codes(folder)
    if codes is None:
        return None
    return Catalogue([CodeName(c, n, system_of(c)) for c, n in codes.items()], str(folder))
