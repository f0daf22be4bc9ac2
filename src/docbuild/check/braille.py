"""Checks of the braille edition (``.brf``), reading only its bytes and liblouis's ``lou_translate``.

A BRF file is North American Braille ASCII: one byte per cell (0x20-0x5F),
lines ending in CR LF, a form feed between pages. The rules: only those
bytes; no line longer than the page's cells and no page longer than its
lines (``layouts/braille.toml``); the braille page numbers 1..M at the
bottom right; the print page indicators (a line of dots 36 ending in the
page number, or the number top right on a braille page the print page
begins with) 1..N in order, N being the A4 print edition's page count (from
the A4 PDF beside the file, else from laying the source out); a
transcriber's note for each figure, with its image description; and
back-translation: ``lou_translate --backward`` with the language's tables
reads the file back and at least 95% of the source's words come back (word
recall over lower-case words, each counted as often as the source has it;
the tables are braille.toml's ``back_tables`` where the language's own only
translate forward).

The writer uses liblouis through its library and its own cell -> ASCII
table; this check back-translates through the ``lou_translate`` program
with liblouis's BRF display table (``en-us-brf.dis``), so a mistake in the
writer's binding or cell table cannot hide behind the same mistake here. Without ``lou_translate`` the back-translation and the
figure rules are "not run". Only the cells of the digits (the number sign and
one cell per digit, for reading page numbers) are asked of the library.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

from ..model import plain_text
from . import CheckResult, Expected, crashed, expect, not_run, rule, verdict

#: Least share of the source's words the back-translation must give back.
RECALL = 0.95
#: BRF of "1234567890" in the tables of every language so far: the numeric indicator, then a-j.
#: The check asks the language's tables (:func:`number_signs`).
DIGITS = "#ABCDEFGHIJ"
_WORD = re.compile(r"\w+")
#: The liblouis display table that reads BRF ASCII as dots.
BRF_DISPLAY = "en-us-brf.dis"


class Brf:
    """The pages and lines of a BRF file, and the page furniture found on them."""

    def __init__(self, text: str, cells: int, lines: int, page_rule: str, continuation: str, digits: str = DIGITS) -> None:
        """``digits``: "1234567890" as the language's table writes it, the number sign first."""
        self.cells, self.lines = cells, lines
        self.sign, cells_of_digits = digits[:-10], digits[-10:]
        self.digits = str.maketrans(cells_of_digits, "1234567890")
        number = rf"{re.escape(self.sign)}[{re.escape(cells_of_digits)}]+"
        self.pages = [page.split("\r\n") for page in text.split("\f")]
        for page in self.pages:
            if page and page[-1] == "":
                page.pop()  # the line end of the page's last line
        self.indicator = re.compile(rf"^{re.escape(page_rule)}+({number})$")
        # The print page number, after the continuation letter if any: whatever cells the
        # language's letter is (Latin a-z are A-Z in BRF, an Arabic or Kazakh letter may be "/" or ">").
        self.top = re.compile(rf"^(?:(.*\S) {{3,}}| *)(\S*?)({number})$")
        self.bottom = re.compile(rf"^(?:(.*\S) {{3,}}| *)({number})$")
        self.continuation = continuation

    def number(self, brf: str) -> int:
        """A page number's value."""
        return int(brf[len(self.sign):].translate(self.digits))

    def furniture(self, pattern: re.Pattern, line: str) -> re.Match | None:
        """A page number at the right margin: the line ends at the last cell."""
        return pattern.match(line) if len(line) == self.cells else None

    def print_pages(self) -> list[int]:
        """Print page numbers in the order the file marks their beginnings."""
        found = []
        for page in self.pages:
            if not page:
                continue
            top = self.furniture(self.top, page[0])
            if top and not top.group(2):
                found.append(self.number(top.group(3)))
            for line in page[1:]:
                match = self.indicator.match(line)
                if match and len(line) == self.cells:
                    found.append(self.number(match.group(1)))
        return found

    def text_lines(self) -> list[str]:
        """The lines that hold text: page numbers, print page indicator lines and box lines left out;
        a line ending in the continuation indicator joined to the next."""
        out: list[str] = []
        joined = ""
        for page in self.pages:
            for index, line in enumerate(page):
                if index == 0 and (match := self.furniture(self.top, line)):
                    line = match.group(1) or ""
                elif index == len(page) - 1 and (match := self.furniture(self.bottom, line)):
                    line = match.group(1) or ""
                if self.indicator.match(line) or re.fullmatch(r"(.)\1{9,}", line.strip()):
                    continue
                line = line.strip()
                if not line:
                    continue
                if line.endswith(self.continuation) and not line.endswith(" " + self.continuation):
                    joined += line[: -len(self.continuation)]
                    continue
                out.append(joined + line)
                joined = ""
        if joined:
            out.append(joined)
        return out


