"""Text normalisation: what the text layer prints is not always what it means.

NFKC folds full-width digits and Kangxi radicals (⼀ → 一); a few look-alike characters that
NFKC leaves alone are mapped explicitly.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# characters NFKC keeps but which stand for another character in these documents
LOOKALIKES = str.maketrans(
    {
        "決": "决",  # variant of 决 used by some fonts' text layers
        "⺠": "民",
        "⻓": "长",
        "⻔": "门",
        "⻢": "马",
        "⻋": "车",
        "⻜": "飞",
        "\u3000": " ",
        "\u00a0": " ",
    }
)

_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)  # the same labels, headers and glyphs come back on every page
def normalise(text: str) -> str:
    """NFKC plus look-alike mapping; keeps spaces."""
    return unicodedata.normalize("NFKC", text).translate(LOOKALIKES)


@lru_cache(maxsize=1 << 16)
def compact(text: str) -> str:
    """Normalised and with all whitespace removed (how labels and headers are stored)."""
    return _SPACE.sub("", normalise(text))


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


def has_cjk(text: str) -> bool:
    return any(is_cjk(c) for c in text)
