"""Checks of the tagged PDF (PDF/UA-1), by Matterhorn Protocol 1.02 failure condition.

Two independent readers: pikepdf (the catalog, the XMP packet, the structure
tree, and every content stream operator) and poppler (``pdfinfo``,
``pdffonts``, ``pdftotext``), whose view must agree with the structure. The
text of tagged content is decoded here from the fonts' ToUnicode maps, so
that what a screen reader gets from the tags is compared with the source,
not only what ``pdftotext`` gets from the page.
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

from ..model import plain_text
from ..paper import page_geometry
from . import CheckResult, Expected, completeness, crashed, not_run, verdict
from .completeness import squeeze
from .text import FILE_NAME

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
    artifact_text: list[str] = field(default_factory=list)
    #: Painting operators neither inside an MCID sequence nor inside an Artifact.
    unmarked: list[str] = field(default_factory=list)
    #: Painting operators inside an MCID sequence that the structure tree never references.
    orphan_mcids: set[int] = field(default_factory=set)
    unmapped: set[tuple[str, int]] = field(default_factory=set)
    notdef: set[str] = field(default_factory=set)
    painted: int = 0


def _marking(operands, resources: pikepdf.Dictionary) -> tuple[str, int | None]:
    """(tag, MCID) of a BMC/BDC operator; properties may be inline or a named resource."""
    tag = str(operands[0])
    mcid = None
    if len(operands) > 1:
        props = operands[1]
        if isinstance(props, pikepdf.Name):
            props = resources.get("/Properties", {}).get(str(props))
        if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
            mcid = int(props["/MCID"])
    return tag, mcid


def _read_page(number: int, page: pikepdf.Page) -> _PageContent:
    content = _PageContent(number)
    resources = page.obj.get("/Resources", pikepdf.Dictionary())
    fonts_dict = resources.get("/Font", pikepdf.Dictionary())
    fonts: dict[str, _Font] = {}
    font: _Font | None = None
    stack: list[tuple[str, int | None]] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BMC", "BDC"):
            stack.append(_marking(operands, resources))
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
        mcid = next((m for _, m in reversed(stack) if m is not None), None)
        artifact = any(tag == "/Artifact" for tag, _ in stack)
        if mcid is None and not artifact:
            content.unmarked.append(op)
        if op in TEXT_SHOWING and font is not None:
            text = _decode(operands, font, content)
            if artifact:
                content.artifact_text.append(text)
            elif mcid is not None:
                content.mcid_text[mcid] = content.mcid_text.get(mcid, "") + text
    return content


def _decode(operands, font: _Font, content: _PageContent) -> str:
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
    return "".join(out)


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


def _walk(root: pikepdf.Dictionary, role_map: dict[str, str], lang: str | None) -> Iterator[_Element]:
    """Every structure element in document (reading) order, depth first."""

    def visit(node, page, depth: int, inherited: str | None) -> Iterator[_Element]:
        raw = str(node.get("/S", "/?"))[1:]
        kind = _role(raw, role_map)
        own_lang = str(node["/Lang"]) if "/Lang" in node else inherited
        element = _Element(kind, raw, node, depth, own_lang)
        page = node.get("/Pg", page)
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
                yield from visit(kid, page, depth + 1, own_lang)

    top = root.get("/K")
    for node in (list(top) if isinstance(top, pikepdf.Array) else [top] if top is not None else []):
        if isinstance(node, pikepdf.Dictionary):
            yield from visit(node, None, 0, lang)


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

    def text_of(self, element: _Element) -> str:
        """The text of an element and its descendants, as a screen reader gets it from the tags."""
        start = self.elements.index(element)
        parts = []
        for other in self.elements[start:]:
            if other is not element and other.depth <= element.depth:
                break
            parts.extend(self._content_text(other))
        return "".join(parts)

    def _content_text(self, element: _Element) -> list[str]:
        return [self.by_page[page].mcid_text.get(mcid, "") for page, mcid in element.content if page in self.by_page]

    def tagged_text(self) -> str:
        return "".join(t for e in self.elements for t in self._content_text(e))


def _read(path: Path) -> _Pdf:
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
    return _Pdf(pdf, pages, elements, role_map, xmp, by_page)


# ---------------------------------------------------------------------------
# Checks


def check(path: Path, expected: Expected, run_validators: bool = True) -> list[CheckResult]:
    """Every check of one edition. Poppler is a reader here, not an optional validator: it runs whenever installed."""
    try:
        doc = _read(path)
    except Exception as error:  # any unreadable PDF fails as a whole
        return [crashed("UA1-7.1", "tagged PDF", error)]
    with doc.pdf:
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
            _heading_order(doc),
            _foreign_spans(doc, expected),
            _outline(doc, expected),
            _links(doc),
            _unicode(doc),
            _fonts(path, doc),
            completeness.complete(doc.tagged_text(), expected, "text of the structure tree, from the fonts' ToUnicode maps",
                                  squeeze),
            _poppler_text(path, expected),
        ]
    # The tagged-text check reads in structure order: a reading-order failure (09-001), not text loss.
    results[-2] = CheckResult("09-001", "tags hold every paragraph in reading order", results[-2].status, results[-2].reason)
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
    figures = [e for e in doc.elements if e.type == "Figure"]
    problems = []
    figure = expected.chapter.figure
    if figure is not None and not figures:
        problems.append("the source has a photo but the structure tree has no Figure")
    for element in figures:
        alt = str(element.obj.get("/Alt", "")).strip()
        if not alt:
            problems.append("a Figure has no /Alt")
        elif FILE_NAME.search(alt):
            problems.append("a Figure's /Alt names a file")
        elif figure is not None and completeness.normalise(alt) != completeness.normalise(figure.alt):
            problems.append("a Figure's /Alt is not the source's alt text")
    return verdict("13-004", "Figure has alternative text", problems, f"{len(figures)} Figure(s), each with the source's /Alt")


def _heading_order(doc: _Pdf) -> CheckResult:
    levels = [int(e.type[1]) for e in doc.elements if re.fullmatch(r"H[1-6]", e.type)]
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
    return verdict("14-003", "headings: H1 first, no level skipped", problems,
                   f"H1 then {len(levels) - 1} H2, no level skipped" if levels else "")


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
    chapter = expected.chapter
    want = [chapter.meta.title] + [plain_text(s.heading) for s in chapter.sections]
    found: list[str] = []
    with doc.pdf.open_outline() as outline:
        stack = list(reversed(outline.root))
        while stack:
            item = stack.pop()
            found.append(item.title)
            stack.extend(reversed(item.children))
    problems = []
    if [squeeze(t) for t in found] != [squeeze(t) for t in want]:
        first = next((i for i, (a, b) in enumerate(zip(found + [""] * len(want), want)) if squeeze(a) != squeeze(b)), len(want))
        have = found[first] if first < len(found) else "nothing"
        problems.append(f"bookmark {first + 1} is '{have}', the heading is '{want[first] if first < len(want) else '-'}'"
                        if first < len(want) else f"{len(found) - len(want)} bookmark(s) more than headings")
    return verdict("docbuild:outline", "bookmarks follow the headings", problems, f"{len(found)} bookmarks = title and section headings")


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
    geometry = page_geometry(expected.project, expected.paper)
    width, height = geometry.width * _MM, geometry.height * _MM
    top, bottom = geometry.margin_top * _MM, geometry.margin_bottom * _MM
    crop = ["-x", "0", "-y", str(int(top)), "-W", str(int(width) + 1), "-H", str(int(height - top - bottom))]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", *crop, str(path), "-"],
                          capture_output=True, text=True, check=True, timeout=120).stdout
    return completeness.complete(text, expected, "pdftotext, margins cropped", completeness.without_hyphens)
