"""Each repair pass of docbuild.writers.pdf.structure, alone, on a small document.

Every test lays out a few lines of HTML with WeasyPrint (sources recorded as
the PDF writer records them), runs the passes the one under test depends on,
and reads the tree back with pikepdf. A pass that stops doing its job fails
its own test, whatever the sample chapters happen to contain.
"""

from __future__ import annotations

import io

import pikepdf
import pytest
from weasyprint import HTML

from docbuild.errors import DocbuildError
from docbuild.writers.pdf import structure
from docbuild.writers.pdf.sources import SOURCE_KEY, recording_sources

CSS = """
@page { size: 100mm 80mm; margin: 10mm; @bottom-center { content: "Page " counter(page); } }
body { font-size: 10pt; line-height: 1.4; }
.footnote { float: footnote; }
.footnote::footnote-call { content: none; }
.footnote::footnote-marker { content: none; }
"""


def _tree(body: str, lang: str = "en") -> structure.Tree:
    html = f'<html lang="{lang}"><head><title>t</title><style>{CSS}</style></head><body>{body}</body></html>'
    with recording_sources():
        raw = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    return structure.Tree(pikepdf.open(io.BytesIO(raw)))


def _types(tree: structure.Tree, element=None) -> list:
    """The tree as nested [type, [kids...]] lists, text-run Spans left out."""
    out = []
    for kid in structure.kids(element if element is not None else tree.document()):
        if structure.is_element(kid) and not (kid.S == "/Span" and not structure.source(kid)):
            inner = _types(tree, kid)
            out.append([str(kid.S)[1:], inner] if inner else str(kid.S)[1:])
    return out


def _all(tree: structure.Tree, kind: str) -> list:
    return [e for e in tree.elements() if e.S == f"/{kind}"]


LONG = "<p>" + " ".join(["Words that fill the page and run on."] * 40) + "</p>"


def test_sources_are_recorded_while_weasyprint_writes():
    """If a WeasyPrint upgrade stops calling _build_box_tree, nothing is recorded: fail here."""
    tree = _tree('<p id="a" lang="en">Text</p>')
    (paragraph,) = _all(tree, "P")
    record = structure.source(paragraph)
    assert record["tag"] == "p" and record["id"] == "a" and record["key"]


def test_artifact_orphans_marks_page_margin_boxes():
    tree = _tree("<p>Body</p>")
    structure.artifact_orphans(tree)
    stream = tree.pdf.pages[0].Contents.read_bytes()
    assert b"/Artifact" in stream
    reachable = {e.objgen for e in tree.elements()}
    for entry in tree.parents[0]:
        assert not isinstance(entry, pikepdf.Dictionary) or entry.objgen in reachable


def test_join_pieces_makes_one_element_of_a_paragraph_across_pages():
    tree = _tree(f"<main><section>{LONG}</section></main>")
    assert len(_all(tree, "P")) > 1, "the paragraph should cross a page: the test proves nothing"
    structure.artifact_orphans(tree)
    structure.join_pieces(tree)
    assert len(_all(tree, "Part")) == 1 and len(_all(tree, "Sect")) == 1
    (paragraph,) = _all(tree, "P")
    pages = {tree.page_of(kid) for kid in structure.kids(paragraph) if structure.is_element(kid)}
    assert len(pages) > 1
    for index, entries in tree.parents.items():  # every MCID's ParentTree entry is still reachable
        reachable = {e.objgen for e in tree.elements()}
        assert all(not isinstance(e, pikepdf.Dictionary) or e.objgen in reachable for e in entries)


def test_retag_gives_figure_and_aside_a_standard_type_and_notes_an_id():
    tree = _tree(
        '<figure><img alt="A grey square" src="data:image/png;base64,'
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="
        '"/><figcaption>Cap</figcaption></figure><aside><h2>Box</h2><p>In box</p></aside>'
        '<p>Text<a id="noteref-x" href="#note-x">1</a><span class="footnote" id="note-x">The note.</span></p>'
    )
    structure.artifact_orphans(tree)
    structure.join_pieces(tree)
    structure.retag(tree)
    kinds = [str(e.S)[1:] for e in tree.elements()]
    assert "NonStruct" not in [str(e.S)[1:] for e in tree.elements() if structure.source(e).get("tag") in ("figure", "aside")]
    assert kinds.count("Div") >= 2
    (note,) = _all(tree, "Note")
    assert str(note.ID) == "note-x"


