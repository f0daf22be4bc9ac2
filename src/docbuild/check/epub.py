"""Checks of the EPUB 3 edition: EPUBCheck and Ace when installed, plus our own.

Our own checks read the container with zipfile and lxml and carry the ids of
the Ace rules they correspond to (``epub-lang``, ``metadata-*``,
``image-alt``...), so a reviewer can compare them with Ace's report; unlike
Ace they also compare the book with the source (alt text, headings, every
paragraph, foreign-language spans).
"""

from __future__ import annotations

import posixpath
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ..model import plain_text
from . import CheckResult, Expected, completeness, crashed, not_run, verdict
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
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
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
        _roles(book),
        _navigation(book, expected),
        _reflowable(book),
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
    has_image = any(doc.xpath("//h:img", namespaces=NS) for _, doc in book.content_docs())
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
    figure = expected.chapter.figure
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
            elif figure is not None and normalise(alt) != normalise(figure.alt):
                problems.append(f"{name}: an alt text is not the source's")
    if figure is not None:
        figures = [f for _, doc in book.content_docs() for f in doc.iter(H + "figure")]
        if not any(f.find("h:img", NS) is not None and f.find("h:figcaption", NS) is not None for f in figures):
            problems.append("no <figure> holding the <img> and a <figcaption>")
        captions = "\n".join(_text(c) for f in figures for c in f.iter(H + "figcaption"))
        for label, inlines in (("caption", figure.caption), ("credit", figure.credit)):
            if normalise(plain_text(inlines)) not in normalise(captions):
                problems.append(f"the photo's {label} is not in the <figcaption>")
    return verdict("image-alt", "images have the source's alt text; figure with figcaption", problems,
                   f"{count} image(s) with the source's alt text; caption and credit in <figcaption>")


def _headings(book: _Epub, expected: Expected) -> CheckResult:
    problems = []
    found: list[str] = []
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
        found += [_text(h) for _, h in levels]
    chapter = expected.chapter
    want = [chapter.meta.title] + [plain_text(s.heading) for s in chapter.sections]
    if [squeeze(t) for t in found] != [squeeze(t) for t in want] and not problems:
        problems.append(f"the headings are not the source's title and {len(want) - 1} sections in order")
    return verdict("heading-order", "h1 (title) then h2 sections, no level skipped", problems,
                   f"h1 then {len(found) - 1} h2 headings, as in the source")


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

    chapter = expected.chapter
    want = [chapter.meta.title] + [plain_text(s.heading) for s in chapter.sections]
    toc = navs("toc")
    entries = [_text(a) for a in toc[0].iter(H + "a")] if toc else []
    if not toc:
        problems.append("no toc nav")
    elif [squeeze(t) for t in entries] != [squeeze(t) for t in want]:
        problems.append("the table of contents is not the title and the section headings in order")
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
