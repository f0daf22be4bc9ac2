"""The DOCX edition, read back as Word, mammoth and LibreOffice read it.

The rules are accessibility.md's DOCX section (Microsoft Accessibility
Checker rules), quoted in each test's docstring with the WCAG criteria.
Two chapters: ``kazakhstan`` (a photo, paragraphs and sections) and
``kazakhstan-january`` (the briefing: every element of the model, so a box,
subsections, nested numbered lists, a quotation, notes, tables, a chart).
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
from docbuild.images import prepare_image, prepare_photo
from docbuild.labels import load_labels
from docbuild.languages import load_language, locale
from docbuild.model import (
    block_runs,
    BlockQuote, Box, Chapter, Figure, Link, List, NoteRef, Paragraph, Quote, Section, Table, chapter_links, inline_nodes,
    plain_text, spans,
)
from docbuild.paper import page_geometry
from docbuild.project import Project
from docbuild.reader import read_project
from docbuild.scripts import load_scripts

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
W = "{%s}" % NS["w"]
R_ID = "{%s}id" % NS["r"]
#: mammoth leaves Word's Title style as <p>; this maps it to h1 (see docbuild.writers.docx).
MAMMOTH_STYLE_MAP = "p[style-name='Title'] => h1:fresh"
BRIEFING = "kazakhstan-january"
#: A list paragraph that starts with a typed number or bullet instead of Word numbering.
TYPED_MARKER = re.compile(r"^\s*(\d+[.)]|[a-z][.)]|[ivx]+[.)]|[•\u2013\u2023*\-])\s")


def chapters(chapter_id: str = "kazakhstan") -> tuple[Chapter, ...]:
    (chapter_set,) = read_project(Project.at(ROOT), [chapter_id])
    return chapter_set.variants


def briefing(lang: str = "en") -> Chapter:
    return next(c for c in chapters(BRIEFING) if c.lang == lang)


def labels_of(chapter: Chapter):
    return load_labels(Project.at(ROOT), chapter.lang)


def docx_path(dist, chapter: Chapter) -> Path:
    return dist("docx") / f"{chapter.id}-{chapter.lang}.docx"


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def rels(path: Path, name: str) -> dict[str, etree._Element]:
    """The relationships of a part (``word/document.xml`` -> ``word/_rels/document.xml.rels``), by id."""
    folder, _, file = name.rpartition("/")
    return {r.get("Id"): r for r in part(path, f"{folder}/_rels/{file}.rels")}


def text_of(element: etree._Element) -> str:
    return "".join(element.xpath(".//w:t/text()", namespaces=NS))


def normal(text: str) -> str:
    """Whitespace as a text extractor may give it: no-break spaces and line breaks become spaces."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def docx_text(nodes) -> str:
    """The text Word shows in the runs of ``nodes``: a note's first reference is a
    footnote mark (no w:t), a later one a NOTEREF field whose result is the number."""
    parts = []
    for node in nodes:
        if isinstance(node, NoteRef):
            parts.append(str(node.number) if node.occurrence > 1 else "")
        elif isinstance(node, Quote):
            parts.append(node.open + docx_text(node.children) + node.close)
        elif hasattr(node, "children"):
            parts.append(docx_text(node.children))
        else:
            parts.append(node.text)
    return "".join(parts)


def credit_text(chapter: Chapter, figure: Figure) -> str:
    key = {"photo": "credit", "chart": "credit_chart", "map": "credit_map"}[figure.kind]
    return f"{labels_of(chapter)[key]}: {plain_text(figure.credit)}"


def reading_order(chapter: Chapter) -> list[str]:
    """Every paragraph's text, in the order the DOCX must give it (a chapter of paragraphs and sections)."""
    labels = labels_of(chapter)
    meta, figure = chapter.meta, chapter.figure
    texts = [meta.title, meta.subtitle]
    if figure is not None:
        texts += ["", plain_text(figure.caption), credit_text(chapter, figure)]
        if figure.placeholder:
            texts.append(labels["placeholder_note"])

    def walk(blocks):
        for block in blocks:
            if isinstance(block, Paragraph):
                texts.append(plain_text(block.content))
            elif isinstance(block, Section):
                texts.append(plain_text(block.heading))
                walk(block.blocks)
            else:
                raise AssertionError(f"reading_order() takes paragraphs and sections, not {type(block).__name__}")

    walk(chapter.blocks)
    texts.append(labels.format("published", publisher=meta.publisher, date=labels.date(meta.date)))
    return texts


def paragraph_by_text(root: etree._Element, start: str) -> etree._Element:
    """The one paragraph whose text starts with ``start``."""
    found = [p for p in root.iter(W + "p") if normal(text_of(p)).startswith(normal(start))]
    assert len(found) == 1, f"{len(found)} paragraphs start with {start!r}"
    return found[0]


