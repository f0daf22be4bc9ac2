"""The DOCX edition, read back as Word, mammoth and LibreOffice read it.

The rules are accessibility.md's DOCX section (Microsoft Accessibility
Checker rules), quoted in each test's docstring with the WCAG criteria.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Mm
from lxml import etree
from PIL import Image

from conftest import ROOT, replace_in_file, require_tool
from docbuild.build import build
from docbuild.edition import build_time
from docbuild.images import prepare_photo
from docbuild.labels import load_labels
from docbuild.languages import locale
from docbuild.model import Chapter, plain_text, spans
from docbuild.paper import page_geometry
from docbuild.project import Project
from docbuild.reader import read_project

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
W = "{%s}" % NS["w"]
#: mammoth leaves Word's Title style as <p>; this maps it to h1 (see docbuild.docx).
MAMMOTH_STYLE_MAP = "p[style-name='Title'] => h1:fresh"


def chapters() -> tuple[Chapter, ...]:
    (chapter_set,) = read_project(Project.at(ROOT), ["kazakhstan"])
    return chapter_set.variants


def docx_path(dist, chapter: Chapter) -> Path:
    return dist("docx") / f"{chapter.id}-{chapter.lang}.docx"


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def normal(text: str) -> str:
    """Whitespace as a text extractor may give it: no-break spaces and line breaks become spaces."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def reading_order(chapter: Chapter) -> list[str]:
    """Every paragraph's text, in the order the DOCX must give it."""
    labels = load_labels(Project.at(ROOT), chapter.lang)
    meta, figure = chapter.meta, chapter.figure
    texts = [meta.title, meta.subtitle]
    if figure is not None:
        texts += ["", plain_text(figure.caption), plain_text(figure.credit)]
        if figure.placeholder:
            texts.append(labels["placeholder_note"])
    texts += [plain_text(p.content) for p in chapter.intro]
    for section in chapter.sections:
        texts.append(plain_text(section.heading))
        texts += [plain_text(p.content) for p in section.paragraphs]
    texts.append(labels.format("published", publisher=meta.publisher, date=labels.date(meta.date)))
    return texts


# --------------------------------------------------------------------------
# Structure, read back with python-docx and the raw XML


def test_headings_use_title_and_heading_2_in_source_order_wcag_1_3_1_2_4_6(dist):
    """"Headings use the built-in styles Title, Heading 1, Heading 2 (so the navigation
    pane and screen readers see them), in order": the title in Title, each section in
    Heading 2, with outline levels 1 and 2 as the PDF and EPUB's h1 and h2."""
    for chapter in chapters():
        path = docx_path(dist, chapter)
        document = docx.Document(str(path))
        headings = [(p.style.name, p.text) for p in document.paragraphs
                    if p.style.name == "Title" or p.style.name.startswith("Heading")]
        expected = [("Title", chapter.meta.title)] + [("Heading 2", plain_text(s.heading)) for s in chapter.sections]
        assert headings == expected
        styles = part(path, "word/styles.xml")
        for style_id, level in (("Title", "0"), ("Heading2", "1")):
            (outline,) = styles.xpath(f"w:style[@w:styleId='{style_id}']/w:pPr/w:outlineLvl", namespaces=NS)
            assert outline.get(W + "val") == level


def test_every_paragraph_in_reading_order(dist):
    """Reading order (WCAG 1.3.2): title, subtitle, photo, caption, credit, introduction,
    sections; nothing lost, nothing added but the publisher line."""
    for chapter in chapters():
        document = docx.Document(str(docx_path(dist, chapter)))
        assert [p.text for p in document.paragraphs] == reading_order(chapter)


def test_body_and_caption_styles(dist):
    """Body text in Body Text; "the caption uses the Caption style", and so do the credit and note."""
    for chapter in chapters():
        document = docx.Document(str(docx_path(dist, chapter)))
        styles = [p.style.name for p in document.paragraphs]
        body = [plain_text(p.content) for p in chapter.paragraphs()]
        assert [p.text for p in document.paragraphs if p.style.name == "Body Text"] == body
        assert styles[3:5] == ["Caption", "Caption"]
        assert styles[2] == "Normal" and document.paragraphs[2]._p.xpath(".//pic:pic")


