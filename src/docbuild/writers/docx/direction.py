"""Scripts and direction in the DOCX: the font of each run, and right to left.

Word sets a run in one of the four fonts of ``w:rFonts``: ``w:ascii`` and
``w:hAnsi`` for Latin and Cyrillic, ``w:cs`` for a complex script (Arabic)
and for every character of a run marked ``w:rtl`` (or ``w:cs``). Only one
family fits each slot, where the PDF's CSS falls back from family to family
character by character. So the runs are split here, after the writer has made
them, the way that fallback would go:

* **Fonts.** The document defaults (:mod:`.styles`) name the Latin/Cyrillic
  family in ``w:ascii``/``w:hAnsi`` and the complex script's family in
  ``w:cs`` (the Latin one when the edition has none). Each character is set
  in the family of its script (``layouts/scripts.toml``) if that family has
  it, else in the first of the edition's families that does; spaces,
  digits and punctuation go with the letters around them when those letters'
  family has them. A run set in another family than the edition's own (an
  Arabic word in an English chapter, an English name in an Arabic one, a
  bracket Noto Naskh Arabic lacks) names it in ``w:rFonts`` (all of
  ``ascii``, ``hAnsi`` and ``cs``, so Word's choice of slot and LibreOffice's,
  which goes by each character's script, agree).
* **Direction.** A run of right-to-left letters (Unicode bidi class R, AL or
  AN) is ``w:rtl``; spaces and punctuation between two letters of the same
  direction take theirs, others the direction of the text they are in (the
  span's language, else the chapter's), as the Unicode bidirectional
  algorithm resolves them. A run of a complex script written left to right
  is ``w:cs``. So an English span in an Arabic chapter has no ``w:rtl``, and
  an Arabic word in an English chapter has it.
* **Languages.** Runs of a span carry the span's tag in ``w:lang`` from the
  writer; here it becomes the DOCX locale of the language's data file
  (``en`` -> ``en-US``), in ``w:bidi`` as well on a right-to-left or
  complex-script run (Word reads that slot there).
* **Right-to-left chapters** (``direction = "rtl"`` in
  ``layouts/languages/``): every paragraph has ``w:bidi`` (the footnotes and
  the footer too, and the style defaults, so a paragraph an editor adds is
  right to left as well), every table ``w:bidiVisual`` (its first column on
  the right), the section ``w:bidi`` and ``w:rtlGutter``, and every list level
  ``w:bidi``, so the numbers stand on the right.

No language code appears here: a language's direction and locale come from
its data file, a script's family from ``scripts.toml``, a character's
direction from Unicode.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

from ...fonts import FontFamily, coverage
from ...languages import Language, find_language, locale
from ...scripts import Scripts, load_scripts
from .inlines import element

#: Children of w:rPr, w:pPr, w:tblPr, w:sectPr and w:lvl in the schema's order (ECMA-376 Part 1).
_ORDER = {
    "w:rPr": ("w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
              "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish",
              "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight",
              "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
              "w:eastAsianLayout", "w:specVanish", "w:oMath"),
    "w:pPr": ("w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
              "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
              "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
              "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
              "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange"),
    "w:tblPr": ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"),
    "w:sectPr": ("w:headerReference", "w:footerReference", "w:footnotePr", "w:endnotePr", "w:type", "w:pgSz",
                 "w:pgMar", "w:paperSrc", "w:pgBorders", "w:lnNumType", "w:pgNumType", "w:cols", "w:formProt",
                 "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection", "w:bidi", "w:rtlGutter", "w:docGrid",
                 "w:printerSettings", "w:sectPrChange"),
    "w:lvl": ("w:start", "w:numFmt", "w:lvlRestart", "w:pStyle", "w:isLgl", "w:suff", "w:lvlText",
              "w:lvlPicBulletId", "w:legacy", "w:lvlJc", "w:pPr", "w:rPr"),
}
_ORDER_INDEX = {parent: {qn(tag): index for index, tag in enumerate(tags)} for parent, tags in _ORDER.items()}

#: Parts whose paragraphs and runs are the document's text.
_TEXT_PARTS = re.compile(r"^word/(document|footnotes|endnotes|header\d*|footer\d*)\.xml$")
#: Bidi classes of strong right-to-left characters (Arabic digits go with the Arabic letters).
_RTL = frozenset(("R", "AL", "AN"))
#: Characters that belong to the one before them: combining marks, joiners, the soft hyphen.
_ATTACHED = frozenset(("NSM", "BN"))
#: Direction marks only steer the characters around them; they take any run's side.
_MARKS = frozenset("\u200e\u200f\u061c")


def put(parent: etree._Element, child: etree._Element, kind: str) -> etree._Element:
    """Put ``child`` into ``parent`` (a ``kind`` such as "w:rPr") at its place in the schema's
    order, replacing an element of the same name; returns ``child``."""
    order = _ORDER_INDEX[kind]
    old = parent.find(child.tag)
    if old is not None:
        old.addprevious(child)
        parent.remove(old)
        return child
    rank = order[child.tag]
    for index, existing in enumerate(parent):
        if order.get(existing.tag, -1) > rank:
            parent.insert(index, child)
            return child
    parent.append(child)
    return child


def properties(parent: etree._Element, tag: str, kind: str | None = None) -> etree._Element:
    """The ``tag`` child (``w:rPr``, ``w:pPr``) of ``parent``, made as its first child if missing
    (or at its place in ``kind``'s order)."""
    found = parent.find(qn(tag))
    if found is None:
        found = element(tag)
        if kind is None:
            parent.insert(0, found)
        else:
            put(parent, found, kind)
    return found


@dataclass
class Writing:
    """How an edition's text is set: its language, its families, the scripts table.

    It is also the sequence of its families (document's own first), so it can be
    passed wherever the families are: ``check_glyphs(chapter, writing, ...)``.
    """

    language: Language
    families: tuple[FontFamily, ...]
    layouts: Path
    typeface: str = "serif"
    scripts: Scripts = field(init=False)

    def __post_init__(self) -> None:
        self.scripts = load_scripts(self.layouts)
        self._coverage = {family.name: coverage(family.faces) for family in self.families}
        self._family_cache: dict[tuple[str, tuple[str, ...]], str] = {}

    def __iter__(self):
        return iter(self.families)

    def __len__(self) -> int:
        return len(self.families)

    def __getitem__(self, index):
        return self.families[index]

    @property
    def rtl(self) -> bool:
        return self.language.rtl

    @property
    def locale(self) -> str:
        return self.language.docx_locale

    @property
    def primary(self) -> str:
        """The family of the edition's own script: the document's font."""
        return self.families[0].name

    @property
    def latin(self) -> str:
        """The ``w:ascii``/``w:hAnsi`` family: that of the first script that is not complex."""
        return next((f.name for f in self.families if not f.script.complex), self.primary)

    @property
    def complex(self) -> str:
        """The ``w:cs`` family: the complex script's, or the Latin one when the edition has none."""
        return next((f.name for f in self.families if f.script.complex), self.latin)

    def plain(self, text: str) -> bool:
        """True if all of ``text`` is left to right (nothing from Hebrew, U+0590, on) and in
        the document's own family, which is the Latin/Cyrillic one: a single run, as it is."""
        if self.primary != self.latin:
            return False
        covered = self._coverage[self.primary]
        return all(ord(char) < 0x0590 and ord(char) in covered for char in text)

    def is_complex(self, family: str) -> bool:
        return any(f.name == family and f.script.complex for f in self.families)

    def family_with(self, char: str, preferred: tuple[str, ...] = ()) -> str:
        """The family ``char`` is set in: the first of ``preferred`` that has it, else its script's
        family, else the first of the edition's families that has it (the PDF's fallback)."""
        key = (char, preferred)
        found = self._family_cache.get(key)
        if found is None:
            found = self._family_with(char, preferred)
            self._family_cache[key] = found
        return found

    def _family_with(self, char: str, preferred: tuple[str, ...]) -> str:
        code = ord(char)
        for name in preferred:
            if code in self._coverage.get(name, ()):
                return name
        script = self.scripts.of(char)
        if script is not None:
            name = script.family(self.typeface)
            if code in self._coverage.get(name, ()):
                return name
        for family in self.families:
            if code in self._coverage[family.name]:
                return family.name
        return preferred[0] if preferred else self.primary

    def direction_of(self, tag: str | None, text: str) -> bool:
        """True if text in language ``tag`` (None: the edition's) runs right to left: its data
        file says; without one, its first strong character; else the edition's direction."""
        if tag is None:
            return self.rtl
        language = find_language(self.layouts, tag)
        if language is not None:
            return language.rtl
        for char in text:
            kind = unicodedata.bidirectional(char)
            if kind in _RTL or kind == "L":
                return kind in _RTL
        return self.rtl


@dataclass(frozen=True)
class Segment:
    text: str
    rtl: bool
    family: str


def segments(text: str, base_rtl: bool, writing: Writing) -> list[Segment]:
    """``text`` cut where its direction or font changes (see the module's docstring)."""
    if not text:
        return []
    if not base_rtl and writing.plain(text):  # most runs of a left-to-right edition: nothing to cut
        return [Segment(text, False, writing.primary)]
    # Strong direction of each character, None for neutrals, "attached" for marks that follow.
    kinds: list[bool | str | None] = []
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if char in _MARKS:
            kinds.append(None)
        elif bidi in _ATTACHED or unicodedata.category(char) in ("Mn", "Me"):
            kinds.append("attached")
        elif bidi in _RTL:
            kinds.append(True)
        elif bidi == "L":
            kinds.append(False)
        else:
            kinds.append(None)
    count = len(text)
    directions: list[bool] = [base_rtl] * count
    families: list[str] = [writing.primary] * count
    strong = [i for i, kind in enumerate(kinds) if isinstance(kind, bool)]
    for i in strong:
        directions[i] = bool(kinds[i])
        families[i] = writing.family_with(text[i])
    # Neutrals between two strong characters of one direction take it; others the base direction.
    previous: int | None = None
    index = 0
    while index < count:
        if kinds[index] is not None:
            if isinstance(kinds[index], bool):
                previous = index
            index += 1
            continue
        end = index
        while end < count and kinds[end] is None:
            end += 1
        following = next((j for j in range(end, count) if isinstance(kinds[j], bool)), None)
        before = directions[previous] if previous is not None else base_rtl
        after = directions[following] if following is not None else base_rtl
        resolved = before if before == after else base_rtl
        sides = [j for j in (previous, following) if j is not None]
        preferred = tuple(dict.fromkeys(
            [families[j] for j in sides if directions[j] == resolved] + [families[j] for j in sides]
        ))
        if not sides:
            preferred = (writing.primary,)
        for j in range(index, end):
            directions[j] = resolved
            families[j] = writing.family_with(text[j], preferred)
        index = end
    for i, kind in enumerate(kinds):  # a mark stays with the character before it
        if kind == "attached" and i > 0:
            directions[i], families[i] = directions[i - 1], families[i - 1]
        elif kind == "attached":
            directions[i] = base_rtl
            families[i] = writing.family_with(text[i], (writing.primary,))
    out: list[Segment] = []
    start = 0
    for i in range(1, count + 1):
        if i == count or (directions[i], families[i]) != (directions[start], families[start]):
            out.append(Segment(text[start:i], directions[start], families[start]))
            start = i
    return out


# --------------------------------------------------------------------------
# The passes over the saved parts


def apply(parts: dict[str, bytes], writing: Writing) -> dict[str, bytes]:
    """Fonts, direction and languages of every run; for a right-to-left edition, every
    paragraph, table, section and list level right to left too."""
    for name in sorted(parts):
        if _TEXT_PARTS.match(name):
            root = etree.fromstring(parts[name])
            set_runs(root, writing)
            if writing.rtl:
                right_to_left(root)
            parts[name] = _xml(root)
    if writing.rtl and "word/numbering.xml" in parts:
        root = etree.fromstring(parts["word/numbering.xml"])
        for level in root.iter(qn("w:lvl")):
            put(properties(level, "w:pPr", "w:lvl"), element("w:bidi"), "w:pPr")
        parts["word/numbering.xml"] = _xml(root)
    return parts


def right_to_left(root: etree._Element) -> None:
    """``w:bidi`` on every paragraph and section, ``w:bidiVisual`` on every table.

    In a ``w:bidi`` paragraph Word (and LibreOffice after it) reads ``w:jc``
    "left" and "right" as the start and the end of the line, so a table column
    aligned right (``---:``, right as on the PDF's page) is written "left" there.
    """
    swapped = {"left": "right", "right": "left"}
    for paragraph in root.iter(qn("w:p")):
        ppr = properties(paragraph, "w:pPr")
        put(ppr, element("w:bidi"), "w:pPr")
        jc = ppr.find(qn("w:jc"))
        if jc is not None and jc.get(qn("w:val")) in swapped:
            jc.set(qn("w:val"), swapped[jc.get(qn("w:val"))])
    for table in root.iter(qn("w:tbl")):
        put(properties(table, "w:tblPr"), element("w:bidiVisual"), "w:tblPr")
    for section in root.iter(qn("w:sectPr")):
        put(section, element("w:bidi"), "w:sectPr")
        put(section, element("w:rtlGutter"), "w:sectPr")


def set_runs(root: etree._Element, writing: Writing) -> None:
    """Split and mark every run of ``root`` (see the module's docstring)."""
    for run in list(root.iter(qn("w:r"))):
        rpr = run.find(qn("w:rPr"))
        lang = rpr.find(qn("w:lang")) if rpr is not None else None
        tag = lang.get(qn("w:val")) if lang is not None else None
        content = [child for child in run if child.tag != qn("w:rPr")]
        texts = [child for child in content if child.tag == qn("w:t")]
        text = "".join(t.text or "" for t in texts)
        base_rtl = writing.direction_of(tag, text)
        if not texts or len(texts) != len(content):  # a field, a note mark, a picture: no text to split
            _mark(run, Segment("", base_rtl, writing.primary), writing, tag)
            continue
        pieces = segments(text, base_rtl, writing)
        if len(pieces) == 1:
            _mark(run, pieces[0], writing, tag)
            continue
        for piece in pieces:
            twin = copy.deepcopy(run)
            for t in twin.findall(qn("w:t")):
                twin.remove(t)
            node = element("w:t")
            if piece.text != piece.text.strip():
                node.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            node.text = piece.text
            twin.append(node)
            _mark(twin, piece, writing, tag)
            run.addprevious(twin)
        run.getparent().remove(run)


def _mark(run: etree._Element, piece: Segment, writing: Writing, tag: str | None) -> None:
    complex_script = writing.is_complex(piece.family)
    explicit = piece.text and piece.family != writing.primary
    if not (piece.rtl or complex_script or explicit or tag is not None):
        return
    rpr = properties(run, "w:rPr")
    if explicit:
        put(rpr, element("w:rFonts", ascii=piece.family, hAnsi=piece.family, cs=piece.family), "w:rPr")
    if piece.rtl:
        put(rpr, element("w:rtl"), "w:rPr")
    elif complex_script and piece.text:
        put(rpr, element("w:cs"), "w:rPr")
    if tag is not None:
        lang = rpr.find(qn("w:lang"))
        tag_locale = locale(writing.layouts, tag)
        lang.set(qn("w:val"), tag_locale)
        if piece.rtl or complex_script:
            lang.set(qn("w:bidi"), tag_locale)
    if not len(rpr):
        run.remove(rpr)


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
