"""The rules across documents, declared in yujuesuan/checks/crossdoc.yaml (validated like catalogue.yaml)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from yujuesuan.checks.run import Rule, parse_catalogue

PREFIX = "crossdoc."
IMPLEMENTATIONS = {"department_units", "final_budget", "prior_year", "revision"}


def parse_crossdoc(text: str) -> list[Rule]:
    return parse_catalogue(text, file="crossdoc.yaml", implementations=IMPLEMENTATIONS, prefixes=(PREFIX,))


@cache
def load_crossdoc() -> tuple[Rule, ...]:
    text = resources.files("yujuesuan.checks").joinpath("crossdoc.yaml").read_text(encoding="utf-8")
    return tuple(parse_crossdoc(text))
