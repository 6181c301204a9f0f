"""The warehouse on disk: each document's own Parquet file in each table's folder, until compaction
folds them into a few files per table and year (`yujuesuan.warehouse.compact`, `yujuesuan.warehouse.segments`).

    WAREHOUSE/documents/<doc_id>.parquet
    WAREHOUSE/line_items/<doc_id>.parquet
    WAREHOUSE/tables/<doc_id>.parquet
    WAREHOUSE/facts/<doc_id>.parquet, WAREHOUSE/variances/…, WAREHOUSE/projects/…
    WAREHOUSE/quality_issues/<doc_id>.parquet
    WAREHOUSE/<table>/schema.parquet   (no rows: every table exists with its columns, even when empty)
    WAREHOUSE/<table>/part-<group>.parquet, WAREHOUSE/_compacted.json   (compacted documents)

Writing a document replaces all its files. Each file is written under a hidden temporary
name (ignored by pyarrow datasets and by DuckDB's *.parquet globs) and renamed into place;
the documents row is renamed last, so a document row is only ever visible with its rows.
A document written since it was compacted has its own files again, and they win over its compacted
rows in every table; readers (`read`, `document`, `read_document`, `snapshot`) take a consistent
view, trying again when a compaction removed a file under them. One process writes at a time:
writers hold the warehouse lock (`WAREHOUSE/.lock`, an flock released by the kernel when its
holder dies, holding the holder's pid for the error message).
"""

from __future__ import annotations

import ctypes
import email.utils
import fcntl
import functools
import hashlib
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractors.pdf import Extraction
from yujuesuan.warehouse.fs import Folder, Locked, Remote, folder, parquet_bytes, tmp_name
from yujuesuan.warehouse.schema import DOCUMENT_SCHEMAS, RUN_SCHEMAS, SCHEMAS
from yujuesuan.warehouse.segments import PART_PREFIX, Manifest, is_part, load_manifest, part_name

ORDER = [
    "line_items",
    "tables",
    "facts",
    "variances",
    "projects",
    "quality_issues",
    "documents",
]  # documents last: the commit
SCHEMA_FILE = "schema.parquet"  # no rows; a table's columns for readers that glob an empty folder
PROVENANCE = ("source_url", "referrer", "referrer_title", "source_id")
LOCK_WAIT = 0.0  # seconds a second writer waits for the lock before giving up (commands may pass more)
READ_TRIES = 20  # a reader tries again when a compaction changed the files under it


@dataclass(frozen=True)
class TableFiles:
    """The files that make one table of a consistent view: compacted parts (less the rows of
    documents written since), and documents' own files."""

    parts: list[Any]  # Path on a local warehouse, else the file's path on `filesystem`
    own: list[Any]
    overridden: list[str]  # documents in a compacted part that have their own files now
    filesystem: Any = None  # pyarrow's filesystem of a remote warehouse (None: local)


WarehouseLocked = Locked  # another live process is writing the warehouse


def write_once(path: Path, data: bytes) -> Path:
    """Write a content-addressed file unless it is there: a hidden temporary name, then an
    atomic rename, so a reader never sees half a file."""
    folder(path.parent).write_once(data, path.name)
    return path


def _writer_alive(tmp: Path) -> bool:
    """Whether the process that named this temporary file still runs (names carry its pid)."""
    parts = tmp.name.split(".")
    pid = next((int(p) for p in parts[2:-1] if p.isdigit()), None)
    if pid is None or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def timestamp(value: object) -> datetime | None:
    """An ISO 8601 or HTTP date (Last-Modified) as an aware UTC datetime; None if unreadable."""
    if value is None or isinstance(value, datetime):
        return value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo else value
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def to_arrow(table: str, rows: list[dict]) -> pa.Table:
    """Rows as an Arrow table of the table's schema (timestamps parsed from their text)."""
    schema = SCHEMAS[table]
    stamps = [f.name for f in schema if pa.types.is_timestamp(f.type)]
    if not stamps:  # Arrow takes the schema's keys of each row itself (a missing one is null), 4x faster
        return pa.Table.from_pylist(rows, schema=schema)
    data = []
    for r in rows:
        row = {k: r.get(k) for k in schema.names}
        for k in stamps:
            row[k] = timestamp(row[k])
        data.append(row)
    return pa.Table.from_pylist(data, schema=schema)


