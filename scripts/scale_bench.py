"""The scale benchmark (issue #15, item 6): a local portal of N generated documents on 127.0.0.1,
the nightly run over it twice (the second finds nothing new), and a DuckDB query over a synthetic
warehouse of M documents before and after compaction. A report, not a test.

    python scripts/scale_bench.py --docs 200 --query-docs 10000 [--workers 2] [--keep DIR] [--publish-copies K]

Prints: documents and pages, the first run's wall time, pages/s and per-stage times, the peak
resident memory of the largest process of each run, the no-op run's time, files per table and
the query's time over the uncompacted and the compacted warehouse; with --publish-copies K, the
nightly's warehouse K times over published in one process and a process a stage (peak RSS of each).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from yujuesuan.samples.generator import Layout, generate  # noqa: E402
from yujuesuan.samples.portal import DEMO_URL_VAR, DemoPortal  # noqa: E402

PER_INDEX = 50
SOURCE = """name: 规模测试门户
adapter: generic_cms
region: 示例市
start_urls:
  - ${YUJUESUAN_DEMO_URL}/czj/index.html
index:
  max_pages: 100000
  follow:
    text_any: [预算, 决算]
limits:
  rate_per_second: 1000
  concurrency: 8
  timeout_seconds: 30
  backoff_seconds: 0.1
"""


def unit_name(i: int) -> str:
    """A portal's units each publish a document a year (the generator draws the year: some years twice,
    as a republished version), not thousands of documents under four names."""
    return "示例市" + "".join("〇一二三四五六七八九"[int(c)] for c in str(i // 3)) + "局"  # no digit before the year


def build_portal(folder: Path, n: int) -> None:
    """Index pages of PER_INDEX links (下一页 between them), a detail page per document, its PDF (a
    portal of n documents already in `folder`, from --keep, is served again as it is)."""
    if (folder / "czj" / "index.html").exists() and len(list((folder / "attach").glob("*.pdf"))) == n:
        return
    (folder / "czj").mkdir(parents=True)
    (folder / "attach").mkdir()
    (folder / "sources").mkdir()
    (folder / "sources" / "scale.yaml").write_text(SOURCE, encoding="utf-8")
    pages = (n + PER_INDEX - 1) // PER_INDEX
    for p in range(pages):
        links = []
        for i in range(p * PER_INDEX, min(n, (p + 1) * PER_INDEX)):
            (folder / "attach" / f"d{i}.pdf").write_bytes(generate(1000 + i, Layout(unit=unit_name(i))).pdf)
            (folder / "czj" / f"detail{i}.html").write_text(
                f'<html><head><meta charset="utf-8"><title>部门决算 {i}</title></head><body><h1>部门决算 {i}</h1>'
                f'<p>附件：<a href="../attach/d{i}.pdf">部门决算{i}.pdf</a></p></body></html>', encoding="utf-8")
            links.append(f'<li><a href="detail{i}.html">部门决算 {i}</a></li>')
        nxt = f'<a href="index_{p + 1}.html">下一页</a>' if p + 1 < pages else ""
        name = "index.html" if p == 0 else f"index_{p}.html"
        (folder / "czj" / name).write_text(
            f'<html><head><meta charset="utf-8"><title>部门预决算</title></head><body><ul>{"".join(links)}</ul>'
            f'{nxt}</body></html>', encoding="utf-8")


class Sampler(threading.Thread):
    """The peak resident memory of a process and its descendants, by role, sampled every 0.2 s."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root, self.peak, self.done = pid, defaultdict(float), threading.Event()

    @staticmethod
    def role(p: psutil.Process, root: int) -> str:
        cmd = " ".join(p.cmdline())
        if p.pid == root:
            return "nightly (flow, writer)"
        if "prefect" in cmd and "server" in cmd or "uvicorn" in cmd:
            return "Prefect server"
        if "own_process" in cmd:
            return "compact, publish (a process each)"
        if "forkserver" in cmd or "multiprocessing" in cmd:
            return "extraction workers"
        return "other"

    def run(self) -> None:
        while not self.done.wait(0.2):
            try:
                root = psutil.Process(self.root)
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        r = self.role(p, self.root)
                        self.peak[r] = max(self.peak[r], p.memory_info().rss / 2**20)
            except psutil.Error:
                return


