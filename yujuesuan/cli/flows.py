"""The commands that run Prefect flows: `nightly`, `crawl`, `serve`, and `sources` (no Prefect)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext, suppress
from pathlib import Path

from yujuesuan import logs
from yujuesuan.cli.common import free_port

DEMO_FOLDER = Path(__file__).resolve().parents[2] / "data" / "demo_portal"

NIGHTLY_EXAMPLE = """examples:
  yujuesuan nightly --demo                      # the bundled demo portal, served on 127.0.0.1
  yujuesuan nightly --sources data/sources --warehouse data/warehouse
  yujuesuan nightly --only jiangsu-wuxi --raw /srv/raw
  yujuesuan nightly --workers 2                 # extraction on a local Dask cluster of 2 processes
  yujuesuan nightly --dask tcp://scheduler:8786  # extraction on a running Dask cluster
"""
SERVE_EXAMPLE = """examples:
  yujuesuan serve --cron "0 2 * * *"            # nightly at 02:00, until stopped (Ctrl-C)
  yujuesuan serve --cron "*/30 * * * *" --demo
"""
CRAWL_EXAMPLE = """examples:
  yujuesuan crawl --sources data/sources --raw data/raw
  yujuesuan crawl --demo
"""
SOURCES_EXAMPLE = """examples:
  yujuesuan sources                              # validate data/sources/*.yaml and list them
  yujuesuan sources --sources my/sources
