"""Completeness against the source: every text of every block, in reading order.

The expected texts are what the reader gives for each block, at every depth:
the title and subtitle, the lead photo's caption and credit, paragraphs,
headings at every level, list items, table captions and cells, quotations
and their attributions, figure captions, credits and long descriptions, box
titles, and the notes. The found text is what an independent reader
extracted from the file. Both sides are normalised the same way (Unicode
compatibility forms, every kind of space, soft hyphens, the hyphen a layout
engine adds at a line break), so that only a missing, changed or misplaced
text fails.

Each format lays some things out its own way, which :class:`Reading` says:
a note reference is a number, a superscript or ``[1]`` (so a text is split
where a reference stands and the number is not compared); the plain text
writes each link's address after it; its tables repeat the header labels in
every row; PDF footnotes stand at the foot of a page, DOCX footnotes in
their own part.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from ..labels import load_labels, untranslated
from ..languages import load_language
from ..model import (
    Block,
    BlockQuote,
    Box,
    Chapter,
    Figure,
    Inline,
    Link,
    List,
    NoteRef,
    Paragraph,
    Quote,
    Section,
    Span,
    Table,
    Text,
    spans,
)
from . import CheckResult, Expected, verdict

RULE = "docbuild:complete"
TITLE = "every source text, in reading order"
#: A hyphen a layout engine inserted at a line break (U+2010, or a soft hyphen
#: made visible), with the line break after it: the word continues on the next line.
_BREAK_HYPHEN = re.compile(r"[\u2010\u00ad]\s*\n\s*")
#: A line broken after the dash of a number range ("12–" / "14"): the range is one token.
_BREAK_RANGE = re.compile(r"(?<=\d)\u2013\s*\n\s*(?=\d)")
_SPACES = re.compile(r"\s+")
#: Lam and the alef forms, which a lam-alef ligature joins (see letters_and_digits).
_LAM_ALEF = frozenset("\u0644\u0627\u0623\u0625\u0622")


#: Bidirectional formatting characters: marks, embeddings, isolates. They steer display only
#: (pdftotext wraps right-to-left lines in U+202B...U+202C; the text edition adds marks).
_BIDI_FORMATTING = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def normalise(text: str) -> str:
    """Text as a comparison sees it: NFKC, one space for any run of white space, no soft hyphens,
    no bidirectional formatting characters."""
    text = _BIDI_FORMATTING.sub("", text)
    text = _BREAK_HYPHEN.sub("", text)
    text = _BREAK_RANGE.sub("\u2013", text)
    text = unicodedata.normalize("NFKC", text).replace("\u00ad", "")
    return _SPACES.sub(" ", text).strip()


def _words(text: str) -> set[str]:
    """The words of ``text`` as poppler can give right-to-left text back: letters and digits only,
    without lam and the alefs (see :func:`words_present`)."""
    letters = "".join(c if c.isalnum() and c not in _LAM_ALEF else " " if c.isspace() or not c.isalnum() and
                      unicodedata.category(c)[0] != "M" else "" for c in without_hyphens(text))
    # Numbers apart from letters, and the two directions apart: poppler moves the space beside a
    # number ("300يوم") and between an Arabic and an English word ("قايرتايوليRFE").
    letters = re.sub(r"(?<=\d)(?=\D)|(?<=\D)(?=\d)|(?<=[A-Za-z])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[A-Za-z])", " ", letters)
    return {word for word in letters.split() if len(word) > 1}


def words_present(extracted: str, expected: Expected, reader: str) -> CheckResult:
    """Right-to-left completeness, as far as poppler can show it: every word of every source text is in
    the extracted text.

    Poppler's reordering of right-to-left lines is unreliable beyond the
    letters of a word: it puts a comma or full stop beside a number on the
    wrong side of a space, a vowel mark beside the punctuation, splits a
    line at a raised mark ("سُمح"), and gives the two letters of a lam-alef
    ligature in reverse ("األول" for "الأول"). So this reader checks that
    each word (letters and digits, lam and alef left out) is there; the
    reading order is checked on the structure tree (09-001), whose runs the
    PDF check reorders itself (``check.visual``).
    """
    body, notes = source_texts(expected.chapter, Reading(notes="inline", loose_cells=True))
    found = _words(extracted)
    problems = []
    for needle in body + notes:
        missing = sorted(_words(needle.text) - found)
        if missing:
            problems.append(f"{needle.where}: {len(missing)} word(s) missing, first \"{missing[0]}\"")
    return verdict(RULE, TITLE, problems,
                   f"every word of the {len(body) + len(notes)} texts of {expected.chapter.path.name} found ({reader}; "
                   "right to left: words, the order is checked on the tags)")


def squeeze(text: str) -> str:
    """Normalised text without any white space or layout hyphen, for readers that lose word spacing.

    Text decoded from PDF content streams has no reliable spaces between
    lines or styled runs; comparing without spaces still proves every letter
    is there, in order.
    """
    return _SPACES.sub("", normalise(text).replace("\u2010", ""))


#: A web address broken at a line end after one of the characters a layout engine breaks addresses at.
_URL_BREAK = re.compile(r"(https?:/\S*[/.\-_?=&#~])\s+(?=\S)")  # "https://" + break too


#: A line broken after a slash between two words ("Еуропа/" + "Азаттық"): no space in the source.
_LINE_END_SLASH = re.compile(r"(?<=\w)/[ \t]*\n\s*(?=\w)")
#: A hyphen at the end of a page's text, the form feed, and the next page's first word.
_PAGE_END_HYPHEN = re.compile(r"(?<=\w)[-\u2010]\s*\f\s*(?=\w)")


def without_hyphens(text: str) -> str:
    """Normalised text without hyphens, for pdftotext.

    Poppler joins a line ending in a hyphen to the next one and drops the
    hyphen, even a real one ("25-year-" + "old" gives "25-yearold"); so the
    comparison must not count hyphens. A web address broken at a line end
    ("https://www.hrw.org/" + "world-report") is joined again, and so is a
    word whose hyphen ends a page ("жарық-" at the foot, "шу" at the top of
    the next), which poppler leaves apart.
    """
    text = _PAGE_END_HYPHEN.sub("", text)
    text = _LINE_END_SLASH.sub("/", text)
    text = normalise(text)
    for _ in range(16):  # one break of each address per pass
        text, joined = _URL_BREAK.subn(r"\1", text)
        if not joined:
            break
    return re.sub(r"[-\u2010]", "", text)


@dataclass(frozen=True)
class Reading:
    """How a format lays out the source's texts."""

    #: Split texts after each link: the plain text writes the address (or the cross-reference) after it.
    split_links: bool = False
    #: Table headers are labels repeated in each row (plain text): compare the body cells only, in order.
    labelled_tables: bool = False
    #: Where the notes are: "end" (after the body, in order), "inline" (anywhere: PDF footnotes,
    #: cut out before the body is compared), "separate" (their own text, given to :func:`complete`).
    notes: str = "end"
    #: Table cells need only be present, not in order (pdftotext may read a table column by column).
    loose_cells: bool = False


