"""The raw store on disk: every downloaded file once, by content, and the manifest of fetches.

    RAW/<sha256>            the bytes, written once (temporary name, then renamed)
    RAW/manifest.jsonl      one JSON line per document fetch (appended and flushed; fsynced at once when
                            the fetch brought new bytes, else with the crawl's end: `sync`)

A line cut short by a killed process is ignored when the manifest is read, so a crash loses at
most the fetch it was recording, never the store (a power cut before `sync` may lose lines of
fetches that brought nothing new: the next crawl asks for them again).

At an fsspec URL (`memory://raw`, `s3://bucket/raw`; `yujuesuan.warehouse.fs`) the blobs are put whole,
and since an object store cannot append, each fetch's line is an object of its own,
`RAW/manifest.d/<time>-<host>-<pid>-<random>.jsonl`, read in name order after any `manifest.jsonl`."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import socket
import threading
import time
from pathlib import Path
from typing import Any

from yujuesuan.warehouse.fs import Remote, folder

log = logging.getLogger(__name__)
SUCCESS = ("new", "changed", "unchanged", "not_modified")
NEW_BYTES = ("new", "changed")  # fetches whose manifest line is synced at once
MANIFEST = "manifest.jsonl"
SEGMENTS = "manifest.d"  # a remote store's manifest lines, one object each


class RawStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.fs = folder(root)
        self.root: Any = self.fs.url if isinstance(self.fs, Remote) else self.fs.root  # a Path locally
        self.manifest: Any = self.fs.key(MANIFEST)
        self._lock = threading.Lock()
        self._rows: list[dict] | None = None
        self._last: dict[str, dict] = {}  # URL → its latest successful fetch (kept with _rows: no scan per URL)

    def path(self, sha256: str) -> Any:
        """The blob's file: a Path locally, else its key on the store's filesystem (see `local_path`)."""
        return self.fs.key(sha256)

    def local_path(self, sha256: str) -> Path:
        """A local file with the blob's bytes (a remote store's are fetched once into a local cache)."""
        return self.fs.local_copy(sha256)

    def has(self, sha256: str) -> bool:
        return self.fs.exists(sha256)

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        self.fs.write_once(data, sha)
        return sha

    def read(self, sha256: str) -> bytes:
        return self.fs.read(sha256)

    def rows(self) -> list[dict]:
        with self._lock:
            return list(self._load())

    def _load(self) -> list[dict]:
        """The manifest's rows, read once (the caller holds the lock)."""
        if self._rows is None:
            self._rows, self._last = [], {}
            self._read_lines(self.fs.read(MANIFEST) if self.fs.exists(MANIFEST) else b"", str(self.manifest))
            if isinstance(self.fs, Remote):
                for name in self.fs.names(SEGMENTS):
                    self._read_lines(self.fs.read(SEGMENTS, name), self.fs.url_of(SEGMENTS, name))
        return self._rows

    def _add(self, row: dict) -> None:
        assert self._rows is not None
        self._rows.append(row)
        if row.get("outcome") in SUCCESS and row.get("sha256"):
            self._last[row["url"]] = row  # the latest successful fetch of its URL

    def _read_lines(self, data: bytes, where: str) -> None:
        for n, line in enumerate(data.splitlines(), 1):
            try:
                self._add(json.loads(line))
            except (json.JSONDecodeError, UnicodeDecodeError):
                log.warning("%s line %d is incomplete (an interrupted run); ignored", where, n)

    def append(self, row: dict) -> None:
        line = json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"
        if isinstance(self.fs, Remote):  # an object of its own: one PUT, nothing to append to
            with self._lock:
                self._load()
            name = f"{time.time_ns():020d}-{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}.jsonl"
            self.fs.write(line.encode("utf-8"), SEGMENTS, name)
            with self._lock:
                self._add(row)
            return
        with self._lock:
            self._load()
            self.root.mkdir(parents=True, exist_ok=True)
            with self.manifest.open("ab") as fh:
                if fh.tell() and not self._ends_with_newline():
                    fh.write(b"\n")  # close a line a killed run left open
                fh.write(line.encode("utf-8"))
                fh.flush()  # a killed process loses nothing written
                if row.get("outcome") in NEW_BYTES:  # a fetch that brought bytes: on disk before it counts
                    os.fsync(fh.fileno())
            self._add(row)

    def sync(self) -> None:
        """Every line appended so far on disk (fsync): a crawl's fetches that brought nothing new are synced
        once at its end, not one by one (10,000 unchanged documents were 40 s of fsync)."""
        if isinstance(self.fs, Remote):
            return  # each line an object, put whole
        with self._lock:
            if self.manifest.exists():
                with self.manifest.open("rb") as fh:
                    os.fsync(fh.fileno())

    def _ends_with_newline(self) -> bool:
        with self.manifest.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def last_success(self, url: str) -> dict | None:
        """The latest fetch of a URL that gave a document (what conditional GET asks against)."""
        with self._lock:
            self._load()
            return self._last.get(url)

    def current(self) -> dict[str, dict]:
        """URL → its latest successful fetch."""
        with self._lock:
            self._load()
            return dict(self._last)

    def superseded(self) -> set[str]:
        """Documents (sha256) that some URL served once and serves no longer, and no URL serves now."""
        seen: set[str] = set()
        for row in self.rows():
            if row["outcome"] in SUCCESS and row.get("sha256"):
                seen.add(row["sha256"])
        now = {row["sha256"] for row in self.current().values()}
        return seen - now
