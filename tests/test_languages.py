"""Languages are data (issue 15): Kazakh and Arabic (right to left) without touching the code.

The editions are read back with independent readers: pikepdf and poppler
for the PDF, lxml for the EPUB, the text as bytes; the DOCX side is in
test_docx_languages.py.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from conftest import ROOT, require_tool
from docbuild.build import build
from docbuild.check import check_editions
from docbuild.errors import DocbuildError
from docbuild.labels import load_labels
from docbuild.languages import load_language, parse_language
from docbuild.project import Project
from docbuild.writers.bidi import mark_lines, mark_span

OPF = {"opf": "http://www.idpf.org/2007/opf"}
XHTML = {"h": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> Path:
    """The Kazakhstan chapter in Kazakh and Arabic, every standard format."""
    out = tmp_path_factory.mktemp("languages")
    build(ROOT, out, ["txt", "pdf", "epub", "docx"], langs=["kk", "ar"], chapters=["kazakhstan"], cache=False)
    return out


def _run(*args: str) -> str:
    require_tool(args[0])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


# ---------------------------------------------------------------------------
# Adding a language is data only


UKRAINIAN = """---
title: Приклад
subtitle: Розділ українською
author: Human Rights Watch
publisher: Human Rights Watch
date: 2022-01-27
description: Короткий розділ, щоб показати, що мову додано лише файлами даних.
keywords: [приклад]
---

