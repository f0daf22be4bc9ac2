"""Checks of the EPUB 3 edition: EPUBCheck and Ace when installed, plus our own.

Our own checks read the container with zipfile and lxml and carry the ids of
the Ace rules they correspond to (``epub-lang``, ``metadata-*``,
``image-alt``, ``list``, ``scope-attr-valid``...), so a reviewer can compare
them with Ace's report; unlike Ace they also compare the book with the
source (alt text of every figure, headings and their levels, lists and
their items, tables, notes linked both ways, quotations, boxes, links,
every text, foreign-language spans).
"""

from __future__ import annotations

import posixpath
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..model import blocks_text, plain_text
from .archive import read_parts
from . import CheckResult, Expected, completeness, crashed, expect, not_run, rule, verdict
from . import validators
from .completeness import normalise, squeeze
from .text import FILE_NAME

NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "h": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = "{%s}type" % NS["epub"]
H = "{%s}" % NS["h"]
#: epub:type -> the DPUB-ARIA role that must match it (Ace: epub-type-has-matching-role).
MATCHING_ROLE = {
    "toc": "doc-toc", "page-list": "doc-pagelist", "pagebreak": "doc-pagebreak", "cover": "doc-cover",
    "footnote": "doc-footnote", "endnotes": "doc-endnotes", "noteref": "doc-noteref", "chapter": "doc-chapter",
    "part": "doc-part", "introduction": "doc-introduction", "conclusion": "doc-conclusion",
}
#: Features every edition claims; printPageNumbers and pageNavigation only with a page-list.
FEATURES = {"structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"}
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "figcaption", "figure", "div", "section", "header",
          "footer", "nav", "blockquote", "aside", "main", "body", "ol", "ul", "dt", "dd", "title", "table", "tr"}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass
class _Epub:
    path: Path
    parts: dict[str, bytes]
    opf_path: str
    opf: etree._Element
    #: Spine content documents in reading order: (path in the zip, parsed XHTML).
    spine: list[tuple[str, etree._Element]]
    nav_path: str | None

    def meta(self, prop: str) -> list[etree._Element]:
        return self.opf.xpath(f"/opf:package/opf:metadata/opf:meta[@property='{prop}']", namespaces=NS)

    def values(self, prop: str) -> list[str]:
        return [(m.text or "").strip() for m in self.meta(prop)]

    def dc(self, name: str) -> list[str]:
        return [(e.text or "").strip() for e in self.opf.xpath(f"/opf:package/opf:metadata/dc:{name}", namespaces=NS)]

    def content_docs(self) -> list[tuple[str, etree._Element]]:
        """Spine documents other than the navigation document."""
        return [(name, doc) for name, doc in self.spine if name != self.nav_path]


def _read(path: Path) -> _Epub:
    parts = read_parts(path)
    container = etree.fromstring(parts["META-INF/container.xml"], _PARSER)
    opf_path = container.xpath("//c:rootfile/@full-path", namespaces=NS)[0]
    opf = etree.fromstring(parts[opf_path], _PARSER)
    base = posixpath.dirname(opf_path)
    items = {i.get("id"): i for i in opf.xpath("//opf:manifest/opf:item", namespaces=NS)}
    nav = next((posixpath.join(base, i.get("href")) for i in items.values() if "nav" in (i.get("properties") or "").split()), None)
    spine = []
    for ref in opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS):
        name = posixpath.normpath(posixpath.join(base, items[ref].get("href")))
        spine.append((name, etree.fromstring(parts[name], _PARSER)))
    if nav is not None and nav not in dict(spine):
        spine.append((nav, etree.fromstring(parts[nav], _PARSER)))
    return _Epub(path, parts, opf_path, opf, spine, posixpath.normpath(nav) if nav else None)


