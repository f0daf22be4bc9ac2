"""Checks of the tagged PDF (PDF/UA-1), by Matterhorn Protocol 1.02 failure condition.

Two independent readers: pikepdf (the catalog, the XMP packet, the structure
tree, and every content stream operator) and poppler (``pdfinfo``,
``pdffonts``, ``pdftotext``), whose view must agree with the structure. The
text of tagged content is decoded here from the fonts' ToUnicode maps, so
that what a screen reader gets from the tags is compared with the source,
not only what ``pdftotext`` gets from the page. Where images are painted is
followed through the content streams' matrices, so a Figure's /BBox is
compared with the image it tags.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pikepdf
from lxml import etree

from ..languages import right_to_left
from ..model import blocks_text, plain_text
from ..paper import page_geometry
from . import CheckResult, Expected, completeness, crashed, expect, not_run, rule, verdict
from .completeness import squeeze
from .text import FILE_NAME
from .visual import logical_order

#: Operators that put marks on the page (ISO 32000-1, tables 51, 59, 107 and 92).
PAINTING = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "INLINE IMAGE", "BI"}
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
#: Standard structure types of ISO 32000-1, 14.8.4.
STANDARD_TYPES = frozenset(
    """Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6
    L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot
    Ruby RB RT RP Warichu WT WP Figure Formula Form""".split()
)
_NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
}
_MM = 72 / 25.4


# ---------------------------------------------------------------------------
# Reading: content streams and the structure tree


class _Font:
    """A font's code -> Unicode map, from its ToUnicode CMap (ISO 32000-1, 9.10.3)."""

    def __init__(self, font: pikepdf.Dictionary):
        self.two_byte = font.get("/Subtype") == "/Type0"
        self.name = str(font.get("/BaseFont", "?"))
        self.map: dict[int, str] = {}
        cmap = font.get("/ToUnicode")
        if isinstance(cmap, pikepdf.Stream):
            self._parse(cmap.read_bytes().decode("latin-1"))

    def _parse(self, cmap: str) -> None:
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                self.map[int(code, 16)] = _utf16(uni)
        for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
            for lo, hi, rest in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block):
                lo_i, hi_i = int(lo, 16), int(hi, 16)
                if rest.startswith("["):
                    for offset, uni in enumerate(re.findall(r"<([0-9A-Fa-f]+)>", rest)):
                        self.map[lo_i + offset] = _utf16(uni)
                else:
                    start = int(rest[1:-1], 16)
                    for offset in range(hi_i - lo_i + 1):
                        self.map[lo_i + offset] = _utf16(f"{start + offset:04X}")

    def codes(self, data: bytes) -> list[int]:
        if self.two_byte:
            return [int.from_bytes(data[i: i + 2], "big") for i in range(0, len(data) - 1, 2)]
        return list(data)


def _utf16(hex_text: str) -> str:
    return bytes.fromhex(hex_text).decode("utf-16-be", errors="replace")


@dataclass
class _PageContent:
    """What one page's content stream paints, by kind of marking."""

    number: int
    mcid_text: dict[int, str] = field(default_factory=dict)
    #: The same, one string per glyph (a ligature's ToUnicode may be two letters), for right-to-left reordering.
    mcid_glyphs: dict[int, list[str]] = field(default_factory=dict)
    #: Sequences whose text came from /ActualText: already in reading order.
    actual_text: set[int] = field(default_factory=set)
    artifact_text: list[str] = field(default_factory=list)
    #: Painting operators neither inside an MCID sequence nor inside an Artifact.
    unmarked: list[str] = field(default_factory=list)
    #: Painting operators inside an MCID sequence that the structure tree never references.
    orphan_mcids: set[int] = field(default_factory=set)
    unmapped: set[tuple[str, int]] = field(default_factory=set)
    notdef: set[str] = field(default_factory=set)
    painted: int = 0
    #: Where images are painted, in default user space (x1, y1, x2, y2), by the MCID they are marked with.
    images: dict[int | None, list[tuple[float, float, float, float]]] = field(default_factory=dict)


def _marking(operands, resources: pikepdf.Dictionary) -> tuple[str, int | None, str | None]:
    """(tag, MCID, ActualText) of a BMC/BDC operator; properties may be inline or a named resource.

    ``/ActualText`` (ISO 32000-1 14.9.4) replaces the text the sequence
    shows: a reader takes it instead of the glyphs, which for a
    right-to-left line are drawn, and decoded, in visual order.
    """
    tag = str(operands[0])
    mcid = actual = None
    if len(operands) > 1:
        props = operands[1]
        if isinstance(props, pikepdf.Name):
            props = resources.get("/Properties", {}).get(str(props))
        if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
            mcid = int(props["/MCID"])
        if isinstance(props, pikepdf.Dictionary) and isinstance(props.get("/ActualText"), pikepdf.String):
            actual = str(props["/ActualText"])
    return tag, mcid, actual


