"""The document tree as braille layout items: one function per node type.

Inlines become :class:`~.translate.Run` s (text with its emphasis, whether it
is a web address, whether the print edition prints it), a block's runs one
paragraph of tokens (:mod:`.translate`); :class:`~.print_pages.PrintPages`
says where the A4 edition's pages begin, counting the text the print
edition prints as the walk goes.
"""

from __future__ import annotations

from dataclasses import replace

from ...edition import Edition
from ...model import (
    Block,
    BlockQuote,
    Box,
    Emph,
    Figure,
    Inline,
    Link,
    List,
    NoteRef,
    Paragraph,
    Quote,
    Section,
    Span,
    Strong,
    Table,
    Text,
    plain_text,
)
from ..html import PAGE_COUNT_IGNORED
from .layout import Item, Para, Rule, Token
from .print_pages import PrintPages
from .settings import BrailleSettings
from .translate import _PLAIN, Run, Translator, _with_signs

#: Figure kind -> (label of the kind, label before the credit), as in the other editions.
_FIGURE_LABELS = {"photo": ("photo", "credit"), "chart": ("chart", "credit_chart"), "map": ("map", "credit_map")}
#: Heading level -> (first cell, runover cell, centred, blank lines after): BANA centred, cell-5 and cell-7 headings.
_HEADINGS = {1: (0, 0, True, 1), 2: (0, 0, True, 1), 3: (4, 4, False, 0), 4: (6, 6, False, 0)}
#: Margins of a transcriber's note (BANA 7-5), as a base: paragraphs at base + 2, runovers at base.
_NOTE_BASE = 4


