"""``docbuild check`` on the book editions (``source/report.toml``): is every chapter there, in order?

Each book edition is read back with the tools the chapter checks use
(plain bytes, zipfile + lxml, pikepdf and poppler), never with the writers,
and compared with the book as the reader reads it (:func:`docbuild.book.load_book`):

* ``docbuild:book-chapters``: every chapter of the book, in order, and in
  each every identified block, in order (the text: every heading and the
  start of every paragraph; the EPUB: the ids of each chapter's content
  document; the DOCX: the chapter-qualified bookmarks; the PDF: the chapter
  titles in the text of its pages, in order);
* ``docbuild:book-toc``: the table of contents leads to every chapter (the
  text's contents list, the EPUB's navigation document, the DOCX's ``TOC``
  field and its entries, the PDF's contents: each entry's link goes to the
  page on which its chapter's title is, and the page number printed in the
  entry is that page's);
* ``docbuild:book-lang`` (WCAG 3.1.1/3.1.2): one language per chapter
  variant: each chapter declares its own language (its content document's
  ``lang``; the language of its runs; its ``Part``'s ``/Lang``), the
  original's where it stands in for a missing translation.
* ``docbuild:book-missing``: each chapter missing in the book's language is
  handled as ``missing`` says (skipped, or its original marked), reported
  as a warning so it is never silent.

The chapters' own checks (accessibility, completeness) run on the chapter
editions; these are the book's. For the PDF, the rules of :mod:`.book_pdf`
(PDF/UA on the whole book, each chapter's rules on its ``Part``, the
``TOC``/``TOCI`` contents) run first, then those of this module it has no
rule of its own for.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from lxml import etree

from ..book import Book, load_book
from ..book.definition import BookDefinition, load_definition
from ..errors import DocbuildError
from ..model import Link, NoteRef, Paragraph, Section, plain_text
from ..project import Project
from . import CheckResult, EditionReport, rule

FORMATS = ("txt", "pdf", "epub", "docx")
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XHTML = "http://www.w3.org/1999/xhtml"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

HUMAN_REVIEW = (
    "Open the book in each edition: the chapters follow the order of source/report.toml, each starts where its contents entry says.",
    "A chapter given in its original language is announced in that language's voice by a screen reader.",
)


def book_name(path: Path, definition: BookDefinition | None) -> tuple[str, str, str] | None:
    """(lang, paper, format) of a book edition's file name, or None for any other file."""
    if definition is None:
        return None
    match = re.fullmatch(
        rf"{re.escape(definition.id)}-(?P<lang>[a-z]{{2}}(?:-[A-Za-z]{{2,4}})?)(?:-(?P<paper>letter))?\.(?P<fmt>txt|pdf|epub|docx)",
        path.name,
    )
    if not match or match["lang"] not in definition.languages:
        return None
    return match["lang"], match["paper"] or "a4", match["fmt"]


def _definition(project: Project) -> tuple[BookDefinition | None, DocbuildError | None]:
    """The book definition, or the error that keeps it from being read (reported by :func:`check_books`)."""
    try:
        return load_definition(project), None
    except DocbuildError as error:
        return None, error


def _not_a_chapter_edition(project: Project, path: Path) -> bool:
    from . import parse_edition_name

    try:
        parse_edition_name(path, project.chapter_ids())
        return False
    except DocbuildError:
        return True


def split_files(project: Project, files: list) -> tuple[list[Path], list]:
    """The named files that are book editions, and the others.

    With a ``report.toml`` that has errors, a file no chapter's edition is named like is the book's.
    """
    definition, error = _definition(project)
    if error is not None:
        books = [Path(f) for f in files if _not_a_chapter_edition(project, Path(f))]
    else:
        books = [Path(f) for f in files if book_name(Path(f), definition)]
    return books, [f for f in files if Path(f) not in books]


def without_book_files(project: Project, paths: list[Path]) -> list[Path]:
    """``paths`` less the book's editions."""
    return split_files(project, paths)[1]


