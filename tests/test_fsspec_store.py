"""The warehouse and the raw store at an fsspec URL: fsspec's in-memory filesystem (`memory://`) and
`file://` URLs, the remote writer lock, and writes interrupted half-way. No network."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

import fsspec
import pytest
from fsspec.implementations.memory import MemoryFileSystem

from yujuesuan.analysis.duck import connect
from yujuesuan.cli.main import main
from yujuesuan.crawl.rawstore import RawStore
from yujuesuan.ingest.pipeline import extract_stored, stored_documents
from yujuesuan.warehouse.compact import compact
from yujuesuan.warehouse.fs import Remote, StorageError, folder
from yujuesuan.warehouse.segments import load_manifest
from yujuesuan.warehouse.store import Warehouse, WarehouseLocked

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
SAMPLE = SAMPLES / "sample-01-万元-grid.pdf"
QUERY = "SELECT count(*) AS n, sum(value) AS total FROM line_items"


def memory_url(name: str) -> str:
    return f"memory://{name}-{secrets.token_hex(4)}"


def query(warehouse: str) -> tuple:
    return connect(warehouse).execute(QUERY).fetchone()


def run_commands(warehouse: str, capsys: pytest.CaptureFixture[str]) -> tuple:
    assert main(["extract", str(SAMPLE), "--warehouse", warehouse, "--jobs", "1"]) == 0
    assert main(["check", "--warehouse", warehouse]) == 0
    wh = Warehouse(warehouse)
    assert wh.own_ids() == set()  # extract and check compacted what they wrote
    assert main(["compact", "--warehouse", warehouse]) == 0
    assert main(["query", QUERY, "--warehouse", warehouse]) == 0
    assert " row(s)" in capsys.readouterr().out
    return query(warehouse)


@pytest.fixture(scope="module")
def local_figures(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    w = tmp_path_factory.mktemp("local") / "w"
    assert main(["extract", str(SAMPLE), "--warehouse", str(w), "--jobs", "1"]) == 0
    return query(str(w))


def test_extract_check_compact_query_on_memory(local_figures: tuple, capsys: pytest.CaptureFixture[str]) -> None:
    url = memory_url("w")
    figures = run_commands(url, capsys)
    assert figures == local_figures and figures[0] > 0
    mem = fsspec.filesystem("memory")
    root = url.removeprefix("memory://")
    [group] = load_manifest(Warehouse(url).fs).groups
    assert mem.exists(f"/{root}/line_items/part-{group}.parquet") and mem.exists(f"/{root}/_compacted.json")
    assert mem.exists(f"/{root}/_raw/" + Warehouse(url).doc_ids()[0])  # the bytes kept beside the tables
    assert not [p for p in mem.find(f"/{root}") if p.endswith(".tmp") or p.endswith("/.lock")]
    assert json.loads(mem.cat_file(f"/{root}/datapackage.json"))["resources"]


def test_extract_check_compact_query_on_a_file_url(tmp_path: Path, local_figures: tuple,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    figures = run_commands(f"file://{tmp_path}/w", capsys)
    assert figures == local_figures
    assert (tmp_path / "w" / "_compacted.json").is_file() and (tmp_path / "w" / ".lock").is_file()  # local: flock
    assert sorted(p.name for p in (tmp_path / "w" / "documents").iterdir())[-1] == "schema.parquet"


def test_raw_store_on_memory_feeds_the_warehouse(local_figures: tuple) -> None:
    raw, url = RawStore(memory_url("raw")), memory_url("w")
    data = SAMPLE.read_bytes()
    sha = raw.put(data)
    raw.append({"url": "http://127.0.0.1/a.pdf", "outcome": "new", "sha256": sha, "file_name": SAMPLE.name})
    raw.append({"url": "http://127.0.0.1/b.pdf", "outcome": "failed", "sha256": None})
    again = RawStore(raw.root)  # what another process (or machine) reads
    assert [r["outcome"] for r in again.rows()] == ["new", "failed"] and again.read(sha) == data
    [ref] = stored_documents(again)
    assert extract_stored(ref, again.local_path(sha), url)["extracted"]
    compact(url)
    assert query(url) == local_figures
    assert Warehouse(url).document(sha)["source_url"] == "http://127.0.0.1/a.pdf"


def test_second_writer_refused_while_the_first_holds_the_lock() -> None:
    url = memory_url("w")
    wh, other = Warehouse(url), Remote.of(url)  # `other`: a writer of its own (another machine's)
    with wh.lock():
        with pytest.raises(WarehouseLocked, match=r"being written by pid \d+ on .*--wait"):
            with other.lock(0.3, "the warehouse"):
                pass
        with wh.lock():  # re-entrant in the holder
            pass
    with other.lock(0.0, "the warehouse"):  # released: the next one gets it
        with pytest.raises(WarehouseLocked):
            compact(url)
    compact(url)


def test_an_expired_lock_is_taken_over() -> None:
    url = memory_url("w")
    lock = Remote.of(url)
    lock.fs.pipe_file(lock.key(".lock"), json.dumps({"owner": "pid 1 on gone", "expires": time.time() - 1,
                                                      "token": "dead"}).encode())
    Warehouse(url).init()  # the dead holder's lock does not block
    assert not lock.exists(".lock")


class NoExclusiveFS(MemoryFileSystem):
    """A backend that cannot create a file exclusively."""

    protocol = "noexcl"

    def _open(self, path, mode="rb", **kwargs):  # noqa: ANN001, ANN202
        if "x" in mode:
            raise NotImplementedError("exclusive create")
        return super()._open(path, mode, **kwargs)


class HalfWriteFS(MemoryFileSystem):
    """A backend that is no object store (writes go through a temporary name), whose put of a
    Parquet file dies half-way."""

    protocol = "halfwrite"

    def pipe_file(self, path, value, mode="overwrite", **kwargs):  # noqa: ANN001, ANN201
        if path.split("/")[-1].startswith(".") and b"PAR1" in value[:4]:
            super().pipe_file(path, value[: len(value) // 2], mode, **kwargs)
            raise ConnectionError("the connection dropped")
        return super().pipe_file(path, value, mode, **kwargs)


fsspec.register_implementation("noexcl", NoExclusiveFS, clobber=True)
fsspec.register_implementation("halfwrite", HalfWriteFS, clobber=True)


def test_a_backend_that_cannot_lock_says_so_in_one_line(capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"noexcl://w-{secrets.token_hex(4)}"
    with pytest.raises(StorageError, match="cannot create a file exclusively") as err:
        Warehouse(url).init()
    assert "\n" not in str(err.value) and "single writer" in str(err.value)
    assert main(["extract", str(SAMPLE), "--warehouse", url]) == 2
    message = capsys.readouterr().err.strip()
    assert message.startswith("yujuesuan extract: noexcl:// cannot create a file exclusively") and "\n" not in message
    monkeypatch.setenv("YUJUESUAN_SINGLE_WRITER", "1")
    Warehouse(url).init()  # the user's word that one writer runs


def test_unknown_protocol_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(SAMPLE), "--warehouse", "nosuchproto://w"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("yujuesuan extract: --warehouse: cannot use nosuchproto://w") and "\n" not in err


def rows(doc: int) -> dict[str, list[dict]]:
    doc_id = f"{doc:064x}"
    return {
        "documents": [{"doc_id": doc_id, "year": 2024, "unit_name": "示例单位", "status": "ok"}],
        "line_items": [{"doc_id": doc_id, "row_index": i, "code": "201", "value": 100 + i} for i in range(3)],
    }


def test_an_interrupted_write_on_an_object_store_leaves_nothing_visible(monkeypatch: pytest.MonkeyPatch) -> None:
    url = memory_url("w")
    wh = Warehouse(url)
    wh.init()
    wh.write(f"{1:064x}", rows(1))
    real, calls = Remote.write, {"n": 0}

    def dying(self: Remote, data: bytes, *parts: str) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # killed after its first file was put, before its documents row
        real(self, data, *parts)

    monkeypatch.setattr(Remote, "write", dying)
    with pytest.raises(KeyboardInterrupt):
        wh.write(f"{2:064x}", rows(2))
    monkeypatch.setattr(Remote, "write", real)
    assert wh.doc_ids() == [f"{1:064x}"] and len(wh.read("line_items")) == 3  # the half-written document is unseen
    assert connect(url).execute("SELECT count(*) FROM line_items").fetchone()[0] == 3
    assert [str(p).rsplit("/", 1)[-1] for p in wh.repair()] == [f"{2:064x}.parquet"]  # its line_items file
    assert not wh.fs.exists("line_items", f"{2:064x}.parquet")


def test_an_interrupted_put_through_a_temporary_name_leaves_no_partial_file() -> None:
    url = f"halfwrite://w-{secrets.token_hex(4)}"
    wh = Warehouse(url)
    with pytest.raises(ConnectionError):
        wh.init()
    assert not [n for n in wh.fs.names("documents") if not n.startswith(".")]  # no schema.parquet cut in half
    assert folder(url).names("documents") == []  # the temporary name was removed too
