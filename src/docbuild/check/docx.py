"""Checks of the DOCX edition, reading its XML with zipfile and lxml (not python-docx).

What Word, LibreOffice and screen readers rely on: built-in heading styles
with outline levels (the navigation pane), ``wp:docPr/@descr`` (alt text),
lists as Word numbering (``w:numPr`` into numbering.xml, never typed
digits or bullets), tables with a repeating header row (``w:tblHeader``)
and a ``w:tblCaption``, notes as Word footnotes, hyperlinks to the source's
addresses and bookmarks, ``w:lang`` in the defaults and on foreign runs,
core properties, and page numbers as fields. Rule ids are WCAG 2.2 success
criteria.
"""

from __future__ import annotations

import functools
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from ..model import blocks_text, plain_text
from .archive import read_parts
from . import CheckResult, Expected, completeness, crashed, expect, rule, verdict
from .completeness import normalise, squeeze
from .text import FILE_NAME

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
}
W = "{%s}" % NS["w"]
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class _Style:
    name: str
    #: 1-based outline level (Word's navigation pane), or None for body text.
    level: int | None


@dataclass(frozen=True)
class _Para:
    style: _Style | None
    text: str
    element: etree._Element


class _Docx:
    def __init__(self, path: Path):
        self.parts = read_parts(path)
        self.document = self.xml("word/document.xml")
        self.styles = self._styles()
        self.paragraphs = [self._para(p) for p in self.document.iter(W + "p")]

    def xml(self, name: str) -> etree._Element:
        if name not in self.parts:
            raise KeyError(f"no part {name}")
        return etree.fromstring(self.parts[name], _PARSER)

    def _styles(self) -> dict[str, _Style]:
        root = self.xml("word/styles.xml") if "word/styles.xml" in self.parts else etree.Element("none")
        raw = {}
        for style in root.findall("w:style", NS):
            sid = style.get(W + "styleId")
            name = style.find("w:name", NS)
            based = style.find("w:basedOn", NS)
            outline = style.find("w:pPr/w:outlineLvl", NS)
            raw[sid] = (name.get(W + "val") if name is not None else sid,
                        based.get(W + "val") if based is not None else None,
                        int(outline.get(W + "val")) if outline is not None else None)
        styles = {}
        for sid, (name, based, outline) in raw.items():
            seen = {sid}
            while outline is None and based in raw and based not in seen:  # outline levels are inherited
                seen.add(based)
                _, based, outline = raw[based]
            level = outline + 1 if outline is not None and outline < 9 else None
            styles[sid] = _Style(name, level)
        return styles

    def _para(self, p: etree._Element) -> _Para:
        ref = p.find("w:pPr/w:pStyle", NS)
        style = self.styles.get(ref.get(W + "val")) if ref is not None else None
        direct = p.find("w:pPr/w:outlineLvl", NS)
        if direct is not None and int(direct.get(W + "val")) < 9:
            style = _Style(style.name if style else "direct formatting", int(direct.get(W + "val")) + 1)
        return _Para(style, _text(p), p)

    def footnotes(self) -> list[etree._Element]:
        """The notes of footnotes.xml, without the separators Word keeps there."""
        parts = self.related("word/document.xml", "footnotes")
        if not parts or parts[0] not in self.parts:
            return []
        return [f for f in self.xml(parts[0]).findall("w:footnote", NS) if f.get(W + "type") in (None, "normal")]

    def numbering(self, p: etree._Element) -> tuple[str, int] | None:
        """(numId, ilvl) of a numbered paragraph, directly or through its style; None if not numbered."""
        num = p.find("w:pPr/w:numPr", NS)
        style = p.find("w:pPr/w:pStyle", NS)
        style_id = style.get(W + "val") if style is not None else None
        seen = set()
        while num is None and style_id and style_id not in seen:
            seen.add(style_id)
            num, style_id = self._style_numbering.get(style_id, (None, None))
        if num is None:
            return None
        num_id = num.find("w:numId", NS)
        level = num.find("w:ilvl", NS)
        if num_id is None or num_id.get(W + "val") in (None, "0"):
            return None
        return num_id.get(W + "val"), int(level.get(W + "val")) if level is not None else 0

    @functools.cached_property
    def _style_numbering(self) -> dict[str, tuple[etree._Element | None, str | None]]:
        """Style id -> (its w:numPr, the style it is based on)."""
        root = self.xml("word/styles.xml") if "word/styles.xml" in self.parts else etree.Element("none")
        found = {}
        for style in root.findall("w:style", NS):
            based = style.find("w:basedOn", NS)
            found[style.get(W + "styleId")] = (style.find("w:pPr/w:numPr", NS), based.get(W + "val") if based is not None else None)
        return found

    @functools.cached_property
    def _numbering(self) -> etree._Element | None:
        parts = self.related("word/document.xml", "numbering")
        return self.xml(parts[0]) if parts and parts[0] in self.parts else None

    def level_format(self, num_id: str, level: int) -> tuple[str | None, int]:
        """(numFmt, start) of a list level, from numbering.xml (a num's override first)."""
        root = self._numbering
        if root is None:
            return None, 1
        num = next((n for n in root.findall("w:num", NS) if n.get(W + "numId") == num_id), None)
        if num is None:
            return None, 1
        start = None
        for override in num.findall("w:lvlOverride", NS):
            if override.get(W + "ilvl") == str(level):
                value = override.find("w:startOverride", NS)
                if value is not None:
                    start = int(value.get(W + "val"))
                lvl = override.find("w:lvl", NS)
                if lvl is not None and lvl.find("w:numFmt", NS) is not None:
                    return lvl.find("w:numFmt", NS).get(W + "val"), start or _start(lvl)
        abstract_id = num.find("w:abstractNumId", NS)
        abstract = next((a for a in root.findall("w:abstractNum", NS)
                         if abstract_id is not None and a.get(W + "abstractNumId") == abstract_id.get(W + "val")), None)
        lvl = next((l for l in abstract.findall("w:lvl", NS) if l.get(W + "ilvl") == str(level)), None) if abstract is not None else None
        if lvl is None:
            return None, start or 1
        fmt = lvl.find("w:numFmt", NS)
        return (fmt.get(W + "val") if fmt is not None else "decimal"), (start if start is not None else _start(lvl))

    def headings(self) -> list[tuple[int, _Para]]:
        return [(p.style.level, p) for p in self.paragraphs if p.style and p.style.level]

    def related(self, source: str, kind: str) -> list[str]:
        """Parts that ``source`` links to with relationships of type ``.../kind``."""
        rels = PurePosixPath(source).parent / "_rels" / (PurePosixPath(source).name + ".rels")
        if str(rels) not in self.parts:
            return []
        root = self.xml(str(rels))
        return [str(PurePosixPath(source).parent / r.get("Target")) for r in root.findall("rel:Relationship", NS)
                if r.get("Type", "").endswith("/" + kind) and r.get("TargetMode") != "External"]


