"""Names a translation keeps from its original are marked in the original's language (issue 12, defect 9).

"Human Rights Watch" in a Russian edition is English: a screen reader must
switch voice for it (WCAG 3.1.2) wherever docbuild itself writes it, not
only where the author marked it. ``Metadata.names_lang`` says the language;
each format is read back the way its readers do:

- PDF: pdf.js's structure tree (Firefox's viewer): the colophon's name is an
  element with ``lang`` ``en``;
- EPUB: the package's ``dc:creator``/``dc:publisher`` carry ``xml:lang``
  (the colophon and cover page are read in Chromium by test_chromium.py);
- DOCX: the colophon's run holding the name has ``w:lang`` ``en-US``;
  LibreOffice, converting the file to HTML, gives it ``lang="en-US"``.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from docbuild.labels import load_labels
from docbuild.project import Project
from docbuild.reader import read_project

from conftest import ROOT, require_tool
from real_readers import editions_folder

PROJECT = Project.at(ROOT)
VARIANTS = {(cs.id, c.lang): c for cs in read_project(PROJECT) for c in cs.variants}
BOOKS = sorted(VARIANTS)
IDS = [f"{chapter}-{lang}" for chapter, lang in BOOKS]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _names_lang(book) -> str | None:
    meta = VARIANTS[book].meta
    return meta.names_lang if meta.names_lang and meta.names_lang != book[1] else None


@pytest.fixture(scope="module")
def built(dist) -> Path:
    return editions_folder(dist, "pdf", "epub", "docx")


def test_russian_editions_keep_the_english_name() -> None:
    """The samples exercise the rule: every Russian variant keeps the English publisher's name."""
    russian = [book for book in BOOKS if book[1] == "ru"]
    assert russian and all(_names_lang(book) == "en" for book in russian)
    assert all(_names_lang(book) is None for book in BOOKS if book[1] == "en")


def _pdfjs_nodes(pdf: Path) -> list[dict]:
    from test_pdfjs import _pdfjs

    found = []

    def walk(node: dict, texts: dict, parents: list) -> str:
        parts = []
        for child in node.get("children", []):
            if child.get("type") == "content":
                parts.append(texts.get(child["id"], ""))
            elif "role" in child:
                entry = {"role": child["role"], "lang": child.get("lang"), "parents": list(parents)}
                found.append(entry)
                entry["text"] = walk(child, texts, parents + [entry])
                parts.append(entry["text"])
        return "".join(parts)

    for page in _pdfjs(pdf)["pages"]:
        texts: dict = {}
        for item in page["text"]:
            if item["id"]:
                texts[item["id"]] = texts.get(item["id"], "") + item["str"]
        if page["tree"]:
            walk(page["tree"], texts, [])
    return found


@pytest.mark.parametrize("book", BOOKS, ids=IDS)
def test_pdf_colophon_name_has_its_language(built: Path, book) -> None:
    """pdf.js exposes the publisher's name in the colophon as an element with ``lang`` = names_lang."""
    chapter = VARIANTS[book]
    labels = load_labels(PROJECT, book[1])
    nodes = _pdfjs_nodes(built / f"{book[0]}-{book[1]}.pdf")
    before = labels.parts("published", publisher=chapter.meta.publisher, date=labels.date(chapter.meta.date))[0][0]
    colophon = [n for n in nodes if n["role"] == "P" and n["text"].startswith(before.strip())
                and chapter.meta.publisher in n["text"]]
    assert colophon, "the colophon is in the structure tree"
    inside = [n for n in nodes if colophon[-1] in n["parents"]]

    def effective(node: dict) -> str | None:
        """The language pdf.js gives the node: its own /Lang or its nearest ancestor's."""
        return next((n["lang"] for n in [node, *reversed(node["parents"])] if n["lang"]), None)

    if _names_lang(book):
        names = [n for n in inside if n["text"].strip() == chapter.meta.publisher]
        assert names and {effective(n) for n in names} == {_names_lang(book)}
    else:
        assert {effective(n) for n in inside} <= {None, book[1]}


@pytest.mark.parametrize("book", BOOKS, ids=IDS)
def test_epub_package_names_have_their_language(built: Path, book) -> None:
    """The package's ``dc:creator`` and ``dc:publisher`` carry ``xml:lang`` = names_lang (a library shows them)."""
    with zipfile.ZipFile(built / f"{book[0]}-{book[1]}.epub") as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
    dc = "{http://purl.org/dc/elements/1.1/}"
    for name in ("creator", "publisher"):
        (element,) = opf.iter(dc + name)
        assert element.get(XML_LANG) == _names_lang(book), name


def _docx_colophon(docx: Path, chapter, labels) -> etree._Element:
    with zipfile.ZipFile(docx) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
    line = labels.format("published", publisher=chapter.meta.publisher, date=labels.date(chapter.meta.date))
    (paragraph,) = [p for p in body.iter(W + "p") if "".join(t.text or "" for t in p.iter(W + "t")) == line]
    return paragraph


@pytest.mark.parametrize("book", BOOKS, ids=IDS)
def test_docx_colophon_name_has_its_language(built: Path, book) -> None:
    """The colophon's run holding the publisher's name has ``w:lang`` (en-US); the rest of the line has none."""
    chapter, labels = VARIANTS[book], load_labels(PROJECT, book[1])
    paragraph = _docx_colophon(built / f"{book[0]}-{book[1]}.docx", chapter, labels)
    runs = {"".join(t.text or "" for t in r.iter(W + "t")): r.find(f"{W}rPr/{W}lang") for r in paragraph.iter(W + "r")}
    name = runs.get(chapter.meta.publisher)
    if _names_lang(book):
        assert name is not None and name.get(W + "val") == "en-US"
    assert [text for text, lang in runs.items() if lang is not None and text != chapter.meta.publisher] == []


def test_libreoffice_reads_the_name_as_english(built: Path, tmp_path: Path) -> None:
    """LibreOffice, opening the Russian DOCX and saving it as HTML, marks the colophon's name ``lang="en-US"``."""
    require_tool("soffice")
    book = ("kazakhstan", "ru")
    docx = built / f"{book[0]}-{book[1]}.docx"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "html", "--outdir", str(tmp_path), str(docx)], capture_output=True, timeout=300, check=True)
    html = lxml.html.parse(str(tmp_path / f"{docx.stem}.html")).getroot()
    publisher = VARIANTS[book].meta.publisher
    (colophon,) = [p for p in html.iter("p") if p.text_content().startswith("Издатель") and publisher in p.text_content()]
    (name,) = [e for e in colophon.iter() if (e.text or "").strip() == publisher]
    holder = next(e for e in [name, *name.iterancestors()] if e.get("lang"))
    assert holder.get("lang").lower().startswith("en")
