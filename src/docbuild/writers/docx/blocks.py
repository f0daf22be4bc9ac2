"""The block walk: one function per node type of the document model.

Each function appends WordprocessingML to a :class:`Place` (the body, a
box's cell or a footnote) and returns the block's first paragraph, around
which the block's bookmark goes when it has an id, so a ``#id`` link leads
to it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace

from docx.document import Document as DocumentObject
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from ...fonts import FontFamily
from ...images import prepare_image
from ...labels import Labels
from ...model import Block, BlockQuote, Box, Figure, Inline, List, Note, Paragraph, Section, Table, plain_text
from ...paper import PageGeometry
from .inlines import Bookmarks, Format, add_inlines, bookmark_name, element, make_run
from .notes import Footnotes, mark_first_paragraph
from .numbering import Numbering, indent

#: The tallest a figure may be, as a share of the text block's height.
_MAX_FIGURE_HEIGHT = 0.5
#: Figure kind -> (label naming the picture, label before the credit).
_FIGURE_LABELS = {"photo": ("photo", "credit"), "chart": ("chart", "credit_chart"), "map": ("map", "credit_map")}
_ALIGN = {"right": "right", "center": "center", "left": "left"}
#: A box: a one-cell table with a dark border on a light grey ground (black text on it: 18:1).
_BOX_BORDER, _BOX_FILL = "404040", "F2F2F2"
#: Cell padding of a box, in twips.
_BOX_PADDING = 170
#: Space above and below the text of a table cell, in twips (Table Grid has none).
_CELL_PADDING = 40
TWIPS_PER_MM = 1440 / 25.4


class Sink:
    """Where blocks go: the end of a container, or before the body's section properties.

    Word has no space after a table, so the paragraph that follows one gets
    ``gap`` (in twips) before it.
    """

    def __init__(self, parent: etree._Element, before: etree._Element | None = None, gap: int = 0) -> None:
        self.parent, self.before, self.gap = parent, before, gap
        self.last: etree._Element | None = None

    def add(self, child: etree._Element) -> etree._Element:
        if self.before is not None:
            self.before.addprevious(child)
        else:
            self.parent.append(child)
        after_table = self.last is not None and self.last.tag == qn("w:tbl")
        if self.gap and after_table and child.tag == qn("w:p") and not (child.style or "").startswith("Heading"):
            fmt(child).space_before = Twips(self.gap)
        self.last = child
        return child


@dataclass(frozen=True)
class Place:
    sink: Sink
    #: The part that owns the links of paragraphs put here (the document or the footnotes).
    part: Part
    #: The style (id) of a plain paragraph here; None for Normal.
    style: str | None = "BodyText"
    #: In a list item: the item's level, for the indentation of its other paragraphs.
    list_level: int | None = None
    #: The width there is for a table or picture, in twips.
    width: int = 0


def paragraph_element(style: str | None = None, keep_with_next: bool = False) -> etree._Element:
    p = OxmlElement("w:p")
    if style is not None:
        p.style = style
    if keep_with_next:
        fmt(p).keep_with_next = True
    return p


def fmt(p: etree._Element):
    """python-docx's paragraph formatting of a bare ``w:p`` (it keeps the schema's element order)."""
    return DocxParagraph(p, None).paragraph_format


class BlockWriter:
    def __init__(self, document: DocumentObject, labels: Labels, geometry: PageGeometry, has_notes: bool,
                 families: tuple[FontFamily, ...] = ()) -> None:
        """``families``: the edition's (:func:`docbuild.fonts.edition_families`), for the list bullets."""
        self.document, self.labels, self.geometry = document, labels, geometry
        self.bookmarks = Bookmarks()
        self.numbering = Numbering(document, families)
        self.footnotes = Footnotes(document) if has_notes else None
        self.shape_ids = 0
        text_width = geometry.width - geometry.margin_inner - geometry.margin_outer
        self.text_height_mm = geometry.height - geometry.margin_top - geometry.margin_bottom
        body = document.element.body
        gap = round(geometry.body_size * 20)
        self.body = Place(Sink(body, body.find(qn("w:sectPr")), gap), document.part,
                          width=round(text_width * TWIPS_PER_MM))

    # -- the walk

    def blocks(self, blocks: tuple[Block, ...], place: Place) -> etree._Element | None:
        first = None
        for block in blocks:
            p = self.block(block, place)
            first = first if first is not None else p
        return first

    def block(self, block: Block, place: Place) -> etree._Element:
        if isinstance(block, Paragraph):
            p = self.paragraph(block, place)
        elif isinstance(block, Section):
            p = self.section(block, place)
        elif isinstance(block, List):
            p = self.list(block, place, 0)
        elif isinstance(block, BlockQuote):
            p = self.quote(block, place)
        elif isinstance(block, Table):
            p = self.table(block, place)
        elif isinstance(block, Figure):
            p = self.figure(block, place)
        elif isinstance(block, Box):
            p = self.box(block, place)
        else:
            raise TypeError(f"unknown block {block!r}")
        if block.id is not None:
            self.bookmarks.wrap(p, bookmark_name(block.id))
        return p

    def inlines(self, p: etree._Element, nodes: tuple[Inline, ...], place: Place, base: Format = Format()) -> None:
        add_inlines(p, nodes, place.part, self.bookmarks, base)

    def add_paragraph(self, place: Place, nodes: tuple[Inline, ...], style: str | None = None,
                      keep_with_next: bool = False) -> etree._Element:
        p = place.sink.add(paragraph_element(style if style is not None else place.style, keep_with_next))
        if place.list_level is not None and style is None:
            fmt(p).left_indent = Pt(indent(place.list_level) / 20)
        self.inlines(p, nodes, place)
        return p

    # -- one function per node type

    def paragraph(self, node: Paragraph, place: Place) -> etree._Element:
        return self.add_paragraph(place, node.content)

    def section(self, node: Section, place: Place) -> etree._Element:
        p = self.add_paragraph(place, node.heading, style=f"Heading{node.level}")
        self.blocks(node.blocks, place)
        return p

    def list(self, node: List, place: Place, level: int) -> etree._Element:
        """Real Word numbering: each item's first paragraph has ``w:numPr`` (its level, the list's
        own numbering instance); its other paragraphs are indented to its text."""
        num_id = self.numbering.new_list(node.ordered, level, node.start)
        inner = replace(place, style="ListParagraph", list_level=level,
                        width=place.width - indent(level))
        first = None
        for item in node.items:
            rest = item.blocks
            p = place.sink.add(paragraph_element("ListParagraph"))
            num_pr = p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = level
            num_pr.get_or_add_numId().val = num_id
            if rest and isinstance(rest[0], Paragraph):
                self.inlines(p, rest[0].content, place)
                rest = rest[1:]
            first = first if first is not None else p
            for child in rest:
                if isinstance(child, List):
                    self.list(child, place, level + 1)
                else:
                    self.block(child, inner)
        if first is None:  # a list without items: nothing to number
            first = place.sink.add(paragraph_element(place.style))
        last = place.sink.last
        if level == 0 and last is not None and last.tag == qn("w:p"):  # set off from what follows, another list too
            fmt(last).space_after = Pt(self.geometry.body_size * 0.6)
        return first

    def quote(self, node: BlockQuote, place: Place) -> etree._Element:
        inner = replace(place, style="Quote")
        first = self.blocks(node.blocks, inner)
        if node.attribution:
            p = self.add_paragraph(inner, (), style="Quote")
            p.append(make_run("\u2014 "))
            self.inlines(p, node.attribution, inner)
            first = first if first is not None else p
        return first if first is not None else place.sink.add(paragraph_element("Quote"))

    def table(self, node: Table, place: Place) -> etree._Element:
        """A Table Grid table under a caption; its header row repeats on every page."""
        caption = self.add_paragraph(place, node.caption, style="Caption", keep_with_next=True)
        columns = max([len(node.header)] + [len(row) for row in node.rows])
        widths = _column_widths(node, columns, place.width, self.geometry.body_size)
        tbl = element("w:tbl")
        tbl_pr = element("w:tblPr")
        tbl_pr.append(element("w:tblStyle", val="TableGrid"))
        tbl_pr.append(element("w:tblW", w=str(sum(widths)), type="dxa"))
        if place.list_level is not None:
            tbl_pr.append(element("w:tblInd", w=str(indent(place.list_level)), type="dxa"))
        margins = element("w:tblCellMar")
        for side, width in (("top", _CELL_PADDING), ("left", 108), ("bottom", _CELL_PADDING), ("right", 108)):
            margins.append(element(f"w:{side}", w=str(width), type="dxa"))
        tbl_pr.append(margins)
        first_column = "1" if node.header_column else "0"
        look = 0x0020 | 0x0200 | 0x0400 | (0x0080 if node.header_column else 0)
        tbl_pr.append(element("w:tblLook", val=f"{look:04X}", firstRow="1", lastRow="0", firstColumn=first_column,
                              lastColumn="0", noHBand="1", noVBand="1"))
        text = plain_text(node.caption)
        if text:
            tbl_pr.append(element("w:tblCaption", val=text))
            tbl_pr.append(element("w:tblDescription", val=text))
        tbl.append(tbl_pr)
        grid = element("w:tblGrid")
        for width in widths:
            grid.append(element("w:gridCol", w=str(width)))
        tbl.append(grid)
        cell_place = replace(place, sink=Sink(tbl), style=None, list_level=None)
        for index, row in enumerate((node.header,) + node.rows):
            tr = element("w:tr")
            tr_pr = element("w:trPr")
            tr_pr.append(element("w:cantSplit"))
            if index == 0:
                tr_pr.append(element("w:tblHeader"))
            tr.append(tr_pr)
            for column in range(columns):
                cell = row[column] if column < len(row) else ()
                tc = element("w:tc")
                tc_pr = element("w:tcPr")
                tc_pr.append(element("w:tcW", w=str(widths[column]), type="dxa"))
                tc.append(tc_pr)
                p = paragraph_element()
                align = _ALIGN.get(node.align[column] if column < len(node.align) else "")
                if align is not None:
                    p.get_or_add_pPr().append(element("w:jc", val=align))
                bold = index == 0 or (node.header_column and column == 0)
                self.inlines(p, cell, cell_place, Format(bold=bold))
                tc.append(p)
                tr.append(tc)
            tbl.append(tr)
        place.sink.add(tbl)
        return caption

    def figure(self, node: Figure, place: Place) -> etree._Element:
        """The picture (alt text in ``wp:docPr/@descr``, named by its kind, never by a file name),
        its caption and credit in the Caption style, then any long description."""
        labels, geometry = self.labels, self.geometry
        kind, credit_label = _FIGURE_LABELS.get(node.kind, _FIGURE_LABELS["photo"])
        image = prepare_image(node.image)
        aspect = image.height / image.width
        width_mm = min(place.width / TWIPS_PER_MM, self.text_height_mm * _MAX_FIGURE_HEIGHT / aspect)
        picture = place.sink.add(paragraph_element(None, keep_with_next=True))
        fmt(picture).space_before = Pt(geometry.body_size)
        if place.list_level is not None:
            fmt(picture).left_indent = Pt(indent(place.list_level) / 20)
        inline = self.document.part.new_pic_inline(io.BytesIO(image.data), width=Mm(width_mm))
        self.shape_ids += 1
        name = labels[kind]
        doc_pr = inline.docPr
        doc_pr.set("id", str(self.shape_ids))
        doc_pr.set("name", name)
        doc_pr.set("descr", node.alt)
        for c_nv_pr in inline.xpath(".//pic:cNvPr"):
            c_nv_pr.set("name", name)  # python-docx puts "image.png" here
        run = make_run("")
        drawing = OxmlElement("w:drawing")
        drawing.append(inline)
        run.append(drawing)
        picture.append(run)

        last = self.add_paragraph(place, node.caption, style="Caption", keep_with_next=True)
        if node.credit:
            last = self.add_paragraph(place, (), style="Caption")
            last.append(make_run(f"{labels[credit_label]}: "))
            self.inlines(last, node.credit, place)
        if node.placeholder:
            fmt(last).keep_with_next = True
            last = place.sink.add(paragraph_element("Caption"))
            last.append(make_run(labels["placeholder_note"]))
        fmt(last).keep_with_next = bool(node.description)
        fmt(last).space_after = Pt(geometry.body_size * (0.6 if node.description else 1.5))
        if node.description:
            label = self.add_paragraph(place, (), keep_with_next=True)
            label.append(make_run(labels["long_description"], Format(bold=True)))
            self.blocks(node.description, place)
        return picture

    def box(self, node: Box, place: Place) -> etree._Element:
        """A one-cell bordered, shaded table; the title is a heading at the box's level inside it."""
        width = place.width - (indent(place.list_level) if place.list_level is not None else 0)
        tbl = element("w:tbl")
        tbl_pr = element("w:tblPr")
        tbl_pr.append(element("w:tblW", w=str(width), type="dxa"))
        if place.list_level is not None:
            tbl_pr.append(element("w:tblInd", w=str(indent(place.list_level)), type="dxa"))
        borders = element("w:tblBorders")
        for side in ("top", "left", "bottom", "right"):
            borders.append(element(f"w:{side}", val="single", sz="8", space="0", color=_BOX_BORDER))
        tbl_pr.append(borders)
        tbl_pr.append(element("w:shd", val="clear", color="auto", fill=_BOX_FILL))
        margins = element("w:tblCellMar")
        for side in ("top", "left", "bottom", "right"):
            margins.append(element(f"w:{side}", w=str(_BOX_PADDING), type="dxa"))
        tbl_pr.append(margins)
        tbl_pr.append(element("w:tblLook", val="0000", firstRow="0", lastRow="0", firstColumn="0", lastColumn="0",
                              noHBand="1", noVBand="1"))
        tbl.append(tbl_pr)
        grid = element("w:tblGrid")
        grid.append(element("w:gridCol", w=str(width)))
        tbl.append(grid)
        tr = element("w:tr")
        tc = element("w:tc")
        tc_pr = element("w:tcPr")
        tc_pr.append(element("w:tcW", w=str(width), type="dxa"))
        tc_pr.append(element("w:shd", val="clear", color="auto", fill=_BOX_FILL))
        tc.append(tc_pr)
        tr.append(tc)
        tbl.append(tr)
        place.sink.add(tbl)  # in the document before its pictures are added
        inner = Place(Sink(tc, gap=place.sink.gap), place.part, "BodyText", None, width - 2 * _BOX_PADDING)
        title = self.add_paragraph(inner, node.title, style=f"Heading{node.level}", keep_with_next=True)
        fmt(title).space_before = Pt(0)
        self.blocks(node.blocks, inner)
        if tc[-1].tag != qn("w:p"):  # a cell ends with a paragraph
            tc.append(paragraph_element())
        last = tc.findall(qn("w:p"))[-1]
        if last is not title:
            fmt(last).space_after = Pt(0)
        return title

    # -- notes

    def notes(self, notes: tuple[Note, ...]) -> None:
        """Each note as a footnote, its paragraphs in the footnote text style, its links in the footnotes part."""
        if self.footnotes is None:
            return
        for note in notes:
            container = self.footnotes.add(note.number)
            place = Place(Sink(container), self.footnotes.part, "FootnoteText", None, self.body.width)
            self.blocks(note.blocks, place)
            mark_first_paragraph(container)


