"""The braille edition (BRF): built by the writer directly, read back as bytes and through liblouis.

Each chapter variant is laid out as the A4 PDF (docbuild.writers.pdf.layout_pages,
which test_pdf checks against the rendered PDF) and its BRF rendered with
those print pages; then the file is read as an embosser and a braille reader
would: line and page sizes, characters, page numbers, print page indicators,
transcriber's notes, and what liblouis's ``lou_translate --backward`` gives back.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from docbuild.check import Expected
from docbuild.check import braille as check_braille
from docbuild.check.braille import Brf, back_translate, recall, words
from docbuild.edition import Edition
from docbuild.errors import DocbuildError
from docbuild.labels import load_labels
from docbuild.model import Chapter, Link, Metadata, Paragraph, Span, Text, plain_text
from docbuild.project import Project
from docbuild.reader import read_project
from docbuild.writers.braille import render_brf
from docbuild.writers.braille.louis import BRF, cells_of, to_brf, translate
from docbuild.writers.braille.settings import load_settings
from docbuild.writers.html import counted_characters

from conftest import ROOT, require_tool

PROJECT = Project.at(ROOT)
CHAPTER_SETS = {cs.id: cs for cs in read_project(PROJECT)}
EDITIONS = [(cs.id, c.lang) for cs in CHAPTER_SETS.values() for c in cs.variants]
#: Least back-translation recall for each language: English is the issue's 95%; Russian is what
#: liblouis 3.24 gives back (97.4% and 99.7% measured) less a margin. ru-litbrl.ctb marks only
#: the first of several Latin words and reads the others back as Cyrillic ("Human ригхтс ватцх").
#: Kazakh (read back with layouts/braille/kk-back.utb) and Arabic measure 99.9% and 99.7%; a
#: language not listed needs the check's 95%.
MIN_RECALL = {"en": 0.95, "ru": 0.96, "kk": 0.97, "ar": 0.97}
#: BRF bytes: North American Braille ASCII, CR, LF, form feed.
ALLOWED = set(range(0x20, 0x60)) | {0x0A, 0x0D, 0x0C}


@pytest.fixture(scope="module")
def rendered() -> dict:
    """(chapter, lang) -> (edition with A4 print pages, BRF bytes, A4 page count)."""
    from docbuild.writers.pdf import layout_pages

    out = {}
    for chapter_id, lang in EDITIONS:
        chapter = CHAPTER_SETS[chapter_id].variant(lang)
        edition = Edition(chapter, load_labels(PROJECT, lang), PROJECT)
        layout = layout_pages(edition)
        edition = dataclasses.replace(
            edition, print_pages=dict(layout.pages), print_page_count=layout.page_count,
            print_page_starts=dict(layout.starts),
        )
        out[chapter_id, lang] = (edition, render_brf(edition), layout.page_count)
    return out


def _brf(data: bytes, cells: int = 40, lines: int = 25, lang: str = "en") -> Brf:
    """The BRF's pages, with the page rule and continuation indicator of ``lang`` (braille.toml)."""
    settings = load_settings(PROJECT, lang)
    return Brf(data.decode("ascii"), cells, lines, to_brf(settings.page_rule), to_brf(settings.continuation))


def _expected(edition: Edition) -> Expected:
    chapter = edition.chapter
    return Expected(chapter, CHAPTER_SETS[chapter.id], edition.labels, PROJECT, "a4")


def _back(edition: Edition, data: bytes) -> str:
    require_tool("lou_translate")
    lang = edition.chapter.lang
    return back_translate(_brf(data, lang=lang).text_lines(), load_settings(PROJECT, lang).back_tables)


# --------------------------------------------------------------------------
# The page


