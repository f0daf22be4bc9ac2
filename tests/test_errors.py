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
    # Only the chapter under test: another chapter's state must not decide what is reported first.
    code = main(["--project", str(project), "build", "--chapter", "kazakhstan", "--format", "txt", "--out", str(out)])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert good.read_bytes() == b"an earlier good edition", "a failed build replaced a good edition"
    assert sorted(p.name for p in out.iterdir()) == ["kazakhstan-en.txt"], "a failed build left files behind"
    assert {p: p.read_bytes() for p in (project / "source").rglob("*") if p.is_file()} == sources
    return err


def _assert_located(err: str, relative: Path, line: int | None, words: str) -> None:
    """The first error about ``relative`` (other variants may have the same problem) is at ``line``."""
    matches = [m for m in re.finditer(r"error: (\S+?):(\d+): ", err) if m.group(1).endswith(str(relative))]
    assert matches, err
    match = matches[0]
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


#: A block the reader must refuse, inserted into en.md just before the first section (where the
#: introduction ends): snippet -> (offset of the line the error must name, from the snippet's first
#: line; the message, or words it must all hold). Each is a construct docbuild does not support or a rule of the syntax.
SNIPPETS = {
    "raw html block": ('{#html}\n<div class="note">\nSome text.\n</div>\n', 1, "raw HTML is not allowed"),
    "fenced code": ("{#code}\n```\nprint(1)\n```\n", 1, "code blocks are not supported"),
    "indented code": ("{#indented}\nA paragraph.\n\n    indented text\n", 3, "indented code is not supported"),
    "horizontal rule": ("{#rule}\nA paragraph.\n\n---\n", 3, "horizontal rules are not supported"),
    "image outside a figure": (
        "{#picture}\nSee ![a photo](images/kazakhstan-protest.jpg) here.\n", 1, "image in running text is not supported"
    ),
    "unknown ::: block": ("{#warning}\n::: warning\nBe careful.\n:::\n", 1, "unknown block '::: warning'"),
    "heading in a list": ("{#items}\n- An item.\n- ## A heading\n", 2, "heading cannot stand inside a list"),
    "heading in a quotation": ("{#words}\n> Words.\n>\n> ## A heading\n", 3, "heading cannot stand inside a list, quotation"),
    "table without caption": ("{#data}\n| A | B |\n|---|---|\n| 1 | 2 |\n", 1, "this table has no caption"),
    "caption without table": ("{#lonely}\nA paragraph.\n\nTable: A caption\n", 3, "'Table:' caption must follow a table"),
    "note not defined": ("{#claim}\nA claim.[^nowhere]\n", 1, "note [^nowhere] is referenced but not defined"),
    "note never referenced": ("[^unused]: A note nobody refers to.\n", 0, "note [^unused] is defined but never referenced"),
    "note defined twice": ("{#claim}\nA claim.[^twice]\n\n[^twice]: One.\n[^twice]: Two.\n", 4, "note [^twice] is defined twice"),
    "link to an unknown id": ("{#linked}\nSee [the other part](#no-such-block).\n", 1, "link to '#no-such-block', but no block has that id"),
    "reserved id title": ("{#title}\nA paragraph.\n", 1, "id 'title' is reserved"),
    "reserved id note-1": ("{#note-1}\nA paragraph.\n", 1, "id 'note-1' is reserved"),
    "reserved id section-x": ("{#section-x}\nA paragraph.\n", 1, "id 'section-x' is reserved"),
    "reserved id page-2": ("{#page-2}\nA paragraph.\n", 1, "id 'page-2' is reserved"),
    "list nested 4 deep": ("{#deep}\n- one\n  - two\n    - three\n      - four\n", 4, "lists nested more than 3 levels deep"),
    "box title level": ("{#key-points}\n::: box\n### Key Points\n\nSome text.\n:::\n", 2, "box's title is ###; a box here takes ##"),
    "box never closed": ("{#key-points}\n::: box\n## Key Points\n\nSome text.\n", 1, "'::: box' is never closed"),
    "figure without alt": (
        "{#photo-2}\n::: figure\nsrc: images/kazakhstan-protest.jpg\ncaption: A caption\ncredit: A credit\n:::\n",
        1,
        "figure lacks 'alt'",
    ),
    "figure field typo": (
        "{#photo-2}\n::: figure\nsrc: images/kazakhstan-protest.jpg\natl: Police lead a woman away.\n"
        "caption: A caption\ncredit: A credit\n:::\n",
        3,
        "unknown figure field 'atl:'; did you mean 'alt:'?",
    ),
    "paragraph that begins with a year": (
        "{#year}\n2021. A paragraph that begins with a year.\n", 1, ("numbered list starting at 2021", "write '2021\\.'")
    ),
    "id on a block inside a list": (
        "{#items}\n- An item.\n\n  {#inner}\n  A paragraph in the item.\n", 4, ("a block inside a list", "takes no {#id}")
    ),
    "id line glued to a paragraph": ("{#one}\nOne paragraph.\n{#two}\nAnother.\n", 2, "'{#two}' continues the text of the line above"),
    "id line above a note definition": ("{#one}\nOne paragraph.[^lost]\n\n{#lost}\n[^lost]: A note.\n", 3, "a note definition takes no '{#lost}'"),
    "two id lines above one block": ("{#one}\n{#two}\nOne paragraph.\n", 0, "two attribute lines above one block"),
    "underlined heading": ("{#setext}\nA heading\n---------\n", 1, "write a heading as '## Heading'"),
    "empty list item": ("{#items}\n- One.\n-\n- Three.\n", 2, "item 2 of this list is empty"),
    "attributes left as text": ("{#marked}\nSome *text*{.red} here.\n", 1, "'{.red}' is not understood here"),
    "span with a space before its attributes": ("{#named}\nThe [group] {lang=ru} here.\n", 1, "'{lang=ru}' is not understood here"),
    "attributes on a link": ("{#linked}\nSee [it](https://www.hrw.org){#anchor}.\n", 1, "a link takes no attributes"),
    "stray ::: line": ("{#one}\nOne paragraph.\n\n:::\n", 3, "':::' here is not a block"),
}


