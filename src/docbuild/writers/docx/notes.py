"""The footnotes part (word/footnotes.xml): the chapter's notes as native Word footnotes.

python-docx has no footnote API, so the part is built here with lxml and
related to the document part; python-docx then saves it (and its content
type and relationships) with the rest. It holds the two special footnotes
Word requires, the separator (``w:id`` -1) and the continuation separator
(0), named in settings.xml's ``w:footnotePr``, then one ``w:footnote`` per
note with the note's number as its id. Each starts with the
``w:footnoteRef`` mark in the *footnote reference* style; its paragraphs are
in the *footnote text* style; its links are relationships of this part.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from .inlines import Format, element, make_run

#: Settings children that come after w:footnotePr in the schema's order.
_AFTER_FOOTNOTE_PR = ("w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
                      "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
                      "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown",
                      "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags",
                      "w:decimalSymbol", "w:listSeparator")


class Footnotes:
    def __init__(self, document: DocumentObject) -> None:
        self.root = parse_xml(f"<w:footnotes {nsdecls('w', 'r')}/>")
        for number, kind in ((-1, "separator"), (0, "continuationSeparator")):
            note = element("w:footnote", type=kind, id=str(number))
            paragraph = element("w:p")
            ppr = element("w:pPr")
            ppr.append(element("w:spacing", after="0", line="240", lineRule="auto"))
            paragraph.append(ppr)
            run = element("w:r")
            run.append(element(f"w:{kind}"))
            paragraph.append(run)
            note.append(paragraph)
            self.root.append(note)
        package = document.part.package
        self.part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, self.root, package)
        document.part.relate_to(self.part, RT.FOOTNOTES)
        _declare_in_settings(document)

    def add(self, number: int) -> etree._Element:
        """An empty footnote for note ``number``; the caller fills it with paragraphs."""
        note = element("w:footnote", id=str(number))
        self.root.append(note)
        return note


def mark_first_paragraph(note: etree._Element) -> None:
    """The footnote's own number (``w:footnoteRef``) and a space at the start of its first paragraph."""
    paragraphs = note.findall(qn("w:p"))
    if not paragraphs:
        paragraph = element("w:p")
        note.append(paragraph)
    else:
        paragraph = paragraphs[0]
    mark = make_run("", Format(style="FootnoteReference"))
    mark.append(element("w:footnoteRef"))
    space = make_run(" ")
    ppr = paragraph.find(qn("w:pPr"))
    at = 0 if ppr is None else list(paragraph).index(ppr) + 1
    paragraph.insert(at, mark)
    mark.addnext(space)


def _declare_in_settings(document: DocumentObject) -> None:
    settings = document.settings.element
    footnote_pr = element("w:footnotePr")
    for number in ("-1", "0"):
        footnote_pr.append(element("w:footnote", id=number))
    for tag in _AFTER_FOOTNOTE_PR:
        follower = settings.find(qn(tag))
        if follower is not None:
            follower.addprevious(footnote_pr)
            return
    settings.append(footnote_pr)

