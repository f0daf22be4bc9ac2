"""The EPUB 3 edition, checked by EPUBCheck, Ace by DAISY and an XML parser.

Rules come from shared/accessibility.md ("EPUB 3 (EPUB 3.3; EPUB
Accessibility 1.1)"); each test names the rule, the validator's rule id or the
specification section it asserts. The validators' verdicts are read from their
own JSON reports (tests/validators.py).
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from pathlib import Path, PurePosixPath

import pikepdf
import pytest
from lxml import etree
from fontTools.ttLib import TTFont
from PIL import Image

import validators
from conftest import ROOT, replace_in_file
from docbuild.build import build
from docbuild.edition import Edition, build_time
from docbuild.writers.epub import CONFORMS_TO, block_ids, identifier, page_markers, render_epub
from docbuild.fonts import chapter_texts
from docbuild.labels import load_labels
from docbuild import model as m
from docbuild.model import Chapter, plain_text, spans
from docbuild.project import Project
from docbuild.reader import read_project
from docbuild.languages import load_language
from docbuild.typography import unbind_short_words

NS = {
    "h": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
LANGS = ("en", "ru")
#: The sample chapter (World Report, with a lead photo) and the briefing (every block type, notes, a chart).
CHAPTERS = ("kazakhstan", "kazakhstan-january")
BRIEFING = "kazakhstan-january"
BOOKS = [(chapter_id, lang) for chapter_id in CHAPTERS for lang in LANGS]


def h(tag: str) -> str:
    return "{%s}%s" % (NS["h"], tag)


def shown(text: str, lang: str) -> str:
    """Text as the EPUB shows it: no no-break space after a short word, so a search finds it (issue 12, defect 4)."""
    return unbind_short_words(text, load_language(ROOT / "layouts", lang))


# --------------------------------------------------------------------------
# Helpers: the model, and the EPUB read as a zip of XML files


def chapter(lang: str, chapter_id: str = "kazakhstan", root: Path = ROOT) -> Chapter:
    (chapter_set,) = read_project(Project.at(root), [chapter_id])
    return chapter_set.variant(lang)


class Package:
    """An EPUB opened as OCF: container, OPF, and the XHTML documents of its manifest."""

    def __init__(self, data: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        container = etree.fromstring(self.zip.read("META-INF/container.xml"))
        self.opf_path = container.find(".//c:rootfile", NS).get("full-path")
        self.opf = etree.fromstring(self.zip.read(self.opf_path))
        self.base = PurePosixPath(self.opf_path).parent

    def path(self, href: str) -> str:
        return str(self.base / href)

    def items(self) -> list[etree._Element]:
        return self.opf.findall("opf:manifest/opf:item", NS)

    def documents(self) -> dict[str, etree._Element]:
        """Every XHTML document of the manifest, by href."""
        return {
            item.get("href"): etree.fromstring(self.zip.read(self.path(item.get("href"))))
            for item in self.items()
            if item.get("media-type") == "application/xhtml+xml"
        }

    def nav(self) -> tuple[str, etree._Element]:
        (item,) = [i for i in self.items() if "nav" in (i.get("properties") or "").split()]
        return item.get("href"), etree.fromstring(self.zip.read(self.path(item.get("href"))))

    def nav_links(self, kind: str) -> list[etree._Element]:
        _, nav = self.nav()
        (element,) = [n for n in nav.iter("{%s}nav" % NS["h"]) if kind in n.get(EPUB_TYPE, "").split()]
        return element.findall(".//h:a", NS)

    def meta(self, prop: str) -> list[str]:
        return [m.text for m in self.opf.findall(f"opf:metadata/opf:meta[@property='{prop}']", NS)]

    def dc(self, name: str) -> list[str]:
        return [e.text for e in self.opf.findall(f"opf:metadata/dc:{name}", NS)]

    def target(self, nav_href: str, href: str) -> etree._Element | None:
        """The element an href in the navigation document points to, or None."""
        file, _, fragment = href.partition("#")
        docs = self.documents()
        doc_href = str(PurePosixPath(nav_href).parent / file) if file else nav_href
        doc = docs.get(str(PurePosixPath(doc_href)))
        if doc is None:
            return None
        if not fragment:
            return doc
        found = doc.xpath("//*[@id=$id]", id=fragment)
        return found[0] if found else None


@pytest.fixture(scope="module")
def built(dist) -> Path:
    """The real project's PDFs and EPUBs, built once."""
    return dist("pdf", "epub")


def package(built: Path, lang: str, chapter_id: str = "kazakhstan") -> Package:
    return Package((built / f"{chapter_id}-{lang}.epub").read_bytes())


def edition(lang: str, chapter_id: str = "kazakhstan", root: Path = ROOT, **changes: object) -> Edition:
    """A hand-made edition of a chapter, for tests that need no PDF."""
    ch = chapter(lang, chapter_id, root)
    project = Project.at(root)
    return dataclasses.replace(Edition(ch, load_labels(project, lang), project), **changes)


# --------------------------------------------------------------------------
# Validators


@pytest.mark.parametrize("chapter_id, lang", BOOKS)
def test_epubcheck_reports_no_errors_and_no_warnings(built: Path, chapter_id: str, lang: str, tmp_path: Path) -> None:
    """accessibility.md: "EPUBCheck: 0 errors, 0 warnings" (from EPUBCheck's own --json report)."""
    report = validators.epubcheck(built / f"{chapter_id}-{lang}.epub", tmp_path)
    checker = report["checker"]
    messages = validators.epubcheck_messages(report)
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), messages
    assert checker["nUsage"] == 0, messages


