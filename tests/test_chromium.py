"""The EPUB as a browser-based reading system shows it: Chromium's accessibility tree and layout (issue 12).

Each content document of each EPUB is opened in Debian's Chromium (Playwright
for Python, tests/real_readers.py) and the tests assert on what Chromium exposes
to a screen reader (the accessibility tree, CDP ``Accessibility.getFullAXTree``)
or lays out, compared with the source read through the reader:

- one ``main`` landmark, holding the h1; no ``region`` landmarks from
  sections; each box a ``complementary`` landmark with a name of its own
  (defect 5);
- heading levels in the model's order; every image named by its alt text;
  the captions and credits reachable as text; English spans in ``lang="en"``;
  lists with their items, tables with column headers, notes linked both ways;
- one page marker per print page, named, never read as text, at the word
  its print page begins with (defect 3);
- the cover image named by a short text, not the photo's description, and
  the placeholder note heard once (defect 6);
- the publisher's name, kept in English in a Russian edition, in
  ``lang="en"`` (defect 9);
- at 360 CSS pixels and 200 % text, nothing wider than the screen and no word
  split without a hyphen (defect 7).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from docbuild import model as m
from docbuild.labels import load_labels
from docbuild.languages import load_language
from docbuild.model import Figure, plain_text
from docbuild.project import Project
from docbuild.reader import read_project

from conftest import ROOT, require_tool
from real_readers import Browser, ax_tree, editions_folder, normal, unzip

PROJECT = Project.at(ROOT)
CHAPTER_SETS = {cs.id: cs for cs in read_project(PROJECT)}
BOOKS = [(cs.id, c.lang) for cs in CHAPTER_SETS.values() for c in cs.variants]
RUSSIAN = [book for book in BOOKS if book[1] == "ru"]


def _ids(books: list[tuple[str, str]]) -> list[str]:
    return [f"{chapter}-{lang}" for chapter, lang in books]


def model(book: tuple[str, str]) -> m.Chapter:
    return CHAPTER_SETS[book[0]].variant(book[1])


@pytest.fixture(scope="module")
def built(dist) -> Path:
    return editions_folder(dist, "pdf", "epub")


@pytest.fixture(scope="module")
def browser():
    chromium = Browser()
    yield chromium
    chromium.close()


@pytest.fixture(scope="module")
def unpacked(built: Path, tmp_path_factory) -> dict:
    """Each book's package folder, unzipped once."""
    out = tmp_path_factory.mktemp("epubs")
    return {book: unzip(built / f"{book[0]}-{book[1]}.epub", out / f"{book[0]}-{book[1]}") for book in BOOKS}


@pytest.fixture(scope="module")
def readings(browser: Browser, unpacked: dict) -> dict:
    """(book) -> (accessibility tree, page) of its chapter document; the page stays open for DOM queries."""
    found = {}
    for book, folder in unpacked.items():
        page = browser.open(folder / "chapter.xhtml")
        found[book] = (ax_tree(page), page)
    return found


def _nodes(tree, role: str) -> list:
    return [node for node in tree.walk() if node.role == role]


# --------------------------------------------------------------------------
# Landmarks and headings (defect 5)


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_one_main_landmark_holds_the_title(readings, book) -> None:
    """One ``main``; the h1 (the chapter title) is inside it, so "skip to main content" never skips the title."""
    tree, _ = readings[book]
    (main,) = _nodes(tree, "main")
    (h1,) = [node for node in _nodes(tree, "heading") if node.properties.get("level") == 1]
    assert main in list(h1.ancestors())
    assert normal(h1.name) == normal(model(book).meta.title)
    assert _nodes(tree, "banner") == [], "the title block is not a page banner"


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_no_region_landmarks_and_named_complementary(readings, book) -> None:
    """Sections are not ``region`` landmarks; each box is a ``complementary`` landmark with a name of its own."""
    tree, _ = readings[book]
    assert [node.name for node in _nodes(tree, "region")] == []
    boxes = [block for block in model(book).walk() if isinstance(block, m.Box)]
    names = [normal(node.name) for node in _nodes(tree, "complementary")]
    assert names == [normal(plain_text(box.title)) for box in boxes]
    assert all(names) and len(set(names)) == len(names)


