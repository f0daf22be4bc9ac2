"""The book's print edition: one tagged PDF of every chapter, with a cover and contents.

A hundred chapters do not fit one WeasyPrint layout in reasonable memory,
so each chapter is laid out on its own, by the chapter pipeline
(:func:`layout_book_chapter`: ``pdf.html.j2`` with the book's page furniture
and its first page number), and :mod:`.assemble` puts the pieces together
with pikepdf. The pages are planned before any chapter is laid out for the
book:

1. the front matter (cover, blank verso, contents) is laid out once with
   placeholder page numbers (:func:`front_page_count`); its page numbers
   sit in a fixed-width column, so its length does not depend on them;
2. each chapter's page count is that of its own edition: a book chapter
   starts on a right-hand page, as an edition does, and only its margin
   boxes differ, so it breaks into the same pages (:func:`plan_book` takes
   the counts, e.g. from the cached chapter editions);
3. every chapter starts on the next odd page (a blank verso before it if
   need be), so its first page number is known, and chapters can be laid
   out in any order, in parallel;
4. the front matter is laid out again with the real numbers, and the
   assembly checks that every piece has the planned length.

:func:`render_book_pdf` does all of it in one process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from markupsafe import Markup

from ...book import Book
from ...edition import Edition
from ...errors import DocbuildError
from ...model import Chapter, Figure, Metadata, Paragraph, Span, Text
from . import RenderedPdf, _css_content, _css_string, _fonts, _render, _write
from .assemble import TOC_SCHEME, Piece, assemble

#: Page number the front matter is first laid out with: as wide as any (the column is fixed anyway).
PLACEHOLDER_PAGE = 8888


@dataclass(frozen=True)
class RenderedBookPdf:
    data: bytes
    page_count: int
    #: Chapter id -> the book page on which it starts (always odd).
    chapter_pages: dict[str, int]
    #: (chapter id, block id) -> the book page on which the block starts ("title": the chapter's title).
    pages: dict[tuple[str, str], int]


@dataclass(frozen=True)
class BookPlan:
    """Where each part of the book goes: known before any chapter is laid out for the book."""

    front_pages: int
    #: First page of each chapter, in the book's order.
    first_pages: tuple[int, ...]
    #: Pages of each chapter (without the blank verso that may follow it).
    chapter_counts: tuple[int, ...]
    page_count: int


@dataclass(frozen=True)
class TocEntry:
    """One line of the contents, as ``book-pdf-front.html.j2`` shows it."""

    chapter: str
    title: str
    subtitle: str
    lang: str
    page: int
    href: str
    #: Said where the original language stands in for a missing translation (in the book's language).
    note: str = ""


def chapter_edition(book: Book, index: int) -> Edition:
    """The edition a book chapter is laid out as: the chapter's own, so its page count is the edition's."""
    part = book.chapters[index]
    return Edition(part.chapter, part.labels, book.project, book.paper)


def layout_book_chapter(book: Book, index: int, first_page: int) -> RenderedPdf:
    """Chapter ``index`` of the book, laid out as a tagged PDF whose pages are numbered from ``first_page``.

    The chapter PDF of the edition pipeline, with the book's furniture: its
    title as the running foot, "Page N" (in the book's language) as the
    folio. Runs anywhere the chapter edition can (a worker process, a Dask
    worker): it needs only the book and two numbers.
    """
    if first_page < 1 or first_page % 2 == 0:
        raise DocbuildError(f"a book chapter starts on a right-hand (odd) page, not page {first_page}")
    edition = chapter_edition(book, index)
    with _fonts() as fonts:
        document = _render(edition, fonts, **_furniture(book), first_page=first_page)
        return _write(document, edition)


def _furniture(book: Book) -> dict[str, object]:
    return {
        "page_footer": _css_content(book.labels["page"], {"page": "counter(page)"}),
        "page_publisher": Markup(_css_string(book.title)),
    }


def front_edition(book: Book, toc: Sequence[TocEntry]) -> Edition:
    """The front matter as an edition of a chapter made of the book's texts.

    Through the chapter pipeline it gets what every edition gets: the glyph
    check of every text it shows (the contents' titles too, as its blocks),
    the cover image prepared as a figure, the XMP metadata of the book.
    """
    cover = None
    if book.cover is not None:
        cover = Figure(image=book.cover, alt=book.cover_alt, caption=(), credit=())
    blocks = tuple(
        Paragraph(tuple(
            Span(entry.lang, (Text(text),)) if entry.lang != book.lang else Text(text)
            for text in (entry.title, entry.subtitle) if text
        ) + ((Text(entry.note),) if entry.note else ()))
        for entry in toc
    )
    meta = Metadata(
        title=book.title,
        subtitle=book.subtitle,
        author=book.publisher,
        publisher=book.publisher,
        date=book.date,
        description=book.description,
        keywords=tuple(dict.fromkeys(word for part in book.chapters for word in part.chapter.meta.keywords)),
        names_lang=book.publisher_lang,
    )
    path = book.path or book.project.source
    chapter = Chapter(id=book.id, lang=book.lang, meta=meta, figure=cover, blocks=blocks, path=path)
    return Edition(chapter, book.labels, book.project, book.paper)


def toc_entries(book: Book, first_pages: Sequence[int]) -> list[TocEntry]:
    entries = []
    for part, page in zip(book.chapters, first_pages):
        chapter = part.chapter
        note = ""
        if part.stand_in:
            note = book.labels.format("book_stand_in", language=part.labels["language_name"])
        entries.append(TocEntry(chapter.id, chapter.meta.title, chapter.meta.subtitle, chapter.lang, page,
                                TOC_SCHEME + chapter.id, note))
    return entries


def layout_front(book: Book, first_pages: Sequence[int]) -> RenderedPdf:
    """The cover and the contents, whose entries give ``first_pages``."""
    toc = toc_entries(book, first_pages)
    edition = front_edition(book, toc)
    with _fonts() as fonts:
        document = _render(edition, fonts, "book-pdf-front.html.j2", **_furniture(book), toc=toc)
        return _write(document, edition)


def front_page_count(book: Book) -> int:
    """Pages of the front matter, laid out with placeholder numbers, with a blank verso to end on an even page."""
    front = layout_front(book, [PLACEHOLDER_PAGE] * len(book.chapters))
    return front.page_count + front.page_count % 2


def plan_book(front_pages: int, chapter_counts: Sequence[int]) -> BookPlan:
    """First page of each chapter: the odd page after the front matter and the chapters before it."""
    if front_pages % 2:
        raise DocbuildError(f"the front matter must end on a left-hand page, not page {front_pages}")
    first_pages = []
    page = front_pages + 1
    for count in chapter_counts:
        first_pages.append(page)
        page += count + count % 2
    last = first_pages[-1] + chapter_counts[-1] - 1 if first_pages else front_pages
    return BookPlan(front_pages, tuple(first_pages), tuple(chapter_counts), last)


def render_book_pdf(book: Book, chapter_counts: Sequence[int] | None = None) -> RenderedBookPdf:
    """The whole book as one tagged PDF/UA-1 file, byte-identical for the same sources.

    ``chapter_counts`` (each chapter's page count, from its edition) lets
    the chapters be laid out knowing their first pages; without them, each
    is laid out in turn, its first page following from those before it.
    """
    if not book.chapters:
        raise DocbuildError(f"the book '{book.id}' ({book.lang}) has no chapters")
    front_pages = front_page_count(book)
    if chapter_counts is not None:
        plan = plan_book(front_pages, chapter_counts)
        laid = [layout_book_chapter(book, index, first) for index, first in enumerate(plan.first_pages)]
    else:
        laid = []
        page = front_pages + 1
        for index in range(len(book.chapters)):
            laid.append(layout_book_chapter(book, index, page))
            page += laid[-1].page_count + laid[-1].page_count % 2
        plan = plan_book(front_pages, [chapter.page_count for chapter in laid])
    return assemble_book(book, plan, laid)


def assemble_book(book: Book, plan: BookPlan, laid: Sequence[RenderedPdf]) -> RenderedBookPdf:
    """The front matter laid out with the plan's page numbers, then every chapter after it, as one PDF."""
    for part, count, chapter in zip(book.chapters, plan.chapter_counts, laid):
        if chapter.page_count != count:
            raise DocbuildError(
                f"the book chapter '{part.chapter.id}' ({part.chapter.lang}) has {chapter.page_count} pages, "
                f"its edition {count}: the book's page numbers would be wrong"
            )
    front = layout_front(book, plan.first_pages)
    if front.page_count + front.page_count % 2 != plan.front_pages:
        raise DocbuildError(f"the book's front matter has {front.page_count} pages with its page numbers, "
                            f"{plan.front_pages} with placeholders")
    pieces = [
        Piece(part.chapter.id, part.chapter.lang, part.chapter.meta.title, chapter.data)
        for part, chapter in zip(book.chapters, laid)
    ]
    data = assemble(front.data, pieces, lang=book.lang, title=book.title,
                    page_label=lambda number: book.labels.format("page", page=number))
    chapter_pages = {part.chapter.id: first for part, first in zip(book.chapters, plan.first_pages)}
    pages = {
        (part.chapter.id, block): first + page - 1
        for part, first, chapter in zip(book.chapters, plan.first_pages, laid)
        for block, page in chapter.pages.items()
    }
    return RenderedBookPdf(data, plan.page_count, chapter_pages, pages)
