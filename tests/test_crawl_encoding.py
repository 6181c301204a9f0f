"""Only text encodings are honoured: a page (or a Content-Type) declaring base64, rot13, hex, zlib,
idna, punycode, undefined … is decoded by detection, with a warning, in the crawler and in extraction."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.document import extract_document
from tests.localportal import LocalPortal, static
from yujuesuan.crawl.pages import decode_html
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.crawl.run import crawl_source
from yujuesuan.crawl.sources import load_source
from yujuesuan.samples.demo import html_report
from yujuesuan.samples.generator import Layout, generate

NOT_TEXT = ["base64", "rot13", "hex", "zlib", "bz2", "uu", "quopri", "idna", "punycode", "undefined", "utf-7",
            "unicode_escape", "raw_unicode_escape", "x-user-defined", "nonsense"]  # fmt: skip


@pytest.mark.parametrize("label", NOT_TEXT)
@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_a_meta_charset_that_is_no_text_encoding_falls_back_to_detection(label: str, charset: str) -> None:
    body = f'<html><head><meta charset="{label}"><title>部门决算</title></head><body>决算</body></html>'
    d = decode_html(body.encode(charset), "text/html")
    assert d.encoding == {"utf-8": "utf-8", "gbk": "gb18030"}[charset]
    assert "部门决算" in d.text and d.replaced == 0
    assert d.ignored == label and label in (d.warning or "")


@pytest.mark.parametrize("label", NOT_TEXT)
def test_a_content_type_charset_that_is_no_text_encoding_falls_back_to_detection(label: str) -> None:
    d = decode_html("<p>部门决算</p>".encode(), f"text/html; charset={label}")
    assert d.encoding == "utf-8" and d.text == "<p>部门决算</p>" and d.ignored == label


def test_a_meta_utf16_on_an_ascii_page_is_not_believed() -> None:
    # the meta could be read as ASCII, so the page is not UTF-16 (WHATWG: use UTF-8)
    d = decode_html('<meta charset="utf-16"><p>部门决算</p>'.encode(), "text/html")
    assert d.encoding == "utf-8" and "部门决算" in d.text and d.ignored == "utf-16"


def test_text_encodings_are_still_honoured() -> None:
    assert decode_html("<p>Ã©</p>".encode("cp1252"), "text/html; charset=windows-1252").text == "<p>Ã©</p>"
    assert decode_html("<p>決算</p>".encode("big5"), "text/html; charset=big5").encoding.startswith("big5")
    assert decode_html("<p>决算</p>".encode("gbk"), "text/html; charset=GB2312").ignored is None


def test_the_crawler_reads_a_page_that_declares_base64(tmp_path: Path) -> None:
    pdf = generate(1).pdf
    page = '<html><head><meta charset="base64"><title>示例局2024年度部门决算</title></head><body>'
    page += '<a href="/a.pdf">示例局2024年度部门决算.pdf</a></body></html>'
    server = LocalPortal(
        {
            "/list/index.html": static(page.encode("gbk"), "text/html; charset=rot13"),
            "/a.pdf": static(pdf),
        }
    )
    try:
        src = tmp_path / "b64.yaml"
        src.write_text(
            f'name: b\nadapter: generic_cms\nstart_urls: ["{server.url}/list/index.html"]\n'
            "robots: false\nlimits: {retries: 0}\n",
            encoding="utf-8",
        )
        result = crawl_source(load_source(src), RawStore(tmp_path / "raw"), "r")
        assert [d.outcome for d in result.downloads] == ["new"]
        (warning,) = result.problems
        assert warning["check_id"] == "crawl.page_encoding" and warning["severity"] == "warning"
        assert "rot13" in warning["message"] and "gb18030" in warning["message"]
    finally:
        server.close()


def test_an_html_report_that_declares_base64_is_extracted() -> None:
    gen = generate(4, Layout(currency="万元"))
    head = '<!DOCTYPE html><html><head><meta charset="base64"><title>t</title></head>'
    html = f"{head}<body>{html_report(gen)}</body></html>"
    ex = extract_document(html.encode("gbk"), "report.html")
    (issue,) = [i for i in ex.issues if i.check_id == "extract.encoding_ignored"]
    assert issue.severity == "warning" and "base64" in issue.message
    assert {(i.table_code, i.code or i.row_label, i.column, i.value) for i in ex.items} == {
        (e.table_code, e.code or e.row_label, e.column, e.value) for e in gen.expected
    }


@pytest.mark.parametrize("label", ["undefined", "punycode", "idna", "utf-7", "base64", "rot13", "nonsense"])
def test_a_file_name_in_a_charset_that_is_no_text_encoding_is_read_as_bytes(label: str) -> None:
    from yujuesuan.crawl.names import disposition_name

    assert disposition_name(f"attachment; filename*={label}''%E5%86%B3%E7%AE%97.pdf") == "决算.pdf"