@dataclass(frozen=True)
class Encoded:
    """One table's rows of a document already made into its own file's Parquet bytes (by the extraction
    worker, so that the writer, which alone writes the warehouse, only writes them); len() is its rows."""

    data: bytes
    rows: int

    def __len__(self) -> int:
        return self.rows


def encode_rows(rows: dict[str, list[dict]], keep: tuple[str, ...] = ("documents",)) -> dict[str, Any]:
    """A document's rows with every non-empty table but `keep` encoded as its own file will be (`Encoded`):
    the documents row stays rows, as the writer completes it (provenance, versions) before the commit."""
    return {t: Encoded(parquet_bytes(to_arrow(t, v), compression=OWN_COMPRESSION), len(v))
            if v and t not in keep and t in SCHEMAS else v for t, v in rows.items()}


def _same_columns(path: Any, schema: pa.Schema, filesystem: Any = None) -> bool:
    try:
        return pq.read_schema(path, filesystem=filesystem).remove_metadata().equals(schema.remove_metadata())
    except (OSError, pa.ArrowInvalid):
        return False


class _Lock:
    """One process's hold on a warehouse lock: re-entrant across its threads and calls."""

    def __init__(self, path: Path | str) -> None:
        self.path, self.fd, self.depth = path, -1, 0
        self.mutex = threading.RLock()
        self.remote: ExitStack | None = None  # a remote warehouse's lock object, while held


_LOCKS: dict[Path | str, _Lock] = {}
_LOCKS_MUTEX = threading.Lock()
HELD_LOCKS_ENV = "YUJUESUAN_HELD_LOCKS"  # JSON {lock key: file descriptor} a parent process holds for this one


@functools.cache
def _inherited_locks() -> dict[str, int]:
    """The locks a parent process holds for this one (yujuesuan.runs.own_process sets them)."""
    import json

    try:
        return {str(k): int(v) for k, v in json.loads(os.environ.get(HELD_LOCKS_ENV) or "{}").items()}
    except (ValueError, AttributeError):
        return {}


def extraction_rows(ex: Extraction) -> dict[str, list[dict]]:
    doc = asdict(ex.document)
    rows: dict[str, list[dict]] = {"documents": [doc]}
    rows["line_items"] = [asdict(i) for i in ex.items]
    rows["tables"] = [
        {
            "doc_id": ex.document.doc_id,
            "table_code": t.table_code,
            "table_title": t.table_title,
            "table_family": t.table_family,
            "printed_number": t.printed_number,
            "pages": t.pages,
            "currency_unit": t.currency_unit,
            "engine": t.engine,
            "empty": t.empty,
            "empty_note": t.empty_note,
            "code_layout": t.code_layout,
            "columns": t.columns,
            "blank_rows": t.blank_rows,
            "line_items": len(t.items),
        }
        for t in ex.tables
    ]
    rows["facts"] = [asdict(f) for f in ex.facts]
    rows["variances"] = [asdict(v) for v in ex.variances]
    rows["projects"] = [asdict(p) for p in ex.projects]
    rows["quality_issues"] = [asdict(i) for i in ex.issues]
    return rows