@dataclass(frozen=True)
class Needle:
    """One text the edition must hold: where it is in the source, and the text."""

    where: str
    text: str
    #: Present anywhere is enough (see Reading.loose_cells).
    loose: bool = False
    #: Text that may stand right before it and goes with it when it is cut (a footnote's number).
    prefix: str = ""


def segments(nodes: tuple[Inline, ...], split_links: bool = False) -> list[str]:
    """The text of inline nodes in pieces: split at each note reference (its number is not compared) and,
    with ``split_links``, after each link. Pieces without a letter or digit are dropped."""
    parts = [""]

    def visit(children: tuple[Inline, ...]) -> None:
        for node in children:
            if isinstance(node, Text):
                parts[-1] += node.text
            elif isinstance(node, Quote):
                parts[-1] += node.open
                visit(node.children)
                parts[-1] += node.close
            elif isinstance(node, NoteRef):
                parts.append("")
            elif isinstance(node, Link):
                visit(node.children)
                if split_links:
                    parts.append("")
            else:
                visit(node.children)

    visit(nodes)
    return [part for part in parts if any(c.isalnum() for c in part)]


def _needles(where: str, nodes: tuple[Inline, ...], reading: Reading, loose: bool = False) -> list[Needle]:
    return [Needle(where, part, loose) for part in segments(nodes, reading.split_links)]