def nightly(tmp: Path, portal: Path, url: str, extra: list[str]) -> tuple[float, dict, str]:
    """(wall seconds, peak RSS MB by role, stdout) of one `yujuesuan nightly` process."""
    cmd = [sys.executable, "-m", "yujuesuan.cli", "nightly", "--sources", str(portal / "sources"), "--raw",
           str(tmp / "raw"), "--warehouse", str(tmp / "wh"), "--runs", str(tmp / "runs"), *extra]
    env = {**os.environ, DEMO_URL_VAR: url, "PREFECT_HOME": str(tmp / "prefect"), "PYTHONPATH": str(REPO)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    sampler = Sampler(proc.pid)
    sampler.start()
    stdout, stderr = proc.communicate()
    took = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"nightly failed ({proc.returncode}): {stderr[-2000:]}")
    return took, dict(sampler.peak), stdout


def phase_peaks(stdout: str) -> str:
    """The run report's line of the flow process's peak RSS after each phase ('?' if absent)."""
    found = re.search(r"^report:\s+(.+)$", stdout, re.M)
    try:
        text = Path(found.group(1).strip()).read_text(encoding="utf-8") if found else ""
    except OSError:
        text = ""
    line = re.search(r"after each phase: (.*)\.$", text, re.M)
    return line.group(1) if line else "?"