@pytest.mark.parametrize("chapter_id,lang", EDITIONS)
def test_pages_lines_and_characters(rendered, chapter_id, lang):
    _, data, _ = rendered[chapter_id, lang]
    assert set(data) <= ALLOWED, sorted({chr(b) for b in data if b not in ALLOWED})
    text = data.decode("ascii")
    assert not re.search(r"(?<!\r)\n|\r(?!\n)", text), "every line ends in CR LF"
    assert text.endswith("\r\n") and not text.endswith("\f")
    pages = _brf(data, lang=lang).pages
    assert text.count("\f") == len(pages) - 1 and pages  # the book's introduction is one braille page
    for number, page in enumerate(pages, start=1):
        assert len(page) == 25, f"page {number} has {len(page)} lines"
        assert all(len(line) <= 40 for line in page), max(page, key=len)
        assert all(line == line.rstrip(" ") for line in page), "no trailing blank cells"
        assert page[-1].endswith("#" + str(number).translate(str.maketrans("1234567890", "ABCDEFGHIJ")))


@pytest.mark.parametrize("chapter_id,lang", EDITIONS)
def test_print_page_indicators_match_the_a4_pdf(rendered, chapter_id, lang):
    _, data, page_count = rendered[chapter_id, lang]
    assert page_count >= 1
    assert _brf(data, lang=lang).print_pages() == list(range(1, page_count + 1))
    # Lines of dots 36 ending in the page number, always the full width of the line.
    for line in data.decode("ascii").split("\r\n"):
        if re.fullmatch(r"-+#[A-J]+", line):
            assert len(line) == 40


def test_a_print_page_that_begins_mid_paragraph_is_marked_before_its_first_word(rendered):
    """Where the A4 page begins inside a paragraph, the line after the indicator starts with that word."""
    require_tool("lou_translate")
    checked = 0
    for (chapter_id, lang), (edition, data, _) in rendered.items():
        lines = data.decode("ascii").replace("\f", "\r\n").split("\r\n")
        for page, (element, offset) in edition.print_page_starts.items():
            block = edition.chapter.find(element)
            if offset == 0 or not isinstance(block, Paragraph) or page == 1:
                continue
            text = plain_text(block.content)
            seen = 0
            for index, char in enumerate(text):
                if counted_characters(char):
                    if seen == offset:
                        break
                    seen += 1
            start = index
            while start and not text[start - 1].isspace():
                start -= 1
            word = words(text[start:])[0]
            number = "#" + str(page).translate(str.maketrans("1234567890", "ABCDEFGHIJ"))
            at = next(i for i, line in enumerate(lines) if re.fullmatch(rf"-+{number}", line))
            after = back_translate([lines[at + 1].strip()], load_settings(PROJECT, lang).back_tables)
            assert words(after)[0] == word, (chapter_id, lang, page, after, text[start:start + 40])
            checked += 1
    assert checked, "no print page of the samples begins mid-paragraph any more: choose another case"


def test_page_furniture_top_and_bottom(rendered):
    """Braille page numbers bottom right; print page numbers top right, continuation letters on continued pages."""
    _, data, _ = rendered["kazakhstan", "en"]
    pages = _brf(data).pages
    assert re.search(r" {3}#A$", pages[0][0]), pages[0][0]  # print page 1 begins on braille page 1
    tops = [re.search(r"([A-Z]*)(#[A-J]+)$", page[0]) for page in pages]
    assert all(tops)
    assert any(top.group(1) == "A" for top in tops), "a print page running on to a second braille page is a1, a2..."


def test_custom_page_size(rendered):
    edition, _, page_count = rendered["kazakhstan-january", "en"]
    data = render_brf(edition, cells=32, lines=20)
    brf = _brf(data, 32, 20)
    assert all(len(page) == 20 and all(len(line) <= 32 for line in page) for page in brf.pages)
    assert brf.print_pages() == list(range(1, page_count + 1))


def test_deterministic(rendered):
    edition, data, _ = rendered["kazakhstan", "ru"]
    assert render_brf(edition) == data


# --------------------------------------------------------------------------
# The text


@pytest.mark.parametrize("chapter_id,lang", EDITIONS)
def test_back_translation_recovers_the_words(rendered, chapter_id, lang):
    edition, data, _ = rendered[chapter_id, lang]
    share, found, total = recall(_back(edition, data), _expected(edition))
    print(f"\nback-translation {chapter_id}-{lang}: {share:.1%} ({found} of {total} words)")
    assert share >= MIN_RECALL.get(lang, check_braille.RECALL), f"{chapter_id}-{lang}: {share:.1%} ({found} of {total})"


