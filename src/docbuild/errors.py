"""The one exception type docbuild raises for problems a user can fix.

Every reader and writer raises :class:`DocbuildError` with the file and line
that caused the problem; only the CLI turns it into a message and an exit
code, so library callers can catch it and decide for themselves.
"""

from __future__ import annotations

from pathlib import Path


class DocbuildError(Exception):
    """A problem in the user's project, located at a file and (if known) a line."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __reduce__(self):
        # Keep path and line when the error crosses a process boundary (parallel builds).
        return (type(self), (self.message, self.path, self.line))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return where + self.message
