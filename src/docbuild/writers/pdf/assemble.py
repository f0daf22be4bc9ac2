"""One PDF from the book's laid-out parts: the front matter, then each chapter, with pikepdf.

Every part is a finished tagged PDF/UA-1 file (:mod:`.book` lays them out).
The front matter is the base: its catalog (``/Lang``, ``/MarkInfo``,
``/ViewerPreferences``), its XMP metadata and document information (the
book's title, publisher, description and dates, written by the same
WeasyPrint as every chapter's) and its structure tree stay. Each chapter
then brings, after a blank verso page where it would otherwise start on a
left-hand page:

- its pages, with their annotations;
- its structure tree: its ``Document`` element becomes a ``Part`` of the
  book's ``Document``, with the chapter's ``/Lang`` and title (``/T``);
- its ``ParentTree`` entries: pages' ``/StructParents`` and annotations'
  ``/StructParent`` are numbered again across the book;
- its named destinations, links and note ``/ID`` values, prefixed with the
  chapter id (``kazakhstan/note-1``): every chapter has a ``title`` and
  many have ``note-1``;
- its bookmarks, under the book's: book → chapter → section;
- ``/RoleMap`` and ``/ClassMap`` entries, merged (a conflict is an error).

Blank pages are empty (no content stream, no structure): artifacts by
having no content. The contents' links (``docbuild-book:<id>``, see
``book-pdf-front.html.j2``) become links to their chapter's first page. Page
labels say what the folios print: 1, 2, 3... from the cover on.
"""

from __future__ import annotations

import io
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Callable, Sequence

import pikepdf

from ...errors import DocbuildError
from .save import deterministic_bytes
from .structure import is_element, kids

#: URL scheme of the contents' links in the laid-out front matter (book-pdf-front.html.j2); assembled, they lead to the chapters.
TOC_SCHEME = "docbuild-book:"


@dataclass(frozen=True)
class Piece:
    """One chapter of the book, laid out: its PDF and what the book says of it."""

    id: str
    lang: str
    title: str
    data: bytes


@dataclass
class _Outline:
    title: str
    destination: pikepdf.Object | None
    children: list["_Outline"]


def assemble(front: bytes, pieces: Sequence[Piece], *, lang: str, title: str,
             page_label: Callable[[int], str]) -> bytes:
    """The book: ``front`` (cover and contents), then every piece starting on a right-hand page."""
    with ExitStack() as stack:
        # Sources stay open until the book is saved: copied streams are read from them then.
        pdf = stack.enter_context(pikepdf.open(io.BytesIO(front)))
        root = pdf.Root.StructTreeRoot
        document = _document(root)
        values: dict[tuple[int, int], pikepdf.Object] = {}  # page or annotation -> its ParentTree value
        _collect_values(pdf.pages, _numbers(root.ParentTree), values)
        front_outline = _outline(pdf, None)
        named: dict[str, pikepdf.Object] = {
            name: dest for name, dest in _destinations(pdf).items()
        }
        chapters: list[tuple[Piece, int, list[_Outline]]] = []
        ids = [(str(element.ID), element) for element in _elements(root) if "/ID" in element]
        languages = [lang]
        for piece in pieces:
            if len(pdf.pages) % 2:
                _blank_page(pdf)
            first = len(pdf.pages)
            src = stack.enter_context(pikepdf.open(io.BytesIO(piece.data)))
            identified = _prefix_names(src, piece.id + "/")
            src_root = src.Root.StructTreeRoot
            src_document = _document(src_root)
            del src_document["/P"]
            numbers = _numbers(src_root.ParentTree)
            for page in src.pages:
                pdf.pages.append(page)
            part = pdf.copy_foreign(src_document)
            ids += [(name, pdf.copy_foreign(element)) for name, element in identified]
            copied = pdf.copy_foreign(src.make_indirect(pikepdf.Array([value for _, value in numbers])))
            _collect_values(pdf.pages[first:], [(key, value) for (key, _), value in zip(numbers, copied)], values)
            part.S = pikepdf.Name.Part
            part.Lang = pikepdf.String(piece.lang)
            part.T = pikepdf.String(piece.title)
            part.P = document
            document.K = pikepdf.Array(kids(document) + [part])
            for key in ("/RoleMap", "/ClassMap"):
                _merge_map(pdf, src, root, src_root, key)
            for name, dest in _destinations(src).items():
                named[name] = _copy(pdf, src, dest)
            chapters.append((piece, first, _outline(pdf, src)))
            if piece.lang not in languages:
                languages.append(piece.lang)
        _parent_tree(pdf, root, values)
        _id_tree(pdf, root, ids)
        _contents_links(pdf, {piece.id: (first, named.get(f"{piece.id}/title")) for piece, first, _ in chapters},
                        {piece.id: piece.title for piece, _, _ in chapters}, page_label)
        _names(pdf, named)
        _bookmarks(pdf, title, front_outline, [outline for _, _, outline in chapters])
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Dictionary(S=pikepdf.Name.D)]))
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:language"] = languages
        return deterministic_bytes(pdf)