{#intro}
Перший абзац із "цитатою" — і тире, 10 000 людей у 2021 році, а також [Human Rights Watch]{lang=en}.

{#findings}
## Розділ

{#findings-list}
- Перший пункт.
- Другий пункт.
"""


def test_a_language_is_added_with_data_files_only(project):
    """Ukrainian: a language data file, a labels file, a source; no Python. All four formats build."""
    ru = (project / "layouts/languages/ru.toml").read_text(encoding="utf-8")
    uk = ru.replace('name = "Русский"', 'name = "Українська"').replace('english_name = "Russian"', 'english_name = "Ukrainian"')
    uk = uk.replace('hyphenation = "ru_RU"', 'hyphenation = "none"').replace('docx_locale = "ru-RU"', 'docx_locale = "uk-UA"')
    uk = re.sub(r"after_words = \[[^\]]*\]", 'after_words = ["і", "й", "в", "у", "з", "із", "до", "на", "та"]', uk)
    (project / "layouts/languages/uk.toml").write_text(uk, encoding="utf-8")
    labels = (project / "layouts/labels/ru.toml").read_text(encoding="utf-8").replace('"Русский"', '"Українська"')
    (project / "layouts/labels/uk.toml").write_text(labels, encoding="utf-8")
    (project / "source/pryklad").mkdir()
    (project / "source/pryklad/uk.md").write_text(UKRAINIAN, encoding="utf-8")
    out = project / "out"
    result = build(project, out, ["txt", "pdf", "epub", "docx"], chapters=["pryklad"], cache=False)
    assert sorted(p.name for p in result.written) == [f"pryklad-uk.{ext}" for ext in ("docx", "epub", "pdf", "txt")]
    text = (out / "pryklad-uk.txt").read_text(encoding="utf-8")
    assert "«цитатою»" in text  # the quotation marks came from the data file
    with zipfile.ZipFile(out / "pryklad-uk.epub") as epub:
        chapter = epub.read("EPUB/chapter.xhtml").decode()
    # The no-break rules of the data: after "і"... (given back in the EPUB for search), before the dash, in 10 000.
    assert "\u00a0— і" in chapter and "10\u00a0000" in chapter
    with pikepdf.open(out / "pryklad-uk.pdf") as pdf:
        assert str(pdf.Root.Lang) == "uk"
    with zipfile.ZipFile(out / "pryklad-uk.docx") as docx:
        assert b'w:val="uk-UA"' in docx.read("word/styles.xml")


def test_a_language_without_data_is_refused_with_the_way_to_add_it(project):
    (project / "source/example/uk.md").write_text(UKRAINIAN.replace("---\ntitle", "---\ntranslation-of: en\ntitle", 1), encoding="utf-8")
    with pytest.raises(DocbuildError) as caught:
        build(project, project / "out", ["txt"], chapters=["example"], cache=False)
    assert "no language data for 'uk'" in str(caught.value)
    assert "layouts/languages/en.toml" in str(caught.value)


def test_a_bad_language_data_file_names_the_file_and_line(tmp_path):
    text = (ROOT / "layouts/languages/ru.toml").read_text(encoding="utf-8")
    broken = text.replace('direction = "ltr"', 'direction = "sideways"').replace("initials = true", "initials = 1")
    with pytest.raises(DocbuildError) as caught:
        parse_language("ru", broken, tmp_path / "ru.toml")
    lines = {error.line for error in caught.value.errors}
    rows = broken.split("\n")
    assert lines == {rows.index('direction = "sideways"') + 1, rows.index("initials = 1") + 1}


def test_every_shipped_language_has_data_and_complete_labels():
    project = Project.at(ROOT)
    for path in sorted((ROOT / "layouts/languages").glob("*.toml")):
        language = load_language(project.layouts, path.stem)
        labels = load_labels(project, path.stem)
        assert labels.lang == language.code


# ---------------------------------------------------------------------------
# Untranslated labels


def test_check_flags_a_copied_untranslated_labels_file(project):
    (project / "layouts/labels/kk.toml").write_text(
        (project / "layouts/labels/en.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    out = project / "out"
    build(project, out, ["txt"], langs=["kk"], chapters=["kazakhstan"], cache=False)
    for strict, status in ((False, "warn"), (True, "fail")):
        report = check_editions(project, files=[out / "kazakhstan-kk.txt"], strict=strict, run_validators=False)
        results = [r for e in report.editions for r in e.results if r.rule == "docbuild:labels-translated"]
        assert results and all(r.status == status for r in results), results
        assert results[0].reason.startswith("39 label(s)") or "label(s)" in results[0].reason
        assert "language_name, photo" in results[0].reason


def test_check_passes_translated_labels_and_honours_the_allow_list(project):
    out = project / "out"
    build(project, out, ["txt"], langs=["kk"], chapters=["kazakhstan"], cache=False)
    report = check_editions(project, files=[out / "kazakhstan-kk.txt"], strict=True, run_validators=False)
    [result] = [r for e in report.editions for r in e.results if r.rule == "docbuild:labels-translated"]
    assert result.status == "pass", result.reason
    # One label copied from English, and allowed: still a pass.
    labels = project / "layouts/labels/kk.toml"
    labels.write_text(re.sub(r'^table = .*$', 'table = "Table"', labels.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    report = check_editions(project, files=[out / "kazakhstan-kk.txt"], strict=True, run_validators=False)
    [result] = [r for e in report.editions for r in e.results if r.rule == "docbuild:labels-translated"]
    assert result.status == "fail" and "table" in result.reason
    data = project / "layouts/languages/kk.toml"
    data.write_text(re.sub(r"^same_as_original = .*$", 'same_as_original = ["table"]', data.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    report = check_editions(project, files=[out / "kazakhstan-kk.txt"], strict=True, run_validators=False)
    [result] = [r for e in report.editions for r in e.results if r.rule == "docbuild:labels-translated"]
    assert result.status == "pass", result.reason


# ---------------------------------------------------------------------------
# Kazakh


def _english_labels() -> list[str]:
    """English label texts with words of their own (placeholders cut at), long enough to be telling."""
    table = load_labels(Project.at(ROOT), "en").table
    found = []
    for value in table.values():
        for text in value if isinstance(value, list) else [value]:
            for piece in re.split(r"\{[^}]*\}", str(text)):
                piece = piece.strip(" .,:;()")
                if len(piece) >= 5 and piece not in ("Human Rights Watch",):
                    found.append(piece)
    return found


def test_kazakh_editions_have_no_english_label(editions):
    with zipfile.ZipFile(editions / "kazakhstan-kk.epub") as epub:
        epub_text = " ".join(
            "".join(etree.fromstring(epub.read(name)).itertext()) for name in epub.namelist() if name.endswith(".xhtml")
        )
    texts = {
        "txt": (editions / "kazakhstan-kk.txt").read_text(encoding="utf-8"),
        "pdf": _run("pdftotext", str(editions / "kazakhstan-kk.pdf"), "-"),
        "epub": epub_text,
    }
    labels = _english_labels()
    assert len(labels) > 30
    for fmt, text in texts.items():
        found = [label for label in labels if label in text]
        assert not found, f"{fmt}: English labels {found[:5]}"
    assert "Қазақстан" in texts["pdf"] and "Тоқаев" in texts["txt"]


def test_kazakh_print_is_ragged_right_and_russian_justified(editions, dist):
    """No Kazakh hyphenation patterns: lines end where they end. Russian is justified (hyphenated)."""

    def line_ends(pdf: Path, page: int) -> list[float]:
        xml = _run("pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-")
        ends = [float(m) for m in re.findall(r'<line xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', xml)]
        return [end for end in ends if end > 300]  # body lines reaching past the middle

    kk = line_ends(editions / "kazakhstan-kk.pdf", 2)
    ru = line_ends(dist("pdf") / "kazakhstan-ru.pdf", 2)
    assert statistics.pstdev(kk) > 8, kk
    flush = max(ru)
    assert sum(1 for end in ru if flush - end < 1) > len(ru) / 2, ru


# ---------------------------------------------------------------------------
# Arabic, right to left


def _cmap_code_points(font: pikepdf.Dictionary) -> dict[int, set[int]]:
    """Code point -> the glyph codes that ToUnicode maps to it (several: its shaped forms)."""
    data = font.ToUnicode.read_bytes().decode("latin-1")
    found: dict[int, set[int]] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            if len(text) == 4:
                found.setdefault(int(text, 16), set()).add(int(code, 16))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, start in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>", block):
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                found.setdefault(int(start, 16) + offset, set()).add(code)
    return found


def test_arabic_pdf_is_set_in_the_arabic_font_shaped(editions):
    fonts = {}
    with pikepdf.open(editions / "kazakhstan-ar.pdf") as pdf:
        assert str(pdf.Root.Lang) == "ar"
        for page in pdf.pages:
            for font in page.Resources.Font.values():
                fonts[str(font.BaseFont)] = _cmap_code_points(font)
    naskh = {name: cmap for name, cmap in fonts.items() if "Naskh-Arabic" in name}
    assert naskh, sorted(fonts)
    arabic = {cp: codes for cmap in naskh.values() for cp, codes in cmap.items() if 0x0600 <= cp <= 0x06FF}
    assert 0x0643 in arabic and 0x0632 in arabic  # ك and ز of كازاخستان
    # Shaped: a joining letter is drawn in more than one form (initial, medial, final), each its own glyph.
    assert sum(1 for codes in arabic.values() if len(codes) > 1) >= 10
    # No Arabic letter came from the Latin font.
    for name, cmap in fonts.items():
        if "Noto-Serif" in name:
            assert not [cp for cp in cmap if 0x0600 <= cp <= 0x06FF], name


def test_arabic_pdf_text_is_in_logical_order_and_the_title_on_the_right(editions):
    pdf = editions / "kazakhstan-ar.pdf"
    source = (ROOT / "source/kazakhstan/ar.md").read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", source, re.M).group(1).strip()
    text = re.sub("[\u202a-\u202e]", "", _run("pdftotext", "-f", "1", "-l", "1", str(pdf), "-"))
    assert title in text  # logical order: the letters as typed, not reversed for display
    first = re.search(r"\{#intro-1[^}]*\}\n(.+)", source).group(1)
    words = first.split()[:4]
    assert " ".join(words) in " ".join(text.split())
    xml = _run("pdftotext", "-bbox-layout", "-f", "1", "-l", "1", str(pdf), "-")
    page_width = float(re.search(r'<page width="([\d.]+)"', xml).group(1))
    [(x_min, x_max)] = [
        (float(a), float(b)) for a, b, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>', xml)
        if word in (title, title[::-1])  # poppler gives a right-to-left word's letters as drawn
    ][:1]
    margin = 22 / 25.4 * 72
    assert abs((page_width - margin) - x_max) < 3, (x_max, page_width)
    assert x_min > page_width / 2


def test_arabic_pdf_marks_english_spans_and_has_arabic_bookmarks(editions):
    with pikepdf.open(editions / "kazakhstan-ar.pdf") as pdf:
        spans = []

        def walk(node):
            if isinstance(node, pikepdf.Dictionary):
                if "/Lang" in node:
                    spans.append(str(node.Lang))
                if "/K" in node:
                    walk(node.K)
            elif isinstance(node, pikepdf.Array):
                for child in node:
                    walk(child)

        walk(pdf.Root.StructTreeRoot)
        with pdf.open_outline() as outline:
            titles = [str(item.title) for item in outline.root]
    assert "en" in spans
    assert titles and re.search("[\u0600-\u06ff]", titles[0])


def test_arabic_epub_reads_right_to_left(editions):
    with zipfile.ZipFile(editions / "kazakhstan-ar.epub") as epub:
        opf = etree.fromstring(epub.read("EPUB/content.opf"))
        chapter = etree.fromstring(epub.read("EPUB/chapter.xhtml"))
        nav = etree.fromstring(epub.read("EPUB/nav.xhtml"))
        names = epub.namelist()
    assert opf.find("opf:spine", OPF).get("page-progression-direction") == "rtl"
    assert chapter.get("dir") == "rtl" and chapter.get("lang") == "ar"
    assert nav.get("dir") == "rtl"
    assert re.search("[\u0600-\u06ff]", "".join(nav.find(".//h:nav", XHTML).itertext()))
    # The English spans run left to right inside the Arabic text.
    spans = chapter.findall(".//h:span[@lang='en']", XHTML)
    assert spans and all(span.get("dir") == "ltr" for span in spans)
    assert any("NotoNaskhArabic" in name for name in names)


def test_arabic_text_edition_is_logical_with_marks_only_where_needed(editions):
    text = (editions / "kazakhstan-ar.txt").read_text(encoding="utf-8")
    source = (ROOT / "source/kazakhstan/ar.md").read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", source, re.M).group(1).strip()
    assert text.startswith(f"# {title}\n")
    assert not re.search("[\ufb50-\ufdff\ufe70-\ufeff]", text)  # no presentation forms (shaping hacks)
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", text)  # no embeddings or isolates
    for line in text.split("\n"):
        strong = re.search(r"[A-Za-z\u0600-\u06ff]", line.lstrip("\u200f"))
        if strong and strong.group() < "\u0600":  # a line whose first letter is Latin
            assert line.startswith("\u200f"), line


def test_direction_marks():
    assert mark_lines("Human Rights Watch قالت\nقالت Human", "rtl") == "\u200fHuman Rights Watch قالت\nقالت Human"
    assert mark_lines("# 2021", "rtl") == "# 2021"  # no strong letter: nothing to decide
    assert mark_span("Covid-19", "ltr", "rtl") == "Covid-19\u200e"
    assert mark_span("OCCRP", "ltr", "rtl") == "OCCRP"
    assert mark_span("Covid-19", "ltr", "ltr") == "Covid-19"


def test_a_span_in_another_script_gets_that_scripts_font(project):
    """An Arabic name in the English example: the Arabic family in the PDF, the EPUB and the DOCX."""
    en = project / "source/example/en.md"
    en.write_text(en.read_text(encoding="utf-8").replace("[Казахстан]{lang=ru}", "[Казахстан]{lang=ru} ([كازاخستان]{lang=ar})", 1), encoding="utf-8")
    out = project / "out"
    build(project, out, ["pdf", "epub", "docx"], chapters=["example"], cache=False)
    fonts = _run("pdffonts", str(out / "example-en.pdf"))
    assert "Noto-Naskh-Arabic" in fonts and "Noto-Serif" in fonts
    with zipfile.ZipFile(out / "example-en.epub") as epub:
        css = epub.read("EPUB/css/fonts.css").decode()
        assert any("NotoNaskhArabic" in name for name in epub.namelist())
        chapter = epub.read("EPUB/chapter.xhtml").decode()
    assert css.index('"Noto Serif"') < css.index('"Noto Naskh Arabic"', css.index("body"))
    assert '<span lang="ar" xml:lang="ar" dir="rtl">' in chapter
    with zipfile.ZipFile(out / "example-en.docx") as docx:
        document = docx.read("word/document.xml").decode()
        font_table = docx.read("word/fontTable.xml").decode()
    assert 'w:cs="Noto Naskh Arabic"' in document or 'w:cs="Noto Naskh Arabic"' in docx_styles(out / "example-en.docx")
    assert "Noto Naskh Arabic" in font_table


def docx_styles(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        return docx.read("word/styles.xml").decode()


def test_a_character_no_font_has_is_named_with_file_and_line(project):
    en = project / "source/example/en.md"
    text = en.read_text(encoding="utf-8")
    en.write_text(text.replace("An introductory paragraph", "An introductory ქ paragraph", 1), encoding="utf-8")
    with pytest.raises(DocbuildError) as caught:
        build(project, project / "out", ["pdf"], chapters=["example"], cache=False)
    message = str(caught.value)
    assert "U+10E5" in message and "en.md" in message
    line = text.split("\n").index(next(l for l in text.split("\n") if l.startswith("An introductory paragraph"))) + 1
    assert f":{line}:" in message or f"line {line}" in message


def _pdfjs_element_texts(path: Path) -> list[tuple[str, str]]:
    """(role, text) of each structure element of page 1, as pdf.js (Firefox) gives them to assistive technology."""
    require_tool("node")
    result = subprocess.run(["node", str(ROOT / "tests/pdfjs_struct.mjs"), str(path)], cwd=ROOT, check=True,
                            capture_output=True, text=True)
    import json

    page = json.loads(result.stdout)["pages"][0]
    by_id: dict[str, str] = {}
    for item in page["text"]:
        by_id[item["id"]] = by_id.get(item["id"], "") + item["str"]
    found = []

    def text(node) -> str:
        if node.get("type") == "content":
            return by_id.get(node["id"], "")
        return "".join(text(child) for child in node.get("children", []))

    def walk(node):
        if "role" in node:
            found.append((node["role"], text(node)))
        for child in node.get("children", []):
            walk(child)

    walk(page["tree"])
    return found


def test_pdfjs_reads_the_arabic_structure_in_logical_order(editions):
    """What a screen reader gets through Firefox: the title and the photo's caption, letters in typed order.
    (poppler's structure text takes glyphs in drawing order, which for right-to-left lines is backwards;
    docbuild's PDF check reorders them itself: docbuild.check.visual.)"""
    source = (ROOT / "source/kazakhstan/ar.md").read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", source, re.M).group(1).strip()
    texts = _pdfjs_element_texts(editions / "kazakhstan-ar.pdf")
    assert ("H1", title) in texts
    captions = [text for role, text in texts if role == "Caption"]
    caption_start = re.search(r"caption: >-\n\s+(\S+ \S+ \S+)", source).group(1)
    assert captions and caption_start in captions[0], captions


def test_check_passes_the_kazakh_and_arabic_editions(editions):
    """docbuild check --strict, validators included (EPUBCheck, Ace), on all four formats in both languages."""
    files = sorted(editions.iterdir())
    assert len(files) == 8
    report = check_editions(ROOT, files=files, strict=True, require_validators=True)
    failed = [(e.path.name, r.rule, r.reason) for e in report.editions for r in e.results if r.status != "pass"]
    assert not failed, failed