def _start(lvl: etree._Element) -> int:
    value = lvl.find("w:start", NS)
    return int(value.get(W + "val")) if value is not None else 0


def _text(element: etree._Element) -> str:
    parts = []
    for node in element.iter(W + "t", W + "tab", W + "br", W + "noBreakHyphen"):
        if node.tag == W + "t":
            parts.append(node.text or "")
        elif node.tag == W + "noBreakHyphen":
            parts.append("-")
        else:
            parts.append(" ")
    return "".join(parts)


def check(path: Path, expected: Expected, run_validators: bool = True) -> list[CheckResult]:
    """Every check of one edition. No external validator is run for DOCX; ``run_validators`` is accepted for a uniform interface."""
    try:
        doc = _Docx(path)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as error:
        return [crashed("1.3.1", "DOCX readable", error)]
    text = "\n".join(p.text for p in doc.paragraphs)
    notes = "\n".join(_text(f) for f in doc.footnotes())
    return [
        _heading_structure(doc, expected),
        _heading_text(doc, expected),
        _alt_text(doc, expected),
        _lists(doc, expected),
        _tables(doc, expected),
        _notes(doc, expected),
        _links(doc, expected),
        _document_language(doc, expected),
        _foreign_runs(doc, expected),
        _title(doc, expected),
        _metadata(doc, expected),
        _page_numbers(doc),
        _raw_markdown(doc, text + "\n" + notes),
        completeness.complete(text, expected, "document.xml paragraphs; notes in footnotes.xml", normalise,
                              completeness.Reading(notes="separate"), notes),
    ]


