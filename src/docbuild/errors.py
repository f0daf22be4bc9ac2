"""The one exception type docbuild raises for problems a user can fix.

Every reader and writer raises :class:`DocbuildError` with the file and line
that caused the problem; only the CLI turns it into a message and an exit
code, so library callers can catch it and decide for themselves. A reader
that finds several problems in one file raises one error that carries all
of them (:meth:`DocbuildError.combine`), so an author fixes them in one pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable


class DocbuildError(Exception):
    """A problem in the user's project, located at a file and (if known) a line."""

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        others: tuple["DocbuildError", ...] = (),
    ):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self._others = tuple(others)

    @classmethod
    def combine(cls, errors: Iterable["DocbuildError"]) -> "DocbuildError":
        """One error standing for several, sorted by file and line; the first is its own message."""
        every = sorted(
            (e for error in errors for e in error.errors),
            key=lambda e: (str(e.path or ""), e.line or 0),
        )
        if not every:
            raise ValueError("combine() needs at least one error")
        first = every[0]
        return cls(first.message, first.path, first.line, tuple(every[1:]))

    @property
    def errors(self) -> tuple["DocbuildError", ...]:
        """Every problem this error reports, itself first."""
        return (DocbuildError(self.message, self.path, self.line), *self._others)

    def __reduce__(self):
        # Keep path, line and the other errors when crossing a process boundary (parallel builds).
        return (type(self), (self.message, self.path, self.line, self._others))

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}: " if self.line else f"{self.path}: "

    def __str__(self) -> str:
        return "\n".join(e.location() + e.message for e in self.errors)