@pytest.mark.parametrize("chapter_id,lang", EDITIONS)
def test_a_transcribers_note_for_each_figure(rendered, chapter_id, lang):
    edition, data, _ = rendered[chapter_id, lang]
    chapter = edition.chapter
    figures = [chapter.figure] if chapter.figure else []
    figures += [block for block in chapter.walk() if block.__class__.__name__ == "Figure"]
    back = words(_back(edition, data))
    label = words(edition.labels["transcriber_note"])
    notes = [i for i in range(len(back)) if back[i:i + len(label)] == label]
    assert len(notes) == len(figures)  # none in the book's introduction
    for at, figure in zip(notes, figures):
        after = back[at:at + 40]
        assert words(edition.labels["image_description"])[0] in after
        assert sum(word in after for word in words(figure.alt)[:5]) >= 4, (figure.alt, after)
    settings = load_settings(PROJECT, lang)
    if settings.note_open:  # transcriber's note indicators around each note (UEB's: "@.<" ... "@.>")
        text = data.decode("ascii")
        assert text.count(to_brf(settings.note_open)) == text.count(to_brf(settings.note_close)) == len(figures)


def test_text_layout_conventions(rendered):
    """Title centred on line 1, paragraphs at cell 3, headings after a blank line, box lines."""
    _, data, _ = rendered["kazakhstan-january", "en"]
    lines = data.decode("ascii").replace("\f", "\r\n").split("\r\n")
    title = lines[0].rsplit("   ", 1)[0]
    assert title.startswith("   ") and not title.startswith(" " * 12)  # centred: blank cells on both sides
    assert re.match(r"  [^ ]", lines[4]), "first paragraph indented to cell 3"
    # Box lines, full width (less the page number on a page's first or last line).
    assert any(re.fullmatch(r"7{30,40}(   +[A-Z]*#[A-J]+)?", line) for line in lines)
    assert any(re.fullmatch(r"G{30,40}(   +[A-Z]*#[A-J]+)?", line) for line in lines)
    assert any(line.startswith("_4 ") for line in lines), "bulleted items at cell 1"
    for page in _brf(data).pages:  # blank lines fill a page's end; above them, never two in a row
        body = "\n".join(page[:-1]).rstrip("\n")
        assert "\n\n\n" not in body and not body.startswith("\n")


def test_long_words_and_addresses_are_divided_with_their_signs():
    """A web address longer than a line ends each piece with the continuation indicator (dot 5),
    a word longer than a line with the hyphen (dots 36); both read back whole."""
    require_tool("lou_translate")
    url = "https://www.example.org/" + "/".join(["reports"] * 12) + "/index.html"
    word = "pneumonoultramicroscopicsilicovolcanoconiosis" * 2
    chapter = Chapter(
        "sample", "en", Metadata("Title", "Subtitle", "A", "P", "2022-01-27", "D", ()), None,
        (Paragraph((Text("Read "), Link(url, (Text("the report"),)), Text(f" and {word} then stop.")), "p1"),),
        ROOT / "source" / "sample" / "en.md",
    )
    edition = Edition(chapter, load_labels(PROJECT, "en"), PROJECT)
    data = render_brf(edition)
    lines = [line for line in data.decode("ascii").replace("\f", "\r\n").split("\r\n") if line]
    assert all(len(line) <= 40 for line in lines)
    assert sum(line.endswith('"') for line in lines) >= 3
    assert any(line.endswith("-") for line in lines)
    back = back_translate(_brf(data).text_lines(), "en-ueb-g2.ctb")
    assert url.split("//")[1] in back.replace(" ", "")
    assert word in back.replace("- ", "")  # the check leaves divided words divided


def test_foreign_spans_and_characters_no_table_has():
    """A Russian span in English is written by the Russian table; a character no table has, as its code point."""
    chapter = Chapter(
        "sample", "en", Metadata("Snow \u2603", "Subtitle", "A", "P", "2022-01-27", "D", ()), None,
        (Paragraph((Text("A snowman \u2603 here, and "), Span("ru", (Text("Казахстан"),)), Text(" in a span.")), "p1"),),
        ROOT / "source" / "sample" / "en.md",
    )
    data = render_brf(Edition(chapter, load_labels(PROJECT, "en"), PROJECT))
    assert set(data) <= ALLOWED
    assert b',U"6#BFJC' in data  # "U+2603" in UEB
    assert b" KAZAHSTAN " in data  # Russian braille letters


