"""A file's format from its bytes, never from its name.

Magic numbers first (`%PDF-`, PNG/JPEG/TIFF); then the container: an OOXML ZIP names its
parts in `[Content_Types].xml` (spreadsheetml → xlsx, wordprocessingml → docx), an OLE2
compound file names its streams in its directory (`Workbook`/`Book` → xls, `WordDocument` →
doc); then HTML by its first tags. Where only the file's first bytes are given (a sniff of the
head), a container that cannot be opened is told by the part names it shows, else by its name.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg", b"II*\x00": "tiff", b"MM\x00*": "tiff"}
HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table)\b", re.I | re.S
)
# the extension each format goes by (what a mismatch is measured against)
EXTENSIONS = {
    ".pdf": "pdf",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".docx": "docx",
    ".doc": "doc",
    ".html": "html",
    ".htm": "html",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".tif": "tiff",
    ".tiff": "tiff",
}
WORKBOOK_STREAMS = {"workbook", "book"}


def _ooxml(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            types = z.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError):
        # only the head of the file, or a damaged one: the part names its local headers show
        if b"word/" in data:
            return "docx"
        if b"xl/" in data:
            return "xlsx"
        return None
    if b"spreadsheetml" in types:
        return "xlsx"
    if b"wordprocessingml" in types:
        return "docx"
    if b"presentationml" in types:
        return "pptx"
    return "zip"


def ole2_streams(data: bytes) -> set[str]:
    """Names in an OLE2 compound file's directory (lower-cased). Directory entries are 128
    bytes, aligned to 128 after the header; each names itself in UTF-16LE with its length."""
    names: set[str] = set()
    for off in range(512, len(data) - 127, 128):
        size = struct.unpack_from("<H", data, off + 64)[0]
        kind = data[off + 66]
        if not 2 <= size <= 64 or size % 2 or kind not in (1, 2, 5):
            continue
        try:
            name = data[off : off + size - 2].decode("utf-16-le")
        except UnicodeDecodeError:
            continue
        if name and name.isprintable():
            names.add(name.lower())
    return names


def _ole2(data: bytes) -> str | None:
    names = ole2_streams(data)
    if names & WORKBOOK_STREAMS:
        return "xls"
    if "worddocument" in names:
        return "doc"
    if "powerpoint document" in names:
        return "ppt"
    return None


def named_format(file_name: str) -> str | None:
    """The format the file's extension claims, if it names one."""
    name = file_name.lower()
    dot = name.rfind(".")
    return EXTENSIONS.get(name[dot:]) if dot >= 0 else None


def detect_format(data: bytes, file_name: str = "") -> str | None:
    """pdf | xlsx | docx | xls | doc | html | png | jpeg | tiff (or pptx, ppt, zip); None when
    the bytes are none of these. `file_name` only decides a container the bytes given cannot."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    for magic, fmt in IMAGES.items():
        if head.startswith(magic):
            return fmt
    claimed = named_format(file_name)
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(data) or (claimed if claimed in ("xlsx", "docx") else "xlsx")
    if head.startswith(OLE2):
        return _ole2(data) or (claimed if claimed in ("xls", "doc") else "xls")
    if HTML_START.match(head):
        return "html"
    return None