def _block_needles(block: Block, owner: str, reading: Reading, where: str | None = None) -> Iterator[Needle]:
    """The texts of one block and everything in it, in reading order.

    ``where`` names a block nested without an id (a list item, a note's paragraph).
    """
    name = block.id or owner
    if isinstance(block, Paragraph):
        label = f"paragraph '{block.id}'" if block.id else (where or f"a paragraph in '{owner}'")
        yield from _needles(label, block.content, reading)
    elif isinstance(block, Section):
        yield from _needles(f"heading '{block.id}'", block.heading, reading)
        for child in block.blocks:
            yield from _block_needles(child, name, reading)
    elif isinstance(block, Box):
        yield from _needles(f"the title of box '{name}'", block.title, reading)
        for child in block.blocks:
            yield from _block_needles(child, name, reading)
    elif isinstance(block, List):
        yield from _list_needles(block, owner, reading, where)
    elif isinstance(block, BlockQuote):
        label = f"quotation '{block.id}'" if block.id else f"a quotation in '{owner}'"
        for child in block.blocks:
            yield from _block_needles(child, name, reading, f"the text of {label}")
        yield from _needles(f"the attribution of {label}", block.attribution, reading)
    elif isinstance(block, Table):
        label = f"table '{block.id}'" if block.id else f"a table in '{owner}'"
        yield from _needles(f"the caption of {label}", block.caption, reading)
        loose = reading.loose_cells
        if not reading.labelled_tables:
            for column, cell in enumerate(block.header, start=1):
                yield from _needles(f"header cell {column} of {label}", cell, reading, loose)
        for row_number, row in enumerate(block.rows, start=1):
            for column, cell in enumerate(row, start=1):
                yield from _needles(f"cell ({row_number}, {column}) of {label}", cell, reading, loose)
    elif isinstance(block, Figure):
        yield from _figure_needles(block, f"figure '{block.id}'" if block.id else f"a figure in '{owner}'", reading)
        for child in block.description:
            yield from _block_needles(child, name, reading, f"the long description of figure '{name}'")


def _list_needles(block: List, owner: str, reading: Reading, where: str | None, path: str = "") -> Iterator[Needle]:
    """A list's items as "item 3 of list 'x'", a nested one's as "item 3.2 of list 'x'"."""
    label = where if where and path else (f"list '{block.id}'" if block.id else (where or f"a list in '{owner}'"))
    for number, item in enumerate(block.items, start=block.start if block.ordered else 1):
        item_path = f"{path}.{number}" if path else str(number)
        for child in item.blocks:
            if isinstance(child, List):
                yield from _list_needles(child, block.id or owner, reading, label, item_path)
            else:
                yield from _block_needles(child, block.id or owner, reading, f"item {item_path} of {label}")


def _figure_needles(figure: Figure, label: str, reading: Reading) -> Iterator[Needle]:
    yield from _needles(f"the caption of {label}", figure.caption, reading)
    yield from _needles(f"the credit of {label}", figure.credit, reading)


def source_texts(chapter: Chapter, reading: Reading = Reading()) -> tuple[list[Needle], list[Needle]]:
    """(body, notes): every text of the source variant in reading order, as ``reading`` lays it out."""
    meta = chapter.meta
    body = [Needle("the title", meta.title), Needle("the subtitle", meta.subtitle)]
    if chapter.figure is not None:
        body += _figure_needles(chapter.figure, "the lead photo", reading)
    for block in chapter.blocks:
        body += _block_needles(block, "", reading)
    notes = []
    for note in chapter.notes:
        needles = [n for block in note.blocks for n in _block_needles(block, "", reading, f"note {note.number} ('{note.label}')")]
        if needles and reading.notes == "inline":
            # A footnote is printed after its number; cut with the text, the number does not split the body.
            needles[0] = replace(needles[0], prefix=str(note.number))
        notes += needles
    return body, notes


