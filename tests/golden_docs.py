"""Golden documents: one real document per layout family, its line items frozen as CSV.

Regenerate after a deliberate change with `python scripts/update_golden.py`, then read the diff.
"""

from __future__ import annotations

import csv
import io

from extractors.pdf import Extraction

# golden file name -> document under ../shared
GOLDEN = {
    "henan-final-mengzhou-2024.csv": "fixtures/mengzhou-2024-office.pdf",
    "shanghai-final-putuo-czj-2024.csv": "real/docs/01_shpt_czj_2024_js-bm__上海市普陀区财政局2024年度部门决算.pdf",
    "shanghai-budget-putuo-bgs-2025.csv": "real/docs/06_shpt_bgs_2025_ys-bm__上海市普陀区人民政府办公室25年预算.pdf",
    "jiangsu-budget-swbgt-2019-tables.csv": (
        "real/docs/35_js_swbgt_2019_ys-bm-tables__江苏省委办公厅2019年度部门预算公开表格.pdf"
    ),
}
COLUMNS = ["table_code", "table_family", "section", "code", "row_label", "column", "printed", "value", "page"]


def golden_csv(ex: Extraction) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for item in ex.items:
        w.writerow(["" if getattr(item, c) is None else str(getattr(item, c)) for c in COLUMNS])
    return out.getvalue()


# the fixture's narrative: facts, variances and projects, frozen the same way
NARRATIVE_GOLDEN = {
    "henan-final-mengzhou-2024-facts.csv": ("facts", ["metric", "qualifier", "value", "value_unit", "page"]),
    "henan-final-mengzhou-2024-variances.csv": (
        "variances",
        ["code", "row_label", "initial_budget", "final", "completion_rate", "reason", "page"],
    ),
    "henan-final-mengzhou-2024-projects.csv": (
        "projects",
        ["project_name", "budget", "executed", "execution_rate", "score", "grade", "page"],
    ),
}
NARRATIVE_DOC = "fixtures/mengzhou-2024-office.pdf"


def records_csv(records: list, columns: list[str]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(columns)
    for r in records:
        w.writerow(["" if getattr(r, c) is None else str(getattr(r, c)) for c in columns])
    return out.getvalue()