def check(path: Path, expected: Expected, run_validators: bool = True) -> list[CheckResult]:
    """Every check of one braille edition; liblouis's ``lou_translate`` is the validator."""
    from ..writers.braille.louis import to_brf
    from ..writers.braille.settings import load_settings

    try:
        data = path.read_bytes()
    except OSError as error:
        return [crashed("docbuild:brf-charset", "BRF ASCII only", error)]
    settings = load_settings(expected.project, expected.chapter.lang)
    results = [_charset(data)]
    text = data.decode("latin-1")
    brf = Brf(text, settings.cells, settings.lines, to_brf(settings.page_rule), to_brf(settings.continuation),
              number_signs(settings.tables))
    results += [
        _line_ends(text),
        _line_length(brf),
        _page_length(brf),
        _braille_page_numbers(brf),
        _print_pages(brf, path, expected),
    ]
    # lou_translate takes a fraction of a second: it runs even when the slow validators are skipped.
    program = shutil.which("lou_translate")
    if program is None:
        why = "lou_translate is not installed (Debian: liblouis-bin)"
        results += [not_run("docbuild:brf-back-translation", "liblouis back-translates the source's words", why),
                    not_run("docbuild:brf-figures", "a transcriber's note for each figure", why)]
        return results
    try:
        back = back_translate(brf.text_lines(), settings.back_tables, program)
    except (OSError, subprocess.SubprocessError) as error:
        return results + [crashed("docbuild:brf-back-translation", "liblouis back-translates the source's words", error)]
    results += [_recall(back, expected), _figures(back, expected)]
    return results


def number_signs(tables: str) -> str:
    """"1234567890" in BRF as the tables write it (the writer's page numbers come from the same
    tables): the number sign, then one cell per digit; the usual "#ABCDEFGHIJ" if it is not so."""
    from ..errors import DocbuildError
    from ..writers.braille.louis import to_brf, translate

    try:
        cells = translate(tables, "1234567890").cells
    except (DocbuildError, OSError):  # no liblouis library: the rules that need none still run
        return DIGITS
    if len(cells) < 11 or any(not 0x2800 <= ord(cell) <= 0x283F for cell in cells):
        return DIGITS
    digits = to_brf(cells)
    return digits if " " not in digits and len(set(digits[-10:])) == 10 else DIGITS


def back_translate(lines: list[str], tables: str, program: str = "lou_translate") -> str:
    """BRF lines read back to print by liblouis, one input line each, joined by spaces."""
    if not lines:
        return ""
    done = subprocess.run(
        # lou_translate reads backslash escapes in its input: a BRF backslash (the cell "ou") is written twice.
        [program, "--backward", f"{BRF_DISPLAY},{tables}"], input="\n".join(lines).replace("\\", "\\\\") + "\n",
        capture_output=True, text=True, encoding="utf-8", timeout=300, check=True,
    )
    return " ".join(done.stdout.split("\n"))


