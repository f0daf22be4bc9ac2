"""Checks of the book's PDF (docbuild.writers.pdf.book), with the readers of :mod:`.pdf`.

Three kinds of rule:

- every rule of a PDF that does not depend on one chapter (tagging, marked
  content, structure types, links, fonts, XMP, Unicode), on the whole file;
- the book's own: one ``Part`` per chapter, in order, with its ``/Lang``;
  each chapter on a right-hand (odd) page; a ``TOC`` of one ``TOCI`` per
  chapter whose link leads to the page the chapter starts on and whose
  printed number is that page's; bookmarks book → chapter → section;
- each chapter's rules of :mod:`.pdf` (headings, figures, lists, tables,
  notes, quotations, languages, links, every source text in order, in the
  tags and through pdftotext), on its ``Part`` and its pages, named after
  the chapter (``kazakhstan: 14-003``).

Named destinations and note ``/ID`` values of a chapter are prefixed with its
id in the book (``kazakhstan/note-1``); the link rule strips the prefix.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

import pikepdf

from . import CheckResult, Expected, completeness, crashed, expect, not_run, rule, verdict
from . import pdf as P
from .completeness import squeeze
from ..languages import right_to_left


def check(path: Path, book, chapters: Sequence[Expected]) -> list[CheckResult]:
    """Every check of the book PDF ``path``; ``chapters``: what each chapter's source expects, in the book's order."""
    try:
        doc = P._read(path, right_to_left(book.project.layouts))
    except Exception as error:  # any unreadable PDF fails as a whole
        return [crashed("UA1-7.1", "tagged PDF", error)]
    with doc.pdf:
        results = [
            P._tagged(doc, path),
            _catalog_lang(doc, book),
            P._display_title(doc),
            P._pdfua_id(doc),
            _dc_title(doc, book),
            P._content_marked(doc),
            _furniture(doc, book),
            P._structure_types(doc),
            P._figure_bbox(doc),
            P._note_ids(doc),
            P._links(doc),
            P._unicode(doc),
            P._fonts(path, doc),
            P._raw_markdown(doc),
        ]
        parts = _parts(doc)
        results += [_part_per_chapter(parts, chapters), _recto(doc, parts, chapters), _toc(doc, parts, chapters),
                    _bookmarks(doc, book, chapters)]
        for expected, part in zip(chapters, parts):
            results += [_named(expected.chapter.id, result) for result in _chapter(path, doc, part, expected)]
    return results


def _named(chapter_id: str, result: CheckResult) -> CheckResult:
    return dataclasses.replace(result, rule=f"{chapter_id}: {result.rule}")


def _parts(doc: P._Pdf) -> list[P._Element]:
    """The Part elements right under the book's Document."""
    return [e for e in doc.elements if e.type == "Part" and e.parent is not None and e.parent.type == "Document"
            and e.parent.parent is None]


def _pages_of(doc: P._Pdf, part: P._Element) -> list[int]:
    """The 1-based pages a Part's content is on, in order."""
    pages = {doc.page_numbers[page] for e in [part, *part.descendants()] for page, _ in e.content
             if page in doc.page_numbers}
    return sorted(pages)


def _catalog_lang(doc: P._Pdf, book) -> CheckResult:
    lang = doc.pdf.Root.get("/Lang")
    problems = [] if lang is not None and str(lang) == book.lang else [f"catalog /Lang is {lang}, the book's is '{book.lang}'"]
    return verdict("11-006", "document language (catalog /Lang)", problems, f"catalog /Lang {lang}")


def _dc_title(doc: P._Pdf, book) -> CheckResult:
    titles = [t for t in P._xmp(doc, "//dc:title//rdf:li") if t]
    problems = [] if any(completeness.normalise(book.title) in completeness.normalise(t) for t in titles) else [
        f"dc:title {titles[0] if titles else 'missing'} does not name the book '{book.title}'"]
    return verdict("06-003", "XMP dc:title", problems, f"dc:title '{titles[0] if titles else ''}'")


def _furniture(doc: P._Pdf, book) -> CheckResult:
    """The folios ("Page 12") are Artifacts, never tagged content."""
    problems = []
    for content in doc.pages:
        folio = squeeze(book.labels.format("page", page=content.number))
        if any(squeeze(text) == folio for text in content.mcid_text.values()):
            problems.append(f"page {content.number}: the folio '{folio}' is tagged as content, not an Artifact")
    return verdict("18-001", "headers and footers are Artifacts", problems,
                   f"no folio in the tagged content of {len(doc.pages)} pages")


