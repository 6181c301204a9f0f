"""The bundled demo portal: a small Chinese government CMS served on 127.0.0.1.

`build(folder)` writes it (deterministically) from the project's own generator:

    robots.txt, index.html                      the site's home (UTF-8)
    czj/yjsgk/index.html, index_1.html, …       GBK index pages, paginated by createPageHTML()
    czj/yjsgk/art/2025/art_NNNN.html            detail pages (GBK, one UTF-8) with attachments
    attach/NNNN.pdf, attach/NNNN.zip            attachments in several layouts; one ZIP
    czj/yjsgk/art/2025/art_2001.html            a report published as the page itself (HTML)
    jiangsu/…                                   answers of a 江苏-platform-style JSON API
    sources/demo-cms.yaml, demo-jiangsu.yaml    the two sources that crawl it

`serve(folder)` serves it the way real portals do: ETag / Last-Modified with 304s, attachment
names in Content-Disposition (RFC 5987, and raw GBK bytes for the API's downloads), GBK pages
declared only in <meta>. `python -m yujuesuan.samples.demo build data/demo_portal` rebuilds the files.
"""

from __future__ import annotations

import html
import io
import json
import os
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from yujuesuan.samples.generator import Generated, Layout, generate
from yujuesuan.samples.portal import gbk, page_html

PER_PAGE = 3
# (seed, layout) of the demo's PDF attachments: grid / horizontal / no rules, 万元 / 元, split codes
DEMO_LAYOUTS: list[tuple[int, Layout]] = [
    (1, Layout(currency="万元", rules="grid")),
    (7, Layout(currency="万元", split_codes=True, rules="grid", rows_per_page=5)),
    (12, Layout(currency="元", rules="grid")),
    (3, Layout(currency="万元", rules="horizontal")),
    (5, Layout(currency="元", rules="none", decimals=True)),
    (9, Layout(currency="万元", split_codes=True, rules="horizontal")),
]
ZIP_LAYOUT = (21, Layout(currency="万元", rules="grid"))
HTML_REPORT_LAYOUT = (4, Layout(currency="万元", rules="grid"))
JIANGSU_LAYOUTS = [(30, Layout(currency="万元", rules="grid")), (31, Layout(currency="元", rules="horizontal"))]


# -- building -----------------------------------------------------------------------------------------


@dataclass
class Item:
    title: str
    href: str  # relative to the index folder
    date: str


def _index_page(items: list[Item], n: int, total: int) -> str:
    lis = "\n".join(
        f'<li><a href="{i.href}" title="{html.escape(i.title)}" target="_blank">{html.escape(i.title)}</a>'
        f"<span>{i.date}</span></li>"
        for i in items
    )
    body = f"""<div class="list"><h2>部门预决算公开</h2>
<ul class="list-items">
{lis}
</ul>
<div class="page"><script type="text/javascript">
var countPage = {total}; //共多少页
createPageHTML(countPage, {n}, "index", "html");
</script></div></div>"""
    return page_html("部门预决算公开 - 示例市财政局", body)


def _detail_page(title: str, paragraphs: list[str], attachments: list[tuple[str, str]], charset: str = "gb2312") -> str:
    ps = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    atts = "\n".join(f'<p>附件：<a href="{href}">{html.escape(text)}</a></p>' for href, text in attachments)
    body = f"""<div class="article"><h1>{html.escape(title)}</h1>
<div class="info">发布时间：2025-09-01　来源：示例市财政局　浏览次数：<span id="count"></span></div>
<div class="content">
{ps}
{atts}
</div></div>"""
    return page_html(f"{title} - 示例市财政局", body, charset)


def _money(value: Decimal, gen: Generated) -> str:
    if gen.layout.currency == "万元":
        return f"{value / 10000:,.2f}"
    return f"{value:,.2f}"


