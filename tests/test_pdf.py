"""The tagged PDF/UA-1 edition, checked with readers independent of the writer.

pikepdf reads the file's objects; poppler's pdfinfo, pdffonts and pdftotext
read it as a viewer would. Rule ids are those of ../shared/accessibility.md
(Matterhorn Protocol 1.02 checkpoints, WCAG success criteria).
"""

from __future__ import annotations

import io
import re
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from docbuild.build import build
from docbuild.edition import Edition
from docbuild.errors import DocbuildError
from docbuild.fetcher import ProjectFetcher
from docbuild.labels import load_labels
from docbuild.languages import right_to_left
from docbuild.model import BlockQuote, Box, Figure, List, Paragraph, Section, Span, Table, chapter_links, plain_text, spans
from docbuild.project import Project
from docbuild.reader import read_project

from conftest import ROOT, require_tool

#: Every chapter and language of the project: (chapter id, lang).
EDITIONS = [(cs.id, c.lang) for cs in read_project(Project.at(ROOT)) for c in cs.variants]
LANGS = ("en", "ru")
#: Operators that put marks on the page (ISO 32000-1 8.2, 9.4.3, 8.8).
PAINTING = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Tj", "TJ", "'", '"', "Do", "sh", "BI"}


@pytest.fixture(scope="module")
def chapters():
    """(chapter id, lang) -> Chapter; ``chapters[lang]`` is the Kazakhstan chapter."""
    found = {(cs.id, c.lang): c for cs in read_project(Project.at(ROOT), None) for c in cs.variants}
    found.update({lang: found["kazakhstan", lang] for lang in LANGS})
    return found


@pytest.fixture(scope="module")
def pdfs(dist) -> dict:
    """(chapter id, lang) -> PDF path; ``pdfs[lang]`` is the Kazakhstan chapter's."""
    out = dist("pdf")
    found = {(chapter, lang): out / f"{chapter}-{lang}.pdf" for chapter, lang in EDITIONS}
    found.update({lang: found["kazakhstan", lang] for lang in LANGS})
    return found


def _run(*args: str) -> str:
    require_tool(args[0])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def _normal(text: str) -> str:
    """Whitespace-normalised text; a soft hyphen, or a hyphen, at a line end does not split the word."""
    text = re.sub("\u00ad\\s*", "", text)
    text = re.sub("-\n", "-", text).replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(text.split())


