"""A run's last phases, each in a process of its own, under the run's warehouse lock.

The nightly's process holds Prefect's runtime (about 300 MB before any work) and keeps what its
phases freed in its allocators; compaction and the tables derived across documents read the whole
warehouse a piece at a time. Run in a fresh interpreter that inherits the lock (its file descriptor:
a flock belongs to the open file, so the child holds it too), their memory goes back with the process
and never stacks on the flow's. The parent waits; nothing else writes meanwhile.

    python -m yujuesuan.runs.own_process '{"warehouse": ..., "steps": [["compact", {}], ...]}'

prints one JSON line: each step's seconds and result, and the process's peak RSS in MB.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from yujuesuan.warehouse.store import HELD_LOCKS_ENV

if TYPE_CHECKING:
    from yujuesuan.runs.report import RunRecord

log = logging.getLogger("yujuesuan.nightly")


def _compact(warehouse: str, **_: Any) -> int:
    from yujuesuan.warehouse.compact import compact

    return compact(warehouse).documents


def _publish(warehouse: str, **_: Any) -> bool:
    from yujuesuan.ingest.pipeline import publish_derived

    return publish_derived(warehouse)


def _units(warehouse: str, **_: Any) -> bool:
    from yujuesuan.ingest.pipeline import publish_units

    return publish_units(warehouse)


def _crossdoc(warehouse: str, limit: int | None = None, **_: Any) -> int:
    from yujuesuan.checks.across_documents import run_across_documents

    return run_across_documents(warehouse, limit=limit).anchors_left


def _codes(warehouse: str, **_: Any) -> int:
    from yujuesuan.codes.observed import publish_codes

    return publish_codes(warehouse)


def _published(warehouse: str, rebuilt: bool = False, **_: Any) -> bool:
    from yujuesuan.ingest.pipeline import publish_record

    publish_record(warehouse, rebuilt)
    return rebuilt


def _overview(warehouse: str, out: str = "", runs: str = "", **_: Any) -> str:
    from yujuesuan.runs.overview import publish_overview

    return str(publish_overview(warehouse, Path(out), runs))


STEPS: dict[str, Callable[..., Any]] = {"compact": _compact, "publish": _publish, "units": _units,
                                        "crossdoc": _crossdoc, "codes": _codes, "published": _published,
                                        "overview": _overview}
ANCHORS_PER_PROCESS = 2000  # anchors compared across documents in one process (its memory grows with them)


class StepFailed(RuntimeError):
    """A step in the own process raised (its message) or the process died."""


def run_steps(warehouse: str, steps: list[tuple[str, dict]], held: dict[str, int]) -> dict:
    """Run `steps` (name, keyword arguments) in order in a new Python process that inherits the held
    locks; returns {"steps": [[name, seconds, result or None, error or None], …], "peak_rss_mb": …}.
    A step that raises is reported and the next ones still run (as the nightly's phases do)."""
    unknown = [name for name, _ in steps if name not in STEPS]
    if unknown:
        raise ValueError(f"unknown step(s): {', '.join(unknown)}")
    env = {**os.environ, HELD_LOCKS_ENV: json.dumps(held)}
    fds = tuple(fd for fd in held.values() if fd >= 0)  # kept open in the child (the flock is the open file's)
    args = json.dumps({"warehouse": warehouse, "steps": steps})
    done = subprocess.run([sys.executable, "-m", "yujuesuan.runs.own_process", args], env=env, pass_fds=fds,
                          capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        raise StepFailed(f"the process of {', '.join(n for n, _ in steps)} died: {last}")
    return json.loads(lines[-1])


def publish_in_own_process(record: RunRecord, warehouse: str, overview: Path, runs: str | os.PathLike[str],
                           held: dict[str, int], anchors_per_process: int = ANCHORS_PER_PROCESS) -> Path | None:
    """The nightly's last phases, a process each, so one step's memory never stacks on another's: the
    run's documents folded into the tables' few files (publish then reads a few files per table, not one
    per document); unit identity; the checks across documents, `anchors_per_process` anchors a process
    until none is due (each anchor's signature records it done); the codes table; the publish recorded and
    datapackage.json; what publish rewrote (a unit_id) folded in; the overview. Each step's time, failure
    and its processes' peak memory go into `record`; returns the overview. A failed step stops the publish
    stages after it (the record is not written, so the next run rebuilds); compaction and the overview run whatever."""
    def step(name: str, phase: str, **kwargs: Any) -> tuple[Any, bool]:
        started = time.perf_counter()
        try:
            ((_, _, result, error),), peak = _one(run_steps(warehouse, [(name, kwargs)], held))
        except Exception as exc:  # noqa: BLE001 - the report is published whatever happened
            result, error, peak = None, f"{type(exc).__name__}: {exc}", 0.0
        seconds = time.perf_counter() - started
        record.timings[phase] = record.timings.get(phase, 0.0) + seconds
        record.own_processes.append((name, round(seconds, 2), round(peak, 1)))
        key = f"{phase} (own process)"
        record.peak_rss_mb[key] = max(record.peak_rss_mb.get(key, 0.0), peak)
        if error:
            record.failures.append(f"{name}: {error}")
            log.error("%s failed: %s", name, error)
        return result, not error

    step("compact", "compact")
    rebuilt, ok = step("units", "publish")
    if ok and rebuilt:
        left, batches = None, 0
        while ok and left != 0:
            before = left
            left, ok = step("crossdoc", "publish", limit=anchors_per_process)
            batches += 1
            if ok and before is not None and left >= before:  # each batch records its anchors done
                record.failures.append(f"crossdoc: {left} anchors still due after batch {batches}, as many as before")
                log.error("checks across documents made no progress: %d anchors still due", left)
                ok = False
            elif ok and left:
                log.info("checks across documents: %d anchors still due after batch %d", left, batches)
        if ok:
            _, ok = step("codes", "publish")
    if ok:
        step("published", "publish", rebuilt=bool(rebuilt))
    step("compact", "compact")
    built, _ = step("overview", "publish", out=str(overview), runs=str(runs))
    return Path(built) if built else None


def _one(done: dict) -> tuple[list, float]:
    return done["steps"], float(done.get("peak_rss_mb") or 0.0)


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: /proc's VmHWM, which belongs to the program (exec starts
    it anew), not ru_maxrss, which Linux carries over from the parent at the fork (a child of a 900 MB
    process reported 900 MB whatever it used)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    job = json.loads(argv[0])
    out: list[list[Any]] = []
    for name, kwargs in job["steps"]:
        start = time.perf_counter()
        try:
            result, error = STEPS[name](job["warehouse"], **kwargs), None
        except Exception as exc:  # noqa: BLE001 - each step's failure is the run's to report
            result, error = None, f"{type(exc).__name__}: {exc}"
        out.append([name, time.perf_counter() - start, result, error])
    print(json.dumps({"steps": out, "peak_rss_mb": peak_rss_mb()}, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