def test_photo_alt_text_in_docpr_descr_wcag_1_1_1(dist):
    """"The picture's wp:docPr has descr (alt text)": the source's alt, and no file name
    in the shape's names, which screen readers read out when there is no alt text."""
    for chapter in chapters():
        path = docx_path(dist, chapter)
        document = part(path, "word/document.xml")
        (doc_pr,) = document.xpath("//wp:docPr", namespaces=NS)
        assert doc_pr.get("descr") == chapter.figure.alt
        names = [doc_pr.get("name"), doc_pr.get("title") or ""] + document.xpath("//pic:cNvPr/@name", namespaces=NS)
        label = load_labels(Project.at(ROOT), chapter.lang)["photo"]
        assert names == [label, "", label]
        assert not any(re.search(r"\.(jpe?g|png|gif|tiff?)\b", n, re.I) for n in names + [doc_pr.get("descr")])


def test_photo_is_the_prepared_image_without_metadata(dist):
    """The embedded JPEG is prepare_photo's (no EXIF/GPS), never the source file."""
    for chapter in chapters():
        with zipfile.ZipFile(docx_path(dist, chapter)) as package:
            media = [n for n in package.namelist() if n.startswith("word/media/")]
            assert len(media) == 1
            data = package.read(media[0])
        assert data == prepare_photo(chapter.figure.image)
        assert data != chapter.figure.image.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif() and "icc_profile" not in image.info


def test_document_language_in_style_defaults_wcag_3_1_1(dist):
    """"w:lang set in the document defaults": en-US / ru-RU, with the east-Asian and bidi
    slots set to the same locale rather than the template's ja-JP / ar-SA."""
    for chapter in chapters():
        path = docx_path(dist, chapter)
        (lang,) = part(path, "word/styles.xml").xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang", namespaces=NS)
        expected = {"en": "en-US", "ru": "ru-RU"}[chapter.lang]
        assert {k.removeprefix(W): v for k, v in lang.attrib.items()} == {"val": expected, "eastAsia": expected, "bidi": expected}
        (theme_lang,) = part(path, "word/settings.xml").xpath("w:themeFontLang", namespaces=NS)
        assert theme_lang.get(W + "val") == expected


def _foreign_runs(path: Path) -> list[tuple[str, str]]:
    """(locale, text) for each stretch of consecutive runs carrying a w:lang, in document order."""
    stretches: list[tuple[str, str]] = []
    for paragraph in part(path, "word/document.xml").iter(W + "p"):
        previous = None
        for run in paragraph.iter(W + "r"):
            lang = run.find(f"{W}rPr/{W}lang")
            text = "".join(t.text or "" for t in run.iter(W + "t"))
            if lang is None:
                previous = None
                continue
            if previous == lang.get(W + "val"):
                stretches[-1] = (previous, stretches[-1][1] + text)
            else:
                stretches.append((lang.get(W + "val"), text))
            previous = lang.get(W + "val")
    return stretches


def _model_spans(chapter: Chapter) -> list[tuple[str, str]]:
    """Outermost foreign-language spans, in the DOCX's reading order."""
    blocks = []
    if chapter.figure is not None:
        blocks += [chapter.figure.caption, chapter.figure.credit]
    blocks += [p.content for p in chapter.intro]
    for section in chapter.sections:
        blocks.append(section.heading)
        blocks += [p.content for p in section.paragraphs]
    found = []
    for block in blocks:
        inner: set[int] = set()
        for span in spans(block):
            if id(span) not in inner:
                found.append((locale(span.lang), plain_text(span.children)))
            inner.update(id(s) for s in spans(span.children))
    return found


def test_foreign_language_runs_carry_w_lang_wcag_3_1_2(dist):
    """"w:lang ... on runs in the other language": every span of the source, and only those."""
    variants = {c.lang: c for c in chapters()}
    ru = variants["ru"]
    expected = _model_spans(ru)
    assert ("en-US", "RFE/RL") in expected and ("en-US", "Instagram") in expected
    assert _foreign_runs(docx_path(dist, ru)) == expected
    assert _foreign_runs(docx_path(dist, variants["en"])) == _model_spans(variants["en"])


def test_core_properties_and_no_template_leftovers(dist):
    """"Core properties dc:title, dc:language, creator set", dated from SOURCE_DATE_EPOCH
    (else the publication date), with none of python-docx's template left behind."""
    for chapter in chapters():
        path = docx_path(dist, chapter)
        meta = chapter.meta
        core = docx.Document(str(path)).core_properties
        assert core.title == f"{meta.title}: {meta.subtitle}"
        assert core.author == core.last_modified_by == meta.author
        assert core.subject == core.comments == meta.description
        assert core.keywords == ", ".join(meta.keywords)
        assert core.language == chapter.lang
        when = build_time(chapter).replace(tzinfo=None)
        assert [d.replace(tzinfo=None) for d in (core.created, core.modified)] == [when, when]
        assert core.revision == 1
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            assert not [n for n in names if "thumbnail" in n or n.startswith("customXml") or "stylesWithEffects" in n]
            for name in names:
                if name.endswith((".xml", ".rels")):
                    text = package.read(name).decode("utf-8").lower()
                    assert "python-docx" not in text and "macintosh" not in text, name
        assert b"<Application>docbuild</Application>" in zipfile.ZipFile(path).read("docProps/app.xml")