def _column_widths(node: Table, columns: int, total: int, body_size: float) -> list[int]:
    """Column widths in twips filling ``total``: each at least as wide as its longest word
    (so no word breaks inside a cell), the rest shared in proportion to the columns' longest texts."""
    char = body_size * 0.55 * 20 * 1.1  # an average character (bold headers are wider), in twips
    padding = 2 * 108 + 40  # Table Grid's cell margins and a little air
    least, wanted = [], []
    for column in range(columns):
        texts = [plain_text(row[column]) for row in (node.header,) + node.rows if column < len(row)]
        longest_word = max((len(word) for text in texts for word in text.split(" ")), default=1)  # no-break spaces join
        longest = max((len(text) for text in texts), default=1)
        least.append(longest_word * char + padding)
        wanted.append(max(min(longest, 60) * char + padding, least[-1]))
    if sum(wanted) <= total:
        shares = [w * total / sum(wanted) for w in wanted]
    elif sum(least) >= total:
        shares = [w * total / sum(least) for w in least]
    else:
        spare = total - sum(least)
        extra = [w - m for w, m in zip(wanted, least)]
        shares = [m + spare * e / sum(extra) for m, e in zip(least, extra)]
    widths = [int(share) for share in shares]
    widths[-1] += total - sum(widths)
    return widths
