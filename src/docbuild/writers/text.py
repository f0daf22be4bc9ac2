"""The plain-text edition, for screen readers, braille displays and e-mail.

The layout is the structure (accessibility.md, Plain text), walking the
document tree with one function per node type:

* **Lines.** UTF-8 without a byte-order mark, ``\\n`` line ends, blocks
  separated by one blank line. Each paragraph is one line: the reader's
  device wraps it, so no word is ever split and a braille display reflows
  freely.
* **Headings** start with one ``#`` per level, as in Markdown: ``# `` for the
  chapter title, ``## `` for a section, ``### `` and ``#### `` for
  subsections. No decorative rows (an underline of ``=`` or ``-`` comes out
  as a row of meaningless cells on a braille display). Why markers, not
  section numbers such as "1.2": the level is in the marker itself, a search
  for ``##`` walks from heading to heading on any device, the marker is a few
  cells long even at level 4, and it collides neither with the numbered
  list items ("1.") nor with note references ("[1]"). Numbers would also be
  words no other edition has: a partner who quotes "section 3.2" would not
  find it in the PDF or the DOCX.
* **Lists** are numbered ``1.`` (``a.`` and ``i.`` for numbered lists nested
  one and two deep, as in the DOCX) or bulleted ``-``, each nested level
  indented by three more spaces; a list is one block, one line per item.
* **Quotations** are indented three spaces, their attribution on its own
  line after an em dash: ``— Name``.
* **Tables** are linearised row by row, each cell after its column's header:
  ``Table: caption`` first, then ``Header: value; Header: value`` per row.
* **Figures** are labelled lines: ``[Photo]`` (``[Chart]``, ``[Map]``), then
  the image description (alt text), caption and credit, each after its
  label; a chart's long description follows after a ``Description:`` line.
* **Boxes** start with ``Box: title`` and end with an ``End of box`` line.
* **Links** write out their address: ``text (https://...)``, once when the
  text is the address; a link to another part of the chapter says what it
  points to, ``text (see: heading or caption)``.
* **Notes** are ``[1]`` in the text and endnotes under a ``## Notes``
  heading at the end, before the colophon and the description.
* **Spaces.** No-break spaces (U+00A0, U+202F, U+2007) become plain spaces
  and non-breaking hyphens plain hyphens: a line is never broken here, and
  those characters defeat plain search (``в Казахстане`` typed with an
  ordinary space would not find ``в\\u00a0Казахстане``).

Every word docbuild adds comes from the edition's labels.
"""

from __future__ import annotations

from ..edition import Edition
from ..labels import Labels
from ..model import (
    Block,
    BlockQuote,
    Box,
    Chapter,
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
    reference_names,
)
from .bidi import Directions, mark_lines, mark_span

#: Characters that keep words together in print but defeat search in plain text.
_PLAIN = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2011": "-", "\n": " "})
#: Indentation of one list level and of a quotation.
_INDENT = "   "
#: Figure kind -> (label of the kind, label before the credit).
_FIGURE_LABELS = {"photo": ("photo", "credit"), "chart": ("chart", "credit_chart"), "map": ("map", "credit_map")}


def render_text(edition: Edition) -> bytes:
    return text_file(chapter_blocks(edition.chapter, edition.labels, directions=Directions.of_edition(edition)))


def text_file(blocks: list[str]) -> bytes:
    """The edition's bytes: the blocks separated by one blank line, UTF-8, ending in a line end."""
    return ("\n\n".join(blocks) + "\n").encode("utf-8")


def chapter_blocks(
    chapter: Chapter, labels: Labels, shift: int = 0, colophon: bool = True, intro: tuple[str, ...] = (),
    directions: Directions | None = None,
) -> list[str]:
    """The chapter's blocks of text; its headings ``shift`` levels down (a chapter in a book: 1).

    ``intro`` are blocks put after the subtitle; ``colophon=False`` leaves out
    the publisher line and the description at the end. ``directions``
    adds the direction marks a right-to-left edition needs (:mod:`.bidi`).
    """
    meta = chapter.meta
    writer = _Writer(labels, {block: _plain(name) for block, name in reference_names(chapter).items()}, shift, directions)
    blocks = [f"{'#' * (1 + shift)} {_plain(meta.title)}", _plain(meta.subtitle), *intro]
    if chapter.figure is not None:
        blocks += writer.figure(chapter.figure, "")
    blocks += writer.blocks(chapter.blocks, "")
    if chapter.notes:
        blocks.append(f"{'#' * (2 + shift)} {labels['notes']}")
        for note in chapter.notes:
            rendered = writer.blocks(note.blocks, "")
            if rendered and isinstance(note.blocks[0], Paragraph):
                rendered[0] = f"[{note.number}] {rendered[0]}"
            else:
                rendered.insert(0, f"[{note.number}]")
            blocks += rendered
    if colophon:
        blocks.append(_plain(labels.format("published", publisher=meta.publisher, date=labels.date(meta.date))))
        blocks.append(_plain(meta.description))
    if directions is not None:
        blocks = [mark_lines(block, directions.edition) for block in blocks]
    return blocks


def plain(text: str) -> str:
    """``text`` with the characters that defeat plain search made plain (no-break spaces, hyphens)."""
    return _plain(text)


def _plain(text: str) -> str:
    return text.translate(_PLAIN)