def test_footer_page_numbers_are_fields_with_localized_words(dist):
    """"Page numbers in the footer as fields, not typed text": PAGE and NUMPAGES, with the
    words of the page_of label (Page {page} of {pages} / Страница {page} из {pages})."""
    for chapter in chapters():
        path = docx_path(dist, chapter)
        with zipfile.ZipFile(path) as package:
            footers = [n for n in package.namelist() if re.fullmatch(r"word/footer\d+\.xml", n)]
        assert len(footers) == 1
        footer = part(path, footers[0])
        codes = [t.text.strip() for t in footer.iter(W + "instrText")]
        assert codes == ["PAGE", "NUMPAGES"]
        assert [f.get(W + "fldCharType") for f in footer.iter(W + "fldChar")] == ["begin", "separate", "end"] * 2
        # The typed words, with each field's result replaced by its placeholder.
        typed, in_result = "", False
        for element in footer.iter(W + "t", W + "fldChar", W + "instrText"):
            if element.tag == W + "instrText":
                typed += {"PAGE": "{page}", "NUMPAGES": "{pages}"}[element.text.strip()]
            elif element.tag == W + "fldChar":
                in_result = element.get(W + "fldCharType") == "separate"
            elif not in_result:
                typed += element.text
        assert typed == load_labels(Project.at(ROOT), chapter.lang)["page_of"]
        body = part(path, "word/document.xml")
        (reference,) = body.xpath("//w:sectPr/w:footerReference", namespaces=NS)
        assert reference.get(W + "type") == "default"


