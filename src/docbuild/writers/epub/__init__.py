"""The EPUB 3 edition: reflowable, for phones and screen readers.

The chapter document is ``layouts/chapter.html.j2`` (through
``epub-chapter.xhtml.j2``), the same markup as the PDF, so both editions share
structure and reading order; the EPUB sets notes as endnotes with links both
ways. Page-break markers give the pages of the A4 print edition
(``edition.print_pages``, taken from the PDF's layout), so a reader of the
EPUB can find "page 3" that someone holding the printout cites.

One module per job:

- ``pages``: where the print page markers go (before a block, or inline at the word a page begins with);
- ``cover``: the cover image, with the title drawn on it;
- ``content``: the images and the three XHTML documents (cover, navigation, chapter);
- ``accessibility``: the EPUB Accessibility metadata, read back from those documents,
  so it only ever claims what the edition has;
- ``package``: OPF, manifest, fonts subset to the text shown, the reproducible zip.
"""

from __future__ import annotations

from ...edition import Edition
from ...errors import DocbuildError
from ...fonts import LAYOUT_CHARACTERS, FontFamily, check_glyphs, coverage, edition_families, edition_text
from . import package
from .accessibility import Accessibility, accessibility
from .content import cover, documents, images, shown_text
from .names import CHAPTER, CONFORMS_TO
from .package import identifier
from .pages import PageMarkers, block_ids, page_markers

__all__ = [
    "Accessibility", "CONFORMS_TO", "PageMarkers", "accessibility", "block_ids", "identifier", "page_markers",
    "render_epub",
]

#: Characters a reading system may draw on its own: list markers (disc,
#: circle, square) and the digits and full stop of numbered lists.
READING_SYSTEM_CHARACTERS = "\u2022\u25e6\u25aa\u25a0\u25cf\u25cb." + LAYOUT_CHARACTERS


def render_epub(edition: Edition) -> bytes:
    """The EPUB 3 edition of ``edition``, the same bytes for the same source."""
    families = edition_families(edition.project, edition.chapter, edition.labels, "serif")
    check_glyphs(edition.chapter, families, edition.labels, edition.project)
    markers = page_markers(edition.chapter, edition.print_pages, edition.print_page_count, edition.print_page_starts)
    files = images(edition)
    cover_file = cover(edition, files)
    docs = documents(edition, markers, files, cover_file)
    shown = shown_text(docs)
    _check_template_glyphs(shown, families, edition)
    a11y = accessibility(docs.by_name(), edition.chapter.lang)
    if markers.pages and "printPageNumbers" not in a11y.features:
        # The page-list is built from the markers; one that does not resolve is a docbuild bug.
        raise DocbuildError(f"the EPUB's page-list points to missing page markers in {CHAPTER}", edition.chapter.path)
    text = edition_text(edition.chapter, edition.labels) + shown + READING_SYSTEM_CHARACTERS
    return package.write(package.book(edition, docs, files, cover_file, a11y, text, families), edition)


def _check_template_glyphs(shown: str, families: tuple[FontFamily, ...], edition: Edition) -> None:
    """The characters templates add (check_glyphs has checked the source's and the labels')."""
    covered = frozenset().union(*(coverage(family.faces) for family in families))
    missing = sorted({char for char in shown if not char.isspace() and ord(char) not in covered and char != "\u00ad"})
    if missing:
        chars = ", ".join(f"U+{ord(char):04X}" for char in missing)
        raise DocbuildError(f"the EPUB's templates show characters the fonts lack ({chars})", edition.project.layouts)
