"""Checks of what real reading software shows (issue 12), for ``docbuild check``.

Each function is ``(path, expected) -> list[CheckResult]`` and reads the
edition file itself (zipfile and lxml; poppler's ``pdftotext`` for the print
pages), never the model's idea of it:

- :func:`page_starts` (EPUB): each print page marker stands where the A4
  print page begins (DAISY), read against ``pdftotext`` of the A4 PDF beside
  the EPUB; "not run" without that PDF or poppler;
- :func:`searchable` (EPUB, text): a search typed with ordinary spaces finds
  the text: no no-break space at all in a text edition, none after a short
  word (``no_break.after_words`` of layouts/languages/) in an EPUB;
- :func:`cover_alt` (EPUB): the cover image has a short alt text of its own,
  not the lead photo's description (heard twice otherwise).

``check_edition`` (check/__init__.py) adds ``FOR_FORMAT[fmt]`` to every
edition's results.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path, PurePosixPath

from lxml import etree

from ..languages import load_language
from ..paper import page_geometry
from ..typography import short_word_binding
from .archive import read_parts
from . import CheckResult, Expected, crashed, not_run, verdict

H = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"
CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
#: Elements whose end separates words in the text a reader hears.
_BLOCKS = {H + tag for tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "caption", "figcaption",
                                 "div", "section", "header", "footer", "aside", "blockquote", "tr")}
_MARK = "\x00"
#: Words compared at each page start.
_WORDS = 5
#: An alt text longer than this is a description, not a cover's name.
COVER_ALT_MAX_WORDS = 20


def _normal(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


# --------------------------------------------------------------------------
# Reading an EPUB


def _package(path: Path) -> tuple[dict[str, bytes], str, etree._Element]:
    """The zip's parts (read within the caps of check.archive), the package document's path and root."""
    parts = read_parts(path)
    container = etree.fromstring(parts["META-INF/container.xml"], _PARSER)
    opf_path = container.find(f".//{CONTAINER}rootfile").get("full-path")
    return parts, opf_path, etree.fromstring(parts[opf_path], _PARSER)


def _documents(path: Path) -> dict[str, etree._Element]:
    """The spine's XHTML documents, by path in the zip, in reading order."""
    parts, opf_path, opf = _package(path)
    base = PurePosixPath(opf_path).parent
    items = {item.get("id"): item for item in opf.iter(OPF + "item")}
    docs = {}
    for ref in opf.iter(OPF + "itemref"):
        item = items.get(ref.get("idref"))
        if item is not None and item.get("media-type") == "application/xhtml+xml":
            name = str(base / item.get("href"))
            docs[name] = etree.fromstring(parts[name], _PARSER)
    return docs


def _marked_text(root: etree._Element) -> str:
    """The document's body text with each page marker as ``\\0page-N\\0``, blocks ending in a space."""
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        if element.get("role") == "doc-pagebreak":
            parts.append(f"{_MARK}{element.get('id')}{_MARK}")
        else:
            parts.append(element.text or "")
            for child in element:
                if isinstance(child.tag, str):
                    walk(child)
                parts.append(child.tail or "")
            if element.tag in _BLOCKS:
                parts.append(" ")

    body = root.find(H + "body")
    walk(body if body is not None else root)
    return "".join(parts)


def _after_markers(root: etree._Element) -> dict[int, tuple[list[str], etree._Element | None]]:
    """Page number -> (the words after its marker, the table the marker stands before, if any)."""
    pieces = _marked_text(root).split(_MARK)
    words: dict[int, list[str]] = {}
    for index in range(1, len(pieces), 2):
        number = int(pieces[index].removeprefix("page-"))
        following = "".join(pieces[index + 1::2])
        words[number] = _normal(following).split()[: _WORDS + 10]
    tables = {}
    for marker in root.iter():
        if isinstance(marker.tag, str) and marker.get("role") == "doc-pagebreak":
            following = marker.getnext()
            before_table = following is not None and following.tag == H + "table" and not (marker.tail or "").strip()
            tables[int(marker.get("id").removeprefix("page-"))] = following if before_table else None
    return {number: (words[number], tables.get(number)) for number in words}


# --------------------------------------------------------------------------
# Page markers at page starts


def _pdf_pages(pdf: Path, rtl: bool = False, crop: tuple[str, ...] = ()) -> list[list[str]]:
    """The words of each page of the PDF, as pdftotext reads them (hyphenated line ends joined).

    ``-raw`` keeps the content stream's order, which is the reading order of
    left-to-right text; a right-to-left line is drawn in visual order, which
    only poppler's reading-order mode (no ``-raw``) turns back; that mode
    reads the running head first, so ``crop`` (pdftotext's -x -y -W -H)
    leaves the page margins out.
    """
    mode = list(crop) if rtl else ["-raw"]
    text = subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=120).stdout
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", text)
    return [_normal(re.sub("[\u00ad\u2010]\n", "", page)).split() for page in text.split("\f")]


def _begins(after: list[str], page: list[str]) -> bool:
    """``after`` begins ``page``; its first word may be the whole of a word hyphenated over the page break."""
    if not after or not page:
        return not page
    first = after[0] == page[0] or (after[0].endswith(page[0]) and len(page[0]) > 1)
    count = min(_WORDS, len(after))
    return first and after[1:count] == page[1:count]


def _text_area(expected: Expected) -> tuple[str, ...]:
    """pdftotext's crop of the A4 page to its text area (the running heads and page numbers are outside)."""
    geometry = page_geometry(expected.project, "a4")
    points = 72 / 25.4
    top, bottom = geometry.margin_top * points, geometry.margin_bottom * points
    return ("-x", "0", "-y", str(int(top)), "-W", str(int(geometry.width * points) + 1),
            "-H", str(int(geometry.height * points - top - bottom)))


