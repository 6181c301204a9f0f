"""The run's overview page (RUNS/<run_id>/overview.html), rebuilt only when the warehouse changed.

Building it reads every document's figures (seconds per thousand documents); a nightly run that
found nothing new copies the last page built from the same warehouse state instead.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from yujuesuan.warehouse.store import Warehouse

LATEST = "overview.latest.json"  # in RUNS: the last overview built, and the warehouse state it shows


def publish_overview(warehouse: str | os.PathLike[str], out: Path, runs: str | os.PathLike[str]) -> Path:
    """The overview at `out`: copied from the last run's when the warehouse is as it was, else built."""
    from yujuesuan.analysis.overview import build_overview

    state = Warehouse(warehouse).state()
    latest = Path(runs) / LATEST
    try:
        last = json.loads(latest.read_text(encoding="utf-8"))
        previous = Path(last["path"])
        if last.get("state") == state and last.get("warehouse") == os.path.abspath(warehouse) and previous.is_file():
            out.parent.mkdir(parents=True, exist_ok=True)
            if previous.resolve() != out.resolve():
                shutil.copyfile(previous, out)
            return out
    except (OSError, ValueError, KeyError, TypeError):
        pass
    built = build_overview(warehouse, out)
    latest.parent.mkdir(parents=True, exist_ok=True)
    record = {"state": state, "warehouse": os.path.abspath(warehouse), "path": str(Path(built).resolve())}
    latest.write_text(json.dumps(record), encoding="utf-8")
    return built
