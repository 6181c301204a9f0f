"""The OCR safety net: an OCR value is verified only when an identity it takes part in holds exactly
and its row label and column header read as known words; every other OCR value is flagged on its
cell, saying why (a failing identity, no identity, only within 尾差, a label or header not known).
Text-layer documents are left alone."""

from __future__ import annotations

from decimal import Decimal

from yujuesuan.checks import run_checks
from yujuesuan.checks.rules import DocData

OCR_RULES = ("table.ocr_suspect", "table.ocr_unverified", "table.ocr_misread")


def _item(
    code: str | None, label: str, value: str, conf: float | None, row: int, column: str = "合计", **kw: object
) -> dict:
    return {
        "doc_id": "d",
        "table_code": "03",
        "table_family": "expenditure",
        "section": None,
        "code": code,
        "row_label": label,
        "column": column,
        "value": Decimal(value),
        "printed": value,
        "page": 1,
        "row_index": row,
        "panel": 0,
        "ocr_confidence": conf,
        "engine": "ocr" if conf is not None else "pdfplumber",
        **kw,
    }


def _doc(items: list[dict], facts: list[dict] | None = None) -> DocData:
    document = {"doc_id": "d", "kind": "final", "status": "ok"}
    tables: dict[str, dict] = {}
    for i in items:
        t = tables.setdefault(
            i["table_code"], {"table_code": i["table_code"], "table_family": i["table_family"], "columns": []}
        )
        t["columns"] = list(dict.fromkeys([*t["columns"], i["column"]]))
    for t in tables.values():
        t.update(blank_rows=[], line_items=sum(1 for i in items if i["table_code"] == t["table_code"]))
    return DocData(document=document, tables=list(tables.values()), items=items, facts=facts or [])


def _named(items: list[dict], check_id: str, facts: list[dict] | None = None) -> list[str]:
    run = run_checks(_doc(items, facts))
    return [r["code"] or r["row_label"] for rule, f in run.findings if rule.id == check_id for r in f.rows]


def _flagged(items: list[dict], facts: list[dict] | None = None) -> dict[str, list[str]]:
    run = run_checks(_doc(items, facts))
    out: dict[str, list[str]] = {}
    for rule, f in run.findings:
        if rule.id in OCR_RULES:
            for r in f.rows:
                out.setdefault(rule.id, []).append(f"{r['code'] or r['row_label']}/{r['column']}")
    return {k: sorted(v) for k, v in out.items()}


def _tree(value_20103: str = "600", value_2010302: str = "300", conf: float = 1.0) -> list[dict]:
    """201 = 20103 = 2010301 + 2010302 in the 合计 column; 合计 = 基本支出 + 项目支出 in each row."""
    rows = [
        ("201", "一般公共服务支出", "900", "700", "200"),
        ("20103", "政府办公厅（室）及相关机构事务", value_20103, "700", "200"),
        ("2010301", "行政运行", "600", "500", "100"),
        ("2010302", "一般行政管理事务", value_2010302, "200", "100"),
    ]
    items = []
    for n, (code, label, total, basic, project) in enumerate(rows):
        items += [
            _item(code, label, total, conf, n, "合计"),
            _item(code, label, basic, conf, n, "基本支出"),
            _item(code, label, project, conf, n, "项目支出"),
        ]
    return items


def test_right_values_verified_by_their_identities_are_not_flagged() -> None:
    assert _flagged(_tree("900")) == {}


def test_value_in_a_failing_identity_is_named_whatever_its_confidence() -> None:
    """20103 read 600 (printed 900), confidently: its row sum and its column sums fail, it takes part in
    no identity that holds. 201 and 2010301 are vouched for by their rows' sums, which hold."""
    assert _flagged(_tree("600")) == {"table.ocr_suspect": ["20103/合计"]}


def test_misread_leaf_is_named_through_its_failing_row_sum() -> None:
    """2010302's 合计 read 800 (printed 300): its row sum and the hierarchy over it fail, so it is
    named; its parts (基本支出, 项目支出) are vouched for by the hierarchy of their columns."""
    named = _flagged(_tree("900", "800"))
    assert named == {"table.ocr_suspect": ["2010302/合计"]}


