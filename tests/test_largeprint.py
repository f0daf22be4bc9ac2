"""The large-print editions (issue 17): Clear Print guidance, read back from the files.

RNIB / APH Clear Print: body at 18 pt or more in a sans-serif face, headings
larger and bold, captions at body size, line spacing at least 1.5, left
aligned, no hyphenation, no italic, no grey. Everything else is the standard
edition's: a tagged PDF/UA-1 that passes every check, the whole text.
"""

from __future__ import annotations

import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from docbuild.build import build
from docbuild.check import check_editions
from docbuild.paper import page_geometry
from docbuild.model import Emph, Paragraph, inline_nodes, plain_text
from docbuild.project import Project
from docbuild.reader import read_project

from conftest import ROOT, require_tool

CHAPTERS = ("kazakhstan", "kazakhstan-january")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("large")
    build(ROOT, out, ["large-pdf", "large-docx"], chapters=list(CHAPTERS), cache=False)
    return out


def _sizes(path: Path) -> tuple[Counter, list[tuple[float, float]]]:
    """Characters by type size in points, and (size, baseline) of each run, from the content streams."""
    sizes: Counter = Counter()
    runs = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            scale, size, y, artifact = 1.0, 0.0, 0.0, 0
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
                elif op == "Tm":
                    y = float(operands[5]) * scale
                elif op in ("Tj", "TJ") and not artifact:
                    strings = operands[0] if op == "TJ" else [operands[0]]
                    sizes[round(size, 1)] += sum(len(bytes(s)) // 2 for s in strings if isinstance(s, pikepdf.String))
                    runs.append((round(size, 1), y))
    return sizes, runs


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_large_print_pdf_body_is_18pt_sans_with_1_5_spacing(large, chapter, lang):
    path = large / f"{chapter}-{lang}-large.pdf"
    sizes, runs = _sizes(path)
    body, _ = sizes.most_common(1)[0]
    assert body >= 18
    assert sum(n for s, n in sizes.items() if s < 18) / sum(sizes.values()) < 0.05  # note numbers only
    gaps = Counter(round(abs(b[1] - a[1]), 1) for a, b in zip(runs, runs[1:]) if a[0] == b[0] == body and abs(b[1] - a[1]) > 1)
    assert gaps.most_common(1)[0][0] / body >= 1.5
    fonts = subprocess.run([require_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True).stdout
    names = [row.split()[0].split("+")[-1] for row in fonts.splitlines()[2:]]
    assert names and all(n.startswith("docbuild-Noto-Sans") and "Italic" not in n for n in names), names
    with pikepdf.open(path) as pdf:
        assert "(large print)" in str(pdf.docinfo.get("/Title")) or "(крупный шрифт)" in str(pdf.docinfo.get("/Title"))


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_large_print_pdf_has_every_paragraph(large, chapter, lang):
    geometry = page_geometry(Project.at(ROOT), "a4", large_print=True)
    mm = 72 / 25.4  # the running heads and page numbers sit in the margins: crop them away
    top, height = geometry.margin_top * mm, (geometry.height - geometry.margin_top - geometry.margin_bottom) * mm
    crop = ["-x", "0", "-y", str(int(top)), "-W", str(int(geometry.width * mm) + 1), "-H", str(int(height))]
    text = subprocess.run([require_tool("pdftotext"), "-raw", *crop, str(large / f"{chapter}-{lang}-large.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split()).replace("\u00ad", "")
    chapter_model = next(cs for cs in read_project(Project.at(ROOT), [chapter])).variant(lang)
    for block in chapter_model.walk():
        if isinstance(block, Paragraph) and block.id and not any(True for _ in _notes(block)):
            assert "".join(plain_text(block.content).split()) in flat, block.id


def _notes(block):
    from docbuild.model import NoteRef

    return (n for n in inline_nodes(block.content) if isinstance(n, NoteRef))


def test_large_print_editions_pass_every_check(large):
    """Tagged PDF/UA-1 (artifacts, /Lang, figure alt, captions readable), completeness and the large-print rules."""
    report = check_editions(Project.at(ROOT), [str(p) for p in sorted(large.iterdir())], None, False, False)
    failed = [(e.path.name, r.rule, r.reason) for e in report.editions for r in e.results if r.status == "fail"]
    assert not failed, failed
    rules = {r.rule for e in report.editions for r in e.results}
    assert {"docbuild:large-type", "docbuild:large-faces", "13-004", "01-005"} <= rules


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_large_print_docx_is_18pt_sans_without_italic(large, lang):
    with zipfile.ZipFile(large / f"kazakhstan-january-{lang}-large.docx") as docx:
        styles = etree.fromstring(docx.read("word/styles.xml"))
        document = etree.fromstring(docx.read("word/document.xml"))
        core = docx.read("docProps/core.xml").decode()
    defaults = styles.find(f"{W}docDefaults")
    assert int(defaults.find(f".//{W}sz").get(f"{W}val")) >= 36
    assert "Noto Sans" in defaults.find(f".//{W}rFonts").get(f"{W}ascii")
    assert int(defaults.find(f".//{W}spacing").get(f"{W}line")) >= 360
    assert styles.find(f".//{W}i") is None and document.find(f".//{W}i") is None
    assert document.find(f".//{W}jc[@{W}val='both']") is None
    caption = styles.find(f"{W}style[@{W}styleId='Caption']")
    assert int(caption.find(f".//{W}sz").get(f"{W}val")) >= 36
    assert "(large print)" in core or "(крупный шрифт)" in core
    chapter = next(cs for cs in read_project(Project.at(ROOT), ["kazakhstan-january"])).variant(lang)
    emphasised = [plain_text(n.children) for b in chapter.walk() if isinstance(b, Paragraph) for n in inline_nodes(b.content) if isinstance(n, Emph)]
    assert emphasised, "the briefing should have emphasis"
    bold_runs = ["".join(t.text or "" for t in r.iter(f"{W}t")) for r in document.iter(f"{W}r") if r.find(f"{W}rPr/{W}b") is not None]
    for text in emphasised:
        assert any(text.split()[0] in run for run in bold_runs), text


def test_large_print_names_and_letter_paper(tmp_path):
    result = build(ROOT, tmp_path, ["large-pdf", "large-docx"], ["en"], ["kazakhstan"], paper="letter")
    assert sorted(p.name for p in result.written) == ["kazakhstan-en-large-letter.docx", "kazakhstan-en-large-letter.pdf"]
    with pikepdf.open(tmp_path / "kazakhstan-en-large-letter.pdf") as pdf:
        assert {tuple(round(float(v)) for v in page.MediaBox) for page in pdf.pages} == {(0, 0, 612, 792)}