def _heading_structure(doc: _Docx, expected: Expected) -> CheckResult:
    headings = doc.headings()
    problems = []
    if not headings:
        problems.append("no paragraph has a heading style with an outline level")
    else:
        first_level, first = headings[0]
        if first.style is None or first.style.name.lower() != "title" or first_level != 1:
            problems.append(f"the first heading uses '{first.style.name if first.style else '?'}' at level {first_level}, "
                            "not the Title style at level 1")
        ones = sum(1 for level, _ in headings if level == 1)
        if ones > 1:
            problems.append(f"{ones} level-1 headings; the chapter title is the only one")
        for (before, _), (after, para) in zip(headings, headings[1:]):
            if after > before + 1:
                problems.append(f"'{para.style.name}' (level {after}) follows level {before}: level {before + 1} skipped "
                                f"at '{para.text[:40]}'")
                break
    want, found = _source_headings(doc, expected)
    if not problems:
        for (level, text), (have, para_text) in zip(want, found):
            if level != have and normalise(text) == normalise(para_text):
                problems.append(f"the heading '{text}' is at level {have}, the source's is level {level}")
                break
    levels = [level for level, _ in headings]
    return verdict("1.3.1", "Title, then heading styles at the source's levels, no level skipped", problems,
                   f"Title, then {expect.describe_levels(levels[1:], 'level ') if len(levels) > 1 else 'no headings'}, "
                   "at the source's levels, no level skipped")


def _heading_text(doc: _Docx, expected: Expected) -> CheckResult:
    """The headings are the source's title and sections at their levels; a box's title may be a heading too."""
    want, found = _source_headings(doc, expected)
    problems = []
    for index, (level, need) in enumerate(want):
        have = found[index] if index < len(found) else None
        if have is None or normalise(have[1]) != normalise(need):
            problems.append(f"heading {index + 1} is {repr(have[1]) if have is not None else 'missing'}, the source has '{need}'")
            break
    if len(found) > len(want) and not problems:
        problems.append(f"{len(found) - len(want)} heading(s) not in the source, first '{found[len(want)][1]}'")
    return verdict("2.4.6", "headings are the source's title and sections", problems,
                   f"{len(want)} headings match the source's title and sections")