def test_layout_from_layouts_paper_toml(dist, tmp_path):
    """A4 by default and Letter with --paper letter, margins and font family as the PDF's."""
    project = Project.at(ROOT)
    build(ROOT, tmp_path, ["docx"], paper="letter")
    for chapter in chapters():
        for paper, path in (("a4", docx_path(dist, chapter)), ("letter", tmp_path / f"{chapter.id}-{chapter.lang}-letter.docx")):
            geometry = page_geometry(project, paper)
            section = docx.Document(str(path)).sections[0]
            assert abs(section.page_width - Mm(geometry.width)) < Mm(0.1)
            assert abs(section.page_height - Mm(geometry.height)) < Mm(0.1)
            assert abs(section.top_margin - Mm(geometry.margin_top)) < Mm(0.1)
            assert abs(section.left_margin - Mm(geometry.margin_inner)) < Mm(0.1)
            assert abs(section.right_margin - Mm(geometry.margin_outer)) < Mm(0.1)
            (fonts,) = part(path, "word/styles.xml").xpath("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", namespaces=NS)
            assert {fonts.get(W + slot) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {geometry.family}
            assert (project.fonts / f"{geometry.family.replace(' ', '')}-Regular.ttf").is_file()


def test_fonts_are_embedded_obfuscated_as_ecma_376_says(dist):
    """The four Noto Serif faces travel with the document (word/fonts/*.odttf), each
    de-obfuscated with its fontKey (the GUID's bytes, last pair first, XORed over the
    first 32 bytes; ECMA-376 Part 1, 17.8.1) giving back the file in fonts/."""
    project = Project.at(ROOT)
    family = page_geometry(project, "a4").family
    stem = family.replace(" ", "")
    files = {"embedRegular": "Regular", "embedBold": "Bold", "embedItalic": "Italic", "embedBoldItalic": "BoldItalic"}
    for chapter in chapters():
        path = docx_path(dist, chapter)
        (font,) = part(path, "word/fontTable.xml").xpath(f"w:font[@w:name='{family}']", namespaces=NS)
        targets = {r.get("Id"): r.get("Target") for r in part(path, "word/_rels/fontTable.xml.rels")}
        assert sorted(e.tag.removeprefix(W) for e in font if e.tag.startswith(W + "embed")) == sorted(files)
        with zipfile.ZipFile(path) as package:
            for tag, face in files.items():
                (embed,) = font.findall(W + tag)
                key = bytes.fromhex(embed.get(W + "fontKey").strip("{}").replace("-", ""))[::-1]
                data = package.read("word/" + targets[embed.get("{%s}id" % NS["r"])])
                plain = bytes(b ^ key[i % 16] for i, b in enumerate(data[:32])) + data[32:]
                assert plain == (project.fonts / f"{stem}-{face}.ttf").read_bytes()
            types = etree.fromstring(package.read("[Content_Types].xml"))
            assert any(t.get("Extension") == "odttf" and t.get("ContentType").endswith(".obfuscatedFont") for t in types)
        assert part(path, "word/settings.xml").find(W + "embedTrueTypeFonts") is not None


def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    """Reproducible: fixed zip entry times and order; dates from SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = build(ROOT, tmp_path / "first", ["docx"], cache=False).written
    second = build(ROOT, tmp_path / "second", ["docx"], cache=False).written
    assert [p.name for p in first] == [p.name for p in second] and first
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes()
        with zipfile.ZipFile(a) as package:
            infos = package.infolist()
            assert infos[0].filename == "[Content_Types].xml"
            assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
            assert "2023-11-14T22:13:20Z" in package.read("docProps/core.xml").decode()


def test_inline_formatting_and_hyperlinks(project):
    """Emphasis and strong stay Word formatting; links are real w:hyperlink elements
    with an external relationship (WCAG 1.3.1, 2.4.4)."""
    source = project / "source" / "kazakhstan" / "en.md"
    replace_in_file(
        source,
        "approximately 10,000 people had been detained.",
        "approximately 10,000 people had been *detained*, **reports** [Human Rights Watch](https://www.hrw.org/).",
    )
    (path,) = build(project, project / "dist", ["docx"], ["en"]).written
    document = part(path, "word/document.xml")
    (link,) = document.xpath("//w:hyperlink", namespaces=NS)
    assert "".join(link.xpath(".//w:t/text()", namespaces=NS)) == "Human Rights Watch"
    assert link.xpath("w:r/w:rPr/w:rStyle/@w:val", namespaces=NS) == ["Hyperlink"]
    rels = part(path, "word/_rels/document.xml.rels")
    (rel,) = [r for r in rels if r.get("Id") == link.get("{%s}id" % NS["r"])]
    assert rel.get("Target") == "https://www.hrw.org/" and rel.get("TargetMode") == "External"
    assert document.xpath("//w:r[w:rPr/w:i]/w:t/text()", namespaces=NS) == ["detained"]
    assert document.xpath("//w:r[w:rPr/w:b]/w:t/text()", namespaces=NS) == ["reports"]
    mammoth = _mammoth()
    with path.open("rb") as f:
        html = mammoth.convert_to_html(f).value
    assert '<em>detained</em>, <strong>reports</strong> <a href="https://www.hrw.org/">Human Rights Watch</a>.' in html


# --------------------------------------------------------------------------
# Independent readers


def _mammoth():
    try:
        import mammoth
    except ImportError:
        if os.environ.get("DOCBUILD_REQUIRE_VALIDATORS") == "1":
            pytest.fail("mammoth is not installed (DOCBUILD_REQUIRE_VALIDATORS=1)")
        pytest.skip("mammoth is not installed")
    return mammoth


def test_mammoth_reads_the_outline_and_alt_text(dist):
    """"mammoth reads headings and alt text back": h1 title over h2 sections, as in the
    PDF and EPUB, and the img alt is the source's."""
    mammoth = _mammoth()
    for chapter in chapters():
        with docx_path(dist, chapter).open("rb") as f:
            html = mammoth.convert_to_html(f, style_map=MAMMOTH_STYLE_MAP).value
        root = etree.fromstring(f"<body>{html}</body>")
        outline = [(h.tag, "".join(h.itertext())) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert outline == [("h1", chapter.meta.title)] + [("h2", plain_text(s.heading)) for s in chapter.sections]
        assert [img.get("alt") for img in root.iter("img")] == [chapter.figure.alt]


def test_libreoffice_converts_with_headings_intact(dist, tmp_path):
    """"Opens in LibreOffice and converts (libreoffice --headless --convert-to pdf) with
    headings intact": pdftotext finds every heading, and the PDF's bookmarks nest the
    sections under the title, as Word's navigation pane does."""
    soffice = require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    for chapter in chapters():
        source = docx_path(dist, chapter)
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
             "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
            check=True, capture_output=True, timeout=180,
        )
        pdf = tmp_path / (source.stem + ".pdf")
        text = normal(subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], check=True,
                                     capture_output=True, text=True).stdout)
        for heading in [chapter.meta.title] + [plain_text(s.heading) for s in chapter.sections]:
            assert normal(heading) in text
        assert normal(chapter.meta.subtitle) in text
        pikepdf = pytest.importorskip("pikepdf")
        with pikepdf.open(pdf) as document, document.open_outline() as outline:
            tree = [(item.title, [normal(c.title) for c in item.children]) for item in outline.root]
        assert tree == [(chapter.meta.title, [normal(plain_text(s.heading)) for s in chapter.sections])]