def _insert_before_first_section(project: Path, snippet: str) -> int:
    """Put ``snippet`` (and a blank line) before ``{#protests}``; return the line its first line lands on."""
    line = _line_of(project, EN, "{#protests}")
    _edit(project, EN, "{#protests}\n", snippet + "\n{#protests}\n")
    return line


def _errors(err: str) -> list[tuple[str, int, str]]:
    """The (file, line, message) of every 'docbuild: error:' line, in the order printed."""
    found = [re.match(r"docbuild: error: (\S+?):(\d+): (.*)$", line) for line in err.splitlines()]
    assert all(found), err
    return [(m.group(1), int(m.group(2)), m.group(3)) for m in found]


@pytest.mark.parametrize("case", SNIPPETS)
def test_unsupported_construct_is_one_clear_error_at_its_line(project, capsys, case):
    snippet, offset, message = SNIPPETS[case]
    first = _insert_before_first_section(project, snippet)
    (error,) = _errors(_build_fails(project, capsys))
    path, line, text = error
    assert path.endswith(str(EN)), error
    assert line == first + offset, f"{error}: expected line {first + offset}: {snippet.split(chr(10))[offset]!r}"
    assert all(words in text for words in ((message,) if isinstance(message, str) else message)), error


def test_every_error_of_a_file_is_reported_in_one_run(project, capsys):
    """Three bad blocks and a bad date: four lines, sorted by line, exit status 1, no traceback."""
    _edit(project, EN, "date: 2022-01-13", "date: 13 January 2022")
    _edit(project, EN, "{#intro-2}\n", "{#intro-2}\n<p>\n")
    _edit(project, EN, "{#labor}\n", "{#labor}\n---\n\n{#labor-heading}\n")
    _edit(project, EN, "{#poverty-1}\n", "{#poverty-1}\n```\ncode\n```\n\n{#poverty-1b}\n")
    expected = [
        (_line_of(project, EN, "date:"), "'date' must be a date"),
        (_line_of(project, EN, "<p>"), "raw HTML"),
        (_line_of(project, EN, "{#labor}") + 1, "horizontal rules"),
        (_line_of(project, EN, "{#poverty-1}") + 1, "code blocks"),
    ]
    out = project / "dist"
    out.mkdir()
    code = main(["--project", str(project), "build", "--chapter", "kazakhstan", "--format", "txt", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    errors = _errors(err)
    assert [line for _, line, _ in errors] == sorted(line for line, _ in expected), err
    for (path, line, text), (want_line, words) in zip(errors, expected):
        assert path.endswith(str(EN)) and line == want_line and words in text, err
    assert list(out.iterdir()) == []


def test_metadata_key_and_body_errors_are_reported_together(project, capsys):
    _edit(project, EN, "publisher: Human Rights Watch\n", "")
    _edit(project, EN, "{#intro-3}\n", "")
    errors = _errors(_build_fails(project, capsys))
    assert [(line, "lacks 'publisher'" in text or "has no id" in text) for _, line, text in errors] == [
        (2, True),
        (_line_of(project, EN, "There was an increase"), True),
    ]
