"""The quality report a person reads: per document, the checks passed and failed, and for each
failure the rule, the numbers on both sides, the page and a crop of the cells involved.

    yujuesuan report --warehouse DIR --out report.html   (or report.md)

Crops are rendered from the document's stored copy (WAREHOUSE/_raw/<doc_id>) with pdfium and
written beside the report in <name>_files/.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from yujuesuan.analysis.compare import KIND_LABEL
from yujuesuan.checks.apply import doc_data
from yujuesuan.checks.rules import Finding
from yujuesuan.checks.run import Rule
from yujuesuan.warehouse.store import Warehouse

SCALE = 2.0  # render scale of crops (144 dpi)
MARGIN = 14.0  # points around the cells involved


@dataclass
class Entry:
    check_id: str
    severity: str
    message: str
    table_code: str | None
    page: int | None
    expected: str | None
    actual: str | None
    crop: str | None  # path relative to the report


def _crop(pdf_path: Path, rows: list[dict], out: Path) -> int | None:
    """Render the evidence cells of the first page they are on, outlined; returns the page."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    boxes = [r for r in rows if r.get("x0") is not None and r.get("page")]
    if not boxes:
        return None
    page_no = boxes[0]["page"]
    boxes = [r for r in boxes if r["page"] == page_no]
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        page = pdf[page_no - 1]
        image = page.render(scale=SCALE).to_pil().convert("RGB")
    finally:
        pdf.close()
    draw = ImageDraw.Draw(image)
    for r in boxes:
        draw.rectangle(
            [r["x0"] * SCALE - 3, r["top"] * SCALE - 3, r["x1"] * SCALE + 3, r["bottom"] * SCALE + 3],
            outline=(220, 0, 0),
            width=3,
        )
    x0 = 0.0  # from the left edge: the row's code and label stay in view
    x1 = min(image.width / SCALE, max(r["x1"] for r in boxes) + MARGIN) * SCALE
    top = max(0, min(r["top"] for r in boxes) - MARGIN) * SCALE
    bottom = min(image.height / SCALE, max(r["bottom"] for r in boxes) + MARGIN) * SCALE
    image.crop((int(x0), int(top), int(x1), int(bottom))).save(out)
    return page_no


def build_report(warehouse: str | os.PathLike[str], out: str | os.PathLike[str]) -> Path:
    from yujuesuan.checks import run_checks

    wh = Warehouse(warehouse)
    out = Path(out)
    files = out.parent / f"{out.stem}_files"
    files.mkdir(parents=True, exist_ok=True)
    sections = []
    for doc_id in wh.doc_ids():
        rows = wh.read_document(doc_id)
        document = rows["documents"][0]
        run = run_checks(doc_data(rows)) if document["status"] != "failed" else None
        raw = wh.raw_path(doc_id)
        entries: list[Entry] = []
        failed_rules: set[str] = set()
        findings: list[tuple[Rule, Finding]] = run.findings if run else []
        for n, (rule, f) in enumerate(findings):
            check_id = f.check_id or rule.id
            if f.severity != "info":
                failed_rules.add(rule.id)
            crop_rel, page = None, None
            if f.severity != "info" and f.rows and raw is not None:
                png = files / f"{doc_id[:12]}-{n}.png"
                page = _crop(raw, f.rows, png)
                crop_rel = f"{files.name}/{png.name}" if page else None
            elif f.rows:
                page = f.rows[0].get("page")
            entries.append(Entry(check_id, f.severity, f.message, f.table_code, page, f.expected, f.actual, crop_rel))
        for i in rows["quality_issues"]:
            if i["check_id"].startswith(("extract.", "profile.")):
                entries.append(
                    Entry(i["check_id"], i["severity"], i["message"], i["table_code"], None, None, None, None)
                )
        ran = run.ran if run else []
        sections.append((document, [r for r in ran if r not in failed_rules], sorted(failed_rules), entries))
    rank = {"failed": 0, "partial": 1, "ok": 2}
    sections.sort(key=lambda s: (rank.get(s[0]["status"], 3), s[0]["file_name"]))
    across = _across(wh, files)
    if out.suffix.lower() == ".md":
        text = _markdown(sections) + _across_markdown(across)
    else:
        text = _html(sections).replace("</body></html>", _across_html(across) + "</body></html>")
    out.write_text(text, encoding="utf-8")
    return out


