"""Keeping language variants in step: alignment and stale translations (issue 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docbuild.cli import main
from docbuild.errors import DocbuildError
from docbuild.project import Project
from docbuild.reader import current_fingerprints, read_chapter_set, read_project
from docbuild.stamp import stamp

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
        read_project(Project.at(project), ["kazakhstan"])
    return caught.value


def _stale(project: Path, lang: str = "ru") -> list:
    """The stale blocks of one translation (the chapter has others: kk, ar)."""
    (chapter_set,) = read_project(Project.at(project), ["kazakhstan"])
    return [stale for stale in chapter_set.stale if stale.lang == lang]


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
    assert _stale(project) == [], "the committed translation is up to date"

    _rewrite(project / EN, lambda t: t.replace("was rocked in early January", "was shaken in early January"))
    (stale,) = _stale(project)
    assert (stale.block_id, stale.lang, stale.path.name) == ("intro-1", "ru", "ru.md")
    assert stale.line == _line_of(project / RU, "{#intro-1 ") + 1
    assert "'intro-1' (ru) may be out of date" in str(stale) and "docbuild stamp kazakhstan ru intro-1" in str(stale)

    # The translator revises the paragraph, then records it as up to date.
    before = (project / RU).read_text(encoding="utf-8")
    assert main(["--project", str(project), "stamp", "kazakhstan", "ru", "intro-1"]) == 0
    out = capsys.readouterr().out
    assert "intro-1 src=" in out and len(out.splitlines()) == 1
    after = (project / RU).read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.split("\n"), after.split("\n")) if a != b]
    assert len(changed) == 1 and changed[0][1].startswith("{#intro-1 src=")
    assert _stale(project) == []


def test_rewrapping_an_english_paragraph_is_not_a_change(project, capsys):
    _rewrite(project / EN, lambda t: t.replace("in Almaty, the country’s largest city.", "in Almaty,\nthe country’s  largest city."))
    assert _stale(project) == []


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line)


# --------------------------------------------------------------------------
# Nested blocks align by position: a small chapter with a list, a table and notes.

MINI_EN = """---
title: A Chapter
subtitle: Events of 2021
author: Human Rights Watch
publisher: Human Rights Watch
date: 2022-01-13
description: A chapter for the tests.
keywords: [test]
---

