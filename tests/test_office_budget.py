"""The second producer's 部门预算: the generator's budget as a workbook and a Word file, read exactly."""

from __future__ import annotations

import pytest

from extractors.document import extract_document
from yujuesuan.samples.office import SAMPLE_OFFICES, Office, write_docx, write_xlsx

BUDGET_OFFICES = [o for o in SAMPLE_OFFICES if o.kind == "budget"] + [
    Office(kind="budget", sheet_per_table=False, title_rows=False),
    Office(kind="budget", header_rules=False, currency="元"),
]


@pytest.mark.parametrize("n", range(len(BUDGET_OFFICES)))
@pytest.mark.parametrize("write", [write_xlsx, write_docx])
def test_budget_office_files_extract_exactly(write, n: int) -> None:  # noqa: ANN001
    doc = write(300 + n, BUDGET_OFFICES[n])
    ex = extract_document(doc.data, doc.file_name)
    got = {(i.table_code, i.section, i.code or i.row_label, i.column, i.value) for i in ex.items}
    assert got == {e.key() for e in doc.generated.expected}
    assert (ex.document.kind, ex.document.year, ex.document.unit_name) == (
        "budget", doc.generated.year, doc.generated.unit_name)
    assert {i.table_family for i in ex.items} == {"summary", "income", "expenditure"}


def test_budget_files_print_budget_words() -> None:
    import io

    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(write_xlsx(1, Office(kind="budget")).data))
    assert wb.sheetnames == ["封面", "目录", "部门收支总表", "部门收入总表", "部门支出总表"]
    assert wb["封面"]["A2"].value.endswith("年部门预算")
    assert openpyxl.load_workbook(io.BytesIO(write_xlsx(1).data)).sheetnames[2] == "公开01表"