def _source_headings(doc: _Docx, expected: Expected) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(wanted, found): (level, text) of the source's title and sections, and of the document's headings
    that are not a box's title (a box's title may be a heading or not)."""
    want = [(h.level, h.text) for h in expect.headings(expected.chapter, boxes=False)]
    boxes = {(h.level, normalise(h.text)) for h in expect.headings(expected.chapter) if h.kind == "box"}
    found = [(level, p.text) for level, p in doc.headings() if (level, normalise(p.text)) not in boxes]
    return want, found


def _alt_text(doc: _Docx, expected: Expected) -> CheckResult:
    chapter = expected.chapter
    wanted = expect.figures(chapter)
    pictures = doc.document.findall(".//wp:docPr", NS)
    problems = []
    if len(pictures) != len(wanted):
        problems.append(f"the source has {len(wanted)} figure(s), the document {len(pictures)} picture(s)")
    for number, pic in enumerate(pictures, start=1):
        descr = (pic.get("descr") or "").strip()
        figure = wanted[number - 1] if number <= len(wanted) else None
        name = expect.figure_name(chapter, figure) if figure else f"picture {number}"
        if not descr:
            problems.append(f"picture {number} ({name}) has no alt text (wp:docPr/@descr)")
        elif FILE_NAME.search(descr) or FILE_NAME.search(pic.get("name") or ""):
            problems.append(f"picture {number} ({name}): its alt text or name is a file name")
        elif figure is not None and normalise(descr) != normalise(figure.alt):
            problems.append(f"picture {number}'s alt text is not the source's alt text of {name}")
    captions = normalise("\n".join(p.text for p in doc.paragraphs if p.style and p.style.name.lower() == "caption"))
    for figure in wanted:
        for label, inlines in (("caption", figure.caption), ("credit", figure.credit)):
            if normalise(plain_text(inlines)) not in captions:
                problems.append(f"the {label} of {expect.figure_name(chapter, figure)} is not in a Caption-style paragraph")
    return verdict("1.1.1", "pictures have the source's alt text; captions and credits kept", problems,
                   f"{len(pictures)} picture(s) with the source's alt text; captions and credits in Caption style")


#: A list marker typed as text instead of Word numbering.
#: (A dash before a quotation's attribution is not one.)
_TYPED_MARKER = re.compile(r"^\s*(?:\d{1,3}[.)]|[a-z][.)]|[•\u25e6\u2023\u2043\u2219·*\-])\s")
_ORDERED = {"decimal", "decimalZero", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman"}


def _body_paragraphs(doc: _Docx) -> list[_Para]:
    return [p for p in doc.paragraphs if not (p.style and p.style.level)]


@rule("1.3.1-lists", "lists use Word numbering, no typed markers")
def _lists(doc: _Docx, expected: Expected):
    wanted = [(source, (source.start if source.ordered else 1) + index, source.items[index])
              for source, index in expect.list_items(expected.chapter)]
    numbered = []
    counters: dict[str, list[int | None]] = {}
    problems = []
    for para in _body_paragraphs(doc):
        found = doc.numbering(para.element)
        if found is None:
            if _TYPED_MARKER.match(para.text):
                problems.append(f"'{normalise(para.text)[:40]}' starts with a typed list marker, not Word numbering")
            continue
        num_id, level = found
        fmt, start = doc.level_format(num_id, level)
        counter = counters.setdefault(num_id, [None] * 10)
        counter[level] = start if counter[level] is None else counter[level] + 1
        for deeper in range(level + 1, 10):
            counter[deeper] = None
        numbered.append((para, level, fmt, counter[level]))
    if len(numbered) != len(wanted):
        problems.append(f"the source's lists have {len(wanted)} items, the document {len(numbered)} numbered paragraphs")
    for (source, number, text), (para, level, fmt, shown) in zip(wanted, numbered):
        item = f"item {number} of {source.where}"
        if text and not normalise(para.text).startswith(normalise(text)[:30]):
            problems.append(f"numbered paragraph '{normalise(para.text)[:30]}' is not {item}")
            break
        if _TYPED_MARKER.match(para.text):
            problems.append(f"{item} repeats its marker as typed text")
        if level != source.depth:
            problems.append(f"{item} is at list level {level + 1}, the source nests it at level {source.depth + 1}")
        if fmt is None:
            problems.append(f"{item}: its numbering (w:numId) is not defined in numbering.xml")
        elif source.ordered and fmt not in _ORDERED:
            problems.append(f"{item} is numbered in the source, Word shows it as '{fmt}'")
        elif not source.ordered and fmt != "bullet":
            problems.append(f"{item} is bulleted in the source, Word shows it as '{fmt}'")
        elif source.ordered and shown != number:
            problems.append(f"{item} is numbered {shown} by Word")
    return problems, f"{len(numbered)} list items as numbered paragraphs (numbering.xml), no typed markers"


def _on(element: etree._Element | None) -> bool:
    return element is not None and element.get(W + "val", "true") not in ("0", "false", "off")


def _frame(table: etree._Element) -> bool:
    """A table of one cell without a header row or caption: a frame drawn round a box, not a data table."""
    return (len(table.findall("w:tr/w:tc", NS)) == 1 and table.find("w:tblPr/w:tblCaption", NS) is None
            and not _on(table.find("w:tr/w:trPr/w:tblHeader", NS)))


@rule("1.3.1-tables", "tables: header row repeats (tblHeader), caption (tblCaption)")
def _tables(doc: _Docx, expected: Expected):
    wanted = expect.tables(expected.chapter)
    found = [t for t in doc.document.iter(W + "tbl") if not t.xpath("ancestor::w:tbl", namespaces=NS) and not _frame(t)]
    problems = []
    if len(found) != len(wanted):
        problems.append(f"the source has {len(wanted)} table(s), the document {len(found)} w:tbl")
    for source, table in zip(wanted, found):
        caption = table.find("w:tblPr/w:tblCaption", NS)
        if caption is None:
            problems.append(f"the table of {source.where} has no w:tblCaption")
        elif normalise(caption.get(W + "val") or "") != normalise(source.caption):
            problems.append(f"the w:tblCaption of {source.where} is not its caption '{source.caption[:40]}'")
        rows = table.findall("w:tr", NS)
        if len(rows) != 1 + len(source.rows):
            problems.append(f"{source.where} has {1 + len(source.rows)} rows, its w:tbl {len(rows)}")
            continue
        if not _on(rows[0].find("w:trPr/w:tblHeader", NS)):
            problems.append(f"the header row of {source.where} does not repeat (no w:tblHeader)")
        if any(_on(row.find("w:trPr/w:tblHeader", NS)) for row in rows[1:]):
            problems.append(f"a body row of {source.where} is marked as a header row (w:tblHeader)")
        cells = rows[0].findall("w:tc", NS)
        if len(cells) != len(source.header):
            problems.append(f"the header row of {source.where} has {len(cells)} cells, the source {len(source.header)}")
    return problems, f"{len(found)} table(s), each with a repeating header row and a w:tblCaption"


@rule("1.3.1-notes", "notes are Word footnotes, each referenced")
def _notes(doc: _Docx, expected: Expected):
    chapter = expected.chapter
    footnotes = doc.footnotes()
    ids = [f.get(W + "id") for f in footnotes]
    refs = [r.get(W + "id") for r in doc.document.iter(W + "footnoteReference")]
    problems = []
    if chapter.notes and not doc.related("word/document.xml", "footnotes"):
        problems.append("the document has no footnotes part (word/footnotes.xml)")
    wanted = {len(chapter.notes), len(expect.note_refs(chapter))}
    if len(footnotes) not in wanted:
        problems.append(f"the source has {len(chapter.notes)} note(s), the document {len(footnotes)} footnote(s)")
    for ref in refs:
        if ref not in ids:
            problems.append(f"a w:footnoteReference points to footnote {ref}, which does not exist")
    for footnote_id in ids:
        count = refs.count(footnote_id)
        if count != 1:
            problems.append(f"footnote {footnote_id} is referenced {count} time(s) from the text, not once")
    if len(footnotes) == len(chapter.notes):
        for note, footnote in zip(chapter.notes, footnotes):
            if squeeze(blocks_text(note.blocks))[:40] not in squeeze(_text(footnote)):
                problems.append(f"footnote {footnote.get(W + 'id')} is not note {note.number} ('{note.label}')")
                break
    return problems, f"{len(footnotes)} footnote(s), each referenced once from the text"


def _hyperlinks(doc: _Docx, part: str, root: etree._Element) -> list[tuple[str | None, str | None]]:
    """(web address, anchor) of each w:hyperlink of a part; the address through the part's relationships."""
    rels_name = str(PurePosixPath(part).parent / "_rels" / (PurePosixPath(part).name + ".rels"))
    targets = {}
    if rels_name in doc.parts:
        targets = {r.get("Id"): r.get("Target") for r in doc.xml(rels_name).findall("rel:Relationship", NS)
                   if r.get("Type", "").endswith("/hyperlink")}
    return [(targets.get(h.get("{%s}id" % NS["r"])), h.get(W + "anchor")) for h in root.iter(W + "hyperlink")]


