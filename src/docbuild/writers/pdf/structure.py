"""Repairs of WeasyPrint 70's structure tree, as small named passes.

WeasyPrint's PDF/UA-1 output is the start, not the end (Kozea/WeasyPrint#1836).
Each pass below fixes one thing and is tested on its own
(``tests/test_pdf_structure.py``); :func:`repair` runs them in order. Every
pass works on the generic tree, by HTML element and tag (recorded by
:mod:`.sources`), never on one shape of document.

- :func:`artifact_orphans`: running headers and footers are content no
  element reaches; they become ``/Artifact`` (Matterhorn 01-005).
- :func:`join_pieces`: an element laid out over several pages is one
  element per page; the pieces of one HTML element become one again.
- :func:`retag`: HTML elements WeasyPrint leaves ``NonStruct`` get their
  standard type (figure and aside → Div, em/strong → Span, a footnote →
  Note with an ``/ID``).
- :func:`figures`: a Figure's ``/BBox`` in default user space (WeasyPrint
  writes CSS pixels, y down), and no Caption inside an element with
  ``/Alt``, which replaces the element and its children (ISO 32000-1,
  Table 323): captions are the Figure's siblings.
- :func:`lists`: ``/ListNumbering`` on every list (Matterhorn 16-001).
- :func:`tables`: ``/Scope`` on every header cell (Matterhorn 15-003).
- :func:`notes`: each Note right after the reference that points to it,
  where a reader meets it, instead of after the page's text.
- :func:`drop_empty`: no element without content.
- :func:`languages`: ``/Lang`` on elements in another language (WCAG 3.1.2).
- :func:`strip_sources`: the private source records go; nothing leaves with them.
"""

from __future__ import annotations

import pikepdf

from ...errors import DocbuildError
from .sources import SOURCE_KEY

#: Structure types of ISO 32000-1 14.8.4; anything else needs a RoleMap entry (Matterhorn 02-001).
STANDARD_TYPES = frozenset(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 "
    "L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot "
    "Ruby RB RT RP Warichu WT WP Figure Formula Form".split()
)
#: Structure type for HTML tags WeasyPrint 70 tags NonStruct (by tag, then by tag.class).
RETAG = {
    "figure": "Div",
    "aside": "Div",
    "header": "Div",
    "footer": "Div",
    "em": "Span",
    "strong": "Span",
    "span.footnote": "Note",
    # The book's contents (book-pdf-front.html.j2): a TOC of TOCI, each holding a Reference to its chapter.
    "div.toc": "TOC",
    "div.toc-entry": "TOCI",
    "span.toc-reference": "Reference",
}
#: PDF list numbering by HTML list and depth, as print.css.j2 draws the markers.
LIST_NUMBERING = {
    "ol": ("/Decimal", "/LowerAlpha", "/LowerRoman"),
    # Nested bullets are en dashes (print.css.j2): arbitrary label text, /None.
    "ul": ("/Disc", "/None", "/None"),
}
#: CSS pixels per PDF point: WeasyPrint lays out in CSS px (96 per inch), PDF user space is 72 per inch.
PX = 0.75


def is_element(obj) -> bool:
    """True for a structure element (not an MCID, marked-content or object reference)."""
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj and obj.get("/Type") not in ("/MCR", "/OBJR")


def kids(element) -> list:
    value = element.get("/K")
    if value is None:
        return []
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def source(element) -> dict[str, str]:
    """The HTML source :mod:`.sources` recorded for ``element`` (key, tag, id, class, lang, scope...)."""
    record = element.get("/" + SOURCE_KEY)
    if record is None:
        return {}
    return {str(name)[1:].lower(): str(value) for name, value in record.items()}