def check(path: Path, expected: Expected, run_validators: bool = True) -> list[CheckResult]:
    try:
        book = _read(path)
    except (zipfile.BadZipFile, KeyError, IndexError, etree.XMLSyntaxError, OSError) as error:
        return [crashed("epubcheck", "EPUB readable", error)]
    results = []
    if run_validators:
        results += _external(path, expected)
    else:
        results += [not_run("epubcheck", "EPUBCheck: 0 errors, 0 warnings", "validators disabled by the caller"),
                    not_run("ace", "Ace by DAISY: 0 violations", "validators disabled by the caller")]
    results += [
        _package_lang(book, expected),
        _documents_lang(book, expected),
        _foreign_spans(book, expected),
        _title(book, expected),
        _metadata(book, expected),
        *_a11y_metadata(book, expected),
        _images(book, expected),
        _headings(book, expected),
        _lists(book, expected),
        _tables(book, expected),
        _th_scope(book),
        _notes(book, expected),
        _quotations_and_boxes(book, expected),
        _cross_references(book, expected),
        _roles(book),
        _navigation(book, expected),
        _reflowable(book),
        _raw_markdown(book),
        completeness.complete("\n".join(_text(doc) for _, doc in book.content_docs()), expected,
                              "XHTML content documents in spine order"),
    ]
    return results


# ---------------------------------------------------------------------------
# External validators


def _external(path: Path, expected: Expected) -> list[CheckResult]:
    results = []
    root = expected.project.root
    with tempfile.TemporaryDirectory(prefix="docbuild-check-") as tmp:
        title = "EPUBCheck: 0 errors, 0 warnings"
        why = validators.missing_epubcheck()
        if why:
            results.append(not_run("epubcheck", title, why))
        else:
            try:
                report = validators.epubcheck(path, Path(tmp))
                bad = [m for m in validators.epubcheck_messages(report) if m[1] in ("FATAL", "ERROR", "WARNING")]
                version = report.get("checker", {}).get("checkerVersion", "")
                results.append(verdict("epubcheck", title, [f"{i} {s}: {t}" for i, s, t in bad],
                                       f"EPUBCheck {version}: 0 fatal, 0 errors, 0 warnings"))
            except (validators.ValidatorError, OSError, ValueError) as error:
                results.append(CheckResult("epubcheck", title, "fail", str(error)))
        title = "Ace by DAISY: 0 violations"
        why = validators.missing_ace(root)
        if why:
            results.append(not_run("ace", title, why))
        else:
            try:
                report = validators.ace(path, Path(tmp), root)
                bad = validators.ace_violations(report)
                results.append(verdict("ace", title, [f"{rule} ({impact}): {where}" for rule, impact, where in bad],
                                       "Ace: 0 violations"))
            except (validators.ValidatorError, OSError, ValueError) as error:
                results.append(CheckResult("ace", title, "fail", str(error)))
    return results


# ---------------------------------------------------------------------------
# Our own checks


def _primary(tag: str | None) -> str | None:
    return tag.split("-")[0].lower() if tag else None


def _package_lang(book: _Epub, expected: Expected) -> CheckResult:
    want = expected.chapter.lang
    problems = []
    if _primary(book.opf.get(XML_LANG)) != want:
        problems.append(f"the package's xml:lang is {book.opf.get(XML_LANG)!r}, not '{want}'")
    languages = book.dc("language")
    if not languages or _primary(languages[0]) != want:
        problems.append(f"dc:language is {languages or 'missing'}, not '{want}'")
    return verdict("epub-lang", "publication language (dc:language, package xml:lang)", problems,
                   f"dc:language and package xml:lang are '{want}'")


def _documents_lang(book: _Epub, expected: Expected) -> CheckResult:
    want = expected.chapter.lang
    problems = []
    for name, doc in book.spine:
        lang, xml_lang = doc.get("lang"), doc.get(XML_LANG)
        if _primary(lang) != want or _primary(xml_lang) != want:
            problems.append(f"{name}: <html lang={lang!r} xml:lang={xml_lang!r}>, want '{want}' in both")
    return verdict("html-has-lang", "lang and xml:lang on every content document", problems,
                   f"{len(book.spine)} documents with lang and xml:lang '{want}'")


def _foreign_spans(book: _Epub, expected: Expected) -> CheckResult:
    tagged: dict[str, str] = {}
    for _, doc in book.content_docs():
        for element in doc.iter():
            lang = _primary(element.get("lang") or element.get(XML_LANG))
            if lang and lang != expected.chapter.lang and element is not doc:
                tagged[lang] = tagged.get(lang, "") + "\n" + squeeze(_text(element))
    wanted = [(s.lang, plain_text(s.children)) for s in completeness.source_spans(expected.chapter)]
    problems = [f"'{text}' ({lang}) is not in an element with lang={lang}" for lang, text in wanted
                if squeeze(text) not in tagged.get(lang, "")]
    return verdict("3.1.2", "foreign-language spans carry lang and xml:lang", problems,
                   f"{len(wanted)} foreign-language span(s), each in an element with its lang")


