"""Bad input: a clear error with file and line, a non-zero exit, nothing lost (issue 2, 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import replace_in_file
from docbuild.cli import main

EN = Path("source/kazakhstan/en.md")
RU = Path("source/kazakhstan/ru.md")


def _edit(project: Path, relative: Path, old: str, new: str) -> None:
    replace_in_file(project / relative, old, new)


def _line_of(project: Path, relative: Path, needle: str) -> int:
    lines = (project / relative).read_text(encoding="utf-8", errors="replace").split("\n")
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _build_fails(project: Path, capsys) -> str:
    out = project / "dist"
    out.mkdir(exist_ok=True)
    good = out / "kazakhstan-en.txt"
    good.write_bytes(b"an earlier good edition")
    sources = {p: p.read_bytes() for p in (project / "source").rglob("*") if p.is_file()}
    code = main(["--project", str(project), "build", "--format", "txt", "--out", str(out)])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert good.read_bytes() == b"an earlier good edition", "a failed build replaced a good edition"
    assert sorted(p.name for p in out.iterdir()) == ["kazakhstan-en.txt"], "a failed build left files behind"
    assert {p: p.read_bytes() for p in (project / "source").rglob("*") if p.is_file()} == sources
    return err


def _assert_located(err: str, relative: Path, line: int | None, words: str) -> None:
    match = re.search(r"error: (\S+?):(\d+): ", err)
    assert match, err
    assert match.group(1).endswith(str(relative)), err
    if line is not None:
        assert int(match.group(2)) == line, err
    assert re.search(words, err, re.IGNORECASE), err


def test_malformed_front_matter(project, capsys):
    _edit(project, EN, "subtitle: Events of 2021", "subtitle: [Events of 2021")
    err = _build_fails(project, capsys)
    _assert_located(err, EN, None, "malformed front matter")


def test_missing_metadata_key(project, capsys):
    _edit(project, EN, "publisher: Human Rights Watch\n", "")
    _assert_located(_build_fails(project, capsys), EN, 2, "lacks 'publisher'")


def test_unknown_language_code_in_span(project, capsys):
    _edit(project, RU, "[Instagram]{lang=en}", "[Instagram]{lang=english}")
    err = _build_fails(project, capsys)
    _assert_located(err, RU, _line_of(project, RU, "lang=english"), "unknown language code 'english'")


def test_unknown_language_code_in_file_name(project, capsys):
    (project / "source/kazakhstan/en.md").rename(project / "source/kazakhstan/xx.md")
    err = _build_fails(project, capsys)
    assert "source/kazakhstan/xx.md: unknown language code 'xx'" in err


def test_missing_alt_text(project, capsys):
    path = project / EN
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"  alt: >-\n(    .*\n)+", "", text, count=1), encoding="utf-8")
    _assert_located(_build_fails(project, capsys), EN, _line_of(project, EN, "figure:"), "lacks 'alt'")


def test_alt_text_that_is_a_file_name(project, capsys):
    path = project / EN
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"  alt: >-\n(    .*\n)+", "  alt: IMG_2041.jpg\n", text, count=1), encoding="utf-8")
    _assert_located(_build_fails(project, capsys), EN, _line_of(project, EN, "alt:"), "names a file")


def test_image_missing(project, capsys):
    (project / "source/kazakhstan/images/kazakhstan-protest.jpg").unlink()
    _assert_located(_build_fails(project, capsys), EN, _line_of(project, EN, "src:"), "not found")


@pytest.mark.parametrize("src", ["../../../fonts/OFL.txt", "/etc/passwd", "https://example.org/photo.jpg"])
def test_image_outside_the_chapter_folder(project, capsys, src):
    _edit(project, EN, "src: images/kazakhstan-protest.jpg", f"src: {src}")
    _assert_located(_build_fails(project, capsys), EN, _line_of(project, EN, "src:"), "inside the chapter folder")


def test_unreadable_source_file(project, capsys):
    (project / EN).write_bytes((project / EN).read_bytes().replace(b"Kazakhstan was rocked", b"Kazakhstan \xff rocked"))
    err = _build_fails(project, capsys)
    _assert_located(err, EN, _line_of(project, EN, "{#intro-1}") + 1, "UTF-8")


def test_missing_label_table(project, capsys):
    (project / "layouts/labels/ru.toml").unlink()
    err = _build_fails(project, capsys)
    assert "layouts/labels/ru.toml" in err and "no labels for language 'ru'" in err


def test_missing_label_is_an_error_not_english_text(project, capsys):
    _edit(project, Path("layouts/labels/ru.toml"), 'contents = "Содержание"\n', "")
    err = _build_fails(project, capsys)
    assert "ru.toml" in err and "missing label(s) contents" in err


#: One edit to en.md -> the line the error must name (found by its text after the edit) and the message.
EDITS = {
    "bad date": ("date: 2022-01-13", "date: 13 January 2022", "date:", "'date' must be a date"),
    "heading level skipped": ("## January 2022 Protests", "### January 2022 Protests", "### January", "heading level skipped"),
    "duplicate id": ("{#intro-2}", "{#intro-1}", "During 2021", "duplicate id 'intro-1'"),
    "paragraph without id": ("{#intro-2}\n", "", "During 2021", "has no id"),
    "unbalanced quotation": ('overbroad "extremism" charges', 'overbroad "extremism charges', "overbroad", "never closed"),
    "raw html": ("Kazakhstan was rocked", '<img src="file:///etc/passwd"> Kazakhstan was rocked', "<img", "raw HTML"),
}


@pytest.mark.parametrize("case", EDITS)
def test_source_mistake_is_located(project, capsys, case):
    old, new, needle, message = EDITS[case]
    _edit(project, EN, old, new)
    err = _build_fails(project, capsys)
    _assert_located(err, EN, _line_of(project, EN, needle), re.escape(message))
