"""Crawl precision and recall on a county portal of another CMS: a page is a document only when it
holds a standard table; titles cut short on the list page are still found; an inline HTML report
gets its unit and year from its own title, never from a part heading such as 第二部分."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.document import extract_document
from extractors.word import soffice
from tests.localportal import LocalPortal, static
from yujuesuan.crawl.pages import anchor_text, read_page
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.crawl.run import crawl_source
from yujuesuan.crawl.sources import load_source
from yujuesuan.samples.generator import generate
from yujuesuan.samples.nonreports import NonReport, write
from yujuesuan.samples.office import Office, convert, write_docx, write_xlsx

HTML = "text/html; charset=utf-8"


def _page(title: str, body: str) -> bytes:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>".encode()


LIST = _page(
    "部门预决算公开",
    '<ul class="news">'
    '<li><a href="/art/1.html" title="示例县财政局2024年部门预算公开">示例县财政局2024年部门预...</a></li>'
    '<li><a href="/art/2.html">示例县教育局2024年部门决...</a></li>'
    '<li><a href="/art/3.html">关于2024年部门预算公开工作的说明</a></li>'
    '<li><a href="/art/4.html">示例县2024年预算执行情况新闻发布</a></li>'
    '<li><a href="/art/5.html">示例县2024年部门预算公开目录</a></li>'
    "</ul>",
)
REPORT_TABLE = (
    "<p>第二部分 2024年部门预算表</p><p>表一</p><p>收支总表</p><p>单位：万元</p>"
    "<table><tr><td>收入</td><td></td><td>支出</td><td></td></tr>"
    "<tr><td>项目</td><td>预算数</td><td>项目</td><td>预算数</td></tr>"
    "<tr><td>一、一般公共预算拨款收入</td><td>1,234.50</td><td>一、一般公共服务支出</td><td>1,234.50</td></tr>"
    "<tr><td>收入总计</td><td>1,234.50</td><td>支出总计</td><td>1,234.50</td></tr></table>"
)
ROUTES = {
    "/list/index.html": static(LIST, HTML),
    # an inline report: a table under a standard title; its unit and year only in <title>
    "/art/1.html": static(_page("示例县财政局2024年部门预算", REPORT_TABLE), HTML),
    # a detail page whose full title says 决算; its PDF is the report
    "/art/2.html": static(
        _page("示例县教育局2024年部门决算", '<h1>示例县教育局2024年部门决算</h1><a href="/f/2.pdf">附件下载</a>'), HTML
    ),
    "/f/2.pdf": static(generate(5).pdf),
    # a notice: mentions 部门预算 and table names, no table
    "/art/3.html": static(_page("说明", "<p>按照要求公开2024年部门预算，包括收支总表、收入总表等。</p>"), HTML),
    # news with a table of figures but no standard table title
    "/art/4.html": static(
        _page("新闻", "<p>2024年预算执行情况</p><table><tr><td>季度</td><td>1,000.00</td></tr></table>"), HTML
    ),
    # a column index page listing the reports
    "/art/5.html": static(_page("目录", "<p>部门预算公开目录</p><ul><li>财政局</li><li>教育局</li></ul>"), HTML),
}


@pytest.fixture()
def crawled(tmp_path: Path):
    server = LocalPortal(ROUTES)
    src = tmp_path / "county.yaml"
    src.write_text(
        f"""name: 示例县 部门预决算
adapter: generic_cms
start_urls: ["{server.url}/list/index.html"]
limits: {{timeout_seconds: 2, retries: 0, backoff_seconds: 0.05, rate_per_second: 200}}
""",
        encoding="utf-8",
    )
    store = RawStore(tmp_path / "raw")
    result = crawl_source(load_source(src), store, "r1")
    yield server, result, store
    server.close()


def test_only_pages_with_standard_tables_are_documents(crawled) -> None:
    server, result, _ = crawled
    got = sorted(d.url.removeprefix(server.url) for d in result.downloads if d.outcome == "new")
    assert got == ["/art/1.html", "/f/2.pdf"]
    assert result.health.documents_found == 2
    assert result.health.pages_visited >= 6  # the notice, the news and the index page were visited, not kept


def test_an_inline_report_takes_its_unit_and_year_from_its_title(crawled) -> None:
    server, result, store = crawled
    (row,) = [d for d in result.downloads if d.url.endswith("/art/1.html")]
    ex = extract_document(store.read(row.sha256), row.file_name or "1.html")
    assert ex.document.unit_name == "示例县财政局" and ex.document.year == 2024
    assert ex.document.kind == "budget" and ex.items


@pytest.mark.parametrize(
    ("text", "title", "want"),
    [
        ("示例县财政局2024年部门预...", "示例县财政局2024年部门预算公开", "示例县财政局2024年部门预算公开"),
        ("示例县财政局2024年…", "示例县财政局2024年部门预算", "示例县财政局2024年部门预算"),
        ("部门预算", "点击查看", "部门预算"),  # a title that is no fuller form of the text
        ("", "示例县2024年部门决算", "示例县2024年部门决算"),
    ],
)
def test_a_cut_title_is_read_from_the_title_attribute(text: str, title: str, want: str) -> None:
    assert anchor_text(text, title) == want
    page = read_page(f'<a href="/x" title="{title}">{text}</a>', "http://a.cn/")
    assert page.links[0].text == want


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_wps_files_are_attachments_and_a_checklist_page_is_no_document(tmp_path: Path) -> None:
    """WPS Office names its OLE2 workbooks .et and its documents .wps; a review checklist posted as an article
    page (its heading 检查表, the standard tables' titles as items) is no report."""
    et = convert(write_xlsx(3, Office()), "xls").data
    wps = convert(write_docx(4, Office()), "doc").data
    listing = _page("部门预决算公开", '<a href="/art/6.html">示例县2024年部门预算公开情况检查表</a>'
                    '<a href="/art/7.html">示例县财政局2024年部门决算</a>'
                    '<a href="/art/8.html">示例县教育局2024年部门决算</a>')
    routes = {
        "/list/index.html": static(listing, HTML),
        "/art/6.html": static(write(NonReport("checklist", "budget", seed=6), "html"), HTML),
        "/art/7.html": static(_page("示例县财政局2024年部门决算", '<a href="/f/7.et">附件</a>'), HTML),
        "/art/8.html": static(_page("示例县教育局2024年部门决算", '<a href="/f/8.wps">附件</a>'), HTML),
        "/f/7.et": static(et, "application/octet-stream"),
        "/f/8.wps": static(wps, "application/octet-stream"),
    }
    server = LocalPortal(routes)
    try:
        src = tmp_path / "county.yaml"
        src.write_text(f'name: 示例县\nadapter: generic_cms\nstart_urls: ["{server.url}/list/index.html"]\n'
                       "limits: {timeout_seconds: 2, retries: 0, backoff_seconds: 0.05, rate_per_second: 200}\n",
                       encoding="utf-8")
        store = RawStore(tmp_path / "raw")
        result = crawl_source(load_source(src), store, "r1")
        got = {d.url.removeprefix(server.url): d.format for d in result.downloads if d.outcome == "new"}
        assert got == {"/f/7.et": "xls", "/f/8.wps": "doc"}
        for d in result.downloads:
            if d.outcome == "new":
                ex = extract_document(store.read(d.sha256), d.file_name or d.url)
                assert ex.document.status == "ok" and ex.items
    finally:
        server.close()
