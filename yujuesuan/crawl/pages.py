"""Reading portal pages (pure: bytes in, text and links out).

Encoding comes from, in order: a byte-order mark, the Content-Type header's charset, a
<meta charset> / http-equiv in the first bytes, then a strict UTF-8 trial, then GB18030 (a
superset of GB2312 and GBK). Chinese portals mix all of these. A page that is not valid in its
declared encoding is decoded with replacement characters and reported, never silently mangled.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
# labels portals use, mapped to the codec that decodes all of them
ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}


@dataclass
class Decoded:
    text: str
    encoding: str  # the codec used
    declared: str | None  # what the header or meta said, if anything
    replaced: int  # characters that could not be decoded (0 for a clean page)


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    if label in ALIASES:
        return ALIASES[label]
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_page(body: bytes, content_type: str = "", forced: str = "auto") -> Decoded:
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return Decoded(body.decode(name, "replace").lstrip("\ufeff"), name, name, 0)
    declared = None
    if forced != "auto":
        declared = forced
    else:
        m = HEADER_CHARSET.search(content_type or "")
        if m:
            declared = m.group(1)
        else:
            m2 = META_CHARSET.search(body[:4096])
            if m2:
                declared = m2.group(1).decode("ascii", "replace")
    codec = _codec(declared)
    candidates = [codec] if codec else ["utf-8", "gb18030"]
    for name in candidates:
        try:
            return Decoded(body.decode(name), name, declared, 0)
        except UnicodeDecodeError:
            continue
    name = candidates[0]
    text = body.decode(name, "replace")
    return Decoded(text, name, declared, text.count("\ufffd"))


@dataclass
class Link:
    url: str  # absolute, fragment removed
    text: str  # the anchor's text (or its title attribute), whitespace collapsed


@dataclass
class Page:
    url: str
    title: str
    text: str  # visible text, blocks on their own lines
    links: list[Link] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)  # inline script bodies
    tables: int = 0


class _Reader(HTMLParser):
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article"}
    SKIP = {"style", "noscript"}

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.page = Page(url=base, title="", text="")
        self._text: list[str] = []
        self._title: list[str] | None = None
        self._anchor: tuple[str, list[str], str] | None = None
        self._script: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "base" and a.get("href"):
            self.base = urljoin(self.base, a["href"])
        elif tag == "title":
            self._title = []
        elif tag == "script":
            self._script = []
        elif tag in self.SKIP:
            self._skip += 1
        elif tag == "a" and a.get("href"):
            self._anchor = (a["href"], [], a.get("title", ""))
        if tag == "table":
            self.page.tables += 1
        if tag in self.BLOCK or tag in ("td", "th"):
            self._text.append("\n" if tag in self.BLOCK else " ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self._title is not None:
            self.page.title = " ".join("".join(self._title).split())
            self._title = None
        elif tag == "script" and self._script is not None:
            self.page.scripts.append("".join(self._script))
            self._script = None
        elif tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "a" and self._anchor is not None:
            href, parts, title = self._anchor
            text = " ".join("".join(parts).split()) or title.strip()
            url = absolute(self.base, href)
            if url:
                self.page.links.append(Link(url, text))
            self._anchor = None
        if tag in self.BLOCK:
            self._text.append("\n")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
            return
        if self._title is not None:
            self._title.append(data)
            return
        if self._skip:
            return
        if self._anchor is not None:
            self._anchor[1].append(data)
        self._text.append(data)


def absolute(base: str, href: str) -> str | None:
    href = href.strip()
    if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("http", "https"):
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def read_page(html: str, url: str) -> Page:
    r = _Reader(url)
    r.feed(html)
    r.close()
    lines = ("".join(r._text)).splitlines()
    r.page.text = "\n".join(" ".join(line.split()) for line in lines if line.strip())
    return r.page
