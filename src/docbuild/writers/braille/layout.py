"""Braille pages: braille text in, lines of at most ``cells`` cells on pages of ``lines`` lines out.

Knows nothing of the document model: :mod:`.blocks` hands it a stream of
items, already translated, and it only places them (BANA *Braille Formats*
2016 conventions, as described in :mod:`docbuild.writers.braille`):

* :class:`Para`: wrapped text with a first-line and a runover cell, or
  centred; blank lines before and after; ``keep`` holds a heading on the
  page of the line after it.
* :class:`Rule`: a line of one cell (a box line).
* :class:`PrintPage`: where a print page begins: a line of ``page_rule``
  cells with the page number at the right margin, or, at the top of a
  braille page, the number at the top right.

Every braille page has its print page number at the top right of line 1
(with a continuation letter when the print page began on an earlier braille
page) and its braille page number at the bottom right of the last line,
each with at least three blank cells before it; text on those lines stops
short of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Union

from .louis import BLANK

#: Blank cells between text and a page number on the first or last line.
_GAP = 3
#: Least room on a line for starting a word too long for any line there.
_MIN_PIECE = 6


@dataclass
class Token:
    """A run of cells between two places a line may break.

    ``space`` says a blank cell separates it from the token before on the
    same line; ``cuts`` are the cell indices between two source characters
    (where a token too long for a line may be divided), ``soft`` those of
    them where the print text had a space liblouis left out (a division
    there needs no sign); ``url`` tokens are divided with the continuation
    indicator, other words with the hyphen.
    """

    cells: str
    space: bool = True
    cuts: tuple[int, ...] = ()
    soft: frozenset[int] = frozenset()
    url: bool = False
    #: Cuts after a "/", ".", "-" or "?" of a web address: where it is best divided.
    prefer: frozenset[int] = frozenset()


@dataclass
class Para:
    tokens: list[Token]
    first: int = 0  # 0-based cell of the first line
    rest: int = 0  # 0-based cell of runover lines
    centred: bool = False
    before: int = 0
    after: int = 0
    keep: bool = False


@dataclass
class Rule:
    cell: str
    before: int = 0
    after: int = 0
    #: Lines after it that must be on the same page (a box's top line and its title).
    keep: int = 0


@dataclass
class PrintPage:
    number: int


Item = Union[Para, Rule, PrintPage]


@dataclass
class _Page:
    lines: list[str] = field(default_factory=list)
    #: (print page number, continuation letter index or -1), shown top right.
    header: tuple[int, int] | None = None


class Paginator:
    """Places items on braille pages; :meth:`pages` returns each page's lines of cells."""

    def __init__(self, cells: int, lines: int, number: Callable[[str], str], signs: dict[str, str], letters: str) -> None:
        self.cells, self.lines = cells, lines
        self.number = number  # text ("12", "a12") -> braille cells, by the language's table
        self.signs = signs
        self.letters = letters
        self.done: list[_Page] = []
        self.page = _Page()
        self.pending_blank = 0
        #: The print page in force, and on which braille page (index) it began.
        self.print_page = 0
        self.print_began = 0

    # -- page furniture

    def _header_cells(self, header: tuple[int, int] | None) -> str:
        if header is None:
            return ""
        number, letter = header
        prefix = "" if letter < 0 else self._letter(letter)
        return self.number(prefix + str(number))

    def _letter(self, index: int) -> str:
        letters = self.letters
        out = ""
        index += 1
        while index:
            index, rest = divmod(index - 1, len(letters))
            out = letters[rest] + out
        return out

    def _footer_cells(self, index: int) -> str:
        return self.number(str(index + 1))

    def width(self, line: int | None = None) -> int:
        """The cells text may use on ``line`` of the current page (default: the next line)."""
        line = len(self.page.lines) if line is None else line
        width = self.cells
        if line == 0 and self.page.header is not None:
            width -= len(self._header_cells(self.page.header)) + _GAP
        if line == self.lines - 1:
            width -= len(self._footer_cells(len(self.done))) + _GAP
        return width

    def _new_page(self) -> None:
        self.done.append(self.page)
        self.page = _Page()
        if self.print_page:
            self.page.header = (self.print_page, len(self.done) - self.print_began - 1)

    def _fill(self) -> None:
        """End the page here: the rest of it blank."""
        while len(self.page.lines) < self.lines:
            self.page.lines.append("")
        self._new_page()

    def _start(self) -> None:
        """Make room for a line: a new page if this one is full."""
        if len(self.page.lines) >= self.lines:
            self._new_page()

    def _put(self, line: str) -> None:
        self._start()
        assert len(line) <= self.width(), (line, self.width())
        self.page.lines.append(line.rstrip(BLANK))

    def _blanks(self, wanted: int) -> None:
        """Blank lines before an item: none at the top of a page."""
        count = max(wanted, self.pending_blank)
        self.pending_blank = 0
        for _ in range(count):
            if not self.page.lines or len(self.page.lines) >= self.lines:
                return
            self.page.lines.append("")

    # -- items

    def add(self, item: Item) -> None:
        if isinstance(item, PrintPage):
            self.print_page_change(item.number)
        elif isinstance(item, Rule):
            self._blanks(item.before)
            if self.page.lines and len(self.page.lines) + 1 + item.keep > self.lines:
                self._fill()
            self._start()
            self._put(item.cell * self.width())
            self.pending_blank = item.after
        else:
            self.para(item)

    def print_page_change(self, number: int) -> None:
        self._start()
        if len(self.page.lines) == self.lines - 1:
            # Never on the last line: the page begins at the top of the next braille page.
            self.page.lines.append("")
            self._new_page()
        self.print_page, self.print_began = number, len(self.done)
        if not self.page.lines:
            self.page.header = (number, -1)
            return
        digits = self.number(str(number))
        self._put(self.signs["page_rule"] * (self.width() - len(digits)) + digits)

    def para(self, para: Para) -> None:
        if not para.tokens:
            return
        self._blanks(para.before)
        if para.keep:
            # A heading stays with the first line after it.
            needed = len(self._wrap(para, probe=True)) + para.after + 1
            if len(self.page.lines) + needed > self.lines and self.page.lines:
                self._fill()
        self._wrap(para)
        self.pending_blank = para.after

    # -- wrapping

    def _wrap(self, para: Para, probe: bool = False) -> list[str]:
        """Place the lines of ``para`` from the current line on; ``probe``: only count them, on full-width lines."""
        out: list[str] = []
        queue = list(para.tokens)
        current = ""
        indent = para.first
        width: int | None = None
        narrow = 6 if para.centred else 0  # a centred line keeps three blank cells on each side

        def emit() -> None:
            nonlocal current, indent, width
            if para.centred:
                line = BLANK * max((width - len(current)) // 2, 0) + current
            else:
                line = BLANK * indent + current
            if probe:
                out.append(line)
            else:
                self._put(line)
            current, indent, width = "", para.rest, None

        while queue:
            if width is None:
                if not probe:
                    self._start()
                width = self.cells if probe else self.width()
            token = queue[0]
            margin = 0 if para.centred else indent
            limit = width - margin - narrow
            gap = 1 if current and token.space else 0
            if len(current) + gap + len(token.cells) <= limit:
                current += BLANK * gap + token.cells
                queue.pop(0)
                continue
            fresh = self.cells - (0 if para.centred else para.rest) - narrow
            left = limit - len(current) - gap
            if current and (len(token.cells) <= fresh or left < _MIN_PIECE):
                emit()  # the token starts the next line
                continue
            # Too long for any line: divide it, starting on this line.
            head, tail = self._divide(token, left)
            current += BLANK * gap + head
            queue[0] = tail
            emit()
        if current:
            emit()
        return out

    def _divide(self, token: Token, room: int) -> tuple[str, Token]:
        """The first piece of ``token`` that fits ``room`` cells with its sign, and the rest."""
        sign = self.signs["continuation"] if token.url else self.signs["hyphen"]
        soft = [cut for cut in token.cuts if cut in token.soft and 0 < cut <= room]
        signed = [cut for cut in token.cuts if 0 < cut <= room - len(sign)]
        preferred = [cut for cut in signed if cut in token.prefer and cut >= room - len(sign) - 12]
        if soft and (not signed or soft[-1] >= signed[-1] - 4):
            cut, mark = soft[-1], ""
        elif preferred:
            cut, mark = preferred[-1], sign
        elif signed:
            cut, mark = signed[-1], sign
        else:  # no place between two characters fits: cut the cells (a single sign wider than a line)
            cut, mark = max(room - len(sign), 1), sign
        rest = Token(
            token.cells[cut:], space=False,
            cuts=tuple(c - cut for c in token.cuts if c > cut),
            soft=frozenset(c - cut for c in token.soft if c > cut), url=token.url,
            prefer=frozenset(c - cut for c in token.prefer if c > cut),
        )
        return token.cells[:cut] + mark, rest

    def pages(self) -> list[list[str]]:
        """Every page's lines, page furniture in place, each page exactly ``lines`` lines."""
        last = self.page
        began = last.header is not None and last.header[1] < 0  # a print page begins on it
        pages = self.done + ([last] if last.lines or began or not self.done else [])
        out = []
        for index, page in enumerate(pages):
            lines = page.lines + [""] * (self.lines - len(page.lines))
            header = self._header_cells(page.header)
            if header:
                lines[0] = lines[0].ljust(self.cells - len(header), BLANK) + header
            footer = self._footer_cells(index)
            lines[-1] = lines[-1].ljust(self.cells - len(footer), BLANK) + footer
            out.append([line.rstrip(BLANK) for line in lines])
        return out