def _elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Structure elements in reading (pre-)order."""
    found: list[pikepdf.Dictionary] = []

    def walk(node: pikepdf.Object) -> None:
        kids = node.get("/K")
        kids = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                found.append(kid)
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return found


def _struct_texts(path: Path) -> list[tuple[str, str]]:
    """(type, text) of every structure element in reading order, as poppler reads them."""
    rows: list[list] = []  # [depth, type, text]
    for line in _run("pdfinfo", "-struct-text", str(path)).splitlines():
        body = line.lstrip(" ")
        depth = len(line) - len(body)
        if body.startswith('"'):
            text = body[1:-1]
            for row in reversed(rows):  # the element and its ancestors
                if row[0] < depth:
                    row[2] += text
                    depth = row[0]
        elif body and not body.startswith(("/", "Object ")):  # "Object n g": an annotation (OBJR)
            rows.append([depth, body.split()[0].rstrip(":"), ""])
    return [(kind, text) for _, kind, text in rows]


# --------------------------------------------------------------------------
# Catalog and metadata


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_marked_lang_display_title(pdfs, lang):
    """Matterhorn 01-001 (MarkInfo), 11-006 (Lang), 07-001 (DisplayDocTitle); WCAG 3.1.1."""
    with pikepdf.open(pdfs[lang]) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True
        assert str(root.Lang) == lang
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert "/StructTreeRoot" in root


@pytest.mark.parametrize("lang", LANGS)
def test_xmp_pdfua_part_and_title(pdfs, chapters, lang):
    """Matterhorn 06-002 (dc:title), 06-003 (pdfuaid:part = 1)."""
    meta = chapters[lang].meta
    with pikepdf.open(pdfs[lang]) as pdf:
        xmp = pdf.open_metadata()
        assert xmp["pdfuaid:part"] == "1"
        assert xmp["dc:title"] == f"{meta.title}: {meta.subtitle}"
        assert set(xmp["dc:language"]) == {lang}


@pytest.mark.parametrize("lang", LANGS)
def test_pdfinfo_tagged_metadata_and_dates(pdfs, chapters, lang):
    """pdfinfo: Tagged: yes; title, author, subject, keywords; dates from the source, not the clock."""
    info = _run("pdfinfo", "-isodates", str(pdfs[lang]))
    meta = chapters[lang].meta
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(rf"^Title:\s+{re.escape(meta.title)}: ", info, re.M)
    assert re.search(rf"^Author:\s+{re.escape(meta.author)}$", info, re.M)
    assert re.search(r"^Subject:\s+\S", info, re.M)
    assert re.search(rf"^Keywords:\s+{re.escape(meta.keywords[0])}, ", info, re.M)
    assert re.search(rf"^CreationDate:\s+{meta.date}T00:00:00", info, re.M)
    assert re.search(rf"^ModDate:\s+{meta.date}T00:00:00", info, re.M)


# --------------------------------------------------------------------------
# Structure tree


def _headings(chapter) -> list[tuple[str, str]]:
    """(H1..H4, text) the chapter should have, in reading order: the title, then sections and box titles."""
    found = [("H1", chapter.meta.title)]
    for block in chapter.walk():
        if isinstance(block, Section):
            found.append((f"H{block.level}", plain_text(block.heading)))
        elif isinstance(block, Box):
            found.append((f"H{block.level}", plain_text(block.title)))
    return found


def _figures(chapter) -> list[Figure]:
    return ([chapter.figure] if chapter.figure else []) + [b for b in chapter.walk() if isinstance(b, Figure)]


@pytest.mark.parametrize("chapter_id, lang", EDITIONS)
def test_structure_reading_order_headings_figure(pdfs, chapters, chapter_id, lang):
    """WCAG 1.3.1/2.4.6, Matterhorn 14-002/14-003: the title as the one H1, then every heading at
    its level in source order; 13-004: each figure a Figure with /Alt equal to its alt text,
    and its Caption the Figure's next sibling, never its child (/Alt replaces the children)."""
    chapter, path = chapters[chapter_id, lang], pdfs[chapter_id, lang]
    texts = _struct_texts(path)
    with pikepdf.open(path) as pdf:
        elements = _elements(pdf)
        assert [kind for kind, _ in texts] == [str(e.S)[1:] for e in elements]  # poppler and pikepdf agree
        figures = [e for e in elements if e.S == "/Figure"]
        assert [str(f.Alt) for f in figures] == [f.alt for f in _figures(chapter)]
        for element, figure in zip(figures, _figures(chapter)):
            assert not [k for k in _kids(element) if _is_element(k)], "a Figure with /Alt has no children"
            siblings = [k for k in _kids(element.P) if _is_element(k)]
            caption = siblings[siblings.index(element) + 1]
            assert caption.S == "/Caption"
            text = texts[[e.objgen for e in elements].index(caption.objgen)][1]
            assert _holds(text, plain_text(figure.caption), lang) and _holds(text, plain_text(figure.credit), lang)
    headings = [(kind, text) for kind, text in texts if re.fullmatch(r"H[1-6]", kind)]
    wanted = _headings(chapter)
    assert [kind for kind, _ in headings] == [kind for kind, _ in wanted]
    assert all(_same(text, want, lang) for (_, text), (_, want) in zip(headings, wanted))


@pytest.mark.parametrize("chapter_id, lang", EDITIONS)
def test_structure_types_standard(pdfs, chapter_id, lang):
    """Matterhorn 02-001: every structure type is standard or role-mapped."""
    standard = set(
        "Document Part Sect Div BlockQuote Caption NonStruct P H1 H2 H3 H4 L LI Lbl LBody Table THead TBody "
        "TR TH TD Span Note Link Figure".split()
    )
    with pikepdf.open(pdfs[chapter_id, lang]) as pdf:
        role_map = pdf.Root.StructTreeRoot.get("/RoleMap", {})
        for element in _elements(pdf):
            assert str(element.S)[1:] in standard or str(element.S) in role_map


