"""Descriptions of the published tables and columns (columns.yaml), for exports and docs."""

from __future__ import annotations

from functools import cache
from importlib import resources

from extractors.yamltext import load_yaml


@cache
def _data() -> dict:
    return load_yaml(resources.files("yujuesuan.warehouse").joinpath("columns.yaml").read_text(encoding="utf-8"))


def table_description(table: str) -> str:
    return _data()["tables"][table]["description"]


def column_description(table: str, column: str) -> str | None:
    data = _data()
    return (data["tables"][table].get("columns") or {}).get(column) or data["common"].get(column)