def _read_page(number: int, page: pikepdf.Page) -> _PageContent:
    content = _PageContent(number)
    resources = page.obj.get("/Resources", pikepdf.Dictionary())
    fonts_dict = resources.get("/Font", pikepdf.Dictionary())
    fonts: dict[str, _Font] = {}
    font: _Font | None = None
    stack: list[tuple[str, int | None, str | None]] = []
    ctm: tuple[float, ...] = _IDENTITY
    saved: list[tuple[float, ...]] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            saved.append(ctm)
        elif op == "Q":
            ctm = saved.pop() if saved else _IDENTITY
        elif op == "cm" and len(operands) == 6:
            ctm = _concat(tuple(float(v) for v in operands), ctm)
        elif op == "Do":
            mcid = next((m for _, m, _ in reversed(stack) if m is not None), None)
            _place_images(resources, str(operands[0]), ctm, content.images.setdefault(mcid, []), 0)
        if op in ("BMC", "BDC"):
            stack.append(_marking(operands, resources))
            tag, own, actual = stack[-1]
            mcid = next((m for _, m, _ in reversed(stack) if m is not None), None)
            if actual is not None and mcid is not None and not any(a is not None for _, _, a in stack[:-1]):
                content.mcid_text[mcid] = content.mcid_text.get(mcid, "") + actual
                content.actual_text.add(mcid)
        elif op == "EMC":
            if stack:
                stack.pop()
        elif op == "Tf":
            key = str(operands[0])
            if key not in fonts and key in fonts_dict:
                fonts[key] = _Font(fonts_dict[key])
            font = fonts.get(key)
        if op not in PAINTING:
            continue
        content.painted += 1
        mcid = next((m for _, m, _ in reversed(stack) if m is not None), None)
        artifact = any(tag == "/Artifact" for tag, _, _ in stack)
        replaced = any(actual is not None for _, _, actual in stack)
        if mcid is None and not artifact:
            content.unmarked.append(op)
        if op in TEXT_SHOWING and font is not None:
            glyphs = _decode(operands, font, content)
            text = "".join(glyphs)
            if artifact:
                content.artifact_text.append(text)
            elif mcid is not None and not replaced:
                content.mcid_text[mcid] = content.mcid_text.get(mcid, "") + text
                content.mcid_glyphs.setdefault(mcid, []).extend(glyphs)
    return content


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _concat(m: tuple[float, ...], ctm: tuple[float, ...]) -> tuple[float, ...]:
    """``m`` × ``ctm``: the matrix a ``cm`` operator makes current (ISO 32000-1, 8.4.4)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = ctm
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _place_images(resources, name: str, ctm, found: list, depth: int) -> None:
    """Record the rectangle an image XObject covers (the unit square under ``ctm``); look into forms."""
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    xobject = xobjects.get(name) if isinstance(xobjects, pikepdf.Dictionary) else None
    if not isinstance(xobject, pikepdf.Stream):
        return
    if xobject.get("/Subtype") == "/Image":
        corners = [(x * ctm[0] + y * ctm[2] + ctm[4], x * ctm[1] + y * ctm[3] + ctm[5]) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
        xs, ys = [x for x, _ in corners], [y for _, y in corners]
        found.append((min(xs), min(ys), max(xs), max(ys)))
    elif xobject.get("/Subtype") == "/Form" and depth < 4:
        matrix = tuple(float(v) for v in xobject.get("/Matrix", _IDENTITY))
        inner = _concat(matrix, ctm)
        saved = []
        for operands, operator in pikepdf.parse_content_stream(xobject):
            op = str(operator)
            if op == "q":
                saved.append(inner)
            elif op == "Q":
                inner = saved.pop() if saved else _concat(matrix, ctm)
            elif op == "cm" and len(operands) == 6:
                inner = _concat(tuple(float(v) for v in operands), inner)
            elif op == "Do":
                _place_images(xobject.get("/Resources", resources), str(operands[0]), inner, found, depth + 1)


def _decode(operands, font: _Font, content: _PageContent) -> list[str]:
    """The text of each glyph a text-showing operator draws."""
    strings = operands[-1] if operands else []
    if isinstance(strings, pikepdf.String):
        strings = [strings]
    out = []
    for item in strings:
        if not isinstance(item, pikepdf.String):
            continue
        for code in font.codes(bytes(item)):
            if font.two_byte and code == 0:
                content.notdef.add(font.name)
            char = font.map.get(code)
            if char is None:
                content.unmapped.add((font.name, code))
                char = "\ufffd"
            out.append(char)
    return out


@dataclass
class _Element:
    type: str  # after role mapping
    raw_type: str
    obj: pikepdf.Dictionary
    depth: int
    parent_lang: str | None
    #: (page object id, MCID) of the content it holds directly, in order.
    content: list[tuple[tuple[int, int], int]] = field(default_factory=list)
    annotations: list[pikepdf.Object] = field(default_factory=list)
    parent: "_Element | None" = None
    children: list["_Element"] = field(default_factory=list)
    #: The page object it is on (its own /Pg or an ancestor's).
    page: pikepdf.Object | None = None

    def attribute(self, key: str):
        """The value of ``key`` in the element's attribute objects (/A: a dictionary or an array of them)."""
        attributes = self.obj.get("/A")
        items = [attributes] if isinstance(attributes, pikepdf.Dictionary) else (
            list(attributes) if isinstance(attributes, pikepdf.Array) else [])
        for item in items:
            if isinstance(item, pikepdf.Dictionary) and key in item:
                return item[key]
        return None

    def kids_of(self, *types: str) -> list["_Element"]:
        return [kid for kid in self.children if kid.type in types]

    def descendants(self) -> Iterator["_Element"]:
        for kid in self.children:
            yield kid
            yield from kid.descendants()

    def ancestors(self) -> Iterator["_Element"]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


