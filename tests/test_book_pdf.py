"""The book's PDF (docbuild.writers.pdf.book): chapters laid out one by one, assembled with pikepdf.

Read back with pikepdf (structure tree, link destinations, bookmarks, page
labels), poppler (the numbers printed on the contents page and in the
folios) and pdf.js (the structure tree as Firefox exposes it), and checked
with docbuild.check.book_pdf, which runs docbuild.check.pdf's rules on the
whole file and on each chapter's Part.
"""

from __future__ import annotations

import io
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest

from docbuild.book import BookChapter, load_book
from docbuild.check import Expected
from docbuild.check import book_pdf
from docbuild.labels import load_labels
from docbuild.project import Project
from docbuild.reader import read_project
from docbuild.errors import DocbuildError
from docbuild.writers.pdf import RenderedPdf, book as pdf_book, layout_pages
from docbuild.writers.pdf.assemble import TOC_SCHEME

from conftest import ROOT, require_tool

PAINTING = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Tj", "TJ", "'", '"', "Do", "sh", "BI"}


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.at(ROOT)


@pytest.fixture(scope="module")
def chapter_sets(project) -> dict:
    return {cs.id: cs for cs in read_project(project)}


@pytest.fixture(scope="module")
def books(project, chapter_sets) -> dict:
    """"en": the sample book; "ru": the Russian one with the English-only example chapter standing in."""
    english = load_book(project, "en", chapter_sets=chapter_sets)
    russian = load_book(project, "ru", chapter_sets=chapter_sets)
    stand_in = BookChapter(chapter_sets["example"].variant("en"), load_labels(project, "en"), True)
    return {"en": english, "ru": replace(russian, chapters=russian.chapters + (stand_in,))}


@pytest.fixture(scope="module")
def rendered(books, tmp_path_factory) -> dict:
    """lang -> (RenderedBookPdf, path of the written file)."""
    out = tmp_path_factory.mktemp("book-pdf")
    found = {}
    for lang, book in books.items():
        result = pdf_book.render_book_pdf(book)
        path = out / f"{book.id}-{lang}.pdf"
        path.write_bytes(result.data)
        found[lang] = (result, path)
    return found


LANGS = ("en", "ru")


def _document(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    top = pdf.Root.StructTreeRoot.K
    (document,) = list(top) if isinstance(top, pikepdf.Array) else [top]
    assert document.S == "/Document"
    return document


def _kids(element) -> list:
    value = element.get("/K")
    return [] if value is None else list(value) if isinstance(value, pikepdf.Array) else [value]


def _elements(element):
    for kid in _kids(element):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from _elements(kid)


def _page_of(pdf: pikepdf.Pdf, page_object) -> int:
    return next(number for number, page in enumerate(pdf.pages, start=1) if page.obj.objgen == page_object.objgen)


def _first_content_page(pdf: pikepdf.Pdf, part) -> int:
    """The first page holding content of a Part (its /Pg and MCRs), 1-based."""
    pages = [_page_of(pdf, element.Pg) for element in [part, *_elements(part)] if "/Pg" in element and _kids(element)]
    return min(pages)


def _pdftotext(path: Path, first: int, last: int | None = None) -> str:
    require_tool("pdftotext")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", "-f", str(first), "-l", str(last or first), str(path), "-"],
                          check=True, capture_output=True, text=True).stdout


