"""The book's jobs in the build plan: one per book edition file, keyed by every input.

Like :func:`docbuild.plan.plan`, this reads file bytes and names only: the
definition (``source/report.toml``, TOML, no Markdown), and the hashes of
every chapter's sources and images, the labels of every language a chapter
of the book can be in, the layout files the format reads, the fonts,
docbuild's code and library versions, the paper and ``SOURCE_DATE_EPOCH``.
So a no-op build restores a book from the cache as it restores a chapter, and
a change to any chapter rebuilds the books that hold it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..edition import PAGED_FORMATS, edition_file_name
from ..plan import LAYOUT_INPUTS, USES_FONTS, Job, _files, _hash_files, _library_versions, _matching, code_version
from ..project import NOTES, Project
from .definition import BookDefinition, book_languages, load_definition

#: Book format -> (module, function); each module holds one writer.
BOOK_FORMATS: dict[str, tuple[str, str]] = {
    "txt": ("docbuild.writers.text_book", "render_book_text"),
    "pdf": ("docbuild.writers.pdf.book", "render_book_pdf"),
    "epub": ("docbuild.writers.epub.book", "render_book_epub"),
    "docx": ("docbuild.writers.docx.book", "render_book_docx"),
}
#: Layout files of the book's own (templates or styles the book writers may add), read by every book format.
BOOK_LAYOUTS = ("book*", "report-book*")


def writer_present(module: str) -> bool:
    """Whether docbuild has the writer module (found by its file: importing it, or even its package, is not cheap)."""
    package = Path(__file__).resolve().parents[1]
    path = package.joinpath(*module.split(".")[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def available_formats() -> list[str]:
    """The book formats whose writer is installed (a writer not yet there is left out of the plan)."""
    return [fmt for fmt, (module, _) in BOOK_FORMATS.items() if writer_present(module)]


def book_stems(project: Project) -> set[str]:
    definition = load_definition(project)
    return {definition.id} if definition else set()


def plan_books(
    project: Project, formats: list[str], langs: list[str] | None, paper: str,
    definition: BookDefinition | None = None,
) -> tuple[list[Job], list[str]]:
    """The book's jobs for the selection, and a warning per chapter missing in one of its languages.

    A job's ``chapter`` is the book's id. Without ``source/report.toml`` there are none.
    """
    definition = definition or load_definition(project)
    if definition is None:
        return [], []
    wanted = [fmt for fmt in available_formats() if fmt in formats]
    langs_of_book = book_languages(definition, langs)
    if not wanted or not langs_of_book:
        return [], []
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    layout_files = _files(project.layouts)
    font_files = _files(project.fonts) if any(fmt in USES_FONTS for fmt in wanted) else []
    chapter_files = []
    chapter_langs: set[str] = set()
    missing: dict[str, list[str]] = {}
    for chapter in definition.chapter_ids():
        variants = project.variant_files(chapter)
        chapter_langs |= {p.stem for p in variants}
        folder = project.source / chapter
        # Every variant (a translation is read with its original) and image; not the notes for people.
        chapter_files += [p for p in _files(folder) if not (p.parent == folder and p.name in NOTES)]
        for lang in langs_of_book:
            if lang not in {p.stem for p in variants}:
                missing.setdefault(lang, []).append(chapter)
    common = [definition.path, *chapter_files]
    common += [p for p in layout_files if p.parent.name == "labels" and p.stem in chapter_langs | set(langs_of_book)]
    jobs: list[Job] = []
    for lang in langs_of_book:
        for fmt in wanted:
            cover = definition.cover_for(lang)
            inputs = common + ([cover] if cover else []) + _matching(project.layouts, layout_files, LAYOUT_INPUTS[fmt] + BOOK_LAYOUTS)
            if fmt in USES_FONTS:
                inputs += font_files
            job_paper = paper if fmt in PAGED_FORMATS else "a4"
            key = hashlib.sha256(
                "\n".join(
                    ["book", lang, _hash_files(sorted(set(inputs))), code_version(), _library_versions(fmt), fmt, job_paper, epoch]
                ).encode()
            ).hexdigest()
            jobs.append(Job(definition.id, lang, fmt, job_paper, key, edition_file_name(definition.id, lang, fmt, job_paper)))
    how = "left out" if definition.missing == "skip" else "its original language stands in"
    warnings = [
        f"{definition.path}: book '{definition.id}' ({lang}): chapter '{chapter}' has no '{lang}' variant; {how} "
        f"(missing = \"{definition.missing}\")"
        for lang in langs_of_book for chapter in missing.get(lang, [])
    ]
    return jobs, warnings