def _title(book: _Epub, expected: Expected) -> CheckResult:
    titles = book.dc("title")
    want = expected.chapter.meta.title
    problems = [] if titles and normalise(want) in normalise(titles[0]) else [
        f"dc:title is {titles[0]!r} and does not name '{want}'" if titles else "no dc:title"]
    return verdict("epub-title", "publication title (dc:title)", problems, f"dc:title '{titles[0] if titles else ''}'")


def _metadata(book: _Epub, expected: Expected) -> CheckResult:
    meta = expected.chapter.meta
    problems = []
    people = [normalise(v) for v in book.dc("creator") + book.dc("publisher")]
    if normalise(meta.author) not in people and normalise(meta.publisher) not in people:
        problems.append("no dc:creator or dc:publisher naming the author or publisher")
    if not any(book.dc("date")):
        problems.append("no dc:date")
    if not any(book.dc("description")):
        problems.append("no dc:description")
    if not any(book.values("dcterms:modified")):
        problems.append("no dcterms:modified")
    return verdict("docbuild:metadata", "creator/publisher, date, description, modified", problems,
                   "dc:creator, dc:publisher, dc:date, dc:description and dcterms:modified present")


def _has_page_list(book: _Epub) -> bool:
    if book.nav_path is None:
        return False
    nav = dict(book.spine)[book.nav_path]
    return bool(nav.xpath("//h:nav[contains(concat(' ', @epub:type, ' '), ' page-list ')]", namespaces=NS))


def _a11y_metadata(book: _Epub, expected: Expected) -> list[CheckResult]:
    """The schema.org accessibility metadata, one Ace rule id each (EPUB Accessibility 1.1, 5.1)."""
    # The cover image (role doc-cover) is the title drawn in type: by itself it makes nothing visual
    # (a chapter without figures is textual; test_epub.py::test_metadata_follows_the_content).
    has_image = any(doc.xpath("//h:img[not(@role='doc-cover')]", namespaces=NS) for _, doc in book.content_docs())
    modes = set(book.values("schema:accessMode"))
    want_modes = {"textual"} | ({"visual"} if has_image else set())
    sufficient = book.values("schema:accessModeSufficient")
    features = set(book.values("schema:accessibilityFeature"))
    want_features = FEATURES | ({"alternativeText"} if has_image else set())
    page_list = _has_page_list(book)
    if page_list:
        want_features |= {"printPageNumbers", "pageNavigation"}
    hazards = book.values("schema:accessibilityHazard")
    summaries = book.meta("schema:accessibilitySummary")
    lang = expected.chapter.lang
    summary_problems = []
    if not summaries or not (summaries[0].text or "").strip():
        summary_problems.append("no schema:accessibilitySummary")
    elif _primary(summaries[0].get(XML_LANG) or book.opf.get(XML_LANG)) not in (lang, None):
        summary_problems.append(f"the accessibility summary is marked as another language than '{lang}'")
    claimed_pages = {"printPageNumbers", "pageNavigation"} & features
    feature_problems = [f"schema:accessibilityFeature lacks {', '.join(sorted(want_features - features))}"] \
        if want_features - features else []
    if claimed_pages and not page_list:
        feature_problems.append(f"claims {', '.join(sorted(claimed_pages))} without a page-list")
    if page_list and not any(book.values("pageBreakSource")):
        feature_problems.append("a page-list without pageBreakSource naming the print edition")
    return [
        verdict("metadata-accessmode", "schema:accessMode", [f"schema:accessMode lacks {', '.join(sorted(want_modes - modes))}"]
                if want_modes - modes else [], f"accessMode {', '.join(sorted(modes))}"),
        verdict("metadata-accessmodesufficient", "schema:accessModeSufficient",
                [] if "textual" in sufficient else ["no schema:accessModeSufficient 'textual'"], "accessModeSufficient textual"),
        verdict("metadata-accessibilityfeature", "schema:accessibilityFeature", feature_problems,
                f"{len(features)} features, as the edition has them"),
        verdict("metadata-accessibilityhazard", "schema:accessibilityHazard",
                [] if hazards == ["none"] else [f"schema:accessibilityHazard is {hazards or 'missing'}, want 'none'"],
                "accessibilityHazard none"),
        verdict("metadata-accessibilitysummary", "schema:accessibilitySummary", summary_problems,
                f"accessibility summary in '{lang}'"),
    ]