def test_figures_bbox_in_user_space_and_caption_out_of_alt():
    tree = _tree(
        '<p>Before</p><img style="width: 40mm; height: 20mm" alt="A grey square" src="data:image/png;base64,'
        'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="/>'
    )
    (figure,) = _all(tree, "Figure")
    caption = tree.pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Caption, P=figure, K=pikepdf.Array([])))
    figure.K = pikepdf.Array(structure.kids(figure) + [caption])  # as WeasyPrint 70 nests <figcaption>
    structure.figures(tree)
    assert not [k for k in structure.kids(figure) if structure.is_element(k) and k.S == "/Caption"]
    siblings = [k for k in structure.kids(figure.P) if structure.is_element(k)]
    assert siblings.index(caption) == siblings.index(figure) + 1
    x1, y1, x2, y2 = (float(v) for v in figure.A.BBox)
    width, height = (float(v) for v in tree.pdf.pages[0].mediabox[2:])
    assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height
    assert abs((x2 - x1) - 40 / 25.4 * 72) < 1 and abs((y2 - y1) - 20 / 25.4 * 72) < 1
    assert y2 > height / 2  # near the top of the page, where it is painted (y grows upwards)


def test_lists_get_bodies_nesting_and_numbering():
    tree = _tree("<ol><li>One<ul><li>Sub</li></ul></li><li>Two</li></ol>")
    structure.artifact_orphans(tree)
    structure.join_pieces(tree)
    structure.lists(tree)
    outer, inner = _all(tree, "L")
    assert outer.A.ListNumbering == "/Decimal" and inner.A.ListNumbering == "/Disc"
    items = [k for k in structure.kids(outer) if structure.is_element(k)]
    assert [str(k.S) for k in items] == ["/LI", "/LI"]
    for item in items:
        assert [str(k.S) for k in structure.kids(item) if structure.is_element(k)] == ["/Lbl", "/LBody"]
    body = structure.kids(items[0])[1]
    assert inner.P.objgen == body.objgen


def test_tables_scope_on_every_header_cell():
    tree = _tree(
        "<table><caption>C</caption><thead><tr><th scope='col'>A</th><th scope='col'>B</th></tr></thead>"
        "<tbody><tr><th scope='row'>x</th><td>1</td></tr></tbody></table>"
    )
    structure.artifact_orphans(tree)
    structure.join_pieces(tree)
    structure.tables(tree)
    assert [str(th.A.Scope) for th in _all(tree, "TH")] == ["/Column", "/Column", "/Row"]


def test_notes_stand_after_their_reference():
    tree = _tree('<p>Text<a id="noteref-x" href="#note-x">1</a><span class="footnote" id="note-x">The note.</span> more.</p>')
    for step in (structure.artifact_orphans, structure.join_pieces, structure.retag, structure.notes):
        step(tree)
    (note,) = _all(tree, "Note")
    (link,) = [e for e in _all(tree, "Link") if structure.source(e).get("id") == "noteref-x"]
    siblings = [k for k in structure.kids(link.P) if structure.is_element(k)]
    assert siblings.index(note) == siblings.index(link) + 1


def test_a_note_without_reference_stops_the_build():
    tree = _tree('<p>Text<span class="footnote" id="note-x">Orphan note.</span></p>')
    for step in (structure.artifact_orphans, structure.join_pieces, structure.retag):
        step(tree)
    with pytest.raises(DocbuildError, match="note 'x'"):
        structure.notes(tree)


def test_languages_on_foreign_elements_only():
    tree = _tree('<p>Текст <span lang="en">Human Rights Watch</span> и текст.</p>', lang="ru")
    structure.artifact_orphans(tree)
    structure.join_pieces(tree)
    structure.languages(tree, "ru")
    tagged = [e for e in tree.elements() if "/Lang" in e]
    assert [str(e.Lang) for e in tagged] == ["en"]


def test_drop_empty_and_strip_sources():
    tree = _tree("<p>Text<span></span></p>")
    structure.repair(tree.pdf, "en")
    assert not [e for e in tree.elements() if e.S in ("/NonStruct", "/Span") and not structure.kids(e)]
    assert not [obj for obj in tree.pdf.objects if isinstance(obj, pikepdf.Dictionary) and "/" + SOURCE_KEY in obj]


def test_check_types_refuses_an_unknown_type():
    tree = _tree("<p>Text</p>")
    _all(tree, "P")[0].S = pikepdf.Name("/Paragraph")
    with pytest.raises(DocbuildError, match="/Paragraph"):
        structure.check_types(tree)