@dataclass
class Side:
    """One document's side of a finding across documents: which document, page, printed text, crop."""

    heading: str
    page: int | None
    printed: str | None
    crop: str | None


def _across(wh: Warehouse, files: Path) -> list[tuple[dict, list[Side]]]:
    """The findings across documents (cross_issues) that are not info, each with both sides'
    documents, pages, printed figures and a crop of the cell where it can be found."""
    issues = [i for i in wh.read("cross_issues").to_pylist() if i["severity"] != "info"]
    if not issues:
        return []
    docs = {d["doc_id"]: d for d in wh.read("documents").to_pylist()}
    items = wh.read("line_items").to_pylist()
    out = []
    for n, issue in enumerate(issues):
        sides = []
        others = zip(issue.get("other_doc_ids") or [], issue.get("other_pages") or [],
                     issue.get("other_printed") or [], strict=False)
        for k, (doc_id, page, printed) in enumerate([(issue["doc_id"], issue["page"], issue["printed"]), *others]):
            document = docs.get(doc_id) or {"file_name": doc_id, "status": "failed", "kind": None, "year": None}
            cell = [i for i in items if i["doc_id"] == doc_id and i["page"] == page and i["printed"] == printed][:1]
            crop = None
            raw = wh.raw_path(doc_id)
            if cell and raw is not None and document.get("format") in ("pdf", "pdf-scanned"):
                png = files / f"across-{n}-{k}.png"
                if _crop(raw, cell, png):
                    crop = f"{files.name}/{png.name}"
            sides.append(Side(heading(document), page, printed, crop))
        out.append((issue, sides))
    return out


def _across_html(across: list[tuple[dict, list[Side]]]) -> str:
    if not across:
        return ""
    e = html.escape
    parts = ["<h2>Across documents</h2>",
             "<p>Findings between documents of one body: 部门 vs 单位, 决算 vs 预算, this year vs last, versions. "
             "Each shows both documents' cells.</p>",
             "<table><tr><th>severity</th><th>check</th><th>what</th><th>documents</th></tr>"]
    for issue, sides in across:
        cells = "".join(
            f"<p>{e(s.heading)}, page {s.page or '-'}: <b>{e(s.printed or '')}</b>"
            + (f"<br><img src='{e(s.crop)}' alt='cell'>" if s.crop else "") + "</p>"
            for s in sides
        )
        parts.append(f"<tr><td class='{issue['severity']}'>{issue['severity']}</td>"
                     f"<td><code>{e(issue['check_id'])}</code></td><td>{e(issue['message'])}</td><td>{cells}</td></tr>")
    parts.append("</table>")
    return "\n".join(parts)


def _across_markdown(across: list[tuple[dict, list[Side]]]) -> str:
    if not across:
        return ""
    out = ["## Across documents", ""]
    for issue, sides in across:
        out.append(f"- **{issue['severity']}** {md_code(issue['check_id'])}: {md_text(issue['message'])}")
        for s in sides:
            out.append(f"  - {md_text(s.heading)}, page {s.page or '-'}: {md_text(s.printed or '')}")
            if s.crop:
                out.append(f"    ![cell]({s.crop})")
    return "\n".join(out) + "\n"


ORDER = {"error": 0, "warning": 1, "info": 2}


