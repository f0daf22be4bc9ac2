"""Language-aware typography, in one place, driven by ``layouts/languages/<code>.toml``.

Sources are typed with plain spaces and straight quotes so that editors and
translators never have to type invisible characters. The reader calls this
module once per text run with the run's :class:`~docbuild.languages.Language`;
writers then receive typeset text and apply no language rules of their own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .languages import Language

NBSP = "\u00a0"

_DIGIT_GROUPS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
#: One or more initials ("А.", "K.-J.") and the surname they belong to: upper-case letters of any script.
_INITIALS = re.compile(r"(?<![\w.])((?:[^\W\d_]\.-?)+) +(?=([^\W\d_])([^\W\d_]))")
_SPACED_DASH = re.compile(r" +(—)")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def _alternatives(words: tuple[str, ...]) -> str:
    """A regex alternation of ``words``; a trailing ``*`` stands for any ending (``год*``: года, годы)."""
    parts = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word) for word in parts)


@lru_cache(maxsize=64)
def _rules(language: Language) -> tuple[re.Pattern | None, re.Pattern | None, re.Pattern | None]:
    """The compiled patterns of ``language``: short words, number + word, short word + no-break space."""
    short = after_number = unbind = None
    if language.after_words:
        words = _alternatives(language.after_words)
        short = re.compile(rf"(?<![\w\-])({words}) +", re.IGNORECASE)
        unbind = re.compile(rf"(?<![\w\-])({words}){NBSP}(?![—–])", re.IGNORECASE)
    if language.after_number:
        after_number = re.compile(rf"(\d) +(?=(?:{_alternatives(language.after_number)})(?![\w]))")
    return short, after_number, unbind


def quote_marks(language: Language, depth: int) -> tuple[str, str]:
    """The opening and closing marks of a quotation nested ``depth`` deep."""
    marks = language.quotes
    return (marks[0], marks[1]) if depth % 2 == 0 else (marks[2], marks[3])


def typeset(text: str, language: Language) -> str:
    """Apply the spacing and punctuation rules of ``language`` to a text run."""
    text = _APOSTROPHE.sub("\u2019", text)
    short, after_number, _ = _rules(language)
    if language.before_dash:
        text = _SPACED_DASH.sub(NBSP + r"\1", text)
    if short is not None:
        text = short.sub(lambda m: m.group(1) + NBSP, text)
    if language.digit_groups:
        text = _DIGIT_GROUPS.sub(NBSP, text)
    if after_number is not None:
        text = after_number.sub(r"\1" + NBSP, text)
    if language.initials:
        text = _INITIALS.sub(_bind_initials, text)
    return text


def _bind_initials(match: re.Match) -> str:
    initials, first, second = match.groups()
    # Only capitals before a capitalised name are initials ("А. Иванов", not "г. Алматы").
    letters = [part for part in initials.replace("-", "").split(".") if part]
    if not (all(part.isupper() for part in letters) and first.isupper() and second.islower()):
        return match.group(0)
    return initials + NBSP


def short_word_binding(language: Language) -> re.Pattern | None:
    """What :func:`typeset` leaves after one of the language's short words: the word and a no-break space."""
    return _rules(language)[2]


def unbind_short_words(text: str, language: Language) -> str:
    """``text`` with the no-break space after each of the language's short words back to a space.

    For an edition a reader searches on screen (the EPUB): a search typed
    with an ordinary space then finds "в Казахстане". A no-break space
    before a dash is kept.
    """
    _, _, unbind = _rules(language)
    if unbind is None or NBSP not in text:
        return text
    return unbind.sub(r"\1 ", text)
