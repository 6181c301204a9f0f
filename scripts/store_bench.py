"""The store benchmark (issue #15, items 3 and 4): a synthetic warehouse of N documents (the rows of
scripts/scale_bench.py's query part), the DuckDB query before and after compaction, then the no-op
nightly run over a raw store of the same N documents, all unchanged (the warehouse holds each from
this extractor code and catalogue). A report, not a test.

    python scripts/store_bench.py --docs 10000 [--where memory://bench] [--keep DIR]

`--where` puts the warehouse and the raw store at an fsspec URL instead of a local folder (the no-op
nightly, a separate process, needs a local or shared location: it is skipped for memory://).
The nightly's sources folder is empty: its crawl visits nothing, so its time is what N unchanged
documents cost the extract, check, publish and compact stages (and Prefect's start).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from yujuesuan.ingest.pipeline import checks_version, extractor_version  # noqa: E402
from yujuesuan.warehouse.fs import folder  # noqa: E402
from yujuesuan.warehouse.store import Warehouse  # noqa: E402

QUERY = ("SELECT d.year, count(DISTINCT d.doc_id), sum(l.value) FROM line_items l JOIN documents d USING (doc_id) "
         "WHERE l.code LIKE '2000%' GROUP BY 1 ORDER BY 1")


def url_of(i: int) -> str:
    return f"http://127.0.0.1:1/attach/d{i}.pdf"


def synthetic_warehouse(where: str, n: int, items: int = 60) -> None:
    """n documents' rows (items line items each, 10 years, 500 units), written one by one, as
    extracted and checked by this code from the raw store's URLs."""
    wh = Warehouse(where)
    wh.init()
    common = {"format": "pdf", "status": "ok", "kind": "final", "pages": 20, "extracted_by": "pdfplumber",
              "extractor_version": extractor_version(), "checked_with": checks_version(), "is_current": True}
    for i in range(n):
        doc_id, year, unit = f"{i:064x}", 2015 + i % 10, f"单位{i % 500}"
        wh.write(doc_id, {
            "documents": [{"doc_id": doc_id, "file_name": f"d{i}.pdf", "year": year, "unit_name": unit,
                           "unit_id": unit, "source_url": url_of(i), "seen_as": [url_of(i)], **common}],
            "line_items": [{"doc_id": doc_id, "unit_id": unit, "year": year, "table_code": f"{1 + j % 9:02d}",
                            "code": f"2{j:06d}", "row_index": j, "column": "合计", "value": Decimal(i * 7 + j),
                            "page": 1 + j // 20, "printed": str(i * 7 + j)} for j in range(items)],
        })


def raw_store(where: str, n: int) -> None:
    """n stored documents (their blobs named by the warehouse's doc_ids) and one fetch line each."""
    fs = folder(where)
    lines = []
    for i in range(n):
        doc_id = f"{i:064x}"
        fs.write_once(b"%PDF-1.4 synthetic " + doc_id.encode(), doc_id)
        lines.append(json.dumps({"url": url_of(i), "outcome": "new", "sha256": doc_id, "file_name": f"d{i}.pdf",
                                 "fetched_at": "2026-01-01T00:00:00+00:00", "status": 200}))
    fs.write(("\n".join(lines) + "\n").encode(), "manifest.jsonl")


def time_query(where: str) -> float:
    from yujuesuan.analysis.duck import connect

    start = time.perf_counter()
    connect(where).execute(QUERY).fetchall()
    return time.perf_counter() - start


def parquet_files(where: str) -> int:
    fs = folder(where)
    return sum(1 for t in ("documents", "line_items") for n in fs.names(t) if n.endswith(".parquet"))


def nightly(tmp: Path, raw: str, warehouse: str) -> tuple[float, str]:
    (tmp / "sources").mkdir(exist_ok=True)
    # the flow itself (the command refuses an empty sources folder): a process of its own, as `yujuesuan nightly`
    code = ("import json, sys; from flows.nightly import nightly; "
            "out = nightly(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], jobs=2); "
            "print('RESULT', json.dumps({k: out[k] for k in ('extracted', 'checked', 'documents', 'timings')}))")
    cmd = [sys.executable, "-c", code, str(tmp / "sources"), raw, warehouse, str(tmp / "runs")]
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    took = time.perf_counter() - start
    last = [line[len("RESULT "):] for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    return took, (last[0] if last else f"exit {done.returncode}: {done.stderr.strip()[-400:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=10000, help="documents (default 10000)")
    ap.add_argument("--where", help="an fsspec URL for the warehouse and the raw store (default: a local folder)")
    ap.add_argument("--no-nightly", action="store_true", help="only the query part")
    ap.add_argument("--keep", help="work here instead of a temporary folder")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="yujuesuan-store-") as t:
        tmp = Path(args.keep or t)
        base = args.where.rstrip("/") if args.where else str(tmp)
        wh, raw = f"{base}/wh", f"{base}/raw"
        start = time.perf_counter()
        synthetic_warehouse(wh, args.docs)
        print(f"synthetic warehouse at {wh}: {args.docs} documents written in {time.perf_counter() - start:.1f}s, "
              f"{parquet_files(wh)} Parquet files in documents/ and line_items/")
        before = time_query(wh)
        from yujuesuan.warehouse.compact import compact

        s = compact(wh)
        after = time_query(wh)
        print(f"query over {args.docs} documents: {before:.2f}s uncompacted, {after:.2f}s compacted "
              f"(compaction {s.seconds:.1f}s, then {parquet_files(wh)} Parquet files)")
        if args.no_nightly or base.startswith("memory://"):
            return
        start = time.perf_counter()
        raw_store(raw, args.docs)
        print(f"raw store at {raw}: {args.docs} documents in {time.perf_counter() - start:.1f}s")
        for label in ("first nightly over it (records the sightings)", "no-op nightly (nothing new)"):
            took, line = nightly(tmp, raw, wh)
            print(f"{label}: {took:.1f}s — {line}")


if __name__ == "__main__":
    main()
