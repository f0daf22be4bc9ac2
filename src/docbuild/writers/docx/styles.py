"""Styles, settings and the page of the DOCX: everything a paragraph's look comes from.

Sizes come from ``layouts/paper.toml`` (the PDF's body size). Colours are
the automatic text colour (black) for every style used, because the
template's light blue headings and captions fall short of WCAG 1.4.3; no
style used is italic (Clear Print: no italic passages), and captions,
credits and footnotes are at least 10 pt (Clear Print: no captions under
9.5-10 pt).
"""

from __future__ import annotations

import string

from docx.document import Document as DocumentObject
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle
from lxml import etree

from ...paper import PageGeometry
from .inlines import element, field, make_run

#: Styles this writer uses; their template colours are dropped (see above).
USED_STYLES = ("Normal", "Title", "Subtitle", "Heading 2", "Heading 3", "Heading 4", "Caption", "Body Text",
               "Footer", "List Paragraph", "Quote", "Table Grid")
#: Link colour: Word's own hyperlink blue, 5.9:1 on white (WCAG 1.4.3).
_LINK_COLOR = RGBColor(0x05, 0x63, 0xC1)
#: Field codes for the placeholders of the ``page_of`` label.
_PAGE_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}
#: Heading sizes relative to the body size, by level.
_HEADING_SIZES = {2: 1.4, 3: 1.2, 4: 1.05}
#: Clear Print's smallest size for captions, credits and notes, in points.
_MIN_SMALL_TEXT = 10.0
#: The pPr children that follow w:outlineLvl in the schema's order.
_AFTER_OUTLINE = ("w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def set_defaults(document: DocumentObject, geometry: PageGeometry, lang: str, latin: str, complex_family: str | None = None,
                 rtl: bool = False) -> None:
    """Font, size, line spacing, language and direction every style inherits (styles.xml docDefaults).

    ``latin`` sets Latin and Cyrillic text (``w:ascii``, ``w:hAnsi``, ``w:eastAsia``),
    ``complex_family`` a complex script such as Arabic (``w:cs``; ``latin`` if None).
    The complex-script size (``w:szCs``) is the Latin one. ``rtl``: paragraphs are
    right to left (``w:bidi`` in the paragraph defaults), a new one typed by an editor too.
    """
    root = document.styles.element
    # Theme fonts (Calibri, Cambria) would override the family: keep explicit fonts only.
    for fonts in list(root.iter(qn("w:rFonts"))):
        for name in [n for n in fonts.attrib if n.lower().endswith("theme")]:
            del fonts.attrib[name]
        if not len(fonts.attrib):
            fonts.getparent().remove(fonts)
    defaults = root.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, latin, complex_family or latin)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(round(geometry.body_size * 2)))
    set_lang(rpr.find(qn("w:lang")), lang, all_slots=True)
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = ppr.find(qn("w:spacing"))
    spacing.set(qn("w:line"), str(round(240 * geometry.line_height)))
    spacing.set(qn("w:after"), "0")
    if rtl:
        spacing.addprevious(OxmlElement("w:bidi"))  # w:bidi comes before w:spacing in the schema's order


def set_styles(document: DocumentObject, geometry: PageGeometry, large_print: bool = False) -> None:
    """The styles this writer uses, sized from the body size of ``paper.toml``.

    In large print, captions and notes are at body size too (Clear Print).
    """
    styles = document.styles
    body_size = geometry.body_size
    small = body_size if large_print else max(_MIN_SMALL_TEXT, body_size * 0.9)
    for name in USED_STYLES:
        style = styles[name].element
        _drop_text_colors(style)
        _drop_italic(style)
        linked = style.find(qn("w:link"))  # the "... Char" twin Word applies to part of a paragraph
        twin = styles.element.get_by_id(linked.get(qn("w:val"))) if linked is not None else None
        if twin is not None:
            _drop_text_colors(twin)
            _drop_italic(twin)

    title = styles["Title"]
    ppr = title.element.get_or_add_pPr()
    ppr.insert_element_before(element("w:outlineLvl", val="0"), *_AFTER_OUTLINE)
    title.paragraph_format.keep_with_next = True
    _set_size(title, body_size * 2.5)

    subtitle = styles["Subtitle"]
    numbering = subtitle.element.find(qn("w:pPr")).find(qn("w:numPr"))
    if numbering is not None:  # the template's stray list level, with no list
        numbering.getparent().remove(numbering)
    subtitle.paragraph_format.space_after = Pt(body_size * 1.5)
    subtitle.paragraph_format.keep_with_next = True

    for level, factor in _HEADING_SIZES.items():
        heading = styles[f"Heading {level}"]
        _set_size(heading, body_size * factor)
        heading.paragraph_format.space_before = Pt(body_size * (0.6 + factor))
        heading.paragraph_format.space_after = Pt(body_size * 0.5)
        heading.hidden = False  # the template hides Heading 4 until used

    body = styles["Body Text"]
    body.paragraph_format.space_after = Pt(body_size * 0.6)

    items = styles["List Paragraph"]
    items_ppr = items.element.get_or_add_pPr()
    for tag in ("w:ind", "w:contextualSpacing"):  # the numbering level sets the indent
        for found in items_ppr.findall(qn(tag)):
            items_ppr.remove(found)
    items.paragraph_format.space_after = Pt(body_size * 0.3)

    quote = styles["Quote"]
    quote.paragraph_format.left_indent = Pt(36)
    quote.paragraph_format.right_indent = Pt(36)
    quote.paragraph_format.space_after = Pt(body_size * 0.6)

    caption = styles["Caption"]
    for bold in caption.element.rPr.findall(qn("w:b")) + caption.element.rPr.findall(qn("w:bCs")):
        caption.element.rPr.remove(bold)  # the template's bold captions compete with the headings
    _set_size(caption, small)
    caption.paragraph_format.space_after = Pt(body_size * 0.3)
    caption.hidden = False

    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = _LINK_COLOR
    link.font.underline = True
    link.unhide_when_used = True
    link.priority = 99
    # Word has a built-in style of this name; marked custom, Word would keep two.
    del link.element.attrib[qn("w:customStyle")]

    _add_footnote_styles(document, small, geometry.line_height)