def test_arabic_braille_reads_back_as_arabic_text_in_logical_order(rendered):
    """Braille is read left to right in Arabic too: the cells are written in the text's logical
    order (the title's first letter, ك, is the line's first cell), and liblouis reads the file
    back (lou_translate, as the check does) as Arabic text in the source's order, not mirrored."""
    require_tool("lou_translate")
    edition, data, _ = rendered["kazakhstan", "ar"]
    chapter = edition.chapter
    brf = _brf(data, lang="ar")
    title = brf.text_lines()[0]
    assert title == to_brf(translate(load_settings(PROJECT, "ar").tables, chapter.meta.title).cells) == "KAZAXSTAN"
    back = _back(edition, data)
    assert back.split()[0] == chapter.meta.title == "كازاخستان"
    letters = [char for char in back if char.isalpha()]
    assert sum(unicodedata.bidirectional(char) == "AL" for char in letters) / len(letters) > 0.97, back[:200]
    assert not any("\u200e" <= char <= "\u200f" or "\u2066" <= char <= "\u2069" for char in back)
    # The first paragraph's words come back in the source's order (a print page indicator line
    # or a page number inside it is furniture, not text).
    first = next(block for block in chapter.walk() if isinstance(block, Paragraph))
    source = words(plain_text(first.content))
    found = words(back)
    start = found.index(source[0])
    assert found[start:start + len(source)] == source
    assert words(chapter.meta.title[::-1])[0] not in found  # no word reads back mirrored


def test_kazakh_braille_reads_back_with_its_nine_letters(rendered):
    """kk.utb writes the letters Russian lacks but cannot read them back; braille/kk-back.utb can."""
    require_tool("lou_translate")
    edition, data, _ = rendered["kazakhstan", "kk"]
    back = _back(edition, data)
    assert back.split()[0] == "қазақстан"
    used = set("әғқңөұүһі") & set(edition.chapter.path.read_text(encoding="utf-8").lower())
    assert len(used) >= 8 and used <= set(back)
    settings = load_settings(PROJECT, "kk")
    assert settings.tables == "kk.utb" and settings.back_tables.endswith("/layouts/braille/kk-back.utb")


def test_brf_cell_table_is_liblouis_north_american_braille_ascii():
    """The writer's cell -> ASCII table agrees with liblouis's en-us-brf.dis."""
    table = Path("/usr/share/liblouis/tables/en-us-brf.dis")
    if not table.is_file():
        require_tool("lou_translate_missing_tables")
    seen = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        match = re.match(r"display\s+(\S+)\s+(\d+)", line)
        if match:
            char, dots = match.groups()
            char = {"\\s": " ", "\\\\": "\\"}.get(char, char)
            seen.setdefault(cells_of("" if dots == "0" else dots) or "\u2800", char.upper())
    assert {cell: to_brf(cell) for cell in seen} == seen
    assert len(set(BRF)) == 64


def test_settings_errors(tmp_path):
    from docbuild.writers.braille.settings import load_settings

    with pytest.raises(DocbuildError, match="no braille rules for language 'uz'"):
        load_settings(PROJECT, "uz")
    with pytest.raises(DocbuildError, match="cells must be between"):
        load_settings(PROJECT, "en", cells=8)
    layouts = tmp_path / "layouts"
    layouts.mkdir()
    (tmp_path / "source").mkdir()
    text = (ROOT / "layouts" / "braille.toml").read_text(encoding="utf-8")
    (layouts / "braille.toml").write_text(text.replace("braille/kk-back.utb", "braille/missing.utb"), encoding="utf-8")
    with pytest.raises(DocbuildError, match="names braille/missing.utb, which is not a file"):
        load_settings(Project.at(tmp_path), "kk")
    (layouts / "braille.toml").write_text(text.replace('box_top = "2356"', 'box_top = "23-56"', 1), encoding="utf-8")
    with pytest.raises(DocbuildError, match="'box_top' for 'en' must be one cell"):
        load_settings(Project.at(tmp_path), "en")
    assert load_settings(PROJECT, "ar").hyphen == cells_of("36-36")  # a sign of two cells
    assert translate("en-ueb-g2.ctb", "").cells == ""


