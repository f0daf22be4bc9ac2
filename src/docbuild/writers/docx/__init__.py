"""The DOCX edition: an editable Word document whose structure survives re-use.

Partners copy from this file into their own submissions, so everything a
reader needs is real Word structure rather than look-alike formatting
(accessibility.md, DOCX section; WCAG 1.3.1, 2.4.6, 3.1.1, 3.1.2, 1.1.1). The
writer walks the document tree with one function per node type
(:mod:`.blocks`):

* **Headings.** The chapter title uses the built-in *Title* style and each
  section the built-in *Heading 2*, *3* or *4* style of its level. The PDF
  and EPUB outline is h1 (the title) over h2-h4 (the sections); Word's Title
  style has no outline level of its own, so this module gives it outline
  level 1. Word's navigation pane, screen readers in Word and LibreOffice
  (and the PDF bookmarks or tags either exports) then see the same levels as
  the other editions: the title at level 1, the sections nested under it.
  Using *Heading 1* for the sections would have flattened that outline, with
  the title and the sections on one level. mammoth maps Title to h1 with the
  style map ``p[style-name='Title'] => h1:fresh`` (its default map leaves
  Title as a ``<p>``); Heading 2-4 are h2-h4 by default.
* **Bookmarks and links.** Every block with an id has a bookmark of that
  name around its first paragraph (a heading, a table's caption, a figure's
  picture, a box's title), so a ``#id`` link is a ``w:hyperlink`` with
  ``w:anchor``; external links are hyperlink relationships.
* **Lists** use Word numbering (numbering.xml, :mod:`.numbering`): bullets
  and numbers are list levels, never typed characters; a numbered list
  starts at its own start number.
* **Quotations** are in the *Quote* style, their attribution after an em
  dash in a *Quote* paragraph of its own.
* **Notes** are native footnotes (footnotes.xml, :mod:`.notes`).
* **Tables** are *Table Grid* tables under a *Caption* paragraph; the header
  row is bold and repeats on each page (``w:tblHeader``), a header column is
  bold, columns keep their alignment, and ``w:tblCaption`` and
  ``w:tblDescription`` give the table its name for screen readers.
* **Figures.** The bytes come from :func:`docbuild.images.prepare_image`,
  never the source file, so no EXIF/GPS data leaves the project and any
  transparency is flattened onto white. The alt text goes in
  ``wp:docPr/@descr``; the shape's names are the localized word for its kind
  (Photo, Chart, Map), never a file name that a screen reader would read
  aloud. The caption and the labelled credit (and for a placeholder, the
  note) are Caption-style paragraphs; a long description follows under a
  "Description" label.
* **Boxes** are one-cell tables with a border and a light grey ground, the
  title a heading of the box's level inside the cell.
* **Language.** ``w:lang`` in the style defaults carries the document's
  locale (``docx_locale`` in ``layouts/languages/<code>.toml``); its
  east-Asian and bidi slots carry the same locale instead of the template's
  ``ja-JP``/``ar-SA``: the bidi slot is the language of right-to-left and
  complex-script runs, so an Arabic edition claims ``ar-SA`` there and an
  English one makes no claim about text it does not have. Every run in a
  foreign-language :class:`~docbuild.model.Span` has its own ``w:lang``, and
  so has the publisher's name in the colophon when a translation keeps the
  original's name (``Metadata.names_lang``).
* **Scripts and direction** (:mod:`.direction`): each run is set in its
  script's family (``layouts/scripts.toml``; ``w:cs`` for a complex script
  such as Arabic), right-to-left text in ``w:rtl`` runs, and a right-to-left
  edition (Arabic) has ``w:bidi`` paragraphs and sections and
  ``w:bidiVisual`` tables, so Word lays it out right to left.
* **Page numbers** are ``PAGE``/``NUMPAGES`` fields in the footer, with the
  words of the ``page_of`` label around them, so they stay right after edits.
* **Layout** (page size, margins, body type) comes from ``layouts/paper.toml``
  through :func:`docbuild.paper.page_geometry`, shared with the PDF. The fonts
  are the PDF's (:func:`docbuild.fonts.edition_families`: the family of the
  language's script, then one for each other script the text uses), from
  ``fonts/``, checked to cover every character and embedded (obfuscated, as
  Word does), so the file looks the same on a machine without them. Styles:
  :mod:`.styles`.
* **Reproducible bytes** and core properties (shortened to python-docx's
  255-character limit): :mod:`.package`.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from typing import Iterable

from docx import Document
from docx.shared import Pt

from ...edition import Edition
from ...fonts import FontFamily, check_glyphs, edition_families, font_faces
from ...labels import Labels
from ...languages import load_language
from ...model import Chapter
from ...paper import page_geometry
from ...project import Project
from ...scripts import load_scripts
from . import package, styles
from .blocks import BlockWriter, fmt, paragraph_element
from .direction import Writing, apply as apply_writing
from .inlines import Format, make_run


def render_large_docx(edition: Edition) -> bytes:
    """The large-print DOCX: 18 pt sans-serif (``[large]`` in paper.toml), captions and notes at
    body size, emphasis in bold rather than italic (Clear Print)."""
    return render_docx(replace(edition, large_print=True))


def render_docx(edition: Edition) -> bytes:
    """The chapter as a DOCX file, byte-identical for the same source and timestamp."""
    chapter, labels = edition.chapter, edition.labels
    document, geometry, writing = new_document(
        edition.project, edition.paper, edition.large_print, chapter.lang, labels, [chapter]
    )
    check_glyphs(chapter, writing.families, labels, edition.project)

    writer = BlockWriter(document, labels, geometry, bool(chapter.notes), writing.families)
    body = writer.body
    meta = chapter.meta
    body.sink.add(paragraph_element("Title")).append(make_run(meta.title))
    body.sink.add(paragraph_element("Subtitle")).append(make_run(meta.subtitle))
    if chapter.figure is not None:
        writer.figure(chapter.figure, body)
    writer.blocks(chapter.blocks, body)
    colophon = body.sink.add(paragraph_element())
    fmt(colophon).space_before = Pt(geometry.body_size)
    # The publisher's name, kept from the original in a translation, in the original's language (w:lang).
    names = meta.names_lang if meta.names_lang and meta.names_lang != chapter.lang else None
    for text, name in labels.parts("published", publisher=meta.publisher, date=labels.date(meta.date)):
        colophon.append(make_run(text, Format(lang=names if name == "publisher" else None)))
    writer.notes(chapter.notes)

    package.set_core_properties(document, edition)
    return save_document(document, geometry, writing, edition.large_print, meta.publisher, edition.timestamp)


def document_families(project: Project, lang: str, labels: Labels, typeface: str,
                      chapters: Iterable[Chapter] = ()) -> tuple[FontFamily, ...]:
    """The families of a document in ``lang`` holding ``chapters``: its script's first, then
    those of every other script their texts (and labels) use, each once."""
    language = load_language(project.layouts, lang)
    script = load_scripts(project.layouts).get(language.script, language.path)
    own = script.family(typeface)
    families = {own: FontFamily(own, font_faces(project, own, script.italic), script)}
    for chapter in chapters:
        for family in edition_families(project, chapter, labels, typeface):
            families.setdefault(family.name, family)
    return tuple(families.values())


def new_document(project: Project, paper: str, large_print: bool, lang: str, labels: Labels,
                 chapters: Iterable[Chapter] = ()):
    """An empty document set up for the paper, the type, the language and the scripts of
    ``chapters``: (document, geometry, writing). ``writing`` (:class:`.direction.Writing`)
    is also the sequence of the document's font families, for ``check_glyphs``."""
    geometry = page_geometry(project, paper, large_print)
    language = load_language(project.layouts, lang)
    families = document_families(project, lang, labels, geometry.typeface, chapters)
    writing = Writing(language, families, project.layouts, geometry.typeface)
    document = Document()
    package.remove_leftovers(document)
    styles.set_defaults(document, geometry, language.docx_locale, writing.latin, writing.complex, language.rtl)
    styles.set_styles(document, geometry, large_print)
    styles.set_settings(document, language.docx_locale)
    styles.set_page(document, geometry, labels.table["page_of"], language.rtl)
    return document, geometry, writing


def save_document(document, geometry, writing: Writing, large_print: bool, publisher: str, timestamp: datetime) -> bytes:
    """The document's bytes: every run in its script's font and direction, fonts embedded,
    large-print emphasis, extended properties, reproducible zip."""
    out = io.BytesIO()
    document.save(out)
    parts = apply_writing(package.unpack(out.getvalue()), writing)
    generic = "swiss" if geometry.typeface == "sans" else "roman"
    for family in writing.families:
        parts = package.embed_fonts(parts, family.name, family.faces, generic)
    if large_print:
        for name in ("word/document.xml", "word/footnotes.xml"):
            if name in parts:
                parts[name] = package.emphasis_in_bold(parts[name])
        parts["word/styles.xml"] = package.without_italic(parts["word/styles.xml"])
    parts["docProps/app.xml"] = package.app_xml(publisher)
    return package.repack(parts, timestamp)
