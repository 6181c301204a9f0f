"""Text of web pages and HTML reports: bytes → str, never mangled.

Encoding comes from, in order: a byte-order mark, the Content-Type header's charset, a
<meta charset> / http-equiv in the first bytes, then a strict UTF-8 trial, then GB18030 (a
superset of GB2312 and GBK). Chinese portals mix all of these. Only text encodings a web page can
be in are honoured (the WHATWG Encoding Standard's, as Python names them): a declared base64,
rot13, zlib, idna, punycode, utf-7, an unknown label … is ignored — `Decoded.ignored`, with a
`warning` for the caller to report — and the bytes decoded by detection. Bytes that are not valid
in the encoding used are decoded with replacement characters and counted, never silently dropped.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)
# labels portals use, mapped to the codec that decodes all of them
ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030"}
# the codecs of the WHATWG encodings Python has (codecs.lookup(label).name); nothing else is honoured
TEXT_CODECS = frozenset(
    ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "euc_jp",
     "iso2022_jp", "shift_jis", "cp932", "euc_kr", "cp949", "cp866", "koi8-r", "koi8-u", "mac-roman",
     "mac-cyrillic", "cp874", "tis-620", "ascii", "iso8859-1"]
    + [f"cp{n}" for n in range(1250, 1259)]
    + [f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)]
)  # fmt: skip
UTF16 = ("utf-16", "utf-16-le", "utf-16-be")


@dataclass
class Decoded:
    text: str
    encoding: str  # the codec used
    declared: str | None  # what the header or meta said, if anything
    replaced: int  # characters that could not be decoded (0 for a clean page)
    ignored: str | None = None  # a declared label not honoured (no text encoding, unknown): detected instead

    @property
    def warning(self) -> str | None:
        """One line saying a declared charset was not honoured, or None."""
        if self.ignored is None:
            return None
        return f"the declared charset {self.ignored!r} is not a text encoding of web pages; read as {self.encoding}"


def text_codec(label: str | None) -> str | None:
    """The codec a declared label names, if it is a text encoding a page can be in."""
    if not label:
        return None
    label = label.strip().lower()
    if label in ALIASES:
        return ALIASES[label]
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return name if name in TEXT_CODECS else None


def decode_html(body: bytes, content_type: str = "", forced: str = "auto") -> Decoded:
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return Decoded(body.decode(name, "replace").lstrip("\ufeff"), name, name, 0)
    declared = None
    from_meta = False
    if forced != "auto":
        declared = forced
    else:
        m = HEADER_CHARSET.search(content_type or "")
        if m:
            declared = m.group(1)
        else:
            m2 = META_CHARSET.search(body[:4096])
            if m2:
                declared, from_meta = m2.group(1).decode("ascii", "replace"), True
    codec = text_codec(declared)
    if from_meta and codec in UTF16:
        codec = None  # the meta was read as ASCII, so the page is no UTF-16 (WHATWG: UTF-8)
    ignored = declared if declared and codec is None else None
    candidates = [codec] if codec else ["utf-8", "gb18030"]
    for name in candidates:
        try:
            return Decoded(body.decode(name), name, declared, 0, ignored)
        except UnicodeError:
            continue
    name = candidates[0]
    text = body.decode(name, "replace")
    return Decoded(text, name, declared, text.count("\ufffd"), ignored)