def numbering_of(path: Path, paragraph: etree._Element) -> tuple[int, str, int]:
    """(ilvl, numFmt, start) of a numbered paragraph, resolved through numbering.xml as Word does."""
    (num_pr,) = paragraph.xpath("w:pPr/w:numPr", namespaces=NS)
    level = int(num_pr.find(W + "ilvl").get(W + "val"))
    num_id = num_pr.find(W + "numId").get(W + "val")
    numbering = part(path, "word/numbering.xml")
    (num,) = numbering.xpath(f"w:num[@w:numId='{num_id}']", namespaces=NS)
    abstract_id = num.find(W + "abstractNumId").get(W + "val")
    (lvl,) = numbering.xpath(f"w:abstractNum[@w:abstractNumId='{abstract_id}']/w:lvl[@w:ilvl='{level}']", namespaces=NS)
    start = int(lvl.find(W + "start").get(W + "val"))
    override = num.xpath(f"w:lvlOverride[@w:ilvl='{level}']/w:startOverride/@w:val", namespaces=NS)
    if override:
        start = int(override[0])
    return level, lvl.find(W + "numFmt").get(W + "val"), start


def nested_lists(node: List, depth: int) -> list[List]:
    """The lists ``depth`` levels inside ``node`` (1: its items' own sub-lists)."""
    found = [node]
    for _ in range(depth):
        found = [b for outer in found for item in outer.items for b in item.blocks if isinstance(b, List)]
    return found


def find_block(chapter: Chapter, cls, predicate=lambda block: True):
    return next(b for b in chapter.walk() if isinstance(b, cls) and predicate(b))


# --------------------------------------------------------------------------
# Structure, read back with python-docx and the raw XML


def test_headings_use_title_and_heading_styles_in_source_order_wcag_1_3_1_2_4_6(dist):
    """"Headings use the built-in styles Title, Heading 1, Heading 2 (so the navigation
    pane and screen readers see them), in order": the title in Title, each section in
    the Heading style of its level (2 to 4), with outline levels 1 to 4 as the PDF and
    EPUB's h1 to h4."""
    for chapter in chapters() + chapters(BRIEFING):
        path = docx_path(dist, chapter)
        document = docx.Document(str(path))
        headings = [(p.style.name, p.text) for p in document.paragraphs
                    if p.style.name == "Title" or p.style.name.startswith("Heading")]
        expected = [("Title", chapter.meta.title)] + [(f"Heading {s.level}", plain_text(s.heading))
                                                      for s in chapter.sections()]
        assert headings == expected
        styles = part(path, "word/styles.xml")
        for style_id, level in (("Title", "0"), ("Heading2", "1"), ("Heading3", "2"), ("Heading4", "3")):
            (outline,) = styles.xpath(f"w:style[@w:styleId='{style_id}']/w:pPr/w:outlineLvl", namespaces=NS)
            assert outline.get(W + "val") == level
    levels = {s.level for s in briefing().sections()}
    assert levels == {2, 3, 4}, "the briefing has sections at every level"


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
        body = [plain_text(p.content) for p in chapter.walk() if isinstance(p, Paragraph)]
        assert [p.text for p in document.paragraphs if p.style.name == "Body Text"] == body
        assert styles[3:6] == ["Caption", "Caption", "Caption"]  # caption, credit, placeholder note
        assert styles[2] == "Normal" and document.paragraphs[2]._p.xpath(".//pic:pic")


def test_caption_style_is_large_enough_roman_and_black(dist):
    """Clear Print: captions and credits at 9.5-10 pt or more, no italic, no grey; footnotes too."""
    path = docx_path(dist, briefing())
    styles = part(path, "word/styles.xml")
    for style_id in ("Caption", "FootnoteText", "Quote", "Heading4"):
        (style,) = styles.xpath(f"w:style[@w:styleId='{style_id}']", namespaces=NS)
        assert not style.xpath("w:rPr/w:i | w:rPr/w:iCs | w:rPr/w:color", namespaces=NS), style_id
        if style_id in ("Caption", "FootnoteText"):
            (size,) = style.xpath("w:rPr/w:sz/@w:val", namespaces=NS)
            assert int(size) >= 20, f"{style_id} is {int(size) / 2} pt"


def test_photo_alt_text_in_docpr_descr_wcag_1_1_1(dist):
    """"The picture's wp:docPr has descr (alt text)": the source's alt, and no file name
    in the shape's names, which screen readers read out when there is no alt text."""
    for chapter in chapters():
        path = docx_path(dist, chapter)
        document = part(path, "word/document.xml")
        (doc_pr,) = document.xpath("//wp:docPr", namespaces=NS)
        assert doc_pr.get("descr") == chapter.figure.alt
        names = [doc_pr.get("name"), doc_pr.get("title") or ""] + document.xpath("//pic:cNvPr/@name", namespaces=NS)
        label = labels_of(chapter)["photo"]
        assert names == [label, "", label]
        assert not any(re.search(r"\.(jpe?g|png|gif|tiff?)\b", n, re.I) for n in names + [doc_pr.get("descr")])