@rule("docbuild:book-parts", "one Part per chapter, in order, each with its /Lang")
def _part_per_chapter(parts: list[P._Element], chapters: Sequence[Expected]):
    problems = []
    if len(parts) != len(chapters):
        problems.append(f"the book has {len(chapters)} chapters, its Document {len(parts)} Part element(s)")
    for number, (part, expected) in enumerate(zip(parts, chapters), start=1):
        lang = part.obj.get("/Lang")
        if lang is None or str(lang) != expected.chapter.lang:
            problems.append(f"the Part of chapter {number} ('{expected.chapter.id}') has /Lang {lang}, "
                            f"the chapter is '{expected.chapter.lang}'")
        headings = [e for e in part.descendants() if e.type == "H1"]
        if not headings:
            problems.append(f"the Part of chapter {number} ('{expected.chapter.id}') has no H1")
    return problems, f"{len(parts)} Part(s), one per chapter in order, each with the chapter's /Lang"


@rule("docbuild:book-recto", "every chapter starts on a right-hand (odd) page")
def _recto(doc: P._Pdf, parts: list[P._Element], chapters: Sequence[Expected]):
    problems = []
    for part, expected in zip(parts, chapters):
        pages = _pages_of(doc, part)
        if not pages:
            problems.append(f"the chapter '{expected.chapter.id}' has no tagged content")
        elif pages[0] % 2 == 0:
            problems.append(f"the chapter '{expected.chapter.id}' starts on page {pages[0]}, a left-hand page")
    return problems, "every chapter starts on an odd page"


def _link_page(doc: P._Pdf, annotation) -> int | None:
    """The 1-based page a link annotation leads to (explicit or named destination)."""
    dest = annotation.get("/Dest")
    action = annotation.get("/A")
    if dest is None and isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/GoTo":
        dest = action.get("/D")
    if isinstance(dest, (pikepdf.String, pikepdf.Name)):
        names = doc.pdf.Root.get("/Names")
        if not isinstance(names, pikepdf.Dictionary) or "/Dests" not in names:
            return None
        dest = pikepdf.NameTree(names.Dests).get(str(dest).lstrip("/"))
    if isinstance(dest, pikepdf.Dictionary):
        dest = dest.get("/D")
    if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
        return doc.page_numbers.get(dest[0].objgen)
    return None


@rule("docbuild:book-toc", "contents: a TOCI per chapter, linked to its first page, printing its number")
def _toc(doc: P._Pdf, parts: list[P._Element], chapters: Sequence[Expected]):
    tocs = [e for e in doc.elements if e.type == "TOC" and not any(a.type == "TOC" for a in e.ancestors())]
    if len(tocs) != 1:
        return [f"the book has {len(tocs)} top-level TOC elements, not one"], ""
    entries = tocs[0].kids_of("TOCI")
    problems = []
    if len(entries) != len(chapters):
        problems.append(f"the book has {len(chapters)} chapters, its TOC {len(entries)} TOCI")
    for entry, part, expected in zip(entries, parts, chapters):
        name = expected.chapter.id
        pages = _pages_of(doc, part)
        start = pages[0] if pages else None
        text = squeeze(doc.text_of(entry))
        if squeeze(expected.chapter.meta.title) not in text:
            problems.append(f"the TOCI of '{name}' does not hold its title '{expected.chapter.meta.title}'")
        # The page number is the entry's last element with text (book-pdf-front.html.j2).
        last = [squeeze(doc.text_of(kid)) for kid in entry.children if squeeze(doc.text_of(kid))][-1:]
        printed = re.fullmatch(r"(\d+)", last[0]) if last else None
        if printed is None or int(printed.group(1)) != start:
            problems.append(f"the TOCI of '{name}' prints {printed.group(1) if printed else 'no page'}; "
                            f"the chapter starts on page {start}")
        links = [e for e in entry.descendants() if e.type == "Link"]
        targets = {_link_page(doc, annotation) for link in links for annotation in link.annotations}
        if not links or not targets:
            problems.append(f"the TOCI of '{name}' holds no link")
        elif targets != {start}:
            problems.append(f"the TOCI of '{name}' links to page(s) {sorted(map(str, targets))}; "
                            f"the chapter starts on page {start}")
    return problems, f"{len(entries)} TOCI, each linked to its chapter's first page and printing its number"


