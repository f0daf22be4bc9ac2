"""Where a project's files are, and the rule that nothing is read outside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import DocbuildError


#: Files in a chapter folder that are notes for people, not language variants.
NOTES = ("README.md", "glossary.md")


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

    def chapter_ids(self, selected: list[str] | None = None) -> list[str]:
        """The chapters under ``source/`` (each folder is one), or the selected ones."""
        found = sorted(p.name for p in self.source.iterdir() if p.is_dir() and not p.name.startswith("."))
        if selected:
            unknown = sorted(set(selected) - set(found))
            if unknown:
                raise DocbuildError(f"no chapter named {', '.join(unknown)} in source/", self.source)
            found = [c for c in found if c in selected]
        if not found:
            raise DocbuildError("no chapters: add a folder such as source/my-chapter/ with en.md", self.source)
        return found

    def variant_files(self, chapter: str) -> list[Path]:
        """The language variants of a chapter: ``en.md``, ``ru.md``... (notes excluded)."""
        return sorted(p for p in (self.source / chapter).glob("*.md") if p.name not in NOTES)

    def contains(self, path: Path) -> bool:
        """True if ``path``, with every link resolved, lies inside the project."""
        return path.resolve().is_relative_to(self.root)
