"""Text of web pages and HTML reports: bytes → str, never mangled.

Encoding comes from, in order: a byte-order mark, the Content-Type header's charset, a
<meta charset> / http-equiv in the first bytes, then a strict UTF-8 trial, then GB18030 (a
superset of GB2312 and GBK). Chinese portals mix all of these. Bytes that are not valid in the
declared encoding are decoded with replacement characters and counted, never silently dropped.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

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


def decode_html(body: bytes, content_type: str = "", forced: str = "auto") -> Decoded:
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
