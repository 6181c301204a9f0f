"""What the command modules share."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from pathlib import Path


def have_warehouse(warehouse: str | os.PathLike[str], command: str) -> bool:
    """Whether a warehouse is there (a folder or an fsspec URL); if not, says so on stderr (the command
    then exits 2)."""
    from yujuesuan.warehouse.fs import folder

    try:
        if folder(warehouse).isdir("documents"):
            return True
    except OSError as exc:
        print(f"yujuesuan {command}: {exc}", file=sys.stderr)
        return False
    print(f"yujuesuan {command}: no warehouse at {warehouse} (run extract or nightly first)", file=sys.stderr)
    return False


def usable_location(location: str | os.PathLike[str], what: str, command: str) -> bool:
    """Whether a --warehouse or --raw location can be used (a folder, a file:// URL or an installed
    fsspec protocol); if not, says why on stderr in one line (the command then exits 2)."""
    from yujuesuan.warehouse.fs import folder

    try:
        folder(location)
    except OSError as exc:
        print(f"yujuesuan {command}: {what}: {exc}", file=sys.stderr)
        return False
    return True


def log_folder(warehouse: str | os.PathLike[str]) -> Path:
    """Where a command logs: WAREHOUSE/_log locally; a remote warehouse's log stays on this machine."""
    from yujuesuan.warehouse.fs import local_path

    path = local_path(warehouse)
    return path / "_log" if path is not None else Path(tempfile.gettempdir()) / "yujuesuan" / "_log"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for a local server started next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def compact_after_run(warehouse: str | os.PathLike[str], wait: float = 0.0) -> str | None:
    """Fold what a command wrote into the compacted tables; what went wrong, if anything."""
    from yujuesuan.warehouse.compact import compact_or_problem

    return compact_or_problem(warehouse, wait)
