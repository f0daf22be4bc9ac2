"""The print edition: a tagged PDF/UA-1, laid out by WeasyPrint from layouts/.

WeasyPrint lays out ``pdf.html.j2`` (the shared chapter markup plus the print
stylesheet) once; the page on which each block starts is read from that
layout, and the same layout is written as PDF. WeasyPrint 70's PDF/UA output
is the start, not the end (Kozea/WeasyPrint#1836): while it writes,
:mod:`.sources` records which HTML element each structure element comes
from, and :mod:`.structure` repairs the tree in small named passes.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pikepdf
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import FatalURLFetchingError

from ...edition import Edition
from ...errors import DocbuildError
from ...fetcher import ProjectFetcher, unwrap_refusal
from ...fonts import chapter_texts, check_glyphs, font_faces
from ..html import render_html
from ...images import prepare_image
from ...model import Chapter, Figure
from ...paper import page_geometry
from . import structure
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


#: Family name under which the vendored files are declared in @font-face. It
#: differs from the fonts' own name on purpose: were it "Noto Serif", a copy
#: installed on the build machine could be picked instead of the vendored one.
FONT_FAMILY = "docbuild Noto Serif"


@dataclass(frozen=True)
class PageLayout:
    """Where the blocks fall on the printed pages."""

    #: 1-based page on which each block id ("title", paragraph and section ids) starts.
    pages: dict[str, int]
    page_count: int


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: dict[str, int]
    page_count: int


def layout_pages(edition: Edition) -> PageLayout:
    """Lay the edition out without writing it: the EPUB's page-list needs only this."""
    return _page_layout(_render(edition), edition)


def render_pdf(edition: Edition) -> RenderedPdf:
    """The tagged PDF/UA-1 edition, byte-identical for the same source."""
    document = _render(edition)
    layout = _page_layout(document, edition)
    stamp = _pdf_date(edition)
    document.metadata.created = document.metadata.modified = stamp
    with recording_sources():
        raw = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    data = _finish(raw, edition)
    return RenderedPdf(data, layout.pages, layout.page_count)


def _render(edition: Edition) -> Document:
    """Check the glyphs, then lay the edition out with only project files reachable."""
    project = edition.project
    geometry = page_geometry(project, edition.paper)
    faces = font_faces(project, geometry.family)
    check_glyphs(edition.chapter, faces, edition.labels, project)
    generated, images = {}, {}
    for number, figure in enumerate(_figures(edition.chapter), start=1):
        prepared = prepare_image(figure.image)
        url = ProjectFetcher.generated_url(f"image-{number}.{prepared.extension}")
        generated[url] = (prepared.data, prepared.media_type)
        images[str(figure.image)] = _Image(url)
    fetcher = ProjectFetcher(project, generated)
    html = render_html(
        edition,
        "pdf.html.j2",
        images=images,
        notes_as="footnotes",
        geometry=geometry,
        faces=faces,
        font_family=FONT_FAMILY,
        page_footer=_css_content(edition.labels["page_of"], {"page": "counter(page)", "pages": "counter(pages)"}),
        page_publisher=Markup(_css_string(edition.chapter.meta.publisher)),
    )
    try:
        document = HTML(string=html, base_url=project.root.as_uri() + "/", url_fetcher=fetcher).render(
            pdf_variant="pdf/ua-1", pdf_tags=True
        )
    except FatalURLFetchingError as error:
        raise unwrap_refusal(error) from None
    return document


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
    return PageLayout({block: found[block] for block in wanted}, len(document.pages))


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
        out = io.BytesIO()
        pdf.save(
            out,
            deterministic_id=True,
            compress_streams=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            linearize=False,
        )
    return out.getvalue()


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
