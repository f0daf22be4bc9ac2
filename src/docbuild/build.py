"""Builds editions: reads the project once, runs the writers, writes atomically.

Writers are imported only when their format is built, so that building just
the plain text (or asking for ``--help``) never loads WeasyPrint.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from .edition import PAPER_SIZES, Edition
from .errors import DocbuildError
from .labels import load_labels
from .model import ChapterSet, StaleTranslation
from .output import write_atomic
from .project import Project
from .reader import read_project

#: Format name -> (module, function). The order is the build order: the PDF
#: comes before the EPUB, whose page-list is taken from the PDF's layout.
FORMATS: dict[str, tuple[str, str]] = {
    "txt": ("docbuild.text", "render_text"),
    "pdf": ("docbuild.pdf", "render_pdf"),
    "epub": ("docbuild.epub", "render_epub"),
    "docx": ("docbuild.docx", "render_docx"),
}


@dataclass(frozen=True)
class BuildResult:
    written: tuple[Path, ...]
    stale: tuple[StaleTranslation, ...]


def _writer(fmt: str) -> Callable:
    module, function = FORMATS[fmt]
    return getattr(importlib.import_module(module), function)


def build(
    project: Project | Path | str = ".",
    out: Path | str | None = None,
    formats: list[str] | None = None,
    langs: list[str] | None = None,
    chapters: list[str] | None = None,
    paper: str = "a4",
) -> BuildResult:
    """Build the selected editions of every chapter into ``out`` (default ``dist/``)."""
    if not isinstance(project, Project):
        project = Project.at(project)
    formats = list(formats or FORMATS)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise DocbuildError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    if paper not in PAPER_SIZES:
        raise DocbuildError(f"unknown paper size '{paper}'; choose from {', '.join(PAPER_SIZES)}")
    out_dir = Path(out) if out is not None else project.root / "dist"
    chapter_sets = read_project(project, chapters)
    written: list[Path] = []
    for chapter_set in chapter_sets:
        for edition in _editions(chapter_set, project, langs, paper):
            written.extend(_build_edition(edition, formats, out_dir))
    stale = tuple(s for cs in chapter_sets for s in cs.stale)
    return BuildResult(tuple(written), stale)


def _editions(chapter_set: ChapterSet, project: Project, langs: list[str] | None, paper: str) -> list[Edition]:
    available = [c.lang for c in chapter_set.variants]
    if langs:
        missing = [lang for lang in langs if lang not in available]
        if missing and len(langs) == 1:
            raise DocbuildError(f"chapter '{chapter_set.id}' has no '{missing[0]}' variant (it has {', '.join(available)})")
    return [
        Edition(chapter, load_labels(project, chapter.lang), project, paper)
        for chapter in chapter_set.variants
        if not langs or chapter.lang in langs
    ]


def _build_edition(edition: Edition, formats: list[str], out_dir: Path) -> list[Path]:
    written = []
    for fmt in FORMATS:
        if fmt not in formats:
            continue
        if fmt == "epub":
            edition = _with_print_pages(edition)
        result = _writer(fmt)(edition)
        data = result if isinstance(result, bytes) else result.data
        if fmt == "pdf" and edition.paper == "a4":
            edition = replace(edition, print_pages=dict(result.pages), print_page_count=result.page_count)
        target = out_dir / edition.file_name(fmt)
        write_atomic(target, data)
        written.append(target)
    return written


def _with_print_pages(edition: Edition) -> Edition:
    """Lay out the A4 PDF (if not done already) to learn where each block is printed."""
    if edition.print_page_count:
        return edition
    layout = importlib.import_module("docbuild.pdf").layout_pages(replace(edition, paper="a4"))
    return replace(edition, print_pages=dict(layout.pages), print_page_count=layout.page_count)


def warn_stale(result: BuildResult) -> None:
    for item in result.stale:
        print(f"warning: {item}", file=sys.stderr)
