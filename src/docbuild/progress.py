"""Progress of a build or a check: one line on a terminal, nothing anywhere else.

:class:`Progress` is the callback ``docbuild.build.build(progress=...)`` and
``docbuild.check.check_editions(progress=...)`` call with ``(done, total,
current)``. On a terminal, once the work has taken more than a moment
(half a second), it shows one line on standard error, redrawn in place:

    Building ━━━━━━━━━╺━━━━━━━━━━  3/8  kazakhstan-en.epub  0:00:02

and removes it when the work ends, so what is printed afterwards (the
``path (built)`` lines on standard output, warnings about stale
translations on standard error) is all that stays on the screen. When
standard error is not a terminal (a pipe, a log file, CI) it prints
nothing: the line-per-edition output stays exactly as it always was, for
the tools that read it.

The line is drawn with `rich <https://github.com/Textualize/rich>`_
(``rich.progress``), not tqdm: rich keeps one live line at the bottom of the
terminal while anything else printed through its console scrolls above it,
which is what ``docbuild watch`` needs for its error and warning lines, it
clears the line completely when it stops (``transient``), it measures the
terminal and shortens the line to its width, and it turns itself off when
the stream is not a terminal. It is widely used and actively maintained,
pure Python, and imported only when a line is actually drawn (about 80 ms),
so a build whose output goes to a pipe never loads it.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO

#: A build or check that ends sooner than this never shows a progress line.
DELAY = 0.5


class Progress:
    """A progress line for ``label`` ("Building", "Checking"), as a context manager and a callback.

    ``enabled`` defaults to "standard error is a terminal"; ``delay`` is how
    long the work must run before the line appears. Use :meth:`print` for a
    message while the line may be showing, so it appears above the line.
    """

    def __init__(self, label: str = "Building", enabled: bool | None = None, delay: float = DELAY,
                 stream: IO[str] | None = None, width: int | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.enabled = _is_terminal(self.stream) if enabled is None else enabled
        self.delay = delay
        self.width = width
        self.done = 0
        self.total = 0
        self.current = ""
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._bar = None
        self._task = None

    def __enter__(self) -> "Progress":
        self.started = time.monotonic()
        if self.enabled:
            if self.delay <= 0:
                self._show()
            else:
                self._timer = threading.Timer(self.delay, self._show)
                self._timer.daemon = True
                self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __call__(self, done: int, total: int, current: str = "") -> None:
        """Record that ``done`` of ``total`` editions are finished and ``current`` is being worked on."""
        with self._lock:
            self.done, self.total, self.current = done, total, current
            if self._bar is not None:
                self._bar.update(self._task, completed=done, total=max(total, 1), current=current)

    def print(self, text: str) -> None:
        """Print a line on this stream, above the progress line if it is showing."""
        with self._lock:
            if self._bar is not None:
                self._bar.console.print(text, markup=False, highlight=False, soft_wrap=True)
            else:
                print(text, file=self.stream, flush=True)

    def close(self) -> None:
        """Remove the line (if it was shown); later calls only record."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        with self._lock:
            if self._bar is not None:
                self._bar.stop()
                self._bar = None
            self.enabled = False

    def _show(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

        with self._lock:
            if not self.enabled or self._bar is not None:
                return
            console = Console(file=self.stream, force_terminal=True, width=self.width, highlight=False)
            self._bar = Bar(
                TextColumn("{task.description}"), BarColumn(bar_width=20), MofNCompleteColumn(),
                TextColumn("{task.fields[current]}", markup=False), TimeElapsedColumn(),
                console=console, transient=True, refresh_per_second=8,
            )
            self._task = self._bar.add_task(
                self.label, total=max(self.total, 1), completed=self.done, current=self.current,
            )
            # The elapsed time counts from the start of the work, not from when the line appeared.
            self._bar.tasks[0].start_time = self._bar.get_time() - (time.monotonic() - self.started)
            self._bar.start()


class Silent:
    """A :class:`Progress` that shows nothing (``--quiet``, or output that is not a terminal)."""

    enabled = False

    def __init__(self, stream: IO[str] | None = None):
        self.stream = stream or sys.stderr

    def __enter__(self) -> "Silent":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def __call__(self, done: int, total: int, current: str = "") -> None:
        pass

    def print(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        pass


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
