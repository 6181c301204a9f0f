"""Progress of a long extraction on the user's screen: a rich bar on a terminal (documents done /
total, pages/s, the file just done), plain periodic lines when the output is not a terminal."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager
from types import TracebackType

from yujuesuan.ingest.pipeline import Progress
from yujuesuan.logs import Throttle


class ProgressDisplay(AbstractContextManager):
    def __init__(self, label: str = "extract", every: float = 5.0, tty: bool | None = None) -> None:
        self.label = label
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.plain = Throttle(lambda text: print(text, file=sys.stderr, flush=True), every)
        self._bar = None
        self._task = None

    def __call__(self, p: Progress) -> None:
        rate = p.pages / p.seconds if p.seconds > 0 else 0.0
        if not self.tty:
            self.plain(
                f"{self.label}: {p.done}/{p.total} document(s), {p.pages} pages, {rate:.1f} pages/s (last: {p.file})",
                final=p.done == p.total,
            )
            return
        if self._bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn(f"[bold]{self.label}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} pages/s"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[file]}"),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=p.total, rate="0.0", file="")
        self._bar.update(self._task, completed=p.done, rate=f"{rate:.1f}", file=p.file[:60])

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
