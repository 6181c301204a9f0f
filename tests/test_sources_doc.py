"""docs/sources.md stays true: its example source crawls a portal of that shape, YAML alone,
and every field of the source schema is documented."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from tests.localportal import LocalPortal, static
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.crawl.run import crawl_source
from yujuesuan.crawl.sources import Source, load_source
from yujuesuan.samples.generator import generate

REPO = Path(__file__).resolve().parents[1]
DOC = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")


def _page(title: str, body: str) -> bytes:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>".encode()


def _district_portal() -> LocalPortal:
    """Index list.jsp?page=1..3 (尾页 says 3), UTF-8; details link download.jsp?id=N as 附件下载."""
    items = [
        ("示例区教育局2024年部门预算", 1),
        ("示例区卫健委2024年度部门决算", 2),
        ("示例区民政局2023年度部门决算", 3),  # filtered out: 2023
        ("示例区召开会议", 4),  # not an item
        ("示例区财政局2025年部门预算", 5),
    ]
    routes = {}
    for page in (1, 2, 3):
        chunk = items[(page - 1) * 2 : page * 2]
        links = "".join(f'<li><a href="/zwgk/czyjs/content.jsp?id={n}">{t}</a></li>' for t, n in chunk)
        nav = '<a href="list.jsp?page=1">首页</a><a href="list.jsp?page=3">尾页</a>'
        routes[f"/zwgk/czyjs/list.jsp?page={page}"] = static(_page("预决算公开", f"<ul>{links}</ul>{nav}"), "text/html")
    for title, n in items:
        routes[f"/zwgk/czyjs/content.jsp?id={n}"] = static(
            _page(title, f'<h1>{title}</h1><a href="/download.jsp?id={n}">附件下载</a>'), "text/html"
        )
        name = f"{title}.pdf".encode().decode("latin-1")
        routes[f"/download.jsp?id={n}"] = static(
            generate(n).pdf, "application/octet-stream", {"Content-Disposition": f'attachment; filename="{name}"'}
        )
    return LocalPortal(routes)


def test_the_documented_example_source_crawls_a_portal_of_its_kind(tmp_path: Path) -> None:
    (yaml_text,) = re.findall(r"```yaml\n(.*?)```", DOC, re.S)
    server = _district_portal()
    try:
        path = tmp_path / "example-district.yaml"
        # the portal's address is the local server's; a polite 1 request/s is sped up for the test
        text = yaml_text.replace("https://czj.example.gov.cn", server.url).replace(
            "rate_per_second: 1", "rate_per_second: 50"
        )
        path.write_text(text, encoding="utf-8")
        source = load_source(path)
        result = crawl_source(source, RawStore(tmp_path / "raw"), "run")
    finally:
        server.close()
    got = sorted(d.file_name for d in result.downloads if d.outcome == "new")
    assert got == [
        "示例区卫健委2024年度部门决算.pdf",
        "示例区教育局2024年部门预算.pdf",
        "示例区财政局2025年部门预算.pdf",
    ]
    assert result.health.pages_visited == 3 + 3  # three index pages; detail pages of the three items kept
    assert not result.health.warnings and not result.issue_rows()


def _fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        kind = info.annotation
        inner = [a for a in getattr(kind, "__args__", ()) if isinstance(a, type) and issubclass(a, BaseModel)]
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            inner = [kind]
        if inner:
            out += _fields(inner[0], f"{prefix}{name}.")
        else:
            out.append(prefix + name)
    return out


def test_every_source_field_is_documented() -> None:
    missing = [f for f in _fields(Source) if f"| `{f}` |" not in DOC]
    assert not missing, missing
