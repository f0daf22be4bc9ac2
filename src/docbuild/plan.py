"""The build plan: one job per edition file, with the inputs it depends on.

Planning reads file bytes and names only (no Markdown parsing, no writer
imports), so that deciding "nothing changed" costs a few milliseconds. A
job's key is a hash of every input that can change its output; the cache
skips jobs whose key it has seen.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .edition import PAGED_FORMATS, edition_file_name
from .errors import DocbuildError
from .project import Project

#: Layout files each format reads (globs under layouts/); labels are per language.
LAYOUT_INPUTS: dict[str, tuple[str, ...]] = {
    "txt": (),
    "pdf": ("chapter.html.j2", "blocks.j2", "inline.j2", "pdf*", "print*", "paper.toml"),
    # The EPUB's page-list comes from the A4 PDF layout, so the PDF's inputs are its inputs.
    "epub": ("chapter.html.j2", "blocks.j2", "inline.j2", "pdf*", "print*", "paper.toml", "epub*"),
    "docx": ("paper.toml", "docx*"),
}
USES_FONTS = ("pdf", "epub", "docx")
#: Third-party packages whose version can change a format's bytes.
LIBRARIES: dict[str, tuple[str, ...]] = {
    "txt": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML"),
    "pdf": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML", "weasyprint", "pydyf", "pikepdf", "Pillow", "fonttools"),
    "epub": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML", "weasyprint", "pydyf", "ebooklib", "Pillow", "fonttools", "lxml"),
    "docx": ("markdown-it-py", "mdit-py-plugins", "linkify-it-py", "PyYAML", "python-docx", "Pillow", "lxml"),
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
        lane = "print" if self.fmt in ("pdf", "epub") else "other"
        return (self.chapter, self.lang, self.paper, lane)


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path).encode() + b"\0")
        digest.update(_file_digest(path, path.stat().st_mtime_ns, path.stat().st_size))
    return digest.hexdigest()


@lru_cache(maxsize=4096)
def _file_digest(path: Path, mtime_ns: int, size: int) -> bytes:
    """The hash of a file's bytes; memoised on (path, mtime, size) within a process."""
    return hashlib.sha256(path.read_bytes()).digest()


def _files(folder: Path, patterns: tuple[str, ...] = ("**/*",)) -> list[Path]:
    found: set[Path] = set()
    for pattern in patterns:
        found.update(p for p in folder.glob(pattern) if p.is_file())
    return sorted(found)


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of docbuild's own source: any change to the code rebuilds everything."""
    package = Path(__file__).resolve().parent
    return _hash_files(_files(package, ("**/*.py",)))


@lru_cache(maxsize=8)
def _library_versions(fmt: str) -> str:
    versions = []
    for name in LIBRARIES[fmt]:
        try:
            versions.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name}=missing")
    return ";".join(versions)


def plan(
    project: Project, formats: list[str], langs: list[str] | None, chapters: list[str] | None, paper: str
) -> list[Job]:
    """Every job the selection asks for, each keyed by the hash of its inputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    jobs = []
    for chapter in project.chapter_ids(chapters):
        variants = project.variant_files(chapter)
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
                inputs = [variant, *assets, *([labels] if labels.exists() else [])]
                inputs += _files(project.layouts, LAYOUT_INPUTS[fmt])
                if fmt in USES_FONTS:
                    inputs += _files(project.fonts)
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
