"""Word numbering (numbering.xml) for lists: real list numbers and bullets, never typed ones.

Two abstract definitions, one for bullets and one for numbers, each with
nine levels (``ilvl`` 0-8, the depth of nesting) indented 0.5 inch a level
with a 0.25 inch hanging number. Numbers go 1., a., i. and again by depth,
as the plain-text edition writes them; bullets go •, –, ‣, each set in
the first of the edition's embedded families that has it (Noto Naskh Arabic
has none of them; Noto Serif has all).

Every list (a nested one too) gets its own ``w:num`` instance; a numbered
one carries a ``w:lvlOverride/w:startOverride`` at its level, so it starts
at its ``List.start`` and never continues the numbering of an earlier list.
The template's own definitions (behind its List Bullet and List Number
styles) are kept for partners who use those styles.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from lxml import etree

from ...fonts import FontFamily, coverage
from .inlines import element

_LEVELS = 9
_NUMBER_FORMATS = ("decimal", "lowerLetter", "lowerRoman")
_BULLETS = ("\u2022", "\u2013", "\u2023")
#: Indentation of one level and the hanging indent of the number, in twentieths of a point.
_STEP, _HANGING = 720, 360
#: Fixed nsid values (a definition's identity in Word), so the bytes stay reproducible.
_NSIDS = {False: "5D0CB001", True: "5D0CB002"}


class Numbering:
    def __init__(self, document: DocumentObject, families: tuple[FontFamily, ...] | str = ()) -> None:
        """``families``: the edition's, the document's own first (a single family name will do)."""
        self.root = document.part.numbering_part.element
        abstract_ids = [int(a.get(qn("w:abstractNumId"))) for a in self.root.findall(qn("w:abstractNum"))]
        self.next_num = max((int(n.get(qn("w:numId"))) for n in self.root.findall(qn("w:num"))), default=0) + 1
        first = max(abstract_ids, default=-1) + 1
        self.abstract = {False: first, True: first + 1}
        definitions = [_abstract(self.abstract[ordered], ordered, families) for ordered in (False, True)]
        last = self.root.findall(qn("w:abstractNum"))
        if last:
            last[-1].addnext(definitions[0])
            definitions[0].addnext(definitions[1])
        else:  # every abstractNum comes before the first num
            self.root.insert(0, definitions[1])
            self.root.insert(0, definitions[0])

    def new_list(self, ordered: bool, level: int, start: int) -> int:
        """A new numbering instance for one list at ``level``; its numId."""
        num_id = self.next_num
        self.next_num += 1
        num = element("w:num", numId=str(num_id))
        num.append(element("w:abstractNumId", val=str(self.abstract[ordered])))
        if ordered:
            override = element("w:lvlOverride", ilvl=str(level))
            override.append(element("w:startOverride", val=str(start)))
            num.append(override)
        self.root.append(num)
        return num_id


def bullet_family(families: tuple[FontFamily, ...] | str, bullet: str) -> str | None:
    """The first family that has ``bullet`` in all its faces; None leaves the document's font."""
    if isinstance(families, str):
        return families
    for family in families:
        if ord(bullet) in coverage(family.faces):
            return family.name
    return families[0].name if families else None


def _abstract(abstract_id: int, ordered: bool, families: tuple[FontFamily, ...] | str) -> etree._Element:
    abstract = element("w:abstractNum", abstractNumId=str(abstract_id))
    abstract.append(element("w:nsid", val=_NSIDS[ordered]))
    abstract.append(element("w:multiLevelType", val="hybridMultilevel"))
    for level in range(_LEVELS):
        lvl = element("w:lvl", ilvl=str(level))
        lvl.append(element("w:start", val="1"))
        if ordered:
            lvl.append(element("w:numFmt", val=_NUMBER_FORMATS[level % 3]))
            lvl.append(element("w:lvlText", val=f"%{level + 1}."))
        else:
            lvl.append(element("w:numFmt", val="bullet"))
            lvl.append(element("w:lvlText", val=_BULLETS[level % 3]))
        lvl.append(element("w:lvlJc", val="left"))
        ppr = element("w:pPr")
        ppr.append(element("w:ind", left=str(indent(level)), hanging=str(_HANGING)))
        lvl.append(ppr)
        family = None if ordered else bullet_family(families, _BULLETS[level % 3])
        if family is not None:
            rpr = element("w:rPr")
            rpr.append(element("w:rFonts", ascii=family, hAnsi=family, cs=family, hint="default"))
            lvl.append(rpr)
        abstract.append(lvl)
    return abstract


def indent(level: int) -> int:
    """The left indent of the text of a list item at ``level``, in twips."""
    return _STEP * (level + 1)