def _kids(node: pikepdf.Object) -> list:
    kids = node.get("/K")
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []


def _is_element(obj: pikepdf.Object) -> bool:
    return isinstance(obj, pikepdf.Dictionary) and "/S" in obj and obj.get("/Type") not in ("/MCR", "/OBJR")


def _unspaced(text: str) -> str:
    """Text without what line breaking changes: spaces, soft hyphens, hyphens added at a line end."""
    return "".join(c for c in text if not c.isspace() and c not in "\u00ad\u2010")


#: Languages written right to left (layouts/languages/). poppler's structure text and pdf.js's
#: text items give a right-to-left line's pieces in drawing (visual) order, so for these the
#: structure tests compare which characters an element holds, not their order; the order is
#: read with bidi reordering (pdftotext, pdf.js per item) in test_languages.py.
RTL = right_to_left(ROOT / "layouts")


def _holds(text: str, part: str, lang: str) -> bool:
    """``part`` is in ``text`` (unspaced); for a right-to-left language, its characters are."""
    if lang.split("-")[0] not in RTL:
        return _unspaced(part) in _unspaced(text)
    return not (Counter(_unspaced(part)) - Counter(_unspaced(text)))


def _same(text: str, other: str, lang: str) -> bool:
    if lang.split("-")[0] not in RTL:
        return _unspaced(text) == _unspaced(other)
    return sorted(_unspaced(text)) == sorted(_unspaced(other))


def _content_mcids(page: pikepdf.Page) -> list[int]:
    return [
        int(operands[1].MCID)
        for operands, operator in pikepdf.parse_content_stream(page)
        if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]
    ]


def _marked_content(pdf: pikepdf.Pdf, element: pikepdf.Dictionary, deep: bool = True) -> list[tuple[int, int]]:
    """(page index, MCID) of every marked-content kid of ``element`` (and, if ``deep``, of its descendants)."""
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    found = []
    for kid in _kids(element):
        if isinstance(kid, int):
            found.append((pages[element.Pg.objgen], int(kid)))
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            found.append((pages[(kid.Pg if "/Pg" in kid else element.Pg).objgen], int(kid.MCID)))
        elif deep and _is_element(kid):
            found.extend(_marked_content(pdf, kid))
    return found


def _own_texts(path: Path) -> list[tuple[str, str]]:
    """As _struct_texts, but an element's text leaves out what its Note descendants say."""
    rows: list[list] = []
    for line in _run("pdfinfo", "-struct-text", str(path)).splitlines():
        body = line.lstrip(" ")
        depth = len(line) - len(body)
        if body.startswith('"'):
            for row in reversed(rows):
                if row[0] < depth:
                    row[2] += body[1:-1]
                    depth = row[0]
                    if row[1] == "Note":
                        break
        elif body and not body.startswith(("/", "Object ")):  # "Object n g": an annotation (OBJR)
            rows.append([depth, body.split()[0].rstrip(":"), ""])
    return [(kind, text) for _, kind, text in rows]


@pytest.mark.parametrize("chapter_id, lang", EDITIONS)
def test_structure_follows_the_html_not_the_pages(pdfs, chapters, chapter_id, lang):
    """WCAG 1.3.1/1.3.2: WeasyPrint 70 builds the tree page by page; the finished tree is the
    HTML's: <main> is one Part, each section one Sect (its heading first, nested sections
    inside), each paragraph one P holding its whole text, whatever page breaks it crosses."""
    chapter, path = chapters[chapter_id, lang], pdfs[chapter_id, lang]
    texts = _own_texts(path)
    with pikepdf.open(path) as pdf:
        elements = _elements(pdf)
        text_of = {e.objgen: texts[i][1] for i, e in enumerate(elements)}
        (part,) = [e for e in elements if e.S == "/Part"]
        sects = [e for e in elements if e.S == "/Sect"]
        sections = list(chapter.sections())
        assert len(sects) == len(sections)
        for sect, section in zip(sects, sections):
            first = next(k for k in _kids(sect) if _is_element(k))
            assert str(first.S) == f"/H{section.level}"
            assert _same(text_of[first.objgen], plain_text(section.heading), lang)
            nested = [k for k in _kids(sect) if _is_element(k) and k.S == "/Sect"]
            assert len(nested) == sum(isinstance(b, Section) for b in section.blocks)
        paragraphs = [e for e in elements if e.S == "/P"]
        rtl = lang.split("-")[0] in RTL
        key = (lambda text: "".join(sorted(_unspaced(text)))) if rtl else _unspaced
        found = [key(text_of[e.objgen]) for e in paragraphs]
        position = 0
        for block in chapter.walk():
            if isinstance(block, Paragraph) and block.id:
                expected = key(plain_text(block.content))
                assert expected in found[position:], f"{block.id}: no P holds its whole text"
                position = found.index(expected, position) + 1
                element = paragraphs[position - 1]
                pages = sorted({page for page, _ in _marked_content(pdf, element)})
                assert pages == list(range(pages[0], pages[-1] + 1)), block.id