def _expected_headings(chapter: m.Chapter) -> list[int]:
    levels = [1]
    for block in chapter.walk():
        if isinstance(block, (m.Section, m.Box)):
            levels.append(block.level)
    return levels + ([2] if chapter.notes else [])


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_heading_levels_in_order(readings, book) -> None:
    """The headings Chromium exposes, with their levels, are the model's, in its order (WCAG 1.3.1, 2.4.6)."""
    tree, _ = readings[book]
    assert [node.properties.get("level") for node in _nodes(tree, "heading")] == _expected_headings(model(book))


# --------------------------------------------------------------------------
# Figures, language, structure


def _figures(chapter: m.Chapter) -> list[Figure]:
    return ([chapter.figure] if chapter.figure else []) + [b for b in chapter.walk() if isinstance(b, Figure)]


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_images_are_named_by_their_alt_text(readings, book) -> None:
    """Every image's accessible name is its figure's alt text (WCAG 1.1.1), in reading order."""
    tree, _ = readings[book]
    assert [normal(node.name) for node in _nodes(tree, "image")] == [normal(f.alt) for f in _figures(model(book))]


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_captions_and_credits_are_read(readings, book) -> None:
    """Each figure's caption and credit reach the reader as text, after its image, not hidden in its name."""
    tree, _ = readings[book]
    images = _nodes(tree, "image")
    everything = list(tree.walk())
    for node, figure in zip(images, _figures(model(book))):
        after = normal("".join(n.name for n in everything[everything.index(node) + 1:] if n.role == "StaticText"))
        assert normal(plain_text(figure.caption)) in after
        assert normal(plain_text(figure.credit)) in after
        assert normal(plain_text(figure.caption)) not in normal(node.name)


_LANG_OF_TEXT = """(wanted) => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = {};
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.data.replace(/\\s+/g, " ").trim();
        if (!wanted.includes(text)) continue;
        const holder = node.parentElement.closest("[lang]");
        (found[text] = found[text] || []).push(holder ? holder.getAttribute("lang") : null);
    }
    return found;
}"""


@pytest.mark.parametrize("book", RUSSIAN, ids=_ids(RUSSIAN))
def test_english_spans_are_lang_en(readings, book) -> None:
    """Each English span of the Russian text is in an element whose nearest ``lang`` is ``en`` (WCAG 3.1.2)."""
    _, page = readings[book]
    chapter = model(book)
    wanted = sorted({normal(plain_text(span.children)) for run in chapter.inline_runs()
                     for span in m.spans(run) if span.lang == "en"})
    assert wanted
    found = page.evaluate(_LANG_OF_TEXT, wanted)
    for text in wanted:
        assert found.get(text) and set(found[text]) == {"en"}, (text, found.get(text))


_COLOPHON_NAME = """(name) => {
    const footer = document.querySelector("body > footer");
    if (!footer) return null;
    const walker = document.createTreeWalker(footer, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.data.includes(name)) {
            const holder = node.parentElement.closest("[lang]");
            return {lang: holder ? holder.getAttribute("lang") : null, text: node.data};
        }
    }
    return {lang: "missing", text: footer.textContent};
}"""


@pytest.mark.parametrize("book", RUSSIAN, ids=_ids(RUSSIAN))
def test_publisher_name_is_lang_en(readings, book) -> None:
    """Defect 9: the colophon (contentinfo) names the publisher, and the name, kept in English in a Russian
    edition, is read in English: its text is in an element whose nearest ``lang`` is ``en``."""
    tree, page = readings[book]
    meta = model(book).meta
    assert meta.names_lang == "en"
    (footer,) = _nodes(tree, "contentinfo")
    assert meta.publisher in footer.text()
    assert page.evaluate(_COLOPHON_NAME, meta.publisher) == {"lang": "en", "text": meta.publisher}


def _model_lists(chapter: m.Chapter) -> list[int]:
    """Item counts of the lists a reader meets, in document order: the body's, the endnotes', the notes' own."""
    body = [len(b.items) for b in chapter.walk() if isinstance(b, m.List)]
    notes = [len(b.items) for note in chapter.notes for b in m.walk(note.blocks) if isinstance(b, m.List)]
    return body + ([len(chapter.notes)] + notes if chapter.notes else [])


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_lists_are_lists(readings, book) -> None:
    """Every list is a ``list`` with as many items as the source list (an endnote is a ``doc-endnote`` item)."""
    tree, _ = readings[book]
    counts = [len([c for c in node.children if c.role in ("listitem", "doc-endnote")]) for node in _nodes(tree, "list")]
    assert counts == _model_lists(model(book))


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_tables_have_column_headers(readings, book) -> None:
    """Each table exposes its header row as column headers (and its header column as row headers)."""
    tree, _ = readings[book]
    tables = [b for b in model(book).walk() if isinstance(b, m.Table)]
    exposed = _nodes(tree, "table")
    assert len(exposed) == len(tables)
    for node, table in zip(exposed, tables):
        headers = [normal(n.name) for n in node.walk() if n.role == "columnheader"]
        assert headers == [normal(plain_text(cell)) for cell in table.header]
        rows = [n for n in node.walk() if n.role == "rowheader"]
        assert len(rows) == (len(table.rows) if table.header_column else 0)
        assert normal(node.name) == normal(plain_text(table.caption))


