"""Disclosure templates: the files offices fill in, with XX / x,xxx where names and figures go."""

from __future__ import annotations

import re
from collections.abc import Iterable

# a whole cell that stands for a figure: XX, XXX, XX.XX, x,xxx, x,xxx.xx
PLACEHOLDER_CELL = re.compile(r"^(?:[Xx×]{2,}(?:\.[Xx]+)?|[Xx](?:,[Xx]{3})+(?:\.[Xx]+)?)$")
# a placeholder inside text: 上海市普陀区XX局, XXX万元, x,xxx万元
PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:[Xx]{2,}|[Xx](?:,[Xx]{3})+)(?![A-Za-z])")
TEMPLATE_MIN = 3  # this many placeholders make a document a template


def is_placeholder(text: str) -> bool:
    return bool(PLACEHOLDER_CELL.match(text.strip()))


def placeholder_count(texts: Iterable[str]) -> int:
    return sum(len(PLACEHOLDER.findall(t)) for t in texts)


def template_message(count: int, what: str) -> str:
    return (
        f"The {what} is a disclosure template: {count} placeholder(s) (XX, x,xxx) stand where a real "
        f"disclosure prints the unit's name and its figures; it holds no unit's data."
    )
