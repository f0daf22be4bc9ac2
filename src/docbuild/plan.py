"""The build plan: one job per edition file, with the inputs it depends on.

Planning reads file bytes and names only (no Markdown parsing, no writer
imports), so that deciding "nothing changed" costs a few milliseconds. A
job's key is a hash of every input that can change its output; the cache
skips jobs whose key it has seen.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .edition import PAGED_FORMATS, edition_file_name
from .errors import DocbuildError
from .project import Project, regular_files

#: Layout files each format reads (globs under layouts/); labels are per language.
LAYOUT_INPUTS: dict[str, tuple[str, ...]] = {
    "txt": (),
    "pdf": ("chapter.html.j2", "blocks.j2", "inline.j2", "pdf*", "print*", "paper.toml"),
    # The EPUB's page-list comes from the A4 PDF layout, so the PDF's inputs are its inputs.
    "epub": ("chapter.html.j2", "blocks.j2", "inline.j2", "pdf*", "print*", "paper.toml", "epub*"),
    "docx": ("paper.toml", "docx*"),
    "large-pdf": ("chapter.html.j2", "blocks.j2", "inline.j2", "pdf*", "print*", "large-print*", "paper.toml"),
    "large-docx": ("paper.toml", "docx*"),
    # Print page indicators come from the A4 PDF layout, so the PDF's inputs are braille's too.
    "brf": ("chapter.html.j2", "blocks.j2", "inline.j2", "pdf*", "print*", "paper.toml", "braille.toml"),
}
USES_FONTS = ("pdf", "epub", "docx", "brf", "large-pdf", "large-docx")
#: Third-party packages whose version can change a format's bytes.
LIBRARIES: dict[str, tuple[str, ...]] = {
    "txt": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML"),
    "pdf": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML", "weasyprint", "pydyf", "pikepdf", "Pillow", "fonttools"),
    "epub": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML", "weasyprint", "pydyf", "ebooklib", "Pillow", "fonttools", "lxml"),
    "docx": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML", "python-docx", "Pillow", "lxml"),
    "large-pdf": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML", "weasyprint", "pydyf", "pikepdf", "Pillow", "fonttools"),
    "large-docx": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML", "python-docx", "Pillow", "lxml"),
    "brf": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML", "weasyprint", "pydyf", "Pillow", "fonttools", "liblouis"),
}


@dataclass(frozen=True)
class Job:
    """One edition file to produce."""

    chapter: str
    lang: str
    fmt: str
    paper: str
    key: str
    file_name: str

    @property
    def task(self) -> tuple[str, str, str, str]:
        """Jobs with the same task run in order in one worker.

        The PDF and the EPUB of a variant share a task, so the A4 layout feeds
        the EPUB page-list without being computed twice; the light formats
        form another task, which another core can take meanwhile.
        """
        lane = "print" if self.fmt in ("pdf", "epub", "brf") else "large" if self.fmt == "large-pdf" else "other"
        return (self.chapter, self.lang, self.paper, lane)


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path).encode() + b"\0")
        status = path.stat()
        digest.update(_file_digest(path, status.st_mtime_ns, status.st_size))
    return digest.hexdigest()


#: Bytes read at a time when hashing: a file is streamed, never read whole into memory.
_CHUNK = 1 << 20


@lru_cache(maxsize=4096)
def _file_digest(path: Path, mtime_ns: int, size: int) -> bytes:
    """The hash of a file's bytes, read in chunks; memoised on (path, mtime, size) within a process."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise DocbuildError(f"cannot read: {exc.strerror}", path) from None
    return digest.digest()


def _files(folder: Path, patterns: tuple[str, ...] = ("**/*",)) -> list[Path]:
    """The files under ``folder`` that match ``patterns`` (``name*`` at the top, ``**/name`` at any depth).

    The whole folder is checked, not only the matching files: a symbolic link,
    a special file or a file over its size limit anywhere in it is an error
    naming it (see :func:`docbuild.project.regular_files`).
    """
    return _matching(folder, regular_files(folder), patterns)