def _walk(root: pikepdf.Dictionary, role_map: dict[str, str], lang: str | None) -> Iterator[_Element]:
    """Every structure element in document (reading) order, depth first."""

    def visit(node, page, depth: int, inherited: str | None, parent: _Element | None) -> Iterator[_Element]:
        raw = str(node.get("/S", "/?"))[1:]
        kind = _role(raw, role_map)
        own_lang = str(node["/Lang"]) if "/Lang" in node else inherited
        page = node.get("/Pg", page)
        element = _Element(kind, raw, node, depth, own_lang, parent=parent, page=page)
        if parent is not None:
            parent.children.append(element)
        kids = node.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
        yield element
        for kid in kids:
            if isinstance(kid, int) or (isinstance(kid, pikepdf.Object) and not isinstance(kid, pikepdf.Dictionary)):
                if page is not None:
                    element.content.append((page.objgen, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                element.content.append((kid.get("/Pg", page).objgen, int(kid["/MCID"])))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                element.annotations.append(kid["/Obj"])
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield from visit(kid, page, depth + 1, own_lang, element)

    top = root.get("/K")
    for node in (list(top) if isinstance(top, pikepdf.Array) else [top] if top is not None else []):
        if isinstance(node, pikepdf.Dictionary):
            yield from visit(node, None, 0, lang, None)


def _role(raw: str, role_map: dict[str, str]) -> str:
    seen = set()
    while raw not in STANDARD_TYPES and raw in role_map and raw not in seen:
        seen.add(raw)
        raw = role_map[raw]
    return raw


@dataclass
class _Pdf:
    """Everything the checks need, read once."""

    pdf: pikepdf.Pdf
    pages: list[_PageContent]
    elements: list[_Element]
    role_map: dict[str, str]
    xmp: etree._Element | None
    #: page object id -> page content
    by_page: dict[tuple[int, int], _PageContent]
    #: page object id -> 1-based page number
    page_numbers: dict[tuple[int, int], int] = field(default_factory=dict)
    #: Languages written right to left (layouts/languages/): their runs are drawn in visual order.
    rtl_langs: frozenset[str] = frozenset()

    def text_of(self, element: _Element) -> str:
        """The text of an element and its descendants, as a screen reader gets it from the tags."""
        return self.own_text(element) + "".join(self.text_of(kid) for kid in element.children)

    def _content_text(self, element: _Element) -> list[str]:
        present = [(page, mcid) for page, mcid in element.content if page in self.by_page]
        if (element.parent_lang or "").split("-")[0] in self.rtl_langs:
            # Each marked sequence is one run of a line, its glyphs in drawing order (visual.logical_order).
            return [
                self.by_page[page].mcid_text.get(mcid, "") if mcid in self.by_page[page].actual_text
                else logical_order(self.by_page[page].mcid_glyphs.get(mcid, []))
                for page, mcid in present
            ]
        return [self.by_page[page].mcid_text.get(mcid, "") for page, mcid in present]

    def own_text(self, element: _Element) -> str:
        """The text of the content an element holds itself, not through its children."""
        return "".join(self._content_text(element))

    def tagged_text(self, separator: str = "") -> str:
        """The text of the whole structure tree in its order; ``separator`` between elements."""
        return separator.join(self.own_text(e) for e in self.elements)

    def of_type(self, *types: str) -> list[_Element]:
        return [e for e in self.elements if e.type in types]


def _read(path: Path, rtl_langs: frozenset[str] = frozenset()) -> _Pdf:
    pdf = pikepdf.open(path)
    root = pdf.Root
    tree = root.get("/StructTreeRoot")
    role_map = {}
    if isinstance(tree, pikepdf.Dictionary) and isinstance(tree.get("/RoleMap"), pikepdf.Dictionary):
        role_map = {str(k)[1:]: str(v)[1:] for k, v in tree.RoleMap.items()}
    lang = str(root["/Lang"]) if "/Lang" in root else None
    elements = list(_walk(tree, role_map, lang)) if isinstance(tree, pikepdf.Dictionary) else []
    pages = [_read_page(n, page) for n, page in enumerate(pdf.pages, start=1)]
    by_page = {page.obj.objgen: content for page, content in zip(pdf.pages, pages)}
    referenced = {ref for e in elements for ref in e.content}
    for page, content in zip(pdf.pages, pages):
        content.orphan_mcids = {m for m in content.mcid_text if (page.obj.objgen, m) not in referenced}
    xmp = None
    if isinstance(root.get("/Metadata"), pikepdf.Stream):
        try:
            xmp = etree.fromstring(root.Metadata.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError:
            xmp = None
    numbers = {page.obj.objgen: n for n, page in enumerate(pdf.pages, start=1)}
    return _Pdf(pdf, pages, elements, role_map, xmp, by_page, numbers, rtl_langs)


# ---------------------------------------------------------------------------
# Checks


def check(path: Path, expected: Expected, run_validators: bool = True) -> list[CheckResult]:
    """Every check of one edition. Poppler is a reader here, not an optional validator: it runs whenever installed."""
    try:
        doc = _read(path, right_to_left(expected.project.layouts))
    except Exception as error:  # any unreadable PDF fails as a whole
        return [crashed("UA1-7.1", "tagged PDF", error)]
    with doc.pdf:
        tags = completeness.complete(doc.tagged_text(), expected, "text of the structure tree, from the fonts' ToUnicode maps",
                                     squeeze, completeness.Reading(notes="inline"))
        # The tagged-text check reads in structure order: a reading-order failure (09-001), not text loss.
        tags = CheckResult("09-001", "tags hold every source text in reading order", tags.status, tags.reason)
        results = [
            _tagged(doc, path),
            _lang(doc, expected),
            _display_title(doc),
            _pdfua_id(doc),
            _dc_title(doc, expected),
            _metadata(doc, expected),
            _content_marked(doc),
            _furniture(doc, expected),
            _structure_types(doc),
            _figure_alt(doc, expected),
            _figure_captions(doc, expected),
            _figure_bbox(doc),
            _heading_order(doc, expected),
            _lists(doc, expected),
            _list_numbering(doc, expected),
            _tables(doc, expected),
            _th_scope(doc, expected),
            _notes(doc, expected),
            _note_ids(doc),
            _quotations(doc, expected),
            _foreign_spans(doc, expected),
            _outline(doc, expected),
            _links(doc),
            _link_targets(doc, expected),
            _unicode(doc),
            _fonts(path, doc),
            _raw_markdown(doc),
            tags,
            _poppler_text(path, expected),
        ]
    return results


def _tagged(doc: _Pdf, path: Path) -> CheckResult:
    root = doc.pdf.Root
    problems = []
    mark = root.get("/MarkInfo")
    if not isinstance(mark, pikepdf.Dictionary) or mark.get("/Marked") is not True:
        problems.append("catalog lacks /MarkInfo <</Marked true>>")
    elif mark.get("/Suspects") is True:
        problems.append("/MarkInfo /Suspects is true (01-007)")
    if not isinstance(root.get("/StructTreeRoot"), pikepdf.Dictionary) or not doc.elements:
        problems.append("catalog lacks a /StructTreeRoot with elements")
    info = _poppler(["pdfinfo", str(path)])
    if info is not None and not re.search(r"^Tagged:\s+yes", info, re.M):
        problems.append("pdfinfo does not report 'Tagged: yes'")
    seen = "; pdfinfo agrees" if info is not None else "; pdfinfo not installed"
    return verdict("UA1-7.1", "tagged PDF (MarkInfo, StructTreeRoot)", problems,
                   f"Marked true, {len(doc.elements)} structure elements{seen}")


def _lang(doc: _Pdf, expected: Expected) -> CheckResult:
    lang = doc.pdf.Root.get("/Lang")
    want = expected.chapter.lang
    if lang is None:
        problems = ["catalog has no /Lang"]
    elif str(lang).split("-")[0].lower() != want:
        problems = [f"catalog /Lang is '{lang}', the source is '{want}'"]
    else:
        problems = []
    return verdict("11-006", "document language (catalog /Lang)", problems, f"catalog /Lang {lang}")


def _display_title(doc: _Pdf) -> CheckResult:
    prefs = doc.pdf.Root.get("/ViewerPreferences")
    value = prefs.get("/DisplayDocTitle") if isinstance(prefs, pikepdf.Dictionary) else None
    problems = [] if value is True else ["ViewerPreferences lacks /DisplayDocTitle true" if value is None
                                          else "/DisplayDocTitle is false (07-002)"]
    return verdict("07-001", "title shown instead of the file name", problems, "/DisplayDocTitle true")


def _xmp(doc: _Pdf, xpath: str) -> list[str]:
    """Values at ``xpath`` in the XMP packet, as element text or attribute."""
    if doc.xmp is None:
        return []
    found = doc.xmp.xpath(xpath, namespaces=_NS)
    return [(f if isinstance(f, str) else "".join(f.itertext())).strip() for f in found]


def _pdfua_id(doc: _Pdf) -> CheckResult:
    parts = _xmp(doc, "//rdf:Description/@pdfuaid:part | //pdfuaid:part")
    if doc.xmp is None:
        problems = ["no XMP metadata stream in the catalog (06-001)"]
    elif parts != ["1"]:
        problems = [f"pdfuaid:part is {parts or 'missing'}, not 1"]
    else:
        problems = []
    return verdict("06-002", "PDF/UA identifier in XMP", problems, "XMP pdfuaid:part = 1")


def _dc_title(doc: _Pdf, expected: Expected) -> CheckResult:
    titles = [t for t in _xmp(doc, "//dc:title//rdf:li") if t]
    want = expected.chapter.meta.title
    if not titles:
        problems = ["XMP has no dc:title" if doc.xmp is not None else "no XMP metadata stream (06-001)"]
    elif not any(completeness.normalise(want) in completeness.normalise(t) for t in titles):
        problems = [f"dc:title '{titles[0]}' does not name the chapter '{want}'"]
    else:
        problems = []
    return verdict("06-003", "XMP dc:title", problems, f"dc:title '{titles[0] if titles else ''}'")


def _metadata(doc: _Pdf, expected: Expected) -> CheckResult:
    meta = expected.chapter.meta
    problems = []
    creators = _xmp(doc, "//dc:creator//rdf:li")
    if not creators:
        problems.append("XMP has no dc:creator")
    elif completeness.normalise(meta.author) not in map(completeness.normalise, creators):
        problems.append(f"dc:creator {creators} is not '{meta.author}'")
    if not any(_xmp(doc, "//dc:description//rdf:li")):
        problems.append("XMP has no dc:description")
    if not any(_xmp(doc, "//xmp:CreateDate | //rdf:Description/@xmp:CreateDate")):
        problems.append("XMP has no xmp:CreateDate")
    return verdict("docbuild:metadata", "author, description, date in XMP", problems,
                   "dc:creator, dc:description and xmp:CreateDate present")


def _content_marked(doc: _Pdf) -> CheckResult:
    problems = []
    for page in doc.pages:
        if page.unmarked:
            problems.append(f"page {page.number}: {len(page.unmarked)} painting operator(s) ({', '.join(sorted(set(page.unmarked)))}) "
                            "neither tagged nor marked /Artifact")
        if page.orphan_mcids:
            problems.append(f"page {page.number}: MCID(s) {sorted(page.orphan_mcids)[:5]} not referenced by the structure tree")
    total = sum(p.painted for p in doc.pages)
    return verdict("01-005", "all content tagged or an Artifact", problems,
                   f"all {total} painting operators on {len(doc.pages)} pages are tagged or Artifacts")


def _furniture(doc: _Pdf, expected: Expected) -> CheckResult:
    """Running footers (page numbers) must be Artifacts: a screen reader would read them mid-sentence."""
    problems = []
    count = len(doc.pages)
    for page, content in zip(doc.pdf.pages, doc.pages):
        footer = squeeze(expected.labels.format("page_of", page=content.number, pages=count))
        if footer in squeeze("".join(content.mcid_text.values())):
            problems.append(f"page {content.number}: the page number '{footer}' is tagged as content, not an Artifact")
    return verdict("18-001", "headers and footers are Artifacts", problems,
                   f"no page number in the tagged content of {count} pages")


def _structure_types(doc: _Pdf) -> CheckResult:
    problems = [f"structure type /{e.raw_type} is neither standard nor role-mapped to a standard type"
                for e in doc.elements if e.type not in STANDARD_TYPES]
    remapped = [k for k in doc.role_map if k in STANDARD_TYPES]
    problems += [f"standard type /{k} is remapped (02-003)" for k in remapped]
    return verdict("02-001", "structure types standard or role-mapped", problems,
                   f"{len({e.type for e in doc.elements})} structure types, all standard or mapped")


def _figure_alt(doc: _Pdf, expected: Expected) -> CheckResult:
    """Every source figure (the lead photo, charts, maps) is a Figure with the source's /Alt, in order."""
    chapter = expected.chapter
    wanted = expect.figures(chapter)
    figures = doc.of_type("Figure")
    problems = []
    if len(figures) != len(wanted):
        problems.append(f"the source has {len(wanted)} figure(s), the structure tree {len(figures)} Figure element(s)")
    for number, element in enumerate(figures, start=1):
        alt = str(element.obj.get("/Alt", "")).strip()
        name = expect.figure_name(chapter, wanted[number - 1]) if number <= len(wanted) else f"Figure {number}"
        if not alt:
            problems.append(f"Figure {number} ({name}) has no /Alt")
        elif FILE_NAME.search(alt):
            problems.append(f"Figure {number} ({name})'s /Alt names a file")
        elif number <= len(wanted) and completeness.normalise(alt) != completeness.normalise(wanted[number - 1].alt):
            problems.append(f"Figure {number}'s /Alt is not the source's alt text of {name}")
    return verdict("13-004", "every Figure has the source's alternative text", problems,
                   f"{len(figures)} Figure(s), each with the source's /Alt")


@rule("docbuild:figure-caption", "captions beside their Figure, no text under /Alt")
def _figure_captions(doc: _Pdf, expected: Expected):
    """/Alt replaces an element and its children (ISO 32000-1, Table 323): a Caption must be the Figure's
    sibling, and a long description must follow the Figure, outside it."""
    problems = []
    for caption in doc.of_type("Caption"):
        hidden = next((a for a in caption.ancestors() if "/Alt" in a.obj), None)
        if hidden is not None:
            problems.append(f"the Caption '{_head(doc.text_of(caption))}' is inside a {hidden.type} with /Alt: "
                            "a screen reader never reads it")
    for element in doc.elements:
        text = doc.text_of(element).strip() if "/Alt" in element.obj else ""
        if text and not any("/Alt" in a.obj for a in element.ancestors()) and not any(
                c.type == "Caption" for c in element.descendants()):
            problems.append(f"the text '{_head(text)}' is inside a {element.type} with /Alt: a screen reader never reads it")
    chapter = expected.chapter
    position = {id(e): i for i, e in enumerate(doc.elements)}
    for figure, element in zip(expect.figures(chapter), doc.of_type("Figure")):
        name = expect.figure_name(chapter, figure)
        want = squeeze(plain_text(figure.caption))
        siblings = element.parent.kids_of("Caption") if element.parent is not None else []
        if want and not any(want in squeeze(doc.text_of(c)) for c in siblings):
            problems.append(f"the caption of {name} is not in a Caption beside its Figure")
        if figure.description:
            start = squeeze(blocks_text(figure.description))[:40]
            after = [e for e in doc.elements[position[id(element)] + 1:]
                     if e.content and not any("/Alt" in a.obj for a in [e, *e.ancestors()])]
            if start not in squeeze("".join(doc.own_text(e) for e in after)):
                problems.append(f"the long description of {name} does not follow its Figure in the structure tree")
    return problems, (f"{len(doc.of_type('Figure'))} Figure(s), each with its Caption as a sibling, long descriptions after; "
                      "no text under /Alt")


#: How far a Figure's /BBox may be off the image it encloses, in points (rounding in the layout engine).
_BBOX_SLACK = 2.0


@rule("docbuild:figure-bbox", "Figure /BBox in default user space, on its page")
def _figure_bbox(doc: _Pdf):
    """Every Figure has a /BBox inside its page's MediaBox, enclosing the image it tags."""
    problems = []
    figures = doc.of_type("Figure")
    for number, element in enumerate(figures, start=1):
        box = element.attribute("/BBox")
        if not isinstance(box, pikepdf.Array) or len(box) != 4:
            problems.append(f"Figure {number} has no /BBox attribute")
            continue
        x1, y1, x2, y2 = (float(v) for v in box)
        page = element.page if element.page is not None else _first_page(element)
        if page is None:
            problems.append(f"Figure {number} is on no page (no /Pg)")
            continue
        mx1, my1, mx2, my2 = (float(v) for v in page.get("/MediaBox", [0, 0, 0, 0]))
        number_of_page = doc.page_numbers.get(page.objgen, "?")
        if x2 <= x1 or y2 <= y1:
            problems.append(f"Figure {number}'s /BBox [{x1:g} {y1:g} {x2:g} {y2:g}] is empty or upside down")
        elif x1 < mx1 - 0.5 or y1 < my1 - 0.5 or x2 > mx2 + 0.5 or y2 > my2 + 0.5:
            problems.append(f"Figure {number}'s /BBox [{x1:g} {y1:g} {x2:g} {y2:g}] is outside the MediaBox of page "
                            f"{number_of_page} [{mx1:g} {my1:g} {mx2:g} {my2:g}]")
        else:
            for image in _images_of(doc, element):
                ix1, iy1, ix2, iy2 = image
                if (ix1 < x1 - _BBOX_SLACK or iy1 < y1 - _BBOX_SLACK or ix2 > x2 + _BBOX_SLACK or iy2 > y2 + _BBOX_SLACK):
                    problems.append(f"Figure {number}'s /BBox [{x1:.0f} {y1:.0f} {x2:.0f} {y2:.0f}] does not enclose its image, "
                                    f"painted at [{ix1:.0f} {iy1:.0f} {ix2:.0f} {iy2:.0f}] on page {number_of_page}")
                    break
    return problems, f"{len(figures)} Figure(s), each with a /BBox on its page enclosing its image"


def _first_page(element: _Element):
    for kid in [element, *element.descendants()]:
        if kid.page is not None:
            return kid.page
    return None


def _images_of(doc: _Pdf, element: _Element) -> list[tuple[float, float, float, float]]:
    """Rectangles of the images painted in the content an element (and its descendants) holds."""
    found = []
    for kid in [element, *element.descendants()]:
        for page, mcid in kid.content:
            content = doc.by_page.get(page)
            if content is not None:
                found += content.images.get(mcid, [])
    return found


def _head(text: str, width: int = 40) -> str:
    text = completeness.normalise(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _heading_order(doc: _Pdf, expected: Expected) -> CheckResult:
    headings = [e for e in doc.elements if re.fullmatch(r"H[1-6]", e.type)]
    levels = [int(e.type[1]) for e in headings]
    problems = []
    if not levels:
        problems.append("no H1-H6 headings in the structure tree")
    else:
        if levels[0] != 1:
            return verdict("14-002", "headings: H1 first, no level skipped", [f"the first heading is H{levels[0]}, not H1"], "")
        if levels.count(1) > 1:
            problems.append(f"{levels.count(1)} H1 headings; the chapter title is the only one")
        for before, after in zip(levels, levels[1:]):
            if after > before + 1:
                problems.append(f"H{after} follows H{before}: level H{before + 1} skipped (14-003)")
                break
    if any(e.type == "H" for e in doc.elements) and levels:
        problems.append("both H and H1-H6 are used (14-007)")
    if not problems:
        want = expect.headings(expected.chapter)
        found = [(level, squeeze(doc.text_of(e))) for level, e in zip(levels, headings)]
        for index, heading in enumerate(want):
            have = found[index] if index < len(found) else None
            if have != (heading.level, squeeze(heading.text)):
                shown = f"H{have[0]} '{_head(doc.text_of(headings[index]))}'" if have else "missing"
                problems.append(f"heading {index + 1} is {shown}; the source has H{heading.level} '{heading.text}'")
                break
        if len(found) > len(want) and not problems:
            problems.append(f"{len(found) - len(want)} heading(s) more than the source, first '{_head(doc.text_of(headings[len(want)]))}'")
    return verdict("14-003", "headings: H1 first, no level skipped", problems,
                   f"{expect.describe_levels(levels)} as in the source, no level skipped" if levels else "")


# ---------------------------------------------------------------------------
# Lists, tables, notes, quotations


_ORDERED = {"/Decimal", "/UpperRoman", "/LowerRoman", "/UpperAlpha", "/LowerAlpha"}
_BULLETS = {"/Disc", "/Circle", "/Square", "/None"}  # /None: an en dash label (nested bullets)


def _body_lists(doc: _Pdf) -> list[_Element]:
    """L elements of the body: lists inside a footnote are set inline and not compared."""
    return [e for e in doc.of_type("L") if not any(a.type == "Note" for a in e.ancestors())]


@rule("16-001", "lists tagged L > LI > Lbl + LBody, an LI per item")
def _lists(doc: _Pdf, expected: Expected):
    wanted = expect.lists(expected.chapter)
    found = _body_lists(doc)
    problems = []
    if len(found) != len(wanted):
        problems.append(f"the source has {len(wanted)} list(s), the structure tree {len(found)} L element(s)")
    for source, element in zip(wanted, found):
        items = element.kids_of("LI")
        if len(items) != len(source.items):
            problems.append(f"{source.where} has {len(source.items)} items, its L {len(items)} LI")
        for number, item in enumerate(items, start=1):
            kinds = [kid.type for kid in item.children]
            if "LBody" not in kinds or "Lbl" not in kinds:
                problems.append(f"item {number} of {source.where} is an LI of {'+'.join(kinds) or 'nothing'}, not Lbl + LBody")
                break
        if source.items and items and source.items[0]:
            first = squeeze(doc.text_of(items[0]))
            if squeeze(source.items[0])[:30] not in first:
                problems.append(f"the first LI of the L tagged for {source.where} does not hold its first item")
    items = sum(len(s.items) for s in wanted)
    return problems, f"{len(found)} L element(s) with {items} LI, as the source's lists"


@rule("16-002", "ordered lists have /ListNumbering, bullets their bullet")
def _list_numbering(doc: _Pdf, expected: Expected):
    wanted = expect.lists(expected.chapter)
    found = _body_lists(doc)
    problems = []
    for index, element in enumerate(found):
        value = element.attribute("/ListNumbering")
        value = str(value) if value is not None else None
        source = wanted[index] if index < len(wanted) else None
        name = source.where if source else f"L {index + 1}"
        if value is None:
            problems.append(f"the L of {name} has no /ListNumbering attribute")
        elif source is not None and source.ordered and value not in _ORDERED:
            problems.append(f"{name} is numbered, but its L has /ListNumbering {value}")
        elif source is not None and not source.ordered and value not in _BULLETS:
            problems.append(f"{name} is bulleted, but its L has /ListNumbering {value}")
    ordered = sum(1 for s in wanted if s.ordered)
    return problems, f"{ordered} numbered list(s) with an ordered /ListNumbering, {len(wanted) - ordered} with a bullet"


def _rows(table: _Element) -> list[tuple[_Element, str]]:
    """(TR, where: THead/TBody/TFoot/Table) of a Table, in order."""
    rows = []
    for kid in table.children:
        if kid.type == "TR":
            rows.append((kid, "Table"))
        elif kid.type in ("THead", "TBody", "TFoot"):
            rows += [(row, kid.type) for row in kid.kids_of("TR")]
    return rows


@rule("docbuild:tables", "tables tagged Table with Caption, THead row of TH, body rows")
def _tables(doc: _Pdf, expected: Expected):
    wanted = expect.tables(expected.chapter)
    found = doc.of_type("Table")
    problems = []
    if len(found) != len(wanted):
        problems.append(f"the source has {len(wanted)} table(s), the structure tree {len(found)} Table element(s)")
    for source, table in zip(wanted, found):
        captions = table.kids_of("Caption")
        if not captions:
            problems.append(f"the Table of {source.where} has no Caption")
        elif squeeze(source.caption) not in squeeze(doc.text_of(captions[0])):
            problems.append(f"the Caption of {source.where} is not its caption '{_head(source.caption)}'")
        rows = _rows(table)
        if len(rows) != 1 + len(source.rows):
            problems.append(f"{source.where} has {1 + len(source.rows)} rows, its Table {len(rows)} TR")
            continue
        (head, part), body = rows[0], rows[1:]
        if part != "THead":
            problems.append(f"the header row of {source.where} is not in a THead")
        cells = [kid.type for kid in head.children if kid.type in ("TH", "TD")]
        if cells != ["TH"] * len(source.header):
            problems.append(f"the header row of {source.where} is {'+'.join(cells) or 'empty'}, not {len(source.header)} TH")
        for number, (row, part) in enumerate(body, start=1):
            cells = [kid.type for kid in row.children if kid.type in ("TH", "TD")]
            want = (["TH"] if source.header_column else ["TD"]) + ["TD"] * (len(source.header) - 1)
            if cells != want or part not in ("TBody", "Table"):
                problems.append(f"row {number} of {source.where} is {'+'.join(cells) or 'empty'} in {part}, "
                                f"not {'+'.join(want)} in TBody")
                break
    return problems, f"{len(found)} Table(s) with Caption, a THead row of TH and the source's rows"


@rule("15-003", "every TH has /Scope (Column or Row)")
def _th_scope(doc: _Pdf, expected: Expected):
    problems = []
    count = 0
    for number, table in enumerate(doc.of_type("Table"), start=1):
        for index, (row, _) in enumerate(_rows(table)):
            for cell in row.kids_of("TH"):
                count += 1
                scope = cell.attribute("/Scope")
                want = "/Column" if index == 0 else "/Row"
                text = _head(doc.text_of(cell), 30)
                if scope is None:
                    problems.append(f"the TH '{text}' of Table {number} has no /Scope")
                elif str(scope) not in (want, "/Both"):
                    problems.append(f"the TH '{text}' of Table {number} has /Scope {scope}, not {want}")
    return problems, f"{count} TH, each with its /Scope" if count else "no TH in the structure tree"


def _destination(annotation) -> str | None:
    """The named destination of a link annotation (/Dest, or a GoTo action's /D), if it has one."""
    dest = annotation.get("/Dest")
    action = annotation.get("/A")
    if dest is None and isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/GoTo":
        dest = action.get("/D")
    if isinstance(dest, (pikepdf.String, pikepdf.Name)):
        return str(dest).lstrip("/")
    return None


@rule("19-003", "each note a Note with /ID, after the Link to it")
def _notes(doc: _Pdf, expected: Expected):
    chapter = expected.chapter
    notes = doc.of_type("Note")
    problems = []
    if len(notes) != len(chapter.notes):
        problems.append(f"the source has {len(chapter.notes)} note(s), the structure tree {len(notes)} Note element(s)")
    position = {id(e): i for i, e in enumerate(doc.elements)}
    links: dict[str, list[int]] = {}
    for element in doc.of_type("Link"):
        for annotation in element.annotations:
            name = _destination(annotation)
            if name is not None:
                links.setdefault(name, []).append(position[id(element)])
    for number, element in enumerate(notes, start=1):
        source = chapter.notes[number - 1] if number <= len(chapter.notes) else None
        name = f"note {number}" + (f" ('{source.label}')" if source else "")
        note_id = element.obj.get("/ID")
        if note_id is None or not str(note_id).strip():
            problems.append(f"the Note of {name} has no /ID")
            continue
        note_id = str(note_id)
        before = [at for at in links.get(note_id, []) if at < position[id(element)]]
        if note_id not in links:
            problems.append(f"no Link leads to the Note of {name} (/ID {note_id})")
        elif not before:
            problems.append(f"the Note of {name} comes before the Link that refers to it")
        if source is not None:
            text = squeeze(blocks_text(source.blocks))
            if text[:40] not in squeeze(doc.text_of(element)):
                problems.append(f"the Note of {name} does not hold its text")
    return problems, f"{len(notes)} Note(s), each with an /ID, after the Link that leads to it"


@rule("19-004", "Note /IDs are unique")
def _note_ids(doc: _Pdf):
    seen: dict[str, int] = {}
    for element in doc.elements:
        if "/ID" in element.obj:
            key = str(element.obj["/ID"])
            seen[key] = seen.get(key, 0) + 1
    problems = [f"/ID '{key}' is on {count} elements" for key, count in seen.items() if count > 1]
    return problems, f"{len(seen)} element /IDs, each unique"


@rule("docbuild:quotations", "quotations tagged BlockQuote")
def _quotations(doc: _Pdf, expected: Expected):
    wanted = expect.quotations(expected.chapter)
    found = doc.of_type("BlockQuote")
    problems = []
    if len(found) != len(wanted):
        problems.append(f"the source has {len(wanted)} quotation(s), the structure tree {len(found)} BlockQuote element(s)")
    for quote, element in zip(wanted, found):
        text = squeeze(blocks_text(quote.blocks))
        if text[:40] not in squeeze(doc.text_of(element)):
            where = f"quotation '{quote.id}'" if quote.id else "a quotation"
            problems.append(f"the BlockQuote tagged for {where} does not hold its text")
    return problems, f"{len(found)} BlockQuote(s), as the source's quotations"


def _named_destinations(pdf: pikepdf.Pdf) -> set[str]:
    names = set()
    tree = pdf.Root.get("/Names", {}).get("/Dests") if isinstance(pdf.Root.get("/Names"), pikepdf.Dictionary) else None
    if isinstance(tree, pikepdf.Dictionary):
        names |= {str(key) for key in pikepdf.NameTree(tree).keys()}
    old = pdf.Root.get("/Dests")
    if isinstance(old, pikepdf.Dictionary):
        names |= {str(key).lstrip("/") for key in old.keys()}
    return names


@rule("docbuild:links", "links lead to the source's addresses and cross-reference targets")
def _link_targets(doc: _Pdf, expected: Expected):
    """Each source link is a link annotation to the same web address, or to a named destination that exists."""
    return link_problems(expected, [page.obj for page in doc.pdf.pages], _named_destinations(doc.pdf))


def link_problems(expected: Expected, pages: list, named: set[str], prefix: str = "") -> tuple[list[str], str]:
    """The source's links against the link annotations of ``pages`` and the ``named`` destinations;
    in a book, a chapter's destination names start with ``prefix`` (its id and a slash)."""
    uris: dict[str, int] = {}
    dests: dict[str, int] = {}
    for page in pages:
        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            if isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/URI":
                uri = str(action.get("/URI", ""))
                uris[uri] = uris.get(uri, 0) + 1
            name = _destination(annotation)
            if name is not None and name.startswith(prefix):
                dests[name.removeprefix(prefix)] = dests.get(name.removeprefix(prefix), 0) + 1
    existing = {name.removeprefix(prefix) for name in named if name.startswith(prefix)}
    problems = []
    links = expect.links(expected.chapter)
    for link in links:
        if link.internal:
            target = link.href[1:]
            if not dests.get(target):
                problems.append(f"no link annotation leads to '{link.href}' (the cross-reference '{plain_text(link.children)}')")
            elif target not in existing:
                problems.append(f"the destination '{prefix}{target}' of a cross-reference does not exist")
        elif not uris.get(link.href):
            problems.append(f"no link annotation leads to {link.href}")
    problems += [f"a link leads to the destination '{prefix}{name}', which does not exist"
                 for name in sorted(dests) if name not in existing]
    return problems, f"{len(links)} source link(s), each a link annotation to its address or an existing destination"


@rule("docbuild:raw-markdown", "no Markdown syntax left in the text")
def _raw_markdown(doc: _Pdf):
    return expect.raw_markdown(doc.tagged_text("\n"), "the structure tree"), "no Markdown syntax in the tagged text"


def _foreign_spans(doc: _Pdf, expected: Expected) -> CheckResult:
    """Every span the source marks as another language is in an element with that /Lang (11-001)."""
    chapter = expected.chapter
    wanted = [(s.lang, plain_text(s.children)) for s in completeness.source_spans(chapter)]
    tagged: dict[str, str] = {}
    for element in doc.elements:
        own = element.obj.get("/Lang")
        if own is not None and str(own).split("-")[0] != chapter.lang:
            key = str(own).split("-")[0]
            tagged[key] = tagged.get(key, "") + "\n" + squeeze(doc.text_of(element))
    problems = [f"'{text}' ({lang}) is not in an element with /Lang {lang}" for lang, text in wanted
                if squeeze(text) not in tagged.get(lang, "")]
    return verdict("11-001", "foreign-language spans carry their /Lang", problems,
                   f"{len(wanted)} foreign-language span(s), each in an element with its /Lang")




def _outline(doc: _Pdf, expected: Expected) -> CheckResult:
    """Bookmarks: the title, then each section nested under the one it belongs to (H1-H4 as levels 1-4)."""
    want = [(h.level, h.text) for h in expect.headings(expected.chapter, boxes=False)]
    found: list[tuple[int, str]] = []
    with doc.pdf.open_outline() as outline:
        stack = [(item, 1) for item in reversed(outline.root)]
        while stack:
            item, depth = stack.pop()
            found.append((depth, item.title))
            stack.extend((child, depth + 1) for child in reversed(item.children))
    problems = []
    for index, (level, text) in enumerate(want):
        have = found[index] if index < len(found) else None
        if have is None or squeeze(have[1]) != squeeze(text):
            problems.append(f"bookmark {index + 1} is {repr(have[1]) if have else 'missing'}, the heading is '{text}'")
            break
        if have[0] != level:
            problems.append(f"bookmark {index + 1} '{text}' is at depth {have[0]}, its heading at level {level}")
            break
    if len(found) > len(want) and not problems:
        problems.append(f"{len(found) - len(want)} bookmark(s) more than headings, first '{found[len(want)][1]}'")
    return verdict("docbuild:outline", "bookmarks follow the headings and their nesting", problems,
                   f"{len(found)} bookmarks = title and section headings, nested as the headings")


def _links(doc: _Pdf) -> CheckResult:
    in_link_tags = {a.objgen for e in doc.elements if e.type == "Link" for a in e.annotations}
    problems = []
    links = 0
    for number, page in enumerate(doc.pdf.pages, start=1):
        annots = [a for a in page.obj.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        if annots and page.obj.get("/Tabs") != "/S":
            problems.append(f"page {number} has links but no /Tabs /S (28-008/009)")
        for annot in annots:
            links += 1
            if not str(annot.get("/Contents", "")).strip():
                problems.append(f"a link on page {number} has no /Contents (28-012)")
            if annot.objgen not in in_link_tags:
                problems.append(f"a link on page {number} is not inside a Link structure element")
    return verdict("28-011", "links in Link tags, with /Contents", problems,
                   f"{links} link(s), each in a Link element with /Contents" if links else "no link annotations")


def _unicode(doc: _Pdf) -> CheckResult:
    unmapped = {item for page in doc.pages for item in page.unmapped}
    notdef = {font for page in doc.pages for font in page.notdef}
    problems = [f"font {font} code {code:#06x} has no Unicode mapping" for font, code in sorted(unmapped)]
    problems += [f"font {font} shows the .notdef glyph: a character has no glyph (31-030)" for font in sorted(notdef)]
    return verdict("10-001", "every character maps to Unicode, no .notdef", problems,
                   "every shown character code maps to Unicode; no .notdef glyph")


def _fonts(path: Path, doc: _Pdf) -> CheckResult:
    title = "fonts embedded (pdffonts)"
    listing = _poppler(["pdffonts", str(path)])
    if listing is None:
        return not_run("31-009", title, "pdffonts (poppler-utils) is not installed")
    rows = listing.splitlines()[2:]
    problems = []
    for row in rows:
        cols = row.split()
        # name type... encoding emb sub uni object ID: the flags are the 5th-3rd last columns
        emb, uni = cols[-5], cols[-3]
        if emb != "yes":
            problems.append(f"font {cols[0]} is not embedded")
        if uni != "yes":
            problems.append(f"font {cols[0]} has no Unicode map (31-027)")
    return verdict("31-009", title, problems, f"{len(rows)} fonts, all embedded with Unicode maps")


def _poppler(command: list[str]) -> str | None:
    """A poppler tool's output, or None when poppler is not installed."""
    if shutil.which(command[0]) is None:
        return None
    return subprocess.run(command, capture_output=True, text=True, check=True, timeout=120).stdout


def _poppler_text(path: Path, expected: Expected) -> CheckResult:
    """``pdftotext`` of the text area (page margins cropped away, where footers are)."""
    if shutil.which("pdftotext") is None:
        return not_run(completeness.RULE, completeness.TITLE, "pdftotext (poppler-utils) is not installed")
    geometry = page_geometry(expected.project, expected.paper, expected.large_print)
    width, height = geometry.width * _MM, geometry.height * _MM
    top, bottom = geometry.margin_top * _MM, geometry.margin_bottom * _MM
    crop = ["-x", "0", "-y", str(int(top)), "-W", str(int(width) + 1), "-H", str(int(height - top - bottom))]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", *crop, str(path), "-"],
                          capture_output=True, text=True, check=True, timeout=120).stdout
    if expected.chapter.lang.split("-")[0] in right_to_left(expected.project.layouts):
        return completeness.words_present(text, expected, "pdftotext, margins cropped")
    return completeness.complete(text, expected, "pdftotext, margins cropped", completeness.without_hyphens,
                                 completeness.Reading(notes="inline", loose_cells=True))
