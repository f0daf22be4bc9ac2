"""Checks of the plain-text edition, reading only its bytes.

Plain text has no markup, so its accessibility is its layout: UTF-8 without
a byte-order mark, ``\\n`` line ends, blocks separated by exactly one blank
line; headings as blocks of their own, never underlined or framed by rows of
symbols (a braille display shows those as rows of cells); lists numbered
``1.`` or bulleted ``-``/``•``, nested ones indented; tables linearised,
each cell after its column's header label; note references ``[1]`` with
the notes at the end; every link's address written out; each figure as
labelled lines (alt text, caption, credit); no no-break space (it defeats
search); no hyphen splitting a word.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..languages import load_language
from ..model import plain_text
from ..scripts import load_scripts
from . import CheckResult, Expected, completeness, expect, rule, verdict
from .completeness import normalise, squeeze

#: File names in alt text are read aloud by screen readers and say nothing.
FILE_NAME = re.compile(r"\b[\w-]+\.(?:jpe?g|png|gif|tiff?|webp|svg)\b", re.IGNORECASE)


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
        _spacing(text, expected),
        _headings(blocks, text, expected),
        _figures(blocks, expected),
        _lists(text, expected),
        _tables(text, expected),
        _notes(text, expected),
        _urls(text, expected),
        _no_break_spaces(text),
        _hyphenation(text),
        language(text, expected, "3.1.1"),
        _metadata(blocks, expected),
        _raw_markdown(text),
        completeness.complete(text, expected, "plain text", completeness.normalise,
                              completeness.Reading(split_links=True, labelled_tables=True)),
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


#: A list item's line: indentation, then "1." or a bullet, then the text.
_ITEM = re.compile(r"^(?P<indent>[ \t]*)(?P<marker>\d{1,3}[.)]|[-•*])[ \t]+(?P<text>\S.*)$")
#: A row of one symbol repeated (underlines, rules, "* * *"): a braille display shows a row of cells.
_DECORATIVE = re.compile(r"^[ \t]*([^\w\s])(?:[ \t]*\1){2,}[ \t]*$")


def _spacing(text: str, expected: Expected) -> CheckResult:
    """One blank line between blocks; no trailing spaces; indentation only for list items and quotations."""
    problems = []
    lines = text.split("\n")
    quoted = [squeeze(t)[:20] for quote in expect.quotations(expected.chapter)
              for t in [*(expect.lead(b.content) for b in quote.blocks if hasattr(b, "content")), expect.lead(quote.attribution)]
              if squeeze(t)]
    in_item = False
    for number, line in enumerate(lines, start=1):
        # A list item may be indented, and so may the lines that continue it; so may a quotation.
        in_item = bool(_ITEM.match(line)) or (in_item and bool(line))
        indented = line and line != line.lstrip()
        if indented and not in_item and any(q and q in squeeze(line) for q in quoted):
            indented = False
        if line != line.rstrip() or indented and not in_item:
            problems.append(f"line {number} has {'trailing' if line != line.rstrip() else 'leading'} spaces")
    if "\n\n\n" in text:
        problems.append(f"more than one blank line after line {text[: text.index(chr(10) * 3)].count(chr(10)) + 1}")
    if not text.endswith("\n") or text.endswith("\n\n"):
        problems.append("the file must end with exactly one line end")
    return verdict("docbuild:spacing", "one blank line between blocks", problems, "blocks separated by exactly one blank line")


def _is_heading(block: str, heading: str) -> bool:
    """A block of one line that is the heading, perhaps after a marker without letters ("2.1", "##")."""
    if "\n" in block:
        return False
    line, want = normalise(block), normalise(heading)
    return line == want or (line.endswith(" " + want) and not any(c.isalpha() for c in line[: -len(want)]))


def _headings(blocks: list[str], text: str, expected: Expected) -> CheckResult:
    """Each heading is a block of its own, the title first, in order; no decorative rows anywhere."""
    want = expect.headings(expected.chapter, boxes=False)
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        if _DECORATIVE.match(line):
            problems.append(f"line {number} is a decorative row of symbols ('{line.strip()[:20]}'): "
                            "a braille display shows it as a row of cells")
            break
    if not blocks or not _is_heading(blocks[0], want[0].text):
        first = blocks[0].split("\n")[0] if blocks else ""
        problems.append(f"the file starts with '{first[:60]}', not the title '{want[0].text}' as a block of its own")
    cursor = 1
    for heading in want[1:]:
        at = next((i for i in range(cursor, len(blocks)) if _is_heading(blocks[i], heading.text)), None)
        if at is not None:
            cursor = at + 1
            continue
        if any(_is_heading(b, heading.text) for b in blocks):
            problems.append(f"the heading '{heading.text}' is out of order")
        elif any(normalise(heading.text) in normalise(b.split("\n")[0]) for b in blocks):
            problems.append(f"the heading '{heading.text}' is not a block of its own")
        else:
            problems.append(f"the heading '{heading.text}' is missing")
        break
    return verdict("1.3.1", "headings as blocks of their own, in order, no decorative rows", problems,
                   f"title and {len(want) - 1} section headings, each a block of its own, in order; no decorative rows")


def _figure_labels(figure, labels) -> tuple[str, tuple[str, ...]]:
    """The label a figure's block starts with ("Photo", "Chart"), and the labels its credit may have."""
    kind = figure.kind if figure.kind in ("photo", "chart", "map") else "photo"
    credits = tuple(dict.fromkeys(labels[key] for key in (f"credit_{kind}", "credit") if key in labels.table))
    return labels[kind], credits