def test_every_figure_has_its_alt_text_and_kind_as_name_wcag_1_1_1(dist):
    """Every picture of the briefing (the chart) and of the chapter: docPr descr is the
    figure's alt, its name the localized kind ("Chart", "Диаграмма"), never a file name;
    shape ids unique. Caption and labelled credit follow in the Caption style, then the
    long description under its label."""
    for chapter in chapters(BRIEFING) + chapters():
        path = docx_path(dist, chapter)
        labels = labels_of(chapter)
        figures = ([chapter.figure] if chapter.figure else []) + [b for b in chapter.walk() if isinstance(b, Figure)]
        document = part(path, "word/document.xml")
        doc_prs = document.xpath("//wp:docPr", namespaces=NS)
        assert [d.get("descr") for d in doc_prs] == [f.alt for f in figures]
        assert [d.get("name") for d in doc_prs] == [labels[f.kind] for f in figures]
        ids = [d.get("id") for d in doc_prs]
        assert len(set(ids)) == len(ids)
        for name in [d.get("name") for d in doc_prs] + document.xpath("//pic:cNvPr/@name", namespaces=NS):
            assert not re.search(r"\.(jpe?g|png|gif|tiff?)\b", name, re.I)
    chapter = briefing()
    chart = find_block(chapter, Figure, lambda f: f.kind == "chart")
    paragraphs = docx.Document(str(docx_path(dist, chapter))).paragraphs
    at = next(i for i, p in enumerate(paragraphs) if p._p.xpath(".//pic:pic"))
    following = [(p.style.name, p.text) for p in paragraphs[at + 1:at + 5]]
    assert following == [
        ("Caption", plain_text(chart.caption)),
        ("Caption", credit_text(chapter, chart)),
        ("Body Text", labels_of(chapter)["long_description"]),
        ("Body Text", plain_text(chart.description[0].content)),
    ]


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


def test_chart_transparency_is_flattened_onto_white(dist):
    """The chart PNG is transparent at its corners; the picture Word shows is white there
    (a reader that drops the alpha channel would otherwise show black)."""
    chapter = briefing()
    chart = find_block(chapter, Figure, lambda f: f.kind == "chart")
    with Image.open(chart.image) as source:
        assert source.mode == "RGBA" and source.getpixel((0, 0))[3] == 0
    path = docx_path(dist, chapter)
    (doc_pr,) = [d for d in part(path, "word/document.xml").xpath("//wp:docPr", namespaces=NS)
                 if d.get("descr") == chart.alt]
    (embed,) = doc_pr.getparent().xpath(".//a:blip/@r:embed", namespaces=NS)
    target = rels(path, "word/document.xml")[embed].get("Target")
    with zipfile.ZipFile(path) as package:
        data = package.read(f"word/{target}")
    assert data == prepare_image(chart.image).data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "PNG"
        rgb = image.convert("RGBA")
        for corner in ((0, 0), (rgb.width - 1, 0), (0, rgb.height - 1), (rgb.width - 1, rgb.height - 1)):
            assert rgb.getpixel(corner) == (255, 255, 255, 255)


def test_document_language_in_style_defaults_wcag_3_1_1(dist):
    """"w:lang set in the document defaults": en-US / ru-RU (the language data's docx_locale),
    with the east-Asian and bidi slots set to the same locale rather than the template's ja-JP / ar-SA."""
    for chapter in chapters():
        path = docx_path(dist, chapter)
        (lang,) = part(path, "word/styles.xml").xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang", namespaces=NS)
        expected = load_language(ROOT / "layouts", chapter.lang).docx_locale
        assert expected == {"en": "en-US", "ru": "ru-RU"}.get(chapter.lang, expected)
        assert {k.removeprefix(W): v for k, v in lang.attrib.items()} == {"val": expected, "eastAsia": expected, "bidi": expected}
        (theme_lang,) = part(path, "word/settings.xml").xpath("w:themeFontLang", namespaces=NS)
        assert theme_lang.get(W + "val") == expected


def _foreign_runs(path: Path) -> list[tuple[str, str]]:
    """(locale, text) for each stretch of consecutive runs carrying a w:lang, in document
    order: the body, then the footnotes."""
    stretches: list[tuple[str, str]] = []
    with zipfile.ZipFile(path) as package:
        names = [n for n in ("word/document.xml", "word/footnotes.xml") if n in package.namelist()]
    for name in names:
        for paragraph in part(path, name).iter(W + "p"):
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
    """Outermost foreign-language spans, in the DOCX's reading order: body, the colophon's publisher
    (a name a translation keeps from its original, issue 12), then the notes."""
    found = []
    note_runs = [run for note in chapter.notes for block in note.blocks for run in block_runs(block)]
    body_runs = list(chapter.inline_runs())[: -len(note_runs) or None]
    names = chapter.meta.names_lang
    colophon = [(locale(ROOT / "layouts", names), chapter.meta.publisher)] if names and names != chapter.lang else []
    for runs, extra in ((body_runs, colophon), (note_runs, [])):
        for run in runs:
            inner: set[int] = set()
            for span in spans(run):
                if id(span) not in inner:
                    found.append((locale(ROOT / "layouts", span.lang), plain_text(span.children)))
                inner.update(id(s) for s in spans(span.children))
        found += extra
    return found


