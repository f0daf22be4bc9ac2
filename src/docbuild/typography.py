"""Language-aware typography, in one place.

Sources are typed with plain spaces and straight quotes so that editors and
translators never have to type invisible characters. The reader calls this
module once per text run; writers then receive typeset text and apply no
language rules of their own.
"""

from __future__ import annotations

import re

NBSP = "\u00a0"

#: Quotation marks by language: (outer open, outer close, inner open, inner close).
QUOTE_MARKS: dict[str, tuple[str, str, str, str]] = {
    "en": ("\u201c", "\u201d", "\u2018", "\u2019"),
    "ru": ("\u00ab", "\u00bb", "\u201e", "\u201c"),
}

#: Short words (prepositions, conjunctions, particles) that must not end a line,
#: by language: :func:`typeset` binds each to the next word with a no-break
#: space. That no-break space only protects a line break, and it defeats a
#: search typed with an ordinary space ("в Казахстане"), so an edition that
#: readers search on screen may give it back (:func:`unbind_short_words`);
#: the no-break spaces of numbers, units, initials and dashes stay.
SHORT_WORDS: dict[str, tuple[str, ...]] = {
    "ru": ("а", "в", "во", "да", "до", "за", "и", "из", "к", "ко", "на", "не", "ни", "но", "о", "об", "от", "по",
           "с", "со", "у"),
}
_RU_SHORT_WORDS = "|".join(SHORT_WORDS["ru"])
_RU_SHORT_WORD = re.compile(rf"(?<![\w\-])({_RU_SHORT_WORDS}) +", re.IGNORECASE)
_RU_MONTHS = (
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
)
_RU_UNITS = (
    r"г\.|гг\.|год[а-я]*|лет|дн[а-я]*|день|час[а-я]*|минут[а-я]*|"
    r"человек[а-я]*|процент[а-я]*|%|тыс\.|млн|млрд|км|кг|м"
)
_RU_NUMBER_UNIT = re.compile(rf"(\d) +(?=(?:{_RU_UNITS}|{_RU_MONTHS})(?![\w]))")
_DIGIT_GROUPS = re.compile(r"(?<=\d) (?=\d{3}(?!\d))")
_INITIALS = re.compile(r"(?<![\w.])((?:[А-ЯЁA-Z]\.-?)+) +(?=[А-ЯЁA-Z][а-яёa-z])")
_SPACED_DASH = re.compile(r" +(—)")
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")


def quote_marks(lang: str, depth: int) -> tuple[str, str]:
    """The opening and closing marks of a quotation nested ``depth`` deep."""
    marks = QUOTE_MARKS.get(lang, QUOTE_MARKS["en"])
    return (marks[0], marks[1]) if depth % 2 == 0 else (marks[2], marks[3])


def typeset(text: str, lang: str) -> str:
    """Apply the spacing and punctuation rules of ``lang`` to a text run."""
    text = _APOSTROPHE.sub("\u2019", text)
    if lang == "ru":
        text = _SPACED_DASH.sub(NBSP + r"\1", text)
        text = _RU_SHORT_WORD.sub(lambda m: m.group(1) + NBSP, text)
        text = _DIGIT_GROUPS.sub(NBSP, text)
        text = _RU_NUMBER_UNIT.sub(r"\1" + NBSP, text)
        text = _INITIALS.sub(r"\1" + NBSP, text)
    return text


def unbind_short_words(text: str, lang: str) -> str:
    """``text`` with the no-break space after each of :data:`SHORT_WORDS` (for ``lang``) back to a space.

    For an edition a reader searches on screen (the EPUB): a search typed
    with an ordinary space then finds "в Казахстане". A no-break space
    before a dash is kept.
    """
    words = SHORT_WORDS.get(lang.split("-")[0])
    if not words or NBSP not in text:
        return text
    pattern = _UNBIND.get(lang)
    if pattern is None:
        pattern = _UNBIND[lang] = re.compile(rf"(?<![\w\-])({'|'.join(words)}){NBSP}(?![—–])", re.IGNORECASE)
    return pattern.sub(r"\1 ", text)


_UNBIND: dict[str, re.Pattern] = {}
