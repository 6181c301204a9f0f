"""Where the warehouse and the raw store live: a local folder, or any fsspec URL (`memory://w`,
`s3://bucket/w`, `sftp://host/w`, ...), with the few operations they need.

A local path (or a `file://` URL) keeps exactly the local behaviour: hidden temporary files renamed
into place (`os.replace`), an flock for the writer lock (`Warehouse.lock`). Elsewhere:

- a write is atomic: on an object store (one PUT is atomic) the bytes are put directly, once they are
  complete; on other backends they go to a hidden temporary name first, then are moved into place;
- the writer lock is an object `ROOT/.lock` holding its owner and expiry, created with exclusive create
  (`open(..., "xb")`), renewed while held and taken over once expired. A backend that cannot create a
  file exclusively cannot be locked: the error says so (run one writer at a time there, and set
  YUJUESUAN_SINGLE_WRITER=1 to write without the lock).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsspec
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

OBJECT_STORES = frozenset({"memory", "s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "adl", "oss", "r2"})
LOCK_TTL = 300.0  # seconds a remote lock lives unless its holder renews it (every third of that)
SINGLE_WRITER_ENV = "YUJUESUAN_SINGLE_WRITER"


class StorageError(OSError):
    """A location that cannot be used (unknown protocol, a backend that cannot lock)."""


class Locked(RuntimeError):
    """Another live writer holds the lock."""


def is_url(location: str | os.PathLike[str]) -> bool:
    text = os.fspath(location)
    return "://" in text and not text.startswith("file://")


def local_path(location: str | os.PathLike[str]) -> Path | None:
    """The local folder a location names (a path or a file:// URL); None for any other URL."""
    text = os.fspath(location)
    if text.startswith("file://"):
        return Path(text[len("file://"):])
    return None if is_url(text) else Path(text)


def parquet_bytes(table: pa.Table, **options: Any) -> bytes:
    """A whole Parquet file in memory (nothing is put anywhere before it is complete)."""
    sink = io.BytesIO()
    pq.write_table(table, sink, **options)
    return sink.getvalue()


def _write_batches(path: Path, schema: pa.Schema, batches: Iterable[pa.Table], options: dict[str, Any]) -> None:
    options = dict(options)
    row_group_size = options.pop("row_group_size", None)
    with pq.ParquetWriter(path, schema, **options) as writer:
        for piece in batches:
            writer.write_table(piece, row_group_size=row_group_size)


def tmp_name(path: Path) -> Path:
    """A hidden temporary name beside `path`, unique per process, thread and call; the pid in it
    tells `repair` whether its writer is still alive."""
    return path.parent / f".{path.name}.{os.getpid()}.{threading.get_ident()}.{secrets.token_hex(4)}.tmp"


@dataclass(frozen=True)
class Local:
    """A local folder: hidden temporary files renamed into place (the lock is the warehouse's flock)."""

    root: Path

    remote = False
    arrow = None  # pyarrow's own local filesystem

    @property
    def url(self) -> str:
        return str(self.root)

    def key(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def url_of(self, *parts: str) -> str:
        return str(self.key(*parts))

    def exists(self, *parts: str) -> bool:
        return self.key(*parts).exists()

    def isdir(self, *parts: str) -> bool:
        return self.key(*parts).is_dir()

    def names(self, *parts: str) -> list[str]:
        try:
            return sorted(e.name for e in os.scandir(self.key(*parts)) if not e.is_dir())
        except (FileNotFoundError, NotADirectoryError):
            return []

    def read(self, *parts: str) -> bytes:
        return self.key(*parts).read_bytes()

    def write(self, data: bytes, *parts: str) -> None:
        path = self.key(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = tmp_name(path)
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def write_once(self, data: bytes, *parts: str) -> None:
        if not self.exists(*parts):
            self.write(data, *parts)

    def write_parquet(self, table: pa.Table, *parts: str, **options: Any) -> None:
        path = self.key(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = tmp_name(path)
        pq.write_table(table, tmp, **options)
        os.replace(tmp, path)

    def write_parquet_batches(self, schema: pa.Schema, batches: Iterable[pa.Table], *parts: str,
                              **options: Any) -> None:
        """A Parquet file written a piece at a time (never whole in memory), put in place at the end."""
        path = self.key(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = tmp_name(path)
        try:
            _write_batches(tmp, schema, batches, options)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)

    def delete(self, *parts: str) -> bool:
        try:
            self.key(*parts).unlink()
        except FileNotFoundError:
            return False
        return True

    def local_copy(self, *parts: str) -> Path:
        return self.key(*parts)

    def stamp(self, *parts: str) -> tuple | None:
        try:
            st = os.stat(self.key(*parts))
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class Remote:
    """A folder on an fsspec filesystem other than the local disk."""

    fs: Any  # fsspec.AbstractFileSystem
    root: str  # the folder's path on fs (no protocol)
    protocol: str
    url: str  # as given

    @classmethod
    def of(cls, url: str) -> Remote:
        try:
            fs, root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise StorageError(f"cannot use {url}: {exc}") from None
        protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
        return cls(fs, root.rstrip("/"), protocol, url.rstrip("/"))

    remote = True

    @property
    def atomic_put(self) -> bool:
        return self.protocol in OBJECT_STORES

    def key(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    def url_of(self, *parts: str) -> str:
        """The full URL of a file (what DuckDB and messages use)."""
        return f"{self.protocol}://{self.key(*parts).lstrip('/')}"

    @property
    def arrow(self) -> pafs.FileSystem:
        return pafs.PyFileSystem(pafs.FSSpecHandler(self.fs))

    # -- files ---------------------------------------------------------------------------

    def exists(self, *parts: str) -> bool:
        return bool(self.fs.exists(self.key(*parts)))

    def isdir(self, *parts: str) -> bool:
        return bool(self.fs.isdir(self.key(*parts)))

    def names(self, *parts: str) -> list[str]:
        """The names of the files in a folder ([] if there is none)."""
        try:
            entries = self.fs.ls(self.key(*parts), detail=True)
        except FileNotFoundError:
            return []
        return sorted(e["name"].rstrip("/").rsplit("/", 1)[-1] for e in entries if e.get("type") != "directory")

    def read(self, *parts: str) -> bytes:
        return bytes(self.fs.cat_file(self.key(*parts)))

    def write(self, data: bytes, *parts: str) -> None:
        """Put a whole file atomically: a reader sees the old file, or the new one, never a part."""
        final = self.key(*parts)
        if self.atomic_put:
            self.fs.pipe_file(final, data)
            return
        folder, name = final.rsplit("/", 1)
        tmp = f"{folder}/.{name}.{socket.gethostname()}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        self.fs.makedirs(folder, exist_ok=True)
        try:
            self.fs.pipe_file(tmp, data)
            self.fs.mv(tmp, final)
        except BaseException:
            self.remove(tmp)
            raise

    def write_once(self, data: bytes, *parts: str) -> None:
        if not self.exists(*parts):
            self.write(data, *parts)

    def write_parquet(self, table: pa.Table, *parts: str, **options: Any) -> None:
        self.write(parquet_bytes(table, **options), *parts)

    def write_parquet_batches(self, schema: pa.Schema, batches: Iterable[pa.Table], *parts: str,
                              **options: Any) -> None:
        """A Parquet file written a piece at a time into a local temporary file, then put whole."""
        with tempfile.TemporaryDirectory(prefix="yujuesuan-") as tmp:
            local = Path(tmp) / "part.parquet"
            _write_batches(local, schema, batches, options)
            self.write(local.read_bytes(), *parts)

    def delete(self, *parts: str) -> bool:
        return self.remove(self.key(*parts))

    def remove(self, key: str) -> bool:
        """Remove a file by its key on the filesystem; False if it was not there."""
        try:
            self.fs.rm_file(key)
        except FileNotFoundError:
            return False
        return True

    def local_copy(self, *parts: str) -> Path:
        """A local file with a (content-addressed, so never changing) file's bytes, for code that needs a
        path (a worker process, a PDF renderer): fetched once into the temporary folder's cache."""
        digest = hashlib.sha256(self.url_of(*parts).encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / "yujuesuan-cache" / digest / parts[-1]
        if not path.exists():
            folder(path.parent).write(self.read(*parts), path.name)
        return path

    def stamp(self, *parts: str) -> tuple | None:
        """What changes when the file is replaced (for caches); None if absent."""
        try:
            info = self.fs.info(self.key(*parts))
        except FileNotFoundError:
            return None
        return (info.get("size"), str(info.get("ETag") or info.get("etag") or info.get("mtime") or ""),
                str(info.get("created") or info.get("LastModified") or info.get("updated") or ""))

    # -- the writer lock -----------------------------------------------------------------

    @contextmanager
    def lock(self, wait: float, what: str) -> Iterator[None]:
        """Hold ROOT/.lock for the block (not re-entrant: the caller counts its holds)."""
        if os.environ.get(SINGLE_WRITER_ENV) == "1":
            yield
            return
        key = self.key(".lock")
        token = self._acquire(key, wait, what)
        stop = threading.Event()
        renew = threading.Thread(target=self._renew, args=(key, token, stop), daemon=True)
        renew.start()
        try:
            yield
        finally:
            stop.set()
            renew.join()
            if self._holder(key).get("token") == token:
                self.remove(key)

    @staticmethod
    def _record(token: str) -> bytes:
        now = time.time()
        return json.dumps({
            "owner": f"pid {os.getpid()} on {socket.gethostname()}",
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
            "expires": now + LOCK_TTL,
            "token": token,
        }).encode()

    def _holder(self, key: str) -> dict:
        try:
            return json.loads(self.fs.cat_file(key))
        except (FileNotFoundError, ValueError):
            return {}

    def _acquire(self, key: str, wait: float, what: str) -> str:
        token = secrets.token_hex(8)
        deadline = time.monotonic() + wait
        self.fs.makedirs(self.root, exist_ok=True)
        while True:
            try:
                with self.fs.open(key, "xb") as fh:
                    fh.write(self._record(token))
            except FileExistsError:
                holder = self._holder(key)
                if holder and holder.get("expires", 0) < time.time():  # its holder died: take it over
                    if self._holder(key).get("token") == holder.get("token"):
                        self.remove(key)
                    continue
                if time.monotonic() >= deadline:
                    raise Locked(f"{what} {self.url} is being written by {holder.get('owner', 'another process')}; "
                                 "try again when it has finished (--wait S waits)") from None
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
                continue
            except (NotImplementedError, ValueError, TypeError) as exc:
                raise StorageError(
                    f"{self.protocol}:// cannot create a file exclusively ({exc.__class__.__name__}), so {what} "
                    f"{self.url} cannot be locked: run a single writer at a time there and set "
                    f"{SINGLE_WRITER_ENV}=1 (--wait cannot help)") from None
            if self._holder(key).get("token") == token:  # a backend that took "xb" for "wb" is caught here
                return token

    def _renew(self, key: str, token: str, stop: threading.Event) -> None:
        while not stop.wait(LOCK_TTL / 3):
            if self._holder(key).get("token") == token:
                self.fs.pipe_file(key, self._record(token))


Folder = Local | Remote


def folder(location: str | os.PathLike[str]) -> Folder:
    """The folder a path or URL names: `/data/w` and `file:///data/w` are local, `memory://w`,
    `s3://bucket/w` or any other installed fsspec protocol remote."""
    path = local_path(location)
    return Local(path) if path is not None else Remote.of(os.fspath(location))


def absolute(location: str | os.PathLike[str]) -> str:
    """A location as recorded in reports and cache keys: a local path made absolute, a URL as given."""
    path = local_path(location)
    return os.path.abspath(path) if path is not None else os.fspath(location)