def test_foreign_language_runs_carry_w_lang_wcag_3_1_2(dist):
    """"w:lang ... on runs in the other language": every span of the source, and only
    those, in the body and in the footnotes."""
    variants = {c.lang: c for c in chapters()}
    ru = variants["ru"]
    expected = _model_spans(ru)
    assert ("en-US", "RFE/RL") in expected and ("en-US", "Instagram") in expected
    assert _foreign_runs(docx_path(dist, ru)) == expected
    assert _foreign_runs(docx_path(dist, variants["en"])) == _model_spans(variants["en"])
    ru_briefing = briefing("ru")
    expected = _model_spans(ru_briefing)
    assert ("en-US", "Human Rights Watch") in expected
    assert _foreign_runs(docx_path(dist, ru_briefing)) == expected


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


def test_core_properties_longer_than_255_characters_are_shortened(project):
    """python-docx refuses core properties over 255 characters (ValueError, and the whole
    build died): a 293-character description is cut at a word boundary with "…"."""
    words = ("Human Rights Watch reviews the state of human rights in Kazakhstan during 2021, "
             "from the January 2022 protests and their violent suppression to civil society, "
             "free expression, labor rights, the rights of women and of people with disabilities, "
             "torture in custody, prison conditions and poverty.")
    assert len(words) == 293
    replace_in_file(project / "source" / "kazakhstan" / "en.md",
                    "description: >-\n  Human Rights Watch's review of human rights in Kazakhstan during 2021, from\n"
                    "  the January 2022 protests to civil society, free expression, labor rights,\n"
                    "  women's and disability rights, torture and poverty.",
                    f"description: {words}")
    (path,) = build(project, project / "dist", ["docx"], ["en"], ["kazakhstan"]).written
    core = docx.Document(str(path)).core_properties
    for value in (core.subject, core.comments):
        assert len(value) <= 255 and value.endswith("…")
        kept = value.removesuffix("…")
        assert words.startswith(kept) and words[len(kept)] in " ,", "cut at a word boundary"
        assert len(kept) > 200
    assert core.title == "Kazakhstan: Events of 2021"


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
        assert typed == labels_of(chapter)["page_of"]
        body = part(path, "word/document.xml")
        (reference,) = body.xpath("//w:sectPr/w:footerReference", namespaces=NS)
        assert reference.get(W + "type") == "default"


def test_layout_from_layouts_paper_toml(dist, tmp_path):
    """A4 by default and Letter with --paper letter, margins and font families as the PDF's: the
    Latin/Cyrillic family in w:ascii, w:hAnsi and w:eastAsia, the complex script's (Arabic) in w:cs.
    A right-to-left edition is bound on the right: its inner margin is the right one."""
    project = Project.at(ROOT)
    scripts = load_scripts(project.layouts)
    build(ROOT, tmp_path, ["docx"], chapters=["kazakhstan"], paper="letter")
    for chapter in chapters():
        for paper, path in (("a4", docx_path(dist, chapter)), ("letter", tmp_path / f"{chapter.id}-{chapter.lang}-letter.docx")):
            geometry = page_geometry(project, paper)
            section = docx.Document(str(path)).sections[0]
            assert abs(section.page_width - Mm(geometry.width)) < Mm(0.1)
            assert abs(section.page_height - Mm(geometry.height)) < Mm(0.1)
            assert abs(section.top_margin - Mm(geometry.margin_top)) < Mm(0.1)
            language = load_language(project.layouts, chapter.lang)
            left, right = (geometry.margin_outer, geometry.margin_inner) if language.rtl else (geometry.margin_inner, geometry.margin_outer)
            assert abs(section.left_margin - Mm(left)) < Mm(0.1)
            assert abs(section.right_margin - Mm(right)) < Mm(0.1)
            (fonts,) = part(path, "word/styles.xml").xpath("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", namespaces=NS)
            latin = scripts.get("Latn").family(geometry.typeface)
            script = scripts.get(language.script)
            complex_family = script.family(geometry.typeface) if script.complex else latin
            assert {fonts.get(W + slot) for slot in ("ascii", "hAnsi", "eastAsia")} == {latin}
            assert fonts.get(W + "cs") == complex_family
            for family in {latin, complex_family}:
                assert (project.fonts / f"{family.replace(' ', '')}-Regular.ttf").is_file()


