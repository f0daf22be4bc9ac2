"""Checks of the DOCX edition, reading its XML with zipfile and lxml (not python-docx).

What Word, LibreOffice and screen readers rely on: built-in heading styles
with outline levels (the navigation pane), ``wp:docPr/@descr`` (alt text),
``w:lang`` in the defaults and on foreign runs, core properties, and page
numbers as fields. Rule ids are WCAG 2.2 success criteria.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from ..model import plain_text
from . import CheckResult, Expected, completeness, crashed, verdict
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
        with zipfile.ZipFile(path) as archive:
            self.parts = {name: archive.read(name) for name in archive.namelist()}
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
    return [
        _heading_structure(doc),
        _heading_text(doc, expected),
        _alt_text(doc, expected),
        _document_language(doc, expected),
        _foreign_runs(doc, expected),
        _title(doc, expected),
        _metadata(doc, expected),
        _page_numbers(doc),
        completeness.complete(text, expected, "document.xml paragraphs"),
    ]


def _heading_structure(doc: _Docx) -> CheckResult:
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
    return verdict("1.3.1", "Title, then heading styles in order, no level skipped", problems,
                   f"Title at level 1, {len(headings) - 1} headings below it, no level skipped")


def _heading_text(doc: _Docx, expected: Expected) -> CheckResult:
    chapter = expected.chapter
    want = [chapter.meta.title] + [plain_text(s.heading) for s in chapter.sections]
    found = [p.text for _, p in doc.headings()]
    problems = []
    for index, need in enumerate(want):
        have = found[index] if index < len(found) else None
        if have is None or normalise(have) != normalise(need):
            problems.append(f"heading {index + 1} is {repr(have) if have is not None else 'missing'}, the source has '{need}'")
            break
    if len(found) > len(want) and not problems:
        problems.append(f"{len(found) - len(want)} heading(s) not in the source, first '{found[len(want)]}'")
    return verdict("2.4.6", "headings are the source's title and sections", problems,
                   f"{len(want)} headings match the source")


def _alt_text(doc: _Docx, expected: Expected) -> CheckResult:
    figure = expected.chapter.figure
    pictures = doc.document.findall(".//wp:docPr", NS)
    problems = []
    if figure is not None and not pictures:
        problems.append("the source has a photo but the document has no picture")
    for pic in pictures:
        descr = (pic.get("descr") or "").strip()
        if not descr:
            problems.append(f"picture '{pic.get('name')}' has no alt text (wp:docPr/@descr)")
        elif FILE_NAME.search(descr) or FILE_NAME.search(pic.get("name") or ""):
            problems.append("a picture's alt text or name is a file name")
        elif figure is not None and normalise(descr) != normalise(figure.alt):
            problems.append("the picture's alt text is not the source's")
    if figure is not None:
        captions = "\n".join(p.text for p in doc.paragraphs if p.style and p.style.name.lower() == "caption")
        for label, inlines in (("caption", figure.caption), ("credit", figure.credit)):
            if normalise(plain_text(inlines)) not in normalise(captions):
                problems.append(f"the photo's {label} is not in a Caption-style paragraph")
    return verdict("1.1.1", "picture has alt text; caption and credit kept", problems,
                   f"{len(pictures)} picture(s) with the source's alt text; caption and credit in Caption style")


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
    for run in doc.document.iter(W + "r"):
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
