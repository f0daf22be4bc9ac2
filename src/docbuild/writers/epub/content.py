"""The EPUB's files besides the package: its images and its three XHTML documents.

Every figure (the lead photo and each figure in the body) is its own file
``images/<name>.<ext>``, prepared by :func:`docbuild.images.prepare_image`
(re-encoded without EXIF/GPS, transparency flattened onto white, at most
:data:`IMAGE_MAX_WIDTH_PX` wide; a photo stays JPEG, a chart or map PNG).
The templates find a figure's file by its source path (``images``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from lxml import etree

from ...edition import Edition
from ...errors import DocbuildError
from ...images import PreparedImage, prepare_image
from ...model import Figure
from ...languages import Language
from ...typography import unbind_short_words
from ..html import environment, render_html
from .cover import cover_image
from .names import CHAPTER, COVER, CSS, EPUB_NS, FONTS_CSS, IMAGE_MAX_WIDTH_PX, IMAGES, NAV, XHTML_NS
from .pages import PageMarkers, place_inline


@dataclass(frozen=True)
class Image:
    """One image file of the package; ``src`` is its href from the content documents."""

    name: str  # path inside the package folder, e.g. images/sentences-chart-en.png
    src: str
    prepared: PreparedImage

    @property
    def width(self) -> int:
        return self.prepared.width

    @property
    def height(self) -> int:
        return self.prepared.height

    @property
    def media_type(self) -> str:
        return self.prepared.media_type

    @property
    def data(self) -> bytes:
        return self.prepared.data


@dataclass(frozen=True)
class Documents:
    cover: bytes
    nav: bytes
    chapter: bytes

    def by_name(self) -> dict[str, bytes]:
        return {COVER: self.cover, NAV: self.nav, CHAPTER: self.chapter}


def figures(edition: Edition) -> list[Figure]:
    """Every figure of the chapter in reading order: the lead photo, then the body's."""
    chapter = edition.chapter
    lead = [chapter.figure] if chapter.figure is not None else []
    return lead + [block for block in chapter.walk() if isinstance(block, Figure)]


def relative(target: str, start: str) -> str:
    """The href of package file ``target`` from package file ``start``."""
    start_dir = PurePosixPath(start).parent
    depth = len(start_dir.parts)
    return "/".join([".."] * depth + [target]) if depth else target


def images(edition: Edition) -> dict[str, Image]:
    """One prepared image per source file, by ``str(figure.image)`` (what blocks.j2 looks up).

    File names come from the source's name (lower case, letters, digits and
    hyphens), numbered if two sources would share one.
    """
    found: dict[str, Image] = {}
    taken: set[str] = set()
    for figure in figures(edition):
        key = str(figure.image)
        if key in found:
            continue
        # Never the source file: prepare_image re-encodes the pixels without EXIF/GPS.
        prepared = prepare_image(figure.image, IMAGE_MAX_WIDTH_PX)
        stem = re.sub(r"[^a-z0-9]+", "-", figure.image.stem.lower()).strip("-") or "image"
        name, number = f"{IMAGES}/{stem}.{prepared.extension}", 1
        while name in taken:
            number += 1
            name = f"{IMAGES}/{stem}-{number}.{prepared.extension}"
        taken.add(name)
        found[key] = Image(name, relative(name, CHAPTER), prepared)
    return found


#: Name of the cover image in the package (numbered if a figure's file took it).
COVER_IMAGE = "cover"


def cover(edition: Edition, files: dict[str, Image]) -> Image:
    """The generated cover image (:mod:`.cover`), named apart from every figure's file."""
    prepared = cover_image(edition)
    taken = {image.name for image in files.values()}
    name, number = f"{IMAGES}/{COVER_IMAGE}.{prepared.extension}", 1
    while name in taken:
        number += 1
        name = f"{IMAGES}/{COVER_IMAGE}-{number}.{prepared.extension}"
    return Image(name, relative(name, COVER), prepared)