def _images(book: _Epub, expected: Expected) -> CheckResult:
    """Every image has alt text; every source figure is a <figure> with its alt, caption and credit, in order."""
    chapter = expected.chapter
    wanted = expect.figures(chapter)
    problems = []
    count = 0
    for name, doc in book.spine:
        for img in doc.iter(H + "img"):
            count += 1
            alt = img.get("alt")
            if alt is None or not alt.strip():
                problems.append(f"{name}: <img src={img.get('src')!r}> has no alt text")
            elif FILE_NAME.search(alt):
                problems.append(f"{name}: an alt text names a file")
    found = [(name, f) for name, doc in book.content_docs() for f in doc.iter(H + "figure") if f.find("h:img", NS) is not None]
    if len(found) != len(wanted):
        problems.append(f"the source has {len(wanted)} figure(s), the book {len(found)} <figure> with an <img>")
    ids = _ids(book)
    for figure, (name, element) in zip(wanted, found):
        label = expect.figure_name(chapter, figure)
        img = element.find("h:img", NS)
        if normalise(img.get("alt") or "") != normalise(figure.alt):
            problems.append(f"{name}: the alt text of {label} is not the source's")
        captions = element.findall("h:figcaption", NS)
        if not captions:
            problems.append(f"{name}: the <figure> of {label} has no <figcaption>")
            continue
        caption = "\n".join(_text(c) for c in captions)
        for part, inlines in (("caption", figure.caption), ("credit", figure.credit)):
            if normalise(plain_text(inlines)) not in normalise(caption):
                problems.append(f"{name}: the {part} of {label} is not in its <figcaption>")
        if figure.description:
            target = (img.get("aria-describedby") or "").split()
            described = [ids.get((name, t)) for t in target]
            want = squeeze(blocks_text(figure.description))[:40]
            if not target:
                problems.append(f"{name}: the <img> of {label} has no aria-describedby for its long description")
            elif not all(d is not None and want in squeeze(_text(d)) for d in described):
                problems.append(f"{name}: the aria-describedby of {label} does not lead to its long description")
    return verdict("image-alt", "images have the source's alt text; figure with figcaption", problems,
                   f"{count} image(s) with alt text; {len(found)} figure(s) with the source's alt, caption and credit")


def _ids(book: _Epub) -> dict[tuple[str, str], etree._Element]:
    """(document, id) -> element, for every id of the spine."""
    return {(name, e.get("id")): e for name, doc in book.spine for e in doc.iter() if isinstance(e.tag, str) and e.get("id")}


def _headings(book: _Epub, expected: Expected) -> CheckResult:
    problems = []
    found: list[tuple[int, str]] = []
    for name, doc in book.content_docs():
        levels = [(int(h.tag[-1]), h) for h in doc.iter(*(H + f"h{n}" for n in range(1, 7)))]
        if not levels:
            continue
        if levels[0][0] != 1:
            problems.append(f"{name}: the first heading is h{levels[0][0]}, not h1")
        ones = sum(1 for level, _ in levels if level == 1)
        if ones > 1:
            problems.append(f"{name}: {ones} h1 headings; the chapter title is the only one")
        for (before, _), (after, h) in zip(levels, levels[1:]):
            if after > before + 1:
                problems.append(f"{name}: h{after} '{_text(h).strip()[:40]}' follows h{before}: level {before + 1} skipped")
                break
        found += [(level, _text(h)) for level, h in levels]
    want = _expected_headings(expected)
    if not problems:
        for index, (level, text) in enumerate(want):
            have = found[index] if index < len(found) else None
            if have is None or (have[0], squeeze(have[1])) != (level, squeeze(text)):
                shown = f"h{have[0]} '{normalise(have[1])[:40]}'" if have else "missing"
                problems.append(f"heading {index + 1} is {shown}; the source has h{level} '{text}'")
                break
        if len(found) > len(want) and not problems:
            problems.append(f"{len(found) - len(want)} heading(s) not in the source, first '{normalise(found[len(want)][1])[:40]}'")
    return verdict("heading-order", "h1 (title), then the sections' levels, no level skipped", problems,
                   f"{expect.describe_levels([level for level, _ in found], 'h')} as in the source")


