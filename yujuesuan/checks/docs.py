"""The check catalogue as Markdown (docs/checks.md is this text; a test keeps them equal)."""

from __future__ import annotations

from yujuesuan.checks.across_documents.catalogue import load_crossdoc
from yujuesuan.checks.run import load_catalogue

EXTRACTION_CHECKS = [
    ("extract.empty_file", "error", "The file is empty; the document is failed."),
    (
        "extract.crashed",
        "error",
        "The extractor raised (or its worker process died) on this document: the exception's type and message; "
        "failed, and the run goes on.",
    ),
    (
        "extract.budget_exceeded",
        "error",
        "The document's extraction took more than its time budget (`--timeout`, default 120 s) or memory budget "
        "(`--memory`, default 2048 MB) and was stopped; failed, and the run goes on (`--force` retries it).",
    ),
    (
        "extract.not_pdf",
        "error",
        "Not a format the extractor reads (PDF, HTML report, XLSX/XLS, DOCX/DOC): an image, an HTML page named "
        ".pdf …; failed.",
    ),
    (
        "extract.format_mismatch",
        "info",
        "The file's extension names another format than its bytes (magic number, OOXML content types, OLE2 "
        "streams); it was read as what its bytes are.",
    ),
    (
        "extract.converter_missing",
        "error",
        "A binary Word .doc, and LibreOffice (`soffice`), which converts it, is not installed; failed.",
    ),
    (
        "extract.formula_uncached",
        "error",
        "Workbook formula cells with no cached value (the workbook was never recalculated and saved): not read, "
        "never taken as 0; the cells are named.",
    ),
    (
        "extract.placeholder_value",
        "warning",
        "Workbook table cells holding a placeholder (XX, x,xxx, …) where a figure or row goes; not read as numbers.",
    ),
    (
        "extract.template",
        "warning",
        "The workbook or Word file is a disclosure template: three or more placeholders (上海市普陀区XX局, "
        "XXX万元, x,xxx) stand where the unit's name and figures go. Its tables are kept, empty (note `template`), "
        "without line items or complaints about their blank cells.",
    ),
    ("extract.no_text", "error", "An HTML report page, workbook or Word file with no text at all; failed."),
    (
        "extract.encoding_ignored",
        "warning",
        "An HTML report declares a charset that is no text encoding (base64, rot13, an unknown label …); "
        "its encoding was detected instead.",
    ),
    ("extract.text_replaced", "warning", "An HTML report with bytes invalid in its encoding (read as U+FFFD)."),
    ("extract.encrypted", "error", "The PDF is encrypted; failed."),
    ("extract.unreadable", "error", "The file cannot be opened (a corrupt or truncated PDF, workbook or Word file)."),
    ("extract.no_pages", "error", "The PDF has no pages (a workbook no sheets); failed."),
    ("extract.no_text_layer", "error", "No text layer (scanned, blank pages) and nothing OCR could read; failed."),
    ("extract.ocr_used", "info", "Pages with no text layer (scans) were read by OCR; they are listed."),
    ("extract.ocr_straightened", "info", "A scanned page was turned (sideways, upside down) or deskewed before OCR."),
    (
        "extract.ocr_uncertain",
        "warning",
        "A figure read by OCR with low confidence (below 0.9 on one of its digits): check that cell on the page.",
    ),
    ("extract.ocr_unavailable", "error", "A scan needs OCR but rapidocr/onnxruntime are not installed; failed."),
    ("extract.page_unreadable", "error", "One page could not be parsed; its tables are missing."),
    (
        "extract.too_large",
        "error",
        "A cap of `extractors/limits.py` reached (decoded stream, page content, glyphs or form XObjects per page, "
        "HTML size or table cells, an amount beyond 10^15 元); the message names it; what it capped is not read.",
    ),
    (
        "extract.text_unmapped",
        "error",
        "Nothing read and most characters have no Unicode mapping (`(cid:N)`, fonts without ToUnicode); "
        "failed (OCR needed).",
    ),
    ("extract.nothing_read", "error", "Text was read but no table figure and no figure in the text; failed."),
    ("extract.table_unit_missing", "warning", "A table prints no 单位; the document's unit is used (error if none)."),
    (
        "extract.unit_assumed",
        "info",
        "A self-evaluation table (项目自评汇总表, 部门整体自评表) prints no 单位; its amounts are read in its "
        "family's `default_unit` (specs/tables.yaml).",
    ),
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

# raised while crawling (the warehouse's crawl_issues table and the run report); crawl.<kind> for
# every FetchError kind of yujuesuan.crawl.fetch, then the downloader's and adapters' own
CRAWL_CHECKS = [
    (
        "crawl.unreachable",
        "error",
        "No connection to the host (DNS name does not resolve, refused, no route), after retries; the host is not "
        "asked again this run. Also when robots.txt cannot be fetched for that reason.",
    ),
    ("crawl.timeout", "error", "No answer within the source's timeout, after every retry."),
    ("crawl.connection", "error", "The connection broke (reset, closed) before a response, after retries."),
    (
        "crawl.server_error",
        "error",
        "HTTP 5xx or 429 on every attempt (Retry-After honoured); a later success is no issue.",
    ),
    ("crawl.http_status", "error", "HTTP 4xx but 429 (404 attachment, 403 …): not retried."),
    (
        "crawl.truncated",
        "error",
        "The body ended before its Content-Length, broke mid-transfer, or went on past it (the length "
        "lied), after retries.",
    ),
    (
        "crawl.bad_response",
        "error",
        "The answer is not valid HTTP (illegal status line, headers over 16 kB, a bad Content-Length or chunk); "
        "not retried.",
    ),
    (
        "crawl.bad_url",
        "error",
        "A link, or a redirect's Location, that is no valid URL (data:, javascript:, http://[::1 …).",
    ),
    ("crawl.too_large", "error", "Larger than the source's max_bytes (declared or counted); nothing kept."),
    ("crawl.deadline", "error", "A download still unfinished after deadline_seconds (a server dripping bytes)."),
    ("crawl.redirect_loop", "error", "Redirects that come back to a URL already visited."),
    ("crawl.too_many_redirects", "error", "More redirects than max_redirects."),
    ("crawl.host_not_allowed", "warning", "A link or redirect to a host the source does not allow; not fetched."),
    (
        "crawl.robots_disallowed",
        "warning",
        "robots.txt disallows the URL, or answered 5xx (then nothing on that host is fetched, RFC 9309).",
    ),
    (
        "crawl.page_encoding",
        "warning",
        "Bytes invalid in the declared encoding (replaced by U+FFFD, the rest read), or a declared charset that is "
        "no text encoding (base64, rot13 …; the encoding detected instead).",
    ),
    ("crawl.api_unreadable", "error", "A JSON API answered something that is not the JSON expected."),
    ("crawl.empty_body", "warning", "The server sent 0 bytes for a document."),
    (
        "crawl.html_instead_of_document",
        "warning",
        "An HTML page (error or login page) came back for a file link (.pdf …); kept in the raw store, not extracted.",
    ),
    ("crawl.not_a_document", "warning", "The bytes are not the type the name says (e.g. a .pdf that is no PDF)."),
    ("crawl.content_type_mismatch", "info", "Content-Type contradicts the bytes (a PDF sent as text/html); kept."),
    ("crawl.zip_entry_refused", "warning", "A ZIP entry not unpacked: path escape (../), link, not a document, bomb."),
    ("health.too_few_documents", "warning", "A source found fewer documents than its declared min_documents."),
    (
        "health.unreachable",
        "warning",
        "No page of a source could be read, for want of a connection: the portal could not be reached.",
    ),
    ("health.stale", "warning", "Nothing new from a source for longer than its declared stale_after_days."),
    (
        "health.recovered",
        "info",
        "A run's downloads that it did not record (killed first, or `crawl` alone), published by the next nightly "
        "from the raw store's manifest.",
    ),
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
        "A blank printed cell counts as zero; an input that was not read never does: a rule whose table",
        "is not in the document, or whose column was not read, reports `info` «Could not run: …» under",
        "its id. Words such as {total} in the rules' patterns are terms of",
        "`extractors/specs/vocabulary.yaml` (合计, 小计, 合计数, 总计 …).",
        "Rules run after extraction (`yujuesuan extract`) and",
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
    lines += [
        "",
        "## Across documents",
        "",
        "Generated from `yujuesuan/checks/crossdoc.yaml`. Run after every extraction over the whole warehouse,",
        "only on the pairs a new or changed document touches (`cross_pairs` lists every pair compared);",
        "findings are rows of `cross_issues`, filed under the anchor document (the 部门 report, the 决算,",
        "the later year's, the later version) with the other documents' ids, pages and printed figures.",
        "A figure is a table cell (the measures of `yujuesuan/analysis/measures.yaml`) or a fact of the",
        "text; two documents agree when some figure of one equals some figure of the other.",
        "",
        "| check_id | severity | tolerance | applies to | meaning |",
        "|---|---|---|---|---|",
    ]
    for r in load_crossdoc():
        scope = ", ".join(r.kinds) or "all documents"
        lines.append(f"| `{r.id}` | {r.severity} | {r.tolerance} | {scope} | {r.meaning} |")
    lines += ["", "## Raised by extraction", "", "| check_id | severity | meaning |", "|---|---|---|"]
    for check_id, severity, meaning in EXTRACTION_CHECKS:
        lines.append(f"| `{check_id}` | {severity} | {meaning} |")
    lines += [
        "",
        "## Raised while crawling",
        "",
        "In the warehouse's `crawl_issues` table (one file per run) and the run report; `health.*` in",
        "`source_health.warnings`. A failed download is recorded and retried by the next run.",
        "",
        "| check_id | severity | meaning |",
        "|---|---|---|",
    ]
    for check_id, severity, meaning in CRAWL_CHECKS:
        lines.append(f"| `{check_id}` | {severity} | {meaning} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(catalogue_markdown(), end="")