def _add_footnote_styles(document: DocumentObject, size: float, line_height: float) -> None:
    """Word's built-in *footnote text* and *footnote reference* styles (the template has neither)."""
    half_points = str(round(size * 2))
    styles = document.styles.element
    styles.append(parse_xml(
        f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="FootnoteText">'
        '<w:name w:val="footnote text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
        f'<w:pPr><w:spacing w:after="{round(size * 6)}" w:line="{round(240 * min(line_height, 1.25))}" w:lineRule="auto"/></w:pPr>'
        f'<w:rPr><w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr></w:style>'
    ))
    styles.append(parse_xml(
        f'<w:style {nsdecls("w")} w:type="character" w:styleId="FootnoteReference">'
        '<w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/>'
        '<w:unhideWhenUsed/><w:rPr><w:vertAlign w:val="superscript"/></w:rPr></w:style>'
    ))


def _drop_text_colors(style: etree._Element) -> None:
    """Back to the automatic (black) text colour; borders keep theirs."""
    for color in list(style.iter(qn("w:color"))):
        if color.getparent().tag == qn("w:rPr"):
            color.getparent().remove(color)


def _drop_italic(style: etree._Element) -> None:
    """Roman type: the template's italic Heading 4, Quote and captions are hard to read (Clear Print)."""
    for italic in list(style.iter(qn("w:i"), qn("w:iCs"))):
        if italic.getparent().tag == qn("w:rPr"):
            italic.getparent().remove(italic)


def _set_size(style: BaseStyle, points: float) -> None:
    """Font size for Latin/Cyrillic and complex-script text alike (python-docx sets only the first)."""
    style.font.size = Pt(points)
    rpr = style.element.rPr
    size = rpr.find(qn("w:szCs"))
    if size is None:
        size = OxmlElement("w:szCs")
        rpr.find(qn("w:sz")).addnext(size)
    size.set(qn("w:val"), rpr.find(qn("w:sz")).get(qn("w:val")))


def _set_fonts(rpr: etree._Element, latin: str, complex_family: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(slot), latin)
    fonts.set(qn("w:cs"), complex_family)


def set_lang(lang_element: etree._Element, lang: str, all_slots: bool = False) -> None:
    lang_element.set(qn("w:val"), lang)
    if all_slots:
        lang_element.set(qn("w:eastAsia"), lang)
        lang_element.set(qn("w:bidi"), lang)


def set_settings(document: DocumentObject, lang: str) -> None:
    """No preview picture, spelling not marked as checked, our language, fonts kept.

    ``embedTrueTypeFonts`` asks Word to keep the embedded fonts (whole, not
    subset, so partners can edit) when a partner saves the file.
    """
    settings = document.settings.element
    for tag in ("w:savePreviewPicture", "w:proofState"):
        for found in settings.findall(qn(tag)):
            settings.remove(found)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        set_lang(theme_lang, lang, all_slots=True)
    zoom = settings.find(qn("w:zoom"))
    if zoom is not None:  # embedTrueTypeFonts follows zoom in the schema's order
        zoom.addnext(OxmlElement("w:embedTrueTypeFonts"))
    else:
        settings.insert(0, OxmlElement("w:embedTrueTypeFonts"))


def set_page(document: DocumentObject, geometry: PageGeometry, page_of: str, rtl: bool = False) -> None:
    """Paper size and margins of the print layout; the page number footer.

    The inner margin is the left one and the outer the right (the right one and
    the left in a right-to-left edition, bound on the right): partners edit and
    print the document one-sided, where Word's mirrored margins would only confuse.
    """
    section = document.sections[0]
    section.page_width, section.page_height = Mm(geometry.width), Mm(geometry.height)
    section.top_margin, section.bottom_margin = Mm(geometry.margin_top), Mm(geometry.margin_bottom)
    inner, outer = Mm(geometry.margin_inner), Mm(geometry.margin_outer)
    section.left_margin, section.right_margin = (outer, inner) if rtl else (inner, outer)
    section.header_distance = Mm(geometry.margin_top / 2)
    section.footer_distance = Mm(geometry.margin_bottom / 2)
    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = document.styles["Footer"]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for literal, name, _spec, _conversion in string.Formatter().parse(page_of):
        if literal:
            paragraph._p.append(make_run(literal))
        if name is not None:
            paragraph._p.extend(field(_PAGE_FIELDS[name], "1"))
