"""A few hundred mutated documents (yujuesuan.samples.fuzz, cheap mutators): for each, no exception out
of extract_document, a status, and an error issue for every document not `ok`; all of them in
one forked child under a memory limit (`scripts/fuzz.py N` runs thousands, bombs included)."""

from __future__ import annotations

import logging
import multiprocessing
import resource
from multiprocessing.connection import Connection

from extractors.document import extract_document
from yujuesuan.samples.fuzz import MIB, inputs

N = 200
MEMORY_MB = 1024


def _problems(n: int, seed: int) -> list[str]:
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    out = []
    for name, data in inputs(n, seed, cheap=True):
        try:
            ex = extract_document(data, name)
        except Exception as exc:
            out.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        status = ex.document.status
        if status not in ("ok", "partial", "failed"):
            out.append(f"{name}: status {status!r}")
        elif status != "ok" and not any(i.severity == "error" and i.message for i in ex.issues):
            out.append(f"{name}: {status} without an error issue")
    return out


def _child(conn: Connection) -> None:
    with open("/proc/self/statm") as fh:
        mapped = int(fh.read().split()[0]) * resource.getpagesize()
    limit = mapped + MEMORY_MB * MIB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send(_problems(N, seed=20260111))
    except MemoryError:
        conn.send([f"memory beyond {MEMORY_MB} MB"])


def test_mutated_documents_never_crash_and_say_why() -> None:
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child,), daemon=True)
    proc.start()
    child.close()
    try:
        assert parent.poll(150), "the fuzz run took longer than 150 s"
        problems = parent.recv()
    finally:
        proc.kill()
        proc.join()
    assert problems == []


def test_inputs_are_deterministic_and_varied() -> None:
    a = list(inputs(40, seed=3, cheap=True))
    assert a == list(inputs(40, seed=3, cheap=True))
    assert len({name.split("-", 2)[2] for name, _ in a}) >= 8  # mutators used
    assert {name.rsplit(".", 1)[1] for name, _ in a} == {"pdf", "html"}