class Warehouse:
    """A warehouse in a local folder (`root` a Path) or at any fsspec URL (`root` the URL as given)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.fs: Folder = folder(root)
        self.root: Any = self.fs.root if not self.fs.remote else self.fs.url  # Path locally

    @property
    def arrow(self) -> Any:
        """pyarrow's filesystem for this warehouse's files (None: local paths)."""
        return self.fs.arrow

    def path(self, table: str, doc_id: str) -> Any:
        """A document's file in a table (a Path locally, else its path on the warehouse's filesystem)."""
        return self.fs.key(table, f"{doc_id}.parquet")

    def files(self, table: str) -> list[str]:
        """The names of a table folder's Parquet files (schema.parquet left out)."""
        return [n for n in self.fs.names(table) if n.endswith(".parquet") and n != SCHEMA_FILE
                and not n.startswith(".")]

    # -- the one-writer lock ----------------------------------------------------------------

    @contextmanager
    def lock(self, wait: float = LOCK_WAIT) -> Iterator[None]:
        """Hold the warehouse's write lock for the block (re-entrant in this process). A second
        process waits up to `wait` seconds, then gets WarehouseLocked naming the holder."""
        if isinstance(self.fs, Remote):
            key: Path | str = self.fs.url
        else:
            self.root.mkdir(parents=True, exist_ok=True)
            key = (self.root / ".lock").resolve()
        with _LOCKS_MUTEX:
            held = _LOCKS.setdefault(key, _Lock(key))
        with held.mutex:  # the flock is the process's: its threads share one hold
            if held.depth == 0:
                inherited = _inherited_locks().get(str(key))
                if inherited is not None:  # held by the parent process for this one's whole life
                    held.fd, held.depth = inherited, 1
                elif isinstance(self.fs, Remote):
                    stack = ExitStack()
                    stack.enter_context(self.fs.lock(wait, "the warehouse"))
                    held.remote = stack
                else:
                    held.fd = self._acquire(Path(key), wait)
            held.depth += 1
        try:
            yield
        finally:
            with held.mutex:
                held.depth -= 1
                if held.depth == 0:
                    if held.remote is not None:
                        held.remote.close()  # removes the lock object
                        held.remote = None
                    else:
                        os.close(held.fd)  # releases the flock
                        held.fd = -1

    def held_locks(self) -> dict[str, int]:
        """{lock key: file descriptor} of this warehouse's lock while this process holds it (-1 for a remote
        warehouse's lock object), for a child process to inherit (yujuesuan.runs.own_process)."""
        key = self.fs.url if isinstance(self.fs, Remote) else (self.root / ".lock").resolve()
        held = _LOCKS.get(key)
        return {str(key): held.fd} if held is not None and held.depth > 0 else {}

    @staticmethod
    def _acquire(path: Path, wait: float) -> int:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "another process"
                    os.close(fd)
                    raise WarehouseLocked(
                        f"the warehouse {path.parent} is being written by {holder}; "
                        "try again when it has finished"
                    ) from None
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now(UTC).isoformat(timespec='seconds')}".encode(), 0)
        return fd

    def init(self) -> None:
        """Make sure every table exists, with its columns, even before any document is written."""
        with self.lock():
            for table, schema in SCHEMAS.items():
                path = self.fs.key(table, SCHEMA_FILE)
                if not self.fs.exists(table, SCHEMA_FILE) or not _same_columns(path, schema, self.arrow):
                    self.fs.write_parquet(schema.empty_table(), table, SCHEMA_FILE, compression="zstd")

    # -- writing -------------------------------------------------------------------------------

    def write(self, doc_id: str, rows: dict[str, list[dict]]) -> None:
        """Replace everything the warehouse holds for one document. Its provenance only grows:
        where the new documents row knows no source, the stored one's is kept, and `seen_as`
        gathers every URL and file the bytes were found as."""
        with self.lock():
            if rows.get("documents"):
                old = self.document(doc_id)
                if old is not None:
                    rows["documents"][0] = merge_provenance(old, rows["documents"][0])
            self._replace(doc_id, rows)

    def _replace(self, doc_id: str, rows: dict[str, list[dict]]) -> None:
        """Write one document's own files, the documents row last (the commit)."""
        with self.lock():
            if isinstance(self.fs, Remote):
                return self._replace_remote(doc_id, rows)
            staged: list[tuple[Path, Path | None]] = []
            for table in ORDER:
                final = self.path(table, doc_id)
                final.parent.mkdir(parents=True, exist_ok=True)
                data = rows.get(table) or []
                if not data:
                    staged.append((final, None))
                    continue
                tmp = tmp_name(final)
                tmp.write_bytes(_file_bytes(table, data))
                staged.append((final, tmp))
            for final, tmp in staged:
                if tmp is None:
                    final.unlink(missing_ok=True)
                else:
                    os.replace(tmp, final)

    def _replace_remote(self, doc_id: str, rows: dict[str, list[dict]]) -> None:
        """Every file made in memory first, then each put whole (atomically), the documents row last."""
        staged = [(t, _file_bytes(t, rows.get(t))) for t in ORDER]
        for table, data in staged:
            if data is None:
                self.fs.delete(table, f"{doc_id}.parquet")
            else:
                self.fs.write(data, table, f"{doc_id}.parquet")

    def write_run_table(self, table: str, run_id: str, rows: list[dict]) -> Path:
        """A run table (downloads, crawl_issues, source_health): WAREHOUSE/<table>/<run_id>.parquet."""
        assert table in RUN_SCHEMAS, table
        with self.lock():
            self.fs.write_parquet(to_arrow(table, rows), table, f"{run_id}.parquet", compression="zstd")
        return self.fs.key(table, f"{run_id}.parquet")

    def run_ids(self, table: str) -> set[str]:
        """The run files a run table holds (their names: a run id, or run id.source id)."""
        return {n[: -len(".parquet")] for n in self.files(table)}

    def update_document(self, doc_id: str, **values: object) -> bool:
        """Change fields of one stored documents row (e.g. is_current); False if absent or unchanged."""
        with self.lock():
            path = self.path("documents", doc_id)
            if not self.fs.exists("documents", f"{doc_id}.parquet"):
                return self._update_compacted(doc_id, values)
            rows = pq.read_table(path, schema=SCHEMAS["documents"], filesystem=self.arrow).to_pylist()
            if all(rows[0].get(k) == v for k, v in values.items()):
                return False
            rows[0].update(values)
            self.fs.write_parquet(to_arrow("documents", rows), "documents", f"{doc_id}.parquet",
                                  compression=OWN_COMPRESSION)
            return True

    def _update_compacted(self, doc_id: str, values: dict[str, object]) -> bool:
        """A compacted document changed: it gets its own files again (they win over its compacted rows)."""
        doc = self.document(doc_id)
        if doc is None or all(doc.get(k) == v for k, v in values.items()):
            return False
        rows = self.read_document(doc_id)
        rows["documents"][0].update(values)
        self._replace(doc_id, rows)
        return True

    def add_sighting(self, doc_id: str, seen_as: str, known: dict | None = None, **provenance: str | None) -> bool:
        """A stored document found again (another URL, a local file): fill the provenance it
        lacks and add `seen_as`; nothing known is erased. False if absent or nothing new. `known`:
        its documents row as read beforehand (at least doc_id, is_current, seen_as and the provenance)."""
        with self.lock():
            old = known if known is not None else self.document(doc_id)
            if old is None:
                return False
            new = merge_provenance(old, {**old, **dict.fromkeys(PROVENANCE), **provenance, "seen_as": [seen_as]})
            changed = {k: v for k, v in new.items() if v != old.get(k)}
            return self.update_document(doc_id, **changed) if changed else False

    def document(self, doc_id: str) -> dict | None:
        """One documents row: from the document's own file, else from its compacted group."""
        for _ in range(READ_TRIES):
            try:
                return pq.read_table(self.path("documents", doc_id), schema=SCHEMAS["documents"],
                                     filesystem=self.arrow).to_pylist()[0]
            except FileNotFoundError:
                pass
            group = load_manifest(self.fs).group_of.get(doc_id)
            if group is None:
                return None
            try:
                row = _compacted_documents(self.fs, "documents", part_name(group)).get(doc_id)
            except FileNotFoundError:
                continue  # compacted again meanwhile
            return dict(row) if row is not None else None
        raise OSError(f"the warehouse {self.root} kept changing while document {doc_id} was read")

    def write_extraction(self, ex: Extraction) -> None:
        self.write(ex.document.doc_id, extraction_rows(ex))

    def repair(self) -> list[Path]:
        """Remove what an interrupted write left: temporary files whose writer is gone, and rows
        of a document whose documents row never landed (it was written last). Holds the lock,
        so no live writer is between its files. Returns the files removed."""
        removed: list[Path] = []
        if isinstance(self.fs, Remote):
            return self._repair_remote() if self.fs.isdir() else []
        if not self.root.exists():
            return removed
        with self.lock():
            committed = self.own_ids()  # documents whose own documents row landed
            groups = load_manifest(self.fs).groups
            tmps = [*self.root.glob(".*.tmp"), *self.root.glob("*/.*.tmp")]  # every table's folder, _raw too
            for tmp in sorted(tmps):
                if not _writer_alive(tmp):
                    tmp.unlink(missing_ok=True)
                    removed.append(tmp)
            for table in ORDER:
                folder = self.root / table
                if not folder.exists():
                    continue
                for f in folder.glob("*.parquet"):
                    if f.name == SCHEMA_FILE:
                        continue
                    if is_part(f):
                        stale = f.name[len(PART_PREFIX):-len(".parquet")] not in groups  # no manifest names it
                    else:
                        stale = table != "documents" and f.stem not in committed
                    if stale:
                        f.unlink()
                        removed.append(f)
        return removed

    def _repair_remote(self) -> list[Any]:
        """`repair` on a remote warehouse: under its lock no writer is live, so every temporary file is a leftover."""
        removed: list[Any] = []
        with self.lock():
            committed = self.own_ids()
            groups = load_manifest(self.fs).groups
            for table in ["", "_raw", *SCHEMAS]:
                parts = (table,) if table else ()
                for name in self.fs.names(*parts):
                    if name.startswith(".") and name.endswith(".tmp") and self.fs.delete(*parts, name):
                        removed.append(self.fs.key(*parts, name))
            for table in ORDER:
                for name in self.files(table):
                    if name.startswith(PART_PREFIX):
                        stale = name[len(PART_PREFIX):-len(".parquet")] not in groups
                    else:
                        stale = table != "documents" and name[: -len(".parquet")] not in committed
                    if stale and self.fs.delete(table, name):
                        removed.append(self.fs.key(table, name))
        return removed

    def store_raw(self, doc_id: str, data: bytes) -> Path:
        """Keep the document's bytes, content-addressed (WAREHOUSE/_raw/<sha256>), once."""
        self.fs.write_once(data, "_raw", doc_id)
        return self.fs.key("_raw", doc_id)

    def link_raw(self, doc_id: str, source: Path) -> Path:
        """Make a raw-store file (data/raw/<sha256>) available as WAREHOUSE/_raw/<sha256>: a hard
        link where the file system allows it (no second copy of the bytes), else a copy."""
        if isinstance(self.fs, Remote):
            return self.store_raw(doc_id, Path(source).read_bytes()) if not self.fs.exists("_raw", doc_id) \
                else self.fs.key("_raw", doc_id)
        path = self.root / "_raw" / doc_id
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, path)
        except OSError:
            return self.store_raw(doc_id, source.read_bytes())
        return path

    def raw_path(self, doc_id: str) -> Path | None:
        """A local file of the document's bytes (a remote warehouse's are copied to a local cache)."""
        if isinstance(self.fs, Remote):
            return self.fs.local_copy("_raw", doc_id) if self.fs.exists("_raw", doc_id) else None
        path = self.root / "_raw" / doc_id
        return path if path.exists() else None

    def raw_bytes(self, doc_id: str) -> bytes | None:
        """The document's bytes, if the warehouse keeps them."""
        try:
            return self.fs.read("_raw", doc_id)
        except FileNotFoundError:
            return None

    def written(self, table: str, doc_id: str) -> object:
        """When a document's own file in a table was last written (its mtime in ns locally; None if absent)."""
        if isinstance(self.fs, Remote):
            return None if (st := self.fs.stamp(table, f"{doc_id}.parquet")) is None else str(st)
        st = self.fs.stamp(table, f"{doc_id}.parquet")
        return None if st is None else st[1]

    def own_ids(self) -> set[str]:
        """The documents that have their own documents file (written since the last compaction)."""
        return {
            name[: -len(".parquet")]
            for name in self.fs.names("documents")
            if name.endswith(".parquet") and name != SCHEMA_FILE and not name.startswith((PART_PREFIX, "."))
        }

    def revision(self, doc_id: str) -> str | None:
        """The stamp of a document's last write (None if absent): its own documents file's, else the one
        its compaction carried over. Compaction leaves it as it was; any write changes it."""
        st = self.fs.stamp("documents", f"{doc_id}.parquet")
        if st is not None:
            return ":".join(str(v) for v in st)
        return load_manifest(self.fs).revision(doc_id)

    def revisions(self) -> dict[str, str]:
        """Every document's revision (`revision`), by doc_id, from one consistent view."""
        for _ in range(READ_TRIES):
            own = self.own_ids()
            manifest = load_manifest(self.fs)
            out = {d: r for d in manifest.group_of if (r := manifest.revision(d)) is not None}
            for d in own:
                st = self.fs.stamp("documents", f"{d}.parquet")
                if st is not None:
                    out[d] = ":".join(str(v) for v in st)
            if self._unchanged(manifest, own):
                return out
        raise OSError(f"the warehouse {self.root} kept changing while it was read")

    def state(self) -> str:
        """A stamp of what the document tables hold: it changes whenever a document is written or
        removed, and not when a compaction moves rows (every document's revision, digested)."""
        h = hashlib.sha256()
        for doc_id, rev in sorted(self.revisions().items()):
            h.update(f"{doc_id}={rev};".encode())
        return h.hexdigest()[:16]

    def doc_ids(self) -> list[str]:
        for _ in range(READ_TRIES):
            own = self.own_ids()
            manifest = load_manifest(self.fs)
            if self._unchanged(manifest, own):
                return sorted(own | manifest.group_of.keys())
        raise OSError(f"the warehouse {self.root} kept changing while it was read")

    def read_document(self, doc_id: str) -> dict[str, list[dict]]:
        """Everything stored for one document, as rows."""
        for _ in range(READ_TRIES):
            manifest = load_manifest(self.fs)
            own = self.fs.exists("documents", f"{doc_id}.parquet")
            group = manifest.group_of.get(doc_id)
            rows: dict[str, list[dict]] = {}
            try:
                for table in ORDER:
                    if own:
                        rows[table] = (
                            pq.read_table(self.path(table, doc_id), schema=DOCUMENT_SCHEMAS[table],
                                          filesystem=self.arrow).to_pylist()
                            if self.fs.exists(table, f"{doc_id}.parquet") else []
                        )
                    elif group is not None and self.fs.exists(table, part_name(group)):
                        rows[table] = pq.read_table(
                            self.fs.key(table, part_name(group)), schema=DOCUMENT_SCHEMAS[table],
                            filters=pc.field("doc_id") == doc_id, filesystem=self.arrow,
                        ).to_pylist()
                    else:
                        rows[table] = []
            except FileNotFoundError:
                continue
            if self._unchanged(manifest, {doc_id} if own else set()):
                return rows
        raise OSError(f"the warehouse {self.root} kept changing while document {doc_id} was read")

    def read_documents(self, doc_ids: Iterable[str]) -> dict[str, dict[str, list[dict]]]:
        """Everything stored for several documents, as rows per document. Documents compacted into
        one group are read together: one read of the group's file per table for all of them, only its
        row groups that can hold their units (the files are sorted by unit), instead of a read of the
        whole file per document."""
        wanted = sorted(set(doc_ids))
        for _ in range(READ_TRIES):
            manifest = load_manifest(self.fs)
            own = {d for d in wanted if self.fs.exists("documents", f"{d}.parquet")}
            groups: dict[str, list[str]] = defaultdict(list)
            for d in wanted:
                if d not in own and d in manifest.group_of:
                    groups[manifest.group_of[d]].append(d)
            try:
                out = {d: self.read_document(d) for d in sorted(own)}
                for group, members in groups.items():
                    out.update(self._read_group(group, members))
            except FileNotFoundError:
                continue
            if self._unchanged(manifest, own):
                return {d: out.get(d) or {t: [] for t in ORDER} for d in wanted}
        raise OSError(f"the warehouse {self.root} kept changing while {len(wanted)} documents were read")

    def _read_group(self, group: str, doc_ids: list[str]) -> dict[str, dict[str, list[dict]]]:
        out: dict[str, dict[str, list[dict]]] = {d: {t: [] for t in ORDER} for d in doc_ids}
        docs = _compacted_documents(self.fs, "documents", part_name(group))
        units = sorted({u for d in doc_ids if (u := (docs.get(d) or {}).get("unit_id")) is not None})
        for table in ORDER:
            if not self.fs.exists(table, part_name(group)):
                continue
            schema = DOCUMENT_SCHEMAS[table]
            keep = pc.field("doc_id").isin(doc_ids)
            if "unit_id" in schema.names:  # the files are sorted by unit: statistics skip the other row groups
                unit = pc.field("unit_id")
                keep = keep & (unit.isin(units) | unit.is_null()) if units else keep
            rows = pq.read_table(self.fs.key(table, part_name(group)), schema=schema, filters=keep,
                                 filesystem=self.arrow, use_threads=False).to_pylist()
            for r in rows:
                out[r["doc_id"]][table].append(r)
        return out

    def has(self, doc_id: str) -> bool:
        return self.fs.exists("documents", f"{doc_id}.parquet") or doc_id in load_manifest(self.fs).group_of

    def _unchanged(self, manifest: Manifest, own: set[str]) -> bool:
        """Whether no compaction happened since `manifest` and `own` were read (a compaction swaps the
        manifest first, then removes the documents' own files, documents row first)."""
        if load_manifest(self.fs).generation != manifest.generation:
            return False
        if not own:
            return True
        present = set(self.fs.names("documents")) if len(own) > 1 else None
        return all((f"{d}.parquet" in present) if present is not None else self.fs.exists("documents", f"{d}.parquet")
                   for d in own)

    def snapshot(self, tables: list[str] | None = None) -> dict[str, TableFiles]:
        """The files of a consistent view of the document tables: each document once, either its own
        files or its compacted rows, never both and never half of a compaction."""
        names = [t for t in (tables or ORDER) if t in DOCUMENT_SCHEMAS]
        for _ in range(READ_TRIES):
            own = self.own_ids()
            manifest = load_manifest(self.fs)
            overridden = sorted(d for d in own if d in manifest.group_of)
            out = {}
            for table in names:
                present = set(self.fs.names(table))
                parts = [self.fs.key(table, part_name(g)) for g in manifest.groups if part_name(g) in present]
                mine = [self.fs.key(table, f"{d}.parquet") for d in sorted(own) if f"{d}.parquet" in present]
                out[table] = TableFiles(parts, mine, overridden, self.arrow)
            if self._unchanged(manifest, own):
                return out
        raise OSError(f"the warehouse {self.root} kept changing while it was read")

    def read(self, table: str, columns: list[str] | None = None) -> pa.Table:
        """A table's rows (any table, contract or run); `columns`: only these (the others are not read)."""
        if not self.fs.isdir(table):
            empty = SCHEMAS[table].empty_table()
            return empty.select(columns) if columns else empty
        if table not in DOCUMENT_SCHEMAS:
            return _dataset(str(self.fs.key(table)), format="parquet", partitioning="hive", schema=SCHEMAS[table],
                              filesystem=self.arrow).to_table(columns=columns)
        for _ in range(READ_TRIES):
            files = self.snapshot([table])[table]
            try:
                return read_files(table, files, columns)
            except FileNotFoundError:
                continue  # compacted under us: the next snapshot names the new files
        raise OSError(f"the warehouse {self.root} kept changing while {table} was read")


