"""What the command modules share."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path


def have_warehouse(warehouse: str | os.PathLike[str], command: str) -> bool:
    """Whether a warehouse is there; if not, says so on stderr (the command then exits 2)."""
    if (Path(warehouse) / "documents").is_dir():
        return True
    print(f"yujuesuan {command}: no warehouse at {warehouse} (run extract or nightly first)", file=sys.stderr)
    return False


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for a local server started next)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def compact_after_run(warehouse: str | os.PathLike[str], wait: float = 0.0) -> str | None:
    """Fold what a command wrote into the compacted tables; what went wrong, if anything."""
    from yujuesuan.warehouse.compact import compact
    from yujuesuan.warehouse.store import WarehouseLocked

    try:
        compact(warehouse, wait=wait)
    except (WarehouseLocked, OSError) as exc:
        return str(exc)
    return None
