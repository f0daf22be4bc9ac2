"""Where a project's files are, and the rule that nothing is read outside it.

docbuild reads only regular files that lie inside the project: a symbolic
link, a named pipe or a device anywhere in ``source/<chapter>/``,
``layouts/`` or ``fonts/`` is an error naming it (a link could make an
edition carry ``/etc/passwd``; a pipe would block the build). Files are
bounded in size, so a stray huge file is a clear error rather than a
build that runs out of memory.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import DocbuildError


#: Files in a chapter folder that are notes for people, not language variants.
NOTES = ("README.md", "glossary.md")
#: The largest language variant (``en.md``) docbuild reads: a long report chapter is under 300 kB.
MAX_SOURCE_BYTES = 5 * 1024 * 1024
#: The largest other file it reads: an image, a font, a layout file.
MAX_FILE_BYTES = 50 * 1024 * 1024


def _size(size: int) -> str:
    megabytes = size / 1024 / 1024
    return f"{megabytes:.0f} MB" if megabytes == round(megabytes) else f"{megabytes:.1f} MB ({size:,} bytes)"


def check_file(path: Path, limit: int = MAX_FILE_BYTES, what: str = "file") -> os.stat_result:
    """Refuse ``path`` unless it is a regular file (not a link) of at most ``limit`` bytes; return its status."""
    try:
        status = os.lstat(path)
    except OSError as exc:
        raise DocbuildError(f"cannot be read: {exc.strerror}", path) from None
    if stat.S_ISLNK(status.st_mode):
        raise DocbuildError(
            "is a symbolic link; docbuild reads only regular files inside the chapter folder, layouts/ and fonts/: "
            "put the file itself here",
            path,
        )
    if not stat.S_ISREG(status.st_mode):
        raise DocbuildError("is not a regular file (a folder, pipe or device); docbuild reads only regular files", path)
    if status.st_size > limit:
        raise DocbuildError(
            f"is {_size(status.st_size)}; docbuild reads at most {_size(limit)} per {what}", path
        )
    return status


def regular_files(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted; a link, special file or file over its size limit anywhere is an error.

    A Markdown file may have :data:`MAX_SOURCE_BYTES`, any other
    :data:`MAX_FILE_BYTES`. The walk never follows a link: a linked folder
    is reported, not entered. A missing folder has no files. Every problem
    is reported at once.
    """
    if not os.path.lexists(folder):
        return []
    problems: list[DocbuildError] = []
    found: list[Path] = []
    if os.path.islink(folder):
        raise DocbuildError("is a symbolic link; docbuild reads only folders and files inside the project", folder)
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError as exc:
            problems.append(DocbuildError(f"cannot read this folder: {exc.strerror}", current))
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                    continue
                if path.suffix == ".md":
                    check_file(path, MAX_SOURCE_BYTES, "source file")
                else:
                    check_file(path)
            except DocbuildError as error:
                problems.append(error)
                continue
            found.append(path)
    if problems:
        raise DocbuildError.combine(problems)
    return sorted(found)


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
        if self.source.is_symlink():
            raise DocbuildError("is a symbolic link; docbuild reads only folders and files inside the project", self.source)
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
        """The language variants of a chapter: ``en.md``, ``ru.md``... (notes excluded: README.md,
        glossary.md and one glossary per translation, ``glossary-kk.md``)."""
        return sorted(
            p for p in (self.source / chapter).glob("*.md") if p.name not in NOTES and not p.name.startswith("glossary-")
        )

    def contains(self, path: Path) -> bool:
        """True if ``path``, with every link resolved, lies inside the project."""
        return path.resolve().is_relative_to(self.root)
