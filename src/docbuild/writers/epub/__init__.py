"""The EPUB 3 edition: reflowable, for phones and screen readers.

The chapter document is ``layouts/chapter.html.j2`` (through
``epub-chapter.xhtml.j2``), the same markup as the PDF, so both editions share
structure and reading order. Page-break markers give the pages of the A4 print
edition (``edition.print_pages``, taken from the PDF's layout), so a reader of
the EPUB can find "page 3" that someone holding the printout cites.

ebooklib assembles the package (manifest, spine, metadata). Its zip is not
reproducible (clock time in every entry and in ``dcterms:modified``, and
details EPUBCheck rejects), so :func:`render_epub` rewrites the archive
itself: ``mimetype`` first and stored, fixed entry times, a fixed order.

The accessibility metadata is read back from the rendered documents, not
written as constants, so that it only ever claims what the edition has.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import PurePosixPath

from ebooklib import epub
from lxml import etree
from PIL import Image

from ..edition import Edition
from ..errors import DocbuildError
from ..fonts import check_glyphs, edition_text, font_faces, subset
from .html import render_html
from ..images import prepare_photo
from ..model import Chapter

#: Files inside the package folder (``EPUB/``), relative to the OPF.
COVER = "cover.xhtml"
NAV = "nav.xhtml"
CHAPTER = "chapter.xhtml"
CSS = "css/epub.css"
PHOTO = "images/photo.jpg"
#: The family whose four faces (fonts/<Family>-<Style>.ttf) the EPUB carries;
#: layouts/epub.css names the same files.
FONT_FAMILY = "Noto Serif"
FONT_LICENCE = "OFL.txt"

#: A phone held upright is about 1080 device pixels wide; more only makes the
#: download heavier. (The PDF keeps the full print resolution.)
PHOTO_MAX_WIDTH_PX = 1200

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF_NS = "http://www.idpf.org/2007/opf"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_NS = {"h": XHTML_NS, "epub": EPUB_NS, "opf": OPF_NS}

#: Namespace for the package identifier: the same chapter and language always
#: get the same identifier, and a reading system sees a rebuild as the same book.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://docbuild.invalid/epub")
#: Earliest time a zip entry can carry (the DOS epoch).
_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=timezone.utc)


# --------------------------------------------------------------------------
# Print page markers


@dataclass(frozen=True)
class PageMarkers:
    """Where the page-break markers of the print edition go in the chapter.

    ``starts`` maps a block to the print page that starts with it. A page on which no block starts (a long
    paragraph runs over all of it) is in ``continued``, under the block that
    runs over it: its marker goes just before that block, after the block's
    own, so the page-list still has every page and "page N" opens the text
    printed on page N.
    """

    starts: dict[str, int]
    continued: dict[str, tuple[int, ...]]
    pages: tuple[int, ...]

    def by_block(self) -> dict[str, tuple[int, ...]]:
        """The pages whose markers precede each block, in page order (the template's ``page_breaks``)."""
        blocks = {block: (page,) for block, page in self.starts.items()}
        for block, pages in self.continued.items():
            blocks[block] = blocks.get(block, ()) + pages
        return blocks


def block_ids(chapter: Chapter) -> list[str]:
    """Ids of the blocks the print layout reports, in reading order."""
    return ["title", *chapter.block_ids()]


def page_markers(chapter: Chapter, print_pages: dict[str, int], page_count: int) -> PageMarkers:
    """Place one marker for every page 1..``page_count`` of the print edition."""
    if not page_count:
        return PageMarkers({}, {}, ())
    located = [(block, print_pages[block]) for block in block_ids(chapter) if block in print_pages]
    if not located:
        raise DocbuildError(f"the print layout locates no block of chapter '{chapter.id}'", chapter.path)
    starts: dict[str, int] = {}
    first_on_page: dict[int, str] = {}
    for block, page in located:
        if not 1 <= page <= page_count:
            raise DocbuildError(
                f"the print layout puts '{block}' on page {page} of a {page_count}-page edition", chapter.path
            )
        if page not in first_on_page:
            first_on_page[page] = block
            starts[block] = page
    continued: dict[str, list[int]] = {}
    for page in range(1, page_count + 1):
        if page in first_on_page:
            continue
        # The block running over this page is the last one that started before it.
        before = [block for block, start in located if start < page]
        holder = before[-1] if before else located[0][0]
        continued.setdefault(holder, []).append(page)
    return PageMarkers(
        starts,
        {block: tuple(pages) for block, pages in continued.items()},
        tuple(range(1, page_count + 1)),
    )


# --------------------------------------------------------------------------
# Content documents


@dataclass(frozen=True)
class _Photo:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class _Documents:
    cover: bytes
    nav: bytes
    chapter: bytes


def _photo(edition: Edition) -> _Photo | None:
    figure = edition.chapter.figure
    if figure is None:
        return None
    # Never the source file: prepare_photo re-encodes the pixels without EXIF/GPS.
    data = prepare_photo(figure.image, PHOTO_MAX_WIDTH_PX)
    with Image.open(io.BytesIO(data)) as image:
        return _Photo(data, image.width, image.height)


def _relative(target: str, start: str) -> str:
    """The href of package file ``target`` from package file ``start``."""
    start_dir = PurePosixPath(start).parent
    depth = len(start_dir.parts)
    return "/".join([".."] * depth + [target]) if depth else target


def _documents(edition: Edition, markers: PageMarkers, photo: _Photo | None) -> _Documents:
    size = {"photo_width": photo.width, "photo_height": photo.height} if photo else {}
    common = {"css_href": _relative(CSS, CHAPTER), "photo_href": _relative(PHOTO, CHAPTER), **size}
    cover = render_html(edition, "epub-cover.xhtml.j2", **common)
    nav = render_html(
        edition,
        "epub-nav.xhtml.j2",
        chapter_href=CHAPTER,
        cover_href=COVER,
        nav_href=NAV,
        page_list=markers.pages,
        **common,
    )
    chapter = render_html(edition, "epub-chapter.xhtml.j2", page_breaks=markers.by_block(), **common)
    return _Documents(
        cover=_xhtml(cover, COVER, edition),
        nav=_xhtml(nav, NAV, edition),
        chapter=_xhtml(chapter, CHAPTER, edition),
    )


def _xhtml(text: str, name: str, edition: Edition) -> bytes:
    """The document as UTF-8 bytes with an XML declaration, once it is known to be well-formed XML.

    A reading system refuses a malformed XHTML document outright, so a
    template mistake must stop the build here rather than ship.
    """
    try:
        etree.fromstring(text.encode("utf-8"))
    except etree.XMLSyntaxError as exc:
        raise DocbuildError(f"the EPUB's {name} is not well-formed XHTML: {exc}", edition.project.layouts) from None
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8")


# --------------------------------------------------------------------------
# Accessibility metadata, from what the documents contain


@dataclass(frozen=True)
class Accessibility:
    """What the rendered documents offer, as EPUB Accessibility 1.1 metadata values."""

    access_modes: tuple[str, ...]
    access_mode_sufficient: tuple[str, ...]
    features: tuple[str, ...]
    summary_keys: tuple[str, ...]
    conforms: bool


def accessibility(documents: dict[str, bytes], lang: str) -> Accessibility:
    """Read the accessibility facts off the documents that will be shipped.

    ``documents`` maps package file names to XHTML. Every claim is checked
    here against the markup; a feature that is missing is left out of the
    metadata (and conformance is not claimed) instead of being asserted.
    """
    roots = {name: etree.fromstring(data) for name, data in documents.items()}
    images = [img for root in roots.values() for img in root.iter(f"{{{XHTML_NS}}}img")]
    all_alt = all((img.get("alt") or "").strip() for img in images)
    langs_declared = all(root.get("lang") == lang and root.get(XML_LANG) == lang for root in roots.values())
    ids = {f"{name}#{element.get('id')}" for name, root in roots.items() for element in root.iter() if element.get("id")}

    def nav_targets(kind: str) -> list[str]:
        navs = [
            nav
            for root in roots.values()
            for nav in root.iter(f"{{{XHTML_NS}}}nav")
            if kind in (nav.get(f"{{{EPUB_NS}}}type") or "").split()
        ]
        return [a.get("href", "") for nav in navs for a in nav.iter(f"{{{XHTML_NS}}}a")]

    def resolves(href: str) -> bool:
        return href in documents or href in ids

    toc = nav_targets("toc")
    page_list = nav_targets("page-list")
    headings = [h for root in roots.values() for h in root.iter(f"{{{XHTML_NS}}}h1", f"{{{XHTML_NS}}}h2")]
    has_toc = bool(toc) and all(resolves(href) for href in toc)
    has_pages = bool(page_list) and all(resolves(href) for href in page_list)

    features = ["structuralNavigation"] if headings else []
    if has_toc:
        features.append("tableOfContents")
    features += ["readingOrder", "displayTransformability"]
    if images and all_alt:
        features.append("alternativeText")
    if has_pages:
        features += ["printPageNumbers", "pageNavigation"]

    summary = ["accessibility_summary_text"]
    if images and all_alt:
        summary.append("accessibility_summary_photo")
    if has_pages:
        summary.append("accessibility_summary_pages")
    return Accessibility(
        access_modes=("textual", "visual") if images else ("textual",),
        access_mode_sufficient=("textual",) if all_alt else ("textual", "visual"),
        features=tuple(features),
        summary_keys=tuple(summary),
        conforms=all_alt and langs_declared and bool(headings) and has_toc,
    )


# --------------------------------------------------------------------------
# The package


def identifier(chapter: Chapter) -> str:
    """The package's unique identifier: fixed for a chapter and language."""
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, f'{chapter.id}/{chapter.lang}')}"


