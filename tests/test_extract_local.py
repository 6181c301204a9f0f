"""Local extraction as a user meets it: unchanged documents skipped, files without an extension,
symbolic links, non-UTF-8 names, provenance that only grows, one writer at a time, progress."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from yujuesuan.cli import main
from yujuesuan.ingest.pipeline import StoredDocument, extract_paths, extract_stored
from yujuesuan.samples.generator import generate
from yujuesuan.warehouse.schema import DOCUMENT_SCHEMAS, SCHEMAS
from yujuesuan.warehouse.store import Warehouse, WarehouseLocked

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return generate(3).pdf


def test_a_second_extract_skips_what_it_holds_and_force_redoes_it(tmp_path, pdf) -> None:
    (tmp_path / "a.pdf").write_bytes(pdf)
    (tmp_path / "b.pdf").write_bytes(generate(4).pdf)
    first = extract_paths([tmp_path], tmp_path / "w")
    assert (first.documents, first.unchanged) == (2, 0)
    stamps = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "w" / "line_items").iterdir()}
    second = extract_paths([tmp_path / "a.pdf", tmp_path / "b.pdf"], tmp_path / "w")
    assert (second.documents, second.unchanged) == (0, 2)
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "w" / "line_items").iterdir()} == stamps
    forced = extract_paths([tmp_path / "a.pdf"], tmp_path / "w", force=True)
    assert (forced.documents, forced.unchanged) == (1, 0)


def test_the_cli_says_how_many_were_skipped(tmp_path, pdf, capsys) -> None:
    (tmp_path / "a.pdf").write_bytes(pdf)
    args = ["extract", str(tmp_path / "a.pdf"), "--warehouse", str(tmp_path / "w")]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "extracted 0 document(s)" in out and "1 unchanged and skipped (--force to redo)" in out


def test_files_without_an_extension_are_taken_by_their_bytes(tmp_path, pdf) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "4d2f0c9e").write_bytes(pdf)  # a raw store's file: named by its hash
    (raw / "manifest.jsonl").write_text('{"url": "http://x"}\n', encoding="utf-8")
    (raw / "notes.bin").write_bytes(b"\x00\x01 nothing")
    summary = extract_paths([raw], tmp_path / "w")
    assert summary.documents == 1
    assert sorted(p.name for p in summary.skipped) == ["manifest.jsonl", "notes.bin"]


def test_symbolic_links_out_of_the_folder_are_refused(tmp_path, pdf, capsys) -> None:
    inside = tmp_path / "docs"
    inside.mkdir()
    (inside / "real.pdf").write_bytes(pdf)
    (inside / "same.pdf").symlink_to(inside / "real.pdf")  # within the folder: followed
    (inside / "passwd.pdf").symlink_to("/etc/passwd")
    summary = extract_paths([inside], tmp_path / "w")
    assert [p.name for p, _ in summary.refused] == ["passwd.pdf"]
    assert "symbolic link" in summary.refused[0][1]
    raw = {p.name for p in (tmp_path / "w" / "_raw").iterdir()}
    assert len(raw) == 1  # the PDF; /etc/passwd was never copied
    assert summary.duplicates == 1
    followed = extract_paths([inside], tmp_path / "w2", follow_symlinks=True)
    assert not followed.refused and followed.documents == 2
    assert main(["extract", str(inside), "--warehouse", str(tmp_path / "w3")]) == 0
    assert "refused" in capsys.readouterr().out


def test_a_gbk_file_name_is_stored_decoded_with_its_bytes_kept(tmp_path, pdf) -> None:
    name = "部门决算.pdf".encode("gbk")
    folder = os.fsencode(tmp_path / "docs")
    os.mkdir(folder)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(pdf)
    with open(os.path.join(folder, b"\xff\xfe-odd.pdf"), "wb") as f:  # neither UTF-8 nor GB18030-clean
        f.write(generate(5).pdf)
    summary = extract_paths([tmp_path / "docs"], tmp_path / "w")
    assert summary.documents == 2
    docs = {d["file_name"]: d for d in Warehouse(tmp_path / "w").read("documents").to_pylist()}
    assert "部门决算.pdf" in docs
    assert docs["部门决算.pdf"]["file_name_raw"] == name.decode("ascii", "backslashreplace")
    odd = next(d for n, d in docs.items() if n != "部门决算.pdf")
    assert odd["file_name_raw"].startswith("\\xff")
    odd["file_name"].encode("utf-8")  # valid text


def test_local_extraction_keeps_the_crawl_provenance(tmp_path, pdf) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    import hashlib

    sha = hashlib.sha256(pdf).hexdigest()
    (raw / sha).write_bytes(pdf)
    ref = StoredDocument(sha, "决算.pdf", "http://portal.example/a.pdf", "http://portal.example/list.html",
                         "部门决算公开", "demo-cms")
    extract_stored(ref, raw / sha, tmp_path / "w")
    (tmp_path / "local.pdf").write_bytes(pdf)
    extract_paths([tmp_path / "local.pdf"], tmp_path / "w", force=True)  # a re-extraction from a local copy
    doc = Warehouse(tmp_path / "w").document(sha)
    assert doc["source_url"] == "http://portal.example/a.pdf"
    assert doc["source_id"] == "demo-cms" and doc["referrer"] == "http://portal.example/list.html"
    assert doc["referrer_title"] == "部门决算公开"
    assert doc["seen_as"][0] == "http://portal.example/a.pdf"
    assert doc["seen_as"][1] == f"file:{(tmp_path / 'local.pdf').resolve()}"
    # the other way round: a local document later found by the crawl gains the provenance
    other = generate(6).pdf
    (tmp_path / "o.pdf").write_bytes(other)
    extract_paths([tmp_path / "o.pdf"], tmp_path / "w")
    osha = hashlib.sha256(other).hexdigest()
    (raw / osha).write_bytes(other)
    extract_stored(StoredDocument(osha, "o.pdf", "http://portal.example/o.pdf", None, None, "demo-cms"),
                   raw / osha, tmp_path / "w")
    odoc = Warehouse(tmp_path / "w").document(osha)
    assert odoc["source_url"] == "http://portal.example/o.pdf" and odoc["source_id"] == "demo-cms"
    assert len(odoc["seen_as"]) == 2


def test_every_table_exists_with_its_columns_in_a_new_warehouse(tmp_path, pdf) -> None:
    (tmp_path / "a.pdf").write_bytes(pdf)
    extract_paths([tmp_path / "a.pdf"], tmp_path / "w")  # no variances, projects or run rows
    for table, schema in SCHEMAS.items():
        df = pd.read_parquet(tmp_path / "w" / table)
        assert list(df.columns) == schema.names, table
    docs = pd.read_parquet(tmp_path / "w" / "documents")
    assert str(docs["year"].dtype) == "Int32" and str(docs["pages"].dtype) == "Int32"
    assert len(docs) == 1
    import duckdb

    n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/w/variances/*.parquet')").fetchone()[0]
    assert n == 0
    assert Warehouse(tmp_path / "w").doc_ids() == [docs["doc_id"][0]]
    assert set(DOCUMENT_SCHEMAS) <= set(SCHEMAS)


def test_run_timestamps_are_timestamps(tmp_path) -> None:
    wh = Warehouse(tmp_path / "w")
    wh.write_run_table(
        "downloads",
        "r1.s",
        [{"run_id": "r1", "url": "http://x/a.pdf", "fetched_at": "2026-03-01T02:00:00+00:00", "outcome": "new",
          "last_modified": "Wed, 21 Oct 2015 07:28:00 GMT"}],
    )
    table = pq.read_table(tmp_path / "w" / "downloads" / "r1.s.parquet")
    assert str(table.schema.field("fetched_at").type) == "timestamp[us, tz=UTC]"
    row = table.to_pylist()[0]
    assert row["last_modified"].year == 2015 and row["fetched_at"].hour == 2


def _holder(root: Path) -> subprocess.Popen:
    code = (
        "import sys, time; from yujuesuan.warehouse.store import Warehouse\n"
        f"with Warehouse({str(root)!r}).lock():\n    print('held', flush=True); time.sleep(30)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_writer_gets_a_clear_error_and_live_temp_files_survive_repair(tmp_path, pdf, capsys) -> None:
    (tmp_path / "a.pdf").write_bytes(pdf)
    root = tmp_path / "w"
    proc = _holder(root)
    try:
        live = root / "line_items" / f".x.parquet.{proc.pid}.1.ab.tmp"
        live.parent.mkdir(parents=True, exist_ok=True)
        live.write_bytes(b"in flight")
        with pytest.raises(WarehouseLocked, match=f"pid {proc.pid}"):
            extract_paths([tmp_path / "a.pdf"], root)
        assert main(["extract", str(tmp_path / "a.pdf"), "--warehouse", str(root)]) == 2
        err = capsys.readouterr().err
        assert err.startswith("yujuesuan extract: the warehouse") and "Traceback" not in err
        t = time.monotonic()
        with pytest.raises(WarehouseLocked):
            with Warehouse(root).lock(wait=0.5):
                pass
        assert time.monotonic() - t >= 0.5
    finally:
        proc.kill()
        proc.wait()
    dead = root / "line_items" / ".y.parquet.999999999.1.cd.tmp"
    dead.write_bytes(b"left by a killed run")
    extract_paths([tmp_path / "a.pdf"], root)  # the holder is gone: the lock is free again
    assert not dead.exists()
    assert not live.exists()  # its writer died too


def test_repair_keeps_a_live_writers_temp_file(tmp_path) -> None:
    root = tmp_path / "w"
    Warehouse(root).init()
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = root / "tables" / f".x.parquet.{proc.pid}.1.ab.tmp"
        live.write_bytes(b"in flight")
        dead = root / "tables" / ".x.parquet.tmp"  # the old name, no pid: its writer is unknown, gone
        dead.write_bytes(b"old")
        removed = Warehouse(root).repair()
        assert live.exists() and dead in removed
    finally:
        proc.kill()
        proc.wait()


def test_progress_lines_when_not_a_terminal(tmp_path, pdf, capsys) -> None:
    for seed in (3, 4, 5):
        (tmp_path / f"d{seed}.pdf").write_bytes(generate(seed).pdf)
    assert main(["extract", str(tmp_path), "--warehouse", str(tmp_path / "w"), "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "extract: 3/3 document(s)" in err and "pages/s" in err
    assert "extract: 1/3 document(s)" in err  # the first is always shown


def test_a_schema_file_of_older_code_is_rewritten(tmp_path) -> None:
    import pyarrow as pa

    wh = Warehouse(tmp_path / "w")
    wh.init()
    stale = tmp_path / "w" / "tables" / "schema.parquet"
    pq.write_table(pa.schema([("doc_id", pa.string())]).empty_table(), stale)
    wh.init()
    assert pq.read_schema(stale).names == SCHEMAS["tables"].names


def test_the_largest_document_starts_first(tmp_path) -> None:
    """Size stands for work: extracted longest first, no large document starts last and runs alone."""
    folder = tmp_path / "in"
    folder.mkdir()
    small, large = generate(5).pdf, generate(6).pdf + b"\n" * 50_000  # trailing whitespace after %%EOF: still a PDF
    (folder / "a-small.pdf").write_bytes(small)
    (folder / "b-large.pdf").write_bytes(large)
    seen: list[str] = []
    extract_paths([folder], tmp_path / "w", progress=lambda p: seen.append(p.file))
    assert seen == ["b-large.pdf", "a-small.pdf"]


def test_a_crawled_document_is_checked_by_its_worker_and_not_read_back_to_check(tmp_path, pdf) -> None:
    import hashlib

    from yujuesuan.ingest.pipeline import checks_version, documents_to_check

    raw = tmp_path / "raw"
    raw.mkdir()
    sha = hashlib.sha256(pdf).hexdigest()
    (raw / sha).write_bytes(pdf)
    summary = extract_stored(StoredDocument(sha, "决算.pdf", "http://portal.example/a.pdf", None, None, "demo-cms"),
                             raw / sha, tmp_path / "w")
    assert summary["checked"] is True
    doc = Warehouse(tmp_path / "w").document(sha)
    assert doc["checked_with"] == checks_version() and doc["status"] in {"ok", "partial"}
    assert documents_to_check(tmp_path / "w") == []  # the check phase has nothing left to do
    from yujuesuan.checks.apply import apply_checks

    rows = Warehouse(tmp_path / "w").read_document(sha)
    stored = sorted((i["check_id"], i["locator"] or "") for i in rows["quality_issues"])
    apply_checks(rows)  # what the check phase would have found
    assert stored == sorted((i["check_id"], i["locator"] or "") for i in rows["quality_issues"])
    assert rows["documents"][0]["status"] == doc["status"]


def test_a_page_image_starts_before_a_larger_text_pdf(tmp_path) -> None:
    """A scanned page costs seconds of OCR for its kilobytes: by size alone it would start last and run alone."""
    import io

    from PIL import Image, ImageDraw

    folder = tmp_path / "in"
    folder.mkdir()
    page = Image.new("L", (600, 800), 255)
    ImageDraw.Draw(page).rectangle((50, 50, 550, 120), outline=0, width=3)
    buf = io.BytesIO()
    page.save(buf, format="PNG")
    pdf = generate(6).pdf
    assert len(buf.getvalue()) < len(pdf)
    (folder / "a-page.png").write_bytes(buf.getvalue())
    (folder / "b-report.pdf").write_bytes(pdf)
    seen: list[str] = []
    extract_paths([folder], tmp_path / "w", progress=lambda p: seen.append(p.file))
    assert seen == ["a-page.png", "b-report.pdf"]
