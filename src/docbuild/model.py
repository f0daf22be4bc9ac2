"""The document model every writer reads.

Readers build it once; writers only consume it, as pandoc's AST. A chapter is
a tree: blocks (paragraphs, sections, lists, quotations, tables, figures,
boxes) hold blocks or inlines (text, emphasis, links, quotations, spans in
another language, note references). Every node is a frozen dataclass, so a
writer cannot change what another writer sees, and each writer walks the
tree with one function per node type.

Text in the model is already typeset for its language (quotation marks,
no-break spaces), so writers never apply language rules of their own.

Blocks written directly in the chapter body or in a section carry the
author's ``id``; blocks nested in a list, quotation, box, figure or note have
none (``None``): translations align on the ids, nested blocks by position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Union

# --------------------------------------------------------------------------
# Inlines


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emph:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Strong:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Link:
    """A link to a web address (``https:``, ``mailto:``) or to a block of the chapter (``#id``)."""

    href: str
    children: tuple["Inline", ...]

    @property
    def internal(self) -> bool:
        return self.href.startswith("#")


@dataclass(frozen=True)
class Quote:
    """A quotation; ``open``/``close`` are the marks for its language and depth."""

    children: tuple["Inline", ...]
    open: str
    close: str


@dataclass(frozen=True)
class Span:
    """A run of text in another language than the document's (WCAG 3.1.2)."""

    lang: str
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class NoteRef:
    """A reference to a note; ``number`` is the note's place in reading order (1-based)."""

    label: str
    number: int
    #: 1 for the first reference to this note, 2 for the second, ...: only
    #: the first is the target of the note's back-link.
    occurrence: int = 1


Inline = Union[Text, Emph, Strong, Link, Quote, Span, NoteRef]

# --------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True)
class Paragraph:
    content: tuple[Inline, ...]
    id: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Section:
    """A heading (level 2 to 4; the chapter title is level 1) and the blocks up to the next one."""

    id: str
    level: int
    heading: tuple[Inline, ...]
    blocks: tuple["Block", ...]
    line: int = 0


@dataclass(frozen=True)
class ListItem:
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class List:
    """A bulleted (``ordered=False``) or numbered list; items may hold nested lists."""

    items: tuple[ListItem, ...]
    ordered: bool
    start: int = 1
    id: str | None = None
    line: int = 0


@dataclass(frozen=True)
class BlockQuote:
    """A quotation set off as a block; ``attribution`` says who said or wrote it."""

    blocks: tuple["Block", ...]
    attribution: tuple[Inline, ...] = ()
    id: str | None = None
    line: int = 0


#: A table cell: inline content only (a GFM pipe-table cell).
Cell = tuple[Inline, ...]


@dataclass(frozen=True)
class Table:
    """A data table: one header row of column headers, then body rows.

    ``align`` gives each column's alignment ("left", "right", "center" or ""
    for the default); ``header_column`` makes each row's first cell the
    header of that row.
    """

    caption: tuple[Inline, ...]
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    align: tuple[str, ...]
    header_column: bool = False
    id: str | None = None
    line: int = 0


FIGURE_KINDS = ("photo", "chart", "map")


@dataclass(frozen=True)
class Figure:
    """A photo, chart or map: four texts a reader needs, kept apart on purpose.

    ``alt`` says what is seen, for someone who cannot see it; ``caption``
    says what it shows; ``credit`` says whose it is. A chart or map may also
    have a long ``description`` (paragraphs, a list or its data as a table)
    for what alt text is too short to hold.
    """

    image: Path
    alt: str
    caption: tuple[Inline, ...]
    credit: tuple[Inline, ...]
    placeholder: bool = False
    kind: str = "photo"
    description: tuple["Block", ...] = ()
    id: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Box:
    """A set-off box (key points, a summary) with a title at heading ``level``."""

    title: tuple[Inline, ...]
    level: int
    blocks: tuple["Block", ...]
    id: str | None = None
    line: int = 0


Block = Union[Paragraph, Section, List, BlockQuote, Table, Figure, Box]


@dataclass(frozen=True)
class Note:
    """A note's text; the reader numbers notes in the order they are first referenced."""

    label: str
    number: int
    blocks: tuple[Block, ...]
    line: int = 0


# --------------------------------------------------------------------------
# The chapter


@dataclass(frozen=True)
class Metadata:
    title: str
    subtitle: str
    author: str
    publisher: str
    date: str  # ISO 8601, YYYY-MM-DD
    description: str
    keywords: tuple[str, ...]
    #: The language of the author's and publisher's names where it is not the
    #: chapter's: a translation that keeps the original's name (Human Rights
    #: Watch in a Russian edition) keeps the original's language, so every
    #: place docbuild writes the name can mark it (WCAG 3.1.2).
    names_lang: str | None = None


@dataclass(frozen=True)
class Chapter:
    """One language variant of one chapter."""

    id: str
    lang: str
    meta: Metadata
    #: The lead photo, shown under the title (from the front matter).
    figure: Figure | None
    blocks: tuple[Block, ...]
    path: Path
    notes: tuple[Note, ...] = ()
    #: The language this variant was translated from, or None for the original.
    translation_of: str | None = None

    def walk(self) -> Iterator[Block]:
        """Every block of the body in reading order, containers before their contents."""
        return walk(self.blocks)

    def block_ids(self) -> list[str]:
        """The id of every identified block in reading order: what variants align on."""
        return [block.id for block in self.walk() if block.id is not None]

    def sections(self) -> Iterator[Section]:
        return (block for block in self.walk() if isinstance(block, Section))

    def find(self, block_id: str) -> Block | None:
        return next((block for block in self.walk() if block.id == block_id), None)

    def note(self, label: str) -> Note:
        return next(note for note in self.notes if note.label == label)

    def inline_runs(self) -> Iterator[tuple[Inline, ...]]:
        """Every run of marked-up text in reading order: lead caption and credit, the body, then the notes."""
        if self.figure is not None:
            yield from block_runs(self.figure)
        for block in self.blocks:
            yield from block_runs(block)
        for note in self.notes:
            for block in note.blocks:
                yield from block_runs(block)


def children(block: Block) -> tuple[Block, ...]:
    """The blocks directly inside ``block``."""
    if isinstance(block, (Section, BlockQuote, Box)):
        return block.blocks
    if isinstance(block, List):
        return tuple(child for item in block.items for child in item.blocks)
    if isinstance(block, Figure):
        return block.description
    return ()


def walk(blocks: tuple[Block, ...]) -> Iterator[Block]:
    for block in blocks:
        yield block
        yield from walk(children(block))


def block_runs_own(block: Block) -> Iterator[tuple[Inline, ...]]:
    """The inline runs of ``block`` itself (heading, caption, cells...), not of the blocks inside it."""
    if isinstance(block, Paragraph):
        yield block.content
    elif isinstance(block, Section):
        yield block.heading
    elif isinstance(block, Box):
        yield block.title
    elif isinstance(block, Table):
        yield block.caption
        yield from block.header
        for row in block.rows:
            yield from row
    elif isinstance(block, Figure):
        yield block.caption
        yield block.credit
    elif isinstance(block, BlockQuote) and block.attribution:
        yield block.attribution


def block_runs(block: Block) -> Iterator[tuple[Inline, ...]]:
    """The inline runs of ``block`` and everything inside it, in reading order."""
    if isinstance(block, BlockQuote):
        for child in block.blocks:
            yield from block_runs(child)
        yield from block_runs_own(block)
        return
    yield from block_runs_own(block)
    for child in children(block):
        yield from block_runs(child)


def inline_nodes(nodes: tuple[Inline, ...]) -> Iterator[Inline]:
    """Every inline node, nested ones included, in reading order."""
    for node in nodes:
        yield node
        if not isinstance(node, (Text, NoteRef)):
            yield from inline_nodes(node.children)


def chapter_links(chapter: "Chapter") -> Iterator[Link]:
    """Every link of the chapter, in reading order."""
    for run in chapter.inline_runs():
        yield from (node for node in inline_nodes(run) if isinstance(node, Link))


def reference_names(chapter: "Chapter") -> dict[str, str]:
    """What a cross-reference to each identified block names, for editions that cannot link
    ("see: ..."): a section's heading, a table's or figure's caption, a box's title; for any
    other block the heading of the section it is in (the title before the first section)."""
    names: dict[str, str] = {}

    def visit(blocks: tuple[Block, ...], heading: str) -> None:
        for block in blocks:
            own = heading
            if isinstance(block, Section):
                own = plain_text(block.heading)
            elif isinstance(block, (Table, Figure)) and block.caption:
                own = plain_text(block.caption)
            elif isinstance(block, Box):
                own = plain_text(block.title)
            if block.id is not None:
                names[block.id] = own
            visit(children(block), own if isinstance(block, Section) else heading)

    visit(chapter.blocks, chapter.meta.title)
    return names


@dataclass(frozen=True)
class StaleTranslation:
    """A translated block whose source block changed since it was translated."""

    chapter: str
    lang: str
    block_id: str
    path: Path
    line: int
    #: The fingerprint recorded in the translation (``src=``), None if never recorded.
    recorded: str | None = None

    def __str__(self) -> str:
        why = "its original changed since it was translated" if self.recorded else "no src= fingerprint recorded"
        return (
            f"{self.path}:{self.line}: '{self.block_id}' ({self.lang}) may be out of date: {why}; "
            f"revise it, then run: docbuild stamp {self.chapter} {self.lang} {self.block_id}"
        )


@dataclass(frozen=True)
class ChapterSet:
    """All language variants of one chapter, aligned block by block."""

    id: str
    variants: tuple[Chapter, ...]
    stale: tuple[StaleTranslation, ...] = field(default=())

    def variant(self, lang: str) -> Chapter:
        for chapter in self.variants:
            if chapter.lang == lang:
                return chapter
        raise KeyError(lang)


def plain_text(nodes: tuple[Inline, ...]) -> str:
    """The text of inline nodes as a reader hears it, quotation marks included.

    A note reference is its number, as printed.
    """
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Quote):
            parts.append(node.open + plain_text(node.children) + node.close)
        elif isinstance(node, NoteRef):
            parts.append(str(node.number))
        else:
            parts.append(plain_text(node.children))
    return "".join(parts)


def blocks_text(blocks: tuple[Block, ...]) -> str:
    """The text of blocks, one run per line: for comparisons and summaries."""
    return "\n".join(plain_text(run) for block in blocks for run in block_runs(block))


def spans(nodes: tuple[Inline, ...]) -> Iterator[Span]:
    """Every foreign-language span in the nodes, outermost first."""
    return (node for node in inline_nodes(nodes) if isinstance(node, Span))