def _dataset(*args: Any, **kwargs: Any) -> Any:
    """pyarrow.dataset.dataset, imported when first needed: importing pyarrow.dataset imports pandas
    (half a second), which the extraction workers' fork server, loading this module, never needs."""
    import pyarrow.dataset as ds

    return ds.dataset(*args, **kwargs)


def _file_bytes(table: str, data: list[dict] | Encoded | None) -> bytes | None:
    """A document's own file of one table, in memory (None: no rows, no file); rows a worker encoded as they are."""
    if not data:
        return None
    return data.data if isinstance(data, Encoded) else parquet_bytes(to_arrow(table, data), compression=OWN_COMPRESSION)


def release_memory() -> None:
    """Hand freed memory back to the system: Arrow's allocator and C's malloc (glibc's per-thread arenas)
    keep freed pages for reuse, so a long-lived writer's resident memory would stay at its largest
    moment and grow with each thread's arena."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    """glibc's malloc_trim (None elsewhere)."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def read_files(table: str, files: TableFiles, columns: list[str] | None = None) -> pa.Table:
    """One table's rows from a snapshot's files (compacted rows of documents written since left out);
    `columns`: only these."""
    schema, where = SCHEMAS[table], files.filesystem
    pieces = []
    if files.parts:
        keep = ~pc.field("doc_id").isin(files.overridden) if files.overridden else None
        pieces.append(_dataset([str(f) for f in files.parts], format="parquet", schema=schema,
                                 filesystem=where).to_table(columns=columns, filter=keep))
    for i in range(0, len(files.own), OWN_FILES_AT_ONCE):  # a dataset of thousands of files holds each one's state
        chunk = files.own[i : i + OWN_FILES_AT_ONCE]
        pieces.append(_dataset([str(f) for f in chunk], format="parquet", schema=schema,
                                 filesystem=where).to_table(columns=columns))
    empty = schema.empty_table().select(columns) if columns else schema.empty_table()
    return pa.concat_tables(pieces) if pieces else empty