def test_some_paragraph_crosses_a_page_break(pdfs):
    """The joining above is only tested if a paragraph really crosses a page break."""
    with pikepdf.open(pdfs["en"]) as pdf:
        assert any(len({page for page, _ in _marked_content(pdf, e)}) > 1 for e in _elements(pdf) if e.S == "/P")


@pytest.mark.parametrize("chapter_id, lang", [e for e in EDITIONS if e[0] == "kazakhstan-january"])
def test_lists_tables_notes_quotes_boxes_are_tagged(pdfs, chapters, chapter_id, lang):
    """WCAG 1.3.1, Matterhorn 16-*, 15-*, 19-*: each list an L with one LI (Lbl + LBody) per item
    and its numbering; each table a Table with a Caption, a header row of TH with /Scope and one
    TR per row; each note a Note with an /ID, right after the Link that refers to it; quotations
    are BlockQuote; boxes a Div starting with their heading."""
    chapter, path = chapters[chapter_id, lang], pdfs[chapter_id, lang]
    with pikepdf.open(path) as pdf:
        elements = _elements(pdf)
        lists = [e for e in elements if e.S == "/L"]
        model_lists = [b for b in chapter.walk() if isinstance(b, List)]
        assert len(lists) == len(model_lists) and model_lists
        for element, model in zip(lists, model_lists):
            items = [k for k in _kids(element) if _is_element(k)]
            assert [str(k.S) for k in items] == ["/LI"] * len(model.items)
            for item in items:
                assert [str(k.S) for k in _kids(item) if _is_element(k)] == ["/Lbl", "/LBody"]
            assert str(element.A.ListNumbering) in (("/Decimal", "/LowerAlpha", "/LowerRoman") if model.ordered else ("/Disc", "/None"))
        tables = [e for e in elements if e.S == "/Table"]
        model_tables = [b for b in chapter.walk() if isinstance(b, Table)]
        assert len(tables) == len(model_tables) and model_tables
        for element, model in zip(tables, model_tables):
            rows = [e for e in _elements_under(element) if e.S == "/TR"]
            assert len(rows) == 1 + len(model.rows)
            headers = [e for e in _elements_under(element) if e.S == "/TH"]
            assert len(headers) == len(model.header) + (len(model.rows) if model.header_column else 0)
            assert all(str(th.A.Scope) in ("/Column", "/Row") for th in headers)
            assert [k for k in _kids(element) if _is_element(k)][0].S == "/Caption"
        notes = [e for e in elements if e.S == "/Note"]
        assert [str(n.ID) for n in notes] == [f"note-{n.label}" for n in sorted(chapter.notes, key=lambda n: n.number)]
        for note in notes:
            siblings = [k for k in _kids(note.P) if _is_element(k)]
            before = siblings[siblings.index(note) - 1]
            assert before.S == "/Link"
        quotes = [b for b in chapter.walk() if isinstance(b, BlockQuote)]
        assert len([e for e in elements if e.S == "/BlockQuote"]) == len(quotes)
        boxes = [b for b in chapter.walk() if isinstance(b, Box)]
        divs = [e for e in elements if e.S == "/Div" and [k for k in _kids(e) if _is_element(k)][0].S in ("/H2", "/H3", "/H4")]
        assert len(divs) == len(boxes)


