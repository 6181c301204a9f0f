"""Where messages go: the user's screen shows warnings, errors and progress; everything else
(the libraries' chatter: pdfminer, camelot, Prefect's per-task lines) goes to the log file.

Worker processes (yujuesuan.ingest.worker) append to the same file, named by YUJUESUAN_LOG.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

LOG_ENV = "YUJUESUAN_LOG"
PROGRESS = "yujuesuan.ingest.progress"  # the logger whose INFO lines are always shown
QUIET_LIBRARIES = ("pdfminer", "camelot", "pdfplumber", "PIL", "fontTools", "matplotlib", "httpx", "httpcore",
                   "py.warnings", "urllib3", "numexpr", "asyncio")
FILE_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s%(run)s: %(message)s"


class _RunName(logging.Filter):
    """Prefect's records carry the flow or task run's name: put it in the line."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = getattr(record, "task_run_name", None) or getattr(record, "flow_run_name", None)
        record.run = f" [{name}]" if name else ""
        return True


class _ScreenFormat(logging.Formatter):
    """Progress lines as they are; others with their level (and the Prefect run they belong to)."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == PROGRESS and record.levelno == logging.INFO:
            return record.getMessage()
        return f"{record.levelname}{getattr(record, 'run', '')} {record.getMessage()}"


class _Screen(logging.Filter):
    def __init__(self, verbose: bool) -> None:
        super().__init__()
        self.verbose = verbose

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == PROGRESS or self.verbose:
            return True
        if record.name.split(".")[0] in QUIET_LIBRARIES:
            return False  # a library's warning about one PDF is no message for the user
        return record.levelno >= logging.WARNING


def setup(log_file: str | os.PathLike[str] | None, verbose: bool = False) -> Path | None:
    """Screen: warnings, errors, progress (everything with verbose). File: INFO and above."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_yujuesuan", False):
            root.removeHandler(h)
    root.setLevel(logging.INFO)
    screen = logging.StreamHandler(sys.stderr)
    screen.setFormatter(_ScreenFormat())
    screen.addFilter(_RunName())
    screen.addFilter(_Screen(verbose))
    screen._yujuesuan = True  # type: ignore[attr-defined]
    root.addHandler(screen)
    for name in ("prefect", "prefect.flow_runs", "prefect.task_runs"):
        logger = logging.getLogger(name)
        for h in list(logger.handlers):  # Prefect's own console handler: its lines come through ours
            if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler):
                logger.removeHandler(h)
        logger.propagate = True
    logging.captureWarnings(True)
    path = None
    if log_file:
        path = Path(log_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        attach_file(path)
        os.environ[LOG_ENV] = str(path.resolve())
    return path


def attach_file(path: Path) -> None:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    handler.addFilter(_RunName())
    handler._yujuesuan = True  # type: ignore[attr-defined]
    logging.getLogger().addHandler(handler)


def setup_worker() -> None:
    """In a worker process: libraries' messages into the run's log file, never onto the screen."""
    root = logging.getLogger()
    root.handlers.clear()
    root.setLevel(logging.WARNING)
    logging.captureWarnings(True)
    path = os.environ.get(LOG_ENV)
    if path:
        attach_file(Path(path))
    else:
        root.addHandler(logging.NullHandler())


class Throttle:
    """Calls `emit` at most every `every` seconds, and always for the last item."""

    def __init__(self, emit: Callable[[str], None], every: float = 5.0) -> None:
        self.emit, self.every, self.last = emit, every, 0.0

    def __call__(self, text: str, final: bool = False) -> None:
        now = time.monotonic()
        if final or now - self.last >= self.every:
            self.last = now
            self.emit(text)
