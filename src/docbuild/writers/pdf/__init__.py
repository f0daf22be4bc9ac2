"""The print edition: a tagged PDF/UA-1, laid out by WeasyPrint from layouts/.

WeasyPrint lays out ``pdf.html.j2`` (the shared chapter markup plus the print
stylesheet) once; the page on which each block starts is read from that
layout, and the same layout is written as PDF. WeasyPrint 70's PDF/UA output
is the start, not the end (Kozea/WeasyPrint#1836): :func:`_finish_tags`
repairs what it leaves out, see its docstring.
"""

from __future__ import annotations

import io
import re
from collections import Counter
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
from ...images import prepare_photo
from ...model import Inline, plain_text, spans
from ...paper import page_geometry

#: Family name under which the vendored files are declared in @font-face. It
#: differs from the fonts' own name on purpose: were it "Noto Serif", a copy
#: installed on the build machine could be picked instead of the vendored one.
FONT_FAMILY = "docbuild Noto Serif"
PHOTO_URL = ProjectFetcher.generated_url("photo.jpg")


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
    raw = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    data = _finish_tags(raw, edition, layout)
    return RenderedPdf(data, layout.pages, layout.page_count)


def _render(edition: Edition) -> Document:
    """Check the glyphs, then lay the edition out with only project files reachable."""
    project = edition.project
    geometry = page_geometry(project, edition.paper)
    faces = font_faces(project, geometry.family)
    check_glyphs(edition.chapter, faces, edition.labels, project)
    generated = {}
    if edition.chapter.figure is not None:
        generated[PHOTO_URL] = (prepare_photo(edition.chapter.figure.image), "image/jpeg")
    fetcher = ProjectFetcher(project, generated)
    html = render_html(
        edition,
        "pdf.html.j2",
        photo_src=PHOTO_URL,
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
        raise DocbuildError(f"the PDF layout lost the block(s) {', '.join(missing)}", chapter.path)
    return PageLayout({block: found[block] for block in wanted}, len(document.pages))


def _pdf_date(edition: Edition) -> str:
    """The edition's timestamp in the W3C form WeasyPrint turns into PDF dates."""
    return edition.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")




# --------------------------------------------------------------------------
# Post-processing: what WeasyPrint 70's PDF/UA output leaves out

#: Structure types of ISO 32000-1 14.8.4 that WeasyPrint writes; anything
#: else needs a RoleMap entry (Matterhorn 02-001).
STANDARD_TYPES = frozenset(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 "
    "L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot "
    "Ruby RB RT RP Warichu WT WP Figure Formula Form".split()
)
#: Glyph WeasyPrint draws at a hyphenated line end (CSS ``hyphenate-character``).
LAYOUT_HYPHEN = "\u2010"
SOFT_HYPHEN = "\u00ad"


def _finish_tags(raw: bytes, edition: Edition, layout: PageLayout) -> bytes:
    """Complete WeasyPrint's PDF/UA-1 tagging and make the file reproducible.

    WeasyPrint 70 (Kozea/WeasyPrint#1836) gives the running header and footer
    marked-content ids that no structure element reaches, so they are
    neither content nor Artifact (Matterhorn 01-005); tags ``<figure>`` as
    NonStruct around a Figure and a doubled Caption (13-004); sets ``/Lang``
    only on the catalog (WCAG 3.1.2); and maps the hyphen it adds at a
    broken line end to U+2010, so text extraction and screen readers get
    "thou‐ sands". It also builds the structure tree page by page: one
    Part per page for ``<main>``, a ``<section>`` and a paragraph that cross
    a page break cut in two; ``layout`` (where each block starts) tells
    which elements continue which, and they are joined again. This fixes
    each in place and saves with an ``/ID`` computed from the content, never
    from the clock.
    """
    with pikepdf.open(io.BytesIO(raw)) as pdf:
        tree = _StructTree(pdf)
        tree.artifact_orphans()
        tree.merge_figure(edition.chapter.figure.alt if edition.chapter.figure else None)
        tree.flatten_doubled()
        tree.join_pages(edition, layout)
        tree.mark_spans(_foreign_spans(edition))
        tree.check_types()
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


def _foreign_spans(edition: Edition) -> list[tuple[str, str]]:
    """(lang, text) of every outermost foreign-language span, in reading order."""
    found: list[tuple[str, str]] = []
    for run in edition.chapter.inline_runs():
        inner: set[int] = set()
        for span in spans(run):
            if id(span) in inner:
                continue
            inner.update(id(nested) for nested in spans(span.children))
            found.append((span.lang, plain_text(span.children)))
    return found


def _comparable(text: str) -> str:
    """Text with what layout changes removed: spaces, line-end hyphens, soft hyphens."""
    return "".join(c for c in text if not c.isspace() and c not in (LAYOUT_HYPHEN, SOFT_HYPHEN))


def _is_element(obj: pikepdf.Object) -> bool:
    """True for a structure element (not an MCID, marked-content or object reference)."""
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj and obj.get("/Type") not in ("/MCR", "/OBJR")


class _StructTree:
    """WeasyPrint's structure tree, with the repairs :func:`_finish_tags` applies."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.page_numbers = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        nums = self.root.ParentTree.Nums
        #: page index -> array of struct elements indexed by MCID (the ParentTree entries).
        self.parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2) if int(nums[i]) < len(pdf.pages)}
        self._texts: dict[tuple[int, int], str] | None = None

    # -- walking

    def elements(self, element: pikepdf.Dictionary | None = None):
        """Every structure element below ``element`` (default: the root), in reading order."""
        for kid in self._kids(element if element is not None else self.root):
            if _is_element(kid):
                yield kid
                yield from self.elements(kid)

    @staticmethod
    def _kids(element: pikepdf.Dictionary) -> list:
        kids = element.get("/K")
        if kids is None:
            return []
        return list(kids) if isinstance(kids, pikepdf.Array) else [kids]

    def _page_of(self, element) -> int:
        return self.page_numbers[element.Pg.objgen]

    def _marked(self, element, kid) -> tuple[int, int] | None:
        """(page, MCID) of a marked-content kid of ``element``, None for other kids."""
        if isinstance(kid, int):
            return self._page_of(element), int(kid)
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            page = kid.Pg if "/Pg" in kid else element.Pg
            return self.page_numbers[page.objgen], int(kid.MCID)
        return None

    def _text(self, element) -> str:
        """The text painted by the marked content of ``element`` and its descendants, in order."""
        if self._texts is None:
            self._texts = _marked_texts(self.pdf)
        parts = []
        for kid in self._kids(element):
            marked = self._marked(element, kid)
            if marked is not None:
                parts.append(self._texts.get(marked, ""))
            elif _is_element(kid):
                parts.append(self._text(kid))
        return "".join(parts)

    # -- repairs

    def artifact_orphans(self) -> None:
        """Turn content whose MCID no element of the tree reaches into ``/Artifact``.

        These are the page-margin boxes (running header, "Page N of M"):
        WeasyPrint builds structure elements for them but links them nowhere.
        """
        reachable = {element.objgen for element in self.elements()}
        pdf = self.pdf
        for index, page in enumerate(pdf.pages):
            parents = self.parents.get(index)
            if parents is None:
                continue
            orphans = {mcid for mcid, parent in enumerate(parents) if parent.objgen not in reachable}
            if not orphans:
                continue
            for mcid in orphans:
                parents[mcid] = None
            instructions = []
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary):
                    mcid = operands[1].get("/MCID")
                    if mcid is not None and int(mcid) in orphans:
                        kind = pikepdf.Dictionary(Type=pikepdf.Name.Pagination)
                        operands = [pikepdf.Name.Artifact, kind]
                instructions.append(pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(str(operator))))
            page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(instructions))

    def _adopt(self, parent, child) -> list:
        """The kids of ``child``, re-parented to ``parent`` (MCIDs as explicit references)."""
        adopted = []
        for kid in self._kids(child):
            marked = self._marked(child, kid)
            if marked is not None:
                page, mcid = marked
                self.parents[page][mcid] = parent
                if page != self._page_of(parent) or not isinstance(kid, int):
                    kid = pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=self.pdf.pages[page].obj, MCID=mcid)
                adopted.append(kid)
            else:
                if _is_element(kid):
                    kid.P = parent
                adopted.append(kid)
        return adopted

    def _replace_kid(self, parent, old, new_kids: list) -> None:
        kids = []
        for kid in self._kids(parent):
            if isinstance(kid, pikepdf.Dictionary) and kid.objgen == old.objgen:
                kids.extend(new_kids)
            else:
                kids.append(kid)
        parent.K = pikepdf.Array(kids)

    def merge_figure(self, alt: str | None) -> None:
        """Make ``<figure>`` one ``Figure`` with ``/Alt`` and a ``Caption`` kid (Matterhorn 13-004).

        WeasyPrint tags ``<figure>`` NonStruct and only the ``<img>`` inside it
        as Figure; the image moves up into the figure element so the caption
        belongs to the Figure it describes.
        """
        if alt is None:
            return
        for element in list(self.elements()):
            kinds = [str(kid.S) for kid in self._kids(element) if _is_element(kid)]
            if element.S == "/NonStruct" and "/Figure" in kinds and "/Caption" in kinds:
                image = next(k for k in self._kids(element) if _is_element(k) and k.S == "/Figure")
                element.S = pikepdf.Name.Figure
                element.Alt = pikepdf.String(alt)
                if "/A" in image:
                    element.A = image.A
                self._replace_kid(element, image, self._adopt(element, image))
                return
        raise DocbuildError("the PDF has no figure element to tag; is the photo in pdf.html.j2?")

    def flatten_doubled(self) -> None:
        """Dissolve an element nested in one of its own type (an anonymous block's Caption in Caption)."""
        for element in list(self.elements()):
            if element.S not in ("/Caption", "/P", "/H1", "/H2"):
                continue
            for kid in self._kids(element):
                if _is_element(kid) and kid.S == element.S:
                    self._replace_kid(element, kid, self._adopt(element, kid))

    def join_pages(self, edition: Edition, layout: PageLayout) -> None:
        """Give ``<main>`` one Part, each ``<section>`` one Sect and each paragraph one P.

        WeasyPrint 70 builds the tree page by page: a Part (``<main>``) per
        page, and a section or paragraph that crosses a page break becomes
        one element per page. Which element continues which is not guessed:
        ``layout`` says how many sections and paragraphs *start* on each
        page, so a page with one Sect (or P) more than that begins with the
        continuation of the previous page's last one, which then takes over
        its kids. The result is checked against the chapter, heading and
        paragraph texts included, and the build fails rather than ship a
        tree it could not join.
        """
        chapter = edition.chapter
        #: (id of the first block, heading or None, paragraphs) of each <section>, in order.
        blocks: list[tuple[str, tuple[Inline, ...] | None, tuple]] = []
        if chapter.intro:
            blocks.append((chapter.intro[0].id, None, tuple(chapter.intro)))
        blocks += [(s.id, s.heading, tuple(s.paragraphs)) for s in chapter.sections]
        sect_starts = Counter(layout.pages[first] - 1 for first, _, _ in blocks)
        para_starts = Counter(layout.pages[p.id] - 1 for _, _, paragraphs in blocks for p in paragraphs)

        document = self._document()
        parts = [kid for kid in self._kids(document) if _is_element(kid) and kid.S == "/Part"]
        if not parts:
            raise DocbuildError("the PDF has no Part element for <main>; is pdf.html.j2 still the chapter markup?")
        main = parts[0]
        sects: list[pikepdf.Dictionary] = []
        removed: dict[tuple[int, int], pikepdf.Dictionary] = {}
        for part in parts:
            page = self._page_of(part)
            kids = [kid for kid in self._kids(part) if _is_element(kid)]
            paragraphs = [k for sect in kids for k in self._kids(sect) if _is_element(k) and k.S == "/P"]
            more_sects = len(kids) - sect_starts[page]
            more_paragraphs = len(paragraphs) - para_starts[page]
            if (
                any(kid.S != "/Sect" for kid in kids)
                or more_sects not in (0, 1)
                or more_paragraphs not in (0, 1)
                or more_paragraphs > more_sects
                or (more_sects and not sects)
            ):
                raise DocbuildError(
                    f"cannot tell which structure elements page {page + 1} of the PDF continues: "
                    f"{len(kids)} Sect and {len(paragraphs)} P elements there, but {sect_starts[page]} sections "
                    f"and {para_starts[page]} paragraphs start on it"
                )
            for index, sect in enumerate(kids):
                if index == 0 and more_sects:
                    self._join_sect(sects[-1], sect, bool(more_paragraphs), removed)
                else:
                    sect.P = main
                    sects.append(sect)
            if part.objgen != main.objgen:
                removed[part.objgen] = main
        main.K = pikepdf.Array(sects)
        document.K = pikepdf.Array(
            [kid for kid in self._kids(document) if not (isinstance(kid, pikepdf.Dictionary) and kid.objgen in removed)]
        )
        self._redirect(removed)
        self._check_joined(sects, blocks)

    def _document(self) -> pikepdf.Dictionary:
        kids = [kid for kid in self._kids(self.root) if _is_element(kid)]
        if len(kids) != 1 or kids[0].S != "/Document":
            raise DocbuildError("the PDF's structure tree does not start with one Document element")
        return kids[0]

    def _join_sect(self, previous, sect, paragraph_continues: bool, removed: dict) -> None:
        """Move the kids of ``sect``, the next page's part of ``previous``, into ``previous``."""
        kids = self._kids(sect)
        elements = [kid for kid in kids if _is_element(kid)]
        if elements and elements[0].S == "/H2":
            raise DocbuildError(f"page {self._page_of(sect) + 1} of the PDF should continue a section, not start one")
        if paragraph_continues:
            first, last = kids[0], self._kids(previous)[-1]
            if not (_is_element(first) and first.S == "/P" and _is_element(last) and last.S == "/P"):
                raise DocbuildError(f"page {self._page_of(sect) + 1} of the PDF should begin with a paragraph's continuation")
            last.K = pikepdf.Array(self._kids(last) + self._adopt(last, first))
            removed[first.objgen] = last
            sect.K = pikepdf.Array(kids[1:])
        previous.K = pikepdf.Array(self._kids(previous) + self._adopt(previous, sect))
        removed[sect.objgen] = previous

    def _redirect(self, removed: dict) -> None:
        """Point ParentTree entries (MCIDs, annotations) at the element that took over from a removed one."""

        def survivor(element):
            while isinstance(element, pikepdf.Dictionary) and element.objgen in removed:
                element = removed[element.objgen]
            return element

        nums = self.root.ParentTree.Nums
        for i in range(1, len(nums), 2):
            value = nums[i]
            if isinstance(value, pikepdf.Array):
                for mcid, element in enumerate(value):
                    if isinstance(element, pikepdf.Dictionary) and element.objgen in removed:
                        value[mcid] = survivor(element)
            elif isinstance(value, pikepdf.Dictionary) and value.objgen in removed:
                nums[i] = survivor(value)

    def _check_joined(self, sects: list, blocks: list) -> None:
        """Fail unless each Sect is a section of the chapter: its H2, then one P per paragraph, same texts."""
        if len(sects) != len(blocks):
            raise DocbuildError(f"the PDF has {len(sects)} Sect elements for {len(blocks)} sections after joining pages")
        for sect, (first, heading, paragraphs) in zip(sects, blocks):
            expected = ([("/H2", heading)] if heading is not None else []) + [("/P", p.content) for p in paragraphs]
            kids = [kid for kid in self._kids(sect) if _is_element(kid)]
            if [str(kid.S) for kid in kids] != [kind for kind, _ in expected] or any(
                _comparable(self._text(kid)) != _comparable(plain_text(content)) for kid, (_, content) in zip(kids, expected)
            ):
                raise DocbuildError(f"the PDF's structure for the section starting at '{first}' does not match the chapter")

    def mark_spans(self, foreign: list[tuple[str, str]]) -> None:
        """Give each foreign-language span's structure element its ``/Lang`` (WCAG 3.1.2).

        ``<span lang>`` becomes one Span element per line it occupies, and the
        structure tree does not say which span it came from; so the spans the
        model holds are matched, in reading order, to the Span elements whose
        text continues them.
        """
        queue = [(lang, _comparable(text)) for lang, text in foreign]

        def visit(element) -> None:
            for kid in self._kids(element):
                if not queue or not _is_element(kid):
                    continue
                nested = any(_is_element(k) for k in self._kids(kid))
                if kid.S == "/Span" and nested:
                    text = _comparable(self._text(kid))
                    lang, remaining = queue[0]
                    if text and remaining.startswith(text):
                        kid.Lang = pikepdf.String(lang)
                        remaining = remaining[len(text):]
                        if remaining:
                            queue[0] = (lang, remaining)
                        else:
                            queue.pop(0)
                        continue
                visit(kid)

        visit(self.root)
        if queue:
            lang, text = queue[0]
            raise DocbuildError(f"cannot find the {lang} span '{text}' in the PDF's structure tree to tag its language")

    def check_types(self) -> None:
        """Fail rather than ship a structure type no reader knows (Matterhorn 02-001)."""
        role_map = self.root.get("/RoleMap", {})
        for element in self.elements():
            kind = str(element.S)[1:]
            if kind not in STANDARD_TYPES and f"/{kind}" not in role_map:
                raise DocbuildError(f"the PDF has an unmapped structure type /{kind}")


def _to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    """Character code -> text, from a font's ``/ToUnicode`` CMap (bfchar and bfrange)."""
    if "/ToUnicode" not in font:
        return {}
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    table: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            table[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                table[code] = chr(first + offset)
    return table


def _marked_texts(pdf: pikepdf.Pdf) -> dict[tuple[int, int], str]:
    """(page, MCID) -> the text drawn in that marked-content sequence.

    WeasyPrint embeds every font as Identity-H, two bytes per glyph, with a
    ToUnicode CMap, which is all this needs to read.
    """
    texts: dict[tuple[int, int], str] = {}
    for index, page in enumerate(pdf.pages):
        fonts = page.Resources.get("/Font", {})
        maps = {str(name): _to_unicode(font) for name, font in fonts.items()}
        current: dict[int, str] = {}
        stack: list[int | None] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "BDC":
                props = operands[1]
                mcid = props.get("/MCID") if isinstance(props, pikepdf.Dictionary) else None
                stack.append(int(mcid) if mcid is not None else None)
            elif op == "BMC":
                stack.append(None)
            elif op == "EMC" and stack:
                stack.pop()
            elif op == "Tf":
                current = maps.get(str(operands[0]), {})
            elif op in ("Tj", "TJ") and stack and stack[-1] is not None:
                strings = operands[0] if op == "TJ" else [operands[0]]
                for item in strings:
                    if isinstance(item, pikepdf.String):
                        raw = bytes(item)
                        chars = (current.get(int.from_bytes(raw[i:i + 2], "big"), "") for i in range(0, len(raw) - 1, 2))
                        key = (index, stack[-1])
                        texts[key] = texts.get(key, "") + "".join(chars)
    return texts


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
