"""The project's public benchmark of Chinese budget tables: documents with ground truth in, scores out.

`yujuesuan bench DIR` extracts every document of DIR that has a ground-truth JSON beside it (the
format of ../shared/fixtures, read by tools/score.py: tables → rows → values in the document's
currency unit) and prints, per table family, cell recall and precision; fact recall where the truth
lists facts; the error-level findings on these (clean) documents; and, with --planted N, how many of
N planted errors the checks catch, per kind; and, where the truths name several, per kind of
document (部门决算, 部门预算). Without DIR it first writes the project's own generated
corpus (every layout family the generator makes, with its truth) and scores that.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from yujuesuan.samples.generator import Generated, Layout, generate

UNIT = {"元": Decimal(1), "万元": Decimal(10000)}
ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|其中[:：])+")
PANEL = {"income": "收入", "expenditure": "支出"}
SECTION = {v: k for k, v in PANEL.items()}

# the generated corpus: one document per family the generator makes (layouts offices vary)
CORPUS: list[tuple[str, Layout]] = [
    ("wan-grid", Layout()),
    ("yuan-grid-split", Layout(currency="元", split_codes=True)),
    ("wan-horizontal-rules", Layout(rules="horizontal")),
    ("yuan-no-rules-no-cents", Layout(currency="元", rules="none", decimals=False)),
    ("wan-long-tables", Layout(rows_per_page=5)),
    ("total-word-xiaoji", Layout(total_word="小计")),
    ("total-word-heji-shu", Layout(total_word="合计数", rules="horizontal")),
    ("column-numbers", Layout(column_numbers=True, split_codes=True)),
    ("sangong-horizontal", Layout(sangong=True)),
    ("sangong-column-numbers-yuan", Layout(sangong=True, column_numbers=True, currency="元")),
    ("all-variations-no-rules", Layout(total_word="合计", column_numbers=True, rules="none", currency="元")),
    ("sangong-long", Layout(sangong=True, rows_per_page=6, total_word="小计")),
    ("narrative-wan", Layout(narrative="万元")),
    ("narrative-yuan-plain", Layout(narrative="元", separators=False, currency="元")),
    ("narrative-wan-over-yuan-tables", Layout(narrative="万元", currency="元", rules="horizontal")),
    # 部门预算: 收支预算总表, 收入预算表, 支出预算表
    ("budget-wan-grid", Layout(kind="budget", narrative="万元")),
    ("budget-yuan-horizontal",
     Layout(kind="budget", currency="元", rules="horizontal", narrative="元", separators=False)),
    ("budget-split-codes", Layout(kind="budget", split_codes=True, column_numbers=True)),
    ("budget-yuan-no-rules-long", Layout(kind="budget", currency="元", rules="none", decimals=False, rows_per_page=6)),
    # what word processors and sheets do to a table: narrow columns wrapping a figure's last digit
    # alone, a row the page break cuts in two, tables stacked on a page under the unit's heading line
    ("narrow-lone-digits", Layout(narrow=True)),
    ("row-cut-by-page-break", Layout(cut_row=6, split_codes=True)),
    ("row-cut-by-page-break-yuan", Layout(cut_row=0, currency="元")),
    ("stacked-under-headings", Layout(heading=True, stacked=True)),
    # a title alone at the page's foot (its table overleaf), and continuation pages of one row under the header
    ("orphan-titles-no-rules", Layout(orphan_title=True, rules="none", rows_per_page=9)),
    ("one-row-pages-horizontal", Layout(rules="horizontal", rows_per_page=9, currency="元")),
]
KIND_WORDS = {"final": "部门决算", "budget": "部门预算"}


def _norm(text: str | None) -> str:
    t = re.sub(r"\s+", "", str(text or ""))
    return t.replace("（", "(").replace("）", ")").replace("：", ":").replace("“", '"').replace("”", '"')


def _row_key(code: str | None, name: str | None) -> str:
    return "c:" + re.sub(r"\D", "", code) if code else "n:" + ORDINAL.sub("", _norm(name))


def _cols_match(truth: str, got: str) -> bool:
    return truth == got or truth.endswith("/" + got) or got.endswith("/" + truth)


def _table_no(code: object) -> str | None:
    m = re.search(r"(\d+)", str(code or ""))
    return f"{int(m.group(1)):02d}" if m else None


def truth_of(gen: Generated, file_name: str) -> dict:
    """The ground-truth JSON of a generated document, in the shared format."""
    unit = UNIT[gen.layout.currency]
    tables: dict[str, dict[tuple, dict]] = defaultdict(dict)
    families: dict[str, str] = {}
    for e in gen.expected:
        families[e.table_code] = e.table_family
        key = (e.section, e.code, e.row_label)
        row = tables[e.table_code].setdefault(
            key, {"panel": PANEL.get(e.section or ""), "code": e.code, "name": e.row_label, "values": {}}
        )
        row["values"][e.column] = float(e.value / unit)  # as the shared truth files print figures
    return {
        "pdf": file_name,
        "unit": gen.unit_name,
        "year": gen.year,
        "kind": KIND_WORDS[gen.layout.kind],
        "currency_unit": gen.layout.currency,
        "facts": [  # contract metrics, values in 元 (% for shares and rates)
            {"metric": f.metric, "qualifier": f.qualifier, "value": str(f.value), "unit": f.unit} for f in gen.facts
        ],
        "tables": [
            {"code": f"公开{code}表", "family": families[code], "rows": list(rows.values())}
            for code, rows in sorted(tables.items())
        ],
    }


def write_corpus(folder: Path) -> list[Path]:
    """The generated corpus into `folder`: each family's PDF and its truth JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n, (name, layout) in enumerate(CORPUS):
        gen = generate(500 + n, layout)
        pdf = folder / f"{n:02d}-{name}.pdf"
        pdf.write_bytes(gen.pdf)
        pdf.with_suffix(".json").write_text(json.dumps(truth_of(gen, pdf.name), ensure_ascii=False, indent=1),
                                            encoding="utf-8")
        out.append(pdf)
    return out