"""


def _demo(args: argparse.Namespace) -> AbstractContextManager:
    """With --demo: serve the bundled portal and point the run at its sources."""
    if not getattr(args, "demo", False):
        return nullcontext()
    from yujuesuan.crawl.sources import SourceError
    from yujuesuan.samples.portal import DEMO_URL_VAR, DemoPortal

    if not (DEMO_FOLDER / "sources").is_dir():
        raise SourceError(f"{DEMO_FOLDER}: the demo portal is missing (run from a checkout of the project)")
    portal = DemoPortal(DEMO_FOLDER)
    os.environ[DEMO_URL_VAR] = portal.url
    args.sources = str(DEMO_FOLDER / "sources")
    print(f"demo portal served at {portal.url}/czj/yjsgk/index.html")
    return portal


def _sources_ok(args: argparse.Namespace, command: str) -> bool:
    from yujuesuan.crawl.sources import SourceError, load_sources

    try:
        found = load_sources(args.sources, args.only)
    except SourceError as exc:
        print(f"yujuesuan {command}: invalid sources:\n{exc}", file=sys.stderr)
        return False
    if not found:
        print(f"yujuesuan {command}: no sources (*.yaml) in {args.sources}", file=sys.stderr)
        return False
    return True


@contextmanager
def _prepared(args: argparse.Namespace, command: str) -> Iterator[bool]:
    """The demo portal served (with --demo) for the duration, and whether the sources are valid."""
    from yujuesuan.cli.common import usable_location
    from yujuesuan.crawl.sources import SourceError

    for name in ("raw", "warehouse"):
        if getattr(args, name, None) is not None and not usable_location(getattr(args, name), f"--{name}", command):
            yield False
            return
    try:
        portal = _demo(args)
    except SourceError as exc:
        print(f"yujuesuan {command}: {exc}", file=sys.stderr)
        yield False
        return
    with portal:
        yield _sources_ok(args, command)


def cmd_nightly(args: argparse.Namespace) -> int:
    with _prepared(args, "nightly") as ok:
        if not ok:
            return 2
        from flows.nightly import nightly
        from yujuesuan.warehouse.fs import StorageError
        from yujuesuan.warehouse.store import WarehouseLocked

        logs.setup(Path(args.runs) / "nightly.log", args.verbose)
        start = time.perf_counter()
        try:
            out = nightly(
                args.sources, args.raw, args.warehouse, args.runs, args.only, args.engine,
                args.timeout, args.memory, args.wait, args.dask, args.workers, args.jobs or None,
            )
        except (WarehouseLocked, StorageError) as exc:
            print(f"yujuesuan nightly: {exc}", file=sys.stderr)
            return 2
    took = time.perf_counter() - start
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in out["timings"].items())
    print(
        f"nightly run {out['run_id']}: {out['downloaded']} document(s) downloaded, {out['extracted']} extracted, "
        f"{out['checked']} checked; {out['documents']} in the warehouse ({took:.1f}s in all; {phases})"
    )
    for severity, w in out.get("graded_warnings") or [("warning", w) for w in out["warnings"]]:
        print(f"{severity}: {w}")
    for f in out["failures"]:
        print(f"failed: {f}")
    print(f"warehouse: {out['warehouse']}")
    print(f"report:    {out['report']}")
    print(f"overview:  {out['overview'] or '(not written: see the failures above)'}")
    print(f"log:       {os.path.abspath(Path(args.runs) / 'nightly.log')}")
    return 1 if out["failures"] else 0


def cmd_crawl(args: argparse.Namespace) -> int:
    with _prepared(args, "crawl") as ok:
        if not ok:
            return 2
        from flows.crawl import crawl

        results = crawl(args.sources, args.raw, args.only)
    for r in results:
        h = r.health
        print(
            f"{h.source_id}: {h.pages_visited} page(s), {h.documents_found} document(s): {h.new} new, "
            f"{h.changed} changed, {h.unchanged} unchanged, {h.failed} failed"
        )
        for w in h.warnings:
            print(f"  {h.severity_of(w)}: {w}")
    print(f"raw store: {absolute(args.raw)}")
    return 0


class PrefectServer:
    """A local Prefect server (API, UI and the scheduler) for `serve`, unless PREFECT_API_URL names
    one: Prefect's ephemeral in-process server cannot run schedules, and a user should not have to
    start a server by hand. Stopped with the command."""

    def __init__(self, timeout: float = 120.0) -> None:
        self.proc: subprocess.Popen | None = None
        self.timeout = timeout
        self.url = os.environ.get("PREFECT_API_URL")

    def __enter__(self) -> PrefectServer:
        if self.url:
            return self
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/api"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
            start_new_session=True,  # Ctrl-C stops `serve` first; the server is stopped after it
        )
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Prefect server exited with code {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            self.__exit__()
            raise RuntimeError(f"the Prefect server did not answer within {self.timeout:.0f}s")
        os.environ["PREFECT_API_URL"] = self.url
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def cmd_serve(args: argparse.Namespace) -> int:
    with _prepared(args, "serve") as ok:
        if not ok:
            return 2
        with ExitStack() as stack:
            try:
                server = stack.enter_context(PrefectServer())
            except RuntimeError as exc:
                print(f"yujuesuan serve: {exc}", file=sys.stderr)
                return 1
            print(f"Prefect API, UI and scheduler: {(server.url or '').removesuffix('/api')}")
            with suppress(KeyboardInterrupt):
                _serve(args)
    return 0


def absolute(location: str) -> str:
    from yujuesuan.warehouse.fs import absolute as resolved

    return resolved(location)


def _serve(args: argparse.Namespace) -> None:
    from flows.nightly import nightly

    params = {
        "sources": os.path.abspath(args.sources),
        "raw": absolute(args.raw),
        "warehouse": absolute(args.warehouse),
        "runs": os.path.abspath(args.runs),
        "only": args.only,
        "engine": args.engine,
        "timeout": args.timeout,
        "memory_mb": args.memory,
        "wait": args.wait,
        "dask": args.dask,
        "workers": args.workers,
        "jobs": args.jobs or None,
    }
    print(f"serving the nightly flow on cron {args.cron!r}; stop with Ctrl-C")
    nightly.serve(name=args.name, cron=args.cron, parameters=params, print_starting_message=False)


def cmd_sources(args: argparse.Namespace) -> int:
    from yujuesuan.crawl.sources import SourceError, load_sources

    try:
        found = load_sources(args.sources)
    except SourceError as exc:
        print(f"yujuesuan sources: invalid sources:\n{exc}", file=sys.stderr)
        return 2
    for s in found:
        where = ", ".join(s.start_urls) if s.start_urls else (s.jiangsu.base_url if s.jiangsu else "")
        print(f"{s.id}\t{s.adapter}\t{s.name}\t{where}")
    print(f"{len(found)} valid source(s) in {args.sources}")
    return 0


def _run_options(p: argparse.ArgumentParser, *, warehouse: bool = True) -> None:
    p.add_argument("--sources", default="data/sources", help="folder of source YAML files (default: data/sources)")
    p.add_argument("--only", nargs="+", metavar="ID", help="only these source ids")
    p.add_argument("--raw", default="data/raw", help="raw store: downloads by sha256 + manifest (default: data/raw)")
    p.add_argument("--demo", action="store_true", help="serve the bundled demo portal on 127.0.0.1 and crawl it")
    if warehouse:
        p.add_argument("--warehouse", default="data/warehouse", help="warehouse folder (default: data/warehouse)")
        p.add_argument("--runs", default="data/runs", help="run reports: RUNS/<run_id>/report.md (default: data/runs)")
        p.add_argument("--engine", choices=["pdfplumber", "camelot"], default="pdfplumber", help="table engine")
        p.add_argument("--timeout", type=float, help="seconds one document's extraction may take (default 120)")
        p.add_argument("--memory", type=int, help="MB one document's extraction may use (default 2048)")
        p.add_argument("--wait", type=float, default=600.0, help="seconds to wait for another writer (default 600)")
        p.add_argument("--dask", metavar="ADDRESS", help="extract on a running Dask cluster (tcp://scheduler:8786)")
        p.add_argument("--workers", type=int, help="extract on a local Dask cluster of N worker processes")
        p.add_argument("--jobs", type=int, default=0, help="documents extracted at once (default: all cores)")


def add_commands(sub: argparse._SubParsersAction) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    p = sub.add_parser(
        "nightly",
        help="crawl every source, download what is new once, extract, check, publish a run report",
        description="The nightly Prefect flow: crawl → extract (cached on each document's sha256) → check → "
        "publish (downloads, crawl_issues, source_health tables; RUNS/<run_id>/report.md; a Markdown artifact). "
        "Runs on Prefect's local ephemeral server unless PREFECT_API_URL names one.",
        epilog=NIGHTLY_EXAMPLE,
        formatter_class=fmt,
    )
    _run_options(p)
    p.set_defaults(func=cmd_nightly)
    p = sub.add_parser(
        "crawl",
        help="crawl the sources into the raw store only (no extraction)",
        description="The crawl Prefect flow alone: sources in parallel, each document downloaded once.",
        epilog=CRAWL_EXAMPLE,
        formatter_class=fmt,
    )
    _run_options(p, warehouse=False)
    p.set_defaults(func=cmd_crawl)
    p = sub.add_parser(
        "serve",
        help="run the nightly flow on a cron schedule (Prefect flow.serve; no worker or pool needed)",
        description="Serve the nightly flow as a Prefect deployment with a cron schedule, in this process, "
        "until stopped. For a work pool and many workers, deploy prefect.yaml instead (README: the nightly run).",
        epilog=SERVE_EXAMPLE,
        formatter_class=fmt,
    )
    p.add_argument("--cron", default="0 2 * * *", help='cron schedule (default: "0 2 * * *")')
    p.add_argument("--name", default="yujuesuan-nightly", help="deployment name (default: yujuesuan-nightly)")
    _run_options(p)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser(
        "sources",
        help="validate the source YAML files and list them",
        description="Load every *.yaml source of a folder; errors name the file and the field.",
        epilog=SOURCES_EXAMPLE,
        formatter_class=fmt,
    )
    p.add_argument("--sources", default="data/sources", help="folder of source YAML files (default: data/sources)")
    p.set_defaults(func=cmd_sources)