@rule("docbuild:outline", "bookmarks: book → chapter → section")
def _bookmarks(doc: P._Pdf, book, chapters: Sequence[Expected]):
    with doc.pdf.open_outline() as outline:
        top = list(outline.root)
        if len(top) != 1 or squeeze(top[0].title) != squeeze(book.title):
            return [f"the bookmarks start with {[item.title for item in top]}, not the book's title alone"], ""
        items = [item for item in top[0].children]
        problems = []
        titles = [squeeze(item.title) for item in items]
        for expected in chapters:
            chapter = expected.chapter
            if squeeze(chapter.meta.title) not in titles:
                problems.append(f"no bookmark for the chapter '{chapter.meta.title}' under the book's")
                continue
            item = items[titles.index(squeeze(chapter.meta.title))]
            want = [(h.level, squeeze(h.text)) for h in expect.headings(chapter, boxes=False)][1:]
            found: list[tuple[int, str]] = []
            stack = [(child, 2) for child in reversed(item.children)]
            while stack:
                child, depth = stack.pop()
                found.append((depth, squeeze(child.title)))
                stack.extend((grand, depth + 1) for grand in reversed(child.children))
            if found != want:
                problems.append(f"the bookmarks of '{chapter.id}' are {found[:3]}..., its sections {want[:3]}...")
    return problems, f"the book's bookmark holds {len(chapters)} chapters, each holding its sections as nested"


def _chapter(path: Path, doc: P._Pdf, part: P._Element, expected: Expected) -> list[CheckResult]:
    """The chapter rules of :mod:`.pdf`, on the Part and its pages."""
    numbers = _pages_of(doc, part)
    view = dataclasses.replace(doc, elements=[part, *part.descendants()],
                               pages=[page for page in doc.pages if page.number in numbers])
    tags = completeness.complete(view.tagged_text(), expected, "text of the chapter's Part, from the fonts' ToUnicode maps",
                                 squeeze, completeness.Reading(notes="inline"))
    return [
        P._heading_order(view, expected),
        P._figure_alt(view, expected),
        P._figure_captions(view, expected),
        P._lists(view, expected),
        P._list_numbering(view, expected),
        P._tables(view, expected),
        P._th_scope(view, expected),
        P._notes(view, expected),
        P._quotations(view, expected),
        P._foreign_spans(view, expected),
        _link_targets(doc, view, expected),
        CheckResult("09-001", "tags hold every source text in reading order", tags.status, tags.reason),
        _poppler_text(path, expected, numbers[0], numbers[-1]) if numbers else
        CheckResult(completeness.RULE, completeness.TITLE, "fail", "the chapter has no pages"),
    ]


@rule("docbuild:links", "links lead to the source's addresses and cross-reference targets")
def _link_targets(doc: P._Pdf, view: P._Pdf, expected: Expected):
    """As :func:`.pdf._link_targets`, on the chapter's pages, its destinations' names without the chapter prefix."""
    pages = [doc.pdf.pages[content.number - 1].obj for content in view.pages]
    return P.link_problems(expected, pages, P._named_destinations(doc.pdf), expected.chapter.id + "/")


def _poppler_text(path: Path, expected: Expected, first: int, last: int) -> CheckResult:
    """``pdftotext`` of the chapter's pages, margins cropped, as :func:`.pdf._poppler_text` reads a chapter edition."""
    if shutil.which("pdftotext") is None:
        return not_run(completeness.RULE, completeness.TITLE, "pdftotext (poppler-utils) is not installed")
    geometry = P.page_geometry(expected.project, expected.paper, expected.large_print)
    width, height = geometry.width * P._MM, geometry.height * P._MM
    top, bottom = geometry.margin_top * P._MM, geometry.margin_bottom * P._MM
    crop = ["-x", "0", "-y", str(int(top)), "-W", str(int(width) + 1), "-H", str(int(height - top - bottom))]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(first), "-l", str(last), *crop, str(path), "-"],
                          capture_output=True, text=True, check=True, timeout=120).stdout
    if expected.chapter.lang.split("-")[0] in right_to_left(expected.project.layouts):
        # As .pdf._poppler_text: poppler's bidi reordering moves punctuation; letters and digits in order.
        return completeness.complete(text, expected, f"pdftotext of pages {first}-{last}, margins cropped, letters and digits",
                                     completeness.letters_and_digits, completeness.Reading(notes="inline", loose_cells=True))
    return completeness.complete(text, expected, f"pdftotext of pages {first}-{last}, margins cropped",
                                 completeness.without_hyphens, completeness.Reading(notes="inline", loose_cells=True))
