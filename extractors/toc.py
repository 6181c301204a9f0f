"""The document's table of contents: which standard tables it promises, under which number."""

from __future__ import annotations

import re

from extractors.layout import PageLayout
from extractors.locate import LEADER, cn_to_int, is_toc_page, page_lines
from extractors.spec import match_title

TOC_ENTRY = re.compile(r"^(?:([一二三四五六七八九十]+)[、.．]|(\d{1,2})[、.．]|公开(\d{1,2})表)\s*(.+)$")


def read_toc(pages: list[PageLayout], kind: str | None) -> dict[str, str]:
    """{table family: two-digit number} for every standard table the contents list."""
    found: dict[str, str] = {}
    previous_toc = False
    for page in pages[:6]:
        lines = page_lines(page)
        if lines and is_toc_page(lines):
            previous_toc = True
        elif lines and previous_toc:
            # the contents run onto this page until the body starts (第一部分 again)
            end = next((i for i, ln in enumerate(lines) if ln.key.startswith("第一部分")), len(lines))
            lines, previous_toc = lines[:end], False
        else:
            previous_toc = False
            continue
        for ln in lines:
            text = LEADER.split(ln.key)[0]
            text = re.sub(r"\d+$", "", text) if LEADER.search(ln.key) else text
            m = TOC_ENTRY.match(text)
            if not m:
                continue
            number = cn_to_int(m.group(1) or m.group(2) or m.group(3) or "")
            spec = match_title(m.group(4), kind)
            if spec and not spec.reader and number and spec.family not in found:
                found[spec.family] = f"{number:02d}"
    return found
