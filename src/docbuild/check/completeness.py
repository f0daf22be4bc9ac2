"""Completeness against the source: every paragraph, in order, in every edition.

The expected text is each paragraph's ``plain_text`` as the reader gives it;
the found text is what an independent reader extracted from the file. Both
sides are normalised the same way (Unicode compatibility forms, every kind of
space, soft hyphens, the hyphen a layout engine adds at a line break), so that
only a missing, changed or misplaced paragraph fails.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, Iterator

from ..model import Chapter, Span, plain_text, spans
from . import CheckResult, Expected, verdict

RULE = "docbuild:complete"
TITLE = "every source paragraph, in order"
#: A hyphen a layout engine inserted at a line break (U+2010, or a soft hyphen
#: made visible), with the line break after it: the word continues on the next line.
_BREAK_HYPHEN = re.compile(r"[\u2010\u00ad]\s*\n\s*")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Text as a comparison sees it: NFKC, one space for any run of white space, no soft hyphens."""
    text = _BREAK_HYPHEN.sub("", text)
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return _SPACES.sub(" ", text).strip()


def squeeze(text: str) -> str:
    """Normalised text without any white space or layout hyphen, for readers that lose word spacing.

    Text decoded from PDF content streams has no reliable spaces between
    lines or styled runs; comparing without spaces still proves every letter
    is there, in order.
    """
    return _SPACES.sub("", normalise(text).replace("\u2010", ""))


def without_hyphens(text: str) -> str:
    """Normalised text without hyphens, for pdftotext.

    Poppler joins a line ending in a hyphen to the next one and drops the
    hyphen, even a real one ("25-year-" + "old" gives "25-yearold"); so the
    comparison must not count hyphens.
    """
    return re.sub(r"[-\u2010]", "", normalise(text))


def source_paragraphs(expected: Expected) -> list[tuple[str, str]]:
    """(id, text) of every paragraph of the source variant, in reading order."""
    return [(p.id, plain_text(p.content)) for p in expected.chapter.paragraphs()]


def source_spans(chapter: Chapter) -> Iterator[Span]:
    """Every foreign-language span of the source variant, wherever a reader meets it."""
    for run in chapter.inline_runs():
        yield from spans(run)


def find_in_order(haystack: str, needles: Iterable[tuple[str, str]], norm=normalise) -> list[str]:
    """Problems with finding each needle in ``haystack`` after the previous one."""
    text = norm(haystack)
    cursor = 0
    problems = []
    for block_id, needle in needles:
        wanted = norm(needle)
        at = text.find(wanted, cursor)
        if at >= 0:
            cursor = at + len(wanted)
        elif wanted in text:
            problems.append(f"paragraph '{block_id}' is out of order")
        else:
            problems.append(f"paragraph '{block_id}' is missing or changed: \"{_head(needle)}\"")
    return problems


def _head(text: str, width: int = 60) -> str:
    text = normalise(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def complete(extracted: str, expected: Expected, reader: str, norm=normalise) -> CheckResult:
    """The completeness check of one edition, from the text ``reader`` extracted."""
    paragraphs = source_paragraphs(expected)
    problems = find_in_order(extracted, paragraphs, norm)
    return verdict(RULE, TITLE, problems, f"all {len(paragraphs)} paragraphs of {expected.chapter.path.name} found in order ({reader})")


def variant_checks(expected: Expected, strict: bool) -> list[CheckResult]:
    """Checks of the source variant itself: it covers every block of the others, and is up to date."""
    chapter = expected.chapter
    mine = chapter.block_ids()
    problems = []
    for other in expected.chapter_set.variants:
        if other is chapter:
            continue
        theirs = other.block_ids()
        missing = [b for b in theirs if b not in mine]
        extra = [b for b in mine if b not in theirs]
        if missing:
            problems.append(f"{other.path.name} has {len(missing)} block(s) this variant lacks, first '{missing[0]}'")
        if extra:
            problems.append(f"{len(extra)} block(s) not in {other.path.name}, first '{extra[0]}'")
        if not missing and not extra and mine != theirs:
            problems.append(f"blocks are in another order than in {other.path.name}")
    others = ", ".join(o.path.name for o in expected.chapter_set.variants if o is not chapter) or "no other variant"
    results = [verdict("docbuild:variants", "covers every block of the other variants", problems,
                       f"{len(mine)} blocks aligned with {others}")]
    if chapter.translation_of is not None:
        stale = [s for s in expected.chapter_set.stale if s.lang == chapter.lang]
        if not stale:
            results.append(CheckResult("docbuild:stale", "translation up to date", "pass",
                                       f"every block matches the current {chapter.translation_of} original"))
        else:
            ids = ", ".join(s.block_id for s in stale[:5]) + (" …" if len(stale) > 5 else "")
            status = "fail" if strict else "warn"
            results.append(CheckResult("docbuild:stale", "translation up to date", status,
                                       f"{len(stale)} block(s) may be out of date: {ids}; revise, then docbuild stamp"))
    return results