@pytest.mark.parametrize("chapter_id, lang", BOOKS)
def test_ace_reports_no_violations(built: Path, chapter_id: str, lang: str, tmp_path: Path) -> None:
    """accessibility.md: "Ace by DAISY: 0 violations" (report.json: earl:outcome pass, no failed assertion)."""
    report = validators.ace(built / f"{chapter_id}-{lang}.epub", tmp_path)
    assert validators.ace_violations(report) == []
    assert report["earl:result"]["earl:outcome"] == "pass"
    # Ace did check the content documents, not only the package.
    checked = {d["earl:testSubject"]["url"] for d in report["assertions"]}
    assert {"cover.xhtml", "nav.xhtml", "chapter.xhtml"} <= checked
    assert report["properties"]["hasPageBreaks"] is True
    assert "dcterms:conformsTo" in report["a11y-metadata"]["present"]


def test_ace_finds_a_missing_alt_text(built: Path, tmp_path: Path) -> None:
    """The Ace run can fail: an image without alt (axe rule image-alt, WCAG 1.1.1) is reported."""
    broken = tmp_path / "no-alt.epub"
    with zipfile.ZipFile(built / "kazakhstan-en.epub") as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("chapter.xhtml"):
                root = etree.fromstring(data)
                for img in root.iter("{%s}img" % NS["h"]):
                    del img.attrib["alt"]
                data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
            target.writestr(info, data)
    violations = validators.ace_violations(validators.ace(broken, tmp_path))
    assert any("image-alt" in v for v in violations), violations


# --------------------------------------------------------------------------
# Container and package


@pytest.mark.parametrize("lang", LANGS)
def test_mimetype_is_first_and_stored(built: Path, lang: str) -> None:
    """OCF 3.3 section 4.2 (EPUBCheck PKG-006, PKG-007): mimetype first, uncompressed, no extra field."""
    with zipfile.ZipFile(built / f"kazakhstan-{lang}.epub") as epub:
        first = epub.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert first.extra == b""
        assert epub.read(first) == b"application/epub+zip"