def test_value_in_no_identity_is_unverified_whatever_its_confidence() -> None:
    sangong = {"table_code": "09", "table_family": "sangong"}
    items = [*_tree("900"), _item(None, "", "900", 1.0, 0, "公务接待费/决算数", **sangong)]  # no sum over it
    assert _flagged(items) == {"table.ocr_unverified": ["/公务接待费/决算数"]}


def test_identity_holding_only_within_tail_verifies_nothing() -> None:
    """尾差 excuses the printed rounding, but also a misread last digit: 2010302 read 300.5 元, so
    20103 = 2010301 + 2010302 holds only within 尾差 (201 = 20103 holds exactly and vouches for both)."""
    items = _tree("900", "300.5")
    items = [i for i in items if i["column"] == "合计"]  # no row sums: the hierarchy alone
    named = _flagged(items)
    assert named == {"table.ocr_unverified": ["2010301/合计", "2010302/合计"]}


def test_figure_printed_twice_verifies_both() -> None:
    """A 三公 figure no sum checks is vouched for by the narrative stating it; the 附注 row by nothing."""
    sangong = {"table_code": "09", "table_family": "sangong"}
    items = [
        _item(None, "", "12345", 1.0, 0, "公务接待费/决算数", **sangong),
        _item(None, "", "54321", 1.0, 0, "公务接待费/预算数", **sangong),
    ]
    fact = {"metric": "sangong_reception", "value": Decimal("12345"), "value_unit": "元", "page": 2, "sentence": "s"}
    assert _flagged(items, [fact]) == {"table.ocr_unverified": ["/公务接待费/预算数"]}


def test_misassigned_value_is_named_though_its_identities_hold() -> None:
    """Right figures under the wrong key: a code misread into one the catalogue lacks, a 收支总表
    row read on the other side, a header no standard table prints, a header cut in two."""
    items = _tree("900")
    items[3:6] = [{**i, "code": "20193"} for i in items[3:6]]  # 20103 misread
    named = _flagged(items)
    assert named == {"table.ocr_misread": ["20193/合计", "20193/基本支出", "20193/项目支出"]}

    summary = {"table_code": "01", "table_family": "summary"}
    items = [
        _item(None, "一、一般公共预算财政拨款收入", "900", 1.0, 0, "决算数", section="income", **summary),
        _item(None, "本年收入合计", "900", 1.0, 1, "决算数", section="income", **summary),
        _item(None, "一、一般公共服务支出", "900", 1.0, 0, "决算数", section="income", **summary),  # other side
        _item(None, "本年支出合计", "900", 1.0, 1, "决算数", section="expenditure", **summary),
    ]
    assert _flagged(items)["table.ocr_misread"] == ["一、一般公共服务支出/决算数"]

    items = _tree("900")
    cut = [{**i, "column": "支出合计"} for i in items if i["column"] == "合计"]  # 本年 | 支出合计
    items = [i for i in items if i["column"] != "合计"] + cut
    items.append(_item(None, "合计", "1", 1.0, 9, "本年%"))
    doc = _doc(items)
    doc.tables[0]["columns"] = ["本年%", "支出合计", "基本支出", "项目支出"]
    named = [r["column"] for rule, f in run_checks(doc).findings if rule.id == "table.ocr_misread" for r in f.rows]
    assert sorted(set(named)) == ["支出合计", "本年%"]


def test_coded_row_label_with_a_speck_is_its_codes_name() -> None:
    """The code carries the row: a label with a speck or one character misread is still its name;
    a label that is another code's name is not."""
    items = _tree("900")
    items[6:9] = [{**i, "row_label": "。行政运行-"} for i in items[6:9]]
    assert _flagged(items) == {}
    items[6:9] = [{**i, "row_label": "住房公积金"} for i in items[6:9]]
    assert _flagged(items) == {"table.ocr_misread": ["2010301/合计", "2010301/基本支出", "2010301/项目支出"]}