# --------------------------------------------------------------------------
# docbuild check


@pytest.fixture
def copy(rendered, tmp_path):
    """The English January briefing's BRF in a folder beside an A4 "PDF" with its page count."""
    edition, data, page_count = rendered["kazakhstan-january", "en"]
    path = tmp_path / "kazakhstan-january-en.brf"
    path.write_bytes(data)
    pdf = pikepdf.new()
    for _ in range(page_count):
        pdf.add_blank_page(page_size=(595, 842))
    pdf.save(tmp_path / "kazakhstan-january-en.pdf")
    return path, _expected(edition)


def _results(path, expected) -> dict:
    return {result.rule: result for result in check_braille.check(path, expected)}


def test_check_passes_the_edition(copy):
    require_tool("lou_translate")
    results = _results(*copy)
    assert {rule: r.status for rule, r in results.items() if r.status != "pass"} == {}
    assert re.search(r"gives back \d+\.\d% of the source's words \(\d+ of \d+\)", results["docbuild:brf-back-translation"].reason)
    assert "kazakhstan-january-en.pdf" in results["docbuild:brf-print-pages"].reason


def _edit(path: Path, change) -> None:
    text = path.read_bytes().decode("ascii")
    path.write_bytes(change(text).encode("latin-1"))


def test_check_catches_a_long_line_and_a_lower_case_letter(copy):
    path, expected = copy
    _edit(path, lambda text: text.replace("\r\n", "\r\n" + "A" * 41 + "\r\n", 1).replace(",BRIEF+", ",brief+", 1))
    results = _results(path, expected)
    assert results["docbuild:brf-cells"].status == "fail" and "41 cells" in results["docbuild:brf-cells"].reason
    assert results["docbuild:brf-charset"].status == "fail" and "lower-case" in results["docbuild:brf-charset"].reason


def test_check_catches_a_missing_print_page_and_a_long_page(copy):
    path, expected = copy
    _edit(path, lambda text: re.sub(r"\r\n-+#C\r\n", "\r\n", text, count=1).replace("\f", "\r\n\f", 1))
    results = _results(path, expected)
    assert results["docbuild:brf-print-pages"].status == "fail"
    assert results["docbuild:brf-lines"].status == "fail"


def test_check_catches_missing_text_and_non_brf_bytes(copy):
    require_tool("lou_translate")
    path, expected = copy
    _edit(path, lambda text: text[: len(text) // 2] + "\u00e9")
    results = _results(path, expected)
    assert results["docbuild:brf-charset"].status == "fail"
    assert results["docbuild:brf-back-translation"].status == "fail"


def test_pef_holds_the_same_pages_as_the_brf(rendered):
    """PEF 2008-1: the BRF's pages, cell for cell, as Unicode braille rows."""
    from lxml import etree

    from docbuild.writers.braille import render_pef

    edition, data, _ = rendered["kazakhstan", "ru"]
    pef = render_pef(edition)
    assert render_pef(edition) == pef
    root = etree.fromstring(pef)
    ns = {"p": "http://www.daisy.org/ns/2008/pef", "dc": "http://purl.org/dc/elements/1.1/"}
    assert root.get("version") == "2008-1"
    assert root.findtext("p:head/p:meta/dc:format", namespaces=ns) == "application/x-pef+xml"
    assert root.findtext("p:head/p:meta/dc:language", namespaces=ns) == "ru"
    volume = root.find("p:body/p:volume", ns)
    assert (volume.get("cols"), volume.get("rows")) == ("40", "25")
    pages = [[to_brf(row.text or "") for row in page.findall("p:row", ns)] for page in volume.iter(f"{{{ns['p']}}}page")]
    assert pages == _brf(data, lang="ru").pages
