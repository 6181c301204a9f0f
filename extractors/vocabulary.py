"""The engine's words (specs/vocabulary.yaml): one vocabulary read by the reader and the checks.

`pattern("total")` is the alternation of a term's forms, `expand("^{total}$")` replaces every
{term} in a regular expression by it; an unknown term is an error that names it.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from extractors.yamltext import load_yaml

_TERM = re.compile(r"\{([a-z_]+)\}")


class VocabularyError(ValueError):
    """vocabulary.yaml is malformed, or a pattern names a term it does not define."""


@cache
def terms() -> dict[str, tuple[str, ...]]:
    text = resources.files("extractors").joinpath("specs", "vocabulary.yaml").read_text(encoding="utf-8")
    data = load_yaml(text) or {}
    raw = data.get("terms")
    if not isinstance(raw, dict):
        raise VocabularyError("vocabulary.yaml: top level needs a 'terms' mapping")
    out: dict[str, tuple[str, ...]] = {}
    for name, forms in raw.items():
        if not isinstance(forms, list) or not forms or not all(isinstance(f, str) and f for f in forms):
            raise VocabularyError(f"vocabulary.yaml: term {name!r} needs a list of printed forms")
        out[name] = tuple(forms)
    return out


def forms(term: str) -> tuple[str, ...]:
    try:
        return terms()[term]
    except KeyError:
        raise VocabularyError(f"no term {term!r} in vocabulary.yaml (terms: {', '.join(sorted(terms()))})") from None


def pattern(term: str) -> str:
    """The term's forms as one regular-expression group, longest first."""
    return "(?:" + "|".join(re.escape(f) for f in sorted(forms(term), key=len, reverse=True)) + ")"


def expand(regex: str) -> str:
    """A regular expression with each {term} replaced by the term's alternation."""
    return _TERM.sub(lambda m: pattern(m.group(1)), regex)


def matcher(term: str) -> re.Pattern[str]:
    """A whole-text match of any of the term's forms."""
    return re.compile(f"^{pattern(term)}$")