def _expected_headings(expected: Expected, boxes: bool = True) -> list[tuple[int, str]]:
    """The source's headings, then the endnotes' heading ("Notes") when there are notes."""
    want = [(h.level, h.text) for h in expect.headings(expected.chapter, boxes)]
    if expected.chapter.notes:
        want.append((2, expected.labels["notes"]))
    return want


# ---------------------------------------------------------------------------
# Lists, tables, notes, quotations, boxes, cross-references


def _chapter_elements(book: _Epub, *tags: str) -> list[tuple[str, etree._Element]]:
    """Elements of the content documents outside the endnotes, in reading order."""
    found = []
    for name, doc in book.content_docs():
        for element in doc.iter(*(H + t for t in tags)):
            if not _in_endnotes(element):
                found.append((name, element))
    return found


def _in_endnotes(element: etree._Element) -> bool:
    return bool(element.xpath("ancestor::*[contains(concat(' ', @role, ' '), ' doc-endnotes ')]"))


@rule("list", "lists are ol/ul with an li per item")
def _lists(book: _Epub, expected: Expected):
    wanted = expect.lists(expected.chapter)
    found = _chapter_elements(book, "ol", "ul")
    problems = []
    if len(found) != len(wanted):
        problems.append(f"the source has {len(wanted)} list(s), the book {len(found)} <ol>/<ul>")
    for source, (name, element) in zip(wanted, found):
        tag = etree.QName(element).localname
        items = element.findall("h:li", NS)
        if (tag == "ol") != source.ordered:
            problems.append(f"{name}: {source.where} is {'numbered' if source.ordered else 'bulleted'}, but an <{tag}>")
        if len(items) != len(source.items):
            problems.append(f"{name}: {source.where} has {len(source.items)} items, its <{tag}> {len(items)} <li>")
        others = [etree.QName(c).localname for c in element if isinstance(c.tag, str) and etree.QName(c).localname != "li"]
        if others:
            problems.append(f"{name}: the <{tag}> of {source.where} holds <{others[0]}>, not only <li>")
        if source.ordered and source.start != 1 and element.get("start") != str(source.start):
            problems.append(f"{name}: {source.where} starts at {source.start}, its <ol> at {element.get('start') or 1}")
    return problems, f"{len(found)} list(s) as <ol>/<ul> with an <li> per item"


def _table_rows(table: etree._Element) -> list[tuple[etree._Element, str]]:
    rows = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if local == "tr":
            rows.append((child, "table"))
        elif local in ("thead", "tbody", "tfoot"):
            rows += [(row, local) for row in child.findall("h:tr", NS)]
    return rows


def _cells(row: etree._Element) -> list[etree._Element]:
    return [c for c in row if isinstance(c.tag, str) and etree.QName(c).localname in ("th", "td")]


@rule("docbuild:tables", "tables with caption, header row of th, body rows")
def _tables(book: _Epub, expected: Expected):
    wanted = expect.tables(expected.chapter)
    found = _chapter_elements(book, "table")
    problems = []
    if len(found) != len(wanted):
        problems.append(f"the source has {len(wanted)} table(s), the book {len(found)} <table>")
    for source, (name, table) in zip(wanted, found):
        caption = table.find("h:caption", NS)
        if caption is None:
            problems.append(f"{name}: the <table> of {source.where} has no <caption>")
        elif normalise(source.caption) not in normalise(_text(caption)):
            problems.append(f"{name}: the <caption> of {source.where} is not '{source.caption[:40]}'")
        rows = _table_rows(table)
        if len(rows) != 1 + len(source.rows):
            problems.append(f"{name}: {source.where} has {1 + len(source.rows)} rows, its <table> {len(rows)} <tr>")
            continue
        (head, part), body = rows[0], rows[1:]
        cells = [etree.QName(c).localname for c in _cells(head)]
        if part != "thead" or cells != ["th"] * len(source.header):
            problems.append(f"{name}: the header row of {source.where} is {'+'.join(cells) or 'empty'} in <{part}>, "
                            f"not {len(source.header)} <th> in <thead>")
        want = (["th"] if source.header_column else ["td"]) + ["td"] * (len(source.header) - 1)
        for number, (row, part) in enumerate(body, start=1):
            cells = [etree.QName(c).localname for c in _cells(row)]
            if cells != want:
                problems.append(f"{name}: row {number} of {source.where} is {'+'.join(cells) or 'empty'}, not {'+'.join(want)}")
                break
    return problems, f"{len(found)} table(s) with <caption>, a <thead> row of <th> and the source's rows"