def _meta(book: epub.EpubBook, prop: str, value: str, **attributes: str) -> None:
    book.add_metadata(None, "meta", value, {"property": prop, **attributes})


def _book(edition: Edition, docs: _Documents, photo: _Photo | None, a11y: Accessibility) -> epub.EpubBook:
    chapter, labels, meta = edition.chapter, edition.labels, edition.chapter.meta
    book = epub.EpubBook()
    book.set_identifier(identifier(chapter))
    book.set_title(f"{meta.title}: {meta.subtitle}")
    book.set_language(chapter.lang)
    book.add_author(meta.author)
    book.add_metadata("DC", "publisher", meta.publisher)
    book.add_metadata("DC", "date", meta.date)
    book.add_metadata("DC", "description", meta.description)
    for keyword in meta.keywords:
        book.add_metadata("DC", "subject", keyword)

    for mode in a11y.access_modes:
        _meta(book, "schema:accessMode", mode)
    _meta(book, "schema:accessModeSufficient", ",".join(a11y.access_mode_sufficient))
    for feature in a11y.features:
        _meta(book, "schema:accessibilityFeature", feature)
    _meta(book, "schema:accessibilityHazard", "none")
    summary = " ".join(labels[key] for key in a11y.summary_keys)
    _meta(book, "schema:accessibilitySummary", summary, **{XML_LANG: chapter.lang})
    if "printPageNumbers" in a11y.features:
        source = labels.format("print_edition", title=meta.title, subtitle=meta.subtitle)
        _meta(book, "pageBreakSource", source, **{XML_LANG: chapter.lang})
    if a11y.conforms:
        _meta(book, "dcterms:conformsTo", CONFORMS_TO)

    def item(uid: str, name: str, media_type: str, content: bytes, properties: tuple[str, ...] = ()) -> epub.EpubItem:
        entry = epub.EpubItem(uid=uid, file_name=name, media_type=media_type, content=content)
        entry.properties = list(properties)
        book.add_item(entry)
        return entry

    cover = item("cover", COVER, "application/xhtml+xml", docs.cover)
    nav = item("nav", NAV, "application/xhtml+xml", docs.nav, ("nav",))
    text = item("chapter", CHAPTER, "application/xhtml+xml", docs.chapter)
    item("css", CSS, "text/css", (edition.project.layouts / "epub.css").read_bytes())
    if photo is not None:
        item("photo", PHOTO, "image/jpeg", photo.data, ("cover-image",))
    # Subsets: a phone need not download a megabyte of glyphs the chapter never shows.
    needed = edition_text(chapter, labels)
    for number, face in enumerate(font_faces(edition.project, FONT_FAMILY), 1):
        item(f"font-{number}", f"fonts/{face.path.name}", "font/ttf", subset(face.path, needed))
    item("font-licence", f"fonts/{FONT_LICENCE}", "text/plain", _read(edition, FONT_LICENCE))
    book.spine = [cover, nav, text]
    return book