def synthetic_warehouse(root: Path, n: int, items: int = 60) -> None:
    """n documents' rows (items line items each, 10 years, 500 units), written one by one."""
    from yujuesuan.warehouse.store import Warehouse

    wh = Warehouse(root)
    wh.init()
    for i in range(n):
        doc_id, year, unit = f"{i:064x}", 2015 + i % 10, f"单位{i % 500}"
        wh.write(doc_id, {
            "documents": [{"doc_id": doc_id, "file_name": f"d{i}.pdf", "format": "pdf", "status": "ok",
                           "year": year, "unit_name": unit, "unit_id": unit, "kind": "final", "pages": 20}],
            "line_items": [{"doc_id": doc_id, "unit_id": unit, "year": year, "table_code": f"{1 + j % 9:02d}",
                            "code": f"2{j:06d}", "row_index": j, "column": "合计", "value": Decimal(i * 7 + j),
                            "page": 1 + j // 20, "printed": str(i * 7 + j)} for j in range(items)],
        })


QUERY = ("SELECT d.year, count(DISTINCT d.doc_id), sum(l.value) FROM line_items l JOIN documents d USING (doc_id) "
         "WHERE l.code LIKE '2000%' GROUP BY 1 ORDER BY 1")


def time_query(root: Path) -> float:
    from yujuesuan.analysis.duck import connect

    start = time.perf_counter()
    connect(root).execute(QUERY).fetchall()
    return time.perf_counter() - start


SUFFIX = "甲乙丙丁戊己庚辛壬癸"


def replicate(source: Path, target: Path, copies: int) -> int:
    """The source warehouse's documents `copies` times over (copy k under other doc ids and units: each
    unit's name gains `<甲乙…>分部`), so a warehouse `copies` times larger has the same pairs of
    documents per unit as the nightly's; written and compacted. Returns its documents."""
    import hashlib

    from yujuesuan.warehouse.compact import compact
    from yujuesuan.warehouse.store import Warehouse

    src, dst = Warehouse(source), Warehouse(target)
    dst.init()
    ids = sorted(d["doc_id"] for d in src.read("documents", ["doc_id"]).to_pylist())
    stored = src.read_documents(ids)
    n = 0
    with dst.lock():
        for k in range(copies):
            for doc_id in ids:
                new = doc_id if k == 0 else hashlib.sha256(f"{doc_id}/{k}".encode()).hexdigest()
                rows = {t: [{**r, "doc_id": new} for r in rs] for t, rs in stored[doc_id].items()}
                for r in (row for rs in rows.values() for row in rs):
                    for key in ("unit_name", "unit_id"):
                        if k and r.get(key):
                            r[key] = f"{r[key]}{SUFFIX[k % 10]}{'' if k < 10 else k}分部"
                dst.write(new, rows)
                n += 1
        compact(target)
    return n


def publish_both_ways(root: Path) -> None:
    """The publish of a warehouse whose derived tables were never built, measured twice on copies of it:
    in one process (`publish_derived`), and as the nightly runs it, a process a stage (the checks across
    documents in batches). Each process's peak RSS (its VmHWM) and the wall time."""
    from yujuesuan.runs.own_process import ANCHORS_PER_PROCESS, publish_in_own_process, run_steps
    from yujuesuan.runs.report import RunRecord
    from yujuesuan.warehouse.store import Warehouse

    one, staged = root.with_name(root.name + "-one"), root.with_name(root.name + "-staged")
    for copy in (one, staged):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(root, copy)
    wh = Warehouse(one)
    start = time.perf_counter()
    with wh.lock():
        done = run_steps(str(one), [("publish", {})], wh.held_locks())
    took_one = time.perf_counter() - start
    if done["steps"][0][3]:
        sys.exit(f"publish failed: {done['steps'][0][3]}")
    wh = Warehouse(staged)
    record = RunRecord("bench", "", str(staged), "", "")
    start = time.perf_counter()
    with wh.lock():
        publish_in_own_process(record, str(staged), staged.parent / "overview.html", staged.parent / "runs",
                               wh.held_locks())
    took_staged = time.perf_counter() - start
    if record.failures:
        sys.exit(f"publish failed: {record.failures}")
    print(f"  one process (publish_derived): peak RSS {done['peak_rss_mb']:.0f} MB, {took_one:.1f}s")
    print(f"  a process a stage ({ANCHORS_PER_PROCESS} anchors a process): peak RSS "
          + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(record.peak_rss_mb.items()))
          + f"; {took_staged:.1f}s with compaction and the overview ("
          + ", ".join(f"{k} {v:.1f}s" for k, v in sorted(record.timings.items())) + ")")
    print("    its processes (step, seconds, peak RSS MB): "
          + ", ".join(f"{name} {s:.1f}s {mb:.0f} MB" for name, s, mb in record.own_processes))


def files(root: Path) -> int:
    return sum(1 for p in root.rglob("*.parquet") if "_raw" not in p.parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100, help="documents the local portal serves (default 100)")
    ap.add_argument("--query-docs", type=int, default=10000, help="documents of the synthetic query warehouse")
    ap.add_argument("--workers", type=int, help="extract on a local Dask cluster of N workers")
    ap.add_argument("--keep", help="work here instead of a temporary folder")
    ap.add_argument("--publish-copies", type=int, default=0, metavar="K",
                    help="also: the nightly's warehouse K times over (other units), published in one process "
                         "and a process a stage, each process's peak RSS")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="yujuesuan-scale-") as t:
        tmp = Path(args.keep or t)
        portal = tmp / "portal"
        start = time.perf_counter()
        build_portal(portal, args.docs)
        print(f"portal: {args.docs} documents generated in {time.perf_counter() - start:.1f}s")
        extra = ["--workers", str(args.workers)] if args.workers else []
        with DemoPortal(portal, port=0) as served:
            first, rss1, out1 = nightly(tmp, portal, served.url, extra)
            second, rss2, out2 = nightly(tmp, portal, served.url, extra)
        from yujuesuan.warehouse.store import Warehouse

        docs = Warehouse(tmp / "wh").read("documents").to_pylist()
        pages = sum(d.get("pages") or 0 for d in docs)
        phases = re.search(r"in all; ([^)]*)\)", out1)
        extract_s = float(re.search(r"extract ([\d.]+)s", out1).group(1)) if "extract " in out1 else first
        print(f"first nightly: {len(docs)} documents, {pages} pages in {first:.1f}s "
              f"({pages / extract_s:.1f} pages/s in the extract stage); stages: {phases.group(1) if phases else '?'}")
        print("  peak RSS by process: " + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(rss1.items())))
        print(f"  the writer's peak RSS after each phase: {phase_peaks(out1)}")
        phases2 = re.search(r"in all; ([^)]*)\)", out2)
        print(f"no-op nightly (nothing new): {second:.1f}s; stages: {phases2.group(1) if phases2 else '?'}")
        print("  peak RSS by process: " + ", ".join(f"{k} {v:.0f} MB" for k, v in sorted(rss2.items())))
        print(f"  the writer's peak RSS after each phase: {phase_peaks(out2)}")
        print(f"warehouse: {files(tmp / 'wh')} Parquet files for {len(docs)} documents")
        if args.publish_copies:
            big = tmp / "publish-wh"
            shutil.rmtree(big, ignore_errors=True)
            start = time.perf_counter()
            n = replicate(tmp / "wh", big, args.publish_copies)
            print(f"publish over the warehouse {args.publish_copies} times over: {n} documents "
                  f"(written and compacted in {time.perf_counter() - start:.1f}s)")
            publish_both_ways(big)
        if not args.query_docs:
            return
        q = tmp / "query-wh"
        start = time.perf_counter()
        synthetic_warehouse(q, args.query_docs)
        print(f"synthetic warehouse: {args.query_docs} documents written in {time.perf_counter() - start:.1f}s, "
              f"{files(q)} Parquet files")
        before = time_query(q)
        from yujuesuan.warehouse.compact import compact

        s = compact(q)
        after = time_query(q)
        print(f"query over {args.query_docs} documents: {before:.2f}s uncompacted, {after:.2f}s compacted "
              f"(compaction {s.seconds:.1f}s, {files(q)} Parquet files)")


if __name__ == "__main__":
    main()
