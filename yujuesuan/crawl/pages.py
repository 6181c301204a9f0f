"""Reading portal pages (pure: text in, links out); the bytes are decoded by
`extractors.encoding.decode_html` (BOM, header, meta, UTF-8, GB18030)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

from extractors.encoding import Decoded, decode_html

__all__ = ["Decoded", "Link", "Page", "absolute", "decode_html", "read_page", "text_hash"]


ELLIPSIS = ("...", "…", "..", "。。。")


@dataclass
class Link:
    url: str  # absolute, fragment removed
    text: str  # the anchor's text (or its title attribute), whitespace collapsed

    @property
    def truncated(self) -> bool:
        """List pages cut long titles (…2024年部门预...): the text cannot be filtered on."""
        return self.text.endswith(ELLIPSIS)


def anchor_text(text: str, title: str) -> str:
    """What a link says: its text, or its title attribute where that is the full form of a text
    the list page cut short (or the text is empty)."""
    if not text:
        return title
    cut = text.rstrip(".…。 ")
    if title and (text.endswith(ELLIPSIS) or len(title) > len(text)) and title.startswith(cut[: max(2, len(cut) - 1)]):
        return title
    return text


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
            self.base = absolute(self.base, a["href"]) or self.base
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
            text = anchor_text(" ".join("".join(parts).split()), " ".join(title.split()))
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
    """An href made absolute, without its fragment; None for what is no http(s) URL."""
    href = href.strip()
    if not href or href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
        return None
    try:
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
    except ValueError:  # no URL at all (http://[::1, a bad port …): not a link
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def text_hash(page: Page) -> str:
    """sha256 of a page's visible text: HTML reports are versioned by their text, not their bytes
    (view counters and timestamps change the bytes of an unchanged report)."""
    return hashlib.sha256(page.text.encode("utf-8")).hexdigest()


def read_page(html: str, url: str) -> Page:
    r = _Reader(url)
    r.feed(html)
    r.close()
    lines = ("".join(r._text)).splitlines()
    r.page.text = "\n".join(" ".join(line.split()) for line in lines if line.strip())
    return r.page