def documents(edition: Edition, markers: PageMarkers, files: dict[str, Image], cover_file: Image) -> Documents:
    """The cover, navigation and chapter documents, each checked to be well-formed XHTML.

    In the chapter, the markers of print pages that begin inside a block are
    put in at the first word of the page (:func:`.pages.place_inline`). In
    every document, the no-break space after a short word goes back to an
    ordinary space (:func:`docbuild.typography.unbind_short_words`), so a
    reader's search for "в Казахстане" finds it.
    """
    common = context(edition, files)
    cover_page = render_html(edition, "epub-cover.xhtml.j2", cover_image=cover_file, **common)
    nav = render_html(
        edition,
        "epub-nav.xhtml.j2",
        chapter_href=relative(CHAPTER, NAV),
        cover_href=relative(COVER, NAV),
        nav_href=NAV,
        page_list=markers.pages,
        **common,
    )
    return Documents(
        cover=_xhtml(cover_page, COVER, edition),
        nav=_xhtml(nav, NAV, edition),
        chapter=chapter_document(edition, markers, files),
    )


def context(edition: Edition, files: dict[str, Image]) -> dict:
    """What every document's template is given: the stylesheets, the images, notes as endnotes, the lead image."""
    chapter = edition.chapter
    lead = files[str(chapter.figure.image)] if chapter.figure is not None else None
    return {"css_href": relative(CSS, CHAPTER), "fonts_href": relative(FONTS_CSS, CHAPTER), "images": files,
            "notes_as": "endnotes", "lead_image": lead}


def chapter_document(
    edition: Edition, markers: PageMarkers, files: dict[str, Image], name: str = CHAPTER, transform=None
) -> bytes:
    """The chapter's content document (``name`` in the package, beside ``CHAPTER``); ``transform`` may
    change it once parsed, after the inline page markers are placed (a book marks a stand-in chapter)."""
    text = render_html(edition, "epub-chapter.xhtml.j2", page_breaks=markers.by_block(), **context(edition, files))
    marker = _page_marker(edition)

    def pages(root: etree._Element) -> None:
        place_inline(root, markers.inline, marker)
        if transform is not None:
            transform(root)

    return _xhtml(text, name, edition, pages)


def _page_marker(edition: Edition):
    """A function page -> the page's marker element, from the template's ``page_marker`` macro."""
    env = environment(edition.project.layouts)
    module = env.get_template("blocks.j2").make_module(
        {"chapter": edition.chapter, "meta": edition.chapter.meta, "labels": edition.labels, "edition": edition}
    )

    def marker(page: int) -> etree._Element:
        wrapper = f'<div xmlns="{XHTML_NS}" xmlns:epub="{EPUB_NS}">{module.page_marker(page)}</div>'
        return etree.fromstring(wrapper.encode("utf-8"))[0]

    return marker


def _xhtml(text: str, name: str, edition: Edition, transform=None) -> bytes:
    """The document as UTF-8 bytes with an XML declaration, once it is known to be well-formed XML.

    A reading system refuses a malformed XHTML document outright, so a
    template mistake must stop the build here rather than ship. ``transform``
    (if any) changes the parsed document before it is written back; then
    every text node's no-break spaces after short words are released.
    """
    try:
        root = etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise DocbuildError(f"the EPUB's {name} is not well-formed XHTML: {exc}", edition.project.layouts) from None
    if transform is not None:
        transform(root)
    _searchable(root, edition.language)
    body = etree.tostring(root.getroottree(), encoding="unicode", doctype="<!DOCTYPE html>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _searchable(root: etree._Element, language: Language) -> None:
    """Give back the ordinary space after each of the language's short words (``no_break.after_words``)."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text:
            element.text = unbind_short_words(element.text, language)
        if element.tail:
            element.tail = unbind_short_words(element.tail, language)


#: Attributes whose text a reading system may show or speak (alt text when an image fails to load).
_SHOWN_ATTRIBUTES = ("alt", "aria-label", "title")


def shown_text(docs: Documents) -> str:
    """Every character the documents can show: their text and their shown attributes.

    The fonts are subset to this (with the labels), so a character a
    template adds (the dash before an attribution, a label) is never
    missing from the embedded fonts.
    """
    parts: list[str] = []
    for data in docs.by_name().values():
        root = etree.fromstring(data)
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            parts += [element.text or "", element.tail or ""]
            parts += [element.get(name, "") for name in _SHOWN_ATTRIBUTES]
    return "".join(parts)
