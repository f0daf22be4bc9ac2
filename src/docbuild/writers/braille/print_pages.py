"""Where each page of the A4 print edition begins, in the braille edition's reading order."""

from __future__ import annotations

from ...model import Chapter
from .layout import Item, PrintPage


class PrintPages:
    """Where each page of the A4 edition begins, from ``edition.print_pages`` and ``print_page_starts``.

    A page begins before a block (``starts`` says so with an offset of 0, or,
    without starts, it is the page the block's first line is printed on) or
    inside one, after a number of its characters (counted as
    :func:`docbuild.writers.html.counted_characters` counts them: no spaces,
    the text the print edition prints). Markers come out 1..N in order: a
    page whose place is not found is marked right after the one before it.
    """

    def __init__(self, chapter: Chapter, pages: dict[str, int], count: int, starts: dict[int, tuple[str, int]]) -> None:
        self.count = count
        self.next = 1
        self.at_block: dict[str, list[int]] = {}
        self.inline: dict[str, list[tuple[int, int]]] = {}
        self.counts: dict[str, int] = {}
        self.active: list[str] = []
        ids = ["title", *chapter.block_ids()]
        known = {page: start for page, start in starts.items() if 1 < page <= count}
        first_of: dict[int, str] = {}
        for block in ids:
            if block in pages:
                first_of.setdefault(pages[block], block)
        for page in range(2, count + 1):
            if page in known:
                element, offset = known[page]
                if offset == 0 and element in ids:
                    self.at_block.setdefault(element, []).append(page)
                else:
                    self.inline.setdefault(element, []).append((offset, page))
            elif page in first_of:
                self.at_block.setdefault(first_of[page], []).append(page)
        self.placed = {1} | {page for pages in self.at_block.values() for page in pages} | {
            page for starts in self.inline.values() for _, page in starts}

    def emit(self, page: int) -> list[Item]:
        """Markers for every page not yet marked up to ``page``, and for the unplaced pages right after it."""
        out: list[Item] = []
        while self.next <= min(page, self.count) or (out and self.next <= self.count and self.next not in self.placed):
            out.append(PrintPage(self.next))
            self.next += 1
        return out

    def enter(self, block_id: str | None) -> list[Item]:
        if block_id is None:
            return []
        self.active.append(block_id)
        self.counts.setdefault(block_id, 0)
        pages = self.at_block.get(block_id, [])
        return self.emit(max(pages)) if pages else []

    def leave(self, block_id: str | None) -> None:
        if block_id is not None:
            self.active.remove(block_id)

    def advance(self, characters: int) -> None:
        """Text the print edition counts that the braille does not show here (a table's header row)."""
        for block in self.active:
            self.counts[block] += characters

    def splits(self, counted: list[int], text: str) -> list[tuple[int, int]]:
        """(source index of the word a page begins at, page) for the pages that begin in this text; counts it."""
        found = []
        for block in self.active:
            for offset, page in self.inline.get(block, []):
                if page < self.next:
                    continue
                local = offset - self.counts[block]
                if local <= 0:
                    found.append((0, page))
                elif local < len(counted):
                    at = counted[local]
                    while at > 0 and not text[at - 1].isspace():
                        at -= 1
                    found.append((at, page))
        for block in self.active:
            self.counts[block] += len(counted)
        return sorted(found)

    def rest(self) -> list[Item]:
        return self.emit(self.count)
