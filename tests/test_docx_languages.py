"""The DOCX edition in other scripts and right to left (issue 15): Arabic and Kazakh.

Read back as Word reads it (the WordprocessingML itself), with python-docx,
mammoth and LibreOffice. The Arabic and Kazakh editions of the Kazakhstan
chapter are used where their sources exist; a small chapter in a copy of the
project stands in for a missing one, and a second small Arabic chapter in a
copy (a table, lists, a box, notes, an English span) reaches the parts the
Kazakhstan chapter has none of. An Arabic word in the English example checks
a span in a script the document font lacks.
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from conftest import ROOT, replace_in_file, require_tool
from docbuild.build import build
from docbuild.fonts import FontFamily, font_faces
from docbuild.languages import load_language
from docbuild.model import Chapter, NoteRef, Paragraph, Quote, Section, plain_text
from docbuild.project import Project
from docbuild.reader import read_project
from docbuild.scripts import load_scripts
from docbuild.writers.docx.direction import Writing, segments

NS = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
W = "{%s}" % NS["w"]
R_ID = "{%s}id" % NS["r"]
NAME = "kazakhstan"

#: A small Arabic original with what the Kazakhstan chapter lacks: a table, lists, a box, notes.
ARABIC = """---
title: مثال
subtitle: فصل تجريبي من اليمين إلى اليسار
author: هيومن رايتس ووتش
publisher: هيومن رايتس ووتش
date: 2022-01-27
description: فصل قصير يعرض كل عنصر من عناصر المصدر من اليمين إلى اليسار.
keywords: [مثال]
---

