"""Arrow schemas of the published tables (the contract: ../shared/CONTRACT.md, honoured and extended here)."""

from __future__ import annotations

import json

import pyarrow as pa

MONEY = pa.decimal128(20, 2)
TIMESTAMP = pa.timestamp("us", tz="UTC")

DOCUMENTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source_url", pa.string()),
        ("file_name", pa.string()),
        ("format", pa.string()),
        ("kind", pa.string()),
        ("scope", pa.string()),
        ("region", pa.string()),
        ("unit_name", pa.string()),
        ("unit_id", pa.string()),
        ("year", pa.int32()),
        ("currency_unit", pa.string()),
        ("pages", pa.int32()),
        ("status", pa.string()),
        ("is_current", pa.bool_()),
        ("contract_version", pa.string()),
        # additions
        ("layout_family", pa.string()),
        ("tables_found", pa.int32()),
        ("extracted_by", pa.string()),
        ("toc", pa.list_(pa.string())),
        ("extractor_version", pa.string()),  # code + specs digest the rows were extracted with
        ("checked_with", pa.string()),  # catalogue digest the checks last ran with (null: not yet)
        ("referrer", pa.string()),  # the page that linked the download
        ("referrer_title", pa.string()),
        ("source_id", pa.string()),
        ("seen_as", pa.list_(pa.string())),  # every URL and local file these bytes were found as
        ("file_name_raw", pa.string()),  # the file name's bytes, escaped, when they are not UTF-8
    ]
)

LINE_ITEMS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("unit_id", pa.string()),
        ("year", pa.int32()),
        ("kind", pa.string()),
        ("table_code", pa.string()),
        ("table_title", pa.string()),
        ("table_family", pa.string()),
        ("section", pa.string()),
        ("row_label", pa.string()),
        ("code", pa.string()),
        ("code_system", pa.string()),
        ("code_level", pa.int8()),
        ("line_no", pa.int32()),
        ("column", pa.string()),
        ("value", MONEY),
        ("printed", pa.string()),
        ("page", pa.int32()),
        ("x0", pa.float64()),
        ("top", pa.float64()),
        ("x1", pa.float64()),
        ("bottom", pa.float64()),
        # additions
        ("row_index", pa.int32()),
        ("panel", pa.int8()),
        ("currency_unit", pa.string()),
        ("engine", pa.string()),
        ("ocr_confidence", pa.float64()),  # null where the figure came from a text layer
        ("ocr_repaired", pa.bool_()),  # OCR: a character was put right after the recogniser; null: text layer
        ("sheet", pa.string()),
        ("cell_ref", pa.string()),
    ]
)

TABLES = pa.schema(
    [
        ("doc_id", pa.string()),
        ("table_code", pa.string()),
        ("table_title", pa.string()),
        ("table_family", pa.string()),
        ("printed_number", pa.string()),
        ("pages", pa.list_(pa.int32())),
        ("currency_unit", pa.string()),
        ("engine", pa.string()),
        ("empty", pa.bool_()),
        ("empty_note", pa.string()),
        ("code_layout", pa.string()),
        ("columns", pa.list_(pa.string())),
        ("blank_rows", pa.list_(pa.string())),  # labels of rows printed without any figure
        ("line_items", pa.int32()),
    ]
)

QUALITY_ISSUES = pa.schema(
    [
        ("doc_id", pa.string()),
        ("check_id", pa.string()),
        ("severity", pa.string()),
        ("table_code", pa.string()),
        ("locator", pa.string()),
        ("message", pa.string()),
        ("expected", pa.string()),
        ("actual", pa.string()),
    ]
)

FACTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("unit_id", pa.string()),
        ("year", pa.int32()),
        ("metric", pa.string()),
        ("value", pa.decimal128(20, 4)),
        ("value_unit", pa.string()),
        ("qualifier", pa.string()),
        ("sentence", pa.string()),
        ("page", pa.int32()),
    ]
)

VARIANCES = pa.schema(
    [
        ("doc_id", pa.string()),
        ("unit_id", pa.string()),
        ("year", pa.int32()),
        ("code", pa.string()),
        ("row_label", pa.string()),
        ("initial_budget", MONEY),
        ("final", MONEY),
        ("completion_rate", pa.decimal128(20, 4)),
        # additions
        ("adjusted_budget", MONEY),
        ("completion_basis", pa.string()),
        ("reason", pa.string()),
        ("page", pa.int32()),
    ]
)

PROJECTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("unit_id", pa.string()),
        ("year", pa.int32()),
        ("project_name", pa.string()),
        ("budget", MONEY),
        ("executed", MONEY),
        ("execution_rate", pa.decimal128(20, 4)),
        ("score", pa.decimal128(20, 4)),
        ("grade", pa.string()),
        ("page", pa.int32()),
    ]
)

# run tables: one file per nightly run (WAREHOUSE/<table>/<run_id>.parquet), the crawl's record
DOWNLOADS = pa.schema(
    [
        ("run_id", pa.string()),
        ("source_id", pa.string()),
        ("url", pa.string()),
        ("referrer", pa.string()),
        ("referrer_title", pa.string()),
        ("link_text", pa.string()),
        ("fetched_at", TIMESTAMP),
        ("outcome", pa.string()),
        ("http_status", pa.int32()),
        ("etag", pa.string()),
        ("last_modified", TIMESTAMP),  # the server's Last-Modified header, parsed
        ("content_type", pa.string()),
        ("size", pa.int64()),
        ("sha256", pa.string()),
        ("text_sha256", pa.string()),
        ("file_name", pa.string()),
        ("format", pa.string()),
        ("attempts", pa.int32()),
        ("error_kind", pa.string()),
        ("error", pa.string()),
        ("parent_url", pa.string()),
        ("previous_sha256", pa.string()),
    ]
)