def _figures(blocks: list[str], expected: Expected) -> CheckResult:
    """Each figure as a block "[Photo]" / "[Chart]" with labelled lines: alt text, caption, credit."""
    chapter, labels = expected.chapter, expected.labels
    title = "figures as labelled alt text, caption, credit"
    wanted = expect.figures(chapter)
    if not wanted:
        return CheckResult("1.1.1", title, "pass", "the source has no figure")
    problems = []
    cursor = 0
    for figure in wanted:
        name = expect.figure_name(chapter, figure)
        kind, credit_labels = _figure_labels(figure, labels)
        at = next((i for i in range(cursor, len(blocks)) if re.match(rf"\[{re.escape(kind)}(?:\s[^\]]*)?\]$", blocks[i].split("\n")[0])), None)
        if at is None:
            problems.append(f"no block starting with '[{kind}]' for {name}")
            continue
        cursor = at + 1
        fields = {}
        for line in blocks[at].split("\n")[1:]:
            label, _, value = line.partition(": ")
            fields[label] = value
        alt = fields.get(labels["image_description"], "")
        caption = fields.get(labels["caption"], "")
        credit = next((fields[label] for label in credit_labels if label in fields), "")
        if not alt.strip():
            problems.append(f"{name}: no '{labels['image_description']}:' line with the alt text")
        elif normalise(alt) != normalise(figure.alt):
            problems.append(f"{name}: the image description differs from the source's alt text")
        elif FILE_NAME.search(alt):
            problems.append(f"{name}: the image description names a file")
        if alt and normalise(alt) == normalise(caption):
            problems.append(f"{name}: the image description repeats the caption")
        if normalise(caption) != normalise(plain_text(figure.caption)):
            problems.append(f"{name}: no '{labels['caption']}:' line with the source's caption")
        if normalise(credit) != normalise(plain_text(figure.credit)):
            problems.append(f"{name}: no '{credit_labels[0]}:' line with the source's credit")
    return verdict("1.1.1", title, problems, f"{len(wanted)} figure(s), each with alt text, caption and credit on labelled lines")


@rule("1.3.1-lists", "lists numbered 1. or bulleted, nested ones indented")
def _lists(text: str, expected: Expected):
    lines = text.split("\n")
    problems = []
    cursor = 0
    count = 0
    indents: list[tuple[int, int]] = []  # (depth, indent) of the items found so far, to compare nesting
    for source, index in expect.list_items(expected.chapter):
        want = normalise(source.leads[index])[:30]
        if not want:
            continue
        item = expect.item_name(source, index)
        at = next((i for i in range(cursor, len(lines)) if want in normalise(lines[i])), None)
        if at is None:
            problems.append(f"{item} is missing: \"{want}\"")
            continue
        cursor = at + 1
        count += 1
        match = _ITEM.match(lines[at])
        if match is None or not normalise(match["text"]).startswith(want):
            problems.append(f"{item} is not on a line of its own starting with {'a number' if source.ordered else 'a bullet'}")
            continue
        marker = match["marker"]
        if source.ordered and marker.rstrip(".)") != str(source.start + index):
            problems.append(f"{item} is marked '{marker}'")
        elif not source.ordered and marker[0].isdigit():
            problems.append(f"{item} is bulleted in the source, numbered '{marker}' here")
        indent = len(match["indent"].expandtabs(4))
        parent = next((i for d, i in reversed(indents) if d < source.depth), None)
        if parent is not None and indent <= parent:
            problems.append(f"{item} is nested in the source but not indented more than the item it belongs to")
        indents = [(d, i) for d, i in indents if d < source.depth] + [(source.depth, indent)]
    return problems, f"{count} list items on lines of their own, numbered or bulleted, nested ones indented"


def _lines_normalised(text: str) -> str:
    return "\n".join(normalise(line) for line in text.split("\n"))


@rule("1.3.1-tables", "tables linearised: caption, each cell after its header label")
def _tables(text: str, expected: Expected):
    flat = _lines_normalised(text)
    problems = []
    cursor = 0
    for source in expect.tables(expected.chapter):
        caption = normalise(source.caption)
        at = flat.find(caption, cursor)
        if at < 0:
            problems.append(f"the caption of {source.where} is missing: \"{caption[:40]}\"")
            continue
        cursor = at + len(caption)
        header = [normalise(h) for h in source.header_leads]
        for row_number, row in enumerate(source.row_leads, start=1):
            for column, cell in enumerate(row):
                cell = normalise(cell)
                label = header[column] if column < len(header) else ""
                if source.header_column and column == 0:
                    label = ""  # the row's own header: its text is its label
                found = _labelled(flat, cursor, label, cell)
                if found is None:
                    problems.append(f"cell ({row_number}, {column + 1}) of {source.where}, '{cell[:30]}', "
                                    f"does not follow its header label '{label}' on a line")
                    return problems, ""
                cursor = found
    count = len(expect.tables(expected.chapter))
    return problems, f"{count} table(s): caption, then each cell after its header label"


