"""The World Report as a book (``source/report.toml``): its TXT, EPUB and DOCX editions, the plan, the check.

The sample book is the introduction, ``kazakhstan`` and ``kazakhstan-january``,
in English and Russian. Each edition is read back with the tools the chapter
tests use (zip + lxml, python-docx, EPUBCheck and Ace, plain bytes), never with
the writers. The book PDF's own tests are in test_book_pdf.py; here the PDF is
built only as the EPUB's page-list needs it, and checked by ``docbuild check``.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from conftest import ROOT
from docbuild.book import load_book, load_definition
from docbuild.book.plan import plan_books
from docbuild.build import build
from docbuild.check.book import _pdf_toc, check_books
from docbuild.cli import main
from docbuild.errors import DocbuildError
from docbuild.model import Section
from docbuild.project import Project

BOOK = "world-report-2022"
LANGS = ("en", "ru")
CHAPTERS = ("introduction", "kazakhstan", "kazakhstan-january")
FORMATS = ("txt", "pdf", "epub", "docx")
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def book_project(root: Path) -> Path:
    """A writable copy of the project with its book."""
    for name in ("source", "layouts", "fonts"):
        shutil.copytree(ROOT / name, root / name)
    if (ROOT / "node_modules").is_dir():  # Ace, for the EPUB check
        (root / "node_modules").symlink_to(ROOT / "node_modules")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(project, out): the sample book in every format and both languages, built once."""
    project = book_project(tmp_path_factory.mktemp("book") / "project")
    out = project / "dist"
    build(project, out, list(FORMATS), book="only", jobs=2)
    return project, out


def edition(out: Path, lang: str, fmt: str) -> Path:
    return out / f"{BOOK}-{lang}.{fmt}"


# ---------------------------------------------------------------------------
# Every format, both languages; a no-op rebuild


def test_the_book_builds_in_every_format_and_language_next_to_the_chapters(built) -> None:
    project, out = built
    names = {p.name for p in out.iterdir()}
    assert names == {f"{BOOK}-{lang}.{fmt}" for lang in LANGS for fmt in FORMATS}
    again = build(project, out, list(FORMATS), book="only")
    assert again.rendered == () and len(again.written) == len(LANGS) * len(FORMATS)


def test_every_chapter_input_is_in_the_book_key(built, tmp_path: Path) -> None:
    project = book_project(tmp_path / "project")
    jobs, warnings = plan_books(Project.at(project), ["txt"], ["en"], "a4")
    assert warnings == [] and [job.file_name for job in jobs] == [f"{BOOK}-en.txt"]
    before = jobs[0].key
    for chapter in CHAPTERS:
        source = project / "source" / chapter / "en.md"
        source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        (job,), _ = plan_books(Project.at(project), ["txt"], ["en"], "a4")
        assert job.key != before, f"a change to {chapter} does not rebuild the book"
        before = job.key
    (project / "source" / "report.toml").write_text(
        (project / "source" / "report.toml").read_text(encoding="utf-8").replace("Kazakhstan: a sample", "Kazakhstan, a sample"),
        encoding="utf-8",
    )
    (job,), _ = plan_books(Project.at(project), ["txt"], ["en"], "a4")
    assert job.key != before


def test_docbuild_build_builds_the_book_unless_told_not_to(tmp_path: Path) -> None:
    project = book_project(tmp_path / "project")
    out = tmp_path / "out"
    assert main(["--project", str(project), "build", "-q", "--format", "txt", "--lang", "en", "--out", str(out)]) == 0
    assert (out / f"{BOOK}-en.txt").is_file() and (out / "kazakhstan-en.txt").is_file()
    for args, book in ((["--no-book"], False), (["--chapter", "kazakhstan"], False), (["--chapter", "kazakhstan", "--book"], True)):
        shutil.rmtree(out)
        assert main(["--project", str(project), "build", "-q", "--format", "txt", "--lang", "en", "--out", str(out), *args]) == 0
        assert (out / f"{BOOK}-en.txt").is_file() == book, args


# ---------------------------------------------------------------------------
# The editions, read back


def test_book_editions_pass_docbuild_check_with_validators(built, capsys) -> None:
    """``docbuild check --require-validators --strict`` on the eight book editions: every chapter in
    order, the contents, the languages, and EPUBCheck and Ace on the EPUBs."""
    project, out = built
    files = [str(p) for p in sorted(out.iterdir())]
    code = main(["--project", str(project), "check", "--json", "--require-validators", "--strict", *files])
    report = json.loads(capsys.readouterr().out)
    problems = [f"{e['file']} {c['rule']}: {c['reason']}" for e in report["editions"] for c in e["checks"]
                if c["status"] in ("fail", "not run")]
    assert code == 0 and not problems, problems
    rules = {(e["format"], c["rule"]) for e in report["editions"] for c in e["checks"]}
    for fmt in FORMATS:
        assert {(fmt, "docbuild:book-chapters"), (fmt, "docbuild:book-toc")} <= rules
    assert {("epub", "epubcheck"), ("epub", "ace"), ("pdf", "docbuild:book-lang")} <= rules