def _read(edition: Edition, name: str) -> bytes:
    path = edition.project.fonts / name
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DocbuildError(f"cannot read the licence file for the EPUB: {exc.strerror}", path) from None


def _finish_opf(opf: bytes, lang: str) -> bytes:
    """Fix what ebooklib cannot be told: the package language and the spine without an NCX.

    ``xml:lang`` on ``<package>`` says which language the metadata is in.
    ebooklib always points the spine at an NCX (``toc="ncx"``); this EPUB 3
    has none (its navigation document replaces it), so the reference goes.
    The ``rendition:`` prefix ebooklib declares is a reserved one, which
    EPUBCheck reports when re-declared.
    """
    root = etree.fromstring(opf)
    root.set(XML_LANG, lang)
    if root.get("prefix", "").strip() == "rendition: http://www.idpf.org/vocab/rendition/#":
        del root.attrib["prefix"]
    spine = root.find("opf:spine", _NS)
    if spine is not None and spine.get("toc") and root.find(f"opf:manifest/opf:item[@id='{spine.get('toc')}']", _NS) is None:
        del spine.attrib["toc"]
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    moment = max(moment.astimezone(timezone.utc), _ZIP_EPOCH)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second & ~1)


def _repack(archive: bytes, edition: Edition) -> bytes:
    """Rewrite ebooklib's zip reproducibly (OCF 3.3, 4.2: ``mimetype`` first and stored)."""
    stamp = _zip_time(edition.timestamp)
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        names = [info.filename for info in source.infolist()]
        entries = {name: source.read(name) for name in names}
    opf = f"{epub.EpubBook().FOLDER_NAME}/content.opf"
    entries[opf] = _finish_opf(entries[opf], edition.chapter.lang)
    first = ["mimetype", "META-INF/container.xml", opf]
    order = first + [name for name in names if name not in first]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3  # Unix, whatever system builds it
            info.external_attr = 0o100644 << 16
            if name == "mimetype":
                info.compress_type = zipfile.ZIP_STORED
                target.writestr(info, b"application/epub+zip")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(info, entries[name], compresslevel=9)
    return out.getvalue()


def render_epub(edition: Edition) -> bytes:
    """The EPUB 3 edition of ``edition``, the same bytes for the same source."""
    check_glyphs(edition.chapter, font_faces(edition.project, FONT_FAMILY), edition.labels, edition.project)
    markers = page_markers(edition.chapter, edition.print_pages, edition.print_page_count)
    photo = _photo(edition)
    docs = _documents(edition, markers, photo)
    a11y = accessibility({COVER: docs.cover, NAV: docs.nav, CHAPTER: docs.chapter}, edition.chapter.lang)
    if markers.pages and "printPageNumbers" not in a11y.features:
        # The page-list is built from the markers; one that does not resolve is a docbuild bug.
        raise DocbuildError(f"the EPUB's page-list points to missing page markers in {CHAPTER}", edition.chapter.path)
    book = _book(edition, docs, photo, a11y)
    raw = io.BytesIO()
    options = {
        "mtime": edition.timestamp.astimezone(timezone.utc),
        "epub2_guide": False,
        "epub3_landmark": False,
        "epub3_pages": False,
        "raise_exceptions": True,
    }
    epub.write_epub(raw, book, options)
    return _repack(raw.getvalue(), edition)
