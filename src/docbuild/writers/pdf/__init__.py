"""The print edition: a tagged PDF/UA-1, laid out by WeasyPrint from layouts/.

WeasyPrint lays out ``pdf.html.j2`` (the shared chapter markup plus the print
stylesheet) once; the page on which each block starts is read from that
layout, and the same layout is written as PDF. WeasyPrint 70's PDF/UA output
is the start, not the end (Kozea/WeasyPrint#1836): while it writes,
:mod:`.sources` records which HTML element each structure element comes
from, and :mod:`.structure` repairs the tree in small named passes.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import re
from dataclasses import dataclass, field, replace

import pikepdf
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.document import Document
from weasyprint.urls import FatalURLFetchingError

from ...edition import Edition
from ...errors import DocbuildError
from ...fetcher import ProjectFetcher, unwrap_refusal
from ...fonts import chapter_texts, check_glyphs, edition_families
from ..html import counted_characters, render_html
from ...images import prepare_image
from ...model import Chapter, Figure
from ...paper import page_geometry
from . import structure
from .save import deterministic_bytes
from .sources import recording_sources

@dataclass(frozen=True)
class _Image:
    """What the templates need of an image: its URL (the PDF lets CSS size it)."""

    src: str
    width: None = None
    height: None = None


def _figures(chapter: Chapter) -> list[Figure]:
    """The lead photo and every figure of the body, in reading order."""
    lead = [chapter.figure] if chapter.figure is not None else []
    return lead + [block for block in chapter.walk() if isinstance(block, Figure)]


#: Prefix of the family name under which the vendored files are declared in @font-face. It
#: makes it differ from the fonts' own name on purpose: were it "Noto Serif", a copy
#: installed on the build machine could be picked instead of the vendored one.
FONT_PREFIX = "docbuild "


@dataclass(frozen=True)
class PageLayout:
    """Where the blocks fall on the printed pages."""

    #: 1-based page on which each block id ("title", paragraph and section ids) starts.
    pages: dict[str, int]
    page_count: int
    #: Where each page begins (DAISY: the EPUB's marker goes there, mid-paragraph if
    #: need be): page -> (HTML id of the identified element its first content is in,
    #: non-space characters of that element's text printed on earlier pages). See
    #: :func:`_page_starts`.
    starts: dict[int, tuple[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: dict[str, int]
    page_count: int
    page_starts: dict[int, tuple[str, int]] = field(default_factory=dict)


def render_large_pdf(edition: Edition) -> RenderedPdf:
    """The large-print edition: the same tagged PDF, laid out by ``large-print.css.j2`` over the print stylesheet."""
    return render_pdf(replace(edition, large_print=True))


def layout_pages(edition: Edition) -> PageLayout:
    """Lay the edition out without writing it: the EPUB's page-list needs only this."""
    with _fonts() as fonts:
        return _page_layout(_render(edition, fonts), edition)


def render_pdf(edition: Edition) -> RenderedPdf:
    """The tagged PDF/UA-1 edition, byte-identical for the same source."""
    with _fonts() as fonts:
        return _write(_render(edition, fonts), edition)


def _write(document: Document, edition: Edition) -> RenderedPdf:
    layout = _page_layout(document, edition)
    stamp = _pdf_date(edition)
    document.metadata.created = document.metadata.modified = stamp
    with recording_sources():
        raw = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    data = _finish(raw, edition)
    return RenderedPdf(data, layout.pages, layout.page_count, layout.starts)