@rule("docbuild:links", "links lead to the source's addresses and cross-reference targets")
def _links(doc: _Docx, expected: Expected):
    found = _hyperlinks(doc, "word/document.xml", doc.document)
    notes = doc.related("word/document.xml", "footnotes")
    if notes and notes[0] in doc.parts:
        found += _hyperlinks(doc, notes[0], doc.xml(notes[0]))
    addresses = [url for url, _ in found if url]
    anchors = [anchor for _, anchor in found if anchor]
    bookmarks = {b.get(W + "name") for b in doc.document.iter(W + "bookmarkStart")}
    problems = []
    links = expect.links(expected.chapter)
    for link in links:
        if link.internal:
            target = link.href[1:]
            if anchors.count(target) < sum(1 for l in links if l.href == link.href):
                problems.append(f"no hyperlink to the bookmark '{target}' (the cross-reference '{plain_text(link.children)}')")
            elif target not in bookmarks:
                problems.append(f"the cross-reference target '{target}' is not a bookmark of the document")
        elif link.href not in addresses:
            problems.append(f"no hyperlink leads to {link.href}")
    return list(dict.fromkeys(problems)), f"{len(links)} source link(s), each a hyperlink to its address or an existing bookmark"


@rule("docbuild:raw-markdown", "no Markdown syntax left in the text")
def _raw_markdown(doc: _Docx, text: str):
    alts = "\n".join(p.get("descr") or "" for p in doc.document.findall(".//wp:docPr", NS))
    return expect.raw_markdown(text + "\n" + alts, "the document"), "no Markdown syntax in the document or its footnotes"


