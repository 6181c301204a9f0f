"""WAREHOUSE/datapackage.json: the published tables described as a Frictionless data package."""

from __future__ import annotations

import json
import os
from typing import Any

import pyarrow as pa

from yujuesuan.warehouse.columns import column_description, table_description
from yujuesuan.warehouse.schema import SCHEMAS
from yujuesuan.warehouse.store import Warehouse


def _frictionless_type(t: pa.DataType) -> dict:
    if pa.types.is_integer(t):
        return {"type": "integer"}
    if pa.types.is_boolean(t):
        return {"type": "boolean"}
    if pa.types.is_decimal(t) or pa.types.is_floating(t):
        return {"type": "number"}
    if pa.types.is_list(t):
        return {"type": "array"}
    return {"type": "string"}


MONEY = {("line_items", "value"), ("variances", "initial_budget"), ("variances", "final")}
MONEY |= {("variances", "adjusted_budget"), ("projects", "budget"), ("projects", "executed")}


def datapackage(warehouse: str | os.PathLike[str]) -> Any:
    """WAREHOUSE/datapackage.json: each table a resource over its Parquet files, every field typed
    and described; money fields carry `unit: 元` and their exact decimal type."""
    wh = Warehouse(warehouse)
    resources = []
    for name in SCHEMAS:
        files = sorted(f"{name}/{n}" for n in wh.fs.names(name) if n.endswith(".parquet"))
        if not files:
            continue
        fields = []
        for f in SCHEMAS[name]:
            field = {"name": f.name, **_frictionless_type(f.type), "description": column_description(name, f.name)}
            if pa.types.is_decimal(f.type):
                field["arrowType"] = str(f.type)
            if (name, f.name) in MONEY:
                field["unit"] = "元"
            fields.append(field)
        resources.append(
            {
                "name": name,
                "path": files,
                "format": "parquet",
                "mediatype": "application/vnd.apache.parquet",
                "description": table_description(name),
                "schema": {"fields": fields},
            }
        )
    package = {
        "name": "yujuesuan-warehouse",
        "title": "yujuesuan 预决算 warehouse",
        "description": "Department budget and final-account disclosures as data; money in 元.",
        "profile": "data-package",
        "resources": resources,
    }
    data = json.dumps(package, ensure_ascii=False, indent=1).encode("utf-8")
    try:
        same = wh.fs.read("datapackage.json") == data
    except (FileNotFoundError, OSError):
        same = False
    if not same:  # unchanged tables: the file (and its mtime) left as it is
        wh.fs.write(data, "datapackage.json")
    return wh.fs.key("datapackage.json")
