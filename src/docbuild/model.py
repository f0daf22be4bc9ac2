"""The document model every writer reads.

Readers build it once; writers only consume it (as pandoc's AST). Every node
is a frozen dataclass, so a writer cannot change what another writer sees.
Text in the model is already typeset for its language (quotation marks,
no-break spaces), so writers never apply language rules of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Union


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
    href: str
    children: tuple["Inline", ...]


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


Inline = Union[Text, Emph, Strong, Link, Quote, Span]


@dataclass(frozen=True)
class Paragraph:
    id: str
    content: tuple[Inline, ...]
    line: int
    #: Fingerprint of the source-language paragraph this one was translated
    #: from (``src=`` in the source), or None in the source language.
    translated_from: str | None = None


@dataclass(frozen=True)
class Section:
    id: str
    heading: tuple[Inline, ...]
    paragraphs: tuple[Paragraph, ...]
    line: int
    translated_from: str | None = None


@dataclass(frozen=True)
class Figure:
    """The chapter's photo: four texts a reader needs, kept apart on purpose.

    ``alt`` says what is seen, for someone who cannot see it; ``caption``
    says what it shows; ``credit`` says whose it is.
    """

    image: Path
    alt: str
    caption: tuple[Inline, ...]
    credit: tuple[Inline, ...]
    placeholder: bool
    line: int


@dataclass(frozen=True)
class Metadata:
    title: str
    subtitle: str
    author: str
    publisher: str
    date: str  # ISO 8601, YYYY-MM-DD
    description: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Chapter:
    """One language variant of one chapter."""

    id: str
    lang: str
    meta: Metadata
    figure: Figure | None
    intro: tuple[Paragraph, ...]
    sections: tuple[Section, ...]
    path: Path
    #: The language this variant was translated from, or None for the original.
    translation_of: str | None = None

    def paragraphs(self) -> Iterator[Paragraph]:
        """Every paragraph in reading order."""
        yield from self.intro
        for section in self.sections:
            yield from section.paragraphs

    def block_ids(self) -> list[str]:
        """The id of every paragraph and section in reading order: what variants align on."""
        ids = [p.id for p in self.intro]
        for section in self.sections:
            ids.append(section.id)
            ids.extend(p.id for p in section.paragraphs)
        return ids

    def inline_runs(self) -> Iterator[tuple[Inline, ...]]:
        """Every run of marked-up text in reading order: caption, credit, then headings and paragraphs."""
        if self.figure is not None:
            yield self.figure.caption
            yield self.figure.credit
        yield from (p.content for p in self.intro)
        for section in self.sections:
            yield section.heading
            yield from (p.content for p in section.paragraphs)


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
    """The text of inline nodes as a reader hears it, quotation marks included."""
    parts: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            parts.append(node.text)
        elif isinstance(node, Quote):
            parts.append(node.open + plain_text(node.children) + node.close)
        else:
            parts.append(plain_text(node.children))
    return "".join(parts)


def spans(nodes: tuple[Inline, ...]) -> Iterator[Span]:
    """Every foreign-language span in the nodes, outermost first."""
    for node in nodes:
        if isinstance(node, Span):
            yield node
        if not isinstance(node, Text):
            yield from spans(node.children)
