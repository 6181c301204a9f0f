"""The check catalogue as Markdown (docs/checks.md is this text; a test keeps them equal)."""

from __future__ import annotations

from yujuesuan.checks.run import load_catalogue

EXTRACTION_CHECKS = [
    ("extract.empty_file", "error", "The file is empty; the document is failed."),
    ("extract.not_pdf", "error", "The file is not a PDF (another format, an HTML page); failed."),
    ("extract.encrypted", "error", "The PDF is encrypted; failed."),
    ("extract.unreadable", "error", "The PDF cannot be opened (corrupt, truncated); failed."),
    ("extract.no_pages", "error", "The PDF has no pages; failed."),
    ("extract.no_text_layer", "error", "Scanned images with no text layer (OCR needed); failed."),
    ("extract.page_unreadable", "error", "One page could not be parsed; its tables are missing."),
    ("extract.table_unit_missing", "warning", "A table prints no 单位; the document's unit is used (error if none)."),
    ("extract.cell_not_number", "error", "Text where a figure belongs."),
    (
        "extract.code_unreadable",
        "error",
        "Code cells that do not form a 3/5/7-digit code (a misprint such as `7 11 02`).",
    ),
    ("extract.code_zero_dropped", "warning", "A 款/项 part printed without its leading zero (`301 2`), read as 30102."),
    ("extract.row_unlabelled", "error", "Figures on a row with neither label nor code."),
    ("extract.column_unmapped", "warning", "A column holding text that is not read (e.g. 采购组织形式)."),
    ("extract.column_no_header", "warning", "A column of figures without a header."),
    ("extract.table_no_rows", "warning", "A table title was found but no figures were read (and no 本表无数据 note)."),
    ("extract.no_tables", "warning", "No standard table was recognised in the document."),
    (
        "extract.fact_unparsed",
        "warning",
        "The text names a metric and holds a figure of its kind, too far from the phrase to be read as its value.",
    ),
    ("extract.kind_from_titles", "info", "The document never says 决算/预算; its kind was read from its table titles."),
    ("profile.kind_missing", "warning", "The document does not print whether it is a 决算 or a 预算."),
    ("profile.scope_missing", "warning", "The document does not print whether it is a 部门 or a 单位 report."),
    ("profile.unit_name_missing", "warning", "The unit's name is not printed where it can be read."),
    ("profile.region_missing", "warning", "No region prefix could be read from the unit's name."),
    ("profile.year_missing", "warning", "The fiscal year is not printed where it can be read."),
]


def catalogue_markdown() -> str:
    lines = [
        "# Quality checks",
        "",
        "Generated from `yujuesuan/checks/catalogue.yaml` and the extraction's own checks by",
        "`python -m yujuesuan.checks.docs`; `tests/test_checks.py` fails when this file is stale.",
        "",
        "Tolerance `tail` is 尾差: 0.01 万元 (100 元) per addend, computed exactly on decimals. A",
        "difference within it is reported as `info`; beyond it, with the rule's severity.",
        "A blank printed cell counts as zero. Rules run after extraction (`yujuesuan extract`) and",
        "alone on a stored warehouse (`yujuesuan check`); failures never remove data.",
        "",
        "## Catalogue rules",
        "",
        "| check_id | severity | tolerance | applies to | meaning |",
        "|---|---|---|---|---|",
    ]
    for r in load_catalogue():
        scope = ", ".join([*r.kinds, *r.families]) or "all documents"
        lines.append(f"| `{r.id}` | {r.severity} | {r.tolerance} | {scope} | {r.meaning} |")
    lines += ["", "## Raised by extraction", "", "| check_id | severity | meaning |", "|---|---|---|"]
    for check_id, severity, meaning in EXTRACTION_CHECKS:
        lines.append(f"| `{check_id}` | {severity} | {meaning} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