@pytest.mark.parametrize("lang", LANGS)
def test_contents_page_numbers_and_links_lead_to_where_chapters_start(books, rendered, lang):
    """Each TOC entry prints the page its chapter starts on, and its link leads there (pikepdf, pdftotext)."""
    book, (result, path) = books[lang], rendered[lang]
    pdf = pikepdf.open(io.BytesIO(result.data))
    parts = [e for e in _kids(_document(pdf)) if e.get("/S") == "/Part"]
    starts = [_first_content_page(pdf, part) for part in parts]
    assert starts == [result.chapter_pages[part.chapter.id] for part in book.chapters]
    (toc,) = [e for e in _elements(_document(pdf)) if e.S == "/TOC"]
    entries = [e for e in _kids(toc) if e.get("/S") == "/TOCI"]
    assert len(entries) == len(book.chapters)
    for entry, start in zip(entries, starts):
        links = [e for e in _elements(entry) if e.S == "/Link"]
        annotations = [kid.Obj for link in links for kid in _kids(link) if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR"]
        assert annotations, "every entry is a link"
        for annotation in annotations:
            assert "/A" not in annotation or TOC_SCHEME not in str(annotation.A.get("/URI", ""))
            assert _page_of(pdf, annotation.Dest[0]) == start
    toc_page = _page_of(pdf, next(e.Pg for e in _elements(toc) if "/Pg" in e))
    printed = _pdftotext(path, toc_page)
    for part, start in zip(book.chapters, starts):
        line = next(line for line in printed.splitlines() if part.chapter.meta.title in line)
        assert line.split()[-1] == str(start), line
        # The page itself prints that number in its folio (page labels say the same).
        assert book.labels.format("page", page=start) in _pdftotext(path, start)
    assert pdf.Root.PageLabels.Nums[0] == 0 and pdf.Root.PageLabels.Nums[1].S == "/D"


@pytest.mark.parametrize("lang", LANGS)
def test_every_chapter_starts_on_a_right_hand_page_after_an_empty_verso(books, rendered, lang):
    result, _ = rendered[lang]
    pdf = pikepdf.open(io.BytesIO(result.data))
    assert all(page % 2 == 1 for page in result.chapter_pages.values())
    assert len(pdf.pages) == result.page_count
    tagged = set()
    for part in (e for e in _kids(_document(pdf)) if e.get("/S") == "/Part"):
        tagged.add(_first_content_page(pdf, part))
    for number, page in enumerate(pdf.pages, start=1):
        if "/StructParents" in page.obj:
            continue
        # An untagged page is a blank verso (or the back of the cover): it paints nothing.
        operators = {str(op) for _, op in pikepdf.parse_content_stream(page)}
        assert not operators & PAINTING, f"page {number} is untagged but paints {operators & PAINTING}"
        assert number % 2 == 0


@pytest.mark.parametrize("lang", LANGS)
def test_structure_tree_has_a_part_per_chapter_with_its_language(books, rendered, lang):
    book, (result, _) = books[lang], rendered[lang]
    pdf = pikepdf.open(io.BytesIO(result.data))
    assert str(pdf.Root.Lang) == book.lang
    parts = [e for e in _kids(_document(pdf)) if e.get("/S") == "/Part"]
    assert [(str(p.Lang), str(p.T)) for p in parts] == [(c.chapter.lang, c.chapter.meta.title) for c in book.chapters]
    if lang == "ru":
        assert str(parts[-1].Lang) == "en", "the stand-in keeps its own language"
    # One ParentTree for the book: every page's and annotation's key leads back to elements of this tree.
    root = pdf.Root.StructTreeRoot
    nums = root.ParentTree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    assert keys == list(range(len(keys))) and int(root.ParentTreeNextKey) == len(keys)
    used = [int(p.obj.StructParents) for p in pdf.pages if "/StructParents" in p.obj]
    used += [int(a.StructParent) for p in pdf.pages for a in p.obj.get("/Annots", []) if "/StructParent" in a]
    assert sorted(used) == keys
    ids = [str(e.ID) for e in _elements(_document(pdf)) if "/ID" in e]
    assert len(ids) == len(set(ids)) and all("/" in i for i in ids)
    assert set(pikepdf.NameTree(root.IDTree).keys()) == set(ids)
    with pdf.open_metadata() as xmp:
        assert book.title in xmp["dc:title"]
        assert xmp["pdfuaid:part"] == "1"
        assert set(xmp["dc:language"]) == {part.chapter.lang for part in book.chapters} | {book.lang}


@pytest.mark.parametrize("lang", LANGS)
def test_bookmarks_nest_book_chapter_section(books, rendered, lang):
    book, (result, _) = books[lang], rendered[lang]
    pdf = pikepdf.open(io.BytesIO(result.data))
    with pdf.open_outline() as outline:
        (top,) = list(outline.root)
        assert top.title == book.title
        chapters = [item for item in top.children if item.title != book.labels["contents"]]
        assert [item.title for item in chapters] == [c.chapter.meta.title for c in book.chapters]
        for item, part in zip(chapters, book.chapters):
            sections = [s for s in part.chapter.sections() if s.level == 2]
            assert len(item.children) == len(sections)
            assert _page_of(pdf, item.destination[0]) == result.chapter_pages[part.chapter.id]


@pytest.mark.parametrize("lang", LANGS)
def test_block_pages_are_the_book_pages_they_print_on(books, rendered, lang):
    """The (chapter, block) -> page map the EPUB's page-list uses: the block's text is on that book page."""
    book, (result, path) = books[lang], rendered[lang]
    for part in book.chapters:
        chapter = part.chapter
        assert result.pages[(chapter.id, "title")] == result.chapter_pages[chapter.id]
        for section in list(chapter.sections())[:3]:
            page = result.pages[(chapter.id, section.id)]
            words = " ".join(text.text for text in section.heading if hasattr(text, "text")).split()[:2]
            assert " ".join(words) in " ".join(_pdftotext(path, page).split())


@pytest.mark.parametrize("lang", LANGS)
def test_docbuild_checks_pass(books, rendered, chapter_sets, project, lang):
    book, (_, path) = books[lang], rendered[lang]
    expected = [Expected(part.chapter, chapter_sets[part.chapter.id], part.labels, project, book.paper)
                for part in book.chapters]
    results = book_pdf.check(path, book, expected)
    failures = [f"{r.rule}: {r.reason}" for r in results if r.status == "fail"]
    assert not failures
    assert {r.rule for r in results} >= {"docbuild:book-toc", "docbuild:book-parts", "docbuild:book-recto", "01-005"}


def test_bytes_are_the_same_whichever_way_the_chapters_are_laid_out(books, rendered):
    """Page counts known first (from each chapter's edition, as a parallel build has them) give the same file."""
    book, (result, _) = books["en"], rendered["en"]
    counts = [layout_pages(pdf_book.chapter_edition(book, index)).page_count for index in range(len(book.chapters))]
    assert pdf_book.render_book_pdf(book, counts).data == result.data


def test_pdfjs_reads_the_structure_tree(rendered):
    require_tool("node")
    if not (ROOT / "node_modules" / "pdfjs-dist").is_dir():
        require_tool("pdfjs-dist (npm; scripts/install-validators.sh)")
    _, path = rendered["ru"]
    run = subprocess.run(["node", str(ROOT / "tests" / "pdfjs_struct.mjs"), str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    pages = json.loads(run.stdout)["pages"]
    roles: set[str] = set()

    def walk(node):
        for child in node.get("children", []):
            if "role" in child:
                roles.add(child["role"])
                walk(child)

    for page in pages:
        if page["tree"]:
            walk(page["tree"])
    assert {"TOC", "TOCI", "Part", "H1", "Figure", "Link"} <= roles
    for page in pages:  # a page with text has it in the tree; a blank verso has neither
        assert bool(page["text"]) == bool(page["tree"] and page["tree"]["children"]), page["number"]
    # Each chapter's Part carries its language: the stand-in (last) is English in the Russian book.
    langs = [page["tree"]["children"][0]["children"][0] for page in pages if page["tree"]["children"]]
    assert {(node["role"], node.get("lang")) for node in langs[2:]} == {("Part", "ru"), ("Part", "en")}
    assert langs[-1]["lang"] == "en"


def test_plan_puts_every_chapter_on_the_next_odd_page():
    plan = pdf_book.plan_book(4, [1, 6, 3, 2])
    assert plan.first_pages == (5, 7, 13, 17) and plan.page_count == 18
    with pytest.raises(DocbuildError):
        pdf_book.plan_book(3, [1])


def test_a_chapter_laid_out_to_another_length_than_planned_is_an_error(books):
    """The book's page numbers rest on the plan: a chapter that came out longer fails loudly, before assembly."""
    book = books["en"]
    plan = pdf_book.plan_book(4, [1] * len(book.chapters))
    laid = [RenderedPdf(b"", {}, 2)] * len(book.chapters)
    with pytest.raises(DocbuildError, match="has 2 pages, its edition 1"):
        pdf_book.assemble_book(book, plan, laid)