def test_fonts_are_embedded_obfuscated_as_ecma_376_says(dist):
    """The four Noto Serif faces travel with the document (word/fonts/*.odttf), each
    de-obfuscated with its fontKey (the GUID's bytes, last pair first, XORed over the
    first 32 bytes; ECMA-376 Part 1, 17.8.1) giving back the file in fonts/. (Every edition
    has Latin text; an Arabic one embeds Noto Naskh Arabic too: test_docx_languages.py.)"""
    project = Project.at(ROOT)
    family = load_scripts(project.layouts).get("Latn").family(page_geometry(project, "a4").typeface)
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
                data = package.read("word/" + targets[embed.get(R_ID)])
                plain = bytes(b ^ key[i % 16] for i, b in enumerate(data[:32])) + data[32:]
                assert plain == (project.fonts / f"{stem}-{face}.ttf").read_bytes()
            types = etree.fromstring(package.read("[Content_Types].xml"))
            assert any(t.get("Extension") == "odttf" and t.get("ContentType").endswith(".obfuscatedFont") for t in types)
        assert part(path, "word/settings.xml").find(W + "embedTrueTypeFonts") is not None


def test_two_builds_are_byte_identical(tmp_path, monkeypatch):
    """Reproducible: fixed zip entry times and order; dates from SOURCE_DATE_EPOCH."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    selection = ["kazakhstan", BRIEFING]
    first = build(ROOT, tmp_path / "first", ["docx"], chapters=selection, cache=False).written
    second = build(ROOT, tmp_path / "second", ["docx"], chapters=selection, cache=False).written
    variants = sum(len(chapters(chapter_id)) for chapter_id in selection)
    assert [p.name for p in first] == [p.name for p in second] and len(first) == variants >= 4
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
    (path,) = build(project, project / "dist", ["docx"], ["en"], ["kazakhstan"]).written
    document = part(path, "word/document.xml")
    (link,) = document.xpath("//w:hyperlink", namespaces=NS)
    assert "".join(link.xpath(".//w:t/text()", namespaces=NS)) == "Human Rights Watch"
    assert link.xpath("w:r/w:rPr/w:rStyle/@w:val", namespaces=NS) == ["Hyperlink"]
    (rel,) = [r for r in part(path, "word/_rels/document.xml.rels") if r.get("Id") == link.get(R_ID)]
    assert rel.get("Target") == "https://www.hrw.org/" and rel.get("TargetMode") == "External"
    assert document.xpath("//w:r[w:rPr/w:i]/w:t/text()", namespaces=NS) == ["detained"]
    assert document.xpath("//w:r[w:rPr/w:b]/w:t/text()", namespaces=NS) == ["reports"]
    mammoth = _mammoth()
    with path.open("rb") as f:
        html = mammoth.convert_to_html(f).value
    assert '<em>detained</em>, <strong>reports</strong> <a href="https://www.hrw.org/">Human Rights Watch</a>.' in html


# --------------------------------------------------------------------------
# The briefing's elements: lists, notes, tables, quotation, box, links


def test_numbered_lists_are_word_numbering_with_their_start_wcag_1_3_1(dist):
    """"Lists use Word numbering (numbering.xml), not typed digits": each item's paragraph
    has w:numPr resolving to a decimal level at ilvl 0 (a bullet level for bulleted
    sub-items at ilvl 1, and 2 one deeper); the second list starts at 6 (its start), the
    first at 1; no list paragraph starts with a typed number or bullet."""
    for chapter in chapters(BRIEFING):
        path = docx_path(dist, chapter)
        document = part(path, "word/document.xml")
        first_list = chapter.find("recommendations-list")
        second_list = chapter.find("recommendations-partners")
        assert first_list.ordered and second_list.ordered and second_list.start == 6
        for node in (first_list, second_list):
            ids = set()
            for item in node.items:
                paragraph = paragraph_by_text(document, plain_text(item.blocks[0].content))
                assert numbering_of(path, paragraph) == (0, "decimal", node.start)
                ids.add(paragraph.find(f"{W}pPr/{W}numPr/{W}numId").get(W + "val"))
                assert paragraph.find(f"{W}pPr/{W}pStyle").get(W + "val") == "ListParagraph"
            assert len(ids) == 1, "one numbering instance per list"
        restart = {paragraph_by_text(document, plain_text(node.items[0].blocks[0].content))
                   .find(f"{W}pPr/{W}numPr/{W}numId").get(W + "val") for node in (first_list, second_list)}
        assert len(restart) == 2, "the second list does not continue the first"
        nested = first_list.items[0].blocks[1]
        assert isinstance(nested, List) and not nested.ordered
        level, kind, _ = numbering_of(path, paragraph_by_text(document, plain_text(nested.items[0].blocks[0].content)))
        assert (level, kind) == (1, "bullet")
        (deepest,) = nested_lists(first_list, 2)
        level, kind, _ = numbering_of(path, paragraph_by_text(document, plain_text(deepest.items[0].blocks[0].content)))
        assert (level, kind) == (2, "bullet")
        numbered = [p for p in document.iter(W + "p") if p.find(f"{W}pPr/{W}numPr") is not None]
        items = [b for b in chapter.walk() if isinstance(b, List)]
        assert len(numbered) == sum(len(node.items) for node in items)
        for paragraph in numbered:
            assert not TYPED_MARKER.match(text_of(paragraph)), text_of(paragraph)


def test_bulleted_list_is_word_numbering(dist):
    """The briefing's bulleted list (and the box's): w:numPr to a bullet level, ilvl 0, no typed bullet."""
    chapter = briefing()
    path = docx_path(dist, chapter)
    document = part(path, "word/document.xml")
    for node in (chapter.find("protest-record-list"), find_block(chapter, Box).blocks[0]):
        assert isinstance(node, List) and not node.ordered
        for item in node.items:
            paragraph = paragraph_by_text(document, plain_text(item.blocks[0].content))
            assert numbering_of(path, paragraph)[:2] == (0, "bullet")
            assert not TYPED_MARKER.match(text_of(paragraph))


def test_notes_are_word_footnotes_referenced_once_with_their_links_wcag_1_3_1(dist):
    """"Notes are Word footnotes": footnotes.xml has the separator footnotes and one
    footnote per note (its text, its links as hyperlinks of the footnotes part), each
    referenced once by a w:footnoteReference in the footnote reference style; a second
    reference to a note is a NOTEREF field to the bookmark around the first."""
    for chapter in chapters(BRIEFING):
        path = docx_path(dist, chapter)
        footnotes = part(path, "word/footnotes.xml")
        specials = footnotes.xpath("w:footnote[@w:type]", namespaces=NS)
        assert sorted(f.get(W + "type") for f in specials) == ["continuationSeparator", "separator"]
        notes = {f.get(W + "id"): f for f in footnotes.xpath("w:footnote[not(@w:type)]", namespaces=NS)}
        assert sorted(notes, key=int) == [str(n.number) for n in chapter.notes]
        document = part(path, "word/document.xml")
        references = document.xpath("//w:footnoteReference/@w:id", namespaces=NS)
        assert sorted(references, key=int) == sorted(notes, key=int), "each footnote referenced exactly once"
        assert references == sorted(references, key=int), "referenced in number order, as Word numbers them"
        for run in document.xpath("//w:r[w:footnoteReference]", namespaces=NS):
            assert run.xpath("w:rPr/w:rStyle/@w:val", namespaces=NS) == ["FootnoteReference"]
        links = rels(path, "word/footnotes.xml")
        for note in chapter.notes:
            footnote = notes[str(note.number)]
            assert normal(text_of(footnote)) == normal(" ".join(plain_text(b.content) for b in note.blocks))
            assert footnote.xpath("w:p[1]/w:r[1]/w:footnoteRef", namespaces=NS)
            assert footnote.xpath("w:p/w:pPr/w:pStyle/@w:val", namespaces=NS)[0] == "FootnoteText"
            urls = [n.href for b in note.blocks for n in inline_nodes(b.content) if isinstance(n, Link)]
            targets = [links[i].get("Target") for i in footnote.xpath(".//w:hyperlink/@r:id", namespaces=NS)]
            assert urls and targets == urls
        settings = part(path, "word/settings.xml")
        assert settings.xpath("w:footnotePr/w:footnote/@w:id", namespaces=NS) == ["-1", "0"]
        repeated = [n for run in chapter.inline_runs() for n in inline_nodes(run)
                    if isinstance(n, NoteRef) and n.occurrence > 1]
        assert repeated, "the briefing cites a note twice"
        codes = [normal(t) for t in document.xpath("//w:instrText/text()", namespaces=NS)]
        bookmarks = set(document.xpath("//w:bookmarkStart/@w:name", namespaces=NS))
        for ref in repeated:
            (code,) = [c for c in codes if c.startswith("NOTEREF")]
            name = code.split()[1]
            assert name in bookmarks
            (start,) = document.xpath(f"//w:bookmarkStart[@w:name='{name}']", namespaces=NS)
            assert start.getnext().xpath("w:footnoteReference/@w:id", namespaces=NS) == [str(ref.number)]


def test_tables_have_a_repeating_header_row_a_caption_and_alt_text_wcag_1_3_1(dist):
    """"Tables have a repeating header row (w:tblHeader) and a caption": a Caption
    paragraph above the table, w:tblCaption/w:tblDescription in w:tblPr, the header row's
    texts as the source's, bold; a header column bold; right-aligned columns right-aligned."""
    for chapter in chapters(BRIEFING):
        path = docx_path(dist, chapter)
        document = part(path, "word/document.xml")
        tables = [b for b in chapter.walk() if isinstance(b, Table)]
        assert len(tables) == 2 and any(t.header_column for t in tables)
        data_tables = document.xpath("//w:tbl[w:tblPr/w:tblCaption]", namespaces=NS)
        assert len(data_tables) == len(tables)
        for node, tbl in zip(tables, data_tables):
            caption = plain_text(node.caption)
            assert tbl.xpath("w:tblPr/w:tblCaption/@w:val", namespaces=NS) == [caption]
            assert tbl.xpath("w:tblPr/w:tblDescription/@w:val", namespaces=NS) == [caption]
            assert tbl.xpath("w:tblPr/w:tblStyle/@w:val", namespaces=NS) == ["TableGrid"]
            previous = tbl.getprevious()
            assert previous.xpath("w:pPr/w:pStyle/@w:val", namespaces=NS) == ["Caption"]
            assert normal(text_of(previous)) == normal(caption)
            rows = tbl.findall(W + "tr")
            assert [r.find(f"{W}trPr/{W}tblHeader") is not None for r in rows] == [True] + [False] * len(node.rows)
            header = [text_of(tc) for tc in rows[0].findall(W + "tc")]
            assert header == [plain_text(cell) for cell in node.header]
            for tc in rows[0].findall(W + "tc"):
                assert all(r.find(f"{W}rPr/{W}b") is not None for r in tc.iter(W + "r"))
            for row, source_row in zip(rows[1:], node.rows):
                cells = row.findall(W + "tc")
                assert [text_of(tc) for tc in cells] == [plain_text(c) for c in source_row]
                for column, tc in enumerate(cells):
                    bold = [r.find(f"{W}rPr/{W}b") is not None for r in tc.iter(W + "r")]
                    assert all(bold) if (node.header_column and column == 0) else not any(bold)
                    jc = tc.xpath("w:p/w:pPr/w:jc/@w:val", namespaces=NS)
                    assert jc == (["right"] if node.align[column] == "right" else [])