{#claim}
A claim.[^source]

{#steps}
1. First.
2. Second.
   - A detail.
3. Third.

{#data .header-column}
| Year | Count |
|---|---:|
| 2020 | 1 |
| 2021 | 2 |

Table: Counts by year

{#later}
Later text.[^other]

[^source]: The source of the claim.
[^other]: https://example.org
"""

MINI_RU = """---
title: Глава
subtitle: События 2021 года
translation-of: en
author: Human Rights Watch
publisher: Human Rights Watch
date: 2022-01-13
description: Глава для тестов.
keywords: [тест]
---

{#claim}
Утверждение.[^source]

{#steps}
1. Первый.
2. Второй.
   - Подробность.
3. Третий.

{#data .header-column}
| Год | Число |
|---|---:|
| 2020 | 1 |
| 2021 | 2 |

Table: Число по годам

{#later}
Текст дальше.[^other]

[^source]: Источник утверждения.
[^other]: https://example.org
"""


@pytest.fixture
def mini(project: Path) -> Path:
    """A chapter 'mini' (en.md and its Russian translation) in the project copy; returns its folder."""
    folder = project / "source" / "mini"
    folder.mkdir()
    (folder / "en.md").write_text(MINI_EN, encoding="utf-8")
    (folder / "ru.md").write_text(MINI_RU, encoding="utf-8")
    return folder


def _mini_error(mini: Path) -> DocbuildError:
    with pytest.raises(DocbuildError) as caught:
        read_chapter_set(mini, Project.at(mini.parent.parent))
    return caught.value


def _mini_stale(mini: Path) -> list[str]:
    return [s.block_id for s in read_chapter_set(mini, Project.at(mini.parent.parent)).stale]


def test_mini_chapter_aligns(mini):
    chapter_set = read_chapter_set(mini, Project.at(mini.parent.parent))
    english, russian = chapter_set.variant("en"), chapter_set.variant("ru")
    assert russian.block_ids() == english.block_ids() == ["claim", "steps", "data", "later"]
    assert [n.label for n in russian.notes] == ["source", "other"]


def test_list_with_an_item_fewer_is_refused(mini):
    _rewrite(mini / "ru.md", lambda t: t.replace("3. Третий.\n", ""))
    error = _mini_error(mini)
    assert error.path.name == "ru.md" and error.line == _line_of(mini / "ru.md", "1. Первый.")
    assert "'steps' does not match en.md: the list has 2 items here, 3 there" in error.message


def test_list_item_missing_its_nested_list_is_refused(mini):
    _rewrite(mini / "ru.md", lambda t: t.replace("   - Подробность.\n", ""))
    error = _mini_error(mini)
    assert error.line == _line_of(mini / "ru.md", "2. Второй.")
    assert "item 2 of the list holds 1 block here, 2 there" in error.message


def test_table_with_a_missing_row_is_refused(mini):
    _rewrite(mini / "ru.md", lambda t: t.replace("| 2021 | 2 |\n", ""))
    error = _mini_error(mini)
    assert error.path.name == "ru.md" and error.line == _line_of(mini / "ru.md", "| Год | Число |")
    assert "'data' does not match en.md: the table has 1 row besides the header here, 2 there" in error.message


def test_missing_note_is_refused_at_the_block_that_should_refer_to_it(mini):
    _rewrite(mini / "ru.md", lambda t: t.replace("Утверждение.[^source]", "Утверждение.").replace("[^source]: Источник утверждения.\n", ""))
    error = _mini_error(mini)
    assert error.path.name == "ru.md" and error.line == _line_of(mini / "ru.md", "Утверждение.")
    assert "note [^source] of en.md is missing here (it is referred to first in 'claim')" in error.message


def test_block_of_another_kind_under_the_same_id_is_refused(mini):
    _rewrite(mini / "ru.md", lambda t: t.replace("1. Первый.\n2. Второй.\n   - Подробность.\n3. Третий.\n", "Список.\n"))
    error = _mini_error(mini)
    assert error.line == _line_of(mini / "ru.md", "Список.")
    assert "'steps' is a paragraph here but a list in en.md" in error.message


def test_edited_note_makes_the_paragraph_that_first_refers_to_it_stale(mini):
    project = mini.parent.parent
    stamp(project, "mini", "ru")
    assert _mini_stale(mini) == []
    _rewrite(mini / "en.md", lambda t: t.replace("The source of the claim.", "The corrected source of the claim."))
    assert _mini_stale(mini) == ["claim"]
    _rewrite(mini / "en.md", lambda t: t.replace("Counts by year", "Counts per year"))
    assert _mini_stale(mini) == ["claim", "data"], "a table's caption is part of its fingerprint"


def test_stamp_keeps_the_header_column_class(mini, capsys):
    project = mini.parent.parent
    assert _mini_stale(mini) == ["claim", "steps", "data", "later"], "no src= recorded yet"
    assert main(["--project", str(project), "stamp", "mini", "ru"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4
    lines = (mini / "ru.md").read_text(encoding="utf-8").split("\n")
    (table_line,) = [line for line in lines if line.startswith("{#data")]
    assert re.fullmatch(r"\{#data \.header-column src=[0-9a-f]{10}\}", table_line), table_line
    chapter_set = read_chapter_set(mini, Project.at(project))
    assert chapter_set.stale == () and chapter_set.variant("ru").find("data").header_column

    # A changed table is stamped again in place, class kept, nothing else touched.
    _rewrite(mini / "en.md", lambda t: t.replace("| 2021 | 2 |", "| 2021 | 3 |"))
    before = (mini / "ru.md").read_text(encoding="utf-8")
    assert stamp(project, "mini", "ru") == [f"{mini / 'ru.md'}:{lines.index(table_line) + 1}: data src=" + _fingerprint(mini, "data")]
    after = (mini / "ru.md").read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.split("\n"), after.split("\n")) if a != b]
    assert len(changed) == 1 and changed[0][1].startswith("{#data .header-column src=")
    assert _mini_stale(mini) == []


def _fingerprint(mini: Path, block_id: str) -> str:
    chapter_set = read_chapter_set(mini, Project.at(mini.parent.parent))
    return current_fingerprints(chapter_set, Project.at(mini.parent.parent))[block_id]
