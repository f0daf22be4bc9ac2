"""The EPUB 3 edition, checked by EPUBCheck, Ace by DAISY and an XML parser.

Rules come from shared/accessibility.md ("EPUB 3 (EPUB 3.3; EPUB
Accessibility 1.1)"); each test names the rule, the validator's rule id or the
specification section it asserts. The validators' verdicts are read from their
own JSON reports (tests/validators.py).
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path, PurePosixPath

import pikepdf
import pytest
from lxml import etree
from fontTools.ttLib import TTFont
from PIL import Image

import validators
from conftest import ROOT
from docbuild.build import build
from docbuild.edition import Edition, build_time
from docbuild.writers.epub import CONFORMS_TO, block_ids, identifier, page_markers, render_epub
from docbuild.fonts import chapter_texts
from docbuild.labels import load_labels
from docbuild.model import Chapter, plain_text, spans
from docbuild.project import Project
from docbuild.reader import read_project

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


# --------------------------------------------------------------------------
# Helpers: the model, and the EPUB read as a zip of XML files


def chapter(lang: str) -> Chapter:
    (chapter_set,) = read_project(Project.at(ROOT), ["kazakhstan"])
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


def package(built: Path, lang: str) -> Package:
    return Package((built / f"kazakhstan-{lang}.epub").read_bytes())


def edition(lang: str, **changes: object) -> Edition:
    """A hand-made edition of the real chapter, for tests that need no PDF."""
    ch = chapter(lang)
    project = Project.at(ROOT)
    return dataclasses.replace(Edition(ch, load_labels(project, lang), project), **changes)


# --------------------------------------------------------------------------
# Validators


@pytest.mark.parametrize("lang", LANGS)
def test_epubcheck_reports_no_errors_and_no_warnings(built: Path, lang: str, tmp_path: Path) -> None:
    """accessibility.md: "EPUBCheck: 0 errors, 0 warnings" (from EPUBCheck's own --json report)."""
    report = validators.epubcheck(built / f"kazakhstan-{lang}.epub", tmp_path)
    checker = report["checker"]
    messages = validators.epubcheck_messages(report)
    assert (checker["nFatal"], checker["nError"], checker["nWarning"]) == (0, 0, 0), messages
    assert checker["nUsage"] == 0, messages


@pytest.mark.parametrize("lang", LANGS)
def test_ace_reports_no_violations(built: Path, lang: str, tmp_path: Path) -> None:
    """accessibility.md: "Ace by DAISY: 0 violations" (report.json: earl:outcome pass, no failed assertion)."""
    report = validators.ace(built / f"kazakhstan-{lang}.epub", tmp_path)
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
    assert not any(d.findall(".//h:img", NS) for d in epub.documents().values())
    assert not [i for i in epub.items() if i.get("media-type") == "image/jpeg"]
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
    assert [a.get("href").partition("#")[2] for a in links] == ["title"] + [s.id for s in model.sections]
    assert ["".join(a.itertext()) for a in links] == [model.meta.title] + [plain_text(s.heading) for s in model.sections]
    for a in links:
        heading = epub.target(nav_href, a.get("href"))
        assert heading is not None and heading.tag in ("{%s}h1" % NS["h"], "{%s}h2" % NS["h"])
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
    images = [img for root in documents.values() for img in root.iter("{%s}img" % NS["h"])]
    assert images and all(img.get("alt") == model.figure.alt for img in images)
    (figure,) = documents["chapter.xhtml"].findall(".//h:figure", NS)
    assert figure.find("h:img", NS) is not None
    caption = "".join(figure.find("h:figcaption", NS).itertext())
    assert plain_text(model.figure.caption) in caption and plain_text(model.figure.credit) in caption


@pytest.mark.parametrize("lang", LANGS)
def test_photo_carries_no_metadata(built: Path, lang: str) -> None:
    """images.py: the photo is re-encoded pixels, never the source file with its EXIF/GPS."""
    epub = package(built, lang)
    (item,) = [i for i in epub.items() if i.get("media-type") == "image/jpeg"]
    data = epub.zip.read(epub.path(item.get("href")))
    assert data != chapter(lang).figure.image.read_bytes()
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif() and "icc_profile" not in image.info


def test_russian_english_spans_carry_lang(built: Path) -> None:
    """accessibility.md / WCAG 3.1.2: English inside the Russian text is lang="en" and xml:lang="en"."""
    model = chapter("ru")
    expected = [plain_text(s.children) for s in _model_spans(model) if s.lang == "en"]
    assert expected, "the Russian chapter has no English span to check"
    chapter_doc = package(built, "ru").documents()["chapter.xhtml"]
    found = [
        "".join(span.itertext())
        for span in chapter_doc.iter("{%s}span" % NS["h"])
        if span.get("lang") == "en"
    ]
    assert found == expected
    for span in chapter_doc.iter("{%s}span" % NS["h"]):
        assert span.get("lang") == span.get(XML_LANG)


def _model_spans(model: Chapter):
    """Spans in the chapter document's order: figure caption and credit, then the text."""
    if model.figure:
        yield from spans(model.figure.caption)
        yield from spans(model.figure.credit)
    for paragraph in model.intro:
        yield from spans(paragraph.content)
    for section in model.sections:
        yield from spans(section.heading)
        for paragraph in section.paragraphs:
            yield from spans(paragraph.content)


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


# --------------------------------------------------------------------------
# Reproducibility


def test_two_builds_are_byte_identical(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 5 item 5: fixed identifier; dcterms:modified and every zip entry's time from SOURCE_DATE_EPOCH, not the clock."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build(project, tmp_path / "first", ["epub"], cache=False)
    second = build(project, tmp_path / "second", ["epub"], cache=False)
    assert [p.name for p in first.written] == [p.name for p in second.written] == ["kazakhstan-en.epub", "kazakhstan-ru.epub"]
    for one, two in zip(first.written, second.written):
        assert one.read_bytes() == two.read_bytes(), one.name
        epub = Package(one.read_bytes())
        assert epub.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
        assert {info.date_time for info in epub.zip.infolist()} == {(2023, 11, 14, 22, 13, 20)}
