"""Bounded stream decoding for pdfminer.

pdfminer decodes a stream whole (`zlib.decompress`), so a 1 MB FlateDecode stream of 1 GiB of
zeros is 1 GiB in memory before anything can look at it, and a bad checksum sends it to
`decompress_corrupted`, which feeds zlib one byte at a time into a growing bytes object
(quadratic: hours). `install()` swaps the decoders `PDFStream.decode` calls, inside pdfminer's
`pdftypes` module, for ones that stop at `MAX_STREAM_BYTES` of output per stream (and at the
document's `MAX_DOCUMENT_DECODED_BYTES`) by raising `TooLarge`, and that read corrupted Flate
data in linear time with the same result. pdfminer's files are not edited; its filter logic
(filter chains, predictors, the other filters) is unchanged.
"""

from __future__ import annotations

import zlib
from io import BytesIO
from types import SimpleNamespace

from pdfminer import pdftypes
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.ccitt import ccittfaxdecode
from pdfminer.lzw import LZWDecoder
from pdfminer.runlength import rldecode

from extractors.limits import MAX_DOCUMENT_DECODED_BYTES, MAX_STREAM_BYTES, TooLarge, budget

CHUNK = 1 << 16


def _charge(total: int, added: int) -> None:
    """Output so far of one stream is `total` bytes, `added` of them just now."""
    b = budget()
    if total > MAX_STREAM_BYTES:
        hit = TooLarge("bytes of one decoded PDF stream", MAX_STREAM_BYTES)
        raise b.exceed(hit.what, hit.limit) if b else hit
    if b is not None:
        b.decoded_bytes += added
        if b.decoded_bytes > MAX_DOCUMENT_DECODED_BYTES:
            raise b.exceed(
                "bytes of the document's decoded PDF streams", MAX_DOCUMENT_DECODED_BYTES, whole_document=True
            )


def _inflate_into(d: zlib._Decompress, data: bytes, out: bytearray) -> None:
    """Feed `data` to `d`, appending its output to `out`, never more than the cap allows."""
    buf = data
    while True:
        chunk = d.decompress(buf, CHUNK)
        out += chunk
        _charge(len(out), len(chunk))
        buf = d.unconsumed_tail
        if d.eof or (not buf and not chunk):
            return


def inflate(data: bytes) -> bytes:
    """`zlib.decompress`, bounded: raises zlib.error on a broken or incomplete stream."""
    d = zlib.decompressobj()
    out = bytearray()
    _inflate_into(d, data, out)
    if not d.eof:
        raise zlib.error("incomplete or truncated stream")
    return bytes(out)


def inflate_corrupted(data: bytes) -> bytes:
    """pdfminer's `decompress_corrupted` (what can be read of a stream whose checksum or end is
    damaged; an error before the last 3 bytes raises), in linear time and bounded."""
    d = zlib.decompressobj()
    out = bytearray()
    for start in range(0, len(data), CHUNK):
        part = data[start : start + CHUNK]
        saved, kept = d.copy(), len(out)
        try:
            _inflate_into(d, part, out)
        except zlib.error:
            d, out = saved, out[:kept]  # again byte by byte, to stop exactly where it breaks
            for k in range(len(part)):
                try:
                    _inflate_into(d, part[k : k + 1], out)
                except zlib.error:
                    if start + k < len(data) - 3:
                        raise
                    return bytes(out)
        if d.eof:
            break
    return bytes(out)


def lzw(data: bytes) -> bytes:
    out = bytearray()
    for chunk in LZWDecoder(BytesIO(data)).run():
        out += chunk
        _charge(len(out), len(chunk))
    return bytes(out)


def runlength(data: bytes) -> bytes:
    """RunLengthDecode, its output size counted from the run lengths before it is decoded."""
    total, i = 0, 0
    while i < len(data) and data[i] != 128:
        length = data[i]
        total += length + 1 if length < 128 else 257 - length
        i += length + 2 if length < 128 else 2
        if total > MAX_STREAM_BYTES:
            _charge(total, 0)
    out = rldecode(data)
    _charge(len(out), len(out))
    return out


def _checked(decoder):  # decoders whose output is at most a few times their input
    def run(*args):
        out = decoder(*args)
        _charge(len(out), len(out))
        return out

    return run


def install() -> None:
    """Route pdfminer's stream decoding through the bounded decoders (idempotent)."""
    if getattr(pdftypes, "_yujuesuan_bounded", False):
        return
    # pdfminer uses only zlib.decompress and zlib.error: a stand-in namespace, not a module
    pdftypes.zlib = SimpleNamespace(decompress=inflate, error=zlib.error)  # type: ignore[assignment]
    pdftypes.decompress_corrupted = inflate_corrupted
    pdftypes.lzwdecode = lzw
    pdftypes.rldecode = runlength
    pdftypes.ascii85decode = _checked(ascii85decode)
    pdftypes.asciihexdecode = _checked(asciihexdecode)
    pdftypes.ccittfaxdecode = _checked(ccittfaxdecode)
    setattr(pdftypes, "_yujuesuan_bounded", True)  # the marker install() reads  # noqa: B010