def html_report(gen: Generated) -> str:
    """The generated 决算's tables (and a short 情况说明) published as one HTML page."""
    by_table: dict[str, list] = defaultdict(list)
    for e in gen.expected:
        by_table[e.table_code].append(e)
    unit, year, cur = gen.unit_name, gen.year, gen.layout.currency
    total_in = next(e.value for e in by_table["01"] if e.row_label == "本年收入合计")
    total_out = next(e.value for e in by_table["01"] if e.row_label == "本年支出合计")
    parts = [
        f"<h1>{unit}{year}年度部门决算</h1>",
        "<p>目 录</p>",
        "<p>一、收入支出决算总表</p><p>二、收入决算表</p><p>三、支出决算表</p>",
        "<h2>第一部分 部门概况</h2>",
        f"<p>{unit}是本级政府工作部门，内设机构若干。</p>",
        "<h2>第二部分 部门决算情况说明</h2>",
        f"<p>一、收入支出决算总体情况说明：{year}年度收入总计{total_in / 10000:,.2f}万元，"
        f"支出总计{total_out / 10000:,.2f}万元。</p>",
        "<h2>第三部分 部门决算表</h2>",
    ]
    income = [e for e in by_table["01"] if e.section == "income"]
    spend = [e for e in by_table["01"] if e.section == "expenditure"]
    rows = []
    for i in range(max(len(income), len(spend))):
        left = income[i] if i < len(income) else None
        right = spend[i] if i < len(spend) else None
        cells = [left.row_label if left else "", _money(left.value, gen) if left else ""]
        cells += [right.row_label if right else "", _money(right.value, gen) if right else ""]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    parts += [
        "<p>公开01表</p><p>收入支出决算总表</p>",
        f"<p>部门：{unit}　{year}年度　单位：{cur}</p>",
        '<table border="1" cellspacing="0">',
        '<tr><td colspan="2">收入</td><td colspan="2">支出</td></tr>',
        "<tr><td>项目</td><td>决算数</td><td>项目</td><td>决算数</td></tr>",
        *rows,
        "</table>",
    ]
    for code, title in (("02", "收入决算表"), ("03", "支出决算表")):
        items = by_table[code]
        columns = list(dict.fromkeys(e.column for e in items))
        grid: dict[tuple[str | None, str], dict[str, Decimal]] = {}
        for e in items:
            grid.setdefault((e.code, e.row_label), {})[e.column] = e.value
        body = []
        for (c, label), values in grid.items():
            cells = [c or "", label] + [_money(values[col], gen) for col in columns]
            body.append("<tr>" + "".join(f"<td>{html.escape(x)}</td>" for x in cells) + "</tr>")
        head = "".join(f"<td>{html.escape(col)}</td>" for col in columns)
        parts += [
            f"<p>公开{code}表</p><p>{title}</p>",
            f"<p>部门：{unit}　{year}年度　单位：{cur}</p>",
            '<table border="1" cellspacing="0">',
            f"<tr><td>科目编码</td><td>科目名称</td>{head}</tr>",
            *body,
            "</table>",
        ]
    return "\n".join(parts)


def _unique(layouts: list[tuple[int, Layout]], taken: set[tuple[str, int]]) -> list[Generated]:
    out = []
    for seed, layout in layouts:
        s = seed
        while True:
            gen = generate(s, layout)
            if (gen.unit_name, gen.year) not in taken:
                taken.add((gen.unit_name, gen.year))
                out.append(gen)
                break
            s += 100
    return out