def test_a_figure_without_digits_read_by_ocr_is_judged_too() -> None:
    items = [*_tree("900"), {**_item(None, "合计", "0", None, 9, "col0"), "engine": "ocr", "printed": "-"}]
    assert _flagged(items) == {"table.ocr_misread": ["合计/col0"]}


def test_text_layer_values_are_never_flagged() -> None:
    items = [_item("201", "一般公共服务支出", "900", None, 0), _item("20101", "人大事务", "600", None, 1)]
    assert all(_named(items, r) == [] for r in OCR_RULES)
    assert _named(items, "table.hierarchy_sum") == ["201", "20101"]


def test_value_under_a_misread_header_or_label_is_named() -> None:
    items = [
        _item("201", "一般公共服务支出", "900", 1.0, 0),
        _item("20103", "政府办公厅（室）及相关机构事务", "900", 1.0, 1),
        *(_item(f"2010{k}", "行政运行", "0", 1.0, 6 + k) for k in range(2, 8)),  # the table's rows have codes
        _item("201", "一般公共服务支出", "900", 1.0, 0, column="col4"),  # no header read over it
        _item("201", "一般公共服务支出", "0", 1.0, 0, column="4其他收入"),  # a rule read as a 4
        _item(None, "。二、社会保障和就业支出", "5", 1.0, 2),  # a speck read as 。
        _item(None, "alvi", "5", 1.0, 3),  # Latin letters for a CJK label
        _item(None, "行政单位医疗11", "5", 1.0, 4),  # the code's digits run into the label
        _item(None, "行政运行", "7", 1.0, 5),  # a coded table's row whose code was not read
        _item(None, "合计", "900", 1.0, 6),  # a total has no code
    ]
    named = run_checks(_doc(items)).findings
    cells = {(r["row_label"], r["column"]) for rule, f in named if rule.id == "table.ocr_misread" for r in f.rows}
    assert {
        ("一般公共服务支出", "col4"), ("一般公共服务支出", "4其他收入"), ("。二、社会保障和就业支出", "合计"),
        ("alvi", "合计"), ("行政单位医疗11", "合计"), ("行政运行", "合计"),
    } <= cells
    assert ("合计", "合计") not in cells and ("一般公共服务支出", "合计") not in cells


def test_text_layer_labels_are_not_judged_by_the_ocr_rule() -> None:
    items = [_item(None, "alvi", "5", None, 0), _item("201", "一般公共服务支出", "5", None, 1, column="col4")]
    assert _named(items, "table.ocr_misread") == []


def test_headers_run_together_are_named() -> None:
    """基本支出 and 项目支出 read as one header: the values under it may stand in the wrong column."""
    items = [
        _item("201", "一般公共服务支出", "900", 1.0, 0, column="本年支出合计"),
        _item("201", "一般公共服务支出", "900", 1.0, 0, column="基本支出项目支出"),
        _item("20103", "政府办公厅（室）及相关机构事务", "900", 1.0, 1, column="本年支出合计"),
        _item("20103", "政府办公厅（室）及相关机构事务", "900", 1.0, 1, column="基本支出项目支出"),
    ]
    named = [(r["code"], r["column"]) for rule, f in run_checks(_doc(items)).findings if rule.id == "table.ocr_misread"
             for r in f.rows]
    assert sorted(named) == [("201", "基本支出项目支出"), ("20103", "基本支出项目支出")]


def test_second_total_column_is_named() -> None:
    """本年收入合计 read as 合计 on some rows: a second total column beside the one most rows print."""
    income = {"table_code": "02", "table_family": "income"}
    items = [
        _item("201", "一般公共服务支出", "900", 1.0, 0, "本年收入合计", **income),
        _item("20103", "政府办公厅（室）及相关机构事务", "900", 1.0, 1, "本年收入合计", **income),
        _item("2010301", "行政运行", "900", 1.0, 2, "合计", **income),
    ]
    run = run_checks(_doc(items))
    assert [r["code"] for rule, f in run.findings if rule.id == "table.ocr_misread" for r in f.rows] == ["2010301"]
