"""Printed amounts → exact decimals in 元."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from extractors.text import compact

UNIT_FACTOR: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}

# 1,234.56  -1,234.56  1234  0.00  (1,234.56)  12.5%  – and the dash that means zero
AMOUNT = re.compile(r"^[-−]?\(?\d{1,3}(?:,\d{3})+(?:\.\d+)?\)?$|^[-−]?\(?\d+(?:\.\d+)?\)?$")
ZERO_DASH = {"-", "—", "–", "－", "--", "——"}
CENT = Decimal("0.01")


def parse_amount(printed: str) -> Decimal | None:
    """The printed text of a cell as a Decimal, or None when it is not a number.

    A lone dash means zero. Parentheses or a leading minus mean a negative number.
    """
    text = compact(printed)
    if not text:
        return None
    if text in ZERO_DASH:
        return Decimal(0)
    if not AMOUNT.match(text):
        return None
    negative = text.startswith(("-", "−")) or (text.startswith("(") and text.endswith(")"))
    digits = text.strip("-−()").replace(",", "")
    try:
        value = Decimal(digits)
    except InvalidOperation:
        return None
    return -value if negative else value


def to_yuan(value: Decimal, currency_unit: str) -> Decimal:
    """Convert an amount printed in `currency_unit` to 元, exact to the cent."""
    return (value * UNIT_FACTOR[currency_unit]).quantize(CENT)


UNIT_LABEL = re.compile(r"(?:金额)?单位\s*[:：]?\s*(万元|亿元|元)")


def find_unit_label(text: str) -> str | None:
    """The currency unit named by a 单位：万元 label in `text`, if any."""
    m = UNIT_LABEL.search(compact(text))
    return m.group(1) if m else None
