"""Safe unpacking of ZIP attachments (pure: bytes in, members out).

Limits: member count, total unpacked size, per-member compression ratio (zip bombs). Entries
that would escape the folder (`../`, absolute paths, drive letters) or are links or folders are
refused and reported, never written anywhere. Member names in GBK (no UTF-8 flag) are decoded."""

from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import dataclass, field

from yujuesuan.crawl.names import extension, sanitise


@dataclass
class Member:
    name: str  # sanitised file name
    path: str  # as stored in the archive (decoded)
    data: bytes


@dataclass
class Unpacked:
    members: list[Member] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (entry, why)


def _entry_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:
        return info.filename
    try:  # no UTF-8 flag: zipfile decoded cp437; the bytes are usually GBK
        return info.filename.encode("cp437").decode("gb18030")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def unpack(
    data: bytes, *, max_members: int = 200, max_total: int = 500 * 1024 * 1024, max_ratio: int = 200
) -> Unpacked:
    out = Unpacked()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        out.refused.append(("(archive)", f"not a readable ZIP: {exc}"))
        return out
    total = 0
    with zf:
        infos = zf.infolist()
        if len(infos) > max_members:
            out.refused.append(("(archive)", f"{len(infos)} entries, over the limit of {max_members}"))
            return out
        for info in infos:
            path = _entry_name(info)
            norm = posixpath.normpath(path.replace("\\", "/"))
            if info.is_dir():
                continue
            if path.startswith(("/", "\\")) or norm.startswith("..") or (len(path) > 1 and path[1] == ":"):
                out.refused.append((path, "path escapes the archive"))
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                out.refused.append((path, "symbolic link"))
                continue
            if extension(path) is None:
                out.refused.append((path, "not a document type"))
                continue
            if info.compress_size and info.file_size / info.compress_size > max_ratio:
                out.refused.append((path, f"compression ratio over {max_ratio}"))
                continue
            total += info.file_size
            if total > max_total:
                out.refused.append((path, f"unpacked size over {max_total:,} bytes"))
                break
            try:
                body = zf.read(info)
            except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
                out.refused.append((path, f"unreadable: {exc}"))
                continue
            out.members.append(Member(sanitise(posixpath.basename(norm)), path, body))
    return out