@contextlib.contextmanager
def _fonts():
    """A WeasyPrint font configuration whose temporary font folder is removed when the PDF is written.

    WeasyPrint 70 copies each @font-face file into a ``weasyprint-*`` folder
    and removes it only in ``FontConfiguration.__del__``, which never runs in
    a worker process that exits by ``os._exit``: every render left 2.4 MB in
    /tmp. The folder is removed here, once the PDF (which embeds subsets of
    those files) has been written.
    """
    fonts = FontConfiguration()
    try:
        yield fonts
    finally:
        folder = getattr(fonts, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def _render(edition: Edition, fonts: FontConfiguration, template: str = "pdf.html.j2", **context: object) -> Document:
    """Check the glyphs, then lay the edition out with only project files reachable.

    ``template`` and ``context`` (which may replace the page furniture below)
    let the book (:mod:`.book`) lay out its chapters and front matter the same way.
    """
    project = edition.project
    geometry = page_geometry(project, edition.paper, edition.large_print)
    families = edition_families(project, edition.chapter, edition.labels, geometry.typeface)
    check_glyphs(edition.chapter, families, edition.labels, project)
    generated, images = {}, {}
    for number, figure in enumerate(_figures(edition.chapter), start=1):
        prepared = prepare_image(figure.image)
        url = ProjectFetcher.generated_url(f"image-{number}.{prepared.extension}")
        generated[url] = (prepared.data, prepared.media_type)
        images[str(figure.image)] = _Image(url)
    fetcher = ProjectFetcher(project, generated)
    values = dict(
        images=images,
        notes_as="footnotes",
        geometry=geometry,
        families=families,
        font_prefix=FONT_PREFIX,
        font_stack=Markup(", ".join(_css_string(FONT_PREFIX + family.name) for family in families)),
        page_footer=_css_content(edition.labels["page_of"], {"page": "counter(page)", "pages": "counter(pages)"}),
        page_publisher=Markup(_css_string(edition.chapter.meta.publisher)),
        first_page=None,
    )
    html = render_html(edition, template, **{**values, **context})
    try:
        return HTML(string=html, base_url=project.root.as_uri() + "/", url_fetcher=fetcher).render(
            font_config=fonts,
            pdf_variant="pdf/ua-1", pdf_tags=True
        )
    except FatalURLFetchingError as error:
        refusal = unwrap_refusal(error)
    # Raised here, outside the except block: raised inside, the refusal would take WeasyPrint's
    # error as its __context__, whose __cause__ is the refusal itself, and an exception pickler
    # that follows both (tblib's, which distributed installs) would recurse forever.
    raise refusal


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside an HTML ``<style>`` element."""
    escaped = "".join(f"\\{ord(c):x} " if c in '"\\<>&\n' else c for c in text)
    return f'"{escaped}"'


def _css_content(template: str, values: dict[str, str]) -> Markup:
    """A label such as ``Page {page} of {pages}`` as a CSS ``content`` value.

    Each ``{name}`` becomes the CSS expression in ``values`` (a counter), the
    rest quoted strings; the result is marked safe for the autoescaping
    template environment.
    """
    parts = []
    for index, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if index % 2:
            if piece not in values:
                raise DocbuildError(f"unknown placeholder {{{piece}}} in the label '{template}'")
            parts.append(values[piece])
        elif piece:
            parts.append(_css_string(piece))
    return Markup(" ".join(parts) or '""')


def _page_layout(document: Document, edition: Edition) -> PageLayout:
    """Pages of the title and every block, from the anchors of the laid-out pages."""
    wanted = ["title", *edition.chapter.block_ids()]
    found: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            found.setdefault(anchor, number)
    missing = [block for block in wanted if block not in found]
    if missing:
        raise DocbuildError(f"the PDF layout lost the block(s) {', '.join(missing)}", edition.chapter.path)
    return PageLayout({block: found[block] for block in wanted}, len(document.pages), _page_starts(document, set(wanted)))


def _page_starts(document: Document, wanted: set[str]) -> dict[int, tuple[str, int]]:
    """Where each page begins, as (HTML id, characters of that element printed before the page).

    The element is the nearest one around the page's first content (a word
    or an image, in the main flow: not a running head, a footnote, a list
    marker or a table header repeated from the page before) whose id is a
    block id in ``wanted``, or the long description of one
    (``description-<id>``); the count is of that element's non-space
    characters (:func:`counted_characters`) laid out on earlier pages. 0
    means the page starts with the element; more, that it starts inside it,
    after that many characters. The EPUB (which shares the markup) counts
    its own text the same way to put the page marker at that word. A page
    whose first content has no such element is left out.
    """
    from weasyprint.formatting_structure import boxes

    def anchored(element_id: str | None) -> bool:
        return bool(element_id) and (element_id in wanted or element_id.removeprefix("description-") in wanted)

    parents: dict = {}
    chains: dict = {}

    def chain(element) -> tuple:
        """The element's ancestors-or-self with an anchored id, innermost first."""
        if element not in chains:
            parent = parents.get(element)
            own = (element,) if anchored(element.get("id")) else ()
            chains[element] = own + (chain(parent) if parent is not None else ())
        return chains[element]

    def repeated_header(element) -> bool:
        while element is not None:
            if element.tag in ("thead", "tfoot"):
                return True
            element = parents.get(element)
        return False

    def content(box):
        if isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
            yield box
        for child in getattr(box, "children", None) or ():
            yield from content(child)

    counts: dict = {}
    header_seen: set = set()
    starts: dict[int, tuple[str, int]] = {}
    for number, page in enumerate(document.pages, start=1):
        flows = [
            child for child in page._page_box.children
            if not isinstance(child, (boxes.MarginBox, boxes.FootnoteAreaBox))
        ]
        for flow in flows:
            if flow.element is not None and not parents:
                parents.update({child: parent for parent in flow.element.iter() for child in parent})
        first = True
        page_headers = set()
        for flow in flows:
            for box in content(flow):
                element = box.element
                if element is None or "::" in (box.element_tag or ""):
                    continue  # generated: a list marker, a running string
                size = counted_characters(box.text) if isinstance(box, boxes.TextBox) else 0
                if isinstance(box, boxes.TextBox) and not size:
                    continue
                if repeated_header(element):
                    if element in header_seen:
                        continue  # a table header repeated at the top of a page
                    page_headers.add(element)
                anchors = chain(element)
                if first and anchors:
                    starts[number] = (anchors[0].get("id"), counts.get(anchors[0], 0))
                first = False
                for anchor in anchors:
                    counts[anchor] = counts.get(anchor, 0) + size
        header_seen |= page_headers
    return starts


