"""What the source says every edition must hold, read from the document model.

The format checks compare what an independent reader finds in a file with
these expectations: the headings with their levels, the lists with their
items, the tables with their headers, the figures with their alt text, the
notes, the links. Nothing here reads an edition; nothing here knows a format.

The one exception is :func:`raw_markdown`: Markdown syntax the reader should
have interpreted, found in the text of any edition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ..model import (
    BlockQuote,
    Box,
    Chapter,
    Figure,
    Link,
    List,
    NoteRef,
    Paragraph,
    Quote,
    Section,
    Table,
    Text,
    inline_nodes,
    plain_text,
)


# ---------------------------------------------------------------------------
# Headings


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    #: "title", "section" or "box": boxes have headings but no bookmark or toc entry.
    kind: str


def headings(chapter: Chapter, boxes: bool = True) -> list[Heading]:
    """The title (level 1), then every section heading and (with ``boxes``) box title, in reading order."""
    found = [Heading(1, chapter.meta.title, "title")]
    for block in chapter.walk():
        if isinstance(block, Section):
            found.append(Heading(block.level, plain_text(block.heading), "section"))
        elif boxes and isinstance(block, Box):
            found.append(Heading(block.level, plain_text(block.title), "box"))
    return found


def describe_levels(levels: list[int], prefix: str = "H") -> str:
    """``[1, 2, 3, 2]`` -> "H1, 2 H2, 1 H3"."""
    if not levels:
        return "no headings"
    counts = {level: levels.count(level) for level in sorted(set(levels))}
    return ", ".join(f"{prefix}{level}" if level == 1 and count == 1 else f"{count} {prefix}{level}"
                     for level, count in counts.items())


# ---------------------------------------------------------------------------
# Lists


@dataclass(frozen=True)
class SourceList:
    where: str
    ordered: bool
    start: int
    #: Nesting depth: 0 for a list in the body, 1 for a list inside an item of another list...
    depth: int
    #: Text of each item's first paragraph (or "" for an item that starts with another block).
    items: tuple[str, ...]
    #: The same up to the first link or note reference (after which a plain text writes more).
    leads: tuple[str, ...] = ()


def lists(chapter: Chapter) -> list[SourceList]:
    """Every list of the body (notes excluded), in the order lists start: a nested list after its parent."""
    return [source for source, index in list_items(chapter) if index == 0]


def list_items(chapter: Chapter) -> list[tuple[SourceList, int]]:
    """Every list item of the body as (its list, its index), in reading order: an item, then the items nested in it."""
    found: list[tuple[SourceList, int]] = []

    def visit(blocks, owner: str, depth: int) -> None:
        for block in blocks:
            name = block.id or owner
            if isinstance(block, List):
                items = tuple(_first_text(item.blocks) for item in block.items)
                leads = tuple(_first_text(item.blocks, lead) for item in block.items)
                source = SourceList(_where("list", block.id, owner), block.ordered, block.start, depth, items, leads)
                for index, item in enumerate(block.items):
                    found.append((source, index))
                    visit(item.blocks, name, depth + 1)
            elif isinstance(block, Section | BlockQuote | Box):
                visit(block.blocks, name, depth)
            elif isinstance(block, Figure):
                visit(block.description, name, depth)

    visit(chapter.blocks, "", 0)
    return found


def item_name(source: SourceList, index: int) -> str:
    return f"item {source.start + index if source.ordered else index + 1} of {source.where}"


def _first_text(blocks, text=plain_text) -> str:
    first = blocks[0] if blocks else None
    return text(first.content) if isinstance(first, Paragraph) else ""


def lead(nodes) -> str:
    """The text of inline nodes up to the first link or note reference."""
    parts: list[str] = []

    def visit(children) -> bool:
        for node in children:
            if isinstance(node, (Link, NoteRef)):
                return False
            if isinstance(node, Quote):
                parts.append(node.open)
                if not visit(node.children):
                    return False
                parts.append(node.close)
            elif isinstance(node, Text):
                parts.append(node.text)
            elif not visit(node.children):
                return False
        return True

    visit(nodes)
    return "".join(parts)


def _where(kind: str, block_id: str | None, owner: str) -> str:
    if block_id:
        return f"{kind} '{block_id}'"
    return f"a {kind} in '{owner}'" if owner else f"a {kind}"


# ---------------------------------------------------------------------------
# Tables


@dataclass(frozen=True)
class SourceTable:
    where: str
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    header_column: bool
    #: header and rows up to each cell's first link or note reference (see :func:`lead`).
    header_leads: tuple[str, ...] = ()
    row_leads: tuple[tuple[str, ...], ...] = ()


def tables(chapter: Chapter) -> list[SourceTable]:
    """Every table of the body (figures' long descriptions included), in reading order."""
    found = []
    owner = ""
    for block in chapter.walk():
        if block.id:
            owner = block.id
        if isinstance(block, Table):
            found.append(SourceTable(
                _where("table", block.id, owner),
                plain_text(block.caption),
                tuple(plain_text(cell) for cell in block.header),
                tuple(tuple(plain_text(cell) for cell in row) for row in block.rows),
                block.header_column,
                tuple(lead(cell) for cell in block.header),
                tuple(tuple(lead(cell) for cell in row) for row in block.rows),
            ))
    return found


# ---------------------------------------------------------------------------
# Figures, quotations, boxes


def figures(chapter: Chapter) -> list[Figure]:
    """The lead photo, then every figure of the body, in reading order."""
    lead = [chapter.figure] if chapter.figure is not None else []
    return lead + [block for block in chapter.walk() if isinstance(block, Figure)]


def figure_name(chapter: Chapter, figure: Figure) -> str:
    if figure is chapter.figure:
        return "the lead photo"
    return f"figure '{figure.id}'" if figure.id else f"a {figure.kind}"


def quotations(chapter: Chapter) -> list[BlockQuote]:
    return [block for block in chapter.walk() if isinstance(block, BlockQuote)]


def boxes(chapter: Chapter) -> list[Box]:
    return [block for block in chapter.walk() if isinstance(block, Box)]


# ---------------------------------------------------------------------------
# Notes and links


def note_refs(chapter: Chapter) -> list[NoteRef]:
    """Every note reference, in reading order (a note referenced twice appears twice)."""
    return [node for run in chapter.inline_runs() for node in inline_nodes(run) if isinstance(node, NoteRef)]


def links(chapter: Chapter) -> list[Link]:
    return [node for run in chapter.inline_runs() for node in inline_nodes(run) if isinstance(node, Link)]


def external_urls(chapter: Chapter) -> list[str]:
    """Each web address the chapter links to, once, in reading order."""
    seen: dict[str, None] = {}
    for link in links(chapter):
        if not link.internal:
            seen.setdefault(link.href, None)
    return list(seen)


def internal_targets(chapter: Chapter) -> list[str]:
    """The block id of each cross-reference (``#id`` link), in reading order."""
    return [link.href[1:] for link in links(chapter) if link.internal]


# ---------------------------------------------------------------------------
# Raw Markdown


#: Markdown the reader interprets; seen in an edition, it was printed instead.
RAW_MARKDOWN = (
    ("a table rule", re.compile(r"\|\s*:?-{3,}:?\s*\|")),
    ("a note marker", re.compile(r"\[\^[^\]\s]*\]?")),
    ("a fenced block", re.compile(r"(?m)^[ \t]*:::")),
    ("an image", re.compile(r"!\[")),
    ("a link", re.compile(r"\]\((?:https?:|mailto:|#)")),
    ("an attribute block", re.compile(r"\{(?:#[\w-]|\.[a-z]|lang=)")),
    ("strong emphasis", re.compile(r"\*\*[^*\n]+\*\*")),
)


def raw_markdown(text: str, where: str) -> list[str]:
    """Problems: each kind of Markdown syntax found in ``text``, with the line it is on."""
    problems = []
    for name, pattern in RAW_MARKDOWN:
        match = pattern.search(text)
        if match:
            start = text.rfind("\n", 0, match.start()) + 1
            end = text.find("\n", match.end())
            line = text[start: end if end >= 0 else len(text)].strip()
            if len(line) > 70:
                at = max(match.start() - start - 30, 0)
                line = ("…" if at else "") + line[at: at + 70] + "…"
            problems.append(f"{where}: {name} left as Markdown ({match.group(0)!r}): \"{line}\"")
    return problems