def _document(root) -> pikepdf.Dictionary:
    found = [kid for kid in kids(root) if is_element(kid)]
    if len(found) != 1 or found[0].S != "/Document":
        raise DocbuildError("a part of the book has no Document element at the root of its structure tree")
    return found[0]


def _numbers(tree) -> list[tuple[int, pikepdf.Object]]:
    """A number tree's (key, value) pairs, in order, through any /Kids."""
    found = []
    if "/Nums" in tree:
        nums = tree.Nums
        found += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in tree.get("/Kids", []):
        found += _numbers(kid)
    return sorted(found, key=lambda pair: pair[0])


def _collect_values(pages, numbers, values) -> None:
    """Note each page's and annotation's ParentTree value, by object, before the keys are numbered again."""
    by_key = dict(numbers)
    for page in pages:
        if "/StructParents" in page.obj:
            values[page.obj.objgen] = by_key[int(page.obj.StructParents)]
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                values[annot.objgen] = by_key[int(annot.StructParent)]


def _parent_tree(pdf: pikepdf.Pdf, root, values) -> None:
    """Number the book's pages, then its annotations, and write one ParentTree for all of them."""
    nums = []
    key = 0
    for page in pdf.pages:
        if "/StructParents" in page.obj:
            nums += [key, values[page.obj.objgen]]
            page.obj.StructParents = key
            key += 1
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            if "/StructParent" in annot:
                nums += [key, values[annot.objgen]]
                annot.StructParent = key
                key += 1
    root.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))
    root.ParentTreeNextKey = key


def _elements(node):
    for kid in kids(node):
        if is_element(kid):
            yield kid
            yield from _elements(kid)


def _id_tree(pdf: pikepdf.Pdf, root, identified: list[tuple[str, pikepdf.Object]]) -> None:
    """An /IDTree for the elements with an /ID (ISO 32000-1, 14.7.2: required when any has one)."""
    ids = {}
    for name, element in identified:
        if name in ids:
            raise DocbuildError(f"two structure elements of the book have the /ID '{name}'")
        ids[name] = element
    if "/IDTree" in root:
        del root["/IDTree"]
    if ids:
        tree = pikepdf.NameTree.new(pdf)
        for name in sorted(ids):
            tree[name] = ids[name]
        root.IDTree = tree.obj


def _prefix_names(src: pikepdf.Pdf, prefix: str) -> list[tuple[str, pikepdf.Object]]:
    """Named destinations, the links to them and note /IDs of one chapter, prefixed with its id.

    Returns the elements with an /ID, with their new /ID.
    """
    names = src.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary) and "/Dests" in names:
        old = _destinations(src)
        tree = pikepdf.NameTree.new(src)
        for name in sorted(old):
            tree[prefix + name] = old[name]
        names.Dests = tree.obj
    for page in src.pages:
        for annot in page.obj.get("/Annots", []):
            if isinstance(annot.get("/Dest"), (pikepdf.String, pikepdf.Name)):
                annot.Dest = pikepdf.String(prefix + str(annot.Dest).lstrip("/"))
            action = annot.get("/A")
            if isinstance(action, pikepdf.Dictionary) and action.get("/S") == "/GoTo" and isinstance(
                    action.get("/D"), (pikepdf.String, pikepdf.Name)):
                action.D = pikepdf.String(prefix + str(action.D).lstrip("/"))
    outlines = src.Root.get("/Outlines")
    item = outlines.get("/First") if isinstance(outlines, pikepdf.Dictionary) else None
    pending = [item] if item is not None else []
    while pending:
        item = pending.pop()
        if isinstance(item.get("/Dest"), (pikepdf.String, pikepdf.Name)):
            item.Dest = pikepdf.String(prefix + str(item.Dest).lstrip("/"))
        pending += [item[key] for key in ("/First", "/Next") if key in item]
    identified = []
    for element in _elements(src.Root.StructTreeRoot):
        if "/ID" in element:
            element.ID = pikepdf.String(prefix + str(element.ID))
            identified.append((str(element.ID), element))
    return identified