CRAWL_ISSUES = pa.schema(
    [
        ("run_id", pa.string()),
        ("source_id", pa.string()),
        ("check_id", pa.string()),
        ("severity", pa.string()),
        ("url", pa.string()),
        ("referrer", pa.string()),
        ("message", pa.string()),
    ]
)

SOURCE_HEALTH = pa.schema(
    [
        ("run_id", pa.string()),
        ("source_id", pa.string()),
        ("started_at", TIMESTAMP),
        ("seconds", pa.float64()),
        ("pages_visited", pa.int32()),
        ("pages_failed", pa.int32()),
        ("requests", pa.int32()),
        ("documents_found", pa.int32()),
        ("new", pa.int32()),
        ("changed", pa.int32()),
        ("unchanged", pa.int32()),
        ("failed", pa.int32()),
        ("last_new_at", TIMESTAMP),
        ("warnings", pa.list_(pa.string())),
    ]
)

UNITS = pa.schema(
    [
        ("unit_id", pa.string()),
        ("names", pa.list_(pa.string())),  # every unit_name printed for it
        ("region", pa.string()),
        ("first_year", pa.int32()),
        ("last_year", pa.int32()),
        ("documents", pa.int32()),
        ("kinds", pa.list_(pa.string())),
        ("scopes", pa.list_(pa.string())),
    ]
)

# across documents (yujuesuan/checks/across_documents): one file per anchor document, rewritten
# when a document of its pairs changes; and the codes observed (one file, WAREHOUSE/codes/codes.parquet)
CROSS_ISSUES = pa.schema(
    [
        ("doc_id", pa.string()),  # the anchor: the 部门 report, the 决算, the later year, the later version
        ("check_id", pa.string()),
        ("severity", pa.string()),
        ("unit_id", pa.string()),
        ("year", pa.int32()),
        ("kind", pa.string()),
        ("locator", pa.string()),
        ("message", pa.string()),
        ("expected", pa.string()),
        ("actual", pa.string()),
        ("page", pa.int32()),
        ("printed", pa.string()),
        ("other_doc_ids", pa.list_(pa.string())),
        ("other_pages", pa.list_(pa.int32())),
        ("other_printed", pa.list_(pa.string())),
    ]
)

CROSS_PAIRS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("pair", pa.string()),
        ("other_doc_ids", pa.list_(pa.string())),
        ("checked_with", pa.string()),
        ("issues", pa.int32()),
        ("compared", pa.int32()),
    ]
)

REVISIONS = pa.schema(
    [
        ("doc_id", pa.string()),  # the later version
        ("previous_doc_id", pa.string()),
        ("order_basis", pa.string()),
        ("unit_id", pa.string()),
        ("year", pa.int32()),
        ("kind", pa.string()),
        ("scope", pa.string()),
        ("table_family", pa.string()),
        ("section", pa.string()),
        ("code", pa.string()),
        ("row_label", pa.string()),
        ("column", pa.string()),
        ("change", pa.string()),
        ("previous_value", MONEY),
        ("value", MONEY),
        ("previous_page", pa.int32()),
        ("page", pa.int32()),
        ("previous_printed", pa.string()),
        ("printed", pa.string()),
    ]
)

CODES = pa.schema(
    [
        ("code", pa.string()),
        ("code_system", pa.string()),
        ("level", pa.string()),
        ("names", pa.list_(pa.string())),
        ("years", pa.list_(pa.int32())),
        ("documents", pa.int32()),
        ("doc_ids", pa.list_(pa.string())),
        ("catalogue_names", pa.list_(pa.string())),
        ("status", pa.string()),
        ("conflicts", pa.list_(pa.string())),
    ]
)

RUN_SCHEMAS: dict[str, pa.Schema] = {
    "downloads": DOWNLOADS,
    "crawl_issues": CRAWL_ISSUES,
    "source_health": SOURCE_HEALTH,
    "units": UNITS,  # one file, WAREHOUSE/units/units.parquet, rewritten by `yujuesuan units`
    "cross_issues": CROSS_ISSUES,
    "cross_pairs": CROSS_PAIRS,
    "revisions": REVISIONS,
    "codes": CODES,
}

DOCUMENT_SCHEMAS: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "line_items": LINE_ITEMS,
    "tables": TABLES,
    "quality_issues": QUALITY_ISSUES,
    "facts": FACTS,
    "variances": VARIANCES,
    "projects": PROJECTS,
}

SCHEMAS: dict[str, pa.Schema] = {**DOCUMENT_SCHEMAS, **RUN_SCHEMAS}

_NULLABLE_INT = {"int8": "Int8", "int16": "Int16", "int32": "Int32", "int64": "Int64"}


def _pandas_types(schema: pa.Schema) -> pa.Schema:
    """Schema metadata telling pandas to read integer columns as its nullable integer types
    (`year` as Int32, not float64 with NaN where a year is unknown)."""
    columns = [
        {"name": f.name, "field_name": f.name, "pandas_type": str(f.type), "numpy_type": _NULLABLE_INT[str(f.type)]}
        for f in schema
        if str(f.type) in _NULLABLE_INT
    ]
    meta = {"index_columns": [], "column_indexes": [], "columns": columns, "creator": {"library": "pyarrow"}}
    return schema.with_metadata({b"pandas": json.dumps(meta).encode()})


SCHEMAS = {name: _pandas_types(schema) for name, schema in SCHEMAS.items()}
DOCUMENT_SCHEMAS = {name: SCHEMAS[name] for name in DOCUMENT_SCHEMAS}
RUN_SCHEMAS = {name: SCHEMAS[name] for name in RUN_SCHEMAS}
