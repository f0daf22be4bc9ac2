"""Chapters made fit to share one document: ids qualified by the chapter, notes numbered across the book.

A chapter's block ids are unique in the chapter only, and its notes are
numbered from 1; an edition that puts every chapter in one document (the
DOCX: one set of bookmarks, one footnotes part) needs ids unique in the
book and note numbers running on. :func:`qualified` returns the chapter
with every block id ``id`` (and every ``#id`` link) made ``<prefix><id>``,
and every note and note reference number raised by ``note_offset``. It is a
new model, the reader's is untouched (frozen dataclasses).
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import Any

from ..model import Chapter, Link, Note, NoteRef


def qualified(chapter: Chapter, prefix: str, note_offset: int = 0) -> Chapter:
    def node(value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(node(item) for item in value)
        if not is_dataclass(value) or isinstance(value, type):
            return value
        changes: dict[str, Any] = {}
        for f in fields(value):
            current = getattr(value, f.name)
            if f.name == "id" and isinstance(current, str):
                changes["id"] = prefix + current
            elif isinstance(current, (tuple,)) or is_dataclass(current):
                new = node(current)
                if new is not current:
                    changes[f.name] = new
        if isinstance(value, Link) and value.internal:
            changes["href"] = "#" + prefix + value.href[1:]
        if isinstance(value, (NoteRef, Note)):
            changes["number"] = value.number + note_offset
        return replace(value, **changes) if changes else value

    return replace(
        chapter,
        blocks=node(chapter.blocks),
        notes=node(chapter.notes),
        figure=node(chapter.figure),
    )