def page_starts(path: Path, expected: Expected) -> list[CheckResult]:
    """EPUB: the marker of each print page N >= 2 stands before the first words printed on page N of the A4 PDF."""
    rule, title = "docbuild:page-starts", "page markers where the print pages begin"
    pdf = path.with_name(f"{expected.chapter.id}-{expected.chapter.lang}.pdf")
    if not pdf.is_file():
        return [not_run(rule, title, f"no A4 print edition {pdf.name} beside the EPUB to compare with")]
    if shutil.which("pdftotext") is None:
        return [not_run(rule, title, "pdftotext (poppler-utils) is not installed")]
    try:
        docs = _documents(path)
        pages = _pdf_pages(pdf, load_language(expected.project.layouts, expected.chapter.lang).rtl, _text_area(expected))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError, subprocess.SubprocessError) as error:
        return [crashed(rule, title, error)]
    markers: dict[int, tuple[list[str], etree._Element | None]] = {}
    for root in docs.values():
        markers.update(_after_markers(root))
    printed = pages[:-1] if pages and not pages[-1] else pages  # pdftotext ends each page with a form feed
    problems = []
    missing = [n for n in range(1, len(printed) + 1) if n not in markers]
    if missing:
        problems.append(f"no marker for print page(s) {', '.join(map(str, missing[:10]))}")
    for number in range(2, len(printed) + 1):
        if number not in markers:
            continue
        after, table = markers[number]
        page = printed[number - 1]
        if table is not None:
            header = _normal("".join(table.find(H + "thead").itertext())).split() if table.find(H + "thead") is not None else []
            rows = page[len(header):] if page[: len(header)] == header else page
            if " ".join(rows[:3]) not in _normal(" ".join(table.itertext())):
                problems.append(f"page {number}: the marker stands before a table that does not hold the page's first row")
        elif not _begins(after, page):
            problems.append(f"page {number}: the marker is followed by \"{' '.join(after[:_WORDS])}\", "
                            f"the page begins \"{' '.join(page[:_WORDS])}\"")
    return [verdict(rule, title, problems, f"each of {len(printed)} print pages' marker stands before its first words")]


# --------------------------------------------------------------------------
# Search with ordinary spaces


def searchable(path: Path, expected: Expected) -> list[CheckResult]:
    """A search typed with ordinary spaces finds the text: a text edition has no no-break space; an EPUB has
    none after a short word (its search would miss "в Казахстане")."""
    rule, title = "docbuild:search", "found by a search typed with ordinary spaces"
    try:
        if path.suffix == ".txt":
            text = path.read_text(encoding="utf-8")
            lines = [(f"line {n}", line) for n, line in enumerate(text.split("\n"), 1)]
            pattern = re.compile("[\u00a0\u202f\u2007]")
        else:
            lines = [(name, "".join(root.itertext())) for name, root in _documents(path).items()]
            pattern = short_word_binding(load_language(expected.project.layouts, expected.chapter.lang))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError, UnicodeDecodeError) as error:
        return [crashed(rule, title, error)]
    problems = []
    if pattern is not None:
        for where, line in lines:
            for match in pattern.finditer(line):
                context = " ".join(line[max(match.start() - 15, 0): match.end() + 15].replace("\u00a0", "\u2423").split())
                problems.append(f"{where}: a no-break space a search typed with a space misses: \"{context}\"")
    return [verdict(rule, title, problems, "every word is separated by ordinary spaces where readers search")]


# --------------------------------------------------------------------------
# Cover alt text


def cover_alt(path: Path, expected: Expected) -> list[CheckResult]:
    """EPUB: the cover image has a short alt text of its own, never the lead photo's description."""
    rule, title = "docbuild:cover-alt", "cover image named shortly, not by the photo's description"
    try:
        _, opf_path, opf = _package(path)
        base = PurePosixPath(opf_path).parent
        covers = [str(base / item.get("href")) for item in opf.iter(OPF + "item")
                  if "cover-image" in (item.get("properties") or "").split()]
        docs = _documents(path)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as error:
        return [crashed(rule, title, error)]
    problems = []
    if len(covers) != 1:
        problems.append(f"{len(covers)} manifest items with the cover-image property (one expected)")
    photo = _normal(expected.chapter.figure.alt) if expected.chapter.figure is not None else None
    shown = []
    for name, root in docs.items():
        for img in root.iter(H + "img"):
            src = str(PurePosixPath(posixpath_normal(PurePosixPath(name).parent / img.get("src", ""))))
            if src in covers:
                shown.append((name, _normal(img.get("alt") or "")))
    if covers and not shown:
        problems.append("the cover image is shown on no page of the book")
    for name, alt in shown:
        if not alt:
            problems.append(f"{name}: the cover image has no alt text")
        elif photo and alt == photo:
            problems.append(f"{name}: the cover image's alt text is the photo's description (heard twice)")
        elif len(alt.split()) > COVER_ALT_MAX_WORDS:
            problems.append(f"{name}: the cover image's alt text has {len(alt.split())} words; name the cover shortly")
    return [verdict(rule, title, problems, f"cover image named \"{shown[0][1]}\"" if shown else "cover image named")]


def posixpath_normal(path: PurePosixPath) -> str:
    """``a/b/../c`` as ``a/c`` (hrefs are relative to their document)."""
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


#: The checks of this module for each format, to add to ``docbuild check``'s results.
FOR_FORMAT = {
    "epub": lambda path, expected: page_starts(path, expected) + searchable(path, expected) + cover_alt(path, expected),
}