def check_books(
    project: Project, out: Path, files: list[Path] | None = None, langs: list[str] | None = None,
    run_validators: bool = True,
) -> list[EditionReport]:
    """Check the named book editions, or (``files`` None) every book edition in ``out``, built first if stale.

    A ``report.toml`` with errors fails the check with them (the chapters' editions are still checked).
    """
    try:
        definition = load_definition(project)
    except DocbuildError as error:
        first = error.errors[0]
        more = f" (and {len(error.errors) - 1} more)" if len(error.errors) > 1 else ""
        return [EditionReport(first.path or project.source, "book", "", "", "a4", (CheckResult(
            "docbuild:source", "source reads without errors", "fail", f"{first.location()}{first.message}{more}"),),
            HUMAN_REVIEW)]
    if definition is None:
        return []
    reports: list[EditionReport] = []
    if files is None:
        from ..build import build

        for fmt in FORMATS:
            try:
                build(project, out, [fmt], langs, book="only")
            except DocbuildError as error:
                for lang in [lang for lang in definition.languages if not langs or lang in langs]:
                    from ..edition import edition_file_name

                    path = out / edition_file_name(definition.id, lang, fmt)
                    reports.append(_failed(path, fmt, definition.id, lang, "a4", f"the book does not build: {error}"))
        files = sorted(p for p in out.iterdir() if p.is_file() and book_name(p, definition)) if out.is_dir() else []
        files = [p for p in files if not any(r.path == p for r in reports)]
    books: dict[tuple[str, str], Book] = {}
    for path in files:
        lang, paper, fmt = book_name(path, definition)
        if langs and lang not in langs:
            continue
        try:
            if (lang, paper) not in books:
                books[(lang, paper)] = load_book(project, lang, paper)
        except DocbuildError as error:
            reports.append(_failed(path, fmt, definition.id, lang, paper, f"the book's sources have errors: {error}"))
            continue
        reports.append(check_book_edition(path, books[(lang, paper)], fmt, run_validators))
    return reports


def _with_pdf_rules(path: Path, book: Book, own: list[CheckResult]) -> list[CheckResult]:
    """The PDF rules of :mod:`.book_pdf` (PDF/UA on the whole book, each chapter's rules on its ``Part``,
    the contents' TOC/TOCI), then those of this module it does not have."""
    from importlib.util import find_spec

    if find_spec("docbuild.check.book_pdf") is None:
        return own
    from ..reader import read_project
    from . import Expected, book_pdf

    sets = {cs.id: cs for cs in read_project(book.project, sorted({part.chapter.id for part in book.chapters}))}
    expected = [Expected(part.chapter, sets[part.chapter.id], part.labels, book.project, book.paper) for part in book.chapters]
    theirs = list(book_pdf.check(path, book, expected))
    ids = {result.rule for result in theirs}
    return theirs + [result for result in own if result.rule not in ids]


def _failed(path: Path, fmt: str, book_id: str, lang: str, paper: str, why: str) -> EditionReport:
    return EditionReport(path, fmt, book_id, lang, paper, (CheckResult("docbuild:book", "book edition", "fail", why),), HUMAN_REVIEW)


def check_book_edition(path: Path, book: Book, fmt: str, run_validators: bool = True) -> EditionReport:
    results: list[CheckResult] = []
    try:
        if fmt == "txt":
            results += check_text(path.read_bytes().decode("utf-8"), book)
        elif fmt == "epub":
            results += check_epub(path, book, run_validators)
        elif fmt == "docx":
            results += check_docx(path, book)
        elif fmt == "pdf":
            results += check_pdf(path, book)
            results = _with_pdf_rules(path, book, results)
    except Exception as error:  # a file the readers cannot open fails, it does not stop the check
        results.append(CheckResult("docbuild:book-chapters", "every chapter, in order", "fail", f"cannot read the file: {error}"))
    results.append(_missing(book))
    return EditionReport(path, fmt, book.id, book.lang, book.paper, tuple(results), HUMAN_REVIEW)


def _missing(book: Book) -> CheckResult:
    lines = book.warnings()
    if not lines:
        return CheckResult("docbuild:book-missing", "every chapter in the book's language", "pass",
                           f"all {len(book.chapters)} chapters are in '{book.lang}'")
    return CheckResult("docbuild:book-missing", "every chapter in the book's language", "warn",
                       lines[0].split(": ", 1)[-1] + (f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""))


# ---------------------------------------------------------------------------
# What each chapter must show


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).strip()


def leading_text(nodes) -> str:
    """The words a paragraph starts with, up to its first link or note reference (which editions write differently)."""
    out = []
    for node in nodes:
        if isinstance(node, (Link, NoteRef)):
            break
        out.append(plain_text((node,)))
    return _squeeze("".join(out))[:60]


