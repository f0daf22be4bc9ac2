"""Searching the Russian editions as readers do (issue 12, defect 4).

A reader types "в Казахстане" with an ordinary space. Typography binds short
words to the next one with a no-break space (U+00A0) so that they never end
a line; a reading system whose search compares strings (epub.js, and so
Foliate 2) then finds nothing, and neither does ``grep`` in the text edition.

- EPUB: each content document is opened in Chromium and searched as epub.js
  does (the DOM's text, lower-cased, ``indexOf`` with the query as typed);
  Chromium's own find-in-page (``window.find``) must agree.
- Text edition: the file's text, searched for the phrase as typed.

The count must equal the phrase's count in the source, read as text from the
Markdown file (body, title, subtitle, photo caption and credit; the text
edition also prints the description).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from docbuild.project import Project
from docbuild.reader import read_project

from conftest import ROOT
from real_readers import Browser, editions_folder, unzip

PHRASES = ("в Казахстане", "на мирные собрания")
RUSSIAN = [cs.id for cs in read_project(Project.at(ROOT)) if any(c.lang == "ru" for c in cs.variants)]


def _source_texts(chapter_id: str) -> tuple[str, str]:
    """(what the EPUB shows, the description) of the Russian source, as plain text with ordinary spaces."""
    text = (ROOT / "source" / chapter_id / "ru.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    figure = meta.get("figure") or {}
    fields = [meta["title"], meta["subtitle"], figure.get("caption", ""), figure.get("credit", "")]
    body = re.sub(r"^\{#[^}]*\}\s*$", "", body, flags=re.M)  # block ids
    shown = " ".join(fields) + "\n" + body
    shown = re.sub(r"\[([^\]]*)\]\{[^}]*\}", r"\1", shown)  # [text]{lang=en}
    return " ".join(shown.split()), " ".join(meta.get("description", "").split())


def _count(text: str, phrase: str) -> int:
    return text.lower().count(phrase.lower())


@pytest.fixture(scope="module")
def built(dist) -> Path:
    return editions_folder(dist, "epub", "txt")


@pytest.fixture(scope="module")
def browser():
    chromium = Browser()
    yield chromium
    chromium.close()


_EPUBJS_SEARCH = """(query) => {
    // epub.js Section.search: the text of the document's text nodes, lower-cased, searched with indexOf.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    let text = "";
    for (let node = walker.nextNode(); node; node = walker.nextNode()) text += node.textContent;
    text = text.toLowerCase();
    let count = 0, at = -1;
    while ((at = text.indexOf(query.toLowerCase(), at + 1)) >= 0) count++;
    return count;
}"""

_FIND_IN_PAGE = """(query) => {
    window.getSelection().removeAllRanges();
    let count = 0;
    while (count < 1000 && window.find(query, false, false, false, false, false, false)) count++;
    return count;
}"""


@pytest.mark.parametrize("chapter_id", RUSSIAN)
@pytest.mark.parametrize("phrase", PHRASES)
def test_epub_search_finds_every_occurrence(built: Path, browser: Browser, tmp_path: Path, chapter_id: str, phrase: str) -> None:
    """Defect 4: the phrase typed with an ordinary space is found in the EPUB's text as often as the source has it."""
    shown, _ = _source_texts(chapter_id)
    expected = _count(shown, phrase)
    folder = unzip(built / f"{chapter_id}-ru.epub", tmp_path)
    found = find = 0
    for document in ("cover.xhtml", "chapter.xhtml"):
        page = browser.open(folder / document)
        try:
            found += page.evaluate(_EPUBJS_SEARCH, phrase)
            find += page.evaluate(_FIND_IN_PAGE, phrase)
        finally:
            page.close()
    assert (found, find) == (expected, expected)


@pytest.mark.parametrize("chapter_id", RUSSIAN)
@pytest.mark.parametrize("phrase", PHRASES)
def test_text_edition_search_finds_every_occurrence(built: Path, chapter_id: str, phrase: str) -> None:
    """Defect 4: ``grep`` for the phrase in the text edition finds it as often as the source has it."""
    shown, description = _source_texts(chapter_id)
    text = (built / f"{chapter_id}-ru.txt").read_text(encoding="utf-8")
    # Lines are not wrapped in the text edition; a phrase never spans two lines.
    assert _count(text, phrase) == _count(shown, phrase) + _count(description, phrase)
    assert "\u00a0" not in text


def test_the_sample_has_the_phrase() -> None:
    """The test above means something: the source has the phrase, also right after a short word's no-break space."""
    shown, _ = _source_texts("kazakhstan")
    assert _count(shown, "в Казахстане") >= 5
