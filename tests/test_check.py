"""``docbuild check``: a fresh build passes every check; breaking one thing fails one rule.

Each breakage test copies an edition (keeping its name, which says which
source variant it is checked against), changes one thing with an independent
library (pikepdf, zipfile + lxml, plain bytes), and asserts that exactly the
matching rule fails: a check that fails for unrelated reasons, or a mutation
that no check notices, would both show up here. The report chapter
(``kazakhstan``) carries the tests of the photo, headings, metadata and
languages; the briefing (``kazakhstan-january``) those of lists, tables,
notes, figures, quotations, boxes, cross-references and raw Markdown.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, require_tool
from docbuild.check import check_editions
from docbuild.check.report import as_json
from docbuild.cli import EXIT_CHECK_FAILED, main

ALL = ("txt", "pdf", "epub", "docx")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: The two sample chapters: a report chapter (paragraphs, sections, a photo, Russian
#: translation) and a briefing with every element (box, ###/#### subsections, nested
#: numbered lists, quotation, notes, tables, chart with long description, cross-references).
CHAPTERS = ("kazakhstan", "kazakhstan-january")
BRIEFING = "kazakhstan-january"


@pytest.fixture(scope="session")
def fresh(dist) -> Path:
    return dist(*ALL)


def failing(files: list[Path], **options) -> set[str]:
    """Rule ids that fail (external validators off: they are tested on the fresh build)."""
    report = check_editions(ROOT, files, run_validators=False, **options)
    return {r.rule for e in report.editions for r in e.failures()}


def copy(fresh: Path, name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(fresh / name, target)
    return target


# ---------------------------------------------------------------------------
# A fresh build


def test_fresh_build_passes_every_check_with_validators(fresh: Path) -> None:
    """The acceptance test: every edition of both chapters, every rule, validators required."""
    for tool in ("pdfinfo", "pdffonts", "pdftotext", "java", "node", "chromium"):
        require_tool(tool)
    files = sorted(fresh.glob("*.*"))
    assert {f.suffix for f in files} == {".txt", ".pdf", ".epub", ".docx"}
    for chapter in CHAPTERS:
        assert {f.name for f in files} >= {f"{chapter}-{lang}.{fmt}" for lang in ("en", "ru") for fmt in ALL}
    report = check_editions(ROOT, files, require_validators=True)
    problems = [f"{e.path.name} {r.rule} {r.status}: {r.reason}" for e in report.editions for r in e.failures(True)]
    assert not problems
    assert report.passed
    epub_rules = {r.rule: r.status for e in report.editions if e.fmt == "epub" for r in e.results}
    assert epub_rules["epubcheck"] == epub_rules["ace"] == "pass"


#: The rules about lists, tables, notes, figures and raw Markdown, by format: a fresh
#: briefing must pass each of them on real content, not on nothing.
NEW_RULES = {
    "pdf": ("16-001", "16-002", "docbuild:tables", "15-003", "19-003", "19-004", "13-004", "docbuild:figure-caption",
            "docbuild:figure-bbox", "docbuild:quotations", "docbuild:outline", "14-003", "docbuild:links",
            "docbuild:raw-markdown", "09-001"),
    "epub": ("list", "docbuild:tables", "scope-attr-valid", "docbuild:notes", "image-alt", "docbuild:quotations-boxes",
             "docbuild:links", "heading-order", "docbuild:navigation", "docbuild:raw-markdown"),
    "docx": ("1.3.1-lists", "1.3.1-tables", "1.3.1-notes", "1.1.1", "1.3.1", "2.4.6", "docbuild:links", "docbuild:raw-markdown"),
    "txt": ("1.3.1", "1.1.1", "1.3.1-lists", "1.3.1-tables", "1.3.1-notes", "docbuild:urls", "docbuild:nbsp",
            "docbuild:raw-markdown"),
}


@pytest.mark.parametrize("fmt", ALL)
def test_briefing_passes_the_structure_rules_on_real_content(fresh: Path, fmt: str) -> None:
    if fmt == "pdf":
        require_tool("pdftotext")
    files = [fresh / f"{BRIEFING}-{lang}.{fmt}" for lang in ("en", "ru")]
    report = check_editions(ROOT, files, run_validators=False)
    for edition in report.editions:
        results = {r.rule: r for r in edition.results}
        for rule in NEW_RULES[fmt]:
            assert results[rule].status == "pass", f"{edition.path.name} {rule}: {results[rule].reason}"
        reasons = " ".join(r.reason for r in edition.results)
        # Counted, not vacuous: the briefing has 10 lists, 2 tables and 8 notes.
        assert re.search(r"\b(?:10 L|10 list|32 list items)", reasons), reasons
        assert re.search(r"\b2 (?:Table|table)", reasons) and re.search(r"\b8 (?:Note|note|footnote|endnote)", reasons)


def test_cli_json_and_html_report(fresh: Path, tmp_path: Path, capsys) -> None:
    files = [str(fresh / "kazakhstan-ru.txt"), str(fresh / "kazakhstan-ru.docx")]
    html = tmp_path / "report.html"
    assert main(["--project", str(ROOT), "check", *files, "--json", "--report", str(html)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["passed"] is True and data["version"] == 1
    edition = data["editions"][0]
    assert set(edition) == {"file", "format", "chapter", "lang", "paper", "passed", "checks", "human_review"}
    assert set(edition["checks"][0]) == {"rule", "check", "status", "reason"}
    page = html.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "What a person still has to review" in page
    assert "Alt text quality" in page and "kazakhstan-ru.docx" in page
    assert "long description" not in page  # the report chapter has no chart


def test_human_review_names_the_chapters_elements(fresh: Path) -> None:
    """A briefing with a chart, tables, lists and notes asks a person to review each of them, per format."""
    report = as_json(check_editions(ROOT, [fresh / f"{BRIEFING}-en.txt", fresh / f"{BRIEFING}-en.epub"], run_validators=False))
    text, epub = ("\n".join(e["human_review"]) for e in report["editions"])
    for review in (text, epub):
        assert "long description conveys the data" in review
        assert "Alt text quality" in review and "quotation" in review and "cross-reference" in review
    assert "reads well linearised" in text and "[n] reference" in text
    assert "announced with its headers" in epub and "back-link returns" in epub


def test_html_report_escapes_what_editions_say(fresh: Path, tmp_path: Path) -> None:
    """Reasons quote the editions; a hostile file must not inject markup into the report."""
    text = copy(fresh, "kazakhstan-en.txt", tmp_path)
    title, rest = text.read_text(encoding="utf-8").split("\n", 1)
    text.write_text("<script>x</script>\n" + rest, encoding="utf-8")
    html = tmp_path / "report.html"
    assert main(["--project", str(ROOT), "check", str(text), "--report", str(html)]) == EXIT_CHECK_FAILED
    page = html.read_text(encoding="utf-8")
    assert "<script>x" not in page and "&lt;script&gt;x" in page


def test_validators_not_installed_are_not_run_never_passed(fresh: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    epub = fresh / "kazakhstan-en.epub"
    report = check_editions(ROOT, [epub])
    statuses = {r.rule: r.status for r in report.editions[0].results}
    assert statuses["epubcheck"] == statuses["ace"] == "not run"
    assert report.passed
    assert not check_editions(ROOT, [epub], require_validators=True).passed


def test_file_names_must_say_chapter_and_language(fresh: Path, tmp_path: Path) -> None:
    odd = tmp_path / "chapter.txt"
    shutil.copyfile(fresh / "kazakhstan-en.txt", odd)
    assert main(["--project", str(ROOT), "check", str(odd)]) == 1


# ---------------------------------------------------------------------------
# PDF: pikepdf mutations


def _mutate_pdf(path: Path, change) -> Path:
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        change(pdf)
        pdf.save(path)
    return path


def _struct_order(pdf):
    """Elements in document order (depth first)."""
    import pikepdf

    def visit(node):
        kids = node.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield kid
                yield from visit(kid)

    return list(visit(pdf.Root.StructTreeRoot))


def test_pdf_fresh_passes_without_validators(fresh: Path) -> None:
    require_tool("pdftotext")
    assert failing([fresh / "kazakhstan-ru.pdf", fresh / "kazakhstan-en.pdf"]) == set()


def test_pdf_without_catalog_lang_fails_11_006(fresh: Path, tmp_path: Path) -> None:
    require_tool("pdftotext")
    path = _mutate_pdf(copy(fresh, "kazakhstan-ru.pdf", tmp_path), lambda pdf: pdf.Root.__delitem__("/Lang"))
    assert failing([path]) == {"11-006"}
    assert main(["--project", str(ROOT), "check", str(path)]) == EXIT_CHECK_FAILED


def test_pdf_figure_without_alt_fails_13_004(fresh: Path, tmp_path: Path) -> None:
    require_tool("pdftotext")

    def drop_alt(pdf):
        for element in _struct_order(pdf):
            if element.S == "/Figure":
                del element["/Alt"]

    assert failing([_mutate_pdf(copy(fresh, "kazakhstan-ru.pdf", tmp_path), drop_alt)]) == {"13-004"}


def test_pdf_skipped_heading_level_fails_14_003(fresh: Path, tmp_path: Path) -> None:
    require_tool("pdftotext")
    import pikepdf

    def h2_to_h3(pdf):
        first_h2 = next(e for e in _struct_order(pdf) if e.S == "/H2")
        first_h2.S = pikepdf.Name("/H3")

    assert failing([_mutate_pdf(copy(fresh, "kazakhstan-ru.pdf", tmp_path), h2_to_h3)]) == {"14-003"}


def test_pdf_untagged_footer_fails_01_005(fresh: Path, tmp_path: Path) -> None:
    """Remove the Artifact marking of a page-margin box (the footer): its text is then neither tagged nor artifact."""
    require_tool("pdftotext")
    import pikepdf

    def untag_footer(pdf):
        page = pdf.pages[0]
        ops = list(pikepdf.parse_content_stream(page))
        for start, (operands, op) in enumerate(ops):
            if str(op) in ("BMC", "BDC") and str(operands[0]) == "/Artifact":
                depth, end = 0, start
                for end in range(start, len(ops)):
                    name = str(ops[end][1])
                    depth += name in ("BMC", "BDC")
                    depth -= name == "EMC"
                    if depth == 0:
                        break
                if any(str(o) in ("Tj", "TJ") for _, o in ops[start:end]):  # the footer holds text; rules do not
                    del ops[end], ops[start]
                    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))
                    return
        raise AssertionError("no Artifact with text (page-margin box) on page 1")

    path = _mutate_pdf(copy(fresh, "kazakhstan-ru.pdf", tmp_path), untag_footer)
    assert failing([path]) == {"01-005"}


def test_pdf_deleted_paragraph_fails_completeness(fresh: Path, tmp_path: Path) -> None:
    """Remove the marked content of one paragraph: missing for the screen reader (09-001) and the page (pdftotext)."""
    require_tool("pdftotext")
    import pikepdf

    def delete_paragraph(pdf):
        paragraphs = [e for e in _struct_order(pdf) if e.S == "/P"]
        target = paragraphs[len(paragraphs) // 2]
        mcids = set()
        for element in [target, *[e for e in _struct_order(pdf) if _inside(e, target)]]:
            kids = element.get("/K")
            for kid in (list(kids) if isinstance(kids, pikepdf.Array) else [kids]):
                if isinstance(kid, int):
                    mcids.add((element.Pg.objgen, kid))
        for page in pdf.pages:
            ops, out, skip = list(pikepdf.parse_content_stream(page)), [], 0
            for operands, op in ops:
                name = str(op)
                if skip:
                    skip += name in ("BMC", "BDC")
                    skip -= name == "EMC"
                    continue
                if name == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and \
                        (page.obj.objgen, int(operands[1].get("/MCID", -1))) in mcids:
                    skip = 1
                    continue
                out.append((operands, op))
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))

    path = _mutate_pdf(copy(fresh, "kazakhstan-en.pdf", tmp_path), delete_paragraph)
    assert failing([path]) == {"09-001", "docbuild:complete"}


def _inside(element, ancestor) -> bool:
    node = element.get("/P")
    while node is not None and "/S" in node:
        if node.objgen == ancestor.objgen:
            return True
        node = node.get("/P")
    return False


def test_pdf_without_xmp_creator_fails_metadata(fresh: Path, tmp_path: Path) -> None:
    require_tool("pdftotext")

    def drop_creator(pdf):
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            del meta["dc:creator"]

    assert failing([_mutate_pdf(copy(fresh, "kazakhstan-ru.pdf", tmp_path), drop_creator)]) == {"docbuild:metadata"}


def _first(pdf, kind: str, index: int = 0):
    return [e for e in _struct_order(pdf) if e.S == kind][index]


def _kids(element) -> list:
    import pikepdf

    kids = element.get("/K")
    return list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]


def _drop_scope(pdf) -> None:
    del _first(pdf, "/TH").A["/Scope"]


def _drop_numbering(pdf) -> None:
    ordered = next(e for e in _struct_order(pdf) if e.S == "/L" and e.A.get("/ListNumbering") == "/Decimal")
    del ordered["/A"]


def _item_to_div(pdf) -> None:
    import pikepdf

    _first(pdf, "/LI").S = pikepdf.Name("/Div")


def _drop_note_id(pdf) -> None:
    del _first(pdf, "/Note")["/ID"]


def _duplicate_note_id(pdf) -> None:
    _first(pdf, "/Note", 1).ID = _first(pdf, "/Note", 0).ID


def _caption_into_figure(pdf) -> None:
    """The mistake WeasyPrint makes: the Caption as the Figure's child, hidden by its /Alt."""
    import pikepdf

    figure = _first(pdf, "/Figure")
    parent = figure.P
    caption = next(k for k in _kids(parent) if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/Caption")
    parent.K = pikepdf.Array([k for k in _kids(parent) if not (isinstance(k, pikepdf.Dictionary) and k.objgen == caption.objgen)])
    figure.K = pikepdf.Array(_kids(figure) + [caption])
    caption.P = figure


def _bbox_upside_down(pdf) -> None:
    """The box measured from the top of the page (as CSS does), not from the bottom: on the page, off the image."""
    import pikepdf

    figure = _first(pdf, "/Figure")
    height = float(figure.Pg.MediaBox[3])
    x1, y1, x2, y2 = (float(v) for v in figure.A.BBox)
    figure.A.BBox = pikepdf.Array([x1, height - y2, x2, height - y1])


def _quote_to_div(pdf) -> None:
    import pikepdf

    _first(pdf, "/BlockQuote").S = pikepdf.Name("/Div")


def _table_caption_to_p(pdf) -> None:
    import pikepdf

    table = _first(pdf, "/Table")
    caption = next(k for k in _kids(table) if isinstance(k, pikepdf.Dictionary) and k.get("/S") == "/Caption")
    caption.S = pikepdf.Name("/P")


def _description_under_alt(pdf) -> None:
    """The chart's long description given an /Alt, which replaces it and all its text for a screen reader."""
    import pikepdf

    holder = _first(pdf, "/Figure").P
    siblings = _kids(holder.P)
    at = next(i for i, k in enumerate(siblings) if isinstance(k, pikepdf.Dictionary) and k.objgen == holder.objgen)
    description = siblings[at + 1]
    assert description.S == "/Div"
    description.Alt = pikepdf.String("A bar chart")


def _wrong_uri(pdf) -> None:
    import pikepdf

    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            action = annotation.get("/A")
            if action is not None and action.get("/URI") == "https://www.hrw.org/world-report/2022":
                action.URI = pikepdf.String("https://www.hrw.org/world-report/2021")


def _flatten_outline(pdf) -> None:
    """Bring the subsections' bookmarks up beside their section's."""
    with pdf.open_outline() as outline:
        title = outline.root[0]
        sections = []
        for item in title.children:
            sections.append(item)
            sections.extend(item.children)
            item.children.clear()
        title.children[:] = sections


@pytest.mark.parametrize(
    ("rule", "change"),
    [
        ("15-003", _drop_scope),
        ("16-002", _drop_numbering),
        ("16-001", _item_to_div),
        ("19-003", _drop_note_id),
        ("19-004", _duplicate_note_id),
        ("docbuild:figure-caption", _caption_into_figure),
        ("docbuild:figure-bbox", _bbox_upside_down),
        ("docbuild:quotations", _quote_to_div),
        ("docbuild:tables", _table_caption_to_p),
        ("docbuild:outline", _flatten_outline),
        ("docbuild:figure-caption", _description_under_alt),
        ("docbuild:links", _wrong_uri),
    ],
    ids=["th-scope", "list-numbering", "list-item", "note-id", "note-id-twice", "caption-under-alt", "figure-bbox",
         "blockquote", "table-caption", "outline-nesting", "description-under-alt", "link-address"],
)
def test_pdf_briefing_breakage_fails_one_rule(fresh: Path, tmp_path: Path, rule: str, change) -> None:
    require_tool("pdftotext")
    path = _mutate_pdf(copy(fresh, f"{BRIEFING}-en.pdf", tmp_path), change)
    assert failing([path]) == {rule}


def test_pdf_briefing_fresh_passes_without_validators(fresh: Path) -> None:
    require_tool("pdftotext")
    assert failing([fresh / f"{BRIEFING}-en.pdf", fresh / f"{BRIEFING}-ru.pdf"]) == set()


# ---------------------------------------------------------------------------
# DOCX and EPUB: zipfile + lxml mutations


def _rezip(path: Path, name: str, change) -> Path:
    """Rewrite one part of a zip container; ``mimetype`` stays first and stored, as EPUB requires."""
    with zipfile.ZipFile(path) as archive:
        items = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in items:
            if info.filename == name:
                root = etree.fromstring(data)
                change(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            archive.writestr(info, data)
    return path


def _docx_paragraphs(root):
    return list(root.iter(W + "p"))


def _style(p) -> str | None:
    style = p.find(f"{W}pPr/{W}pStyle")
    return style.get(W + "val") if style is not None else None


def test_docx_fresh_passes(fresh: Path) -> None:
    assert failing([fresh / "kazakhstan-ru.docx", fresh / "kazakhstan-en.docx"]) == set()


@pytest.mark.parametrize(
    ("part", "rule", "change"),
    [
        ("word/document.xml", "1.1.1", lambda root: [d.attrib.pop("descr") for d in root.iter(
            "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")]),
        ("word/document.xml", "1.3.1", lambda root: next(
            p for p in _docx_paragraphs(root) if _style(p) == "Heading2").find(f"{W}pPr/{W}pStyle").set(W + "val", "Heading3")),
        ("word/document.xml", "docbuild:complete", lambda root: (lambda p: p.getparent().remove(p))(
            [p for p in _docx_paragraphs(root) if _style(p) == "BodyText"][5])),
        ("word/styles.xml", "3.1.1", lambda root: [l.getparent().remove(l) for l in root.iter(W + "lang")]),
        ("docProps/core.xml", "docbuild:metadata", lambda root: root.remove(
            root.find("{http://purl.org/dc/elements/1.1/}creator"))),
        ("word/footer1.xml", "docbuild:page-fields", lambda root: [
            i.getparent().getparent().remove(i.getparent()) for i in list(root.iter(W + "instrText"))]),
    ],
    ids=["alt-text", "heading-skip", "paragraph", "language", "metadata", "footer-fields"],
)
def test_docx_breakage_fails_one_rule(fresh: Path, tmp_path: Path, part: str, rule: str, change) -> None:
    path = _rezip(copy(fresh, "kazakhstan-ru.docx", tmp_path), part, change)
    assert failing([path]) == {rule}
    assert main(["--project", str(ROOT), "check", str(path)]) == EXIT_CHECK_FAILED


def _numbered(root) -> list:
    return [p for p in _docx_paragraphs(root) if p.find(f"{W}pPr/{W}numPr") is not None]


def _drop_table_header(root) -> None:
    header = next(root.iter(W + "tblHeader"))
    header.getparent().remove(header)


def _drop_table_caption(root) -> None:
    caption = next(root.iter(W + "tblCaption"))
    caption.getparent().remove(caption)


def _unnumber_item(root) -> None:
    number = _numbered(root)[0].find(f"{W}pPr/{W}numPr")
    number.getparent().remove(number)


def _typed_number(root) -> None:
    """Word numbering replaced by a typed "1." (the writer's old way)."""
    paragraph = _numbered(root)[-1]
    number = paragraph.find(f"{W}pPr/{W}numPr")
    number.getparent().remove(number)
    text = next(paragraph.iter(W + "t"))
    text.text = "8. " + text.text


def _drop_footnote_reference(root) -> None:
    reference = next(root.iter(W + "footnoteReference"))
    run = reference.getparent()
    run.getparent().remove(run)


def _append_text(root, extra: str) -> None:
    body = next(p for p in _docx_paragraphs(root) if _style(p) == "BodyText" and list(p.iter(W + "t")))
    text = list(body.iter(W + "t"))[-1]
    text.text += extra


@pytest.mark.parametrize(
    ("part", "rule", "change"),
    [
        ("word/document.xml", "1.3.1-tables", _drop_table_header),
        ("word/document.xml", "1.3.1-tables", _drop_table_caption),
        ("word/document.xml", "1.3.1-lists", _unnumber_item),
        ("word/document.xml", "1.3.1-lists", _typed_number),
        ("word/document.xml", "1.3.1-notes", _drop_footnote_reference),
        ("word/document.xml", "docbuild:raw-markdown", lambda root: _append_text(root, " | --- | --- |")),
        ("word/document.xml", "docbuild:raw-markdown", lambda root: _append_text(root, " [^wr2022]")),
        ("word/document.xml", "1.1.1", lambda root: next(root.iter(
            "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")).set("descr", "")),
        ("word/document.xml", "docbuild:links", lambda root: next(
            h for h in root.iter(W + "hyperlink") if h.get(W + "anchor") == "recommendations").set(W + "anchor", "nowhere")),
    ],
    ids=["table-header-row", "table-caption", "list-numbering", "typed-number", "footnote-reference", "table-rule",
         "note-marker", "chart-alt", "cross-reference"],
)
def test_docx_briefing_breakage_fails_one_rule(fresh: Path, tmp_path: Path, part: str, rule: str, change) -> None:
    path = _rezip(copy(fresh, f"{BRIEFING}-en.docx", tmp_path), part, change)
    assert failing([path]) == {rule}


def test_docx_briefing_fresh_passes(fresh: Path) -> None:
    assert failing([fresh / f"{BRIEFING}-en.docx", fresh / f"{BRIEFING}-ru.docx"]) == set()


XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"


def _drop_summary(root) -> None:
    for meta in root.iter(OPF + "meta"):
        if meta.get("property") == "schema:accessibilitySummary":
            meta.getparent().remove(meta)


def _drop_lang(root) -> None:
    root.attrib.pop("{http://www.w3.org/XML/1998/namespace}lang")
    language = root.find(f"{OPF}metadata/{{http://purl.org/dc/elements/1.1/}}language")
    language.text = "und"


def _plain_paragraph(root):
    """A body paragraph holding no page-break marker (so the page-list stays whole)."""
    return [p for p in root.iter(XHTML + "p") if p.get("id") and not list(p.iter(XHTML + "span"))][3]


@pytest.mark.parametrize(
    ("part", "rule", "change"),
    [
        ("EPUB/chapter.xhtml", "image-alt", lambda root: [i.attrib.pop("alt") for i in root.iter(XHTML + "img")]),
        ("EPUB/chapter.xhtml", "heading-order", lambda root: setattr(next(root.iter(XHTML + "h2")), "tag", XHTML + "h3")),
        ("EPUB/chapter.xhtml", "docbuild:complete", lambda root: (lambda p: p.getparent().remove(p))(_plain_paragraph(root))),
        ("EPUB/content.opf", "epub-lang", _drop_lang),
        ("EPUB/content.opf", "metadata-accessibilitysummary", _drop_summary),
    ],
    ids=["alt-text", "heading-skip", "paragraph", "language", "metadata"],
)
def test_epub_breakage_fails_one_rule(fresh: Path, tmp_path: Path, part: str, rule: str, change) -> None:
    path = _rezip(copy(fresh, "kazakhstan-ru.epub", tmp_path), part, change)
    assert failing([path]) == {rule}


def test_epub_fresh_passes_own_checks(fresh: Path) -> None:
    assert failing([fresh / "kazakhstan-ru.epub", fresh / "kazakhstan-en.epub"]) == set()


def _drop_backlink(root) -> None:
    link = next(a for a in root.iter(XHTML + "a") if a.get("role") == "doc-backlink")
    holder = link.getparent()
    holder.getparent().remove(holder)


def _drop_th_scope(root) -> None:
    next(root.iter(XHTML + "th")).attrib.pop("scope")


def _ordered_to_bullets(root) -> None:
    next(root.iter(XHTML + "ol")).tag = XHTML + "ul"


def _header_cells_to_td(root) -> None:
    for cell in next(root.iter(XHTML + "thead")).iter(XHTML + "th"):
        cell.tag = XHTML + "td"


def _append_to_paragraph(root, extra: str) -> None:
    paragraph = _plain_paragraph(root)
    if len(paragraph):
        paragraph[-1].tail = (paragraph[-1].tail or "") + extra
    else:
        paragraph.text = (paragraph.text or "") + extra


def _chart_alt_is_file_name(root) -> None:
    next(root.iter(XHTML + "img")).set("alt", "sentences-chart-en.png")


def _aside_to_div(root) -> None:
    next(root.iter(XHTML + "aside")).tag = XHTML + "div"


def _broken_cross_reference(root) -> None:
    link = next(a for a in root.iter(XHTML + "a") if a.get("href") == "#recommendations")
    link.set("href", "#nowhere")


@pytest.mark.parametrize(
    ("rule", "change"),
    [
        ("docbuild:notes", _drop_backlink),
        ("scope-attr-valid", _drop_th_scope),
        ("list", _ordered_to_bullets),
        ("docbuild:tables", _header_cells_to_td),
        ("docbuild:raw-markdown", lambda root: _append_to_paragraph(root, " [^1]")),
        ("docbuild:raw-markdown", lambda root: _append_to_paragraph(root, " | --- |")),
        ("image-alt", _chart_alt_is_file_name),
        ("docbuild:quotations-boxes", _aside_to_div),
        ("docbuild:links", _broken_cross_reference),
    ],
    ids=["backlink", "th-scope", "ordered-list", "header-cells", "note-marker", "table-rule", "chart-alt", "box",
         "cross-reference"],
)
def test_epub_briefing_breakage_fails_one_rule(fresh: Path, tmp_path: Path, rule: str, change) -> None:
    path = _rezip(copy(fresh, f"{BRIEFING}-en.epub", tmp_path), "EPUB/chapter.xhtml", change)
    assert failing([path]) == {rule}


def test_epub_briefing_fresh_passes_own_checks(fresh: Path) -> None:
    assert failing([fresh / f"{BRIEFING}-en.epub", fresh / f"{BRIEFING}-ru.epub"]) == set()


# ---------------------------------------------------------------------------
# Plain text: byte mutations


def _edit_text(fresh: Path, tmp_path: Path, change, name: str = "kazakhstan-ru.txt") -> Path:
    path = copy(fresh, name, tmp_path)
    before = path.read_bytes()
    path.write_bytes(change(before.decode("utf-8")).encode("utf-8"))
    assert path.read_bytes() != before, "the change changed nothing"
    return path


def _underline_title(text: str) -> str:
    title, rest = text.split("\n", 1)
    return f"{title}\n{'=' * len(title)}\n{rest}"


@pytest.mark.parametrize(
    ("rule", "change"),
    [
        ("1.1.1", lambda t: re.sub(r"\nОписание изображения: [^\n]*", "", t, count=1)),
        ("1.3.1", _underline_title),
        ("docbuild:complete", lambda t: (lambda blocks: "\n\n".join(blocks[:4] + blocks[5:]))(t.split("\n\n"))),
        ("docbuild:metadata", lambda t: re.sub(r"\n\nИздатель: [^\n]*", "", t, count=1)),
        ("docbuild:encoding", lambda t: "\ufeff" + t),
        ("docbuild:hyphenation", lambda t: t.replace("Казахстан потрясли", "Казах\u00adстан потрясли", 1)),
    ],
    ids=["alt-text", "heading", "paragraph", "metadata", "bom", "soft-hyphen"],
)
def test_text_breakage_fails_one_rule(fresh: Path, tmp_path: Path, rule: str, change) -> None:
    path = _edit_text(fresh, tmp_path, change)
    assert failing([path]) == {rule}


def _insert_block(text: str, block: str) -> str:
    """``block`` as a block of its own after the first paragraph (the third block)."""
    blocks = text.split("\n\n")
    return "\n\n".join(blocks[:3] + [block] + blocks[3:])


@pytest.mark.parametrize(
    ("rule", "change"),
    [
        ("1.3.1-lists", lambda t: re.sub(r"(?m)^1\. (Revoke)", r"\1", t, count=1)),
        ("1.3.1-lists", lambda t: re.sub(r"(?m)^   - (Instruct)", r"- \1", t, count=1)),
        ("1.3.1-tables", lambda t: t.replace("Day of protests: 1;", "1;", 1)),
        ("1.3.1-notes", lambda t: t.replace("[1]", "", 1)),
        ("docbuild:urls", lambda t: re.sub(r"https://www\.hrw\.org/world-report/2022(?![/\w])", "", t)),
        ("docbuild:nbsp", lambda t: t.replace("January 2 in Zhanaozen", "January\u00a02 in Zhanaozen", 1)),
        ("docbuild:raw-markdown", lambda t: _insert_block(t, "| Person | Years |\n| --- | --- |")),
        ("docbuild:raw-markdown", lambda t: t.replace("detained.[1]\n", "detained.[1] **Summary**\n", 1)),
        ("1.3.1", _underline_title),
        ("1.1.1", lambda t: re.sub(r"\nImage description: Horizontal bar chart[^\n]*", "", t, count=1)),
    ],
    ids=["list-number", "nested-item", "table-label", "note-reference", "url", "nbsp", "table-rule", "strong",
         "underlined-heading", "chart-alt"],
)
def test_text_briefing_breakage_fails_one_rule(fresh: Path, tmp_path: Path, rule: str, change) -> None:
    path = _edit_text(fresh, tmp_path, change, f"{BRIEFING}-en.txt")
    assert failing([path]) == {rule}


def test_text_briefing_fresh_passes(fresh: Path) -> None:
    assert failing([fresh / f"{BRIEFING}-en.txt", fresh / f"{BRIEFING}-ru.txt"]) == set()


# ---------------------------------------------------------------------------
# The source side: stale translations, building what is missing


def test_stale_translation_warns_and_fails_only_when_strict(project: Path, tmp_path: Path) -> None:
    from docbuild.build import build

    out = tmp_path / "dist"
    build(project, out, ["txt"], ["ru"], ["kazakhstan"])
    english = project / "source" / "kazakhstan" / "en.md"
    english.write_text(english.read_text(encoding="utf-8").replace("Kazakhstan was rocked", "Kazakhstan was shaken", 1),
                       encoding="utf-8")
    ru = out / "kazakhstan-ru.txt"
    report = check_editions(project, [ru])
    stale = next(r for r in report.editions[0].results if r.rule == "docbuild:stale")
    assert stale.status == "warn" and "intro-1" in stale.reason
    assert report.passed
    assert not check_editions(project, [ru], strict=True).passed


def test_no_files_builds_missing_editions_then_checks_them(project: Path) -> None:
    from docbuild.project import Project
    from docbuild.reader import read_project

    report = check_editions(project, run_validators=False)
    variants = [(cs.id, chapter.lang) for cs in read_project(Project.at(project)) for chapter in cs.variants]
    # The book's editions (source/report.toml) are checked too: test_book.py.
    names = sorted(e.path.name for e in report.editions if e.chapter in {chapter for chapter, _ in variants})
    assert {chapter for chapter, _ in variants} >= set(CHAPTERS)
    from docbuild.check import FORMATS
    from docbuild.edition import edition_file_name

    assert names == sorted(edition_file_name(chapter, lang, fmt) for chapter, lang in variants for fmt in FORMATS)
    assert len(report.rebuilt) == len(FORMATS) * len(variants)
    bad = [f"{e.path.name} {r.rule}: {r.reason}" for e in report.editions for r in e.failures()]
    assert not bad
    assert as_json(report)["passed"] is True


@pytest.mark.parametrize("suffix", ["epub", "docx"])
def test_a_zip_bomb_fails_the_check_without_being_unpacked(tmp_path, suffix):
    """Issue 13: a small archive that unpacks to gigabytes is refused as it is read, in bounded memory."""
    import resource
    import zipfile

    from docbuild.check import archive

    bomb = tmp_path / f"kazakhstan-en.{suffix}"
    zeros = b"\0" * (1 << 20)
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("mimetype", "application/epub+zip")
        for n in range(3):
            with out.open(f"part{n}.xml", "w") as entry:
                for _ in range(100):  # 100 MiB of zeros each, about 100 KiB compressed
                    entry.write(zeros)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(archive.ZipBombError):
        archive.read_parts(bomb)
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 64, f"reading the bomb grew memory by {grown_mib:.0f} MiB"
    checker = importlib.import_module(f"docbuild.check.{suffix}")
    expected = None  # never reached: the archive is refused before anything is compared
    results = checker.check(bomb, expected, run_validators=False)
    assert [r.status for r in results] == ["fail"] and "not read further" in results[0].reason