class _Writer:
    """One function per node type; each block becomes a list of blocks of text (lines joined by ``\\n``)."""

    def __init__(self, labels: Labels, targets: dict[str, str], shift: int = 0, directions: Directions | None = None) -> None:
        self.labels = labels
        self.targets = targets
        self.shift = shift
        self.directions = directions

    # -- inlines

    def inlines(self, nodes: tuple[Inline, ...]) -> str:
        return _plain("".join(self.inline(node) for node in nodes)).strip()

    def inline(self, node: Inline) -> str:
        if isinstance(node, Text):
            return node.text
        if isinstance(node, NoteRef):
            return f"[{node.number}]"
        if isinstance(node, Quote):
            return node.open + "".join(self.inline(child) for child in node.children) + node.close
        if isinstance(node, Link):
            return self.link(node)
        if isinstance(node, Span) and self.directions is not None:
            text = "".join(self.inline(child) for child in node.children)
            return mark_span(text, self.directions.of(node.lang), self.directions.edition)
        if isinstance(node, (Emph, Strong, Span)):
            return "".join(self.inline(child) for child in node.children)
        raise TypeError(f"unknown inline node {node!r}")

    def link(self, node: Link) -> str:
        text = "".join(self.inline(child) for child in node.children)
        if node.internal:
            target = self.targets.get(node.href[1:])
            if target is None:
                return text
            return f"{text} ({self.labels.format('see', target=target)})"
        address = node.href.removeprefix("mailto:")
        if _plain(text).strip() in (node.href, address):
            return address
        return f"{text} ({address})"

    # -- blocks

    def blocks(self, blocks: tuple[Block, ...], indent: str) -> list[str]:
        return [text for block in blocks for text in self.block(block, indent)]

    def block(self, block: Block, indent: str) -> list[str]:
        if isinstance(block, Paragraph):
            return [indent + self.inlines(block.content)]
        if isinstance(block, Section):
            return [f"{'#' * (block.level + self.shift)} {self.inlines(block.heading)}"] + self.blocks(block.blocks, indent)
        if isinstance(block, List):
            return ["\n".join(self.list_lines(block, indent, 0))]
        if isinstance(block, BlockQuote):
            return self.quote(block, indent)
        if isinstance(block, Table):
            return [self.table(block, indent)]
        if isinstance(block, Figure):
            return self.figure(block, indent)
        if isinstance(block, Box):
            return self.box(block, indent)
        raise TypeError(f"unknown block {block!r}")

    def list_lines(self, node: List, indent: str, depth: int) -> list[str]:
        lines = []
        for number, item in enumerate(node.items, start=node.start):
            marker = f"{_ordinal(number, depth)}." if node.ordered else "-"
            rest = item.blocks
            if rest and isinstance(rest[0], Paragraph):
                lines.append(f"{indent}{marker} {self.inlines(rest[0].content)}")
                rest = rest[1:]
            else:
                lines.append(f"{indent}{marker}")
            inner = indent + _INDENT
            for child in rest:
                if isinstance(child, List):
                    lines += self.list_lines(child, inner, depth + 1)
                else:
                    lines += [line for text in self.block(child, inner) for line in text.split("\n")]
        return lines

    def quote(self, node: BlockQuote, indent: str) -> list[str]:
        inner = indent + _INDENT
        texts = self.blocks(node.blocks, inner)
        if node.attribution:
            texts.append(f"{inner}— {self.inlines(node.attribution)}")
        return texts

    def table(self, node: Table, indent: str) -> str:
        caption = self.inlines(node.caption)
        lines = [f"{self.labels['table']}: {caption}" if caption else self.labels["table"]]
        headers = [self.inlines(cell) for cell in node.header]
        for row in node.rows:
            cells = []
            for column, cell in enumerate(row):
                value = self.inlines(cell)
                header = headers[column] if column < len(headers) else ""
                if value:
                    cells.append(f"{header}: {value}" if header else value)
            lines.append("; ".join(cells))
        return "\n".join(indent + line for line in lines)

    def figure(self, node: Figure, indent: str) -> list[str]:
        labels = self.labels
        kind, credit = _FIGURE_LABELS.get(node.kind, _FIGURE_LABELS["photo"])
        lines = [f"[{labels[kind]}]", f"{labels['image_description']}: {_plain(node.alt)}"]
        if node.caption:
            lines.append(f"{labels['caption']}: {self.inlines(node.caption)}")
        if node.credit:
            lines.append(f"{labels[credit]}: {self.inlines(node.credit)}")
        if node.placeholder:
            lines.append(_plain(labels["placeholder_note"]))
        texts = ["\n".join(indent + line for line in lines)]
        if node.description:
            texts.append(f"{indent}{labels['long_description']}:")
            texts += self.blocks(node.description, indent)
        return texts

    def box(self, node: Box, indent: str) -> list[str]:
        title = self.labels.format("box", title=self.inlines(node.title))
        return [indent + _plain(title)] + self.blocks(node.blocks, indent) + [indent + _plain(self.labels["end_of_box"])]


def _ordinal(number: int, depth: int) -> str:
    """A list item's number as the DOCX's numbering shows it: 1, a, i for depths 0, 1, 2 (then again)."""
    style = depth % 3
    if style == 0 or number < 1:
        return str(number)
    if style == 1:
        letters = ""
        while number:
            number, rest = divmod(number - 1, 26)
            letters = chr(ord("a") + rest) + letters
        return letters
    return _roman(number)


def _roman(number: int) -> str:
    out = ""
    for value, symbol in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        count, number = divmod(number, value)
        out += symbol * count
    return out
