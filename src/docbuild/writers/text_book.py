"""The book's plain-text edition: the title, a contents list, then every chapter as the text edition renders it.

The conventions are the chapter text edition's (:mod:`docbuild.writers.text`),
one level down: ``#`` is the book's title, ``##`` each chapter's, ``###`` its
sections. The contents list names every chapter and its sections, indented
by level, so a reader on a braille display or in an e-mail client can see
what the book holds and search for a heading. A chapter given in its
original language (``missing = "original"`` in ``source/report.toml``) says so
under its subtitle, in the book's language.
"""

from __future__ import annotations

from ..book import Book, BookChapter
from ..edition import Edition
from ..model import Section, plain_text
from .bidi import Directions
from .text import chapter_blocks, plain, text_file

_INDENT = "   "


def contents_lines(part: BookChapter) -> list[str]:
    """The chapter's line of the contents list, then one per section, indented by its level."""
    lines = [f"- {plain(part.chapter.meta.title)}"]

    def visit(blocks, depth: int) -> None:
        for block in blocks:
            if isinstance(block, Section):
                lines.append(f"{_INDENT * depth}- {plain(plain_text(block.heading)).strip()}")
                visit(block.blocks, depth + 1)

    visit(part.chapter.blocks, 1)
    return lines


def stand_in_note(book: Book, part: BookChapter) -> str:
    """The sentence under a stand-in chapter's subtitle: it is given in its original language."""
    return book.labels.format("book_stand_in", language=part.labels["language_name"])


def render_book_text(book: Book) -> bytes:
    labels = book.labels
    blocks = [f"# {plain(book.title)}"]
    if book.subtitle:
        blocks.append(plain(book.subtitle))
    blocks.append(f"## {labels['contents']}")
    blocks.append("\n".join(line for part in book.chapters for line in contents_lines(part)))
    for part in book.chapters:
        intro = (plain(stand_in_note(book, part)),) if part.stand_in else ()
        directions = Directions.of_edition(Edition(part.chapter, part.labels, book.project, book.paper))
        blocks += chapter_blocks(part.chapter, part.labels, shift=1, colophon=False, intro=intro, directions=directions)
    blocks.append(plain(labels.format("published", publisher=book.publisher, date=labels.date(book.date))))
    blocks.append(plain(book.description))
    return text_file(blocks)