def _destinations(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Object]:
    names = pdf.Root.get("/Names")
    if not isinstance(names, pikepdf.Dictionary) or "/Dests" not in names:
        return {}
    return {str(name): dest for name, dest in pikepdf.NameTree(names.Dests).items()}


def _names(pdf: pikepdf.Pdf, named: dict[str, pikepdf.Object]) -> None:
    tree = pikepdf.NameTree.new(pdf)
    for name in sorted(named):
        tree[name] = named[name]
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = tree.obj


def _copy(pdf: pikepdf.Pdf, src: pikepdf.Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """``obj`` of ``src`` in ``pdf``, its page references the pages already copied."""
    if src is pdf or not isinstance(obj, (pikepdf.Array, pikepdf.Dictionary, pikepdf.Stream)):
        return obj
    return pdf.copy_foreign(obj if obj.is_indirect else src.make_indirect(obj))


def _merge_map(pdf: pikepdf.Pdf, src: pikepdf.Pdf, root, src_root, key: str) -> None:
    theirs = src_root.get(key)
    if not isinstance(theirs, pikepdf.Dictionary):
        return
    if not isinstance(root.get(key), pikepdf.Dictionary):
        root[key] = pikepdf.Dictionary()
    ours = root[key]
    for name, value in theirs.items():
        value = _copy(pdf, src, value)
        if name in ours and repr(ours[name]) != repr(value):
            raise DocbuildError(f"the chapters of the book map {name} differently in their structure {key}")
        ours[name] = value


def _blank_page(pdf: pikepdf.Pdf) -> None:
    """An empty verso: no content stream at all (ISO 32000-1, 7.7.3.3: the page is empty), no structure.

    Not an empty stream: saved with compression, it becomes an empty
    FlateDecode stream, which pdf.js warns about.
    """
    box = pdf.pages[-1].mediabox
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=pikepdf.Array(list(box)),
        Resources=pikepdf.Dictionary(),
    )
    pdf.pages.append(pikepdf.Page(page))


def _outline(pdf: pikepdf.Pdf, src: pikepdf.Pdf | None) -> list[_Outline]:
    """The bookmarks of ``src`` copied into ``pdf`` (``src`` None: those of ``pdf``)."""
    outlines = (src or pdf).Root.get("/Outlines")
    return _outline_items(pdf, src, outlines.get("/First") if isinstance(outlines, pikepdf.Dictionary) else None)


def _outline_items(pdf: pikepdf.Pdf, src: pikepdf.Pdf | None, item) -> list[_Outline]:
    found = []
    while isinstance(item, pikepdf.Dictionary):
        dest = item.get("/Dest")
        if dest is None and isinstance(item.get("/A"), pikepdf.Dictionary):
            dest = item.A.get("/D")
        if src is not None:
            dest = _copy(pdf, src, dest)
        found.append(_Outline(str(item.get("/Title", "")), dest, _outline_items(pdf, src, item.get("/First"))))
        item = item.get("/Next")
    return found


def _bookmarks(pdf: pikepdf.Pdf, title: str, front: list[_Outline], chapters: list[list[_Outline]]) -> None:
    """Book → (contents, chapters) → sections: the book's title opens on the cover."""

    def item(node: _Outline, closed: bool) -> pikepdf.OutlineItem:
        made = pikepdf.OutlineItem(node.title, destination=node.destination)
        made.children.extend(item(child, False) for child in node.children)
        made.is_closed = closed and bool(node.children)
        return made

    with pdf.open_outline() as outline:
        outline.root.clear()
        book = pikepdf.OutlineItem(title, destination=pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit]))
        book.children.extend(item(node, False) for node in front)
        for nodes in chapters:
            book.children.extend(item(node, True) for node in nodes)
        outline.root.append(book)


def _contents_links(pdf: pikepdf.Pdf, starts: dict, titles: dict[str, str], page_label: Callable[[int], str]) -> None:
    """Each link of the contents (``docbuild-book:<id>``) to its chapter's title on its first page."""
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if isinstance(action, pikepdf.Dictionary) else ""
            if not uri.startswith(TOC_SCHEME):
                continue
            chapter = uri.removeprefix(TOC_SCHEME)
            if chapter not in starts:
                raise DocbuildError(f"the book's contents link to a chapter '{chapter}' it does not have")
            first, dest = starts[chapter]
            if dest is None:
                dest = pikepdf.Array([pdf.pages[first].obj, pikepdf.Name.Fit])
            del annot["/A"]
            annot.Dest = dest
            annot.Contents = pikepdf.String(f"{titles[chapter]}, {page_label(first + 1)}")