_LINKS = """() => Array.from(document.querySelectorAll('a[href^="#"]')).map(a => ({
    role: a.getAttribute("role"), href: a.getAttribute("href"),
    target: document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1))) !== null,
    targetRole: (document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1))) || {getAttribute: () => null}).getAttribute("role"),
}))"""


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_note_references_and_back_links_resolve(readings, book) -> None:
    """Every internal link leads somewhere; a note reference to its note, the note's back-link to a reference."""
    tree, page = readings[book]
    links = page.evaluate(_LINKS)
    assert [link["href"] for link in links if not link["target"]] == []
    refs = [link for link in links if link["role"] == "doc-noteref"]
    backs = [link for link in links if link["role"] == "doc-backlink"]
    chapter = model(book)
    assert len(refs) == sum(1 for run in chapter.inline_runs() for n in m.inline_nodes(run) if isinstance(n, m.NoteRef))
    assert len(backs) == len(chapter.notes)
    assert all(link["targetRole"] == "doc-noteref" for link in backs)
    labels = load_labels(PROJECT, book[1])
    names = [normal(n.name) for n in tree.walk() if n.role == "doc-noteref"]
    assert len(names) == len(refs) and all(re.fullmatch(labels["note"].format(number=r"\d+"), name) for name in names)


# --------------------------------------------------------------------------
# Print page markers (defect 3)


def _pdf_pages(pdf: Path) -> int:
    require_tool("pdfinfo")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_page_markers_are_named_and_not_read_as_text(readings, built, book) -> None:
    """One ``doc-pagebreak`` per print page, named "Page N", with no text of its own; no text a reader reads
    (a paragraph's, a cell's, a link's or a heading's name) includes a page label."""
    tree, _ = readings[book]
    labels = load_labels(PROJECT, book[1])
    count = _pdf_pages(built / f"{book[0]}-{book[1]}.pdf")
    markers = _nodes(tree, "doc-pagebreak")
    assert [node.name for node in markers] == [labels.format("page", page=n) for n in range(1, count + 1)]
    assert all(node.children == [] for node in markers), "a marker holds no text"
    label = re.compile(labels["page"].format(page=r"\d+"))
    read = [n for n in tree.walk() if n.role in ("StaticText", "cell", "columnheader", "rowheader", "link", "heading")]
    assert [n.name for n in read if label.search(n.name)] == []


_TEXT_AFTER_MARKERS = """() => {
    const blocks = "p, li, h1, h2, h3, h4, td, th, caption, figcaption, dt, dd";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ALL);
    const found = {};
    let open = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.nodeType === Node.ELEMENT_NODE && node.getAttribute("role") === "doc-pagebreak") {
            const next = node.nextElementSibling;
            const table = next && next.localName === "table" && !(node.nextSibling && node.nextSibling.nodeType === Node.TEXT_NODE && node.nextSibling.data.trim()) ? next : null;
            found[node.id] = {after: "", table: table ? Array.from(table.querySelectorAll(blocks)).map(e => e.textContent).join(" ") : null,
                              thead: table && table.tHead ? table.tHead.textContent : ""};
            open.push(node.id);
        } else if (node.nodeType === Node.TEXT_NODE) {
            const end = node.parentElement.matches(blocks) && !node.nextSibling ? " " : "";
            for (const id of open) found[id].after += node.data + end;
            open = open.filter(id => found[id].after.split(/\\s+/).filter(Boolean).length < 12);
        }
    }
    return found;
}"""


