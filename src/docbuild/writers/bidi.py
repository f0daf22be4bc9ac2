"""Direction marks for plain text, where no markup can say which way a run goes.

A plain-text viewer finds a paragraph's direction from its first strong
letter (Unicode Bidirectional Algorithm, rules P2-P3), and sets a neutral
character (a bracket, a full stop, a slash) by the letters around it. So the
text edition stays in logical order, with no shaping or reordering of its
own, and adds a mark only where that would go wrong:

* a line of a right-to-left edition that starts with a left-to-right word
  (a note beginning "Human Rights Watch...") starts with U+200F RIGHT-TO-LEFT
  MARK, and the other way round;
* a span running against the text around it whose last character is not a
  letter of its own direction ("Covid-19", "(OCCRP)") is followed by its
  own direction's mark, which keeps that character with the span.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..edition import Edition
from ..languages import find_language

MARKS = {"ltr": "\u200e", "rtl": "\u200f"}
_STRONG = {"L": "ltr", "R": "rtl", "AL": "rtl"}


def strong_direction(char: str) -> str | None:
    return _STRONG.get(unicodedata.bidirectional(char))


def first_strong(text: str) -> str | None:
    """The direction of the first strong letter of ``text``, or None if it has none."""
    for char in text:
        if (direction := strong_direction(char)) is not None:
            return direction
    return None


def mark_lines(block: str, direction: str) -> str:
    """Each line of ``block`` whose first strong letter runs against ``direction`` starts with its mark."""
    return "\n".join(
        MARKS[direction] + line if first_strong(line) not in (None, direction) else line for line in block.split("\n")
    )


def mark_span(text: str, span_direction: str, around: str) -> str:
    """``text`` of a span, followed by its direction's mark if it runs against ``around`` and ends in a neutral."""
    if span_direction == around or not text or strong_direction(text[-1]) == span_direction:
        return text
    return text + MARKS[span_direction]


@dataclass(frozen=True)
class Directions:
    """The direction of an edition, and of each language a span of it may be in."""

    edition: str
    layouts: Path

    @classmethod
    def of_edition(cls, edition: Edition) -> "Directions":
        return cls(edition.language.direction, edition.project.layouts)

    def of(self, lang: str) -> str:
        """A span language's direction (the edition's if the project has no data for it)."""
        language = find_language(self.layouts, lang)
        return language.direction if language else self.edition
