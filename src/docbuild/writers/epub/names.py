"""Names shared by the EPUB writer's modules: package files, namespaces, limits."""

from __future__ import annotations

#: Files inside the package folder (``EPUB/``), relative to the OPF.
COVER = "cover.xhtml"
NAV = "nav.xhtml"
CHAPTER = "chapter.xhtml"
CSS = "css/epub.css"
#: Folder of the images: one file per figure source, ``images/<name>.<ext>``.
IMAGES = "images"
#: The stylesheet that declares the edition's fonts (writers/epub/fonts.py), linked before CSS.
FONTS_CSS = "css/fonts.css"
FONT_LICENCE = "OFL.txt"

#: A phone held upright is about 1080 device pixels wide; more only makes the
#: download heavier. (The PDF keeps the full print resolution.)
IMAGE_MAX_WIDTH_PX = 1200

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF_NS = "http://www.idpf.org/2007/opf"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
NS = {"h": XHTML_NS, "epub": EPUB_NS, "opf": OPF_NS}


def h(tag: str) -> str:
    """The qualified name of an XHTML element, for lxml."""
    return f"{{{XHTML_NS}}}{tag}"