def _pdf_page_words(pdf: Path, number: int, chapter: m.Chapter) -> list[str]:
    """The words of print page ``number`` as pdftotext reads them: hyphenated line ends joined, running heads out."""
    require_tool("pdftotext")
    # -raw reads in drawing order, which is the reading order of left-to-right text; a right-to-left line
    # is drawn in visual order, so for it poppler's reading-order mode, cropped to the text area (the
    # running heads come first otherwise).
    if load_language(ROOT / "layouts", chapter.lang).rtl:
        mode = ["-y", "72", "-H", str(842 - 144), "-x", "0", "-W", "596"]
    else:
        mode = ["-raw"]
    text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), *mode, "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = re.sub("[\u00ad\u2010]\n", "", text)
    text = re.sub("[\u200e\u200f\u202a-\u202e]", "", text)
    return normal(text).split()


def _starts_with(epub_words: list[str], pdf_words: list[str], header: list[str]) -> bool:
    """The EPUB's words after a marker begin the printed page (after a table header the page repeats);
    the first may be the whole of a word whose end begins the page (hyphenated over the page break)."""
    if header and pdf_words[: len(header)] == header:
        pdf_words = pdf_words[len(header):]
    count = min(5, len(epub_words))
    first_ok = epub_words[0] == pdf_words[0] or (epub_words[0].endswith(pdf_words[0]) and len(pdf_words[0]) > 1)
    return first_ok and epub_words[1:count] == pdf_words[1:count]


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_page_markers_stand_where_the_print_page_begins(readings, built, book) -> None:
    """Defect 3 (DAISY): for each page N >= 2, the words right after marker N in the EPUB are the first words
    printed on page N of the A4 PDF (pdftotext), inline in the paragraph when the page begins mid-paragraph."""
    _, page = readings[book]
    pdf = built / f"{book[0]}-{book[1]}.pdf"
    found = page.evaluate(_TEXT_AFTER_MARKERS)
    wrong = []
    for number in range(2, _pdf_pages(pdf) + 1):
        marker = found[f"page-{number}"]
        pdf_words = _pdf_page_words(pdf, number, model(book))
        if marker["table"] is not None:
            # A page that begins inside a table: the marker stands just before the table (a row can hold no
            # marker, and one in a cell would be heard in the cell's name); the page's first row is in it.
            header = normal(marker["thead"]).split()
            rows = pdf_words[len(header):] if pdf_words[: len(header)] == header else pdf_words
            if " ".join(rows[:3]) not in normal(marker["table"]):
                wrong.append(f"page {number}: before a table without {' '.join(rows[:3])!r}")
            continue
        epub_words = normal(marker["after"]).split()
        if not _starts_with(epub_words, pdf_words, []):
            wrong.append(f"page {number}: EPUB {' '.join(epub_words[:6])!r} / PDF {' '.join(pdf_words[:6])!r}")
    assert wrong == []


# --------------------------------------------------------------------------
# Cover (defect 6)


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_cover_is_named_shortly_and_the_photo_described_once(browser, unpacked, readings, book) -> None:
    """The cover page's image is named by a short text with the title (not the photo's 30-word description);
    the photo's description is heard once in the book, and the placeholder note once while it is a placeholder."""
    chapter, labels = model(book), load_labels(PROJECT, book[1])
    page = browser.open(unpacked[book] / "cover.xhtml")
    try:
        cover = ax_tree(page)
    finally:
        page.close()
    names = [normal(n.name) for n in cover.walk() if n.role in ("image", "img", "doc-cover")]
    assert names == [normal(labels.format("cover_alt", title=chapter.meta.title, subtitle=chapter.meta.subtitle))]
    assert len(names[0].split()) <= 20
    tree, _ = readings[book]
    heard = [normal(n.name) for n in cover.walk()] + [normal(n.name) for n in tree.walk()]
    if chapter.figure is not None:
        assert heard.count(normal(chapter.figure.alt)) == 1
        note = normal(labels["placeholder_note"])
        spoken = normal(cover.text()) + " " + normal(tree.text())
        assert spoken.count(note) == (1 if chapter.figure.placeholder else 0)


# --------------------------------------------------------------------------
# Reflow (defect 7)