def words(text: str) -> list[str]:
    """Lower-case words (letters and digits), compatibility forms folded, ё as е; combining marks
    left out (Arabic short vowels and shadda: optional in print, written before their letter in
    braille); digits of every script as ASCII digits (a braille digit reads back in the table's own)."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ё", "е")
    text = "".join(_fold(char) for char in text)
    return _WORD.findall(text)


def _fold(char: str) -> str:
    if unicodedata.category(char) == "Mn":
        return ""
    digit = unicodedata.decimal(char, None)
    return str(digit) if digit is not None else char


def source_words(expected: Expected) -> list[str]:
    """The words of the source the braille must carry: title, subtitle, every text of the body and
    the notes (with the lead photo's caption and credit), and every figure's alt text."""
    chapter = expected.chapter
    texts = [chapter.meta.title, chapter.meta.subtitle]
    texts += [plain_text(run) for run in chapter.inline_runs()]
    texts += [figure.alt for figure in expect.figures(chapter)]
    return [word for text in texts for word in words(text)]


def recall(back: str, expected: Expected) -> tuple[float, int, int]:
    """(share, words found, words in the source): each source word counted at most as often as the back-translation has it."""
    want = Counter(source_words(expected))
    have = Counter(words(back))
    found = sum(min(count, have[word]) for word, count in want.items())
    total = sum(want.values())
    return (found / total if total else 1.0), found, total


def _recall(back: str, expected: Expected) -> CheckResult:
    share, found, total = recall(back, expected)
    problems = [] if share >= RECALL else [f"back-translation gives back {share:.1%} of the source's words ({found} of {total}); at least {RECALL:.0%} needed"]
    return verdict("docbuild:brf-back-translation", "liblouis back-translates the source's words", problems,
                   f"back-translation gives back {share:.1%} of the source's words ({found} of {total})")


def _figures(back: str, expected: Expected) -> CheckResult:
    """Each figure, in order: the transcriber's note label, then its image description's first words."""
    chapter, labels = expected.chapter, expected.labels
    title = "a transcriber's note for each figure"
    figures = expect.figures(chapter)
    if not figures:
        return CheckResult("docbuild:brf-figures", title, "pass", "the source has no figure")
    flat = words(back)
    label = words(labels["transcriber_note"])
    problems = []
    cursor = 0
    for figure in figures:
        name = expect.figure_name(chapter, figure)
        at = next((i for i in range(cursor, len(flat)) if flat[i:i + len(label)] == label), None)
        if at is None:
            problems.append(f"no transcriber's note ('{labels['transcriber_note']}') for {name}")
            continue
        cursor = at + len(label)
        alt = words(figure.alt)[:6]
        window = Counter(flat[cursor:cursor + len(alt) + 12])
        if sum(min(c, window[w]) for w, c in Counter(alt).items()) < max(len(alt) * 2 // 3, 1):
            problems.append(f"the transcriber's note for {name} does not give its image description (\"{figure.alt[:40]}\")")
    return verdict("docbuild:brf-figures", title, problems,
                   f"{len(figures)} figure(s), each with a transcriber's note giving its image description")


def _charset(data: bytes) -> CheckResult:
    problems = []
    line, page = 1, 1
    for index, byte in enumerate(data):
        if byte == 0x0C:
            page, line = page + 1, 1
        elif byte == 0x0A:
            line += 1
        elif byte != 0x0D and not 0x20 <= byte <= 0x5F:
            what = "a lower-case letter: BRF is upper case" if 0x61 <= byte <= 0x7A else "not BRF ASCII (0x20-0x5F)"
            problems.append(f"byte {index} (page {page}, line {line}) is 0x{byte:02X}, {what}")
    return verdict("docbuild:brf-charset", "BRF ASCII only", problems,
                   "only North American Braille ASCII (0x20-0x5F), CR LF and form feeds")


@rule("docbuild:brf-line-ends", "CR LF line ends, a form feed between pages")
def _line_ends(text: str):
    problems = []
    bare = re.search(r"(?<!\r)\n", text)
    if bare:
        problems.append(f"line {text[: bare.start()].count(chr(10)) + 1} ends in LF without CR")
    if re.search(r"\r(?!\n)", text):
        problems.append("a CR without LF")
    if "\f" not in text and text.count("\r\n") > 100:
        problems.append("no form feed: the pages are not separated")
    return problems, f"CR LF line ends, {text.count(chr(12)) + 1} page(s) separated by form feeds"


@rule("docbuild:brf-cells", "no line longer than the cells of a line")
def _line_length(brf: Brf):
    problems = [f"page {number}, line {index}: {len(line)} cells, more than {brf.cells}"
                for number, page in enumerate(brf.pages, start=1)
                for index, line in enumerate(page, start=1) if len(line) > brf.cells]
    return problems, f"every line at most {brf.cells} cells"


@rule("docbuild:brf-lines", "no page longer than the lines of a page")
def _page_length(brf: Brf):
    problems = [f"page {number} has {len(page)} lines, more than {brf.lines}"
                for number, page in enumerate(brf.pages, start=1) if len(page) > brf.lines]
    return problems, f"{len(brf.pages)} page(s), each at most {brf.lines} lines"


@rule("docbuild:brf-page-numbers", "braille page numbers 1..M at the bottom right")
def _braille_page_numbers(brf: Brf):
    problems = []
    for number, page in enumerate(brf.pages, start=1):
        match = brf.furniture(brf.bottom, page[-1]) if len(page) == brf.lines else None
        if match is None or brf.number(match.group(2)) != number:
            problems.append(f"page {number} has no braille page number {number} at the right of its line {brf.lines}")
    return problems, f"braille pages numbered 1..{len(brf.pages)} at the bottom right"


def print_page_count(path: Path, expected: Expected) -> tuple[int, str]:
    """The A4 edition's page count: from the A4 PDF beside ``path`` if there is one, else by laying the source out."""
    from ..edition import Edition, edition_file_name

    pdf = path.with_name(edition_file_name(expected.chapter.id, expected.chapter.lang, "pdf"))
    if pdf.is_file():
        import pikepdf

        with pikepdf.open(pdf) as document:
            return len(document.pages), pdf.name
    from ..writers.pdf import layout_pages

    layout = layout_pages(Edition(expected.chapter, expected.labels, expected.project))
    return layout.page_count, "the A4 layout of the source"


@rule("docbuild:brf-print-pages", "print page indicators 1..N in order, as the A4 edition")
def _print_pages(brf: Brf, path: Path, expected: Expected):
    count, where = print_page_count(path, expected)
    found = brf.print_pages()
    want = list(range(1, count + 1))
    problems = []
    if found != want:
        problems.append(f"the print page indicators are {found[:20]}, {where} has pages 1..{count}")
    return problems, f"print pages 1..{count} marked in order ({where})"
