"""The braille edition as PEF (Portable Embosser Format 2008-1, DAISY): the same pages as the BRF, in XML.

PEF names every cell by its dots (Unicode braille), so no embosser table is
involved; its metadata says the title, language and date. One volume, one
section, single-sided (``duplex="false"``), no row gap; each page is exactly
``lines`` rows, trailing blank cells dropped as in the BRF.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from ...edition import Edition

PEF_NS = "http://www.daisy.org/ns/2008/pef"
DC_NS = "http://purl.org/dc/elements/1.1/"


def render_pef(edition: Edition, cells: int | None = None, lines: int | None = None) -> bytes:
    """The PEF edition: the pages :func:`render_brf` embosses, as dots."""
    from . import braille_pages

    settings, pages = braille_pages(edition, cells, lines)
    chapter, meta = edition.chapter, edition.chapter.meta
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<pef version="2008-1" xmlns="{PEF_NS}">',
        "<head>",
        f'<meta xmlns:dc="{DC_NS}">',
        "<dc:format>application/x-pef+xml</dc:format>",
        f"<dc:identifier>{escape(f'docbuild:{chapter.id}-{chapter.lang}.pef')}</dc:identifier>",
        f"<dc:title>{escape(f'{meta.title}: {meta.subtitle}')}</dc:title>",
        f"<dc:creator>{escape(meta.author)}</dc:creator>",
        f"<dc:publisher>{escape(meta.publisher)}</dc:publisher>",
        f"<dc:language>{escape(chapter.lang)}</dc:language>",
        f"<dc:date>{escape(meta.date)}</dc:date>",
        f"<dc:description>{escape(meta.description)}</dc:description>",
        "</meta>",
        "</head>",
        "<body>",
        f'<volume cols={quoteattr(str(settings.cells))} rows={quoteattr(str(settings.lines))} rowgap="0" duplex="false">',
        "<section>",
    ]
    for page in pages:
        out.append("<page>")
        out += [f"<row>{line}</row>" if line else "<row/>" for line in page]
        out.append("</page>")
    out += ["</section>", "</volume>", "</body>", "</pef>", ""]
    return "\n".join(out).encode("utf-8")