def _pdf_date(edition: Edition) -> str:
    """The edition's timestamp in the W3C form WeasyPrint turns into PDF dates."""
    return edition.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")




# --------------------------------------------------------------------------
# Post-processing: what WeasyPrint 70's PDF/UA output leaves out

#: Glyph WeasyPrint draws at a hyphenated line end (CSS ``hyphenate-character``).
LAYOUT_HYPHEN = "\u2010"
SOFT_HYPHEN = "\u00ad"


def _finish(raw: bytes, edition: Edition) -> bytes:
    """Repair WeasyPrint's structure tree (:mod:`.structure`) and make the file reproducible.

    Also maps the hyphen added at a broken line end to a soft hyphen, gives
    links a ``/Contents``, adds the language to the XMP metadata, and saves
    with an ``/ID`` computed from the content, never from the clock.
    """
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        structure.repair(pdf, edition.chapter.lang)
        _soft_hyphens(pdf, edition)
        _link_contents(pdf)
        _metadata(pdf, edition)
        return deterministic_bytes(pdf)


def _soft_hyphens(pdf: pikepdf.Pdf, edition: Edition) -> None:
    """Map the hyphen added at broken line ends to U+00AD, as ISO 32000-1 14.8.2.2.3 asks.

    Text extraction and screen readers then rejoin "thou-/sands" into one
    word. Only done when the source itself never uses U+2010, so that no
    hyphen the author wrote is turned into a soft one.
    """
    if any(LAYOUT_HYPHEN in text for text, _ in chapter_texts(edition.chapter)):
        return
    done = set()
    for page in pdf.pages:
        for font in page.Resources.get("/Font", {}).values():
            if "/ToUnicode" not in font or font.ToUnicode.objgen in done:
                continue
            done.add(font.ToUnicode.objgen)
            cmap = font.ToUnicode.read_bytes()
            font.ToUnicode.write(cmap.replace(b"<2010>", b"<00ad>"))


def _link_contents(pdf: pikepdf.Pdf) -> None:
    """Give every link annotation a ``/Contents`` description (Matterhorn 28-004) and pages ``/Tabs /S``."""
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if not annots:
            continue
        page.obj.Tabs = pikepdf.Name.S
        for annot in annots:
            if annot.get("/Subtype") == "/Link" and "/Contents" not in annot:
                target = annot.get("/A", {}).get("/URI")
                annot.Contents = pikepdf.String(str(target) if target is not None else "Link")


def _metadata(pdf: pikepdf.Pdf, edition: Edition) -> None:
    """Add the document language to the XMP WeasyPrint wrote (title, pdfuaid:part stay)."""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["dc:language"] = [edition.chapter.lang]