def build(folder: str | os.PathLike[str]) -> list[Path]:
    """Write the demo portal's files; returns them. Same output every time."""
    root = Path(folder)
    files: dict[str, bytes] = {}
    taken: set[tuple[str, int]] = set()
    files["robots.txt"] = b"User-agent: *\nDisallow: /admin/\n"
    files["index.html"] = page_html(
        "示例市人民政府门户网站", '<p><a href="/czj/yjsgk/index.html">财政预决算公开</a></p>', "utf-8"
    ).encode("utf-8")
    items: list[Item] = []
    for n, gen in enumerate(_unique(DEMO_LAYOUTS, taken)):
        art = 1001 + n
        title = f"{gen.unit_name}{gen.year}年度部门决算公开"
        pdf = f"/attach/{art}.pdf"
        files[pdf[1:]] = gen.pdf
        charset = "utf-8" if n == 2 else "gb2312"
        page = _detail_page(
            title,
            [f"根据《中华人民共和国预算法》等规定，现将{gen.unit_name}{gen.year}年度部门决算公开如下。"],
            [(pdf, f"{gen.unit_name}{gen.year}年度部门决算.pdf")],
            charset,
        )
        files[f"czj/yjsgk/art/2025/art_{art}.html"] = page.encode("utf-8" if charset == "utf-8" else "gbk")
        items.append(Item(title, f"./art/2025/art_{art}.html", f"2025-09-{n + 1:02d}"))
    # a ZIP attachment holding the PDF
    (zgen,) = _unique([ZIP_LAYOUT], taken)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo(f"{zgen.unit_name}{zgen.year}年度部门决算.pdf", date_time=(2025, 9, 1, 8, 0, 0))
        info.flag_bits |= 0x800
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, zgen.pdf)
    files["attach/1101.zip"] = buf.getvalue()
    title = f"{zgen.unit_name}{zgen.year}年度部门决算公开"
    files["czj/yjsgk/art/2025/art_1101.html"] = gbk(
        _detail_page(
            title, [f"{zgen.unit_name}{zgen.year}年度部门决算（压缩包）。"], [("/attach/1101.zip", "决算公开文件.zip")]
        )
    )
    items.append(Item(title, "./art/2025/art_1101.html", "2025-09-10"))
    # a report published as the page itself
    (hgen,) = _unique([HTML_REPORT_LAYOUT], taken)
    title = f"{hgen.unit_name}{hgen.year}年度部门决算"
    report = page_html(f"{title} - 示例市财政局", f'<div class="article">{html_report(hgen)}</div>')
    files["czj/yjsgk/art/2025/art_2001.html"] = gbk(report)
    items.append(Item(title, "./art/2025/art_2001.html", "2025-09-11"))
    # a news item the source's link filter leaves alone
    files["czj/yjsgk/art/2025/art_3001.html"] = gbk(_detail_page("示例市召开财政工作会议", ["会议要求……"], []))
    items.append(Item("示例市召开财政工作会议", "./art/2025/art_3001.html", "2025-09-12"))
    pages = [items[i : i + PER_PAGE] for i in range(0, len(items), PER_PAGE)]
    for n, chunk in enumerate(pages):
        name = "index.html" if n == 0 else f"index_{n}.html"
        files[f"czj/yjsgk/{name}"] = gbk(_index_page(chunk, n, len(pages)))
    # the 江苏-style API
    depts: list[dict] = []
    for n, gen in enumerate(_unique(JIANGSU_LAYOUTS, taken)):
        uuid, file_iid = f"demo-{n + 1:04d}", 9001 + n
        known = {d["name"]: d["iid"] for d in depts}
        iid = known.get(gen.unit_name, 501 + len(depts))
        if gen.unit_name not in known:
            depts.append({"iid": iid, "name": gen.unit_name, "pid": 122, "dtype": 1})
        files[f"jiangsu/items_{iid}_{gen.year}_2_p1.json"] = _json(
            {"budgetTemplates": [{"uuid": uuid, "title": f"{gen.unit_name}{gen.year}年度部门决算"}], "pageNum": 1}
        )
        files[f"jiangsu/files_{uuid}.json"] = _json(
            [
                {
                    "iid": file_iid,
                    "t_oldname": f"{gen.unit_name}{gen.year}年度部门决算公开表格.pdf",
                    "t_uploaddate": "2025-09-01",
                }
            ]
        )
        files[f"jiangsu/download/{file_iid}.pdf"] = gen.pdf
        files[f"jiangsu/departments_122_{gen.year}_2.json"] = _json(
            [d for d in depts if files.get(f"jiangsu/items_{d['iid']}_{gen.year}_2_p1.json")]
        )
    years = sorted({int(k.split("_")[2]) for k in files if k.startswith("jiangsu/departments_")})
    files["sources/demo-cms.yaml"] = DEMO_CMS_SOURCE.encode("utf-8")
    files["sources/demo-jiangsu.yaml"] = DEMO_JIANGSU_SOURCE.format(years=years).encode("utf-8")
    written = []
    for rel, data in sorted(files.items()):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    return written


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")


DEMO_CMS_SOURCE = """\
# The bundled demo portal's 部门预决算 column (a TRS-style CMS with GBK pages).
# ${YUJUESUAN_DEMO_URL} is set by `yujuesuan nightly --demo` to where it serves the portal.
name: 示例市财政局 部门预决算公开（演示）
adapter: generic_cms
region: 示例市
start_urls:
  - ${YUJUESUAN_DEMO_URL}/czj/yjsgk/index.html
index:
  max_pages: 10
  follow:
    text_any: [预算, 决算]
limits:
  rate_per_second: 50
  concurrency: 4
  timeout_seconds: 10
  backoff_seconds: 0.2
health:
  min_documents: 8
  stale_after_days: 400
"""

DEMO_JIANGSU_SOURCE = """\
# The demo portal's copy of the 江苏 unified platform's JSON API.
name: 江苏省预决算公开统一平台（演示）
adapter: jiangsu_api
region: 无锡市
jiangsu:
  base_url: ${{YUJUESUAN_DEMO_URL}}/jiangsu/
  regions: [122]
  years: {years}
  typeids: [2]
limits:
  rate_per_second: 50
  concurrency: 2
  timeout_seconds: 10
  backoff_seconds: 0.2
health:
  min_documents: 2
"""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) == 2 and args[0] == "build":
        files = build(args[1])
        print(f"{len(files)} files in {args[1]}")
        return 0
    print("usage: python -m yujuesuan.samples.demo build FOLDER", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