def test_quotation_in_quote_style_with_its_attribution(dist):
    """The block quote is in the Quote style, its attribution after an em dash in Quote too."""
    for chapter in chapters(BRIEFING):
        quote = chapter.find("quote-order")
        assert isinstance(quote, BlockQuote) and quote.attribution
        paragraphs = docx.Document(str(docx_path(dist, chapter))).paragraphs
        texts = [(p.style.name, p.text) for p in paragraphs if p.style.name == "Quote"]
        assert texts == [("Quote", plain_text(quote.blocks[0].content)),
                         ("Quote", "— " + docx_text(quote.attribution))]


def test_box_title_is_a_heading_inside_the_box(dist):
    """The box is a bordered, shaded one-cell table; its title a heading at the box's
    level inside the cell, before the box's list."""
    for chapter in chapters(BRIEFING):
        box = find_block(chapter, Box)
        document = part(docx_path(dist, chapter), "word/document.xml")
        title = paragraph_by_text(document, plain_text(box.title))
        assert title.xpath("w:pPr/w:pStyle/@w:val", namespaces=NS) == [f"Heading{box.level}"]
        (cell,) = title.xpath("ancestor::w:tc", namespaces=NS)
        (tbl,) = title.xpath("ancestor::w:tbl", namespaces=NS)
        assert len(tbl.xpath(".//w:tc", namespaces=NS)) == 1
        assert cell.find(W + "p") is title, "the title comes first in the box"
        item = paragraph_by_text(document, plain_text(box.blocks[0].items[0].blocks[0].content))
        assert item.getparent() is cell
        assert tbl.xpath("w:tblPr/w:tblBorders/w:top/@w:val", namespaces=NS) == ["single"]
        assert tbl.xpath("w:tblPr/w:shd/@w:fill", namespaces=NS)
        assert not tbl.xpath("w:tr/w:trPr/w:tblHeader | w:tblPr/w:tblCaption", namespaces=NS), \
            "a frame, not a data table"


