"""The crawl's pure parts: encodings, links and pagination, file names, ZIPs, sources."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from yujuesuan.crawl.adapters.base import wanted
from yujuesuan.crawl.adapters.generic_cms import pagination_urls
from yujuesuan.crawl.names import choose_name, disposition_name, sanitise, sniff
from yujuesuan.crawl.pages import decode_html, read_page
from yujuesuan.crawl.sources import Filters, SourceError, load_source, load_sources
from yujuesuan.crawl.unzip import unpack

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("body", "ctype", "encoding", "replaced"),
    [
        ("<meta charset='gb2312'><p>部门决算</p>".encode("gbk"), "text/html", "gb18030", 0),
        ('<meta http-equiv="Content-Type" content="text/html; charset=GBK">决算'.encode("gbk"), "", "gb18030", 0),
        ("<p>部门决算</p>".encode(), "text/html; charset=utf-8", "utf-8", 0),
        ("<p>部门决算</p>".encode("gbk"), "text/html", "gb18030", 0),  # undeclared: UTF-8 fails, GB18030 reads
        ("<p>部门决算</p>".encode(), "text/html", "utf-8", 0),  # undeclared UTF-8
        (b"\xef\xbb\xbf<p>\xe5\x86\xb3</p>", "text/html; charset=gbk", "utf-8", 0),  # a BOM wins
        ("<meta charset='gbk'>决算".encode("gbk") + b"\xff\xff", "text/html", "gb18030", 1),  # malformed
    ],
)
def test_page_encodings(body: bytes, ctype: str, encoding: str, replaced: int) -> None:
    d = decode_html(body, ctype)
    assert d.encoding == encoding
    assert (d.replaced > 0) == (replaced > 0)
    assert "决" in d.text


def test_trs_pagination_from_inline_script() -> None:
    page = read_page(
        '<script>var countPage = 4;//共多少页\ncreatePageHTML(countPage, 0, "index", "html");</script>',
        "http://x.gov.cn/col/yjs/index.html",
    )
    assert pagination_urls(page, page.url) == [f"http://x.gov.cn/col/yjs/index_{k}.html" for k in (1, 2, 3)]


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("list_5.html", [f"http://x.gov.cn/a/list_{k}.html" for k in range(1, 6)]),
        ("?page=3", [f"http://x.gov.cn/a/list.html?page={k}" for k in (1, 2, 3)]),
        (
            "list.jsp?type=2&pageNo=2",
            ["http://x.gov.cn/a/list.jsp?type=2&pageNo=1", "http://x.gov.cn/a/list.jsp?type=2&pageNo=2"],
        ),
        ("column-index-3.shtml", [f"http://x.gov.cn/a/column-index-{k}.shtml" for k in (1, 2, 3)]),
    ],
)
def test_last_page_links_give_the_page_count(href: str, expected: list[str]) -> None:
    page = read_page(f'<a href="{href}">尾页</a>', "http://x.gov.cn/a/list.html")
    assert pagination_urls(page, page.url) == expected


def test_next_and_numbered_links_of_the_same_listing_only() -> None:
    page = read_page(
        '<a href="index_1.html">下一页</a><a href="index_2.html">3</a><a href="/other/index_1.html">2</a>'
        '<a href="art_2024.html">2024</a>',
        "http://x.gov.cn/a/index.html",
    )
    assert pagination_urls(page, page.url) == ["http://x.gov.cn/a/index_1.html", "http://x.gov.cn/a/index_2.html"]


def test_links_are_absolute_and_skip_scripts() -> None:
    page = read_page(
        '<base href="http://x.gov.cn/b/"><a href="c.pdf" title="全称.pdf"> 附件 1 </a>'
        '<a href="javascript:void(0)">x</a>'
        '<a href="#top">t</a><a href="mailto:a@b">m</a><a href="../d.html#frag">D</a><title>标题</title>',
        "http://x.gov.cn/a/index.html",
    )
    assert [(link.url, link.text) for link in page.links] == [
        ("http://x.gov.cn/b/c.pdf", "附件 1"),
        ("http://x.gov.cn/d.html", "D"),
    ]
    assert page.title == "标题"


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("attachment; filename*=UTF-8''%E9%83%A8%E9%97%A8%E5%86%B3%E7%AE%97.pdf", "部门决算.pdf"),
        ("attachment; filename*=gbk''%B2%BF%C3%C5%BE%F6%CB%E3.pdf", "部门决算.pdf"),
        ('attachment; filename="' + "部门决算.pdf".encode("gbk").decode("latin-1") + '"', "部门决算.pdf"),  # raw GBK
        ('attachment; filename="' + "部门决算.pdf".encode().decode("latin-1") + '"', "部门决算.pdf"),  # raw UTF-8
        ('attachment; filename="%E5%86%B3%E7%AE%97.pdf"', "决算.pdf"),  # percent-encoded in plain filename
        ("attachment; filename=report.pdf", "report.pdf"),
        ("inline", None),
    ],
)
def test_content_disposition_names(header: str, name: str | None) -> None:
    assert disposition_name(header) == name


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Windows\\决算.pdf", "决算.pdf"),
        ('a<b>:"c"|?*.pdf', "a_b___c____.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ("\x00\x1f决算.pdf", "__决算.pdf"),
        ("", "document"),
        ("决" * 200 + ".pdf", "决" * 58 + ".pdf"),
    ],
)
def test_names_are_sanitised(raw: str, safe: str) -> None:
    assert sanitise(raw) == safe
    assert len(sanitise(raw).encode()) <= 180


def test_name_prefers_the_server_then_link_text_then_url() -> None:
    url = "http://x.gov.cn/attach/W020250901123.pdf"
    assert choose_name("attachment; filename=a.pdf", url, "附件：甲局决算.pdf") == "a.pdf"
    assert choose_name(None, url, "附件：甲局决算.pdf") == "附件：甲局决算.pdf"
    assert choose_name(None, url, "点击下载") == "W020250901123.pdf"
    assert choose_name(None, "http://x.gov.cn/download.do?iid=3", "甲局决算", sniffed="pdf") == "甲局决算.pdf"


def test_sniff_trusts_bytes() -> None:
    assert sniff(b"%PDF-1.7\n") == "pdf"
    assert sniff(b"\r\n  <!DOCTYPE html><html>") == "html"
    assert sniff(b"PK\x03\x04....%PDF-") == "zip"
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") == "ole"
    assert sniff(b"plain text") is None


def test_zip_unpacking_is_bounded_and_never_escapes() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../x.pdf", b"%PDF-1")
        zf.writestr("a/../../y.pdf", b"%PDF-1")
        zf.writestr("/abs.pdf", b"%PDF-1")
        zf.writestr("readme.txt", b"hi")
        zf.writestr("bomb.pdf", b"%PDF-" + b"0" * 2_000_000)
        zf.writestr("ABCDEFGH.pdf", b"%PDF-1.4 ok")
    # a GBK name without the UTF-8 flag, as Chinese Windows archivers write them (same byte length)
    data = buf.getvalue().replace(b"ABCDEFGH.pdf", "部门决算.pdf".encode("gbk"))
    out = unpack(data)
    assert [m.name for m in out.members] == ["部门决算.pdf"]
    assert {entry: why.split()[0] for entry, why in out.refused} == {
        "../x.pdf": "path",
        "a/../../y.pdf": "path",
        "/abs.pdf": "path",
        "readme.txt": "not",
        "bomb.pdf": "compression",
    }
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as zf:
        for n in range(5):
            zf.writestr(f"{n}.pdf", b"%PDF-")
    assert unpack(many.getvalue(), max_members=3).refused[0][1].startswith("5 entries")
    assert unpack(b"not a zip").refused[0][0] == "(archive)"


def test_filters_read_year_kind_and_unit() -> None:
    f = Filters(years=[2024], kinds=["final"], units=["财政局"])
    assert wanted(f, "示例市财政局2024年度部门决算")
    assert not wanted(f, "示例市财政局2023年度部门决算")
    assert not wanted(f, "示例市财政局2024年部门预算")
    assert not wanted(f, "示例市教育局2024年度部门决算")
    assert wanted(Filters(years=[2024]), "部门决算公开")  # no year printed: kept (unknown passes)


def _write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: x\nadapter: generic_cms\n", "start_urls"),
        ("name: x\nadapter: nope\nstart_urls: [http://a.cn/]\n", "adapter: Input should be"),
        ("name: x\nadapter: generic_cms\nstart_urls: [ftp://a.cn/]\n", "start_urls: not an http"),
        ("name: x\nadapter: generic_cms\nstart_urls: [http://a.cn/]\nlimits: {retries: many}\n", "limits.retries"),
        ("name: x\nadapter: generic_cms\nstart_urls: [http://a.cn/]\nlimit: {}\n", "limit: Extra inputs"),
        ("name: x\nadapter: jiangsu_api\n", "jiangsu"),
        ("name: x\nadapter: generic_cms\nstart_urls: [http://a.cn/]\nid: other\n", "id: 'other' differs"),
        ("name: x\nadapter: generic_cms\nstart_urls: ['${NOT_SET_ANYWHERE}/a']\n", "NOT_SET_ANYWHERE is not set"),
        ("- a\n- b\n", "expected a mapping"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_source_errors_name_the_file_and_the_field(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, "bad-source.yaml", text)
    with pytest.raises(SourceError) as err:
        load_source(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_all_errors_of_a_folder_are_reported_together(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "name: a\nadapter: generic_cms\n")
    _write(tmp_path, "b.yaml", "name: b\nadapter: generic_cms\nstart_urls: [http://b.cn/]\nrobots: maybe\n")
    with pytest.raises(SourceError) as err:
        load_sources(tmp_path)
    assert "a.yaml: (top level)" in str(err.value) or "a.yaml" in str(err.value)
    assert "b.yaml: robots" in str(err.value)


def test_the_bundled_sources_are_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YUJUESUAN_DEMO_URL", "http://127.0.0.1:8731")
    for folder in (REPO / "data" / "sources", REPO / "data" / "demo_portal" / "sources"):
        sources = load_sources(folder)
        assert sources, folder
        for s in sources:
            assert s.hosts()
