"""Where the print edition's page-break markers go in the EPUB's chapter.

The A4 PDF's layout says on which page each identified block starts
(``edition.print_pages``); the chapter template puts the markers of those
pages before the block (``page_breaks``), at whatever depth the block is
(a paragraph in a subsection, a list, a table, a box), and the navigation
document lists them (``page-list``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import DocbuildError
from ...model import Chapter


@dataclass(frozen=True)
class PageMarkers:
    """Where the page-break markers of the print edition go in the chapter.

    ``starts`` maps a block to the print page that starts with it. A page on
    which no block starts (a long paragraph runs over all of it) is in
    ``continued``, under the block that runs over it: its marker goes just
    before that block, after the block's own, so the page-list still has
    every page and "page N" opens the text printed on page N.
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
    """Ids of the blocks the print layout reports, in reading order: the title, then every identified block."""
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