def test_internal_links_lead_to_bookmarks_on_the_target_blocks_wcag_2_4_4(dist):
    """Every #id link is a w:hyperlink whose w:anchor names a bookmark, and every block
    with an id has a bookmark of that name; a heading's bookmark is on the heading."""
    for chapter in chapters(BRIEFING):
        path = docx_path(dist, chapter)
        document = part(path, "word/document.xml")
        starts = document.xpath("//w:bookmarkStart", namespaces=NS)
        names = [s.get(W + "name") for s in starts]
        assert len(names) == len(set(names)) and all(len(n) <= 40 for n in names)
        ids = [s.get(W + "id") for s in starts]
        assert sorted(ids) == sorted(document.xpath("//w:bookmarkEnd/@w:id", namespaces=NS))
        assert set(chapter.block_ids()) <= set(names)
        internal = [link.href[1:] for link in chapter_links(chapter) if link.internal]
        assert len(internal) >= 3
        anchors = document.xpath("//w:hyperlink/@w:anchor", namespaces=NS)
        assert anchors == internal
        assert set(anchors) <= set(names)
        for section in chapter.sections():
            (start,) = document.xpath(f"//w:bookmarkStart[@w:name='{section.id}']", namespaces=NS)
            assert start.getparent().xpath("w:pPr/w:pStyle/@w:val", namespaces=NS) == [f"Heading{section.level}"]
        table = chapter.find("timeline-table")
        (start,) = document.xpath("//w:bookmarkStart[@w:name='timeline-table']", namespaces=NS)
        assert normal(text_of(start.getparent())) == normal(plain_text(table.caption))


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