@dataclass
class Score:
    want: int = 0
    found: int = 0
    emitted: int = 0
    matched: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.want if self.want else 1.0

    @property
    def precision(self) -> float:
        return self.matched / self.emitted if self.emitted else (1.0 if not self.want else 0.0)

    def add(self, other: Score) -> None:
        self.want += other.want
        self.found += other.found
        self.emitted += other.emitted
        self.matched += other.matched


@dataclass
class BenchResult:
    documents: int = 0
    by_family: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    facts_want: int = 0
    facts_found: int = 0
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # document, check id, message
    planted: dict[str, list[int]] = field(default_factory=dict)  # kind → [caught, planted]
    missing_documents: list[str] = field(default_factory=list)
    by_kind: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))  # the truth's kind (部门预算 …)
    kind_of: dict[str, str] = field(default_factory=dict)  # document → its truth's kind
    facts_by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind → [found, wanted]

    @property
    def total(self) -> Score:
        t = Score()
        for s in self.by_family.values():
            t.add(s)
        return t


def _score_document(truth: dict, items: list[dict], result: BenchResult) -> None:
    mult = UNIT.get(truth.get("currency_unit") or "万元", Decimal(10000))
    got: dict[tuple[str, str], list[tuple[str, str | None, Decimal]]] = defaultdict(list)
    for r in items:
        t = _table_no(r["table_code"])
        if t is None or r["value"] is None:
            continue
        for key in {_row_key(r["code"], None) if r["code"] else None, _row_key(None, r["row_label"])} - {None}:
            got[(t, key)].append((_norm(r["column"]), r["section"], Decimal(r["value"])))
    family_of: dict[str, str] = {}
    cells: dict[str, set] = defaultdict(set)
    for t in truth["tables"]:
        tno = _table_no(t["code"])
        if tno is None:
            continue
        family = t.get("family") or next((i["table_family"] for i in items if _table_no(i["table_code"]) == tno),
                                         f"table {tno}")
        family_of[tno] = family
        tmult = UNIT.get(t.get("currency_unit") or "", mult)
        score = result.by_family[family]
        for row in t["rows"]:
            key = _row_key(row.get("code"), row.get("name"))
            section = SECTION.get(row.get("panel") or "")
            for col, v in (row.get("values") or {}).items():
                if v is None:
                    continue
                exp = (Decimal(str(v)) * tmult).quantize(Decimal("0.01"))
                c = _norm(col).replace("|", "/")
                cells[tno].add((key, c, exp))
                score.want += 1
                score.found += any(
                    _cols_match(c, gc) and gv == exp and (section is None or gs in (None, section))
                    for gc, gs, gv in got.get((tno, key), [])
                )
    for r in items:
        t = _table_no(r["table_code"])
        if t not in family_of or r["value"] is None:
            continue
        score = result.by_family[family_of[t]]
        score.emitted += 1
        keys = {_row_key(r["code"], None) if r["code"] else None, _row_key(None, r["row_label"])} - {None}
        gc, gv = _norm(r["column"]), Decimal(r["value"])
        score.matched += any(k in keys and _cols_match(c, gc) and e == gv for k, c, e in cells[t])


