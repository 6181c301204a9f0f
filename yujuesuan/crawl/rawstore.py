"""The raw store on disk: every downloaded file once, by content, and the manifest of fetches.

    RAW/<sha256>            the bytes, written once (temporary name, then renamed)
    RAW/manifest.jsonl      one JSON line per document fetch (appended, flushed and fsynced)

A line cut short by a killed process is ignored when the manifest is read, so a crash loses at
most the fetch it was recording, never the store."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path

from yujuesuan.warehouse.store import write_once

log = logging.getLogger(__name__)
SUCCESS = ("new", "changed", "unchanged", "not_modified")


class RawStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.manifest = self.root / "manifest.jsonl"
        self._lock = threading.Lock()
        self._rows: list[dict] | None = None

    def path(self, sha256: str) -> Path:
        return self.root / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def put(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        write_once(self.path(sha), data)
        return sha

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def rows(self) -> list[dict]:
        with self._lock:
            if self._rows is None:
                self._rows = []
                if self.manifest.exists():
                    with self.manifest.open("rb") as fh:
                        for n, line in enumerate(fh, 1):
                            try:
                                self._rows.append(json.loads(line))
                            except (json.JSONDecodeError, UnicodeDecodeError):
                                log.warning("%s line %d is incomplete (an interrupted run); ignored", self.manifest, n)
            return list(self._rows)

    def append(self, row: dict) -> None:
        self.rows()
        line = json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with self.manifest.open("ab") as fh:
                if fh.tell() and not self._ends_with_newline():
                    fh.write(b"\n")  # close a line a killed run left open
                fh.write(line.encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            assert self._rows is not None
            self._rows.append(row)

    def _ends_with_newline(self) -> bool:
        with self.manifest.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def last_success(self, url: str) -> dict | None:
        """The latest fetch of a URL that gave a document (what conditional GET asks against)."""
        for row in reversed(self.rows()):
            if row["url"] == url and row["outcome"] in SUCCESS and row.get("sha256"):
                return row
        return None

    def current(self) -> dict[str, dict]:
        """URL → its latest successful fetch."""
        out: dict[str, dict] = {}
        for row in self.rows():
            if row["outcome"] in SUCCESS and row.get("sha256"):
                out[row["url"]] = row
        return out

    def superseded(self) -> set[str]:
        """Documents (sha256) that some URL served once and serves no longer, and no URL serves now."""
        seen: set[str] = set()
        for row in self.rows():
            if row["outcome"] in SUCCESS and row.get("sha256"):
                seen.add(row["sha256"])
        now = {row["sha256"] for row in self.current().values()}
        return seen - now
