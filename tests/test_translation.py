"""Keeping language variants in step: alignment and stale translations (issue 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docbuild.cli import main
from docbuild.errors import DocbuildError
from docbuild.project import Project
from docbuild.reader import read_project

RU = Path("source/kazakhstan/ru.md")
EN = Path("source/kazakhstan/en.md")


def _rewrite(path: Path, change) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def _block(text: str, block_id: str) -> str:
    """The attribute line and paragraph of one block, with its trailing blank line."""
    match = re.search(rf"^\{{#{block_id}[ }}].*?\n\n", text, re.M | re.S)
    assert match, block_id
    return match.group(0)


def _error(project: Path) -> DocbuildError:
    with pytest.raises(DocbuildError) as caught:
        read_project(Project.at(project))
    return caught.value


def test_missing_paragraph_is_refused(project):
    _rewrite(project / RU, lambda t: t.replace(_block(t, "civil-society-2"), ""))
    error = _error(project)
    assert error.path.name == "ru.md" and error.line
    assert "'civil-society-2' of en.md is missing" in error.message


def test_extra_paragraph_is_refused(project):
    _rewrite(project / RU, lambda t: t.replace("{#labor-2", "{#labor-extra}\nЛишний абзац.\n\n{#labor-2"))
    error = _error(project)
    assert "'labor-extra' is not in en.md" in error.message
    lines = (project / RU).read_text(encoding="utf-8").split("\n")
    assert lines[error.line - 1] == "Лишний абзац."


def test_reordered_paragraphs_are_refused(project):
    def swap(text: str) -> str:
        first, second = _block(text, "torture-1"), _block(text, "torture-2")
        return text.replace(first + second, second + first)

    _rewrite(project / RU, swap)
    error = _error(project)
    assert "'torture-2' is out of order: en.md has 'torture-1' here" in error.message


def test_renamed_section_id_is_refused(project):
    _rewrite(project / RU, lambda t: t.replace("{#poverty ", "{#poverty-moved "))
    assert "'poverty-moved' is not in en.md" in _error(project).message


def test_edited_english_paragraph_makes_its_translation_stale(project, capsys):
    out = project / "out"
    assert main(["--project", str(project), "build", "--format", "txt", "--out", str(out)]) == 0
    assert "warning" not in capsys.readouterr().err, "the committed translation is up to date"

    _rewrite(project / EN, lambda t: t.replace("was rocked in early January", "was shaken in early January"))
    assert main(["--project", str(project), "build", "--format", "txt", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "ru.md:" in warnings[0] and "'intro-1' (ru) may be out of date" in warnings[0]

    # The translator revises the paragraph, then records it as up to date.
    assert main(["--project", str(project), "stamp", "kazakhstan", "ru", "intro-1"]) == 0
    assert "intro-1 src=" in capsys.readouterr().out
    assert main(["--project", str(project), "build", "--format", "txt", "--out", str(out)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_rewrapping_an_english_paragraph_is_not_a_change(project, capsys):
    _rewrite(project / EN, lambda t: t.replace("in Almaty, the country’s largest city.", "in Almaty,\nthe country’s  largest city."))
    (chapter_set,) = read_project(Project.at(project))
    assert chapter_set.stale == ()