def _matching(folder: Path, files: list[Path], patterns: tuple[str, ...]) -> list[Path]:
    found = []
    for path in files:
        relative = path.relative_to(folder).as_posix()
        for pattern in patterns:
            if pattern.startswith("**/") and fnmatch.fnmatchcase(path.name, pattern[3:]):
                break
            if "/" not in relative and fnmatch.fnmatchcase(relative, pattern):
                break
        else:
            continue
        found.append(path)
    return found


def _own_files(package: Path) -> list[Path]:
    """docbuild's own modules (an installed package may be reached through links; it is not user input)."""
    return sorted(p for p in package.glob("**/*.py") if p.is_file())


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of docbuild's own source: any change to the code rebuilds everything."""
    package = Path(__file__).resolve().parent
    return _hash_files(_own_files(package))


@lru_cache(maxsize=8)
def _library_versions(fmt: str) -> str:
    versions = []
    for name in LIBRARIES[fmt]:
        if name == "liblouis":
            versions.append(f"liblouis={_liblouis_version()}")
            continue
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=missing")
    return ";".join(versions)


def _liblouis_version() -> str:
    """liblouis is a system library, not a Python package: ask it (cheaply, without importing the writer)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("louis")
    if name is None:
        return "missing"
    library = ctypes.CDLL(name)
    library.lou_version.restype = ctypes.c_char_p
    return library.lou_version().decode("ascii", "replace")


def plan(
    project: Project, formats: list[str], langs: list[str] | None, chapters: list[str] | None, paper: str
) -> list[Job]:
    """Every job the selection asks for, each keyed by the hash of its inputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    jobs = []
    chapter_ids = project.chapter_ids(chapters)
    variants_of = {chapter: project.variant_files(chapter) for chapter in chapter_ids}
    if langs and len(langs) > 1:
        every = sorted({p.stem for variants in variants_of.values() for p in variants})
        missing = [lang for lang in dict.fromkeys(langs) if lang not in every]
        if missing:
            names = ", ".join(f"'{lang}'" for lang in missing)
            which = "no selected chapter" if chapters else "no chapter"
            raise DocbuildError(f"{which} has a {names} variant (the languages are {', '.join(every)})")
    # Read once: each walk checks the whole folder (no links, no special or oversized files).
    layout_files = _files(project.layouts)
    font_files = _files(project.fonts) if any(fmt in USES_FONTS for fmt in formats) else []
    for chapter in chapter_ids:
        variants = variants_of[chapter]
        available = [p.stem for p in variants]
        if langs and len(langs) == 1 and langs[0] not in available:
            raise DocbuildError(f"chapter '{chapter}' has no '{langs[0]}' variant (it has {', '.join(available)})")
        # Images and other assets of the chapter: every file that is not a variant or a note.
        assets = [p for p in _files(project.source / chapter) if p.suffix != ".md"]
        for variant in variants:
            if langs and variant.stem not in langs:
                continue
            labels = project.layouts / "labels" / f"{variant.stem}.toml"
            for fmt in formats:
                inputs = [variant, *assets, *([labels] if labels in layout_files else [])]
                inputs += _matching(project.layouts, layout_files, LAYOUT_INPUTS[fmt])
                if fmt in USES_FONTS:
                    inputs += font_files
                job_paper = paper if fmt in PAGED_FORMATS else "a4"
                key = hashlib.sha256(
                    "\n".join(
                        [_hash_files(inputs), code_version(), _library_versions(fmt), fmt, job_paper, epoch]
                    ).encode()
                ).hexdigest()
                name = edition_file_name(chapter, variant.stem, fmt, job_paper)
                jobs.append(Job(chapter, variant.stem, fmt, job_paper, key, name))
    return jobs


def chapter_key(project: Project, chapter: str) -> str:
    """A hash of all variants of a chapter: what the stale-translation report depends on."""
    return hashlib.sha256((_hash_files(project.variant_files(chapter)) + code_version()).encode()).hexdigest()