def _elements_under(element) -> list:
    found = []
    for kid in _kids(element):
        if _is_element(kid):
            found.append(kid)
            found.extend(_elements_under(kid))
    return found


@pytest.mark.parametrize("chapter_id, lang", EDITIONS)
def test_links_have_contents_and_internal_links_go_to_their_target(pdfs, chapters, chapter_id, lang):
    """Matterhorn 28-004/28-011: every link annotation has /Contents and sits in a Link element;
    a cross-reference in the source is a GoTo to a destination on the page where its target is."""
    chapter = chapters[chapter_id, lang]
    internal = [link for link in chapter_links(chapter) if link.internal]
    with pikepdf.open(pdfs[chapter_id, lang]) as pdf:
        annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", []) if a.Subtype == "/Link"]
        assert all("/Contents" in a and str(a.Contents) for a in annotations)
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        assert all(parents[int(a.StructParent)].S == "/Link" for a in annotations)
        goto = [a for a in annotations if "/A" in a and a.A.S == "/GoTo" or "/Dest" in a]
        assert len(goto) >= len(internal)


@pytest.mark.parametrize("lang", EDITIONS)
def test_parent_tree_matches_the_structure(pdfs, lang):
    """ParentTree (ISO 32000-1 14.7.4.4): every MCID painted on a page is reached by exactly one
    structure element, and the ParentTree names that element; every element's /P is its parent;
    no ParentTree entry points at an element the tree does not reach."""
    with pikepdf.open(pdfs[lang]) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        owner: dict[tuple[int, int], tuple[int, int]] = {}

        def walk(node) -> None:
            for kid in _kids(node):
                if _is_element(kid):
                    assert kid.P.objgen == node.objgen, f"{kid.S} has a stale /P"
                    for mark in _marked_content(pdf, kid, deep=False):
                        assert mark not in owner, f"page {mark[0] + 1} MCID {mark[1]} referenced twice"
                        owner[mark] = kid.objgen
                    walk(kid)

        walk(pdf.Root.StructTreeRoot)
        painted = set()
        for index, page in enumerate(pdf.pages):
            entries = tree[int(page.StructParents)]
            for mcid in _content_mcids(page):
                painted.add((index, mcid))
                assert (index, mcid) in owner, f"page {index + 1} MCID {mcid} is in no structure element"
                assert entries[mcid].objgen == owner[index, mcid], f"page {index + 1} MCID {mcid}: ParentTree disagrees"
            for mcid, entry in enumerate(entries):
                if isinstance(entry, pikepdf.Dictionary):
                    assert (index, mcid) in owner, f"page {index + 1} MCID {mcid}: ParentTree names an unreachable element"
        assert set(owner) == painted  # nothing in the tree refers to content that is not there


def test_foreign_spans_have_lang(pdfs, chapters):
    """WCAG 3.1.2: every English span of the Russian PDF is a structure element with /Lang (en);
    the English PDF, having no foreign spans, has none."""
    chapter = chapters["ru"]
    runs = list(chapter.inline_runs())
    expected = sorted(_normal(plain_text(span.children)) for run in runs for span in spans(run) if isinstance(span, Span))
    assert expected, "ru.md should have English spans"
    texts = _struct_texts(pdfs["ru"])
    with pikepdf.open(pdfs["ru"]) as pdf:
        tagged = [(str(e.Lang), _normal(texts[i][1])) for i, e in enumerate(_elements(pdf)) if "/Lang" in e]
    assert {lang for lang, _ in tagged} == {"en"}
    # A span broken over two lines is two elements; rejoin the pieces of each span.
    found = " ".join(text for _, text in tagged)
    for text in expected:
        assert text.replace(" ", "") in found.replace(" ", "").replace("\u2010", ""), text
    assert len(tagged) >= len(expected)
    with pikepdf.open(pdfs["en"]) as pdf:
        assert not [e for e in _elements(pdf) if "/Lang" in e]