def _labelled(flat: str, cursor: int, label: str, cell: str) -> int | None:
    """The end of ``cell`` after the next ``label`` from ``cursor``, on the same line; None if it is not there.

    Only the next label counts: each row repeats the labels, so a later one belongs to another row.
    """
    start = flat.find(label, cursor) if label else cursor
    if start < 0:
        return None
    end_of_line = flat.find("\n", start + len(label) + (0 if label else 1))
    end_of_line = len(flat) if end_of_line < 0 else end_of_line
    if not label:  # a row header: the first cell of the row, on the next line that holds it
        found = flat.find(cell, start)
        return None if found < 0 else found + len(cell)
    found = flat.find(cell, start + len(label), end_of_line)
    return None if found < 0 else found + len(cell)


@rule("1.3.1-notes", "note references [1] in the text, notes at the end")
def _notes(text: str, expected: Expected):
    chapter = expected.chapter
    lines = text.split("\n")
    problems = []
    first_note = None
    cursor = 0
    for note in chapter.notes:
        first = note.blocks[0] if note.blocks else None
        want = normalise(expect.lead(first.content))[:30] if first is not None and hasattr(first, "content") else ""
        marker = f"[{note.number}]"
        at = next((i for i in range(cursor, len(lines))
                   if lines[i].startswith(marker) and normalise(lines[i][len(marker):]).startswith(want)), None)
        if at is None:
            problems.append(f"no line starting '{marker} {want[:30]}' for note {note.number} ('{note.label}')")
            continue
        first_note = at if first_note is None else first_note
        cursor = at + 1
    body = "\n".join(lines[:first_note] if first_note is not None else lines)
    found = [int(n) for n in re.findall(r"\[(\d{1,3})\]", body)]
    wanted = [ref.number for ref in expect.note_refs(chapter)]
    if found != wanted:
        problems.append(f"the text refers to notes {found[:12]}, the source to {wanted[:12]}")
    return problems, (f"{len(wanted)} note reference(s) [n] in the text, {len(chapter.notes)} note(s) at the end"
                      if chapter.notes else "no notes in the source")


@rule("docbuild:urls", "every link's address written out")
def _urls(text: str, expected: Expected):
    urls = expect.external_urls(expected.chapter)
    problems = []
    for url in urls:
        shown = url.removeprefix("mailto:")
        if not re.search(re.escape(shown) + r"(?![\w/])", text):
            problems.append(f"the address {url} is not written out")
    return problems, f"{len(urls)} link address(es), each written out"


#: Spaces that do not break (or join words invisibly): a search for "10 000" does not find "10\u00a0000".
_NO_BREAK = {"\u00a0": "no-break space", "\u202f": "narrow no-break space", "\u2007": "figure space",
             "\u2060": "word joiner", "\ufeff": "zero-width no-break space"}


@rule("docbuild:nbsp", "no no-break spaces")
def _no_break_spaces(text: str):
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        for char, name in _NO_BREAK.items():
            if char in line:
                at = line.index(char)
                problems.append(f"line {number} has a {name} (U+{ord(char):04X}): \"{line[max(at - 20, 0): at + 20]}\"")
    return problems, "only ordinary spaces"


@rule("docbuild:raw-markdown", "no Markdown syntax left in the text")
def _raw_markdown(text: str):
    return expect.raw_markdown(text, "the text"), "no Markdown syntax in the text"


def _hyphenation(text: str) -> CheckResult:
    problems = []
    if "\u00ad" in text:
        problems.append(f"soft hyphen on line {text[: text.index(chr(0xAD))].count(chr(10)) + 1}")
    for number, line in enumerate(text.split("\n"), start=1):
        if line.endswith(("-", "\u2010")) and set(line) != {"-"}:
            problems.append(f"line {number} ends with a hyphen: a word is split")
    return verdict("docbuild:hyphenation", "no hyphenation splits a word", problems, "no soft hyphens, no word split across lines")


def language(text: str, expected: Expected, rule: str) -> CheckResult:
    """Most letters are in the script of the chapter's language (``layouts/languages/``, ranges from
    ``layouts/scripts.toml``): the best plain text (or any extracted text) can show."""
    title = "text is in the declared language's script"
    lang = expected.chapter.lang
    script = load_language(expected.project.layouts, lang).script
    scripts = load_scripts(expected.project.layouts)
    letters = [c for c in text if c.isalpha()]
    share = sum(1 for c in letters if (found := scripts.of(c)) is not None and found.code == script) / max(len(letters), 1)
    problems = [] if share >= 0.6 else [f"only {share:.0%} of letters are {script}, for language '{lang}'"]
    return verdict(rule, title, problems, f"{share:.0%} of letters are {script}, as '{lang}' needs")


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
