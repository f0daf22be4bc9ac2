"""The braille edition (``.brf``): ready to emboss, contracted where the language contracts.

Text is translated by liblouis with the language's tables from
``layouts/braille.toml`` (English: Unified English Braille grade 2,
``en-ueb-g2.ctb``; Russian: literary braille, ``ru-litbrl.ctb``; Kazakh:
``kk.utb``; Arabic: uncontracted, ``ar-ar-g1.utb``), through the library
(see :mod:`.louis` for why not the ``lou_translate`` program). Braille is
read left to right in every language: right-to-left text goes to liblouis
in logical order, its cells come out in that order, and Unicode direction
marks are left out.
The page layout follows BANA's *Braille Formats: Principles of Print-to-
Braille Transcription* (2016), the conventions English braille readers in
North America are taught; Russian editions use the same page layout:

* **Page.** 40 cells by 25 lines unless the caller says otherwise
  (``cells``/``lines``; braille.toml holds the defaults). No line is longer,
  no page has more lines.
* **Page numbers.** The braille page number at the right margin of the last
  line; the print page number at the right margin of the first line, with a
  continuation letter (``a12``, ``b12``) when that print page began on an
  earlier braille page. Each has at least three blank cells before it.
* **Print page indicators** from the A4 print edition's layout
  (``edition.print_pages``, ``print_page_starts``, as the EPUB's page-list):
  where a print page begins, a line of dots 36 with the new page number at
  the right margin, unspaced (``------------------------------------#12``
  in BRF); mid-paragraph, before the word the page begins with, the text
  going on at the runover cell. At the top of a braille page the page
  number in the top right corner says it instead, without a continuation
  letter, and the indicator is never on the last line. Every page 1..N is
  marked once, in order. Notes are endnotes here (they are footnotes in
  print), after the last print page indicator.
* **Headings.** The title centred, the subtitle centred under it, then a
  blank line. Level 2: centred, a blank line before and after; level 3: at
  cell 5 (runovers at cell 5), level 4: at cell 7, each after a blank line
  (BANA's centred, cell-5 and cell-7 headings). No blank line at the top of
  a page; a heading is never the last line of a page.
* **Paragraphs** indented: first line at cell 3, runovers at cell 1, no
  blank line between paragraphs.
* **Lists** after and before a blank line; items at cell 1 (nested ones two
  cells further per level), numbered ``1.``, ``a.``, ``i.`` like the other
  editions or bulleted; runovers two cells right of the deepest level's items.
* **Quotations** (displayed material) blocked two cells right of the text
  around them (paragraphs 5-3), a blank line before and after; the
  attribution after a dash at cell 5.
* **Tables** linearised in BANA's listed form: "Table: caption", then per
  row its first cell at cell 1 and the others at cell 3, each cell after
  its column's header (``Header: value``); a header column's cell alone.
* **Figures**: a transcriber's note in 7-5 margins, between UEB's
  transcriber's note indicators where the language has them: "Transcriber's
  note: Photo. Image description: (alt text)", then the caption and the
  credit, each after its label, and a chart's long description after
  "Description:". All words are the edition's labels.
* **Boxes** between a top box line (dots 2356) and a bottom box line
  (dots 1245), the title a heading of its level.
* **Links**: the text, then the address in full in parentheses (once when
  the text is the address); a cross-reference says what it points to, as in
  the plain text edition.
* **Notes**: ``[1]`` in the text (liblouis writes the brackets), endnotes
  under a "Notes" heading, each at cell 1 with runovers at cell 3.
* **Line breaks** only where the print text has a space (a blank cell, or
  a space the braille code leaves out, as Russian braille does after a
  comma); a word longer than a line is divided between two characters with
  the language's hyphen (dots 36; 36-36 in Arabic braille), a web address
  with its continuation indicator (UEB's dot 5; braille.toml says each).
* **File.** North American Braille ASCII (0x20-0x5F, upper case), lines
  ending in CR LF as embossers and BRF readers expect, trailing blank cells
  dropped, each page exactly ``lines`` lines, a form feed between pages.
  Characters no braille table has become their code point (``U+2603``).

The bytes depend only on the edition and the liblouis tables (whose version
is part of the build's cache key).
"""

from __future__ import annotations

from ...edition import Edition
from ...model import Paragraph, reference_names
from .blocks import Walker
from .layout import Paginator
from .louis import to_brf
from .print_pages import PrintPages
from .settings import BrailleSettings, load_settings
from .translate import _PLAIN, Run

__all__ = ["braille_pages", "render_brf", "render_pef"]


def render_brf(edition: Edition, cells: int | None = None, lines: int | None = None) -> bytes:
    """The braille edition, ``cells`` x ``lines``, as BRF bytes.

    The size is, in order: the arguments, the edition's ``braille_cells`` and
    ``braille_lines`` if it has them (``--braille-cells``/``--braille-lines``),
    layouts/braille.toml.
    """
    _, pages = braille_pages(edition, cells, lines)
    text = "\f".join("".join(to_brf(line) + "\r\n" for line in page) for page in pages)
    return text.encode("ascii")


def braille_pages(edition: Edition, cells: int | None = None, lines: int | None = None) -> tuple[BrailleSettings, list[list[str]]]:
    """The settings used and every braille page's lines, in Unicode braille (for BRF and PEF)."""
    chapter, labels = edition.chapter, edition.labels
    cells = cells if cells is not None else getattr(edition, "braille_cells", None)
    lines = lines if lines is not None else getattr(edition, "braille_lines", None)
    settings = load_settings(edition.project, chapter.lang, cells, lines)
    pages = PrintPages(chapter, edition.print_pages, edition.print_page_count, edition.print_page_starts)
    walker = Walker(edition, settings, pages, {block: name.translate(_PLAIN) for block, name in reference_names(chapter).items()})
    meta = chapter.meta
    walker.out += pages.emit(1)
    walker.enter("title")
    walker.heading([Run(meta.title)], 1, before=0)
    walker.out[-1].after = 0
    walker.pages.leave("title")
    walker.heading([walker.label(meta.subtitle)], 1, before=0)
    if chapter.figure is not None:
        walker.figure(chapter.figure, None)
    walker.blocks(chapter.blocks, 0)
    walker.out += pages.rest()
    if chapter.notes:
        walker.heading([walker.label(labels["notes"])], 2)
        for note in chapter.notes:
            marker = walker.label(f"[{note.number}] ")
            rest = note.blocks
            if rest and isinstance(rest[0], Paragraph):
                walker.para([marker, *walker.runs(rest[0].content)], 0, 2)
                rest = rest[1:]
            else:
                walker.para([marker], 0, 2)
            walker.blocks(rest, 2)
    published = labels.format("published", publisher=meta.publisher, date=labels.date(meta.date))
    walker.para([walker.label(published)], 2, 0, before=1)
    paginator = Paginator(
        settings.cells, settings.lines, walker.translator.number,
        {"page_rule": settings.page_rule, "hyphen": settings.hyphen, "continuation": settings.continuation},
        settings.continuation_letters,
    )
    for item in walker.out:
        paginator.add(item)
    return settings, paginator.pages()


from .pef import render_pef  # noqa: E402  (pef uses braille_pages)
