"""Right-to-left text as a PDF draws it, back in the order it is read.

A PDF shows a right-to-left line's glyphs from left to right, as they are
seen; decoding a content stream therefore gives "ناتسخازاك" for
"كازاخستان". Readers that extract text (pdftotext, pdf.js, Acrobat) undo
this with the Unicode Bidirectional Algorithm; the PDF checks, which decode
the content streams themselves, do it here for each marked-content
sequence of an element in a right-to-left language (one run of one line).

For a line whose base direction is right to left, with one level of
left-to-right runs inside (English words, numbers), the visual order is the
logical order with the runs in reverse and each right-to-left run's
characters reversed (UAX #9, L2); reversing both again restores it. A
bracket drawn mirrored (UAX #9, L4) still maps to the character typed
(WeasyPrint's ToUnicode follows the text, not the glyph), so it needs no
mirroring back.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

#: Left-to-right letters and numbers: the strong and number classes that form a left-to-right run.
_LTR_CLASSES = {"L", "EN", "AN"}
_RTL_CLASSES = {"R", "AL"}


def _kind(char: str) -> str:
    bidi = unicodedata.bidirectional(char)
    return "L" if bidi in _LTR_CLASSES else "R" if bidi in _RTL_CLASSES else "N"


def logical_order(glyphs: Sequence[str]) -> str:
    """The text of one run of a right-to-left line, given as the text of each glyph in drawing order.

    Glyphs, not characters: a ligature (lam-alef, "لا") is one glyph whose
    text is two letters in reading order, and moves as one.
    """
    text = "".join(glyphs)
    if not any(_kind(char) == "R" for char in text):
        # No right-to-left letter: digits and punctuation alone ("2022." drawn ".2022") are still reversed
        # around their numbers; an all left-to-right run (an English span) is kept as it is.
        if any(_kind(char) == "L" and not char.isdigit() for char in text):
            return text
    return _reverse_runs([glyph for glyph in glyphs if glyph])


def _reverse_runs(glyphs: list[str]) -> str:
    kinds = "".join(_kind(glyph[0]) for glyph in glyphs)
    pieces, start = [], 0
    for match in re.finditer(r"L(?:N*L)*", kinds):
        if match.start() > start:
            pieces.append("".join(reversed(glyphs[start:match.start()])))
        pieces.append("".join(glyphs[match.start():match.end()]))
        start = match.end()
    if start < len(glyphs):
        pieces.append("".join(reversed(glyphs[start:])))
    return "".join(reversed(pieces))
