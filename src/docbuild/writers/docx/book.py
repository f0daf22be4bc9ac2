"""The book's DOCX edition: one document for the editors, every chapter in it.

The chapters are written by the chapter writer's block walk
(:class:`.blocks.BlockWriter`), one level down the outline: the book's title
is the *Title* paragraph (no outline level: the document's title, not an
entry of its outline), each chapter's title *Heading 1*, its sections
*Heading 2* to *4* as in a chapter edition (they already sit one level
below the chapter's title). After the title page comes a ``TOC`` field
(levels 1-3, entries as links), filled in with the chapters and their
sections so the contents show before Word updates the field with page
numbers (``w:updateFields`` asks it to on opening); each chapter then starts
a new section (a section break, new page). Notes are Word footnotes
numbered across the document, and block ids become bookmarks qualified by
their chapter (``<chapter>_<id>``), so every ``#id`` link leads into its own
chapter (:func:`docbuild.book.merge.qualified`). A chapter given in its
original language (``missing = "original"``) is marked with that language
(``w:lang`` on each of its runs) under a note in the book's language.
"""

from __future__ import annotations

import copy

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from ...book import Book, BookChapter, book_time
from ...book.merge import qualified
from ...fonts import check_glyphs
from ...model import Section, plain_text
from . import new_document, package, save_document
from .blocks import BlockWriter, paragraph_element
from .inlines import Format, bookmark_name, element, make_run

#: The TOC field: outline levels 1-3, entries as hyperlinks, no page numbers in web view, outline levels used.
TOC_FIELD = 'TOC \\o "1-3" \\h \\z \\u'
#: The heading levels the filled-in contents show (the chapters and their sections).
TOC_DEPTH = 2
#: Settings children that come after w:updateFields in the schema's order.
_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
                        "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
                        "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
                        "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
                        "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")


def _locale(book: Book, tag: str) -> str:
    """What a run's ``w:lang`` is given: the tag as written (:mod:`.direction` makes it the DOCX locale)."""
    return tag


def chapter_prefix(part: BookChapter) -> str:
    """What qualifies the chapter's block ids (bookmark names) in the one document."""
    return f"{part.chapter.id}_"


def title_bookmark(part: BookChapter) -> str:
    return bookmark_name(f"{chapter_prefix(part)}title")


def render_book_docx(book: Book) -> bytes:
    labels = book.labels
    document, geometry, writing = new_document(
        book.project, book.paper, False, book.lang, labels, [part.chapter for part in book.chapters]
    )
    for part in book.chapters:
        check_glyphs(part.chapter, writing.families, part.labels, book.project)
    _book_styles(document, geometry.body_size)
    offsets, total = [], 0
    for part in book.chapters:
        offsets.append(total)
        total += len(part.chapter.notes)
    chapters = [qualified(part.chapter, chapter_prefix(part), offset) for part, offset in zip(book.chapters, offsets)]
    writer = BlockWriter(document, labels, geometry, bool(total), writing.families)
    body = writer.body
    body.sink.add(paragraph_element("Title")).append(make_run(book.title))
    if book.subtitle:
        body.sink.add(paragraph_element("Subtitle")).append(make_run(book.subtitle))
    colophon = body.sink.add(paragraph_element())
    publisher = _locale(book, book.publisher_lang) if book.publisher_lang else None
    for text, name in labels.parts("published", publisher=book.publisher, date=labels.date(book.date)):
        colophon.append(make_run(text, Format(lang=publisher if name == "publisher" else None)))
    description = body.sink.add(paragraph_element("BodyText"))
    description.append(make_run(book.description))
    _contents(writer, book, chapters)
    section = document.element.body.find(qn("w:sectPr"))
    for part, chapter in zip(book.chapters, chapters):
        _section_break(body, section)
        first = len(body.sink.parent)
        writer.labels = part.labels
        heading = body.sink.add(paragraph_element("Heading1"))
        heading.append(make_run(chapter.meta.title))
        writer.bookmarks.wrap(heading, title_bookmark(part))
        body.sink.add(paragraph_element("Subtitle")).append(make_run(chapter.meta.subtitle))
        if chapter.figure is not None:
            writer.figure(chapter.figure, body)
        writer.blocks(chapter.blocks, body)
        if part.stand_in:
            # Every run the chapter wrote is in its own language; the note that says so is the book's.
            for added in list(body.sink.parent)[first:]:
                if added.tag != qn("w:sectPr"):
                    _mark_lang(added, _locale(book, chapter.lang))
            _stand_in_note(heading, labels, _locale(book, chapter.lang), part.labels["language_name"])
    writer.labels = labels
    writer.notes(tuple(note for chapter in chapters for note in chapter.notes))
    _update_fields_on_open(document)
    _core_properties(document, book)
    return save_document(document, geometry, writing, False, book.publisher, book_time(book))


def _stand_in_note(heading: etree._Element, labels, lang: str, name: str) -> None:
    """Under the chapter's subtitle, in the book's language: the chapter is given in its original language
    (whose own name, in the sentence, is in that language)."""
    note = paragraph_element("BodyText")
    for text, key in labels.parts("book_stand_in", language=name):
        note.append(make_run(text, Format(italic=True, lang=lang if key == "language" else None)))
    heading.getnext().addnext(note)


def _mark_lang(node: etree._Element, lang: str) -> None:
    """``w:lang`` on every run in ``node`` that has none (a span in a third language keeps its own)."""
    for run in node.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        if rpr is None:
            rpr = element("w:rPr")
            run.insert(0, rpr)
        if rpr.find(qn("w:lang")) is None:
            rpr.append(element("w:lang", val=lang))
            _order_rpr(rpr)


