"""Runs of a paragraph: text, emphasis, languages, links, note references, fields, bookmarks.

Inline nodes are flattened to pieces of text with a format; neighbouring
pieces with the same format become one run, and the runs of one link share a
``w:hyperlink``: an external link has a relationship from the part the
paragraph is in (the document or the footnotes), an internal one
(``#id``) a ``w:anchor`` naming the target block's bookmark.

A note reference is a Word footnote reference (``w:footnoteReference`` in the
*footnote reference* character style). Word numbers footnotes in the order
their references appear, which is the model's numbering (first reference in
reading order), so the numbers agree with the other editions. The first
reference is wrapped in a bookmark; a later reference to the same note is a
``NOTEREF`` field to that bookmark (formatted as a footnote reference, and a
link to it), so it shows the same number and stays right if Word renumbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Iterable, Iterator, Union

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from ...model import Emph, Inline, Link, NoteRef, Quote, Span, Strong, Text

#: Word ignores bookmarks with longer names (and so links to them).
_MAX_BOOKMARK = 40


def bookmark_name(block_id: str) -> str:
    """The bookmark for a block id: the id itself (as pandoc does), or, past Word's
    40-character limit, its first 31 characters and a hash of the whole."""
    if len(block_id) <= _MAX_BOOKMARK:
        return block_id
    return f"{block_id[:31]}_{hashlib.sha1(block_id.encode()).hexdigest()[:8]}"


def note_bookmark(number: int) -> str:
    """The hidden bookmark (Word hides names starting with "_") around a note's first reference."""
    return f"_RefNote{number}"


class Bookmarks:
    """Bookmark ids, unique in the document, in the order they are made."""

    def __init__(self) -> None:
        self.count = 0
        self.names: list[str] = []

    def wrap(self, paragraph: etree._Element, name: str) -> None:
        """A bookmark around the whole content of ``paragraph``."""
        start, end = self.pair(name)
        ppr = paragraph.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            paragraph.insert(0, start)
        paragraph.append(end)

    def pair(self, name: str) -> tuple[etree._Element, etree._Element]:
        self.count += 1
        self.names.append(name)
        return (element("w:bookmarkStart", id=str(self.count), name=name),
                element("w:bookmarkEnd", id=str(self.count)))


@dataclass(frozen=True)
class Format:
    italic: bool = False
    bold: bool = False
    lang: str | None = None
    href: str | None = None
    style: str | None = None


Piece = Union[tuple[str, Format], NoteRef]


def _pieces(nodes: Iterable[Inline], fmt: Format) -> Iterator[Piece]:
    """Flatten inline nodes to (text, format) pieces and note references; quotation marks are in the model."""
    for node in nodes:
        if isinstance(node, Text):
            yield node.text, fmt
        elif isinstance(node, Emph):
            yield from _pieces(node.children, replace(fmt, italic=True))
        elif isinstance(node, Strong):
            yield from _pieces(node.children, replace(fmt, bold=True))
        elif isinstance(node, Link):
            yield from _pieces(node.children, replace(fmt, href=node.href))
        elif isinstance(node, Span):
            # The tag as written; docbuild.writers.docx.direction makes it the language's DOCX locale.
            yield from _pieces(node.children, replace(fmt, lang=node.lang))
        elif isinstance(node, Quote):
            yield node.open, fmt
            yield from _pieces(node.children, fmt)
            yield node.close, fmt
        elif isinstance(node, NoteRef):
            yield node


def _merge(pieces: Iterable[Piece]) -> Iterator[Piece]:
    """Join neighbouring text pieces with the same format, so each run is as long as it can be."""
    text, fmt = "", None
    for piece in pieces:
        if isinstance(piece, NoteRef):
            if fmt is not None and text:
                yield text, fmt
            text, fmt = "", None
            yield piece
            continue
        piece_text, piece_fmt = piece
        if piece_fmt == fmt:
            text += piece_text
            continue
        if fmt is not None and text:
            yield text, fmt
        text, fmt = piece_text, piece_fmt
    if fmt is not None and text:
        yield text, fmt


def add_inlines(paragraph: etree._Element, nodes: tuple[Inline, ...], part: Part, bookmarks: Bookmarks,
                fmt: Format = Format()) -> None:
    """Append runs for the nodes to ``paragraph``; ``part`` owns its link relationships."""
    link: etree._Element | None = None
    link_href: str | None = None
    for piece in _merge(_pieces(nodes, fmt)):
        if isinstance(piece, NoteRef):
            link, link_href = None, None
            paragraph.extend(note_reference(piece, bookmarks))
            continue
        text, piece_fmt = piece
        run = make_run(text, piece_fmt)
        if piece_fmt.href is None:
            link, link_href = None, None
            paragraph.append(run)
            continue
        if link is None or link_href != piece_fmt.href:
            link = hyperlink(piece_fmt.href, part)
            link_href = piece_fmt.href
            paragraph.append(link)
        link.append(run)


def hyperlink(href: str, part: Part) -> etree._Element:
    if href.startswith("#"):
        return element("w:hyperlink", anchor=bookmark_name(href[1:]), history="1")
    rId = part.relate_to(href, RT.HYPERLINK, is_external=True)
    return element("w:hyperlink", **{"r:id": rId, "w:history": "1"})


def note_reference(ref: NoteRef, bookmarks: Bookmarks) -> list[etree._Element]:
    """The footnote reference mark (first reference) or a NOTEREF field showing its number."""
    if ref.occurrence == 1:
        run = make_run("", Format(style="FootnoteReference"))
        run.append(element("w:footnoteReference", id=str(ref.number)))
        start, end = bookmarks.pair(note_bookmark(ref.number))
        return [start, run, end]
    return field(f"NOTEREF {note_bookmark(ref.number)} \\f \\h", str(ref.number), Format(style="FootnoteReference"))


def field(code: str, result: str, fmt: Format = Format()) -> list[etree._Element]:
    """A complex field (``PAGE``, ``NOTEREF ...``) with ``result`` as its last result."""
    runs = []
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = make_run("", fmt)
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {code} "
            run.append(instr)
        elif kind == "text":
            run.append(make_text(result))
        else:
            run.append(element("w:fldChar", fldCharType=kind))
        runs.append(run)
    return runs


def make_run(text: str, fmt: Format = Format()) -> etree._Element:
    """A ``w:r``; with empty ``text``, only its properties (the caller adds the content)."""
    run = OxmlElement("w:r")
    properties = []
    style = "Hyperlink" if fmt.href is not None else fmt.style
    if style is not None:
        properties.append(element("w:rStyle", val=style))
    if fmt.bold:
        properties += [OxmlElement("w:b"), OxmlElement("w:bCs")]
    if fmt.italic:
        properties += [OxmlElement("w:i"), OxmlElement("w:iCs")]
    if fmt.lang is not None:
        properties.append(element("w:lang", val=fmt.lang))
    if properties:  # already in the schema's order: rStyle, b, bCs, i, iCs, lang
        rpr = OxmlElement("w:rPr")
        rpr.extend(properties)
        run.append(rpr)
    if text:
        run.append(make_text(text))
    return run


def make_text(text: str) -> etree._Element:
    node = OxmlElement("w:t")
    if text != text.strip():
        node.set(qn("xml:space"), "preserve")
    node.text = text
    return node


def element(tag: str, **attributes: str) -> etree._Element:
    """A WordprocessingML element; bare attribute names are in the ``w:`` namespace."""
    node = OxmlElement(tag)
    for name, value in attributes.items():
        node.set(qn(name if ":" in name else f"w:{name}"), value)
    return node
