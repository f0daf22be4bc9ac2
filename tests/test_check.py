"""``docbuild check``: a fresh build passes every check; breaking one thing fails one rule.

Each breakage test copies an edition (keeping its name, which says which
source variant it is checked against), changes one thing with an independent
library (pikepdf, zipfile + lxml, plain bytes), and asserts that exactly the
matching rule fails: a check that fails for unrelated reasons, or a mutation
that no check notices, would both show up here.
"""

from __future__ import annotations

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
    for tool in ("pdfinfo", "pdffonts", "pdftotext", "java", "node", "chromium"):
        require_tool(tool)
    files = sorted(fresh.glob("*.*"))
    assert {f.suffix for f in files} == {".txt", ".pdf", ".epub", ".docx"}
    report = check_editions(ROOT, files, require_validators=True)
    problems = [f"{e.path.name} {r.rule} {r.status}: {r.reason}" for e in report.editions for r in e.failures(True)]
    assert not problems
    assert report.passed
    epub_rules = {r.rule: r.status for e in report.editions if e.fmt == "epub" for r in e.results}
    assert epub_rules["epubcheck"] == epub_rules["ace"] == "pass"


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


def test_html_report_escapes_what_editions_say(fresh: Path, tmp_path: Path) -> None:
    """Reasons quote the editions; a hostile file must not inject markup into the report."""
    text = copy(fresh, "kazakhstan-en.txt", tmp_path)
    data = text.read_text(encoding="utf-8").replace("Kazakhstan\n==========", "<script>x</script>\n" + "=" * 17, 1)
    text.write_text(data, encoding="utf-8")
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


# ---------------------------------------------------------------------------
# Plain text: byte mutations


def _edit_text(fresh: Path, tmp_path: Path, change) -> Path:
    path = copy(fresh, "kazakhstan-ru.txt", tmp_path)
    path.write_bytes(change(path.read_bytes().decode("utf-8")).encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("rule", "change"),
    [
        ("1.1.1", lambda t: re.sub(r"\nОписание изображения: [^\n]*", "", t, count=1)),
        ("1.3.1", lambda t: t.replace("\n=========\n", "\n---------\n", 1)),
        ("docbuild:complete", lambda t: (lambda blocks: "\n\n".join(blocks[:4] + blocks[5:]))(t.split("\n\n"))),
        ("docbuild:metadata", lambda t: re.sub(r"\n\nИздатель: [^\n]*", "", t, count=1)),
        ("docbuild:encoding", lambda t: "\ufeff" + t),
        ("docbuild:hyphenation", lambda t: t.replace("Казахстан потрясли", "Казах\u00adстан потрясли", 1)),
    ],
    ids=["alt-text", "heading", "paragraph", "metadata", "bom", "soft-hyphen"],
)
def test_text_breakage_fails_one_rule(fresh: Path, tmp_path: Path, rule: str, change) -> None:
    path = _edit_text(fresh, tmp_path, change)
    assert path.read_bytes() != (fresh / "kazakhstan-ru.txt").read_bytes()
    assert failing([path]) == {rule}


# ---------------------------------------------------------------------------
# The source side: stale translations, building what is missing


def test_stale_translation_warns_and_fails_only_when_strict(project: Path, tmp_path: Path) -> None:
    from docbuild.build import build

    out = tmp_path / "dist"
    build(project, out, ["txt"], ["ru"])
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
    report = check_editions(project, run_validators=False)
    names = sorted(e.path.name for e in report.editions)
    assert names == sorted(f"kazakhstan-{lang}.{fmt}" for lang in ("en", "ru") for fmt in ALL)
    assert len(report.rebuilt) == 8
    bad = [f"{e.path.name} {r.rule}: {r.reason}" for e in report.editions for r in e.failures()]
    assert not bad
    assert as_json(report)["passed"] is True