def _html(sections: list) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'><title>yujuesuan quality report</title>",
        f"<style>body{{font-family:{FONTS};margin:2em;max-width:1100px}}"
        "table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;font-size:14px}"
        ".error{color:#b00}.warning{color:#a60}.info{color:#666}img{max-width:100%;border:1px solid #999}"
        "h2{border-top:2px solid #333;padding-top:.5em}.ok{color:#070}td.n{text-align:right;white-space:nowrap}"
        "</style></head><body>",
        "<h1>yujuesuan quality report</h1>",
        f"<p>{len(sections)} document(s). Failures show the rule, both sides' numbers and the cells involved, "
        "outlined in red on the page they were read from.</p>",
    ]
    for document, passed, failed, entries in sections:
        parts.append(f"<h2>{e(heading(document))}</h2>")
        parts.append(
            f"<p>status <b class='{'ok' if document['status'] == 'ok' else 'error'}'>{e(document['status'])}</b>; "
            f"{e(checks_line(document, passed, failed, entries))}</p>"
        )
        shown = [x for x in entries if x.severity != "info"]
        infos = len(entries) - len(shown)
        if shown:
            parts.append(
                "<table><tr><th>severity</th><th>check</th><th>table</th><th>page</th><th>what</th>"
                "<th>expected</th><th>printed</th></tr>"
            )
            for x in sorted(shown, key=lambda x: ORDER[x.severity]):
                parts.append(
                    f"<tr><td class='{x.severity}'>{x.severity}</td><td><code>{e(x.check_id)}</code></td>"
                    f"<td>{e(x.table_code or '')}</td><td>{x.page or ''}</td><td>{e(x.message)}"
                    + (f"<br><img src='{e(x.crop)}' alt='cells of {e(x.check_id)}'>" if x.crop else "")
                    + f"</td><td class='n'>{e(amount(x.expected))}</td><td class='n'>{e(amount(x.actual))}</td></tr>"
                )
            parts.append("</table>")
        if infos:
            parts.append(
                f"<p class='info'>{infos} difference(s) within 尾差 (0.01 万元 per addend) reported as info.</p>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)


def _markdown(sections: list) -> str:
    out = ["# yujuesuan quality report", ""]
    for document, passed, failed, entries in sections:
        out += [
            f"## {md_text(heading(document))}",
            "",
            f"File {md_code(document['file_name'])}, status **{md_text(document['status'])}**; "
            f"{md_text(checks_line(document, passed, failed, entries))}.",
            "",
        ]
        for x in sorted((x for x in entries if x.severity != "info"), key=lambda x: ORDER[x.severity]):
            numbers = (
                f" (expected {md_text(amount(x.expected))}, printed {md_text(amount(x.actual))})" if x.expected else ""
            )
            out.append(
                f"- **{x.severity}** {md_code(x.check_id)} table {md_text(x.table_code or '-')} page {x.page or '-'}: "
                f"{md_text(x.message)}{numbers}"
            )
            if x.crop:
                out.append(f"  ![cells]({x.crop})")
        out.append("")
    return "\n".join(out)


FONTS = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")  # what would start emphasis, a link, HTML or a table cell


def heading(document: dict) -> str:
    """A document's heading: unit, year and 预算/决算 where read, else just its file name."""
    if document["status"] == "failed" or not document.get("unit_name"):
        known = [str(document["year"])] if document.get("year") else []
        known += [KIND_LABEL[document["kind"]]] if document.get("kind") in KIND_LABEL else []
        return " · ".join([document["file_name"], *known])
    kind = KIND_LABEL.get(document["kind"], "")
    return " · ".join(p for p in [document["unit_name"], str(document["year"] or ""), kind, document["file_name"]] if p)


def checks_line(document: dict, passed: list[str], failed: list[str], entries: list[Entry]) -> str:
    if document["status"] == "failed":
        why = sorted({x.check_id for x in entries if x.severity == "error"})
        return f"not checked: the file could not be read ({', '.join(why) or 'see below'})"
    line = f"checks passed: {len(passed)}" + (f" ({', '.join(passed)})" if passed else "")
    return line + f"; failed: {len(failed)}" + (f" ({', '.join(failed)})" if failed else "")


def amount(value: str | None) -> str:
    """A number a check reports (元, or a share in %) with thousands separators and 2 decimals."""
    if value is None:
        return ""
    if _NUMBER.fullmatch(value.strip()):
        return f"{Decimal(value.strip()).quantize(Decimal('0.01')):,}"
    return value


def md_text(value: object) -> str:
    """Text for Markdown: its markup characters (and HTML) backslash-escaped, lines joined."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split())).replace("&", "&amp;")


def md_code(value: object) -> str:
    """A Markdown code span that no backtick inside the value can close."""
    text = " ".join(str(value).split())
    fence = "`" * (max((len(r) for r in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
