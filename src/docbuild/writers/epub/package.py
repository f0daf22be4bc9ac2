"""The EPUB package: OPF metadata, manifest and spine, and a reproducible zip.

ebooklib assembles the package (manifest, spine, metadata). Its zip is not
reproducible (clock time in every entry and in ``dcterms:modified``, and
details EPUBCheck rejects), so :func:`repack` rewrites the archive itself:
``mimetype`` first and stored, fixed entry times, a fixed order.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import datetime, timezone

from ebooklib import epub
from lxml import etree

from ...edition import Edition
from ...errors import DocbuildError
from ...fonts import FontFamily
from .fonts import font_css, font_files
from ...model import Chapter
from .accessibility import Accessibility
from .content import Documents, Image
from .names import CHAPTER, CONFORMS_TO, COVER, CSS, FONT_LICENCE, FONTS_CSS, NAV, NS, XML_LANG

#: Namespace for the package identifier: the same chapter and language always
#: get the same identifier, and a reading system sees a rebuild as the same book.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://docbuild.invalid/epub")
#: Earliest time a zip entry can carry (the DOS epoch).
_ZIP_EPOCH = datetime(1980, 1, 1, tzinfo=timezone.utc)


def identifier(chapter: Chapter) -> str:
    """The package's unique identifier: fixed for a chapter and language."""
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, f'{chapter.id}/{chapter.lang}')}"


def _meta(book: epub.EpubBook, prop: str, value: str, **attributes: str) -> None:
    book.add_metadata(None, "meta", value, {"property": prop, **attributes})


def _metadata(book: epub.EpubBook, edition: Edition, a11y: Accessibility) -> None:
    chapter, labels, meta = edition.chapter, edition.labels, edition.chapter.meta
    book.set_identifier(identifier(chapter))
    book.set_title(f"{meta.title}: {meta.subtitle}")
    book.set_language(chapter.lang)
    # A name kept from the original (Human Rights Watch in a Russian edition) is in the original's language.
    names = {XML_LANG: meta.names_lang} if meta.names_lang and meta.names_lang != chapter.lang else {}
    book.add_metadata("DC", "creator", meta.author, {"id": "creator", **names})
    book.add_metadata("DC", "publisher", meta.publisher, names or None)
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


def book(
    edition: Edition, docs: Documents, images: dict[str, Image], cover_file: Image, a11y: Accessibility, text: str,
    families: tuple[FontFamily, ...],
) -> epub.EpubBook:
    """The package: metadata, the documents, images (``cover_file`` is the cover image), stylesheet and fonts subset to ``text``."""
    chapter = edition.chapter
    result = epub.EpubBook()
    _metadata(result, edition, a11y)

    def item(uid: str, name: str, media_type: str, content: bytes, properties: tuple[str, ...] = ()) -> epub.EpubItem:
        entry = epub.EpubItem(uid=uid, file_name=name, media_type=media_type, content=content)
        entry.properties = list(properties)
        result.add_item(entry)
        return entry

    cover = item("cover", COVER, "application/xhtml+xml", docs.cover)
    nav = item("nav", NAV, "application/xhtml+xml", docs.nav, ("nav",))
    body = item("chapter", CHAPTER, "application/xhtml+xml", docs.chapter)
    item("css", CSS, "text/css", (edition.project.layouts / "epub.css").read_bytes())
    lead = str(chapter.figure.image) if chapter.figure is not None else None
    item("cover-image", cover_file.name, cover_file.media_type, cover_file.data, ("cover-image",))
    for number, (key, image) in enumerate(images.items(), 1):
        item("photo" if key == lead else f"image-{number}", image.name, image.media_type, image.data)
    # Subsets: a phone need not download a megabyte of glyphs the chapter never shows.
    item("fonts-css", FONTS_CSS, "text/css", font_css(families))
    for number, font in enumerate(font_files(families, text), 1):
        item(f"font-{number}", font.name, "font/ttf", font.data)
    item("font-licence", f"fonts/{FONT_LICENCE}", "text/plain", _licence(edition))
    result.spine = [cover, nav, body]
    return result


def _licence(edition: Edition) -> bytes:
    path = edition.project.fonts / FONT_LICENCE
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DocbuildError(f"cannot read the licence file for the EPUB: {exc.strerror}", path) from None


def _finish_opf(opf: bytes, lang: str, direction: str = "ltr") -> bytes:
    """Fix what ebooklib cannot be told: the package language and the spine without an NCX.

    ``xml:lang`` on ``<package>`` says which language the metadata is in.
    ebooklib always points the spine at an NCX (``toc="ncx"``); this EPUB 3
    has none (its navigation document replaces it), so the reference goes.
    The ``rendition:`` prefix ebooklib declares is a reserved one, which
    EPUBCheck reports when re-declared.
    """
    root = etree.fromstring(opf)
    root.set(XML_LANG, lang)
    if direction == "rtl":
        # Pages turn right to left, and the metadata (titles, summary) reads right to left.
        root.set("dir", "rtl")
    if root.get("prefix", "").strip() == "rendition: http://www.idpf.org/vocab/rendition/#":
        del root.attrib["prefix"]
    spine = root.find("opf:spine", NS)
    if spine is not None and direction == "rtl":
        spine.set("page-progression-direction", "rtl")
    if spine is not None and spine.get("toc") and root.find(f"opf:manifest/opf:item[@id='{spine.get('toc')}']", NS) is None:
        del spine.attrib["toc"]
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    moment = max(moment.astimezone(timezone.utc), _ZIP_EPOCH)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second & ~1)


def write(result: epub.EpubBook, edition: Edition) -> bytes:
    """The package as EPUB bytes: ebooklib's zip, rewritten reproducibly."""
    raw = io.BytesIO()
    options = {
        "mtime": edition.timestamp.astimezone(timezone.utc),
        "epub2_guide": False,
        "epub3_landmark": False,
        "epub3_pages": False,
        "raise_exceptions": True,
    }
    epub.write_epub(raw, result, options)
    return repack(raw.getvalue(), edition)


def repack(archive: bytes, edition: Edition) -> bytes:
    """Rewrite ebooklib's zip reproducibly (OCF 3.3, 4.2: ``mimetype`` first and stored)."""
    stamp = _zip_time(edition.timestamp)
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        names = [info.filename for info in source.infolist()]
        entries = {name: source.read(name) for name in names}
    opf = f"{epub.EpubBook().FOLDER_NAME}/content.opf"
    entries[opf] = _finish_opf(entries[opf], edition.chapter.lang, edition.language.direction)
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
