"""Undoing a body's Content-Encoding (gzip, deflate) as its bytes arrive, never past a cap.

Pure (bytes in, bytes out). A body of 8 MB that inflates to 8 GiB stops at the cap, having held
no more than the cap: each chunk is inflated with `max_length` = what is left of it. Gzip bodies
of several members are read whole (as `gzip.decompress` does); a `deflate` body may be zlib (RFC
1950, what the standard says) or raw deflate (what some servers send)."""

from __future__ import annotations

import zlib

ENCODINGS = ("gzip", "x-gzip", "deflate")
GZIP_OR_ZLIB = 32 + 15  # zlib's automatic header detection
RAW_DEFLATE = -15


class InflateError(ValueError):
    """The body cannot be inflated: `too_large` (over the cap) or a broken / cut stream."""

    def __init__(self, message: str, too_large: bool = False) -> None:
        super().__init__(message)
        self.too_large = too_large


def _zlib_header(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


class Inflater:
    def __init__(self, encoding: str, cap: int) -> None:
        self.encoding = encoding
        self.cap = cap
        self.out = bytearray()
        self._d: zlib._Decompress | None = None
        self._head = b""  # the first bytes, until the stream's kind can be told
        self._done = False

    def feed(self, data: bytes) -> None:
        if self._d is None:
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            raw = self.encoding == "deflate" and not _zlib_header(data)
            self._d = zlib.decompressobj(RAW_DEFLATE if raw else GZIP_OR_ZLIB)
        try:
            while data and not self._done:
                if self._d.eof:
                    if data[:2] != b"\x1f\x8b":
                        self._done = True  # what follows the stream (padding) is no body
                        break
                    self._d = zlib.decompressobj(GZIP_OR_ZLIB)  # the next gzip member
                self.out += self._d.decompress(data, self.cap - len(self.out) + 1)
                if len(self.out) > self.cap:
                    raise InflateError(f"more than the {self.cap:,}-byte cap once decompressed", too_large=True)
                data = self._d.unused_data if self._d.eof else self._d.unconsumed_tail
        except zlib.error as exc:
            raise InflateError(f"{self.encoding} body cannot be decompressed: {exc}") from None

    def finish(self) -> bytes:
        if self._d is None and self._head:
            raise InflateError(f"{self.encoding} body of {len(self._head)} byte(s) cannot be decompressed")
        if self._d is not None and not self._d.eof:
            raise InflateError(f"{self.encoding} body ended before its stream did (cut short)")
        return bytes(self.out)
