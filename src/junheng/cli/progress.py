"""Progress display for multi-step commands (on stderr, so stdout stays clean)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn


class Steps:
    """A progress bar over a known number of named steps."""

    def __init__(self, total: int, lang: str = "zh") -> None:
        self.total = total
        self.lang = lang
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task("", total=total)
        self._started = False

    def __enter__(self) -> Steps:
        self._progress.start()
        return self

    def next(self, description: str) -> None:
        """Mark the previous step done and show ``description`` as the current one."""
        if self._started:
            self._progress.advance(self._task)
        self._started = True
        self._progress.update(self._task, description=description)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None and self._started:
            self._progress.advance(self._task)
        self._progress.stop()