def source_spans(chapter: Chapter) -> Iterator[Span]:
    """Every foreign-language span of the source variant, wherever a reader meets it."""
    for run in chapter.inline_runs():
        yield from spans(run)


def find_in_order(haystack: str, needles: Iterable[Needle], norm=normalise) -> list[str]:
    """Problems with finding each needle in ``haystack`` after the previous one (a loose one: anywhere)."""
    return _search(norm(haystack), needles, norm)[0]


def _search(text: str, needles: Iterable[Needle], norm, cursor: int = 0) -> tuple[list[str], int]:
    problems = []
    for needle in needles:
        wanted = norm(needle.text)
        if not wanted:
            continue
        if needle.loose:
            # A cell whose lines pdftotext interleaves with the next column's: every word present will do.
            if wanted not in text and not all(word in text for word in wanted.split()):
                problems.append(f"{needle.where} is missing or changed: \"{_head(needle.text)}\"")
            continue
        at = text.find(wanted, cursor)
        if at >= 0:
            cursor = at + len(wanted)
        elif wanted in text:
            problems.append(f"{needle.where} is out of order")
        else:
            problems.append(f"{needle.where} is missing or changed: \"{_head(needle.text)}\"")
    return problems, cursor


def _cut(text: str, needles: list[Needle], norm) -> tuple[str, list[str]]:
    """``text`` without each needle (once, anywhere): notes at the foot of a page interrupt the body."""
    problems = []
    for needle in needles:
        wanted = norm(needle.text)
        at = text.find(wanted) if wanted else 0
        if at < 0:
            problems.append(f"{needle.where} is missing or changed: \"{_head(needle.text)}\"")
        elif wanted:
            before = text[:at].rstrip()
            if needle.prefix and before.endswith(needle.prefix):
                before = before[: -len(needle.prefix)].rstrip()
            text = before + " " + text[at + len(wanted):].lstrip()
    return text, problems


def _head(text: str, width: int = 60) -> str:
    text = normalise(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def complete(extracted: str, expected: Expected, reader: str, norm=normalise,
             reading: Reading = Reading(), notes_text: str | None = None) -> CheckResult:
    """The completeness check of one edition, from the text ``reader`` extracted.

    With ``reading.notes == "separate"``, ``notes_text`` is where the notes are (a DOCX's footnotes part).
    """
    body, notes = source_texts(expected.chapter, reading)
    text = norm(extracted)
    problems: list[str] = []
    if reading.notes == "inline":
        text, problems = _cut(text, notes, norm)
        found, _ = _search(text, body, norm)
        problems = found + problems
    elif reading.notes == "separate":
        problems, _ = _search(text, body, norm)
        problems += _search(norm(notes_text or ""), notes, norm)[0]
    else:
        problems, _ = _search(text, body + notes, norm)
    count = len(body) + len(notes)
    notes_part = f" and {len(expected.chapter.notes)} notes" if notes else ""
    return verdict(RULE, TITLE, problems,
                   f"all {count} texts of {expected.chapter.path.name} (every block{notes_part}) found in order ({reader})")


def _labels_translated(expected: Expected, strict: bool) -> CheckResult:
    """The words docbuild adds (layouts/labels/) are in the edition's language, not a copy of the original's."""
    rule, title = "docbuild:labels-translated", "docbuild's own words are translated"
    chapter = expected.chapter
    language = load_language(expected.project.layouts, chapter.lang)
    original = load_labels(expected.project, chapter.translation_of)
    keys = untranslated(expected.labels, original, language.same_as_original)
    if not keys:
        return CheckResult(rule, title, "pass", f"no label of {chapter.lang}.toml is word for word the {original.lang} one")
    shown = ", ".join(keys[:6]) + (" …" if len(keys) > 6 else "")
    return CheckResult(
        rule, title, "fail" if strict else "warn",
        f"{len(keys)} label(s) of layouts/labels/{chapter.lang}.toml are the {original.lang} words unchanged: {shown}; "
        f"translate them (or list a brand in same_as_original in layouts/languages/{language.code}.toml)",
    )


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
        results.append(_labels_translated(expected, strict))
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
