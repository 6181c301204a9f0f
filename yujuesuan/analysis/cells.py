"""One value as each writer needs it: the terminal table, CSV (made inert for spreadsheets) and
XLSX (strings always typed as text). Every analyst's writer goes through these helpers, so NULLs,
lists, timestamps and formula-looking strings are handled once.

A string that a spreadsheet would run as a formula (it begins with = + - @, a tab or a carriage
return; a file named `=cmd|' -c calc'!A0.pdf`) is written to CSV with a leading apostrophe and to
XLSX as a text cell. Numbers are numbers: a negative amount is never touched, nor is a string that
is only a number (`-5.00`, which a spreadsheet reads as the number it is)."""

from __future__ import annotations

import csv
import json
import math
import os
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d[\d,]*(\.\d*)?|\.\d+)%?")
BOM = "utf-8-sig"  # UTF-8 with a byte-order mark: what Excel on Windows needs to read the Chinese


def plain(value: object) -> object:
    """A warehouse or DuckDB value as plain Python: None for every kind of missing (None, NaN, pandas NA,
    NaT), a list for arrays, `datetime` for timestamps, Python scalars for numpy's."""
    if value is None:
        return None
    if isinstance(value, str | bytes | Decimal | bool | int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else float(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    tolist = getattr(value, "tolist", None)  # numpy arrays and scalars
    if callable(tolist) and getattr(value, "ndim", 0):
        return [plain(v) for v in tolist()]
    import pandas as pd

    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if callable(tolist):
        return plain(tolist())
    return value


def text(value: object) -> str:
    """The value as a person reads it: '' for missing, exact decimals, JSON for lists, ISO timestamps."""
    v = plain(value)
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, list | dict):
        return json.dumps(v, ensure_ascii=False, default=text)
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def is_formula(value: object) -> bool:
    """Whether a spreadsheet would read this string as a formula (numbers and number-only strings are not)."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value)


def for_csv(value: object) -> str:
    """A CSV field: the text of the value, a formula-looking string prefixed with an apostrophe."""
    v = plain(value)
    if isinstance(v, str):
        return "'" + v if is_formula(v) else v
    return text(v)


def for_xlsx(value: object) -> object:
    """An XLSX cell value: numbers stay numbers (money as float 元), lists become JSON text, timestamps lose
    their zone (Excel has none; the warehouse's are UTC)."""
    v = plain(value)
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, list | dict):
        return text(v)
    if isinstance(v, datetime) and v.tzinfo is not None:
        from datetime import UTC

        return v.astimezone(UTC).replace(tzinfo=None)
    return v


def append_xlsx(ws, values: Iterable[object]) -> None:  # noqa: ANN001 (an openpyxl worksheet)
    """Append one row; every string is a text cell, never a formula."""
    ws.append([for_xlsx(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def write_csv(
    path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[object]], bom: bool = False
) -> Path:
    """A CSV file (UTF-8; with a BOM for Excel if asked), every field through `for_csv`."""
    path = Path(path)
    with path.open("w", encoding=BOM if bom else "utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([for_csv(h) for h in header])
        for row in rows:
            w.writerow([for_csv(v) for v in row])
    return path


def write_xlsx(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[object]]) -> Path:
    """A one-sheet workbook, every cell through `append_xlsx`."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    append_xlsx(ws, header)
    for row in rows:
        append_xlsx(ws, row)
    path = Path(path)
    wb.save(path)
    return path


def frame_rows(df) -> tuple[list[str], list[list[object]]]:  # noqa: ANN001 (a pandas DataFrame)
    """A DataFrame's header and rows as plain values."""
    return [str(c) for c in df.columns], [[plain(v) for v in row] for row in df.itertuples(index=False)]