def _lang_of(element: etree._Element | None) -> str | None:
    return element.get(W + "val") if element is not None else None


def _document_language(doc: _Docx, expected: Expected) -> CheckResult:
    styles = doc.xml("word/styles.xml") if "word/styles.xml" in doc.parts else None
    value = _lang_of(styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS)) if styles is not None else None
    want = expected.chapter.lang
    problems = []
    if value is None:
        problems.append("no w:lang in the document defaults (styles.xml w:docDefaults)")
    elif value.split("-")[0].lower() != want:
        problems.append(f"default w:lang is '{value}', the source is '{want}'")
    return verdict("3.1.1", "document language (default w:lang)", problems, f"default w:lang {value}")


def _foreign_runs(doc: _Docx, expected: Expected) -> CheckResult:
    tagged: dict[str, str] = {}
    for run in [*doc.document.iter(W + "r"), *(r for f in doc.footnotes() for r in f.iter(W + "r"))]:
        lang = _lang_of(run.find("w:rPr/w:lang", NS))
        if lang:
            key = lang.split("-")[0].lower()
            tagged[key] = tagged.get(key, "") + _text(run)
    wanted = [(s.lang, plain_text(s.children)) for s in completeness.source_spans(expected.chapter)]
    problems = [f"'{text}' ({lang}) is not in runs with w:lang {lang}" for lang, text in wanted
                if squeeze(text) not in squeeze(tagged.get(lang, ""))]
    return verdict("3.1.2", "foreign-language runs carry their w:lang", problems,
                   f"{len(wanted)} foreign-language span(s), each in runs with its w:lang")


def _core(doc: _Docx, xpath: str) -> str:
    if "docProps/core.xml" not in doc.parts:
        return ""
    found = doc.xml("docProps/core.xml").xpath(xpath, namespaces=NS)
    return "".join(found[0].itertext()).strip() if found else ""


def _title(doc: _Docx, expected: Expected) -> CheckResult:
    title = _core(doc, "/cp:coreProperties/dc:title")
    want = expected.chapter.meta.title
    problems = [] if title and normalise(want) in normalise(title) else [
        f"core property dc:title is {repr(title) or 'empty'}, not the chapter's '{want}'"]
    return verdict("2.4.2", "document title (core dc:title)", problems, f"dc:title '{title}'")


def _metadata(doc: _Docx, expected: Expected) -> CheckResult:
    meta = expected.chapter.meta
    problems = []
    language = _core(doc, "/cp:coreProperties/dc:language")
    if language.split("-")[0].lower() != expected.chapter.lang:
        problems.append(f"core dc:language is {repr(language) or 'missing'}, not '{expected.chapter.lang}'")
    if normalise(_core(doc, "/cp:coreProperties/dc:creator")) != normalise(meta.author):
        problems.append(f"core dc:creator is not '{meta.author}'")
    if not _core(doc, "/cp:coreProperties/dcterms:created"):
        problems.append("core dcterms:created is missing")
    if not (_core(doc, "/cp:coreProperties/dc:description") or _core(doc, "/cp:coreProperties/dc:subject")):
        problems.append("core dc:description is missing")
    return verdict("docbuild:metadata", "language, creator, date, description", problems,
                   "core dc:language, dc:creator, dcterms:created and dc:description present")


def _page_numbers(doc: _Docx) -> CheckResult:
    footers = doc.related("word/document.xml", "footer")
    instructions = []
    for part in footers:
        root = doc.xml(part)
        instructions += ["".join(i.itertext()) for i in root.iter(W + "instrText")]
        instructions += [f.get(W + "instr", "") for f in root.iter(W + "fldSimple")]
    fields = {m for i in instructions for m in re.findall(r"\b(PAGE|NUMPAGES)\b", i)}
    problems = []
    if not footers:
        problems.append("the document has no footer")
    elif "PAGE" not in fields:
        problems.append("no PAGE field in the footer: page numbers would be typed text or missing")
    return verdict("docbuild:page-fields", "page numbers are footer fields", problems,
                   f"footer fields {', '.join(sorted(fields))}")