@pytest.mark.parametrize("lang", EDITIONS)
def test_all_painting_inside_tagged_or_artifact(pdfs, lang):
    """Matterhorn 01-005: every painting operator is in an MCID sequence or an /Artifact."""
    with pikepdf.open(pdfs[lang]) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            stack: list[bool] = []
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op in ("BDC", "BMC"):
                    props = operands[1] if op == "BDC" else None
                    tagged = isinstance(props, pikepdf.Dictionary) and "/MCID" in props
                    stack.append(operands[0] == "/Artifact" or tagged)
                elif op == "EMC":
                    stack.pop()
                elif op in PAINTING:
                    assert any(stack), f"page {number}: untagged {op}"


@pytest.mark.parametrize("lang", EDITIONS)
def test_every_mcid_in_parent_tree_and_structure(pdfs, lang):
    """Matterhorn 01-005/ParentTree: every MCID on a page is owned by a reachable structure element."""
    with pikepdf.open(pdfs[lang]) as pdf:
        reachable = {e.objgen for e in _elements(pdf)}
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for index, page in enumerate(pdf.pages):
            owners = tree[int(page.StructParents)]
            mcids = [
                int(operands[1].MCID)
                for operands, operator in pikepdf.parse_content_stream(page)
                if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]
            ]
            assert mcids and len(set(mcids)) == len(mcids)
            for mcid in mcids:
                assert owners[mcid].objgen in reachable, f"page {index + 1} MCID {mcid} is an orphan"


@pytest.mark.parametrize("lang", LANGS)
def test_running_header_and_footer_are_artifacts(pdfs, chapters, lang):
    """Matterhorn 01-005 / WeasyPrint#1836: "Page N of M" is printed but not in the structure tree."""
    labels = load_labels(Project.at(ROOT), lang)
    footer = labels.format("page_of", page=1, pages=_page_count(pdfs[lang]))
    assert footer in _run("pdftotext", "-f", "1", "-l", "1", str(pdfs[lang]), "-")
    structure = " ".join(text for _, text in _struct_texts(pdfs[lang]))
    assert footer not in structure
    assert chapters[lang].meta.publisher not in structure.split(".")[-1]  # only in the colophon sentence


def _page_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


@pytest.mark.parametrize("chapter_id, lang", EDITIONS)
def test_bookmarks_follow_headings(pdfs, chapters, chapter_id, lang):
    """Matterhorn 28-*: the outline is the title, then the sections, nested as the headings are."""
    chapter = chapters[chapter_id, lang]
    with pikepdf.open(pdfs[chapter_id, lang]) as pdf:
        with pdf.open_outline() as outline:
            (top,) = outline.root
            assert top.title == chapter.meta.title

            def nested(items) -> list:
                return [(_normal(item.title), nested(item.children)) for item in items]

            def expected(blocks) -> list:
                return [(_normal(plain_text(b.heading)), expected(b.blocks)) for b in blocks if isinstance(b, Section)]

            assert nested(top.children) == expected(chapter.blocks)


# --------------------------------------------------------------------------
# Text and fonts


@pytest.mark.parametrize("lang", LANGS)
def test_pdftotext_has_every_paragraph_unbroken(pdfs, chapters, lang):
    """pdftotext gives every paragraph in reading order, words unbroken by hyphenation
    (the hyphen added at a line end is extracted as a soft hyphen, U+00AD). ``-raw``
    because poppler's layout mode drops a real hyphen at a line end ("25-year-old")."""
    width, height = _page_size(pdfs[lang])
    margin = 72  # points: header and footer sit in the page margins, outside the crop
    text = _run(
        "pdftotext", "-raw", "-nopgbrk", "-x", "0", "-y", str(margin), "-W", str(round(width)),
        "-H", str(round(height) - 2 * margin), str(pdfs[lang]), "-",
    )
    assert "\u2010" not in text
    flowing = _normal(text)
    position = 0
    for paragraph in (b for b in chapters[lang].walk() if isinstance(b, Paragraph)):
        expected = _normal(plain_text(paragraph.content))
        found = flowing.find(expected, position)
        assert found >= 0, f"{paragraph.id} missing or broken: {expected[:60]}"
        position = found + len(expected)


def _page_size(path: Path) -> tuple[float, float]:
    with pikepdf.open(path) as pdf:
        box = [float(v) for v in pdf.pages[0].MediaBox]
        return box[2] - box[0], box[3] - box[1]