@rule("scope-attr-valid", "every th has scope col (header row) or row (header column)")
def _th_scope(book: _Epub):
    problems = []
    count = 0
    for name, table in _chapter_elements(book, "table"):
        for index, (row, _) in enumerate(_table_rows(table)):
            for cell in row.findall("h:th", NS):
                count += 1
                want = "col" if index == 0 else "row"
                if cell.get("scope") != want:
                    problems.append(f"{name}: <th> '{normalise(_text(cell))[:30]}' has scope={cell.get('scope')!r}, not '{want}'")
    return problems, f"{count} <th>, each with its scope" if count else "no <th> in the book"


def _fragment(href: str | None) -> str | None:
    if not href or "#" not in href:
        return None
    return href.partition("#")[2] or None


def _has(element: etree._Element, attribute: str, value: str) -> bool:
    return value in (element.get(attribute) or "").split()


@rule("docbuild:notes", "note references and endnotes linked both ways")
def _notes(book: _Epub, expected: Expected):
    chapter = expected.chapter
    refs = expect.note_refs(chapter)
    problems = []
    docs = book.content_docs()
    noterefs = [(name, a) for name, doc in docs for a in doc.iter(H + "a") if _has(a, EPUB_TYPE, "noteref")]
    sections = [(name, e) for name, doc in docs for e in doc.iter() if isinstance(e.tag, str) and _has(e, "role", "doc-endnotes")]
    if not chapter.notes:
        if noterefs or sections:
            problems.append("the source has no notes, the book has note references or endnotes")
        return problems, "no notes in the source, none in the book"
    if len(noterefs) != len(refs):
        problems.append(f"the source has {len(refs)} note reference(s), the book {len(noterefs)} <a epub:type='noteref'>")
    if not sections:
        problems.append("no endnotes section (role='doc-endnotes')")
        return problems, ""
    section_doc, section = sections[0]
    notes = [e for e in section.iter() if isinstance(e.tag, str) and (_has(e, "role", "doc-endnote") or _has(e, EPUB_TYPE, "endnote"))]
    if len(notes) != len(chapter.notes):
        problems.append(f"the source has {len(chapter.notes)} note(s), the endnotes section {len(notes)} endnote(s)")
    ids = _ids(book)
    base = {name: posixpath.dirname(name) for name, _ in book.spine}

    def target(name: str, href: str | None):
        path, _, fragment = (href or "").partition("#")
        doc = posixpath.normpath(posixpath.join(base[name], path)) if path else name
        return ids.get((doc, fragment)) if fragment else None

    for source, (name, a) in zip(refs, noterefs):
        where = f"reference {source.number} ('{source.label}')"
        if not _has(a, "role", "doc-noteref"):
            problems.append(f"{name}: the note {where} has no role='doc-noteref'")
        if normalise(_text(a)) != str(source.number):
            problems.append(f"{name}: the note {where} reads '{normalise(_text(a))}', not '{source.number}'")
        note = target(name, a.get("href"))
        if note is None:
            problems.append(f"{name}: the note {where} (href={a.get('href')!r}) leads nowhere")
        elif source.number <= len(notes) and note is not notes[source.number - 1]:
            problems.append(f"{name}: the note {where} does not lead to endnote {source.number}")
    for number, (note, element) in enumerate(zip(chapter.notes, notes), start=1):
        backlinks = [a for a in element.iter(H + "a") if _has(a, "role", "doc-backlink")]
        if not backlinks:
            problems.append(f"{section_doc}: endnote {number} ('{note.label}') has no back-link (role='doc-backlink')")
            continue
        back = target(section_doc, backlinks[0].get("href"))
        if back is None or not _has(back, EPUB_TYPE, "noteref"):
            problems.append(f"{section_doc}: the back-link of endnote {number} ('{note.label}') does not lead to a note reference")
        elif target(section_doc, back.get("href")) is not element:
            problems.append(f"{section_doc}: the back-link of endnote {number} leads to the reference of another note")
    return problems, (f"{len(noterefs)} note reference(s) to {len(notes)} endnote(s) in a doc-endnotes section, "
                      "each with a back-link to its reference")


