"""The World Report as a book: many chapters, one edition per language.

``source/report.toml`` (see ``source/README.md``) names the book's id, its
title, subtitle and description in each language, publisher, date, cover,
its introduction and the order of its chapters. :func:`load_book` reads it
with the chapters, for one language, into a :class:`Book`: the model every
book writer walks (``writers/pdf/book.py``, ``writers/epub/book.py``,
``writers/docx/book.py``, ``writers/text_book.py``), as the chapter writers
walk a :class:`~docbuild.model.Chapter`. Each chapter of the book is the
chapter as read for that language, or, where a chapter has no variant in
it and the definition says ``missing = "original"``, the original language
standing in (marked with its own ``lang``; ``missing = "skip"`` leaves it
out). Either way the build warns: a missing chapter is never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..labels import Labels
from ..model import Chapter
from ..project import Project
from .definition import (
    BOOK_FILE,
    MISSING_CHOICES,
    BookDefinition,
    Missing,
    book_languages,
    load_definition,
)

__all__ = [
    "BOOK_FILE", "MISSING_CHOICES", "Book", "BookChapter", "BookDefinition", "Missing", "book_languages", "book_time",
    "load_book", "load_definition",
]


@dataclass(frozen=True)
class BookChapter:
    #: docbuild.model.Chapter as read for the book's language (or the original, when it stands in).
    chapter: Chapter
    #: The labels of ``chapter.lang`` (of the original's language for a stand-in).
    labels: Labels
    #: True when the original language stands in for a missing translation.
    stand_in: bool
    #: True for the front matter (the introduction chapter).
    introduction: bool = False

    @property
    def id(self) -> str:
        return self.chapter.id

    @property
    def lang(self) -> str:
        return self.chapter.lang


@dataclass(frozen=True)
class Book:
    #: File stem: dist/<id>-<lang>.pdf
    id: str
    lang: str
    title: str
    subtitle: str
    publisher: str
    #: ISO 8601, YYYY-MM-DD
    date: str
    description: str
    cover: Path | None
    cover_alt: str
    #: Front matter (the introduction chapter) first, then the chapters in order.
    chapters: tuple[BookChapter, ...]
    labels: Labels
    project: Project
    paper: str = "a4"
    #: The book PDF's page on which each (chapter id, block id) starts, for
    #: the EPUB page-list (filled after the PDF is laid out); block id
    #: "title" is the chapter's title.
    print_pages: dict = field(default_factory=dict)
    #: The number of pages of the book PDF (0: not laid out).
    print_page_count: int = 0
    #: Chapters of the definition left out of this language (``missing = "skip"``).
    skipped: tuple[str, ...] = ()
    #: The language of the publisher's name where it is not the book's (names kept from the original).
    publisher_lang: str | None = None
    #: Where the definition is (for errors).
    path: Path | None = None

    def chapter(self, chapter_id: str) -> BookChapter:
        return next(part for part in self.chapters if part.chapter.id == chapter_id)

    def warnings(self) -> list[str]:
        """One line per chapter that is skipped or stands in for a missing translation."""
        return missing_warnings(self)


def book_time(book: Book):
    """The time written into the book's editions: ``SOURCE_DATE_EPOCH`` if set, else the book's date (never the clock)."""
    from types import SimpleNamespace

    from ..edition import build_time

    return build_time(SimpleNamespace(meta=SimpleNamespace(date=book.date)))


def missing_warnings(book: Book) -> list[str]:
    where = f"{book.path}: " if book.path else ""
    lines = [
        f"{where}book '{book.id}' ({book.lang}): chapter '{chapter}' has no '{book.lang}' variant; left out (missing = \"skip\")"
        for chapter in book.skipped
    ]
    lines += [
        f"{where}book '{book.id}' ({book.lang}): chapter '{part.chapter.id}' has no '{book.lang}' variant; "
        f"the original ({part.chapter.lang}) stands in (missing = \"original\")"
        for part in book.chapters
        if part.stand_in
    ]
    return lines


def load_book(project: Project, lang: str, paper: str = "a4", chapter_sets: dict | None = None) -> Book:
    """The book in ``lang``: reads ``source/report.toml`` and the chapters it names.

    ``chapter_sets`` (chapter id -> ChapterSet) may give chapters already read.
    """
    from ..labels import load_labels
    from ..reader import read_project

    definition = load_definition(project)
    if definition is None:
        from ..errors import DocbuildError

        raise DocbuildError(f"no {BOOK_FILE}: the project defines no book", project.source / BOOK_FILE)
    texts = definition.texts(lang)
    ids = definition.chapter_ids()
    known = dict(chapter_sets or {})
    wanted = [chapter for chapter in ids if chapter not in known]
    if wanted:
        known.update({cs.id: cs for cs in read_project(project, wanted)})
    labels = load_labels(project, lang)
    definition.check_labels(labels)
    labels_of = {lang: labels}
    parts: list[BookChapter] = []
    skipped: list[str] = []
    for chapter_id in ids:
        chapter_set = known[chapter_id]
        try:
            chapter = chapter_set.variant(lang)
            stand_in = False
        except KeyError:
            if definition.missing == "skip":
                skipped.append(chapter_id)
                continue
            chapter = original(chapter_set)
            stand_in = True
        if chapter.lang not in labels_of:
            labels_of[chapter.lang] = load_labels(project, chapter.lang)
        parts.append(BookChapter(chapter, labels_of[chapter.lang], stand_in, chapter_id == definition.introduction))
    return Book(
        id=definition.id,
        lang=lang,
        title=texts.title,
        subtitle=texts.subtitle,
        publisher=texts.publisher,
        date=definition.date,
        description=texts.description,
        cover=definition.cover_for(lang),
        cover_alt=texts.cover_alt,
        chapters=tuple(parts),
        labels=labels,
        project=project,
        paper=paper,
        skipped=tuple(skipped),
        publisher_lang=texts.publisher_lang,
        path=definition.path,
    )


def original(chapter_set) -> Chapter:
    """The variant every other translates from (the one with no ``translation-of``)."""
    for chapter in chapter_set.variants:
        if chapter.translation_of is None:
            return chapter
    return chapter_set.variants[0]
