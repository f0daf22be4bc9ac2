"""Checks of the plain-text edition, reading only its bytes.

Plain text has no markup, so its accessibility is its layout: UTF-8 without
a byte-order mark, ``\\n`` line ends, blocks separated by exactly one blank
line, headings underlined (``=`` for the title, ``-`` for sections), the
photo as labelled lines, no hyphen splitting a word.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..model import plain_text
from . import CheckResult, Expected, completeness, verdict
from .completeness import normalise

#: File names in alt text are read aloud by screen readers and say nothing.
FILE_NAME = re.compile(r"\b[\w-]+\.(?:jpe?g|png|gif|tiff?|webp|svg)\b", re.IGNORECASE)
#: The script most letters of a language's text are in (WCAG 3.1.1, as far as plain text can show it).
SCRIPTS = {"en": "LATIN", "ru": "CYRILLIC", "kk": "CYRILLIC", "uk": "CYRILLIC", "fr": "LATIN", "de": "LATIN", "es": "LATIN"}


def check(path: Path, expected: Expected, run_validators: bool = True) -> list[CheckResult]:
    """Every check of one edition. Plain text has no external validator; ``run_validators`` is accepted for a uniform interface."""
    data = path.read_bytes()
    results = [_encoding(data)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return results
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    blocks = text.rstrip("\n").split("\n\n")
    results += [
        _spacing(text),
        _headings(blocks, expected),
        _photo(blocks, expected),
        _hyphenation(text),
        language(text, expected.chapter.lang, "3.1.1"),
        _metadata(blocks, expected),
        completeness.complete(text, expected, "plain text"),
    ]
    return results


def _encoding(data: bytes) -> CheckResult:
    problems = []
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append("starts with a byte-order mark")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(f"not UTF-8 at byte {error.start}")
    if b"\r" in data:
        line = data[: data.index(b"\r")].count(b"\n") + 1
        problems.append(f"line {line} ends with a carriage return; use \\n alone")
    return verdict("docbuild:encoding", "UTF-8, no BOM, \\n line ends", problems, "UTF-8 without BOM, \\n line ends")


def _spacing(text: str) -> CheckResult:
    problems = []
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if line != line.rstrip() or (line and line != line.lstrip()):
            problems.append(f"line {number} has leading or trailing spaces")
    if "\n\n\n" in text:
        problems.append(f"more than one blank line after line {text[: text.index(chr(10) * 3)].count(chr(10)) + 1}")
    if not text.endswith("\n") or text.endswith("\n\n"):
        problems.append("the file must end with exactly one line end")
    return verdict("docbuild:spacing", "one blank line between blocks", problems, "blocks separated by exactly one blank line")


def _underlined(block: str) -> tuple[str, str] | None:
    """(text, rule character) if ``block`` is a heading: one line underlined to its length."""
    lines = block.split("\n")
    if len(lines) == 2 and lines[1] and set(lines[1]) in ({"="}, {"-"}):
        return lines[0], lines[1][0]
    return None


def _headings(blocks: list[str], expected: Expected) -> CheckResult:
    chapter = expected.chapter
    want = [(chapter.meta.title, "=")] + [(plain_text(s.heading), "-") for s in chapter.sections]
    found = []
    problems = []
    for index, block in enumerate(blocks):
        heading = _underlined(block)
        if heading is None:
            continue
        text, rule = heading
        if len(block.split("\n")[1]) != len(text):
            problems.append(f"the underline of '{text}' is not as long as the heading")
        found.append((normalise(text), rule))
        if rule == "=" and index != 0:
            problems.append(f"'{text}' is underlined with '=' but is not the title at the top")
    if found[:1] != [(normalise(want[0][0]), "=")]:
        first = blocks[0].split("\n")[0] if blocks else ""
        problems.insert(0, f"the file starts with '{first[:60]}', not the title '{want[0][0]}' underlined with '='")
    wanted = [(normalise(t), r) for t, r in want]
    if found != wanted and not problems:
        for position, (have, need) in enumerate(zip(found + [None] * len(wanted), wanted)):
            if have != need:
                problems.append(f"heading {position + 1} should be '{need[0]}' underlined with '{need[1]}', found {have}")
                break
    return verdict("1.3.1", "headings underlined, title then sections in order", problems,
                   f"title and {len(want) - 1} section headings underlined, in order")


def _photo(blocks: list[str], expected: Expected) -> CheckResult:
    figure, labels = expected.chapter.figure, expected.labels
    title = "photo as labelled alt text, caption, credit"
    if figure is None:
        return CheckResult("1.1.1", title, "pass", "the source has no photo")
    block = next((b for b in blocks if b.split("\n")[0] == f"[{labels['photo']}]"), None)
    if block is None:
        return CheckResult("1.1.1", title, "fail", f"no block starting with '[{labels['photo']}]'")
    fields = {}
    for line in block.split("\n")[1:]:
        label, _, value = line.partition(": ")
        fields[label] = value
    problems = []
    alt = fields.get(labels["image_description"], "")
    caption = fields.get(labels["caption"], "")
    if not alt.strip():
        problems.append(f"no '{labels['image_description']}:' line with the alt text")
    elif normalise(alt) != normalise(figure.alt):
        problems.append("the image description differs from the source's alt text")
    elif FILE_NAME.search(alt):
        problems.append("the image description names a file")
    if alt and normalise(alt) == normalise(caption):
        problems.append("the image description repeats the caption")
    if normalise(caption) != normalise(plain_text(figure.caption)):
        problems.append(f"no '{labels['caption']}:' line with the source's caption")
    if normalise(fields.get(labels["credit"], "")) != normalise(plain_text(figure.credit)):
        problems.append(f"no '{labels['credit']}:' line with the source's credit")
    return verdict("1.1.1", title, problems, "alt text, caption and credit each on a labelled line")


def _hyphenation(text: str) -> CheckResult:
    problems = []
    if "\u00ad" in text:
        problems.append(f"soft hyphen on line {text[: text.index(chr(0xAD))].count(chr(10)) + 1}")
    for number, line in enumerate(text.split("\n"), start=1):
        if line.endswith(("-", "\u2010")) and set(line) != {"-"}:
            problems.append(f"line {number} ends with a hyphen: a word is split")
    return verdict("docbuild:hyphenation", "no hyphenation splits a word", problems, "no soft hyphens, no word split across lines")


def language(text: str, lang: str, rule: str) -> CheckResult:
    """Most letters are in the script of ``lang``: the best plain text (or any extracted text) can show."""
    title = "text is in the declared language's script"
    script = SCRIPTS.get(lang.split("-")[0])
    if script is None:
        return CheckResult(rule, title, "pass", f"no script rule for '{lang}'; nothing to compare")
    letters = [c for c in text if c.isalpha()]
    share = sum(1 for c in letters if unicodedata.name(c, "").startswith(script)) / max(len(letters), 1)
    problems = [] if share >= 0.6 else [f"only {share:.0%} of letters are {script.title()}, for language '{lang}'"]
    return verdict(rule, title, problems, f"{share:.0%} of letters are {script.title()}, as '{lang}' needs")


def _metadata(blocks: list[str], expected: Expected) -> CheckResult:
    meta, labels = expected.chapter.meta, expected.labels
    colophon = labels.format("published", publisher=meta.publisher, date=labels.date(meta.date))
    present = {normalise(b) for b in blocks}
    problems = []
    if normalise(meta.subtitle) not in present:
        problems.append("the subtitle is missing")
    if normalise(colophon) not in present:
        problems.append(f"the publisher and date line ('{colophon}') is missing")
    if normalise(meta.description) not in present:
        problems.append("the description is missing")
    return verdict("docbuild:metadata", "title, subtitle, publisher, date, description", problems,
                   "subtitle, publisher, date and description present")