@pytest.mark.parametrize("lang", LANGS)
def test_package_metadata(built: Path, lang: str) -> None:
    """accessibility.md "Metadata: title, language, publisher/author, date, a description"; xml:lang on the package."""
    epub, meta = package(built, lang), chapter(lang).meta
    assert epub.opf.get(XML_LANG) == lang
    assert epub.dc("title") == [f"{meta.title}: {meta.subtitle}"]
    assert epub.dc("language") == [lang]
    assert epub.dc("creator") == [meta.author]
    assert epub.dc("publisher") == [meta.publisher]
    assert epub.dc("date") == [meta.date]
    assert epub.dc("description") == [meta.description]
    assert epub.dc("subject") == list(meta.keywords)
    (uid,) = epub.dc("identifier")
    assert uid == identifier(chapter(lang)) and uid.startswith("urn:uuid:")
    assert epub.meta("dcterms:modified") == [build_time(chapter(lang)).strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert epub.opf.find("opf:metadata/opf:meta[@property='rendition:layout']", NS) is None  # reflowable


@pytest.mark.parametrize("lang", LANGS)
def test_accessibility_metadata(built: Path, lang: str) -> None:
    """EPUB Accessibility 1.1 section 2 (Ace rules metadata-accessmode, -accessibilityfeature, -accessibilityhazard,
    -accessibilitysummary, -accessmodesufficient): every property, values as the content warrants."""
    epub = package(built, lang)
    labels = load_labels(Project.at(ROOT), lang)
    assert epub.meta("schema:accessMode") == ["textual", "visual"]  # the chapter has a photo
    assert epub.meta("schema:accessModeSufficient") == ["textual"]
    assert set(epub.meta("schema:accessibilityFeature")) == {
        "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability",
        "alternativeText", "printPageNumbers", "pageNavigation",
    }
    assert epub.meta("schema:accessibilityHazard") == ["none"]
    (summary,) = epub.opf.findall("opf:metadata/opf:meta[@property='schema:accessibilitySummary']", NS)
    assert summary.get(XML_LANG) == lang
    assert summary.text.startswith(labels["accessibility_summary_text"])
    assert labels["accessibility_summary_pages"] in summary.text
    meta = chapter(lang).meta
    assert epub.meta("pageBreakSource") == [labels.format("print_edition", title=meta.title, subtitle=meta.subtitle)]
    assert epub.meta("dcterms:conformsTo") == [CONFORMS_TO]


def test_metadata_follows_the_content() -> None:
    """Issue 5 item 7: no photo -> no accessMode visual, no alternativeText; no print pages -> no page-list,
    no printPageNumbers/pageNavigation, no pageBreakSource."""
    plain = edition("en")
    plain = dataclasses.replace(plain, chapter=dataclasses.replace(plain.chapter, figure=None))
    epub = Package(render_epub(plain))
    assert epub.meta("schema:accessMode") == ["textual"]
    features = set(epub.meta("schema:accessibilityFeature"))
    assert not features & {"alternativeText", "printPageNumbers", "pageNavigation"}
    assert epub.meta("pageBreakSource") == []
    _, nav = epub.nav()
    assert not [n for n in nav.iter("{%s}nav" % NS["h"]) if n.get(EPUB_TYPE) == "page-list"]
    assert not epub.documents()["chapter.xhtml"].findall(".//h:img", NS)
    # Only the cover image, words on white (PNG): no photo in the book.
    assert [i.get("media-type") for i in epub.items() if i.get("media-type").startswith("image/")] == ["image/png"]
    assert epub.meta("dcterms:conformsTo") == [CONFORMS_TO]


# --------------------------------------------------------------------------
# Content and navigation


@pytest.mark.parametrize("lang", LANGS)
def test_every_content_document_declares_its_language(built: Path, lang: str) -> None:
    """accessibility.md: "lang and xml:lang on every content document" (WCAG 3.1.1; Ace/axe html-has-lang)."""
    documents = package(built, lang).documents()
    assert len(documents) == 3
    for href, root in documents.items():
        assert (root.get("lang"), root.get(XML_LANG)) == (lang, lang), href


@pytest.mark.parametrize("lang", LANGS)
def test_toc_lists_the_title_and_every_section(built: Path, lang: str) -> None:
    """accessibility.md: "Navigation document with the table of contents"; EPUB 3.3 section 7.4.2 (toc nav)."""
    epub, model = package(built, lang), chapter(lang)
    nav_href, nav = epub.nav()
    links = epub.nav_links("toc")
    sections = list(model.sections())
    assert [a.get("href").partition("#")[2] for a in links] == ["title"] + [s.id for s in sections]
    assert ["".join(a.itertext()) for a in links] == [shown(model.meta.title, lang)] + [shown(plain_text(s.heading), lang) for s in sections]
    for a in links:
        heading = epub.target(nav_href, a.get("href"))
        assert heading is not None and heading.tag in (h("h1"), h("h2"))
    (toc,) = [n for n in nav.iter("{%s}nav" % NS["h"]) if n.get(EPUB_TYPE) == "toc"]
    assert toc.get("role") == "doc-toc"  # Ace epub-type-has-matching-role


@pytest.mark.parametrize("lang", LANGS)
def test_landmarks(built: Path, lang: str) -> None:
    """accessibility.md: landmarks (cover, toc, bodymatter); EPUB 3.3 section 7.4.4."""
    epub = package(built, lang)
    nav_href, _ = epub.nav()
    links = epub.nav_links("landmarks")
    assert [a.get(EPUB_TYPE) for a in links] == ["cover", "toc", "bodymatter"]
    for a in links:
        assert epub.target(nav_href, a.get("href")) is not None, a.get("href")


@pytest.mark.parametrize("lang", LANGS)
def test_page_list_has_one_entry_per_print_page(built: Path, lang: str) -> None:
    """accessibility.md: "page-list with print page numbers" (EPUB 3.3 section 7.4.3; Ace epub-pagelist-broken):
    one entry per page of the A4 PDF, each pointing at a pagebreak marker with role doc-pagebreak."""
    epub = package(built, lang)
    with pikepdf.open(built / f"kazakhstan-{lang}.pdf") as pdf:
        page_count = len(pdf.pages)
    nav_href, _ = epub.nav()
    links = epub.nav_links("page-list")
    assert [a.text for a in links] == [str(n) for n in range(1, page_count + 1)]
    labels = load_labels(Project.at(ROOT), lang)
    for number, a in enumerate(links, 1):
        marker = epub.target(nav_href, a.get("href"))
        assert marker is not None, a.get("href")
        assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("role") == "doc-pagebreak"
        assert marker.get("aria-label") == labels.format("page", page=number)


def test_a_page_on_which_no_block_starts_still_gets_a_marker() -> None:
    """A paragraph running over a whole print page: its page still has a page-list entry, at that paragraph."""
    ed = edition("en")
    ids = block_ids(ed.chapter)
    # intro-1 on page 1, intro-2 runs over pages 2 and 3, everything after on page 4.
    pages = {block: 1 for block in ids[:2]} | {ids[2]: 2} | {block: 4 for block in ids[3:]}
    markers = page_markers(ed.chapter, pages, 4)
    assert markers.starts == {"title": 1, ids[2]: 2, ids[3]: 4}
    assert markers.continued == {ids[2]: (3,)}
    epub = Package(render_epub(dataclasses.replace(ed, print_pages=pages, print_page_count=4)))
    nav_href, _ = epub.nav()
    links = epub.nav_links("page-list")
    assert [a.text for a in links] == ["1", "2", "3", "4"]
    page_3 = epub.target(nav_href, links[2].get("href"))
    assert page_3.getprevious().get("id") == "page-2"
    assert page_3.getnext().get("id") == ids[2]


@pytest.mark.parametrize("lang", LANGS)
def test_figure_alt_is_the_sources(built: Path, lang: str) -> None:
    """accessibility.md: <figure> with <img alt> and <figcaption>; alt is the source's, not caption or credit (WCAG 1.1.1)."""
    epub, model = package(built, lang), chapter(lang)
    documents = epub.documents()
    images = list(documents["chapter.xhtml"].iter("{%s}img" % NS["h"]))
    assert images and all(img.get("alt") == model.figure.alt for img in images)
    # The cover image is named by the title, never by the photo's description (issue 12, defect 6).
    (cover,) = documents["cover.xhtml"].iter("{%s}img" % NS["h"])
    labels = load_labels(Project.at(ROOT), lang)
    assert cover.get("alt") == labels.format("cover_alt", title=model.meta.title, subtitle=model.meta.subtitle)
    (figure,) = documents["chapter.xhtml"].findall(".//h:figure", NS)
    assert figure.find("h:img", NS) is not None
    caption = "".join(figure.find("h:figcaption", NS).itertext())
    assert shown(plain_text(model.figure.caption), lang) in caption and shown(plain_text(model.figure.credit), lang) in caption


@pytest.mark.parametrize("lang", LANGS)
def test_photo_carries_no_metadata(built: Path, lang: str) -> None:
    """images.py: the photo is re-encoded pixels, never the source file with its EXIF/GPS."""
    epub = package(built, lang)
    (src,) = [img.get("src") for img in epub.documents()["chapter.xhtml"].iter(h("img"))]
    (item,) = [i for i in epub.items() if i.get("href") == src and i.get("media-type") == "image/jpeg"]
    data = epub.zip.read(epub.path(item.get("href")))
    assert data != chapter(lang).figure.image.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif() and "icc_profile" not in image.info


@pytest.mark.parametrize("chapter_id", CHAPTERS)
def test_russian_english_spans_carry_lang(built: Path, chapter_id: str) -> None:
    """accessibility.md / WCAG 3.1.2: English inside the Russian text is lang="en" and xml:lang="en"."""
    model = chapter("ru", chapter_id)
    expected = [plain_text(s.children) for s in _model_spans(model) if s.lang == "en"]
    assert expected, "the Russian chapter has no English span to check"
    chapter_doc = package(built, "ru", chapter_id).documents()["chapter.xhtml"]
    found = [
        "".join(span.itertext())
        for span in chapter_doc.iter("{%s}span" % NS["h"])
        if span.get("lang") == "en"
    ]
    # The colophon names the publisher, kept in English (Metadata.names_lang; issue 12, defect 9).
    assert model.meta.names_lang == "en"
    assert found == expected + [model.meta.publisher]
    for span in chapter_doc.iter("{%s}span" % NS["h"]):
        assert span.get("lang") == span.get(XML_LANG)


def _model_spans(model: Chapter):
    """Spans in the chapter document's order: lead caption and credit, the body, then the notes."""
    for run in model.inline_runs():
        yield from spans(run)


@pytest.mark.parametrize("lang", LANGS)
def test_fonts_are_embedded_with_their_licence(built: Path, lang: str) -> None:
    """accessibility.md: "Fonts embedded with their licences"; no fixed layout (rendition:layout absent)."""
    epub = package(built, lang)
    hrefs = {i.get("href"): i.get("media-type") for i in epub.items()}
    used = {ord(c) for c in "".join(text for text, _ in chapter_texts(chapter(lang))) if not c.isspace()}
    for name in ("NotoSerif-Regular", "NotoSerif-Italic", "NotoSerif-Bold", "NotoSerif-BoldItalic"):
        assert hrefs[f"fonts/{name}.ttf"] == "font/ttf"
        data = epub.zip.read(epub.path(f"fonts/{name}.ttf"))
        original = (ROOT / "fonts" / f"{name}.ttf").read_bytes()
        assert len(data) < len(original) / 4, "subset to the chapter's characters"
        font = TTFont(io.BytesIO(data))
        assert used <= set(font.getBestCmap()), "every character of the chapter has its glyph"
        assert font["name"].getDebugName(4) == TTFont(io.BytesIO(original))["name"].getDebugName(4)
    assert epub.zip.read(epub.path("fonts/OFL.txt")) == (ROOT / "fonts" / "OFL.txt").read_bytes()


@pytest.mark.parametrize("chapter_id, lang", BOOKS)
def test_every_character_shown_has_its_glyph(built: Path, chapter_id: str, lang: str) -> None:
    """Fonts subset to the text: every character of every document (notes, tables, labels, template text) is kept."""
    epub = package(built, lang, chapter_id)
    shown = set()
    for root in epub.documents().values():
        for element in root.iter():
            if isinstance(element.tag, str):
                shown.update(element.text or "", element.tail or "", element.get("alt", ""), element.get("aria-label", ""))
    shown = {ord(c) for c in shown if not c.isspace() and c != "\u00ad"}
    for name in ("NotoSerif-Regular", "NotoSerif-Italic", "NotoSerif-Bold", "NotoSerif-BoldItalic"):
        font = TTFont(io.BytesIO(epub.zip.read(epub.path(f"fonts/{name}.ttf"))))
        assert shown <= set(font.getBestCmap()), [chr(c) for c in shown - set(font.getBestCmap())]


@pytest.mark.parametrize("chapter_id, lang", BOOKS)
def test_title_block_is_inside_main(built: Path, chapter_id: str, lang: str) -> None:
    """accessibility.md: "The title block is inside main" (the one h1, the subtitle and the lead photo)."""
    doc = package(built, lang, chapter_id).documents()["chapter.xhtml"]
    (main,) = doc.iter(h("main"))
    (h1,) = doc.iter(h("h1"))
    assert h1.getparent().tag == h("header") and h1.getparent().getparent() is main
    assert main.getparent().tag == h("body")


@pytest.mark.parametrize("chapter_id, lang", BOOKS)
def test_ids_are_unique(built: Path, chapter_id: str, lang: str) -> None:
    """EPUBCheck RSC-005: an id once per document; generated ids never take an author's (reserved prefixes)."""
    for href, root in package(built, lang, chapter_id).documents().items():
        ids = [element.get("id") for element in root.iter() if element.get("id")]
        assert len(ids) == len(set(ids)), href
    model = chapter(lang, chapter_id)
    doc = package(built, lang, chapter_id).documents()["chapter.xhtml"]
    author = set(model.block_ids())
    generated = {element.get("id") for element in doc.iter() if element.get("id")} - author
    prefixes = ("section-", "title-", "description-", "note-", "noteref", "page-")
    assert {i for i in generated if not i.startswith(prefixes)} <= {"title", "photo", "notes"}


@pytest.mark.parametrize("chapter_id, lang", BOOKS)
def test_every_figure_is_its_own_image_file(built: Path, chapter_id: str, lang: str) -> None:
    """Every figure (lead photo and body figures) is a file images/<name>.<ext> in the manifest with its media
    type; every <img> points at one; the lead photo is the cover image."""
    epub, model = package(built, lang, chapter_id), chapter(lang, chapter_id)
    items = {i.get("href"): i for i in epub.items()}
    figures = ([model.figure] if model.figure else []) + [b for b in model.walk() if isinstance(b, m.Figure)]
    doc = epub.documents()["chapter.xhtml"]
    imgs = list(doc.iter(h("img")))
    assert len(imgs) == len(figures)
    for img, figure in zip(imgs, figures):
        item = items[img.get("src")]
        assert img.get("src").startswith("images/")
        data = epub.zip.read(epub.path(img.get("src")))
        with Image.open(io.BytesIO(data)) as image:
            assert item.get("media-type") == Image.MIME[image.format]
            assert (int(img.get("width")), int(img.get("height"))) == image.size
        assert item.get("media-type") == ("image/png" if figure.image.suffix == ".png" else "image/jpeg")
    # The cover image is docbuild's own (the title drawn on it, over the photo if there is one), shown on the cover page.
    (cover,) = [i for i in epub.items() if "cover-image" in (i.get("properties") or "").split()]
    (shown,) = epub.documents()["cover.xhtml"].iter(h("img"))
    assert cover.get("href") == shown.get("src") and cover.get("href") not in [img.get("src") for img in imgs]
    assert cover.get("media-type") == ("image/jpeg" if model.figure else "image/png")


# --------------------------------------------------------------------------
# The briefing: every block type


def briefing(built: Path, lang: str) -> tuple[Package, etree._Element, Chapter]:
    epub = package(built, lang, BRIEFING)
    return epub, epub.documents()["chapter.xhtml"], chapter(lang, BRIEFING)


def _model_lists(model: Chapter) -> list[m.List]:
    """Every list of the body, then of the notes, in document order (nested lists after their parent item's text)."""
    blocks = list(model.walk()) + [b for note in model.notes for b in m.walk(note.blocks)]
    return [b for b in blocks if isinstance(b, m.List)]


@pytest.mark.parametrize("lang", LANGS)
def test_lists_are_lists(built: Path, lang: str) -> None:
    """accessibility.md "Lists are lists" (WCAG 1.3.1): each ol/ul has as many li as the source list, nested lists
    inside their li, the ordered list's start kept."""
    _, doc, model = briefing(built, lang)
    notes = doc.find(".//h:section[@class='notes']", NS)
    html = [e for e in doc.iter(h("ol"), h("ul")) if not (notes is not None and e.getparent() is notes)]
    lists = _model_lists(model)
    assert len(html) == len(lists)
    nested = 0
    for element, source in zip(html, lists):
        assert element.tag == h("ol" if source.ordered else "ul")
        items = element.findall("h:li", NS)
        assert len(items) == len(source.items)
        assert all(len(li) > 0 for li in items), "no empty item"
        assert element.get("start") == (str(source.start) if source.start != 1 else None)
        for li, item in zip(items, source.items):
            inner = [b for b in item.blocks if isinstance(b, m.List)]
            assert len(li.findall("h:ol", NS) + li.findall("h:ul", NS)) == len(inner)
            nested += len(inner)
    assert nested >= 5, "the briefing nests lists"
    assert any(l.ordered and l.start > 1 for l in lists), "the briefing continues a numbered list"


@pytest.mark.parametrize("lang", LANGS)
def test_tables_have_captions_and_scoped_headers(built: Path, lang: str) -> None:
    """accessibility.md "tables have caption and th scope": caption = source caption; header row col, header column row."""
    _, doc, model = briefing(built, lang)
    tables = [b for b in model.walk() if isinstance(b, m.Table)]
    html = list(doc.iter(h("table")))
    assert len(html) == len(tables) >= 2
    for element, source in zip(html, tables):
        caption = element.find("h:caption", NS)
        assert caption is not None and element.index(caption) == 0
        assert "".join(caption.itertext()) == shown(plain_text(source.caption), lang)
        headers = list(element.iter(h("th")))
        assert headers and all(th.get("scope") in ("col", "row") for th in headers)
        assert [th.get("scope") for th in element.find("h:thead", NS).iter(h("th"))] == ["col"] * len(source.header)
        rows = element.find("h:tbody", NS).findall("h:tr", NS)
        assert len(rows) == len(source.rows)
        for row in rows:
            first = row[0]
            assert (first.tag, first.get("scope")) == ((h("th"), "row") if source.header_column else (h("td"), None))
        for column, align in enumerate(source.align):
            cells = [row[column] for row in rows]
            assert all(("align-right" in (c.get("class") or "")) == (align == "right") for c in cells)


@pytest.mark.parametrize("lang", LANGS)
def test_notes_are_linked_both_ways(built: Path, lang: str) -> None:
    """accessibility.md "notes are linked both ways": doc-noteref -> the note; its doc-backlink -> the reference."""
    _, doc, model = briefing(built, lang)
    by_id = {e.get("id"): e for e in doc.iter() if e.get("id")}
    refs = [a for a in doc.iter(h("a")) if a.get("role") == "doc-noteref"]
    assert len(refs) == sum(1 for run in model.inline_runs() for n in m.inline_nodes(run) if isinstance(n, m.NoteRef))
    (section,) = [s for s in doc.iter(h("section")) if s.get(EPUB_TYPE) == "endnotes"]
    assert section.get("role") == "doc-endnotes"
    assert section.getparent().tag == h("main")
    notes = section.find("h:ol", NS).findall("h:li", NS)
    assert [li.get("id") for li in notes] == [f"note-{note.label}" for note in model.notes]
    labels = load_labels(Project.at(ROOT), lang)
    for a in refs:
        assert a.get(EPUB_TYPE) == "noteref"
        note = by_id[a.get("href").removeprefix("#")]
        assert note in notes
        assert a.text == str(notes.index(note) + 1)
        assert a.get("aria-label") == labels.format("note", number=a.text)
    for li in notes:
        assert li.get("role") is None, "doc-endnote is deprecated (DPUB-ARIA 1.1)"
        (back,) = [a for a in li.iter(h("a")) if a.get("role") == "doc-backlink"]
        target = by_id[back.get("href").removeprefix("#")]
        assert target.get("role") == "doc-noteref" and target.get("href") == "#" + li.get("id")


@pytest.mark.parametrize("lang", LANGS)
def test_figure_alt_caption_credit_and_long_description(built: Path, lang: str) -> None:
    """accessibility.md: every figure img has alt = Figure.alt, its figcaption holds caption and credit; a chart's
    img points at its long description (aria-describedby), which holds the description's text."""
    _, doc, model = briefing(built, lang)
    figures = [b for b in model.walk() if isinstance(b, m.Figure)]
    html = [f for f in doc.iter(h("figure")) if f.find("h:img", NS) is not None]
    assert len(html) == len(figures) and any(f.kind == "chart" for f in figures)
    by_id = {e.get("id"): e for e in doc.iter() if e.get("id")}
    for element, figure in zip(html, figures):
        img = element.find("h:img", NS)
        assert img.get("alt") == figure.alt
        caption = "".join(element.find("h:figcaption", NS).itertext())
        assert shown(plain_text(figure.caption), lang) in caption and shown(plain_text(figure.credit), lang) in caption
        assert figure.kind in element.get("class").split()
        if figure.description:
            description = by_id[img.get("aria-describedby")]
            text = " ".join("".join(description.itertext()).split())
            for run in m.blocks_text(figure.description).splitlines():
                assert " ".join(run.split()) in text
            assert description.find("h:table", NS) is not None


@pytest.mark.parametrize("lang", LANGS)
def test_chart_transparency_is_white(built: Path, lang: str) -> None:
    """images.py: a pixel transparent in the source PNG is white in the EPUB's image (not black in a reader that
    drops alpha)."""
    epub, doc, model = briefing(built, lang)
    (chart,) = [b for b in model.walk() if isinstance(b, m.Figure) and b.kind == "chart"]
    img = doc.find(".//h:figure[@id='%s']/h:img" % chart.id, NS)
    with Image.open(chart.image) as source:
        rgba = source.convert("RGBA")
        transparent = next((x, y) for y in range(rgba.height) for x in range(rgba.width) if rgba.getpixel((x, y))[3] == 0)
        with Image.open(io.BytesIO(epub.zip.read(epub.path(img.get("src"))))) as shipped:
            assert shipped.format == "PNG"
            scale = shipped.width / rgba.width
            x, y = (round(c * scale) for c in transparent)
            pixel = shipped.convert("RGBA").getpixel((min(x, shipped.width - 1), min(y, shipped.height - 1)))
    assert pixel == (255, 255, 255, 255)


@pytest.mark.parametrize("lang", LANGS)
def test_box_is_an_aside_with_a_heading(built: Path, lang: str) -> None:
    """A box is an <aside> named by its heading (the title at the box's level), not a drawn frame."""
    _, doc, model = briefing(built, lang)
    boxes = [b for b in model.walk() if isinstance(b, m.Box)]
    asides = list(doc.iter(h("aside")))
    assert len(asides) == len(boxes) >= 1
    for aside, box in zip(asides, boxes):
        heading = aside[0]
        assert heading.tag == h(f"h{box.level}")
        assert "".join(heading.itertext()) == plain_text(box.title)
        assert aside.get("aria-labelledby") == heading.get("id")


@pytest.mark.parametrize("lang", LANGS)
def test_quotation_with_attribution(built: Path, lang: str) -> None:
    """accessibility.md "quotations are quotations": a <blockquote>, its attribution a figcaption beside it."""
    _, doc, model = briefing(built, lang)
    (quote,) = [b for b in model.walk() if isinstance(b, m.BlockQuote)]
    figure = doc.find(".//h:figure[@id='%s']" % quote.id, NS)
    assert figure.find("h:blockquote", NS) is not None
    attribution = "".join(figure.find("h:figcaption", NS).itertext())
    assert plain_text(quote.attribution) in attribution


@pytest.mark.parametrize("lang", LANGS)
def test_internal_links_resolve(built: Path, lang: str) -> None:
    """Cross-references (a href="#id") lead to an element of the chapter."""
    _, doc, model = briefing(built, lang)
    ids = {e.get("id") for e in doc.iter() if e.get("id")}
    internal = [a.get("href") for a in doc.iter(h("a")) if a.get("href", "").startswith("#")]
    assert len([a for a in internal if not a.startswith(("#note", "#noteref"))]) >= 3
    assert [href for href in internal if href[1:] not in ids] == []


@pytest.mark.parametrize("lang", LANGS)
def test_toc_nests_subsections(built: Path, lang: str) -> None:
    """The table of contents follows the outline: a level-3 entry is an li in the ol inside its level-2 entry's li,
    a level-4 entry inside its level-3's; the notes have an entry."""
    epub, _, model = briefing(built, lang)
    nav_href, _ = epub.nav()
    links = {a.get("href").partition("#")[2]: a for a in epub.nav_links("toc")}

    def check(section: m.Section, parent_id: str) -> None:
        li = links[section.id].getparent()
        assert li.tag == h("li") and li.getparent().tag == h("ol")
        assert li.getparent().getparent().find("h:a", NS) is links[parent_id]
        target = epub.target(nav_href, links[section.id].get("href"))
        assert target.tag == h(f"h{section.level}")
        for child in section.blocks:
            if isinstance(child, m.Section):
                check(child, section.id)

    levels = {s.level for s in model.sections()}
    assert levels == {2, 3, 4}
    for block in model.blocks:
        if isinstance(block, m.Section):
            check(block, "title")
    assert epub.target(nav_href, f"chapter.xhtml#title-notes").text == load_labels(Project.at(ROOT), lang)["notes"]


@pytest.mark.parametrize("lang", LANGS)
def test_briefing_accessibility_metadata(built: Path, lang: str) -> None:
    """Metadata from the finished book: a chart with a long description (alternativeText, longDescription), no lead
    photo (no photo sentence, the figures one instead), tables (tables sentence), conformance."""
    epub = package(built, lang, BRIEFING)
    labels = load_labels(Project.at(ROOT), lang)
    assert epub.meta("schema:accessMode") == ["textual", "visual"]
    assert epub.meta("schema:accessModeSufficient") == ["textual"]
    assert set(epub.meta("schema:accessibilityFeature")) == {
        "structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability",
        "alternativeText", "longDescription", "printPageNumbers", "pageNavigation",
    }
    (summary,) = epub.meta("schema:accessibilitySummary")
    assert labels["accessibility_summary_figures"] in summary
    assert labels["accessibility_summary_tables"] in summary
    assert labels["accessibility_summary_photo"] not in summary
    assert epub.meta("dcterms:conformsTo") == [CONFORMS_TO]
    # The chapter with only its lead photo says so, and has no tables sentence.
    (other,) = package(built, lang).meta("schema:accessibilitySummary")
    assert labels["accessibility_summary_photo"] in other
    assert labels["accessibility_summary_figures"] not in other and labels["accessibility_summary_tables"] not in other


def test_no_conformance_claim_when_a_chart_has_no_long_description() -> None:
    """A chart without its long description is not enough (accessibility.md: "a chart also has a long
    description or its data"): no longDescription, no conformsTo, accessModeSufficient needs the visual mode."""
    ed = edition("en", BRIEFING)

    def strip(blocks):
        out = []
        for block in blocks:
            if isinstance(block, m.Figure):
                block = dataclasses.replace(block, description=())
            elif isinstance(block, m.Section):
                block = dataclasses.replace(block, blocks=tuple(strip(block.blocks)))
            out.append(block)
        return tuple(out)

    ed = dataclasses.replace(ed, chapter=dataclasses.replace(ed.chapter, blocks=strip(ed.chapter.blocks)))
    epub = Package(render_epub(ed))
    assert "longDescription" not in epub.meta("schema:accessibilityFeature")
    assert epub.meta("schema:accessModeSufficient") == ["textual,visual"]
    assert epub.meta("dcterms:conformsTo") == []


def test_page_markers_precede_nested_blocks() -> None:
    """page_breaks works for every identified block at any depth: a box, a list, a figure, a table, a paragraph
    in a level-4 section each get the marker of the page they start, just before them."""
    ed = edition("en", BRIEFING)
    ids = block_ids(ed.chapter)
    starts = ["key-points", "protest-record-list", "sentences-chart", "timeline-table", "torture-risk-1"]
    pages, page = {}, 1
    for block in ids:
        if block in starts:
            page += 1
        pages[block] = page
    epub = Package(render_epub(dataclasses.replace(ed, print_pages=pages, print_page_count=page)))
    doc = epub.documents()["chapter.xhtml"]
    nav_href, _ = epub.nav()
    assert [a.text for a in epub.nav_links("page-list")] == [str(n) for n in range(1, page + 1)]
    for number, block in enumerate(starts, 2):
        marker = doc.xpath("//*[@id=$id]", id=f"page-{number}")[0]
        assert marker.get("role") == "doc-pagebreak"
        assert marker.getnext().get("id") == block


def test_page_beginning_mid_paragraph_gets_its_marker_at_the_word() -> None:
    """Issue 12, defect 3 (DAISY): a print page that begins inside a paragraph (``print_page_starts``: the element
    and how many characters of it came before) gets its marker inline, before the word the page begins with;
    one that begins inside a word (hyphenated over the break) before that whole word; one that begins with a
    block before the block; one that begins inside a table just before the table."""
    ed = edition("en", BRIEFING)
    ids = block_ids(ed.chapter)
    paragraph = ed.chapter.find("events-1")
    text = plain_text(paragraph.content)
    words = text.split()
    offset = sum(len(word) for word in words[:7])  # page 2 begins with the 8th word
    inside = sum(len(word) for word in words[:11]) + 2  # page 3 begins 2 letters into the 12th word
    starts = {2: ("events-1", offset), 3: ("events-1", inside), 4: ("events-2", 0), 5: ("timeline-table", 40)}
    pages = {block: 1 for block in ids}
    epub = Package(render_epub(dataclasses.replace(ed, print_pages=pages, print_page_count=5, print_page_starts=starts)))
    doc = epub.documents()["chapter.xhtml"]
    marker = {n: doc.xpath("//*[@id=$id]", id=f"page-{n}")[0] for n in range(1, 6)}
    assert marker[2].getparent().get("id") == "events-1" and marker[3].getparent().get("id") == "events-1"
    assert " ".join(marker[2].tail.split()[:2]) == " ".join(words[7:9]).replace("\u00a0", " ")
    assert marker[3].tail.split()[0] == words[11]
    assert marker[2].text is None and len(marker[2]) == 0, "a marker holds no text"
    assert marker[4].getnext().get("id") == "events-2"
    assert marker[5].getnext().tag == h("table") and marker[5].getnext().get("id") == "timeline-table"
    assert [a.text for a in epub.nav_links("page-list")] == ["1", "2", "3", "4", "5"]


def test_cover_image_shows_the_title_and_is_reproducible() -> None:
    """Issue 12, defect 6: the cover image is drawn by docbuild (2:3, title in type on it), the same bytes twice;
    over the lead photo (JPEG) when there is one, words on white (PNG) when not."""
    from docbuild.writers.epub.cover import cover_image

    with_photo, without = edition("ru"), edition("en", BRIEFING)
    first, second = cover_image(with_photo), cover_image(with_photo)
    assert first.data == second.data and first.media_type == "image/jpeg"
    assert cover_image(without).media_type == "image/png"
    with Image.open(io.BytesIO(first.data)) as image:
        assert image.size == (first.width, first.height) and image.width * 3 == image.height * 2
        assert not image.getexif()
        # Type on white under the photo: dark pixels in the lower half, where the title is drawn.
        lower = image.convert("L").crop((0, image.height // 2, image.width, image.height))
        assert lower.getextrema()[0] < 60


def test_toc_keeps_lang_and_drops_note_references(project: Path) -> None:
    """A heading with a span in another language keeps its lang in the table of contents; a note reference in a
    heading stays in the chapter (nav.xhtml gets no second copy of its id, and no link inside a link)."""
    replace_in_file(project / "source" / BRIEFING / "ru.md", "### Практика ограничения протестов",
                    "### Практика ограничения протестов: [Human Rights Watch]{lang=en}[^wr2022]")
    epub = Package(render_epub(edition("ru", BRIEFING, project)))
    (a,) = [a for a in epub.nav_links("toc") if a.get("href").endswith("#protest-record")]
    (span,) = a.findall("h:span", NS)
    assert (span.get("lang"), span.get(XML_LANG), span.text) == ("en", "en", "Human Rights Watch")
    assert a.findall(".//h:a", NS) == [] and "".join(a.itertext()).endswith("Human Rights Watch")
    heading = epub.documents()["chapter.xhtml"].xpath("//*[@id='protest-record']")[0]
    assert heading.find("h:a[@role='doc-noteref']", NS) is not None


def test_stylesheet_rules() -> None:
    """epub.css: relative lengths only, no colour forced on text or background, hidden nav hidden everywhere,
    hyphenation by language and no mid-word breaks outside URLs."""
    css = (ROOT / "layouts" / "epub.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules = dict((sel.strip(), body) for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css))
    assert not re.search(r"\d(px|pt|cm|mm|in)\b", css)
    assert not re.search(r"(^|[\s;])(background(-color)?|color)\s*:(?!\s*(inherit|currentColor|transparent)\s*;)", css)
    assert re.search(r"display\s*:\s*none", rules["nav[hidden]"])
    for prefix in ("", "-webkit-", "-epub-"):
        assert re.search(rf"(^|\s){prefix}hyphens\s*:\s*auto", rules["body"])
    breaking = [sel for sel, body in rules.items() if re.search(r"overflow-wrap\s*:\s*(break-word|anywhere)|word-break", body)]
    assert breaking == ["a.url"]
    for selector in ("h3", "h4", "blockquote", "figure.quotation", "caption", ".align-right", "aside.box",
                     ".long-description", "a.noteref", "section.notes"):
        assert any(selector in [s.strip() for s in sel.split(",")] for sel in rules), selector


# --------------------------------------------------------------------------
# Reproducibility


def test_two_builds_are_byte_identical(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 5 item 5: fixed identifier; dcterms:modified and every zip entry's time from SOURCE_DATE_EPOCH, not the clock."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build(project, tmp_path / "first", ["epub"], chapters=list(CHAPTERS), langs=list(LANGS), cache=False)
    second = build(project, tmp_path / "second", ["epub"], chapters=list(CHAPTERS), langs=list(LANGS), cache=False)
    expected = [f"{chapter_id}-{lang}.epub" for chapter_id, lang in BOOKS]
    assert sorted(p.name for p in first.written) == sorted(p.name for p in second.written) == sorted(expected)
    for one, two in zip(first.written, second.written):
        assert one.read_bytes() == two.read_bytes(), one.name
        epub = Package(one.read_bytes())
        assert epub.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
        assert {info.date_time for info in epub.zip.infolist()} == {(2023, 11, 14, 22, 13, 20)}
