"""Where the print edition's page-break markers go in the EPUB's chapter.

DAISY puts a page marker where the print page begins: before the block the
page starts with, or, when the page begins in the middle of a paragraph (a
list, a table...), inline, before the first word printed on that page.

The A4 PDF's layout says both: on which page each identified block starts
(``edition.print_pages``), and where each page begins
(``edition.print_page_starts``: the HTML id of the identified element and
how many of its characters were printed on earlier pages, counted by
:func:`docbuild.writers.html.counted_characters`). A page that begins with a
block gets its marker from the chapter template, before the block
(``page_breaks``, at whatever depth the block is). A page that begins inside
one gets it from :func:`place_inline`, which counts the same characters in
the rendered chapter (the PDF and the EPUB share its markup) and puts the
marker before the word at that count. The navigation document lists every
marker (``page-list``).

Without page starts (an edition made by hand, an old cache record) markers
go before the first block that starts on each page, as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator

from lxml import etree

from ...errors import DocbuildError
from ...model import Chapter
from ..html import PAGE_COUNT_IGNORED as _IGNORED
from .names import h

_HEADINGS = {h(f"h{level}") for level in range(1, 7)}
#: Elements a marker never goes into, but just before: a link or a heading (its
#: name would include the marker's), a table (a row holds no marker, and one in
#: a cell would become part of the cell's name, heard as the header of its row).
_BEFORE = {h("a"), h("table")} | _HEADINGS


@dataclass(frozen=True)
class PageMarkers:
    """Where the page-break markers of the print edition go in the chapter.

    ``starts`` maps a block to the print page that starts with it. A page on
    which no block starts (a long paragraph runs over all of it) and whose
    start is not known is in ``continued``, under the block that runs over
    it: its marker goes just before that block, after the block's own.
    ``inline`` maps a page that begins inside an element to (the element's
    HTML id, the characters of it before the page): its marker goes into the
    text there.
    """

    starts: dict[str, int]
    continued: dict[str, tuple[int, ...]]
    pages: tuple[int, ...]
    inline: dict[int, tuple[str, int]] = field(default_factory=dict)

    def by_block(self) -> dict[str, tuple[int, ...]]:
        """The pages whose markers precede each block, in page order (the template's ``page_breaks``)."""
        blocks = {block: (page,) for block, page in self.starts.items()}
        for block, pages in self.continued.items():
            blocks[block] = blocks.get(block, ()) + pages
        return blocks


def block_ids(chapter: Chapter) -> list[str]:
    """Ids of the blocks the print layout reports, in reading order: the title, then every identified block."""
    return ["title", *chapter.block_ids()]


def page_markers(
    chapter: Chapter,
    print_pages: dict[str, int],
    page_count: int,
    page_starts: dict[int, tuple[str, int]] | None = None,
) -> PageMarkers:
    """Place one marker for every page 1..``page_count`` of the print edition."""
    if not page_count:
        return PageMarkers({}, {}, ())
    located = [(block, print_pages[block]) for block in block_ids(chapter) if block in print_pages]
    if not located:
        raise DocbuildError(f"the print layout locates no block of chapter '{chapter.id}'", chapter.path)
    known = {page: start for page, start in (page_starts or {}).items() if 1 < page <= page_count}
    ids = set(block_ids(chapter))
    starts: dict[str, int] = {}
    inline: dict[int, tuple[str, int]] = {}
    for page, (element_id, offset) in sorted(known.items()):
        if offset == 0 and element_id in ids:
            starts[element_id] = page
        else:
            inline[page] = (element_id, offset)
    first_on_page: dict[int, str] = {}
    for block, page in located:
        if not 1 <= page <= page_count:
            raise DocbuildError(
                f"the print layout puts '{block}' on page {page} of a {page_count}-page edition", chapter.path
            )
        if page not in first_on_page:
            first_on_page[page] = block
            if page not in known and block not in starts:
                starts[block] = page
    continued: dict[str, list[int]] = {}
    for page in range(1, page_count + 1):
        if page in first_on_page or page in known:
            continue
        # The block running over this page is the last one that started before it.
        before = [block for block, start in located if start < page]
        holder = before[-1] if before else located[0][0]
        continued.setdefault(holder, []).append(page)
    return PageMarkers(
        starts,
        {block: tuple(pages) for block, pages in continued.items()},
        tuple(range(1, page_count + 1)),
        inline,
    )


# --------------------------------------------------------------------------
# Markers inside the text


def _is_marker(element: etree._Element) -> bool:
    return element.get("role") == "doc-pagebreak"


def _slots(element: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """The content of ``element`` in reading order: ("text"|"tail", owner) for text, ("img", img) for images.

    Page markers already placed hold no text and are passed over.
    """
    yield "text", element
    for child in element:
        if isinstance(child.tag, str) and not _is_marker(child):
            if child.tag == h("img"):
                yield "img", child
            else:
                yield from _slots(child)
        yield "tail", child


def _word_start(text: str, index: int) -> int:
    """Back from ``index`` to the start of the word it is in (a page may begin after a hyphenated line)."""
    while index > 0 and not text[index - 1].isspace():
        index -= 1
    return index


def _outermost(element: etree._Element, within: etree._Element, tags: set[str]) -> etree._Element | None:
    """The outermost ancestor-or-self of ``element`` inside ``within`` whose tag is in ``tags``."""
    found = None
    while element is not None:
        if element.tag in tags:
            found = element
        if element is within:
            break
        element = element.getparent()
    return found


def _insert_before(target: etree._Element, marker: etree._Element) -> None:
    parent = target.getparent()
    marker.tail = None
    parent.insert(parent.index(target), marker)


def place_inline(root: etree._Element, inline: dict[int, tuple[str, int]], marker: Callable[[int], etree._Element]) -> None:
    """Put the marker of each page in ``inline`` into the chapter ``root``, before its first word.

    The word is the one at which ``offset`` counted characters of the
    element have gone by. A marker never goes inside a link, a heading or a
    table (their names would include it; see ``_BEFORE``): it goes just
    before them. An offset
    past the element's text (the layout and the document disagree) puts the
    marker after the element's last word, never elsewhere.
    """
    by_id = {element.get("id"): element for element in root.iter() if isinstance(element.tag, str) and element.get("id")}
    for page, (element_id, offset) in sorted(inline.items()):
        element = by_id.get(element_id)
        if element is None:
            raise DocbuildError(f"the print layout starts page {page} in '{element_id}', which the EPUB does not have")
        new = marker(page)
        if offset == 0:
            _insert_before(element, new)
            continue
        _place(element, offset, new)


def _place(element: etree._Element, offset: int, marker: etree._Element) -> None:
    seen = 0
    last = None
    for kind, owner in _slots(element):
        if kind == "img":
            if seen >= offset:
                return _put(element, owner, None, 0, marker)
            continue
        text = owner.text if kind == "text" else owner.tail
        if not text:
            continue
        for index, char in enumerate(text):
            if char.isspace() or char in _IGNORED:
                continue
            if seen == offset:
                return _put(element, owner, kind, _word_start(text, index), marker)
            seen += 1
        last = (owner, kind, len(text))
    if last is None:
        _insert_before(element, marker)
    else:
        owner, kind, end = last
        _put(element, owner, kind, end, marker)


def _put(block: etree._Element, owner: etree._Element, kind: str | None, index: int, marker: etree._Element) -> None:
    """Insert ``marker`` at character ``index`` of ``owner``'s text or tail (or before image ``owner``)."""
    container = owner if kind == "text" else owner.getparent()
    avoid = _outermost(container, block, _BEFORE)
    if avoid is not None:
        return _insert_before(avoid, marker)
    if kind is None:
        return _insert_before(owner, marker)
    if kind == "text":
        text = owner.text
        owner.text, marker.tail = text[:index], text[index:]
        owner.insert(0, marker)
    else:
        text = owner.tail
        owner.tail, marker.tail = text[:index], text[index:]
        parent = owner.getparent()
        parent.insert(parent.index(owner) + 1, marker)
