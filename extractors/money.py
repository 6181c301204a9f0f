"""Printed amounts → exact decimals in 元."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext

from extractors.text import compact

UNIT_FACTOR: dict[str, Decimal] = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}

# 1,234.56  -1,234.56  1234  0.00  (1,234.56)  12.5%  – and the dash that means zero
AMOUNT = re.compile(r"^[-−]?\(?\d{1,3}(?:,\d{3})+(?:\.\d+)?\)?$|^[-−]?\(?\d+(?:\.\d+)?\)?$")
ZERO_DASH = {"-", "—", "–", "－", "--", "——"}
CENT = Decimal("0.01")
# far above any budget (the whole national budget is ~4×10^13 元) and inside the warehouse's
# decimal(20, 2); a figure beyond it is a misprint or an attack, an issue on its cell
MAX_YUAN = Decimal(10) ** 15
MAX_RATE = Decimal(10) ** 9  # a percentage, score or rate beyond this is not one
RATE_PLACES = Decimal("0.0001")  # the warehouse keeps rates to 4 places
RATE_EXPONENT = -4  # RATE_PLACES' exponent
PRECISION = 80  # digits of the arithmetic below: no printed figure is rounded or overflows


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
    """Convert an amount printed in `currency_unit` to 元, exact to the cent (never raises:
    check the result with `yuan_in_range`)."""
    with localcontext() as ctx:
        ctx.prec = max(PRECISION, len(value.as_tuple().digits) + 12)
        return (value * UNIT_FACTOR[currency_unit]).quantize(CENT)


def yuan_in_range(value: Decimal) -> bool:
    return abs(value) <= MAX_YUAN


def to_decimal(text: str) -> Decimal | None:
    """A run of digits (and commas) matched by a pattern as a Decimal; None if it is none."""
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def to_rate(text: str) -> Decimal | None:
    """A printed percentage, score or rate; None when it is not a number or absurd."""
    value = to_decimal(text)
    if value is None or abs(value) > MAX_RATE:
        return None
    exponent = value.as_tuple().exponent  # an int: to_decimal gives finite values only
    if isinstance(exponent, int) and exponent < RATE_EXPONENT:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            value = value.quantize(RATE_PLACES)
    return value


UNIT_LABEL = re.compile(r"(?:金额)?单位\s*[:：]?\s*(万元|亿元|元)")


def find_unit_label(text: str) -> str | None:
    """The currency unit named by a 单位：万元 label in `text`, if any."""
    m = UNIT_LABEL.search(compact(text))
    return m.group(1) if m else None