def _package(path: Path) -> tuple[etree._Element, dict[str, etree._Element]]:
    with zipfile.ZipFile(path) as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        docs = {name[len("EPUB/"):]: etree.fromstring(archive.read(name)) for name in archive.namelist() if name.endswith(".xhtml")}
    return opf, docs


@pytest.mark.parametrize("lang", LANGS)
def test_epub_has_one_nav_report_chapters_sections(built, lang: str) -> None:
    project, out = built
    book = load_book(Project.at(project), lang)
    opf, docs = _package(edition(out, lang, "epub"))
    navs = [item for item in opf.iter("{*}item") if "nav" in (item.get("properties") or "").split()]
    assert len(navs) == 1
    nav = docs[navs[0].get("href")]
    tocs = [n for n in nav.iter(f"{XHTML}nav") if n.get(EPUB_TYPE) == "toc"]
    assert len(tocs) == 1
    (report,) = tocs[0].find(f"{XHTML}ol").findall(f"{XHTML}li")
    assert "".join(report.find(f"{XHTML}a").itertext()) == book.title
    chapters = report.find(f"{XHTML}ol").findall(f"{XHTML}li")
    assert ["".join(li.find(f"{XHTML}a").itertext()) for li in chapters] == [p.chapter.meta.title for p in book.chapters]
    for li, part in zip(chapters, book.chapters):
        href = li.find(f"{XHTML}a").get("href")
        assert href == f"chapter-{part.chapter.id}.xhtml#title"
        sections = [b for b in part.chapter.blocks if isinstance(b, Section)]
        entries = li.find(f"{XHTML}ol").findall(f"{XHTML}li") if sections else []
        assert [e.find(f"{XHTML}a").get("href").split("#")[1] for e in entries][: len(sections)] == [s.id for s in sections]
    # One content document per chapter, in the spine's order, each in its chapter's language.
    items = {item.get("id"): item.get("href") for item in opf.iter("{*}item")}
    spine = [items[ref.get("idref")] for ref in opf.iter("{*}itemref")]
    chapter_docs = [name for name in spine if name.startswith("chapter-")]
    assert chapter_docs == [f"chapter-{c}.xhtml" for c in CHAPTERS]
    assert all(docs[name].get("lang") == lang for name in chapter_docs)


@pytest.mark.parametrize("lang", LANGS)
def test_epub_page_list_maps_to_the_book_pdf(built, lang: str) -> None:
    import pikepdf

    project, out = built
    with pikepdf.open(edition(out, lang, "pdf")) as pdf:
        pages = len(pdf.pages)
        with pdf.open_outline() as outline:
            starts = {}
            for item in outline.root[0].children:
                target = item.destination[0]
                starts[str(item.title)] = next(n for n, p in enumerate(pdf.pages, 1) if p.obj.objgen == target.objgen)
    opf, docs = _package(edition(out, lang, "epub"))
    (page_list,) = [n for d in docs.values() for n in d.iter(f"{XHTML}nav") if n.get(EPUB_TYPE) == "page-list"]
    hrefs = [a.get("href") for a in page_list.iter(f"{XHTML}a")]
    assert [int(h.rsplit("-", 1)[1]) for h in hrefs] == list(range(1, pages + 1))
    book = load_book(Project.at(project), lang)
    for part in book.chapters:
        # The page on which the PDF's bookmark puts the chapter is marked just before its title.
        page = starts[part.chapter.meta.title]
        assert f"chapter-{part.chapter.id}.xhtml#page-{page}" in hrefs
        doc = docs[f"chapter-{part.chapter.id}.xhtml"]
        marker = doc.find(f".//*[@id='page-{page}']")
        title = doc.find(".//*[@id='title']")
        following = marker.getnext()
        assert following is title or title in following.iter(), part.chapter.id
    opf_text = etree.tostring(opf).decode()
    assert "printPageNumbers" in opf_text and "pageBreakSource" in opf_text


