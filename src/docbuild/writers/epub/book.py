"""The book's EPUB edition: one package, a content document per chapter, one navigation document.

Each chapter's content document is the chapter EPUB's
(:func:`.content.chapter_document`, the same template as the chapter
edition and the PDF), named ``chapter-<id>.xhtml``, its images under
``images/<id>/``. Before them come the cover (drawn as for a chapter, with
the book's title over the book's cover image), the navigation document
(``book-epub-nav.xhtml.j2``: the report, then each chapter, then its
sections) and a title page (``book-epub-title.xhtml.j2``). A chapter given
in its original language (``missing = "original"``) keeps its own ``lang``
and says so under its subtitle, in the book's language.

The page-list maps to the pages of the book's A4 PDF (``book.print_pages``:
the page on which each chapter's blocks start), chapter by chapter, with
the markers placed as in a chapter edition (:func:`.pages.page_markers`);
the pages before the first chapter (cover, contents) are marked on the
title page. The accessibility metadata is read off the documents, as for a
chapter (:func:`.accessibility.accessibility` over every content document).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from lxml import etree

from ...book import Book, BookChapter
from ...edition import Edition
from ...errors import DocbuildError
from ...fonts import LAYOUT_CHARACTERS, FontFamily, check_glyphs, coverage, edition_families, edition_text
from ...labels import Labels
from ...model import Chapter, Figure, Metadata
from ..html import render_html
from . import package
from .accessibility import accessibility
from .content import Documents, Image, chapter_document, cover, images, relative, shown_text, _xhtml
from .names import CHAPTER, COVER, CSS, FONTS_CSS, NAV, XML_LANG, h
from .pages import PageMarkers, page_markers

#: The title page's file (the package item ebooklib knows as the chapter's, renamed).
TITLE = "title.xhtml"
READING_SYSTEM_CHARACTERS = "\u2022\u25e6\u25aa\u25a0\u25cf\u25cb." + LAYOUT_CHARACTERS


@dataclass(frozen=True)
class Part:
    """One chapter of the book as the EPUB holds it."""

    chapter: Chapter
    labels: Labels
    lang: str
    href: str
    stand_in: bool


def document_name(part: BookChapter) -> str:
    return f"chapter-{part.chapter.id}.xhtml"


def front_chapter(book: Book) -> Chapter:
    """The book's own metadata in a chapter's shape, for what the EPUB shares with a chapter edition
    (the cover, the package metadata, the identifier)."""
    figure = None
    if book.cover is not None:
        figure = Figure(image=book.cover, alt=book.cover_alt, caption=(), credit=())
    meta = Metadata(
        title=book.title, subtitle=book.subtitle, author=book.publisher, publisher=book.publisher,
        date=book.date, description=book.description, keywords=(), names_lang=book.publisher_lang,
    )
    return Chapter(id=book.id, lang=book.lang, meta=meta, figure=figure, blocks=(), path=book.path or book.project.source)


def chapter_pages(book: Book, part: BookChapter, following: BookChapter | None) -> tuple[dict[str, int], int, int]:
    """The chapter's blocks' pages relative to its first page, its page count, and its first page (0 without pages)."""
    chapter_id = part.chapter.id
    own = {block: page for (chapter, block), page in book.print_pages.items() if chapter == chapter_id}
    if not own:
        return {}, 0, 0
    first = own.get("title", min(own.values()))
    if following is not None:
        later = [page for (chapter, block), page in book.print_pages.items() if chapter == following.chapter.id]
        last = (min(later) - 1) if later else max(own.values())
    else:
        last = max(book.print_page_count, max(own.values()))
    last = max(last, max(own.values()))
    return {block: page - first + 1 for block, page in own.items()}, last - first + 1, first


def shifted(markers: PageMarkers, offset: int) -> PageMarkers:
    return PageMarkers(
        starts={block: page + offset for block, page in markers.starts.items()},
        continued={block: tuple(page + offset for page in pages) for block, pages in markers.continued.items()},
        pages=tuple(page + offset for page in markers.pages),
        inline={page + offset: start for page, start in markers.inline.items()},
    )


def _stand_in_note(book: Book, part: BookChapter):
    """Put the book's note that the chapter is in its original language under the chapter's subtitle."""
    labels = book.labels

    def transform(root: etree._Element) -> None:
        subtitle = next((p for p in root.iter(h("p")) if "subtitle" in (p.get("class") or "").split()), None)
        anchor = subtitle if subtitle is not None else next(root.iter(h("h1")))
        note = etree.Element(h("p"), {"class": "stand-in", "lang": book.lang, XML_LANG: book.lang})
        last = None
        for text, name in labels.parts("book_stand_in", language=part.labels["language_name"]):
            if name == "language":
                span = etree.SubElement(note, h("span"), {"lang": part.chapter.lang, XML_LANG: part.chapter.lang})
                span.text = text
                last = span
            elif last is None:
                note.text = (note.text or "") + text
            else:
                last.tail = (last.tail or "") + text
        anchor.addnext(note)
        note.tail = anchor.tail

    return transform


def render_book_epub(book: Book) -> bytes:
    project = book.project
    front = Edition(front_chapter(book), book.labels, project, "a4")
    families = book_families(book, front)
    files: dict[str, Image] = {}
    parts: list[Part] = []
    docs: dict[str, bytes] = {}
    page_list: list[tuple[int, str]] = []
    firsts: list[int] = []
    every_text = edition_text(front.chapter, book.labels)
    for index, part in enumerate(book.chapters):
        chapter = part.chapter
        check_glyphs(chapter, families, part.labels, project)
        name = document_name(part)
        following = book.chapters[index + 1] if index + 1 < len(book.chapters) else None
        pages, count, first = chapter_pages(book, part, following)
        edition = Edition(chapter, part.labels, project, "a4")
        markers = shifted(page_markers(chapter, pages, count), first - 1) if count else PageMarkers({}, {}, ())
        if count:
            firsts.append(first)
        own = {
            key: replace(image, name=f"images/{chapter.id}/{image.name.split('/', 1)[1]}",
                         src=relative(f"images/{chapter.id}/{image.name.split('/', 1)[1]}", name))
            for key, image in images(edition).items()
        }
        files.update(own)
        docs[name] = chapter_document(edition, markers, own, name, _stand_in_note(book, part) if part.stand_in else None)
        page_list += [(page, name) for page in markers.pages]
        parts.append(Part(chapter, part.labels, chapter.lang, name, part.stand_in))
        every_text += edition_text(chapter, part.labels)
    if not parts:
        raise DocbuildError(f"book '{book.id}' has no chapter in '{book.lang}'", book.path)
    front_pages = tuple(range(1, min(firsts))) if firsts else ()
    page_list = [(page, TITLE) for page in front_pages] + page_list
    cover_file = cover(front, files)
    common = {"css_href": relative(CSS, CHAPTER), "fonts_href": relative(FONTS_CSS, CHAPTER), "images": files,
              "notes_as": "endnotes", "lead_image": None}
    cover_page = render_html(front, "epub-cover.xhtml.j2", cover_image=cover_file, **common)
    nav = render_html(
        front, "book-epub-nav.xhtml.j2", book=book, parts=parts, title_href=TITLE, cover_href=COVER, nav_href=NAV,
        body_href=next((p.href for p, b in zip(parts, book.chapters) if not b.introduction), parts[0].href),
        page_list=page_list, **common,
    )
    title = render_html(front, "book-epub-title.xhtml.j2", book=book, front_pages=front_pages, **common)
    documents = {
        COVER: _xhtml(cover_page, COVER, front),
        NAV: _xhtml(nav, NAV, front),
        TITLE: _xhtml(title, TITLE, front),
        **docs,
    }
    shown = shown_text(_AllDocuments(documents))
    covered = frozenset().union(*(coverage(family.faces) for family in families))
    missing = sorted({char for char in shown if not char.isspace() and ord(char) not in covered and char != "\u00ad"})
    if missing:
        chars = ", ".join(f"U+{ord(char):04X}" for char in missing)
        raise DocbuildError(f"the EPUB's templates show characters the fonts lack ({chars})", project.layouts)
    langs = {p.href: p.lang for p in parts if p.lang != book.lang}
    a11y = accessibility(documents, book.lang, content=(TITLE, *docs), langs=langs)
    if page_list and "printPageNumbers" not in a11y.features:
        raise DocbuildError("the book EPUB's page-list points to missing page markers", book.path)
    text = every_text + shown + READING_SYSTEM_CHARACTERS
    result = package.book(front, Documents(documents[COVER], documents[NAV], documents[TITLE]), files, cover_file, a11y, text,
                          families)
    title_item = result.get_item_with_id("chapter")
    title_item.file_name = TITLE
    title_item.id = "title-page"
    spine = list(result.spine)
    for number, (name, data) in enumerate(docs.items(), 1):
        item = package.epub.EpubItem(uid=f"chapter-{number}", file_name=name, media_type="application/xhtml+xml", content=data)
        result.add_item(item)
        spine.append(item)
    result.spine = spine
    return package.write(result, front)


def book_families(book: Book, front: Edition) -> tuple[FontFamily, ...]:
    """The families the book needs: its language's script's first, then those of every chapter (each once)."""
    found: dict[str, FontFamily] = {}
    for chapter, labels in [(front.chapter, book.labels)] + [(part.chapter, part.labels) for part in book.chapters]:
        for family in edition_families(book.project, chapter, labels, "serif"):
            found.setdefault(family.name, family)
    return tuple(found.values())


class _AllDocuments:
    """What :func:`.content.shown_text` reads: documents by name."""

    def __init__(self, documents: dict[str, bytes]) -> None:
        self.documents = documents

    def by_name(self) -> dict[str, bytes]:
        return self.documents