def _mammoth_html(path: Path) -> etree._Element:
    with path.open("rb") as f:
        html = _mammoth().convert_to_html(f, style_map=MAMMOTH_STYLE_MAP).value
    return etree.fromstring(f"<body>{html}</body>")


def test_mammoth_reads_the_outline_and_alt_text(dist):
    """"mammoth reads headings and alt text back": h1 title over h2 sections, as in the
    PDF and EPUB, and the img alt is the source's."""
    for chapter in chapters():
        root = _mammoth_html(docx_path(dist, chapter))
        outline = [(h.tag, "".join(h.itertext())) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert outline == [("h1", chapter.meta.title)] + [("h2", plain_text(s.heading)) for s in chapter.sections()]
        assert [img.get("alt") for img in root.iter("img")] == [chapter.figure.alt]


def test_mammoth_reads_the_briefing(dist):
    """mammoth (an independent DOCX reader) finds the briefing's outline h1-h4 (the box
    title at its level), its lists as ol/ul nested as in the source, the chart's alt
    text, the footnotes with every note URL as a link, and the internal links."""
    for chapter in chapters(BRIEFING):
        root = _mammoth_html(docx_path(dist, chapter))
        outline = [(h.tag, normal("".join(h.itertext()))) for h in root.iter("h1", "h2", "h3", "h4")]
        expected = [("h1", chapter.meta.title)]
        for block in chapter.walk():
            if isinstance(block, Section):
                expected.append((f"h{block.level}", plain_text(block.heading)))
            elif isinstance(block, Box):
                expected.append((f"h{block.level}", plain_text(block.title)))
        assert outline == [(tag, normal(text)) for tag, text in expected]
        assert [img.get("alt") for img in root.iter("img")] == [f.alt for f in chapter.walk() if isinstance(f, Figure)]
        first = chapter.find("recommendations-list")
        (ol,) = [ol for ol in root.iter("ol") if normal("".join(ol.find("li").itertext())).startswith(
            normal(plain_text(first.items[0].blocks[0].content)))]
        assert len(ol.findall("li")) == len(first.items)
        assert ol.find("li/ul/li") is not None and ol.find("li/ul/li/ul/li") is not None
        hrefs = [a.get("href") for a in root.iter("a") if a.get("href")]
        for link in chapter_links(chapter):
            assert link.href in hrefs
        footnotes = [li for li in root.iter("li") if (li.get("id") or "").startswith("footnote-")]
        assert len(footnotes) == len(chapter.notes)


def test_libreoffice_converts_with_headings_intact(dist, tmp_path):
    """"Opens in LibreOffice and converts (libreoffice --headless --convert-to pdf) with
    headings intact": pdftotext finds every heading, and the PDF's bookmarks nest the
    sections under the title, as Word's navigation pane does. In the briefing, the
    second numbered list starts at 6, the subsections nest, and the footnotes print."""
    soffice = require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    pikepdf = pytest.importorskip("pikepdf")
    sources = [docx_path(dist, c) for c in chapters() + chapters(BRIEFING)]
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path)] + [str(s) for s in sources],
        check=True, capture_output=True, timeout=300,
    )
    for chapter, source in zip(chapters() + chapters(BRIEFING), sources):
        pdf = tmp_path / (source.stem + ".pdf")
        text = normal(subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], check=True,
                                     capture_output=True, text=True).stdout)
        # pdftotext gives right-to-left lines in an order of its own, with embedding marks: the
        # headings of an Arabic edition are checked in the outline below, its text's logical
        # order in test_docx_languages.py (LibreOffice's own text export).
        if not load_language(ROOT / "layouts", chapter.lang).rtl:
            for heading in [chapter.meta.title] + [plain_text(s.heading) for s in chapter.sections()]:
                # A heading broken after a hyphen ("зорлық-|зомбылық") is joined without it by pdftotext.
                assert normal(heading).replace("-", "") in text.replace("-", "")
            assert normal(chapter.meta.subtitle) in text

        def tree(items):
            return [(normal(item.title), tree(item.children)) for item in items]

        def expected(blocks):
            out = []
            for block in blocks:
                if isinstance(block, Section):
                    out.append((normal(plain_text(block.heading)), expected(block.blocks)))
                elif isinstance(block, Box):
                    out.append((normal(plain_text(block.title)), []))
            return out

        with pikepdf.open(pdf) as document, document.open_outline() as outline:
            assert tree(outline.root) == [(normal(chapter.meta.title), expected(chapter.blocks))]
        if chapter.id == BRIEFING:
            partners = chapter.find("recommendations-partners")
            assert normal(f"6. {plain_text(partners.items[0].blocks[0].content)}") in text
            for link in chapter_links(chapter):
                if not link.internal and plain_text(link.children) == link.href:
                    assert link.href in text.replace(" ", "")