{#intro}
فقرة أولى فيها *تأكيد* و**كلمات قوية** و[رابط](https://www.hrw.org) ومنظمة [Human Rights Watch (HRW)]{lang=en} في 2021، وحاشية.[^report]

{#summary}
::: box
## ملخص

- بند في الإطار.
:::

{#findings}
## قسم

{#steps}
1. بند أول.
   - بند فرعي.
2. بند ثان.

{#sentences-table}
| الشخص | الحكم | السنوات |
|---|---:|---:|
| آرون أتابيك | 2006 | 18 |
| ماكس بوكاييف | 2016 | 5 |

Table: أحكام السجن

[^report]: هيومن رايتس ووتش، [التقرير العالمي 2022](https://www.hrw.org).
"""

#: A small Kazakh original, standing in for source/kazakhstan/kk.md until it exists.
KAZAKH = """---
title: Қазақстан
subtitle: 2021 жылғы оқиғалар
author: Human Rights Watch
publisher: Human Rights Watch
date: 2022-01-13
description: Қазақстандағы адам құқықтары, 2021 жыл.
keywords: [Қазақстан]
---

{#intro}
Әділет, Ғалым, Қайрат, Өскемен, Ұлытау, Үржар, Һ және Іле: [Human Rights Watch]{lang=en} хабарлайды.
"""

#: A stand-in Arabic chapter for source/kazakhstan/ar.md until it exists.
ARABIC_STAND_IN = ARABIC.replace("title: مثال", "title: كازاخستان", 1)


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def text_parts(path: Path) -> list[etree._Element]:
    """document.xml, footnotes.xml and the footers: every part with paragraphs of text."""
    with zipfile.ZipFile(path) as package:
        names = [n for n in package.namelist()
                 if n in ("word/document.xml", "word/footnotes.xml") or n.startswith("word/footer")]
    return [part(path, name) for name in sorted(names)]


def run_text(run: etree._Element) -> str:
    return "".join(t.text or "" for t in run.iter(W + "t"))


def is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff"


def normal(text: str) -> str:
    """Whitespace as readers give it; no word joiners (LibreOffice drops them)."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2060", "").split())


def shown(nodes) -> str:
    """The text Word shows for inline nodes: a note's first reference is a mark, not a number."""
    parts = []
    for node in nodes:
        if isinstance(node, NoteRef):
            parts.append(str(node.number) if node.occurrence > 1 else "")
        elif isinstance(node, Quote):
            parts.append(node.open + shown(node.children) + node.close)
        elif hasattr(node, "children"):
            parts.append(shown(node.children))
        else:
            parts.append(node.text)
    return "".join(parts)


def chapter_of(root: Path, chapter_id: str, lang: str) -> Chapter:
    (chapter_set,) = read_project(Project.at(root), [chapter_id])
    return chapter_set.variant(lang)


def _with_chapter(project: Path, chapter_id: str, lang: str, source: str) -> None:
    folder = project / "source" / chapter_id
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / f"{lang}.md").write_text(source, encoding="utf-8")


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """A copy of the project with the small Arabic chapter (and stand-ins for missing sources)."""
    root = tmp_path_factory.mktemp("docx-languages") / "project"
    for name in ("source", "layouts", "fonts"):
        shutil.copytree(ROOT / name, root / name)
    _with_chapter(root, "mithal", "ar", ARABIC)
    missing = [lang for lang in ("ar", "kk") if not (ROOT / "source" / NAME / f"{lang}.md").is_file()]
    if missing:  # until the translations exist: a chapter of their own with the stand-ins
        _with_chapter(root, "stand-in", missing[0], {"ar": ARABIC_STAND_IN, "kk": KAZAKH}[missing[0]])
        for lang in missing[1:]:
            (root / "source" / "stand-in" / f"{lang}.md").write_text(
                {"ar": ARABIC_STAND_IN, "kk": KAZAKH}[lang].replace("---\ntitle", "---\ntranslation-of: "
                                                                 + missing[0] + "\ntitle", 1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def editions(copy: Path, tmp_path_factory) -> dict[str, tuple[Path, Chapter]]:
    """kk and ar of the Kazakhstan chapter (or their stand-ins), the small Arabic chapter, and
    the Arabic large print: name -> (DOCX, chapter)."""
    out = tmp_path_factory.mktemp("docx-languages-out")
    found: dict[str, tuple[Path, Chapter]] = {}
    for lang in ("kk", "ar"):
        real = (ROOT / "source" / NAME / f"{lang}.md").is_file()
        root, chapter_id = (ROOT, NAME) if real else (copy, "stand-in")
        build(root, out, ["docx"], langs=[lang], chapters=[chapter_id], cache=False)
        found[lang] = (out / f"{chapter_id}-{lang}.docx", chapter_of(root, chapter_id, lang))
    build(copy, out, ["docx", "large-docx"], chapters=["mithal"], cache=False)
    example = chapter_of(copy, "mithal", "ar")
    found["mithal"] = (out / "mithal-ar.docx", example)
    found["mithal-large"] = (out / "mithal-ar-large.docx", example)
    return found


def arabic(editions) -> list[tuple[Path, Chapter]]:
    return [editions["ar"], editions["mithal"], editions["mithal-large"]]


# --------------------------------------------------------------------------
# Right to left


def test_every_paragraph_table_section_and_list_level_is_right_to_left(editions):
    """w:bidi on every paragraph (body, table cells, box, footnotes, footer) and in the paragraph
    defaults (a paragraph an editor adds), w:bidiVisual on every table, w:bidi and w:rtlGutter on
    the section, w:bidi on every list level."""
    for path, _ in arabic(editions):
        paragraphs = [p for root in text_parts(path) for p in root.iter(W + "p")]
        assert len(paragraphs) > 5
        assert all(p.find(f"{W}pPr/{W}bidi") is not None for p in paragraphs)
        styles = part(path, "word/styles.xml")
        assert styles.xpath("w:docDefaults/w:pPrDefault/w:pPr/w:bidi", namespaces=NS)
        body = part(path, "word/document.xml")
        for table in body.iter(W + "tbl"):
            assert table.find(f"{W}tblPr/{W}bidiVisual") is not None
        (section,) = body.xpath("w:body/w:sectPr", namespaces=NS)
        assert section.find(W + "bidi") is not None and section.find(W + "rtlGutter") is not None
        numbering = part(path, "word/numbering.xml")
        assert all(level.find(f"{W}pPr/{W}bidi") is not None for level in numbering.iter(W + "lvl"))
    path, _ = editions["mithal"]
    body = part(path, "word/document.xml")
    assert len(list(body.iter(W + "tbl"))) == 2  # the box and the table
    assert body.xpath("//w:p[w:pPr/w:numPr]", namespaces=NS)
    footnotes = part(path, "word/footnotes.xml")
    assert footnotes.xpath("//w:footnote[@w:id='1']//w:p/w:pPr/w:bidi", namespaces=NS)


def test_a_column_aligned_right_stays_on_the_right(editions):
    """In a w:bidi paragraph Word reads w:jc "left"/"right" as start/end: the cells of a column
    aligned right in the source (right on the PDF's page too) are written "left"."""
    path, chapter = editions["mithal"]
    (table,) = [b for b in chapter.walk() if type(b).__name__ == "Table"]
    body = part(path, "word/document.xml")
    (tbl,) = [t for t in body.iter(W + "tbl") if t.find(f"{W}tblPr/{W}tblCaption") is not None]
    for row in tbl.iter(W + "tr"):
        for column, cell in enumerate(row.findall(W + "tc")):
            jc = cell.find(f"{W}p/{W}pPr/{W}jc")
            if table.align[column] == "right":
                assert jc is not None and jc.get(W + "val") == "left"
            else:
                assert jc is None


def test_arabic_runs_are_rtl_and_english_spans_are_not(editions):
    """w:rtl on every run with Arabic letters, never on a run of an English span (w:lang
    en-US), whose neutral characters (the space, the brackets) stay with it."""
    for path, _ in arabic(editions):
        arabic_runs = english_runs = 0
        for root in text_parts(path):
            for run in root.iter(W + "r"):
                text = run_text(run)
                rtl = run.find(f"{W}rPr/{W}rtl") is not None
                lang = run.find(f"{W}rPr/{W}lang")
                if any(is_arabic(c) for c in text):
                    assert rtl, text
                    arabic_runs += 1
                if lang is not None and lang.get(W + "val") == "en-US":
                    assert not rtl and not any(is_arabic(c) for c in text), text
                    english_runs += 1
        assert arabic_runs > 5 and english_runs >= 1
    path, _ = editions["mithal"]
    english = [run_text(r) for r in part(path, "word/document.xml").iter(W + "r")
               if r.find(f"{W}rPr/{W}lang") is not None and r.find(f"{W}rPr/{W}lang").get(W + "val") == "en-US"]
    assert "".join(english) == "Human Rights Watch (HRW)"


def test_arabic_language_and_fonts_per_script(editions):
    """w:lang bidi="ar-SA" (the language data's docx_locale) in the defaults; w:rFonts cs is the
    Arabic family, ascii/hAnsi the Latin one; English runs name the Latin family; characters the
    Arabic font lacks (a bracket, a slash) are set in the Latin family."""
    locale = load_language(ROOT / "layouts", "ar").docx_locale
    assert locale.startswith("ar-")
    scripts = load_scripts(ROOT / "layouts")
    for path, _ in arabic(editions):
        typeface = "sans" if "large" in path.name else "serif"
        naskh, latin = scripts.get("Arab").family(typeface), scripts.get("Latn").family(typeface)
        (rpr,) = part(path, "word/styles.xml").xpath("w:docDefaults/w:rPrDefault/w:rPr", namespaces=NS)
        assert rpr.find(W + "lang").get(W + "bidi") == locale
        fonts = rpr.find(W + "rFonts")
        assert fonts.get(W + "cs") == naskh
        assert fonts.get(W + "ascii") == fonts.get(W + "hAnsi") == latin
        for root in text_parts(path):
            for run in root.iter(W + "r"):
                text = run_text(run)
                named = run.find(f"{W}rPr/{W}rFonts")
                if any(c.isascii() and c.isalpha() for c in text):
                    assert named is not None and named.get(W + "ascii") == latin, text
                if any(is_arabic(c) for c in text):
                    assert named is None or named.get(W + "cs") == naskh, text
                if named is not None and named.get(W + "cs") == naskh:
                    assert all(is_arabic(c) or not c.isalpha() for c in text)
    path, _ = editions["mithal"]
    runs = list(part(path, "word/document.xml").iter(W + "r"))
    brackets = [r for r in runs if "(" in run_text(r)]
    assert brackets and all(r.find(f"{W}rPr/{W}rFonts").get(W + "cs") == "Noto Serif" for r in brackets)


def test_complex_script_size_bold_and_italic_match_the_latin(editions):
    """w:szCs, w:bCs, w:iCs wherever w:sz, w:b, w:i: Arabic text is not a different size or weight."""
    for path, _ in arabic(editions):
        roots = [part(path, "word/styles.xml"), *text_parts(path)]
        for root in roots:
            for rpr in root.iter(W + "rPr"):
                size = rpr.find(W + "sz")
                if size is not None:
                    assert rpr.find(W + "szCs") is not None
                    assert rpr.find(W + "szCs").get(W + "val") == size.get(W + "val")
                for latin, complex_ in (("b", "bCs"), ("i", "iCs")):
                    if rpr.find(W + latin) is not None:
                        assert rpr.find(W + complex_) is not None, etree.tostring(rpr)
    path, _ = editions["mithal"]
    body = part(path, "word/document.xml")
    assert body.xpath("//w:r[w:rPr/w:i and w:rPr/w:iCs and w:rPr/w:rtl]", namespaces=NS)
    assert body.xpath("//w:r[w:rPr/w:b and w:rPr/w:bCs and w:rPr/w:rtl]", namespaces=NS)
    large, _ = editions["mithal-large"]
    body = part(large, "word/document.xml")
    assert not body.xpath("//w:i | //w:iCs", namespaces=NS)  # large print: emphasis in bold
    assert body.xpath("//w:r[w:rPr/w:b and w:rPr/w:bCs and w:rPr/w:rtl]", namespaces=NS)


def test_the_arabic_font_is_embedded(editions):
    """Noto Naskh Arabic (Noto Sans Arabic in large print) travels with the document: regular and
    bold, each file once (it has no italic), de-obfuscated to the file in fonts/; Noto Serif too."""
    project = Project.at(ROOT)
    scripts = load_scripts(project.layouts)
    for path, _ in arabic(editions):
        typeface = "sans" if "large" in path.name else "serif"
        table = part(path, "word/fontTable.xml")
        targets = {r.get("Id"): r.get("Target") for r in part(path, "word/_rels/fontTable.xml.rels")}
        for script, count in (("Arab", 2), ("Latn", 4)):
            family = scripts.get(script).family(typeface)
            (font,) = table.xpath(f"w:font[@w:name='{family}']", namespaces=NS)
            embeds = [e for e in font if e.tag.startswith(W + "embed")]
            assert len(embeds) == count
            assert font.find(W + "sig") is not None
            files = {face.path.read_bytes() for face in font_faces(project, family, scripts.get(script).italic)}
            with zipfile.ZipFile(path) as package:
                for embed in embeds:
                    key = bytes.fromhex(embed.get(W + "fontKey").strip("{}").replace("-", ""))[::-1]
                    data = package.read("word/" + targets[embed.get(R_ID)])
                    assert bytes(b ^ key[i % 16] for i, b in enumerate(data[:32])) + data[32:] in files
        assert len(set(targets.values())) == len(targets) == 6


def test_list_bullets_are_in_a_font_that_has_them(editions):
    """Noto Naskh Arabic has no • – ‣: the bullets of an Arabic list are set in Noto Serif."""
    path, _ = editions["mithal"]
    numbering = part(path, "word/numbering.xml")
    for level in numbering.xpath("w:abstractNum[w:nsid/@w:val='5D0CB001']/w:lvl", namespaces=NS):
        assert level.find(f"{W}rPr/{W}rFonts").get(W + "ascii") == "Noto Serif"


# --------------------------------------------------------------------------
# Read back by other readers


def test_python_docx_and_mammoth_read_the_arabic_text(editions):
    """python-docx finds every paragraph's text whole (split runs join up again), mammoth the
    title and the section headings."""
    mammoth = pytest.importorskip("mammoth")
    for path, chapter in (editions["ar"], editions["mithal"]):
        document = docx.Document(str(path))
        texts = [normal(p.text) for p in document.paragraphs]
        assert texts[0] == normal(chapter.meta.title) and texts[1] == normal(chapter.meta.subtitle)
        for table in document.tables:  # the box's paragraphs are in its cell
            texts += [normal(p.text) for row in table.rows for cell in row.cells for p in cell.paragraphs]
        for block in chapter.walk():
            if isinstance(block, Paragraph):
                assert normal(shown(block.content)) in texts
        with open(path, "rb") as f:
            html = mammoth.convert_to_html(f, style_map="p[style-name='Title'] => h1:fresh").value
        root = etree.fromstring(f"<div>{html}</div>")
        assert normal("".join(root.find("h1").itertext())) == normal(chapter.meta.title)
        headings = [normal("".join(h.itertext())) for h in root.iter("h2", "h3")]
        for section in chapter.sections():
            assert normal(plain_text(section.heading)) in headings


def _libreoffice_text(paths: list[Path], out: Path) -> dict[Path, str]:
    soffice = require_tool("soffice")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{out}/profile", "--headless",
         "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(out)] + [str(p) for p in paths],
        check=True, capture_output=True, timeout=300,
    )
    return {p: (out / (p.stem + ".txt")).read_text(encoding="utf-8-sig") for p in paths}


def test_libreoffice_reads_the_arabic_text_in_logical_order(editions, tmp_path):
    """LibreOffice's text export gives every paragraph in the order of the source, each in
    logical order (as typed, not as displayed), English spans in place."""
    paths = [editions["ar"][0], editions["mithal"][0]]
    texts = _libreoffice_text(paths, tmp_path)
    for (path, chapter) in (editions["ar"], editions["mithal"]):
        lines = [normal(line) for line in texts[path].split("\n")]
        expected = [chapter.meta.title, chapter.meta.subtitle]
        for block in chapter.walk():
            if isinstance(block, Section):
                expected.append(shown(block.heading))
            elif isinstance(block, Paragraph):
                expected.append(shown(block.content))
        position = 0
        for text in expected:
            wanted = normal(text)
            found = [i for i, line in enumerate(lines[position:], position) if wanted and wanted in line]
            assert found, f"{wanted!r} not found (in order) in LibreOffice's text of {path.name}"
            position = found[0]
    mithal = "\n".join(normal(line) for line in texts[editions["mithal"][0]].split("\n"))
    assert "ومنظمة Human Rights Watch (HRW) في 2021، وحاشية" in mithal


# --------------------------------------------------------------------------
# Kazakh, and a span in a script the document font lacks


def test_kazakh_docx_has_its_language_and_no_right_to_left(editions):
    """w:lang kk-KZ (the language data's docx_locale) in every slot of the defaults and in the
    settings; Noto Serif for every slot; no w:bidi, no w:rtl."""
    path, chapter = editions["kk"]
    locale = load_language(ROOT / "layouts", "kk").docx_locale
    assert locale == "kk-KZ"
    (rpr,) = part(path, "word/styles.xml").xpath("w:docDefaults/w:rPrDefault/w:rPr", namespaces=NS)
    lang = rpr.find(W + "lang")
    assert {k.removeprefix(W): v for k, v in lang.attrib.items()} == {"val": locale, "eastAsia": locale, "bidi": locale}
    assert {rpr.find(W + "rFonts").get(W + slot) for slot in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Noto Serif"}
    assert part(path, "word/settings.xml").find(W + "themeFontLang").get(W + "val") == locale
    for root in text_parts(path):
        assert not root.xpath("//w:bidi | //w:rtl | //w:bidiVisual", namespaces=NS)
    text = "".join(run_text(r) for r in part(path, "word/document.xml").iter(W + "r"))
    assert set("ӘҒҚҢӨҰҮІ") <= set(text.upper())
    assert normal(chapter.meta.title) in normal(text)


def test_an_arabic_word_in_an_english_chapter_gets_the_arabic_font_and_rtl(project):
    """An Arabic span and an unmarked Arabic word in the English example: their runs are w:rtl
    with w:rFonts cs = Noto Naskh Arabic (the span's w:lang ar-SA, in w:bidi too); the English
    around them is not; the paragraphs stay left to right; the Arabic font is embedded."""
    replace_in_file(project / "source/example/en.md", "[Казахстан]{lang=ru}",
                    "[Казахстан]{lang=ru} ([كازاخستان]{lang=ar}, or قازاقستان)")
    out = project / "out"
    build(project, out, ["docx"], chapters=["example"], cache=False)
    path = out / "example-en.docx"
    body = part(path, "word/document.xml")
    runs = {run_text(r): r for r in body.iter(W + "r")}
    for word, lang in (("كازاخستان", "ar-SA"), ("قازاقستان", None)):
        run = runs[word]
        assert run.find(f"{W}rPr/{W}rtl") is not None
        assert run.find(f"{W}rPr/{W}rFonts").get(W + "cs") == "Noto Naskh Arabic"
        if lang:
            assert run.find(f"{W}rPr/{W}lang").get(W + "val") == lang
            assert run.find(f"{W}rPr/{W}lang").get(W + "bidi") == lang
    paragraph = next(p for p in body.iter(W + "p") if "كازاخستان" in "".join(p.itertext()))
    for run in paragraph.iter(W + "r"):
        if not any(is_arabic(c) for c in run_text(run)):
            assert run.find(f"{W}rPr/{W}rtl") is None, run_text(run)
    assert not body.xpath("//w:bidi | //w:bidiVisual", namespaces=NS)
    (fonts,) = part(path, "word/styles.xml").xpath("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", namespaces=NS)
    assert fonts.get(W + "ascii") == "Noto Serif" and fonts.get(W + "cs") == "Noto Naskh Arabic"
    assert part(path, "word/fontTable.xml").xpath("w:font[@w:name='Noto Naskh Arabic']/w:embedRegular", namespaces=NS)


def test_runs_are_cut_where_direction_or_font_changes():
    """The segmentation behind the runs: neutrals between letters of one direction take it,
    others the text's direction (as the Unicode bidirectional algorithm resolves them); marks stay
    with their letter; a character the Arabic font lacks (a bracket) is set in the Latin one."""
    project = Project.at(ROOT)
    scripts = load_scripts(project.layouts)

    def family(code: str) -> FontFamily:
        script = scripts.get(code)
        return FontFamily(script.serif, font_faces(project, script.serif, script.italic), script)

    english = Writing(load_language(project.layouts, "en"), (family("Latn"), family("Arab")), project.layouts)
    arabic = Writing(load_language(project.layouts, "ar"), (family("Arab"), family("Latn")), project.layouts)
    naskh, serif = "Noto Naskh Arabic", "Noto Serif"

    def cut(writing: Writing, text: str, rtl: bool) -> list[tuple[str, bool, str]]:
        return [(s.text, s.rtl, s.family) for s in segments(text, rtl, writing)]

    assert cut(english, "the word كلمة here.", False) == [
        ("the word ", False, serif), ("كلمة", True, naskh), (" here.", False, serif)]
    assert cut(arabic, "قالت منظمة (HRW) في 2021.", True) == [
        ("قالت منظمة ", True, naskh), ("(", True, serif), ("HRW", False, serif), (")", True, serif),
        (" في 2021.", True, naskh)]
    assert cut(arabic, "Human Rights Watch (HRW)", False) == [("Human Rights Watch (HRW)", False, serif)]
    assert cut(arabic, "بِسْمِ الله", True) == [("بِسْمِ الله", True, naskh)]  # the harakat stay in the run
    assert cut(english, "Kazakhstan", False) == [("Kazakhstan", False, serif)]