@rule("docbuild:quotations-boxes", "quotations in blockquote, boxes in aside with their heading")
def _quotations_and_boxes(book: _Epub, expected: Expected):
    chapter = expected.chapter
    problems = []
    quotes = expect.quotations(chapter)
    found = _chapter_elements(book, "blockquote")
    if len(found) != len(quotes):
        problems.append(f"the source has {len(quotes)} quotation(s), the book {len(found)} <blockquote>")
    for quote, (name, element) in zip(quotes, found):
        if squeeze(blocks_text(quote.blocks))[:40] not in squeeze(_text(element)):
            problems.append(f"{name}: the <blockquote> for quotation '{quote.id}' does not hold its text")
    boxes = expect.boxes(chapter)
    asides = _chapter_elements(book, "aside")
    if len(asides) != len(boxes):
        problems.append(f"the source has {len(boxes)} box(es), the book {len(asides)} <aside>")
    ids = _ids(book)
    for box, (name, aside) in zip(boxes, asides):
        title = plain_text(box.title)
        heading = next((h for h in aside.iter(*(H + f"h{n}" for n in range(1, 7)))), None)
        if heading is None or normalise(_text(heading)) != normalise(title):
            problems.append(f"{name}: the <aside> of box '{box.id}' does not start with its heading '{title}'")
        elif int(heading.tag[-1]) != box.level:
            problems.append(f"{name}: the heading of box '{box.id}' is h{heading.tag[-1]}, the source's level is {box.level}")
        labelled = [ids.get((name, i)) for i in (aside.get("aria-labelledby") or "").split()]
        if aside.get("aria-label") is None and (not labelled or heading is None or labelled[0] is not heading):
            problems.append(f"{name}: the <aside> of box '{box.id}' is not labelled by its heading (aria-labelledby)")
    return problems, f"{len(found)} quotation(s) in <blockquote>, {len(asides)} box(es) in <aside> labelled by their heading"


@rule("docbuild:links", "links lead to the source's addresses and cross-reference targets")
def _cross_references(book: _Epub, expected: Expected):
    wanted = expect.internal_targets(expected.chapter)
    ids = _ids(book)
    base = {name: posixpath.dirname(name) for name, _ in book.spine}
    found: dict[str, int] = {}
    problems = []
    addresses = {a.get("href") for _, doc in book.content_docs() for a in doc.iter(H + "a")}
    problems += [f"no link leads to {url}" for url in expect.external_urls(expected.chapter) if url not in addresses]
    for name, doc in book.content_docs():
        for a in doc.iter(H + "a"):
            if _has(a, EPUB_TYPE, "noteref") or _has(a, "role", "doc-backlink") or _has(a, "role", "doc-noteref"):
                continue
            href = a.get("href") or ""
            if "#" not in href or href.split("#")[0].startswith(("http:", "https:", "mailto:")):
                continue
            path, _, fragment = href.partition("#")
            doc_name = posixpath.normpath(posixpath.join(base[name], path)) if path else name
            if (doc_name, fragment) not in ids:
                problems.append(f"{name}: the link {href!r} leads nowhere")
            found[fragment] = found.get(fragment, 0) + 1
    for target in dict.fromkeys(wanted):
        if found.get(target, 0) < wanted.count(target):
            problems.append(f"the source links {wanted.count(target)} time(s) to '{target}', the book {found.get(target, 0)}")
    urls = len(expect.external_urls(expected.chapter))
    return problems, f"{urls} web address(es) and {len(wanted)} cross-reference(s), each a link to its address or an id of the book"


@rule("docbuild:raw-markdown", "no Markdown syntax left in the text")
def _raw_markdown(book: _Epub):
    problems = []
    for name, doc in book.spine:
        alts = "\n".join(img.get("alt") or "" for img in doc.iter(H + "img"))
        problems += expect.raw_markdown(_text(doc) + "\n" + alts, name)
    return problems, "no Markdown syntax in any document"


