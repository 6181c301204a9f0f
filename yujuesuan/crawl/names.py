"""File names and file kinds of downloads (pure).

A name comes from Content-Disposition (RFC 5987/6266 `filename*=UTF-8''…`, else `filename=`,
whose raw bytes portals often send in GBK or UTF-8), else the link text, else the URL's last
path segment. It is then made safe: no directories, no control or reserved characters, no
leading dots, at most 180 bytes, extension kept.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from extractors.encoding import text_codec

EXTENSIONS = ("pdf", "xls", "xlsx", "doc", "docx", "zip", "html", "htm", "et", "wps", "rar", "7z")
RESERVED = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
EXT_FORMAT = {"htm": "html"}


def _bytes_text(raw: bytes) -> str:
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def disposition_name(header: str | None) -> str | None:
    """The file name a Content-Disposition header gives, decoded, or None.

    httpx hands header values over as latin-1 text, so raw GBK/UTF-8 bytes are recovered by
    re-encoding them as latin-1 before decoding."""
    if not header:
        return None
    m = re.search(r"filename\*\s*=\s*([^';]*)'[^']*'([^;]+)", header, re.I)
    if m:
        codec = text_codec(m.group(1) or "utf-8")  # only a text encoding (not base64, undefined …)
        raw = unquote_to_bytes(m.group(2).strip().strip('"'))
        try:
            return raw.decode(codec) if codec else _bytes_text(raw)
        except UnicodeError:
            return _bytes_text(raw)
    m = re.search(r'filename\s*=\s*"([^"]*)"', header, re.I) or re.search(r"filename\s*=\s*([^;]+)", header, re.I)
    if not m:
        return None
    value = m.group(1).strip()
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:  # already real text
        return unquote(value)
    text = _bytes_text(raw)
    return unquote(text) if "%" in text else text


def url_name(url: str) -> str:
    return unquote(posixpath.basename(urlsplit(url).path))


def extension(name: str) -> str | None:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext if ext in EXTENSIONS else None


def sanitise(name: str, fallback: str = "document") -> str:
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = RESERVED.sub("_", name).strip().strip(".").strip()
    name = re.sub(r"\s+", " ", name)
    if not name:
        name = fallback
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 8:
        stem, ext = name, ""
    while len((stem + ("." + ext if ext else "")).encode("utf-8")) > 180 and stem:
        stem = stem[:-1]
    return stem + ("." + ext if ext else "")


def choose_name(disposition: str | None, url: str, link_text: str = "", sniffed: str | None = None) -> str:
    """The best original name for a download; gets the sniffed extension when it has none."""
    for candidate in (disposition_name(disposition), link_text, url_name(url)):
        if candidate and extension(candidate):
            return sanitise(candidate)
    base = disposition_name(disposition) or link_text or url_name(url) or "document"
    name = sanitise(base)
    return f"{name}.{sniffed}" if sniffed and extension(name) is None else name


def sniff(body: bytes) -> str | None:
    """What the bytes are, whatever the server said: pdf, zip (also xlsx/docx), ole (xls/doc), html."""
    head = body[:1024]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    probe = head.lstrip().lower()
    if probe.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<body", b"<?xml", b"<script", b"<title")):
        return "html"
    if b"<html" in probe or b"<body" in probe:
        return "html"
    return None


def fits(expected_ext: str | None, sniffed: str | None) -> bool:
    """Whether bytes of kind `sniffed` can be a file with extension `expected_ext`."""
    if expected_ext is None:
        return sniffed is not None
    return {
        "pdf": sniffed == "pdf",
        "xlsx": sniffed == "zip",
        "docx": sniffed == "zip",
        "zip": sniffed == "zip",
        "xls": sniffed in ("ole", "html"),  # some portals save HTML tables as .xls
        "doc": sniffed in ("ole", "html"),
        "et": sniffed == "ole",  # WPS 表格
        "wps": sniffed == "ole",  # WPS 文字
        "html": sniffed == "html",
        "htm": sniffed == "html",
    }.get(expected_ext, sniffed is not None)