#: The w:rPr children this module and the inline writer use, in the schema's order.
_RPR_ORDER = ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:vertAlign", "w:lang")


def _order_rpr(rpr: etree._Element) -> None:
    known = {qn(tag): index for index, tag in enumerate(_RPR_ORDER)}
    children = sorted(rpr, key=lambda child: known.get(child.tag, len(known) - 1.5))
    for child in children:
        rpr.append(child)


def _section_break(body, body_section: etree._Element) -> None:
    """End the section so far: a paragraph carrying a copy of the page setup, so the next chapter starts a new page."""
    last = body.sink.last
    if last is None or last.tag != qn("w:p"):
        last = body.sink.add(paragraph_element())
    ppr = last.get_or_add_pPr()
    section = copy.deepcopy(body_section)
    kind = section.find(qn("w:type"))
    if kind is None:
        kind = element("w:type")
        section.insert(_after_references(section), kind)
    kind.set(qn("w:val"), "nextPage")
    ppr.append(section)


def _after_references(section: etree._Element) -> int:
    position = 0
    for index, child in enumerate(section):
        if child.tag in (qn("w:headerReference"), qn("w:footerReference"), qn("w:footnotePr"), qn("w:endnotePr")):
            position = index + 1
    return position


def _contents(writer: BlockWriter, book: Book, chapters) -> None:
    """The contents heading and a TOC field whose result lists the chapters and their sections as links."""
    body = writer.body
    _section_break(body, writer.document.element.body.find(qn("w:sectPr")))
    heading = body.sink.add(paragraph_element("TOCHeading"))
    heading.append(make_run(book.labels["contents"]))
    entries: list[tuple[int, str, str]] = []
    for part, chapter in zip(book.chapters, chapters):
        entries.append((1, title_bookmark(part), chapter.meta.title))

        def visit(blocks, level: int) -> None:
            for block in blocks:
                if isinstance(block, Section) and level <= TOC_DEPTH:
                    entries.append((level, bookmark_name(block.id), plain_text(block.heading)))
                    visit(block.blocks, level + 1)

        visit(chapter.blocks, 2)
    paragraphs = []
    for level, anchor, text in entries:
        p = body.sink.add(paragraph_element(f"TOC{level}"))
        link = element("w:hyperlink", anchor=anchor, history="1")
        link.append(make_run(text))
        p.append(link)
        paragraphs.append(p)
    if not paragraphs:
        paragraphs.append(body.sink.add(paragraph_element("TOC1")))
    first, last = paragraphs[0], paragraphs[-1]
    begin = [_fld("begin"), _instr(TOC_FIELD), _fld("separate")]
    ppr = first.find(qn("w:pPr"))
    at = 0 if ppr is None else list(first).index(ppr) + 1
    for offset, run in enumerate(begin):
        first.insert(at + offset, run)
    last.append(_fld("end"))
    hint = body.sink.add(paragraph_element("BodyText"))
    hint.append(make_run(book.labels["book_toc_update"], Format(italic=True)))


def _fld(kind: str) -> etree._Element:
    run = make_run("")
    run.append(element("w:fldChar", fldCharType=kind))
    return run


def _instr(code: str) -> etree._Element:
    run = make_run("")
    instr = element("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    run.append(instr)
    return run


def _book_styles(document, body_size: float) -> None:
    """Heading 1 for the chapters' titles; the contents' heading and levels; the Title out of the outline."""
    styles = document.styles
    title = styles["Title"].element.get_or_add_pPr()
    for level in title.findall(qn("w:outlineLvl")):
        title.remove(level)
    heading = styles["Heading 1"]
    heading.font.size = Pt(body_size * 2)
    heading.font.color.rgb = None
    heading.paragraph_format.space_before = Pt(0)
    heading.paragraph_format.space_after = Pt(body_size * 0.5)
    heading.paragraph_format.keep_with_next = True
    heading.hidden = False
    for rpr in heading.element.iter(qn("w:rPr")):
        for color in rpr.findall(qn("w:color")):
            rpr.remove(color)
    toc_heading = styles["TOC Heading"]
    toc_heading.font.size = Pt(body_size * 1.6)
    toc_heading.hidden = False
    ppr = toc_heading.element.get_or_add_pPr()
    for level in ppr.findall(qn("w:outlineLvl")):
        ppr.remove(level)
    for rpr in toc_heading.element.iter(qn("w:rPr")):
        for color in rpr.findall(qn("w:color")):
            rpr.remove(color)
    for level in (1, 2, 3):
        name = f"TOC {level}"
        try:
            style = styles[name]
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            del style.element.attrib[qn("w:customStyle")]  # Word's built-in style of this name, not a second one
            style.base_style = styles["Normal"]
            style.unhide_when_used = True
            style.priority = 39
        style.paragraph_format.left_indent = Pt(body_size * 1.5 * (level - 1))
        style.paragraph_format.space_after = Pt(body_size * 0.3)


def _update_fields_on_open(document) -> None:
    settings = document.settings.element
    flag = element("w:updateFields", val="true")
    for tag in _AFTER_UPDATE_FIELDS:
        follower = settings.find(qn(tag))
        if follower is not None:
            follower.addprevious(flag)
            return
    settings.append(flag)


def _core_properties(document, book: Book) -> None:
    core = document.core_properties
    core.title = package.fit(f"{book.title}: {book.subtitle}" if book.subtitle else book.title)
    core.author = package.fit(book.publisher)
    core.last_modified_by = package.fit(book.publisher)
    core.subject = package.fit(book.description)
    core.comments = package.fit(book.description)
    core.keywords = ""
    core.language = book.lang
    core.category = ""
    core.created = core.modified = book_time(book)
    core.revision = 1
