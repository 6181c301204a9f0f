"""What the derived tables were last built from: WAREHOUSE/_state/<name>.json.

A step that derives tables from the documents (units, the checks across documents, codes) records
the digest of its inputs when it is done; the next run that finds the same digest has nothing to
redo. The documents' part of the digest is `Warehouse.state()` (every document's revision: any write
changes it, a compaction does not), the same stamp the run's overview page is kept by.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from yujuesuan.warehouse.store import Warehouse

FOLDER = "_state"


def file_digest(path: str | os.PathLike[str] | None) -> str:
    """A file's bytes, digested ("absent" when there is none: a missing optional file is an input too)."""
    if path is None:
        return "none"
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except OSError:
        return "absent"


def inputs_digest(wh: Warehouse, inputs: Mapping[str, str]) -> str:
    """The digest of the warehouse's documents (their revisions) and the step's other named inputs."""
    h = hashlib.sha256(f"documents={wh.state()};".encode())
    for name, value in sorted(inputs.items()):
        h.update(f"{name}={value};".encode())
    return h.hexdigest()[:16]


def recorded(wh: Warehouse, name: str) -> str | None:
    """The inputs digest the step `name` last recorded (None: never, or unreadable)."""
    try:
        return str(json.loads(wh.fs.read(FOLDER, f"{name}.json").decode("utf-8"))["inputs"])
    except (FileNotFoundError, OSError, ValueError, KeyError, TypeError):
        return None


def record(wh: Warehouse, name: str, digest: str) -> None:
    """The step `name` is done for these inputs (written last: a step killed midway is redone)."""
    wh.fs.write(json.dumps({"inputs": digest}).encode("utf-8"), FOLDER, f"{name}.json")
