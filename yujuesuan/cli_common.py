"""What the command modules share."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def have_warehouse(warehouse: str | os.PathLike[str], command: str) -> bool:
    """Whether a warehouse is there; if not, says so on stderr (the command then exits 2)."""
    if (Path(warehouse) / "documents").is_dir():
        return True
    print(f"yujuesuan {command}: no warehouse at {warehouse} (run extract or nightly first)", file=sys.stderr)
    return False