# the shared truth files name narrative facts in words (三公经费.决算数); the contract's metric for each
TRUTH_METRICS: dict[str, tuple[str, str | None]] = {
    "收支总计": ("total", None),
    "收入合计": ("income_total", None),
    "支出合计": ("expenditure_total", None),
    "财政拨款收入": ("fiscal_appropriation_income", None),
    "其他收入": ("other_income", None),
    "财政拨款收支总计": ("fiscal_appropriation_total", None),
    "基本支出": ("basic_expenditure", None),
    "项目支出": ("project_expenditure", None),
    "人员经费": ("personnel_expenditure", None),
    "公用经费": ("public_expenditure", None),
    "三公经费.预算数": ("sangong_total", "budget"),
    "三公经费.决算数": ("sangong_total", "final"),
    "因公出国（境）费.决算数": ("sangong_outbound", "final"),
    "公务用车购置及运行费.决算数": ("sangong_vehicle", "final"),
    "公务用车购置费.决算数": ("sangong_vehicle_purchase", "final"),
    "公务用车运行维护费.决算数": ("sangong_vehicle_operation", "final"),
    "公务接待费.决算数": ("sangong_reception", "final"),
    "机关运行经费": ("office_operating_cost", None),
    "政府采购支出总额": ("procurement_total", None),
}
TRUTH_VARIANCE = re.compile(r"^项目\[(\d+)\]\.(年初预算|支出决算|完成年初预算)$")
VARIANCE_FIELD = {"年初预算": "initial_budget", "支出决算": "final", "完成年初预算": "completion_rate"}


def _score_facts(truth: dict, facts: list[dict], variances: list[dict], result: BenchResult) -> None:
    """Facts the truth lists (`facts` with contract metrics, or `narrative_facts` in words)."""
    listed = [(f.get("metric"), f.get("qualifier"), f) for f in truth.get("facts") or []]
    for f in truth.get("narrative_facts") or []:
        name = f.get("metric") or ""
        if name in TRUTH_METRICS:
            listed.append((*TRUTH_METRICS[name], f))
        elif m := TRUTH_VARIANCE.match(name):
            listed.append((f"variance:{m.group(1)}", VARIANCE_FIELD[m.group(2)], f))
    for metric, qualifier, f in listed:
        if metric is None or f.get("value") is None:
            continue
        mult = UNIT.get(f.get("unit") or "", Decimal(1))
        value = (Decimal(str(f["value"])) * mult).quantize(Decimal("0.01"))
        result.facts_want += 1
        if metric.startswith("variance:"):
            code = metric.split(":", 1)[1]
            hit = any(v["code"] == code and v.get(qualifier) is not None
                      and abs(Decimal(v[qualifier]) - value) <= Decimal("0.005") for v in variances)
        else:
            hit = any(g["metric"] == metric and (qualifier is None or g["qualifier"] == qualifier)
                      and abs(Decimal(g["value"]) - value) <= Decimal("0.005") for g in facts)
        result.facts_found += hit