class Tree:
    """WeasyPrint's structure tree, with what the passes need to move content safely."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.page_numbers = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        nums = self.root.ParentTree.Nums
        #: page index -> array of structure elements indexed by MCID (the ParentTree entries).
        self.parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2) if int(nums[i]) < len(pdf.pages)}

    def elements(self, element=None):
        """Every structure element below ``element`` (default: the root), in reading order."""
        for kid in kids(element if element is not None else self.root):
            if is_element(kid):
                yield kid
                yield from self.elements(kid)

    def document(self) -> pikepdf.Dictionary:
        found = [kid for kid in kids(self.root) if is_element(kid)]
        if len(found) != 1 or found[0].S != "/Document":
            raise DocbuildError("the PDF's structure tree does not start with one Document element")
        return found[0]

    def page_of(self, element) -> int:
        return self.page_numbers[element.Pg.objgen]

    def move_kid(self, kid, old_parent, new_parent):
        """``kid`` of ``old_parent`` as a kid of ``new_parent``: MCIDs re-pointed in the ParentTree."""
        if isinstance(kid, int) or (isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR"):
            if isinstance(kid, int):
                page, mcid = self.page_of(old_parent), int(kid)
            else:
                page = self.page_numbers[(kid.Pg if "/Pg" in kid else old_parent.Pg).objgen]
                mcid = int(kid.MCID)
            self.parents[page][mcid] = new_parent
            if page == self.page_of(new_parent):
                return mcid
            return pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=self.pdf.pages[page].obj, MCID=mcid)
        if is_element(kid):
            kid.P = new_parent
        return kid

    def redirect(self, removed: dict) -> None:
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


# --------------------------------------------------------------------------
# The passes


def artifact_orphans(tree: Tree) -> None:
    """Turn content whose MCID no element of the tree reaches into ``/Artifact``.

    These are the page-margin boxes (running header, "Page N of M"):
    WeasyPrint builds structure elements for them but links them nowhere.
    """
    reachable = {element.objgen for element in tree.elements()}
    for index, page in enumerate(tree.pdf.pages):
        parents = tree.parents.get(index)
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
                    operands = [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)]
            instructions.append(pikepdf.ContentStreamInstruction(operands, pikepdf.Operator(str(operator))))
        page.obj.Contents = tree.pdf.make_stream(pikepdf.unparse_content_stream(instructions))


def join_pieces(tree: Tree) -> None:
    """Make each HTML element one structure element, whatever the pages it spans.

    Walking the page-by-page tree in reading order, the first piece of an
    HTML element stands for it; a later piece hands its kids to the first
    and goes. An element whose source is its parent's (an anonymous box
    WeasyPrint wraps in a second element of the same type) is dissolved into
    its parent the same way.
    """
    canonical: dict[str, pikepdf.Dictionary] = {}
    removed: dict[tuple[int, int], pikepdf.Dictionary] = {}
    document = tree.document()

    def place(element, parent) -> None:
        key = source(element).get("key")
        target = canonical.get(key) if key else None
        if target is None and key and key == source(parent).get("key"):
            target = parent
        original = kids(element)
        if target is not None:
            removed[element.objgen] = target
        else:
            target = element
            if key:
                canonical[key] = element
            element.P = parent
            parent.K = pikepdf.Array(kids(parent) + [element])
            element.K = pikepdf.Array([])
        for kid in original:
            if is_element(kid):
                place(kid, target)
            else:
                target.K = pikepdf.Array(kids(target) + [tree.move_kid(kid, element, target)])

    top = kids(document)
    document.K = pikepdf.Array([])
    for kid in top:
        if is_element(kid):
            place(kid, document)
        else:
            document.K = pikepdf.Array(kids(document) + [kid])
    tree.redirect(removed)


def retag(tree: Tree) -> None:
    """Standard types for the HTML elements WeasyPrint tags NonStruct (see :data:`RETAG`)."""
    for element in tree.elements():
        record = source(element)
        tag = record.get("tag", "")
        classes = record.get("class", "").split()
        kind = next((RETAG[f"{tag}.{name}"] for name in classes if f"{tag}.{name}" in RETAG), RETAG.get(tag))
        if kind is None or str(element.S) not in ("/NonStruct", "/Span", "/Div"):
            continue
        element.S = pikepdf.Name("/" + kind)
        if kind == "Note":
            element.ID = pikepdf.String(record["id"])


def figures(tree: Tree) -> None:
    """Figure boxes in PDF user space, and captions out of any element that has ``/Alt``."""
    for element in list(tree.elements()):
        if element.S == "/Figure" and "/A" in element and "/BBox" in element.A:
            height = float(tree.pdf.pages[tree.page_of(element)].mediabox[3])
            x1, y1, x2, y2 = (float(v) for v in element.A.BBox)
            element.A.BBox = pikepdf.Array([x1 * PX, height - y2 * PX, x2 * PX, height - y1 * PX])
        if "/Alt" not in element:
            continue
        for kid in kids(element):
            if is_element(kid) and kid.S == "/Caption":
                _move_after(element, kid)


def _move_after(element, kid) -> None:
    """Take ``kid`` out of ``element`` and put it right after ``element`` in its parent."""
    element.K = pikepdf.Array([k for k in kids(element) if not (is_element(k) and k.objgen == kid.objgen)])
    parent = element.P
    siblings = kids(parent)
    at = next(i for i, k in enumerate(siblings) if is_element(k) and k.objgen == element.objgen)
    kid.P = parent
    parent.K = pikepdf.Array(siblings[: at + 1] + [kid] + siblings[at + 1:])


def lists(tree: Tree) -> None:
    """Lists as ISO 32000-1 14.8.4.3.3 wants them, with ``/ListNumbering`` (Matterhorn 16-001).

    WeasyPrint 70 gives an LI its marker (Lbl) and its content directly, and
    puts a nested list beside its item in the parent L. Here each LI holds a
    Lbl and one LBody with the content, a nested L inside the LBody of the
    item it belongs to (where the HTML has it), and every L says how it is
    numbered, from its HTML list type and depth as print.css.j2 draws it.
    """
    for element in list(tree.elements()):
        if element.S == "/L":
            _nest_lists(element)
        elif element.S == "/LI":
            _list_body(tree, element)

    def visit(element, depth: dict[str, int]) -> None:
        for kid in kids(element):
            if not is_element(kid):
                continue
            tag = source(kid).get("tag")
            if kid.S == "/L" and tag in LIST_NUMBERING:
                styles = LIST_NUMBERING[tag]
                level = depth.get(tag, 0)
                kid.A = pikepdf.Dictionary(O=pikepdf.Name.List, ListNumbering=pikepdf.Name(styles[min(level, len(styles) - 1)]))
                visit(kid, {**depth, tag: level + 1})
            else:
                visit(kid, depth)

    visit(tree.root, {})


def _list_body(tree: Tree, item) -> None:
    content = [kid for kid in kids(item) if not (is_element(kid) and kid.S in ("/Lbl", "/LBody"))]
    if not content:
        return
    labels = [kid for kid in kids(item) if is_element(kid) and kid.S == "/Lbl"]
    body = next((kid for kid in kids(item) if is_element(kid) and kid.S == "/LBody"), None)
    if body is None:
        body = tree.pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody, P=item, Pg=item.Pg, K=pikepdf.Array([]))
        )
    for kid in content:
        if is_element(kid):
            kid.P = body
    body.K = pikepdf.Array(kids(body) + content)
    item.K = pikepdf.Array(labels + [body])


def _nest_lists(element) -> None:
    """A nested L beside its item goes into that item (its LBody once :func:`_list_body` has run)."""
    result, previous = [], None
    for kid in kids(element):
        if is_element(kid) and kid.S == "/L" and previous is not None:
            kid.P = previous
            previous.K = pikepdf.Array(kids(previous) + [kid])
            continue
        if is_element(kid) and kid.S == "/LI":
            previous = kid
        result.append(kid)
    element.K = pikepdf.Array(result)


def tables(tree: Tree) -> None:
    """``/Scope`` on every TH, from its HTML ``scope`` (``col`` when absent, as a header row's cells)."""
    for element in tree.elements():
        if element.S != "/TH":
            continue
        scope = "/Row" if source(element).get("scope") == "row" else "/Column"
        attributes = element.get("/A")
        if not isinstance(attributes, pikepdf.Dictionary):
            attributes = element.A = pikepdf.Dictionary(O=pikepdf.Name.Table)
        attributes.Scope = pikepdf.Name(scope)


def notes(tree: Tree) -> None:
    """Move each Note (a footnote at the foot of its page) right after the Link that refers to it."""
    references = {}
    for element in tree.elements():
        record = source(element)
        if element.S == "/Link" and record.get("id", "").startswith("noteref-"):
            references[record["id"].removeprefix("noteref-")] = element
    for element in list(tree.elements()):
        if element.S != "/Note":
            continue
        label = str(element.ID).removeprefix("note-")
        reference = references.get(label)
        if reference is None:
            raise DocbuildError(f"the PDF has a note '{label}' that no reference points to")
        old = element.P
        old.K = pikepdf.Array([k for k in kids(old) if not (is_element(k) and k.objgen == element.objgen)])
        if not kids(old) and old.S == "/NonStruct":  # the page's emptied footnote area
            grand = old.P
            grand.K = pikepdf.Array([k for k in kids(grand) if not (is_element(k) and k.objgen == old.objgen)])
        parent = reference.P
        siblings = kids(parent)
        at = next(i for i, k in enumerate(siblings) if is_element(k) and k.objgen == reference.objgen)
        element.P = parent
        parent.K = pikepdf.Array(siblings[: at + 1] + [element] + siblings[at + 1:])


def drop_empty(tree: Tree) -> None:
    """Remove NonStruct and Span elements with nothing in them (a suppressed footnote call, for one)."""
    for element in reversed(list(tree.elements())):
        if element.S in ("/NonStruct", "/Span") and not kids(element):
            parent = element.P
            parent.K = pikepdf.Array([k for k in kids(parent) if not (is_element(k) and k.objgen == element.objgen)])


def languages(tree: Tree, document_lang: str) -> None:
    """``/Lang`` on every element whose HTML element declares another language than the document."""
    for element in tree.elements():
        lang = source(element).get("lang")
        if lang and lang != document_lang:
            element.Lang = pikepdf.String(lang)


def strip_sources(tree: Tree) -> None:
    for element in tree.elements():
        if "/" + SOURCE_KEY in element:
            del element["/" + SOURCE_KEY]
    # Elements no longer in the tree (margin boxes) may still hold one.
    for obj in tree.pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and "/" + SOURCE_KEY in obj:
            del obj["/" + SOURCE_KEY]


def check_types(tree: Tree) -> None:
    """Fail rather than ship a structure type no reader knows (Matterhorn 02-001)."""
    role_map = tree.root.get("/RoleMap", {})
    for element in tree.elements():
        kind = str(element.S)[1:]
        if kind not in STANDARD_TYPES and f"/{kind}" not in role_map:
            raise DocbuildError(f"the PDF has an unmapped structure type /{kind}")


def repair(pdf: pikepdf.Pdf, lang: str) -> None:
    """Every pass, in order."""
    tree = Tree(pdf)
    artifact_orphans(tree)
    join_pieces(tree)
    retag(tree)
    figures(tree)
    lists(tree)
    tables(tree)
    notes(tree)
    drop_empty(tree)
    languages(tree, lang)
    strip_sources(tree)
    check_types(tree)
