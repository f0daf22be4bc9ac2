"""Where a project's files are, and the rule that nothing is read outside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import DocbuildError


@dataclass(frozen=True)
class Project:
    """A docbuild project: ``source/``, ``layouts/`` and ``fonts/`` under one root."""

    root: Path

    @classmethod
    def at(cls, root: Path | str = ".") -> "Project":
        root = Path(root).resolve()
        if not (root / "source").is_dir():
            raise DocbuildError("no source/ folder here; run docbuild from the project folder or pass --project", root)
        return cls(root)

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def layouts(self) -> Path:
        return self.root / "layouts"

    @property
    def fonts(self) -> Path:
        return self.root / "fonts"

    def contains(self, path: Path) -> bool:
        """True if ``path``, with every link resolved, lies inside the project."""
        return path.resolve().is_relative_to(self.root)