def bench(folder: str | os.PathLike[str], warehouse: str | os.PathLike[str] | None = None,
          planted: int = 0, jobs: int = 1) -> BenchResult:
    """Extract every document of `folder` that has a truth JSON, and score it."""
    from yujuesuan.ingest.pipeline import extract_paths
    from yujuesuan.warehouse.store import Warehouse

    folder = Path(folder)
    pairs = []
    result = BenchResult()
    for jf in sorted(folder.glob("*.json")):
        truth = json.loads(jf.read_text(encoding="utf-8"))
        if "tables" not in truth:
            continue
        doc = folder / truth.get("pdf", jf.with_suffix(".pdf").name)
        if not doc.exists():
            result.missing_documents.append(doc.name)
            continue
        pairs.append((doc, truth))
    with tempfile.TemporaryDirectory(prefix="yujuesuan-bench-") as tmp:
        wh_path = Path(warehouse) if warehouse else Path(tmp) / "warehouse"
        extract_paths([doc for doc, _ in pairs], wh_path, jobs=jobs, force=True)
        wh = Warehouse(wh_path)
        by_doc: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
        for table in ("line_items", "facts", "variances", "quality_issues"):
            for r in wh.read(table).to_pylist():
                by_doc[r["doc_id"]][table].append(r)
        for doc, truth in pairs:
            rows = by_doc[hashlib.sha256(doc.read_bytes()).hexdigest()]
            result.documents += 1
            _score_part(truth, rows, doc.name, result)
            result.errors += [(doc.name, i["check_id"], i["message"]) for i in rows["quality_issues"]
                              if i["severity"] == "error"]
    if planted:
        from yujuesuan.samples.mutations import run_harness

        result.planted = run_harness(planted).by_kind
        result.planted["narrative"] = _planted_narrative(max(1, planted // 4))
    return result


def _score_part(truth: dict, rows: dict[str, list[dict]], name: str, result: BenchResult) -> None:
    """One document's cells and facts, added to its family's and its kind's totals."""
    part = BenchResult()
    _score_document(truth, rows["line_items"], part)
    _score_facts(truth, rows["facts"], rows["variances"], part)
    kind = result.kind_of[name] = str(truth.get("kind") or "unknown")
    for family, score in part.by_family.items():
        result.by_family[family].add(score)
        result.by_kind[kind].add(score)
    result.facts_want += part.facts_want
    result.facts_found += part.facts_found
    found, want = result.facts_by_kind.get(kind, [0, 0])
    result.facts_by_kind[kind] = [found + part.facts_found, want + part.facts_want]


def _kind_lines(result: BenchResult) -> list[str]:
    """Per kind of document (部门决算, 部门预算): documents, cells, recall, precision, facts, error findings."""
    if len(result.by_kind) < 2:
        return []
    lines = [""]
    for kind, s in sorted(result.by_kind.items()):
        docs = sum(k == kind for k in result.kind_of.values())
        errors = sum(result.kind_of.get(doc) == kind for doc, _, _ in result.errors)
        found, want = result.facts_by_kind.get(kind, [0, 0])
        lines.append(f"{kind}: {docs} document(s), {s.want} cells, recall {s.recall:.4f}, precision "
                     f"{s.precision:.4f}, facts {found}/{want}, error-level findings {errors}")
    return lines


def _planted_narrative(n: int) -> list[int]:
    """[caught, planted]: documents whose text states the expenditure total off by some 万元;
    caught when narrative.table_figures fires."""
    from extractors.pdf import extract_pdf
    from yujuesuan.checks.apply import apply_checks
    from yujuesuan.samples.generator import Mutation
    from yujuesuan.warehouse.store import extraction_rows

    caught = 0
    for k in range(n):
        layout = Layout(narrative=("万元", "元")[k % 2], separators=k % 3 != 0, currency=("万元", "元")[k // 2 % 2])
        gen = generate(900 + k, layout, Mutation("narrative", "03", seed=k))
        rows = extraction_rows(extract_pdf(gen.pdf, f"planted-{k}.pdf"))
        apply_checks(rows)
        caught += any(i["check_id"] == "narrative.table_figures" and i["severity"] == "error"
                      for i in rows["quality_issues"])
    return [caught, n]


def report(result: BenchResult) -> str:
    lines = [f"{result.documents} document(s) with ground truth", "",
             f"{'table family':<24} {'cells':>7} {'recall':>8} {'precision':>10}"]
    for family, s in sorted(result.by_family.items()):
        lines.append(f"{family:<24} {s.want:>7} {s.recall:>8.4f} {s.precision:>10.4f}")
    t = result.total
    lines.append(f"{'all':<24} {t.want:>7} {t.recall:>8.4f} {t.precision:>10.4f}")
    lines += _kind_lines(result)
    lines.append("")
    if result.facts_want:
        share = result.facts_found / result.facts_want
        lines.append(f"fact recall {share:.4f} ({result.facts_found}/{result.facts_want})")
    else:
        lines.append("fact recall: n/a (the truth lists no facts)")
    lines.append(f"error-level findings on these documents: {len(result.errors)}")
    for doc, check, message in result.errors[:10]:
        lines.append(f"  {doc}: {check}: {message[:100]}")
    if result.planted:
        caught = sum(c for c, _ in result.planted.values())
        total = sum(n for _, n in result.planted.values())
        # the honest control (a table truly in 元) counts when no error is raised
        named = {"honest_unit": "honest_unit silent"}
        kinds = ", ".join(f"{named.get(k, k)} {c}/{n}" for k, (c, n) in sorted(result.planted.items()))
        lines.append(f"planted errors caught: {caught}/{total} ({kinds})")
    for name in result.missing_documents:
        lines.append(f"warning: {name} is named by its truth JSON but is not in the folder")
    lines.append(f"cell_recall={t.recall:.4f} cell_precision={t.precision:.4f} errors={len(result.errors)}")
    return "\n".join(lines)


__all__ = ["CORPUS", "BenchResult", "bench", "report", "truth_of", "write_corpus"]
