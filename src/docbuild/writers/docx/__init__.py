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
  locale; its east-Asian and bidi slots carry the same locale instead of the
  template's ``ja-JP``/``ar-SA``, since the chapter has no text in those
  scripts and a wrong claim would mislead spell-checkers and speech. Every run
  in a foreign-language :class:`~docbuild.model.Span` has its own ``w:lang``,
  and so has the publisher's name in the colophon when a translation keeps
  the original's name (``Metadata.names_lang``).
* **Page numbers** are ``PAGE``/``NUMPAGES`` fields in the footer, with the
  words of the ``page_of`` label around them, so they stay right after edits.
* **Layout** (page size, margins, body type) comes from ``layouts/paper.toml``
  through :func:`docbuild.paper.page_geometry`, shared with the PDF. The font
  is the PDF's, Noto Serif from ``fonts/``, checked to cover every character
  and embedded (obfuscated, as Word does), so the file looks the same on a
  machine without it. Styles: :mod:`.styles`.
* **Reproducible bytes** and core properties (shortened to python-docx's
  255-character limit): :mod:`.package`.
"""

from __future__ import annotations

import io
from dataclasses import replace

from docx import Document
from docx.shared import Pt

from ...edition import Edition
from ...fonts import check_glyphs, font_faces
from ...languages import locale
from ...paper import page_geometry
from . import package, styles
from .blocks import BlockWriter, fmt, paragraph_element
from .inlines import Format, make_run


def render_large_docx(edition: Edition) -> bytes:
    """The large-print DOCX: 18 pt sans-serif (``[large]`` in paper.toml), captions and notes at
    body size, emphasis in bold rather than italic (Clear Print)."""
    return render_docx(replace(edition, large_print=True))


def render_docx(edition: Edition) -> bytes:
    """The chapter as a DOCX file, byte-identical for the same source and timestamp."""
    chapter, labels = edition.chapter, edition.labels
    geometry = page_geometry(edition.project, edition.paper, edition.large_print)
    lang = locale(chapter.lang)
    faces = font_faces(edition.project, geometry.family)
    check_glyphs(chapter, faces, labels, edition.project)
    document = Document()
    package.remove_leftovers(document)
    styles.set_defaults(document, geometry, lang)
    styles.set_styles(document, geometry, edition.large_print)
    styles.set_settings(document, lang)
    styles.set_page(document, geometry, labels.table["page_of"])

    writer = BlockWriter(document, labels, geometry, bool(chapter.notes))
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
    names = locale(meta.names_lang) if meta.names_lang and meta.names_lang != chapter.lang else None
    for text, name in labels.parts("published", publisher=meta.publisher, date=labels.date(meta.date)):
        colophon.append(make_run(text, Format(lang=names if name == "publisher" else None)))
    writer.notes(chapter.notes)

    package.set_core_properties(document, edition)
    out = io.BytesIO()
    document.save(out)
    parts = package.embed_fonts(package.unpack(out.getvalue()), geometry.family, faces)
    if edition.large_print:
        for name in ("word/document.xml", "word/footnotes.xml"):
            if name in parts:
                parts[name] = package.emphasis_in_bold(parts[name])
        parts["word/styles.xml"] = package.without_italic(parts["word/styles.xml"])
    parts["docProps/app.xml"] = package.app_xml(meta.publisher)
    return package.repack(parts, edition.timestamp)