class Walker:
    """One function per node type; ``out`` collects the layout items in reading order."""

    def __init__(self, edition: Edition, settings: BrailleSettings, pages: PrintPages, targets: dict[str, str]) -> None:
        self.labels = edition.labels
        self.settings = settings
        self.translator = Translator(edition, settings)
        self.pages = pages
        self.targets = targets
        self.out: list[Item] = []

    # -- inlines

    def runs(self, nodes: tuple[Inline, ...], form: int = 0, lang: str | None = None) -> list[Run]:
        out: list[Run] = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(Run(node.text, form, lang=lang))
            elif isinstance(node, Emph):
                out += self.runs(node.children, form | self.settings.emph, lang)
            elif isinstance(node, Strong):
                out += self.runs(node.children, form | self.settings.strong, lang)
            elif isinstance(node, Span):
                out += self.runs(node.children, form, node.lang)
            elif isinstance(node, Quote):
                out += [Run(node.open, form, lang=lang), *self.runs(node.children, form, lang), Run(node.close, form, lang=lang)]
            elif isinstance(node, NoteRef):
                out += [Run("[", counted=False), Run(str(node.number)), Run("]", counted=False)]
            elif isinstance(node, Link):
                out += self.link(node, form, lang)
            else:
                raise TypeError(f"unknown inline node {node!r}")
        return out

    def link(self, node: Link, form: int, lang: str | None) -> list[Run]:
        text = self.runs(node.children, form, lang)
        if node.internal:
            target = self.targets.get(node.href[1:])
            return text if target is None else text + [Run(f" ({self.labels.format('see', target=target)})", counted=False)]
        address = node.href.removeprefix("mailto:")
        if plain_text(node.children).translate(_PLAIN).strip() in (node.href, address):
            return [Run(address, url=True)]
        return text + [Run(" (", counted=False), Run(address, url=True, counted=False), Run(")", counted=False)]

    @staticmethod
    def label(text: str) -> Run:
        return Run(text, counted=False)

    # -- emitting

    def para(self, runs: list[Run], first: int, rest: int, before: int = 0, after: int = 0, **style) -> list[Item]:
        """Translate ``runs`` into one paragraph, cut where print pages begin inside it; adds to ``out``.

        After a print page indicator inside a paragraph, its text goes on at the runover cell.
        """
        tokens, starts, counted, text = self.translator.translate(runs)
        segments: list[tuple[int, list[Token], bool]] = []  # (page or 0, tokens, continued)
        begin = 0
        for at, page in self.pages.splits(counted, text):
            index = max((i for i, start in enumerate(starts) if start <= at), default=0)
            if index > begin:
                segments.append((0, tokens[begin:index], begin > 0))
                begin = index
            segments.append((page, [], False))
        segments.append((0, tokens[begin:], begin > 0))
        texts = [segment for segment in segments if segment[1]]
        items: list[Item] = []
        for segment in segments:
            page, piece, continued = segment
            if page:
                items += self.pages.emit(page)
                continue
            if not piece:
                continue
            if continued:
                piece = [replace(piece[0], space=False), *piece[1:]]
            items.append(Para(
                piece, rest if continued else first, rest,
                before=before if segment is texts[0] else 0, after=after if segment is texts[-1] else 0, **style,
            ))
        self.out += items
        return items

    def heading(self, runs: list[Run], level: int, before: int = 1) -> list[Item]:
        first, rest, centred, after = _HEADINGS[min(max(level, 1), 4)]
        return self.para(runs, first, rest, centred=centred, before=before, after=after, keep=True)

    def enter(self, block_id: str | None) -> None:
        self.out += self.pages.enter(block_id)

    # -- blocks

    def blocks(self, blocks: tuple[Block, ...], base: int) -> None:
        for block in blocks:
            self.block(block, base)

    def block(self, block: Block, base: int) -> None:
        if isinstance(block, Section):
            self.enter(block.id)
            self.heading(self.runs(block.heading), block.level)
            self.pages.leave(block.id)
            self.blocks(block.blocks, base)
            return
        self.enter(block.id)
        if isinstance(block, Paragraph):
            self.para(self.runs(block.content), base + 2, base)
        elif isinstance(block, List):
            self.list(block, base, 0, _depth(block))
        elif isinstance(block, BlockQuote):
            self.quote(block, base)
        elif isinstance(block, Table):
            self.table(block, base)
        elif isinstance(block, Figure):
            self.figure(block, block.id)
        elif isinstance(block, Box):
            self.box(block, base)
        else:
            raise TypeError(f"unknown block {block!r}")
        self.pages.leave(block.id)

    def list(self, node: List, base: int, depth: int, deepest: int) -> None:
        """Items at cell 1 (+2 per level), every runover two cells right of the deepest level's items."""
        runover = base + 2 * deepest + 2
        start = len(self.out)
        for number, item in enumerate(node.items, start=node.start):
            marker = f"{_ordinal(number, depth)}. " if node.ordered else "\u2022 "
            rest = item.blocks
            margin = base + 2 * depth
            if rest and isinstance(rest[0], Paragraph):
                self.para([self.label(marker), *self.runs(rest[0].content)], margin, runover)
                rest = rest[1:]
            else:
                self.para([self.label(marker.strip())], margin, runover)
            for child in rest:
                if isinstance(child, List):
                    self.list(child, base, depth + 1, deepest)
                elif isinstance(child, Paragraph):
                    self.para(self.runs(child.content), margin + 2, runover)
                else:
                    self.block(child, margin + 2)
        if depth == 0:
            _space(self.out[start:], 1, 1)

    def quote(self, node: BlockQuote, base: int) -> None:
        """Displayed: blocked two cells right of the text around it, a blank line before and after."""
        start = len(self.out)
        self.blocks(node.blocks, base + 2)
        if node.attribution:
            self.para([Run("\u2014 "), *self.runs(node.attribution)], base + 4, base + 4)
        _space(self.out[start:], 1, 1)

    def table(self, node: Table, base: int) -> None:
        """Linearised (BANA listed format): each row's first cell at the margin, the others two cells in, after their header."""
        start = len(self.out)
        caption = self.runs(node.caption)
        label = self.labels["table"]
        self.para([self.label(f"{label}: " if caption else label), *caption], base, base + 2)
        headers = [self.runs(cell) for cell in node.header]
        self.pages.advance(sum(1 for cell in node.header for c in plain_text(cell) if not c.isspace() and c not in PAGE_COUNT_IGNORED))
        for row in node.rows:
            for column, cell in enumerate(row):
                value = self.runs(cell)
                header = headers[column] if column < len(headers) else []
                if (node.header_column and column == 0) or not header:
                    runs = value
                else:
                    runs = [replace(run, counted=False) for run in header] + [self.label(": "), *value]
                margin = base if column == 0 else base + 2
                self.para(runs, margin, base + 4)
        _space(self.out[start:], 1, 1)

    def figure(self, node: Figure, html_id: str | None) -> None:
        """A transcriber's note in 7-5: kind and image description, caption, credit; a long description after."""
        labels = self.labels
        kind, credit = _FIGURE_LABELS.get(node.kind, _FIGURE_LABELS["photo"])
        start = len(self.out)
        base = _NOTE_BASE
        self.para([self.label(f"{labels['transcriber_note']}: {labels[kind]}. {labels['image_description']}: {node.alt}")],
                  base + 2, base)
        if node.caption:
            self.para([self.label(f"{labels['caption']}: "), *self.runs(node.caption)], base + 2, base)
        if node.credit:
            self.para([self.label(f"{labels[credit]}: "), *self.runs(node.credit)], base + 2, base)
        if node.placeholder:
            self.para([Run(labels["placeholder_note"])], base + 2, base)
        if node.description:
            described = f"description-{html_id}" if html_id else None
            self.enter(described)
            self.para([Run(labels["long_description"]), self.label(":")], base + 2, base)
            self.blocks(node.description, base)
            self.pages.leave(described)
        _with_signs(self.out[start:], self.settings.note_open, self.settings.note_close)

    def box(self, node: Box, base: int) -> None:
        """Between a top and a bottom box line; its title as a heading of its level."""
        self.out.append(Rule(self.settings.box_top, before=1, keep=3))
        self.heading(self.runs(node.title), node.level, before=0)
        self.blocks(node.blocks, base)
        self.out.append(Rule(self.settings.box_bottom, after=1))


def _space(items: list[Item], before: int, after: int) -> None:
    """A blank line before the first paragraph of ``items`` and after the last (displayed material)."""
    paras = [item for item in items if isinstance(item, Para)]
    if paras:
        paras[0].before = max(paras[0].before, before)
        paras[-1].after = max(paras[-1].after, after)


def _depth(node: List) -> int:
    """How many levels of lists are nested inside ``node`` (0: none)."""
    inner = [_depth(child) + 1 for item in node.items for child in item.blocks if isinstance(child, List)]
    return max(inner, default=0)


def _ordinal(number: int, depth: int) -> str:
    """1, a, i for depths 0, 1, 2 (then again), as the other editions number nested lists."""
    style = depth % 3
    if style == 0 or number < 1:
        return str(number)
    if style == 1:
        letters = ""
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters
    out = ""
    for value, symbol in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, number = divmod(number, value)
        out += symbol * count
    return out