@pytest.mark.parametrize("lang", LANGS)
def test_docx_has_the_chapters_at_heading_1_a_toc_field_and_a_section_per_chapter(built, lang: str) -> None:
    project, out = built
    book = load_book(Project.at(project), lang)
    document = docx.Document(str(edition(out, lang, "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [part.chapter.meta.title for part in book.chapters]
    assert [p.style.name for p in document.paragraphs][:2] == ["Title", "Subtitle"]
    # The sections stay one level below their chapter: Heading 2 and down.
    levels = [p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Heading 2" in levels and levels.index("Heading 1") < levels.index("Heading 2")
    body = document.element.body
    instructions = "".join(t.text or "" for t in body.iter(f"{W}instrText"))
    assert re.search(r"\bTOC \\o \"1-3\"", instructions)
    chars = [c.get(f"{W}fldCharType") for c in body.iter(f"{W}fldChar")]
    assert chars.count("begin") == chars.count("end")
    assert len(document.sections) == len(book.chapters) + 2  # title page, contents, then one per chapter
    with zipfile.ZipFile(edition(out, lang, "docx")) as archive:
        notes = etree.fromstring(archive.read("word/footnotes.xml"))
        settings = archive.read("word/settings.xml").decode()
    ids = [int(n.get(f"{W}id")) for n in notes.iter(f"{W}footnote") if n.get(f"{W}type") is None]
    assert ids == list(range(1, sum(len(p.chapter.notes) for p in book.chapters) + 1))
    refs = [int(r.get(f"{W}id")) for r in body.iter(f"{W}footnoteReference")]
    assert sorted(set(refs)) == ids
    assert "w:updateFields" in settings
    # Every #id link leads to a bookmark of its own chapter.
    marks = {b.get(f"{W}name") for b in body.iter(f"{W}bookmarkStart")}
    anchors = [h.get(f"{W}anchor") for h in body.iter(f"{W}hyperlink") if h.get(f"{W}anchor")]
    assert anchors and all(a in marks for a in anchors)
    assert "kazakhstan-january_timeline-table" in marks


@pytest.mark.parametrize("lang", LANGS)
def test_text_has_a_contents_list_then_the_chapters(built, lang: str) -> None:
    project, out = built
    book = load_book(Project.at(project), lang)
    text = edition(out, lang, "txt").read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    assert blocks[0] == f"# {book.title}"
    index = blocks.index(f"## {book.labels['contents']}")
    contents = blocks[index + 1].split("\n")
    assert [line[2:] for line in contents if line.startswith("- ")] == [p.chapter.meta.title.replace("\u00a0", " ") for p in book.chapters]
    assert any(line.startswith("   - ") for line in contents)
    titles = [blocks.index(f"## {p.chapter.meta.title.replace(chr(160), ' ')}") for p in book.chapters]
    assert index < titles[0] and titles == sorted(titles)
    assert "### " in text and "\n# " not in text[1:]


# ---------------------------------------------------------------------------
# A chapter missing in one language


@pytest.mark.parametrize("missing", ["skip", "original"])
def test_a_chapter_missing_in_one_language_is_handled_as_configured(tmp_path: Path, missing: str) -> None:
    project = book_project(tmp_path / "project")
    (project / "source" / "kazakhstan-january" / "ru.md").unlink()
    definition = project / "source" / "report.toml"
    definition.write_text(definition.read_text(encoding="utf-8").replace('missing = "original"', f'missing = "{missing}"'),
                          encoding="utf-8")
    out = tmp_path / "out"
    result = build(project, out, ["txt", "epub", "docx"], book="only")
    warnings = [w for w in result.warnings if "kazakhstan-january" in w]
    assert len(warnings) == 1 and "'ru'" in warnings[0] and f'missing = "{missing}"' in warnings[0]
    assert "report.toml" in warnings[0]
    ru = (out / f"{BOOK}-ru.txt").read_text(encoding="utf-8")
    en = (out / f"{BOOK}-en.txt").read_text(encoding="utf-8")
    english_title = "Kazakhstan: Crackdown after the January Protests"
    assert english_title in en
    opf, docs = _package(out / f"{BOOK}-ru.epub")
    if missing == "skip":
        assert english_title not in ru
        assert "chapter-kazakhstan-january.xhtml" not in docs
        headings = [p.text for p in docx.Document(str(out / f"{BOOK}-ru.docx")).paragraphs if p.style.name == "Heading 1"]
        assert len(headings) == 2
    else:
        assert f"## {english_title}" in ru and "Эта глава не переведена" in ru
        doc = docs["chapter-kazakhstan-january.xhtml"]
        assert doc.get("lang") == "en" and doc.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
        note = next(p for p in doc.iter(f"{XHTML}p") if p.get("class") == "stand-in")
        assert note.get("lang") == "ru" and note.find(f"{XHTML}span").get("lang") == "en"
        nav = docs["nav.xhtml"]
        entry = next(li for li in nav.iter(f"{XHTML}li") if li.find(f"{XHTML}a").get("href") == "chapter-kazakhstan-january.xhtml#title")
        assert entry.get("lang") == "en"
        with zipfile.ZipFile(out / f"{BOOK}-ru.docx") as archive:
            body = archive.read("word/document.xml").decode()
        assert 'w:lang w:val="en-' in body
    reports = check_books(Project.at(project), out, sorted(out.glob(f"{BOOK}-ru.*")), run_validators=False)
    assert not [f"{r.path.name} {c.rule}: {c.reason}" for r in reports for c in r.results if c.status == "fail"]
    assert all(any(c.rule == "docbuild:book-missing" and c.status == "warn" for c in r.results) for r in reports)


def test_epub_with_a_stand_in_chapter_passes_epubcheck(tmp_path: Path) -> None:
    from validators import epubcheck, epubcheck_messages

    project = book_project(tmp_path / "project")
    (project / "source" / "kazakhstan-january" / "ru.md").unlink()
    out = tmp_path / "out"
    build(project, out, ["epub"], ["ru"], book="only")
    report = epubcheck(out / f"{BOOK}-ru.epub", tmp_path)
    assert report["checker"]["nError"] == 0 and report["checker"]["nWarning"] == 0, epubcheck_messages(report)


# ---------------------------------------------------------------------------
# A bad report.toml


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ('chapters = ["kazakhstan", "kazakhstan-january"]', 'chapters = ["kazakhstan",\n  "uzbekistan"]', 8,
         "unknown chapter 'uzbekistan'"),
        ('missing = "original"', 'missing = "translate"', 11, "'missing' must be \"skip\" or \"original\""),
        ('date = "2022-01-27"', 'date = "27 January 2022"', 4, "'date' must be"),
        ('title = "World Report 2022"', 'tilte = "World Report 2022"', 14, "unknown key 'tilte' in [en]"),
        ('introduction = "introduction"', 'introduction = "introduction', 6, "not valid TOML"),
        ('[ru]', '[russian]', 19, "[russian] is not a language table"),
        ('[ru]\n', '[ru]\ncover = "kazakhstan/images/missing.jpg"\n', 20, "'cover' in [ru] names kazakhstan/images/missing.jpg"),
        ('cover = "kazakhstan/images/kazakhstan-protest.jpg"', 'cover = "../../etc/passwd"', 5, "'cover' must be an image"),
    ],
)
def test_a_bad_report_toml_is_an_error_at_its_line(tmp_path: Path, capsys, old: str, new: str, line: int, words: str) -> None:
    project = book_project(tmp_path / "project")
    path = project / "source" / "report.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DocbuildError) as caught:
        load_definition(Project.at(project))
    error = next(e for e in caught.value.errors if words in e.message)
    assert error.path == path and error.line == line, (error.line, error.message)
    assert main(["--project", str(project), "build", "-q", "--format", "txt", "--out", str(tmp_path / "out")]) == 1
    assert f"report.toml:{line}: " in capsys.readouterr().err


def test_a_missing_key_names_the_file(tmp_path: Path) -> None:
    project = book_project(tmp_path / "project")
    path = project / "source" / "report.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('publisher = "Human Rights Watch"\n', ""), encoding="utf-8")
    with pytest.raises(DocbuildError) as caught:
        load_definition(Project.at(project))
    assert caught.value.path == path and "missing key 'publisher'" in caught.value.message


def test_the_pdf_check_catches_a_wrong_page_number_in_the_contents(built) -> None:
    project, _ = built
    book = load_book(Project.at(project), "en")
    titles = [part.chapter.meta.title for part in book.chapters]
    outline = [(0, book.title, 1)] + [(1, title, page) for title, page in zip(titles, (5, 7, 13))]
    texts = ["cover", "", "Contents\n" + "\n".join(f"{t}   {p}" for t, p in zip(titles, (5, 7, 12)))]
    result = _pdf_toc(outline, [5, 7, 13], texts, {}, book)
    assert result.status == "fail" and "page 12" in result.reason
    texts[2] = texts[2].replace("  12", "  13")
    assert _pdf_toc(outline, [5, 7, 13], texts, {}, book).status == "pass"
    assert _pdf_toc(outline, [5, 7], texts, {}, book).status == "fail"  # no link to the last chapter


def test_check_reports_a_bad_report_toml_and_still_checks_the_chapters(tmp_path: Path) -> None:
    project = book_project(tmp_path / "project")
    path = project / "source" / "report.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('missing = "original"', 'missing = "sometimes"'), encoding="utf-8")
    out = tmp_path / "out"
    build(project, out, ["txt"], ["en"], ["example"])
    (out / f"{BOOK}-en.txt").write_text("an old book\n", encoding="utf-8")
    from docbuild.check import check_editions

    report = check_editions(project, [out / "example-en.txt", out / f"{BOOK}-en.txt"], run_validators=False)
    failures = {(e.path.name, c.rule) for e in report.editions for c in e.results if c.status == "fail"}
    assert failures == {("report.toml", "docbuild:source")}
    assert any(e.path.name == "example-en.txt" for e in report.editions)
    reason = next(c.reason for e in report.editions for c in e.results if c.rule == "docbuild:source")
    assert "report.toml:11:" in reason