@pytest.mark.parametrize("lang", EDITIONS)
def test_pdffonts_only_vendored_embedded_with_unicode(pdfs, lang):
    """Matterhorn 31-*: every font embedded, subset, with ToUnicode; only the vendored family."""
    rows = _run("pdffonts", str(pdfs[lang])).splitlines()[2:]
    assert rows
    for row in rows:
        name, *_, emb, sub, uni, _obj, _gen = row.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        # Noto Serif; in an Arabic edition Noto Naskh Arabic too (layouts/scripts.toml).
        code = lang[1] if isinstance(lang, tuple) else lang
        family = "Noto-Serif|Noto-Naskh-Arabic" if code == "ar" else "Noto-Serif"
        assert re.fullmatch(rf"[A-Z]{{6}}\+docbuild-({family})(-Bold|-Italic|-BoldItalic|-Bold-Italic)?", name), row


def test_missing_glyph_names_character_file_and_line(project):
    """Matterhorn 10-001 / no fallback font: a character outside Noto Serif stops the build."""
    source = project / "source" / "kazakhstan" / "en.md"
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("Kazakhstan was rocked"))
    lines[index] = lines[index].replace("Almaty", "Almaty (\u963f\u62c9\u6728\u56fe)", 1)
    source.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DocbuildError) as caught:
        build(project, project / "dist", ["pdf"], ["en"])
    error = caught.value
    assert "U+963F" in error.message and "\u963f" in error.message
    assert error.path == source and error.line == index + 1


# --------------------------------------------------------------------------
# The photo, reproducibility, paper


@pytest.mark.parametrize("chapter_id, lang", EDITIONS)
def test_images_have_no_exif_and_are_srgb(pdfs, chapters, chapter_id, lang):
    """The embedded images carry no EXIF/GPS (a photo's could identify the people in it)."""
    with pikepdf.open(pdfs[chapter_id, lang]) as pdf:
        images = {
            x.objgen: x for page in pdf.pages for x in page.Resources.get("/XObject", {}).values() if x.Subtype == "/Image"
        }
        assert len(images) == len(_figures(chapters[chapter_id, lang]))
        for image in images.values():
            data = image.read_raw_bytes()
            assert b"Exif" not in data and b"GPS" not in data
            decoded = pikepdf.PdfImage(image).as_pil_image()
            assert decoded.mode == "RGB" and "/SMask" not in image


@pytest.mark.parametrize("lang", LANGS)
def test_transparent_chart_is_white_not_black(pdfs, chapters, lang):
    """A chart drawn on a transparent background comes out on white (alpha flattened), not black."""
    chapter = chapters["kazakhstan-january", lang]
    chart = next(f for f in _figures(chapter) if f.kind == "chart")
    with Image.open(chart.image) as source:
        assert source.mode == "RGBA" and source.getpixel((0, 0))[3] == 0, "the sample chart should be transparent"
    with pikepdf.open(pdfs["kazakhstan-january", lang]) as pdf:
        (image,) = [
            x for page in pdf.pages for x in page.Resources.get("/XObject", {}).values() if x.Subtype == "/Image"
        ][:1]
        assert pikepdf.PdfImage(image).as_pil_image().convert("RGB").getpixel((0, 0)) == (255, 255, 255)


def test_two_builds_are_byte_identical(pdfs, tmp_path):
    """Same source, same bytes: fixed dates, /ID from content, deterministic subsetting."""
    build(ROOT, tmp_path, ["pdf"], cache=False)
    for chapter_id, lang in EDITIONS:
        assert (tmp_path / f"{chapter_id}-{lang}.pdf").read_bytes() == pdfs[chapter_id, lang].read_bytes()


def test_letter_paper(tmp_path):
    """--paper letter gives 612 x 792 pt pages in kazakhstan-<lang>-letter.pdf."""
    result = build(ROOT, tmp_path, ["pdf"], ["en"], ["kazakhstan"], paper="letter")
    assert [p.name for p in result.written] == ["kazakhstan-en-letter.pdf"]
    with pikepdf.open(result.written[0]) as pdf:
        assert {tuple(round(float(v)) for v in page.MediaBox) for page in pdf.pages} == {(0, 0, 612, 792)}