_REFLOW = """() => {
    document.documentElement.style.fontSize = "200%";
    const width = document.documentElement.clientWidth;
    const wide = [];
    for (const el of document.body.querySelectorAll("*")) {
        if (el.closest("table") && el.localName !== "table") continue;  // inside the table's own scroller
        const box = el.getBoundingClientRect();
        if (box.width && (box.right > width + 1 || box.left < -1)) wide.push(el.tagName + (el.id ? "#" + el.id : "") + " " + Math.round(box.right));
    }
    const split = [], overflow = [], tooLong = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest("table")) continue;  // a table scrolls on its own
        const url = node.parentElement.closest("a.url");  // an address may break anywhere
        const block = node.parentElement.closest("p, li, h1, h2, h3, h4, figcaption, caption, div, blockquote, aside, section, main, body");
        const style = getComputedStyle(block);
        const room = block.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        // Pieces of words: a line may break after a hyphen, a dash or a slash the text has.
        const re = /[^\\s\\-\\u2010\\u2013\\u2014\\/]+[\\-\\u2010\\u2013\\u2014\\/]*/g;
        let match;
        while ((match = re.exec(node.data))) {
            const range = document.createRange();
            range.setStart(node, match.index);
            range.setEnd(node, match.index + match[0].length);
            const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
            const tops = new Set(rects.map(r => Math.round(r.top)));
            if (tops.size > 1 && !url) split.push(match[0]);
            if (rects.some(r => r.right > width + 1)) {
                const wordWidth = range.getBoundingClientRect().width;
                if (url) overflow.push(match[0]);
                else if (wordWidth > room + 1) tooLong.push(match[0]);  // only a hyphenation dictionary can break it
                else overflow.push(match[0]);
            }
        }
    }
    const p = getComputedStyle(document.querySelector("main p"));
    const h = getComputedStyle(document.querySelector("h1"));
    return {scrollWidth: document.scrollingElement.scrollWidth, width, wide, split, overflow, tooLong,
            overflowWrap: p.overflowWrap, wordBreak: p.wordBreak, hyphens: p.hyphens || p.webkitHyphens,
            headingHyphens: h.hyphens || h.webkitHyphens};
}"""


@pytest.mark.parametrize("book", BOOKS, ids=_ids(BOOKS))
def test_reflow_at_360_pixels_and_200_percent(browser, unpacked, book) -> None:
    """Defect 7 (WCAG 1.4.4, 1.4.10): at 360 CSS pixels wide with text at 200 %, the page never scrolls sideways
    (only a table, in its own scroller), and no word is split across lines: paragraphs hyphenate by language
    (hyphens: auto) and never break inside a word without a hyphen (overflow-wrap: normal)."""
    page = browser.open(unpacked[book] / "chapter.xhtml", width=360, height=740)
    try:
        result = page.evaluate(_REFLOW)
    finally:
        page.close()
    assert result["split"] == [], "split without a hyphen: %s" % result["split"][:10]
    assert result["overflowWrap"] == "normal" and result["wordBreak"] == "normal"
    assert result["hyphens"] == "auto" and result["headingHyphens"] == "auto"
    assert result["wide"] == []
    # What runs past the screen is only ever a word longer than its whole line, which a reading system
    # hyphenates (hyphens: auto) with its dictionary for the language; Debian's Chromium has none (they
    # come with its component updater), so here it can only overflow. Nothing else may.
    assert result["overflow"] == []
    if not result["tooLong"]:
        assert result["scrollWidth"] <= 360


def test_landmark_checks_catch_the_old_markup(browser, unpacked, tmp_path: Path) -> None:
    """Defect 5 as it was (title block in a body-level header, every section a named region): Chromium then
    exposes a banner, a main without the h1 and region landmarks, which the tests above reject."""
    folder = unpacked[("kazakhstan", "en")]
    copy = tmp_path / "EPUB"
    shutil.copytree(folder, copy)
    text = (copy / "chapter.xhtml").read_text(encoding="utf-8")
    header = re.search(r'<header class="title-block">.*?</header>\n', text, re.S).group(0)
    text = text.replace(header, "").replace("<main>", header + "<main>", 1)
    text = re.sub(r'<section id="section-([^"]+)"', r'<section id="section-\1" aria-labelledby="\1"', text)
    (copy / "chapter.xhtml").write_text(text, encoding="utf-8")
    page = browser.open(copy / "chapter.xhtml")
    try:
        tree = ax_tree(page)
    finally:
        page.close()
    (main,) = _nodes(tree, "main")
    (h1,) = [node for node in _nodes(tree, "heading") if node.properties.get("level") == 1]
    assert main not in list(h1.ancestors()) and _nodes(tree, "banner")
    assert len(_nodes(tree, "region")) == len(list(model(("kazakhstan", "en")).sections()))
