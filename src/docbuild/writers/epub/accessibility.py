"""The EPUB Accessibility 1.1 metadata, read off the documents that will be shipped.

Nothing here is a constant: each feature is claimed only when the markup
shows it (every image has alt text, every chart points at its long
description, every table has a caption and scoped header cells, every note
is linked both ways...), and conformance (``dcterms:conformsTo``) only when
every check holds. A template mistake then costs a claim, never makes a
false one.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .names import CHAPTER, EPUB_TYPE, XML_LANG, h

_HEADINGS = tuple(h(f"h{level}") for level in range(1, 7))


@dataclass(frozen=True)
class Accessibility:
    """What the rendered documents offer, as EPUB Accessibility 1.1 metadata values."""

    access_modes: tuple[str, ...]
    access_mode_sufficient: tuple[str, ...]
    features: tuple[str, ...]
    summary_keys: tuple[str, ...]
    conforms: bool


@dataclass(frozen=True)
class _Book:
    """The documents parsed, with what the checks need to resolve links."""

    roots: dict[str, etree._Element]

    def ids(self, name: str) -> set[str]:
        return {element.get("id") for element in self.roots[name].iter() if element.get("id")}

    def resolves(self, href: str, base: str) -> bool:
        """Whether ``href``, written in document ``base``, names an existing document or element."""
        file, _, fragment = href.partition("#")
        target = file or base
        if target not in self.roots:
            return False
        return not fragment or fragment in self.ids(target)

    def nav_targets(self, kind: str) -> list[tuple[str, str]]:
        """(document, href) of every link in the ``nav`` elements of epub:type ``kind``."""
        return [
            (name, a.get("href", ""))
            for name, root in self.roots.items()
            for nav in root.iter(h("nav"))
            if kind in (nav.get(EPUB_TYPE) or "").split()
            for a in nav.iter(h("a"))
        ]


def _figures(root: etree._Element) -> list[etree._Element]:
    """The figure elements that hold an image (not quotations)."""
    return [figure for figure in root.iter(h("figure")) if figure.find(h("img")) is not None]


def _kind(figure: etree._Element) -> str:
    classes = (figure.get("class") or "").split()
    return next((kind for kind in ("chart", "map", "photo") if kind in classes), "photo")


def _described(img: etree._Element, ids: set[str]) -> bool:
    refs = (img.get("aria-describedby") or "").split()
    return bool(refs) and all(ref in ids for ref in refs)


def _headings_in_order(root: etree._Element) -> bool:
    """One h1, first, and no level skipped on the way down (WCAG 1.3.1; Matterhorn 14-003)."""
    levels = [int(element.tag[-1]) for element in root.iter(*_HEADINGS)]
    if not levels or levels[0] != 1 or levels.count(1) != 1:
        return False
    return all(after <= before + 1 for before, after in zip(levels, levels[1:]))


def _tables_marked(root: etree._Element) -> bool:
    """Every table has a non-empty caption and header cells with a scope (WCAG 1.3.1)."""
    for table in root.iter(h("table")):
        caption = table.find(h("caption"))
        if caption is None or not "".join(caption.itertext()).strip():
            return False
        headers = list(table.iter(h("th")))
        if not headers or any(th.get("scope") not in ("col", "row", "colgroup", "rowgroup") for th in headers):
            return False
    return True


def _notes_linked(book: _Book, content: tuple[str, ...] = (CHAPTER,)) -> bool:
    """Every note reference leads to its note, and every note's back-link to a reference."""
    for name in content:
        for a in book.roots[name].iter(h("a")):
            kinds = set((a.get(EPUB_TYPE) or "").split()) | set((a.get("role") or "").split())
            if kinds & {"noteref", "doc-noteref", "doc-backlink"} and not book.resolves(a.get("href", ""), name):
                return False
    return True


def _internal_links_resolve(book: _Book) -> bool:
    return all(
        book.resolves(a.get("href"), name)
        for name, root in book.roots.items()
        for a in root.iter(h("a"))
        if a.get("href") and "://" not in a.get("href") and not a.get("href").startswith("mailto:")
    )


def accessibility(
    documents: dict[str, bytes], lang: str, content: tuple[str, ...] = (CHAPTER,), langs: dict[str, str] | None = None
) -> Accessibility:
    """Read the accessibility facts off the documents that will be shipped.

    ``documents`` maps package file names to XHTML; ``content`` names the
    content documents among them (a book has one per chapter), and
    ``langs`` the language of each document that is not in ``lang`` (a
    chapter given in its original language). Every claim is checked
    here against the markup; a feature that is missing is left out of the
    metadata (and conformance is not claimed) instead of being asserted.
    """
    book = _Book({name: etree.fromstring(data) for name, data in documents.items()})
    chapters = [book.roots[name] for name in content]
    ids_of = {name: book.ids(name) for name in content}
    every_image = [img for root in book.roots.values() for img in root.iter(h("img"))]
    all_alt = all((img.get("alt") or "").strip() for img in every_image)
    # The cover image repeats the title in type: it makes no content visual by itself.
    images = [img for img in every_image if img.get("role") != "doc-cover"]
    figures = [figure for chapter in chapters for figure in _figures(chapter)]
    # A chart or map needs more than alt text: a long description the image points at.
    graphics_described = all(
        _described(figure.find(h("img")), ids_of[name])
        for name, chapter in zip(content, chapters)
        for figure in _figures(chapter)
        if _kind(figure) != "photo"
    )
    long_descriptions = any(
        _described(img, ids_of[name]) for name, chapter in zip(content, chapters) for img in chapter.iter(h("img"))
    )
    declared = {name: (langs or {}).get(name, lang) for name in book.roots}
    langs_declared = all(root.get("lang") == declared[name] and root.get(XML_LANG) == declared[name] for name, root in book.roots.items())
    headings = all(_headings_in_order(chapter) for chapter in chapters)
    tables = [table for chapter in chapters for table in chapter.iter(h("table"))]
    tables_marked = all(_tables_marked(chapter) for chapter in chapters)

    toc = book.nav_targets("toc")
    page_list = book.nav_targets("page-list")
    has_toc = bool(toc) and all(book.resolves(href, base) for base, href in toc)
    has_pages = bool(page_list) and all(book.resolves(href, base) for base, href in page_list)
    text_alternatives = all_alt and graphics_described

    features = ["structuralNavigation"] if headings else []
    if has_toc:
        features.append("tableOfContents")
    features += ["readingOrder", "displayTransformability"]
    if images and all_alt:
        features.append("alternativeText")
    if long_descriptions:
        features.append("longDescription")
    if has_pages:
        features += ["printPageNumbers", "pageNavigation"]

    summary = ["accessibility_summary_text"]
    if figures and text_alternatives:
        lead_only = len(figures) == 1 and _kind(figures[0]) == "photo"
        summary.append("accessibility_summary_photo" if lead_only else "accessibility_summary_figures")
    if tables and tables_marked:
        summary.append("accessibility_summary_tables")
    if has_pages:
        summary.append("accessibility_summary_pages")
    conforms = all(
        (
            text_alternatives,
            langs_declared,
            headings,
            has_toc,
            tables_marked,
            _notes_linked(book, content),
            _internal_links_resolve(book),
            has_pages or not page_list,
        )
    )
    return Accessibility(
        access_modes=("textual", "visual") if images else ("textual",),
        access_mode_sufficient=("textual",) if text_alternatives else ("textual", "visual"),
        features=tuple(features),
        summary_keys=tuple(summary),
        conforms=conforms,
    )