def _roles(book: _Epub) -> CheckResult:
    problems = []
    for name, doc in book.spine:
        for element in doc.xpath("//*[@epub:type]", namespaces=NS):
            if element.xpath("ancestor-or-self::h:nav[contains(concat(' ', @epub:type, ' '), ' landmarks ')]", namespaces=NS):
                continue  # landmark links name targets; they take no role
            for kind in element.get(EPUB_TYPE).split():
                role = MATCHING_ROLE.get(kind)
                if role and role not in (element.get("role") or "").split():
                    problems.append(f"{name}: <{etree.QName(element).localname} epub:type='{kind}'> lacks role='{role}'")
    return verdict("epub-type-has-matching-role", "epub:type matched by ARIA role", problems,
                   "every epub:type with an ARIA equivalent has its role")


def _navigation(book: _Epub, expected: Expected) -> CheckResult:
    if book.nav_path is None:
        return verdict("docbuild:navigation", "toc, landmarks and page-list", ["no navigation document"], "")
    nav = dict(book.spine)[book.nav_path]
    problems = []

    def navs(kind: str) -> list[etree._Element]:
        return nav.xpath(f"//h:nav[contains(concat(' ', @epub:type, ' '), ' {kind} ')]", namespaces=NS)

    want = _expected_headings(expected, boxes=False)
    toc = navs("toc")
    entries = [(len(a.xpath("ancestor::h:ol", namespaces=NS)), _text(a)) for a in toc[0].iter(H + "a")] if toc else []
    if not toc:
        problems.append("no toc nav")
    else:
        for index, (level, text) in enumerate(want):
            have = entries[index] if index < len(entries) else None
            if have is None or squeeze(have[1]) != squeeze(text):
                problems.append(f"toc entry {index + 1} is {repr(normalise(have[1])) if have else 'missing'}, "
                                f"the heading is '{text}'")
                break
            if have[0] != level:
                problems.append(f"toc entry {index + 1} '{text}' is nested {have[0]} deep, its heading is at level {level}")
                break
        if len(entries) > len(want) and not problems:
            problems.append(f"{len(entries) - len(want)} toc entries more than headings, first '{normalise(entries[len(want)][1])}'")
    if not navs("landmarks"):
        problems.append("no landmarks nav")
    ids = {posixpath.normpath(name): set(doc.xpath("//@id")) for name, doc in book.spine}
    base = posixpath.dirname(book.nav_path)
    for kind in ("toc", "page-list", "landmarks"):
        for element in navs(kind):
            for a in element.iter(H + "a"):
                target, _, fragment = (a.get("href") or "").partition("#")
                doc = posixpath.normpath(posixpath.join(base, target)) if target else book.nav_path
                if doc not in ids or (fragment and fragment not in ids[doc]):
                    problems.append(f"{kind} link {a.get('href')!r} leads nowhere")
    pages = sum(1 for e in navs("page-list") for _ in e.iter(H + "a"))
    return verdict("docbuild:navigation", "toc, landmarks and page-list", problems,
                   f"toc of {len(entries)} entries, landmarks, page-list of {pages} pages; every link resolves")


def _reflowable(book: _Epub) -> CheckResult:
    problems = []
    if "pre-paginated" in book.values("rendition:layout"):
        problems.append("fixed layout (rendition:layout pre-paginated): text cannot reflow")
    fonts = [n for n in book.parts if n.lower().endswith((".ttf", ".otf", ".woff", ".woff2"))]
    if fonts and not any(re.search(r"(OFL|LICEN[CS]E)", posixpath.basename(n), re.I) for n in book.parts):
        problems.append("fonts are embedded without their licence")
    css = "\n".join(v.decode("utf-8", "replace") for n, v in book.parts.items() if n.endswith(".css"))
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css):
        if url.lower().endswith((".ttf", ".otf", ".woff", ".woff2")) and not any(n.endswith(posixpath.basename(url)) for n in fonts):
            problems.append(f"@font-face file {url} is not in the book")
    return verdict("docbuild:reflowable", "reflowable text, fonts embedded with licence", problems,
                   f"reflowable; {len(fonts)} fonts embedded with their licence")


def _text(element: etree._Element) -> str:
    """Text as a reader meets it: block elements on their own lines, inline ones run on."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str):
            return
        local = etree.QName(node).localname
        if local in ("script", "style", "head"):
            return
        block = local in BLOCKS
        if block:
            parts.append("\n")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")
        if block:
            parts.append("\n")

    walk(element)
    return "".join(parts)
