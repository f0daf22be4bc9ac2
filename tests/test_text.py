"""The plain-text edition, read back as a user's device reads it (accessibility.md, Plain text)."""

from __future__ import annotations

import re
from pathlib import Path

from docbuild.build import build
from docbuild.model import plain_text
from docbuild.project import Project
from docbuild.reader import read_project

ROOT = Path(__file__).resolve().parent.parent


def chapters():
    (chapter_set,) = read_project(Project.at(ROOT), ["kazakhstan"])
    return chapter_set.variants


def test_encoding_line_ends_and_paragraph_spacing(dist):
    for chapter in chapters():
        data = (dist("txt") / f"kazakhstan-{chapter.lang}.txt").read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), "no BOM"
        assert b"\r" not in data
        text = data.decode("utf-8")
        assert "\n\n\n" not in text, "paragraphs are separated by exactly one blank line"
        assert text.endswith("\n") and not text.endswith("\n\n")


def test_headings_are_underlined_and_in_order_wcag_1_3_1(dist):
    for chapter in chapters():
        lines = (dist("txt") / f"kazakhstan-{chapter.lang}.txt").read_text(encoding="utf-8").split("\n")
        underlined = [(lines[i], lines[i + 1][0]) for i in range(len(lines) - 1)
                      if lines[i] and re.fullmatch(r"(=+|-+)", lines[i + 1]) and len(lines[i + 1]) == len(lines[i])]
        expected = [(chapter.meta.title, "=")] + [(plain_text(s.heading), "-") for s in chapter.sections]
        assert underlined == expected


def test_every_paragraph_in_reading_order_and_nothing_else(dist):
    """Reading order: title, subtitle, photo with caption and credit, introduction, sections."""
    for chapter in chapters():
        text = (dist("txt") / f"kazakhstan-{chapter.lang}.txt").read_text(encoding="utf-8")
        blocks = text.split("\n\n")
        expected = [plain_text(p.content) for p in chapter.intro]
        for section in chapter.sections:
            expected.append(plain_text(section.heading))
            expected.extend(plain_text(p.content) for p in section.paragraphs)
        body = [b.split("\n")[0] for b in blocks[3:3 + len(expected)]]
        assert body == expected
        assert blocks[1] == chapter.meta.subtitle
        assert blocks[2].startswith("[")


def test_photo_appears_as_labelled_alt_caption_and_credit_wcag_1_1_1(dist):
    labels = {"en": ("Image description: ", "Caption: ", "Photo credit: "),
              "ru": ("Описание изображения: ", "Подпись: ", "Автор фото: ")}
    for chapter in chapters():
        block = (dist("txt") / f"kazakhstan-{chapter.lang}.txt").read_text(encoding="utf-8").split("\n\n")[2]
        alt, caption, credit = labels[chapter.lang]
        figure = chapter.figure
        assert alt + figure.alt in block
        assert caption + plain_text(figure.caption) in block
        assert credit + plain_text(figure.credit) in block
        assert figure.image.name not in block


def test_no_hyphenation_and_no_split_words(dist):
    """Each paragraph is one line, so no wrap can split a word; no soft hyphens."""
    for chapter in chapters():
        text = (dist("txt") / f"kazakhstan-{chapter.lang}.txt").read_text(encoding="utf-8")
        assert "\u00ad" not in text
        assert ".." not in text, "no doubled full stop where a label meets an abbreviation"
        for paragraph in chapter.paragraphs():
            assert plain_text(paragraph.content) + "\n" in text


def test_russian_edition_is_russian(dist):
    text = (dist("txt") / "kazakhstan-ru.txt").read_text(encoding="utf-8")
    assert "Казахстан\n=========" in text
    assert "Фото" in text and "Содержание" not in text
    latin = set(re.findall(r"[A-Za-z][A-Za-z0-9/.-]*(?: [A-Z][A-Za-z]+)*", text))
    assert latin <= {"Covid-19", "Covid", "Feminita", "Instagram", "Pegasus Project", "OCCRP", "RFE/RL",
                     "Human Rights Watch", "A4"}, latin


def test_builds_are_byte_identical(tmp_path):
    build(ROOT, tmp_path / "a", ["txt"])
    build(ROOT, tmp_path / "b", ["txt"])
    for name in ("kazakhstan-en.txt", "kazakhstan-ru.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