def _expected_lines(book: Book) -> list[tuple[str, str]]:
    """(what, text) in reading order: each chapter's title, its headings and the start of its paragraphs."""
    found = []
    for part in book.chapters:
        chapter = part.chapter
        found.append(("chapter title", _squeeze(chapter.meta.title)))
        for block in chapter.walk():
            if block.id is None:
                continue
            if isinstance(block, Section):
                found.append((f"heading '{block.id}'", _squeeze(plain_text(block.heading))))
            elif isinstance(block, Paragraph):
                start = leading_text(block.content)
                if len(start) >= 8:
                    found.append((f"paragraph '{block.id}'", start))
    return found


def _in_order(text: str, wanted: list[tuple[str, str]], where: str) -> list[str]:
    problems, position = [], 0
    for what, needle in wanted:
        at = text.find(needle, position)
        if at < 0:
            elsewhere = text.find(needle)
            problems.append(f"{what} ('{needle[:40]}') " + ("is out of order" if elsewhere >= 0 else f"is not in the {where}"))
            continue
        position = at + len(needle)
    return problems


# ---------------------------------------------------------------------------
# Plain text


def check_text(text: str, book: Book) -> list[CheckResult]:
    squeezed = _squeeze(text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2011", "-"))
    return [_text_order(squeezed, book), _text_contents(text, book)]


@rule("docbuild:book-chapters", "every chapter and its blocks, in order")
def _text_order(text: str, book: Book):
    wanted = [(what, needle.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2011", "-")) for what, needle in _expected_lines(book)]
    return _in_order(text, wanted, "text"), f"{len(book.chapters)} chapters, {len(wanted)} headings and paragraphs in order"


@rule("docbuild:book-toc", "a contents list names every chapter")
def _text_contents(text: str, book: Book):
    blocks = text.split("\n\n")
    heading = f"## {book.labels['contents']}"
    if heading not in blocks:
        return [f"no '{heading}' heading"], ""
    listing = blocks[blocks.index(heading) + 1].split("\n")
    titles = [line[2:].strip() for line in listing if line.startswith("- ")]
    wanted = [_squeeze(part.chapter.meta.title.replace("\u00a0", " ")) for part in book.chapters]
    problems = [] if titles == wanted else [f"the contents list names {titles}, not the chapters {wanted}"]
    return problems, f"the contents list names the {len(wanted)} chapters in order"


# ---------------------------------------------------------------------------
# EPUB


def _epub_documents(path: Path) -> tuple[list[str], dict[str, etree._Element], str]:
    """The spine's documents (package paths), every XHTML document parsed, and the OPF's folder."""
    with zipfile.ZipFile(path) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(archive.read(opf_path))
        folder = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
        items = {item.get("id"): item for item in opf.iter("{*}item")}
        spine = [folder + items[ref.get("idref")].get("href") for ref in opf.iter("{*}itemref")]
        roots = {
            folder + item.get("href"): etree.fromstring(archive.read(folder + item.get("href")))
            for item in items.values() if item.get("media-type") == "application/xhtml+xml"
        }
    return spine, roots, folder


def check_epub(path: Path, book: Book, run_validators: bool = True) -> list[CheckResult]:
    spine, roots, folder = _epub_documents(path)
    results = [_epub_order(spine, roots, book), _epub_nav(roots, folder, book), _epub_lang(spine, roots, book)]
    if run_validators:
        results += _epub_validators(path, book)
    return results


def _chapter_documents(spine: list[str], roots: dict, book: Book) -> list[tuple[str, etree._Element]]:
    """The spine's documents with an h1 ``id="title"`` that is a chapter's, in spine order."""
    titles = {_squeeze(part.chapter.meta.title) for part in book.chapters}
    found = []
    for name in spine:
        root = roots[name]
        h1 = root.find(f".//{{{_XHTML}}}h1[@id='title']")
        if h1 is not None and _squeeze("".join(h1.itertext())) in titles:
            found.append((name, root))
    return found


@rule("docbuild:book-chapters", "a content document per chapter, in order, with every block")
def _epub_order(spine, roots, book: Book):
    documents = _chapter_documents(spine, roots, book)
    problems = []
    if len(documents) != len(book.chapters):
        problems.append(f"{len(documents)} chapter documents in the spine for {len(book.chapters)} chapters")
    for part, (name, root) in zip(book.chapters, documents):
        h1 = "".join(root.find(f".//{{{_XHTML}}}h1").itertext())
        if _squeeze(h1) != _squeeze(part.chapter.meta.title):
            problems.append(f"{name} is '{_squeeze(h1)}' where '{part.chapter.meta.title}' comes")
            continue
        ids = [element.get("id") for element in root.iter() if isinstance(element.tag, str) and element.get("id")]
        wanted = part.chapter.block_ids()
        present = [i for i in ids if i in set(wanted)]
        if present != wanted:
            missing = [i for i in wanted if i not in set(present)]
            problems.append(f"{name}: " + (f"blocks {', '.join(missing[:3])} missing" if missing else "blocks out of order"))
    return problems, f"{len(book.chapters)} chapter documents in order, each with all its blocks"


@rule("docbuild:book-toc", "one navigation document: the report, its chapters, their sections")
def _epub_nav(roots, folder: str, book: Book):
    navs = [(name, nav) for name, root in roots.items() for nav in root.iter(f"{{{_XHTML}}}nav")
            if "toc" in (nav.get("{http://www.idpf.org/2007/ops}type") or "").split()]
    if len(navs) != 1:
        return [f"{len(navs)} toc nav elements; one is expected"], ""
    name, nav = navs[0]
    top = nav.find(f"{{{_XHTML}}}ol")
    report = top.findall(f"{{{_XHTML}}}li") if top is not None else []
    if len(report) != 1:
        return [f"the table of contents has {len(report)} top entries; one (the report) is expected"], ""
    chapters_ol = report[0].find(f"{{{_XHTML}}}ol")
    entries = chapters_ol.findall(f"{{{_XHTML}}}li") if chapters_ol is not None else []
    problems = []
    titles = [_squeeze("".join(li.find(f"{{{_XHTML}}}a").itertext())) for li in entries]
    wanted = [_squeeze(part.chapter.meta.title) for part in book.chapters]
    if titles != wanted:
        problems.append(f"the chapters in the table of contents are {titles}, not {wanted}")
    base = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
    for li, part in zip(entries, book.chapters):
        for a in li.iter(f"{{{_XHTML}}}a"):
            file, _, fragment = a.get("href", "").partition("#")
            target = roots.get(base + file)
            if target is None or (fragment and target.find(f".//*[@id='{fragment}']") is None):
                problems.append(f"'{a.get('href')}' in the table of contents leads nowhere")
        sections = [s for s in part.chapter.blocks if isinstance(s, Section)]
        nested = li.find(f"{{{_XHTML}}}ol")
        have = len(nested.findall(f"{{{_XHTML}}}li")) if nested is not None else 0
        if have < len(sections):
            problems.append(f"'{part.chapter.meta.title}' lists {have} entries under it for {len(sections)} sections")
    return problems, f"one table of contents: the report, its {len(book.chapters)} chapters and their sections"


@rule("docbuild:book-lang", "one language per chapter variant (WCAG 3.1.1)")
def _epub_lang(spine, roots, book: Book):
    problems = []
    for part, (name, root) in zip(book.chapters, _chapter_documents(spine, roots, book)):
        lang, xml_lang = root.get("lang"), root.get(_XML_LANG)
        if lang != part.chapter.lang or xml_lang != part.chapter.lang:
            problems.append(f"{name} declares '{lang}'/'{xml_lang}', its chapter is in '{part.chapter.lang}'")
    return problems, "each chapter document declares its chapter's language"


def _epub_validators(path: Path, book: Book) -> list[CheckResult]:
    """EPUBCheck and Ace, run as for a chapter's EPUB (they need only the project, for Ace's install)."""
    from types import SimpleNamespace

    from .epub import _external

    return _external(path, SimpleNamespace(project=book.project))


# ---------------------------------------------------------------------------
# DOCX


def check_docx(path: Path, book: Book) -> list[CheckResult]:
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
        styles = etree.fromstring(archive.read("word/styles.xml"))
    return [_docx_order(root, styles, book), _docx_toc(root, book), _docx_lang(root, book)]


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


def _style_names(styles) -> dict[str, str]:
    return {s.get(_w("styleId")): s.find(_w("name")).get(_w("val")) for s in styles.iter(_w("style")) if s.find(_w("name")) is not None}


def _paragraph_style(p, names: dict[str, str]) -> str:
    style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
    return names.get(style.get(_w("val")), "") if style is not None else ""


def _docx_chapters(root, styles) -> list:
    """The body's paragraphs in the *Heading 1* style (the chapters' titles), in order."""
    names = _style_names(styles)
    return [p for p in root.iter(_w("p")) if _paragraph_style(p, names).lower() == "heading 1"]


@rule("docbuild:book-chapters", "every chapter at Heading 1, in order, with every block")
def _docx_order(root, styles, book: Book):
    from ..writers.docx.inlines import bookmark_name  # the naming rule the edition promises, not its code path

    problems = []
    headings = [_squeeze("".join(t.text or "" for t in p.iter(_w("t")))) for p in _docx_chapters(root, styles)]
    wanted = [_squeeze(part.chapter.meta.title) for part in book.chapters]
    if headings != wanted:
        problems.append(f"the Heading 1 paragraphs are {headings}, not the chapters {wanted}")
    marks = [b.get(_w("name")) for b in root.iter(_w("bookmarkStart"))]
    expected = [bookmark_name(f"{part.chapter.id}_{block}") for part in book.chapters for block in ["title", *part.chapter.block_ids()]]
    present = [m for m in marks if m in set(expected)]
    if present != expected:
        missing = [m for m in expected if m not in set(present)]
        problems.append(f"bookmarks {', '.join(missing[:3])} missing" if missing else "the chapters' bookmarks are out of order")
    breaks = sum(1 for p in root.iter(_w("pPr")) if p.find(_w("sectPr")) is not None)
    if breaks < len(book.chapters):
        problems.append(f"{breaks} section breaks for {len(book.chapters)} chapters (one before each)")
    return problems, f"{len(book.chapters)} chapters at Heading 1 in order, each after a section break, with all its blocks"


@rule("docbuild:book-toc", "a TOC field listing the chapters")
def _docx_toc(root, book: Book):
    instructions = "".join(t.text or "" for t in root.iter(_w("instrText")))
    if not re.search(r"\bTOC\b", instructions):
        return ["no TOC field"], ""
    anchors = [a.get(_w("anchor")) for a in root.iter(_w("hyperlink")) if a.get(_w("anchor"))]
    marks = {b.get(_w("name")) for b in root.iter(_w("bookmarkStart"))}
    from ..writers.docx.inlines import bookmark_name

    problems = [f"the contents entry for '{part.chapter.meta.title}' is missing" for part in book.chapters
                if bookmark_name(f"{part.chapter.id}_title") not in anchors]
    problems += [f"link to '{a}' leads to no bookmark" for a in anchors if a not in marks]
    return problems, f"a TOC field whose entries lead to the {len(book.chapters)} chapters"


@rule("docbuild:book-lang", "one language per chapter variant (WCAG 3.1.1/3.1.2)")
def _docx_lang(root, book: Book):
    """A chapter in its original language has that language on its runs; the others inherit the document's."""
    from ..writers.docx.inlines import bookmark_name

    problems = []
    body = root.find(_w("body"))
    paragraphs = list(body.iter(_w("p")))
    starts = []
    for part in book.chapters:
        name = bookmark_name(f"{part.chapter.id}_title")
        index = next((i for i, p in enumerate(paragraphs) if any(b.get(_w("name")) == name for b in p.iter(_w("bookmarkStart")))), None)
        starts.append(index)
    for number, (part, start) in enumerate(zip(book.chapters, starts)):
        if start is None:
            continue
        end = next((s for s in starts[number + 1:] if s is not None), len(paragraphs))
        langs = set()
        for p in paragraphs[start:end]:
            for run in p.iter(_w("r")):
                if not "".join(t.text or "" for t in run.iter(_w("t"))).strip():
                    continue
                lang = run.find(f"{_w('rPr')}/{_w('lang')}")
                langs.add(lang.get(_w("val")).split("-")[0] if lang is not None else book.lang)
        if part.stand_in and part.chapter.lang not in langs:
            problems.append(f"'{part.chapter.meta.title}' is in '{part.chapter.lang}' but its runs do not say so")
        if not part.stand_in and langs and part.chapter.lang not in langs:
            problems.append(f"'{part.chapter.meta.title}' has no run in '{part.chapter.lang}'")
    return problems, "each chapter's runs are in its language"


# ---------------------------------------------------------------------------
# PDF


def check_pdf(path: Path, book: Book) -> list[CheckResult]:
    import pikepdf

    with pikepdf.open(path) as pdf:
        outline = _outline(pdf)
        links = _front_links(pdf, _chapter_bookmarks(outline, book))
        parts = _parts(pdf)
        labels = _page_labels(pdf)
    texts = _page_texts(path)
    return [_pdf_order(outline, texts, book), _pdf_toc(outline, links, texts, labels, book), _pdf_lang(parts, book)]


def _dest_page(pdf, dest) -> int | None:
    """The 1-based page a destination (array, name or action) points at."""
    import pikepdf

    if isinstance(dest, pikepdf.Dictionary) and "/D" in dest:
        dest = dest.D
    if isinstance(dest, (pikepdf.String, pikepdf.Name)):
        names = pdf.Root.get("/Names")
        tree = names.get("/Dests") if names is not None else None
        if tree is not None:
            found = pikepdf.NameTree(tree).get(str(dest))
            dest = found.D if isinstance(found, pikepdf.Dictionary) and "/D" in found else found
        elif "/Dests" in pdf.Root:
            dest = pdf.Root.Dests.get(pikepdf.Name("/" + str(dest).lstrip("/")))
    if isinstance(dest, pikepdf.Array) and len(dest):
        target = dest[0]
        for number, page in enumerate(pdf.pages, 1):
            if page.obj.objgen == target.objgen:
                return number
    return None


def _outline(pdf) -> list[tuple[int, str, int | None]]:
    """(depth, title, page) of every bookmark, in order."""
    found = []
    with pdf.open_outline() as outline:
        def visit(items, depth):
            for item in items:
                dest = item.destination if item.destination is not None else (item.action.get("/D") if item.action is not None else None)
                found.append((depth, _squeeze(str(item.title)), _dest_page(pdf, dest) if dest is not None else None))
                visit(item.children, depth + 1)

        visit(outline.root, 0)
    return found


def _chapter_bookmarks(outline, book: Book) -> list[tuple[int, str, int | None]]:
    """The bookmarks one level under the report's that name a chapter (others, such as the contents', may be there)."""
    titles = {_squeeze(part.chapter.meta.title) for part in book.chapters}
    return [entry for entry in outline if entry[0] == 1 and entry[1] in titles]


def _front_links(pdf, chapters) -> list[int | None]:
    """The pages the links on the pages before the first chapter lead to, in order."""
    chapter_pages = [page for _, _, page in chapters if page]
    first = min(chapter_pages) if chapter_pages else len(pdf.pages) + 1
    found = []
    for number, page in enumerate(pdf.pages, 1):
        if number >= first:
            break
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            dest = annot.get("/Dest")
            if dest is None and annot.get("/A") is not None:
                dest = annot.A.get("/D")
            if dest is not None:
                found.append(_dest_page(pdf, dest))
    return found


def _parts(pdf) -> list[str | None]:
    """The /Lang of every outermost Part element of the structure tree, in order (None where it has none)."""
    import pikepdf

    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return []
    role_map = {str(k): str(v) for k, v in root.get("/RoleMap", {}).items()}
    found = []

    def visit(node, depth=0):
        kids = node.get("/K")
        if kids is None or depth > 64:
            return
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if not isinstance(kid, pikepdf.Dictionary) or "/S" not in kid:
                continue
            role = role_map.get(str(kid.S), str(kid.S))
            if role == "/Part":
                found.append(str(kid.Lang) if "/Lang" in kid else None)
            else:
                visit(kid, depth + 1)

    visit(root)
    return found


def _page_labels(pdf) -> dict[int, str]:
    try:
        import pikepdf

        labels = {}
        for number, page in enumerate(pdf.pages, 1):
            labels[number] = str(pikepdf.Page(page).label)
        return labels
    except Exception:
        return {}


def _page_texts(path: Path) -> list[str]:
    tool = shutil.which("pdftotext")
    if tool is None:
        return []
    text = subprocess.run([tool, "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False).stdout
    return text.decode("utf-8", "replace").split("\f")


@rule("docbuild:book-chapters", "bookmarks: the report, then every chapter in order, then its sections")
def _pdf_order(outline, texts, book: Book):
    problems = []
    top = [entry for entry in outline if entry[0] == 0]
    chapters = _chapter_bookmarks(outline, book)
    if len(top) != 1:
        problems.append(f"{len(top)} top-level bookmarks; one (the report) is expected")
    titles = [title for _, title, _ in chapters]
    wanted = [_squeeze(part.chapter.meta.title) for part in book.chapters]
    if titles != wanted:
        problems.append(f"the chapter bookmarks are {titles}, not {wanted}")
    pages = [page for _, _, page in chapters]
    if any(p is None for p in pages) or pages != sorted(pages):
        problems.append(f"the chapter bookmarks lead to pages {pages}, not in order")
    sections = sum(1 for entry in outline if entry[0] >= 2)
    wanted_sections = sum(1 for part in book.chapters for b in part.chapter.walk() if isinstance(b, Section))
    if sections < wanted_sections:
        problems.append(f"{sections} section bookmarks for {wanted_sections} sections")
    if texts:
        body = re.sub("\u2010\n\\s*", "", "\n".join(texts[min((p for _, _, p in chapters if p), default=1) - 1:]))
        body = _squeeze(re.sub("-\n\\s*", "-", body).replace("\u00a0", " ").replace("\u202f", " "))
        wanted = [(what, needle.replace("\u00a0", " ").replace("\u202f", " ")) for what, needle in _expected_lines(book)]
        problems += _in_order(body, wanted, "PDF's text")
        for (_, title, page), part in zip(chapters, book.chapters):
            if page and page <= len(texts) and _squeeze(part.chapter.meta.title)[:30] not in _squeeze(texts[page - 1]):
                problems.append(f"page {page}, where the bookmark of '{title}' leads, does not show its title")
    return problems, (f"one report bookmark over {len(book.chapters)} chapters in order, {sections} sections; "
                      "the chapters' headings and paragraphs in order")


@rule("docbuild:book-toc", "the contents' entries lead to the chapters' pages, and print those pages' numbers")
def _pdf_toc(outline, links, texts, labels, book: Book):
    chapters = [page for _, _, page in _chapter_bookmarks(outline, book)]
    problems = []
    targets = [page for page in links if page is not None]
    for part, page in zip(book.chapters, chapters):
        if page not in targets:
            problems.append(f"no contents entry leads to page {page}, where '{part.chapter.meta.title}' starts")
    if texts and chapters and all(chapters):
        lines = [_squeeze(line) for line in "\n".join(texts[: min(chapters) - 1]).splitlines()]
        for part, page in zip(book.chapters, chapters):
            title = _squeeze(part.chapter.meta.title)
            label = labels.get(page, str(page))
            # The entry: the title, leaders perhaps, then the page number (a title over two lines: its last words).
            entry = next((m for line in lines if (m := re.fullmatch(rf"{re.escape(title)}[\s.·…_]*(\S+)", line))), None)
            if entry is None:
                entry = next((m for line in lines if title.startswith(line.split(" ")[0])
                              and (m := re.fullmatch(r".*?[\s.·…_](\d+)", line)) and title.endswith(
                                  _squeeze(re.sub(r"[\s.·…_]*\d+$", "", line)).split(" ")[-1])), None)
            if entry is None:
                problems.append(f"the contents have no entry '{title}' with a page number")
            elif entry.group(1) not in (label, str(page)):
                problems.append(f"the contents print page {entry.group(1)} for '{title}', which starts on page {label}")
    return problems, f"{len(chapters)} contents entries lead to their chapters' first pages and print them"


@rule("docbuild:book-lang", "one Part per chapter, in its chapter's language")
def _pdf_lang(parts, book: Book):
    problems = []
    if len(parts) != len(book.chapters):
        problems.append(f"{len(parts)} Part elements for {len(book.chapters)} chapters")
    for lang, part in zip(parts, book.chapters):
        declared = lang or book.lang
        if declared.split("-")[0] != part.chapter.lang.split("-")[0]:
            problems.append(f"the Part of '{part.chapter.meta.title}' is in '{declared}', the chapter in '{part.chapter.lang}'")
    return problems, f"{len(parts)} Parts, each in its chapter's language"