def test_layout_pages_match_the_pdf(chapters):
    """The EPUB page-list comes from layout_pages; it must agree with the rendered PDF."""
    from docbuild.writers.pdf import layout_pages, render_pdf

    project = Project.at(ROOT)
    chapter = chapters["en"]
    edition = Edition(chapter, load_labels(project, "en"), project)
    rendered = render_pdf(edition)
    layout = layout_pages(edition)
    assert layout.pages == rendered.pages and layout.page_count == rendered.page_count
    with pikepdf.open(io.BytesIO(rendered.data)) as pdf:
        assert len(pdf.pages) == rendered.page_count
    ids = ["title", *chapter.block_ids()]
    assert list(rendered.pages) == ids
    assert rendered.pages["title"] == 1
    assert list(rendered.pages.values()) == sorted(rendered.pages.values())
    assert rendered.pages[ids[-1]] == rendered.page_count


# --------------------------------------------------------------------------
# Only local files


@pytest.fixture
def fetcher(project) -> ProjectFetcher:
    return ProjectFetcher(Project.at(project), {"docbuild:photo.jpg": (b"\xff\xd8", "image/jpeg")})


@pytest.mark.parametrize(
    "url",
    ["http://example.org/photo.jpg", "https://example.org/style.css", "ftp://example.org/x", "file:///etc/passwd"],
)
def test_fetcher_refuses_remote_and_outside(fetcher, url):
    with pytest.raises(DocbuildError, match="refusing"):
        fetcher.fetch(url)


def test_fetcher_refuses_dot_dot_and_symlink_escape(fetcher, project, tmp_path):
    escape = (project / "layouts" / ".." / ".." / "secret.txt")
    (tmp_path / "secret.txt").write_text("secret")
    with pytest.raises(DocbuildError, match="outside the project"):
        fetcher.fetch(escape.as_uri().replace("/layouts/", "/layouts/./"))
    link = project / "source" / "link.txt"
    link.symlink_to(tmp_path / "secret.txt")
    with pytest.raises(DocbuildError, match="outside the project"):
        fetcher.fetch(link.as_uri())


def test_fetcher_serves_project_files_and_generated(fetcher, project):
    font = project / "fonts" / "NotoSerif-Regular.ttf"
    assert fetcher.fetch(font.as_uri()).read() == font.read_bytes()
    response = fetcher.fetch("docbuild:photo.jpg")
    assert response.read() == b"\xff\xd8" and response.content_type == "image/jpeg"
    with pytest.raises(DocbuildError):
        fetcher.fetch("docbuild:other.jpg")


@pytest.mark.parametrize("url", ["http://example.org/bg.png", "file:///etc/passwd"])
def test_remote_url_in_layout_fails_the_build(project, url):
    """A stylesheet pointing at the network or outside the project stops the build with a clear error."""
    css = project / "layouts" / "print.css.j2"
    css.write_text(css.read_text(encoding="utf-8") + f'\nbody {{ background: url("{url}"); }}\n', encoding="utf-8")
    with pytest.raises(DocbuildError, match="refusing"):
        build(project, project / "dist", ["pdf"], ["en"])


@pytest.mark.parametrize("lang", EDITIONS)
def test_no_text_below_9_5_pt(pdfs, lang):
    """Issue 12, defect 10: captions, credits, notes and the colophon at 9.5 pt or more (Clear Print
    minimum for a standard edition); only note reference numbers, set as superscripts, are smaller."""
    small = []
    with pikepdf.open(pdfs[lang]) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            scale, size, artifact = 1.0, 0.0, 0
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "cm":
                    scale *= abs(float(operands[3])) or 1.0
                elif op == "BDC" and str(operands[0]) == "/Artifact":
                    artifact += 1
                elif op == "EMC" and artifact:
                    artifact -= 1
                elif op == "Tf":
                    size = float(operands[1]) * scale
                elif op in ("Tj", "TJ") and not artifact and size < 9.45:
                    strings = operands[0] if op == "TJ" else [operands[0]]
                    glyphs = sum(len(bytes(s)) // 2 for s in strings if isinstance(s, pikepdf.String))
                    small.append((number, round(size, 2), glyphs))
    assert all(glyphs <= 2 for _, _, glyphs in small), small[:5]  # superscript note numbers: "1", "12"