# a document's own files live until the next compaction (zstd, sorted, with statistics): written fast,
# at half zstd's cost, by the one process that writes while the workers extract
OWN_COMPRESSION = "snappy"
OWN_FILES_AT_ONCE = 250  # documents' own files one read takes (memory grows with the files of a dataset)
_DOCS_CACHE: dict[str, tuple[tuple, dict[str, dict]]] = {}
DOCS_CACHE_FILES = 4  # compacted documents files whose rows are kept (least recently used dropped)


def _compacted_documents(where: Folder, *parts: str) -> dict[str, dict]:
    """A compacted documents file's rows by doc_id, cached while the file is unchanged."""
    key = where.stamp(*parts)
    if key is None:
        raise FileNotFoundError(where.url_of(*parts))
    name = where.url_of(*parts)
    hit = _DOCS_CACHE.get(name)
    if hit is not None and hit[0] == key:
        _DOCS_CACHE[name] = _DOCS_CACHE.pop(name)  # the most recently used last
        return hit[1]
    table = pq.read_table(where.key(*parts), schema=SCHEMAS["documents"], filesystem=where.arrow)
    rows = {r["doc_id"]: r for r in table.to_pylist()}
    for stale in [p for p in _DOCS_CACHE if p.startswith(where.url_of()) and not folder(p).exists()]:
        del _DOCS_CACHE[stale]  # files compaction replaced
    _DOCS_CACHE[name] = (key, rows)
    while len(_DOCS_CACHE) > DOCS_CACHE_FILES:  # a few groups' rows, whatever the warehouse holds
        del _DOCS_CACHE[next(iter(_DOCS_CACHE))]
    return rows


def merge_provenance(old: dict, new: dict) -> dict:
    """The new documents row with what the old one knew of where the bytes came from: each
    provenance field the new row lacks is kept, `seen_as` is the union (old first). A row with
    no source (a local file) keeps the stored is_current, which only the crawl knows."""
    out = dict(new)
    local = not new.get("source_url")
    for k in PROVENANCE:
        if not out.get(k) and old.get(k):
            out[k] = old[k]
    if local and old.get("source_url") and "is_current" in old:
        out["is_current"] = old["is_current"]
    seen = list(old.get("seen_as") or [])
    for s in new.get("seen_as") or []:
        if s not in seen:
            seen.append(s)
    out["seen_as"] = seen
    return out
