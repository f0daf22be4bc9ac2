"""docbuild.toml (issue 14): its values apply, the command line overrides them, mistakes name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from docbuild.cli import main
from docbuild.config import CONFIG_FILE, Config, load_config
from docbuild.errors import DocbuildError


def write_config(project: Path, text: str) -> Path:
    path = project / CONFIG_FILE
    path.write_text(text, encoding="utf-8")
    return path


def error_of(project: Path) -> DocbuildError:
    with pytest.raises(DocbuildError) as caught:
        load_config(project)
    return caught.value


def test_no_file_is_an_empty_config(project: Path) -> None:
    assert load_config(project) == Config()


def test_every_key_is_read(project: Path) -> None:
    write_config(project, """\
# the project's defaults
languages = ["ru", "en"]
formats = ["txt", "epub"]
paper = "letter"
out = "editions"
jobs = 1
chapters = ["kazakhstan-january", "kazakhstan"]
""")
    config = load_config(project)
    assert config.languages == ("ru", "en")
    assert config.formats == ("txt", "epub")
    assert config.paper == "letter"
    assert config.out == project / "editions"
    assert config.jobs == 1
    assert config.chapter_order(["example", "kazakhstan", "kazakhstan-january"]) == [
        "kazakhstan-january", "kazakhstan", "example",
    ]
    assert config.language_order(["en", "kk", "ru"]) == ["ru", "en", "kk"]


def test_values_apply_to_build_and_the_command_line_overrides_them(project: Path, capsys) -> None:
    write_config(project, """\
languages = ["ru", "en"]
formats = ["txt"]
out = "editions"
chapters = ["kazakhstan-january", "kazakhstan"]
""")
    assert main(["--project", str(project), "build"]) == 0
    lines = capsys.readouterr().out.splitlines()
    built = sorted(p.name for p in (project / "editions").iterdir())
    assert built == ["example-en.txt", "introduction-en.txt", "introduction-ru.txt", "kazakhstan-en.txt",
                     "kazakhstan-january-en.txt", "kazakhstan-january-ru.txt", "kazakhstan-ru.txt",
                     "world-report-2022-en.txt", "world-report-2022-ru.txt"]
    assert not (project / "dist").exists()
    # Listed in the configured chapter order, then language order (the others, and the book, after).
    names = [Path(line.split(" ")[0]).name for line in lines]
    assert names == ["kazakhstan-january-ru.txt", "kazakhstan-january-en.txt",
                     "kazakhstan-ru.txt", "kazakhstan-en.txt", "example-en.txt",
                     "introduction-ru.txt", "introduction-en.txt", "world-report-2022-ru.txt", "world-report-2022-en.txt"]

    assert main(["--project", str(project), "build", "--out", str(project / "other"),
                 "--lang", "en", "--chapter", "example"]) == 0
    assert sorted(p.name for p in (project / "other").iterdir()) == ["example-en.txt"]


def test_paper_from_the_config(project: Path) -> None:
    write_config(project, 'formats = ["docx"]\npaper = "letter"\nlanguages = ["en"]\n')
    assert main(["--project", str(project), "build", "--chapter", "example", "--quiet"]) == 0
    assert (project / "dist" / "example-en-letter.docx").is_file()
    assert main(["--project", str(project), "build", "--chapter", "example", "--paper", "a4", "--quiet"]) == 0
    assert (project / "dist" / "example-en.docx").is_file()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('languages = ["en"]\n\nlanguage = "ru"\n', 3, "unknown key 'language'"),
        ('paper = "a5"\n', 1, "'paper' must be \"a4\" or \"letter\", not \"a5\""),
        ('jobs = 0\n', 1, "'jobs' must be a whole number of 1 or more, not 0"),
        ('jobs = true\n', 1, "'jobs' must be a whole number"),
        ('out = 3\n', 1, "'out' must be a folder name"),
        ('formats = [\n  "pdf",\n  "html",\n]\n', 3, "unknown format 'html'"),
        ('languages = ["en", "english"]\n', 1, "'english' in 'languages' is not an ISO 639-1 language code"),
        ('languages = ["en", "en"]\n', 1, "lists en more than once"),
        ('languages = "en"\n', 1, "'languages' must be a list of language codes"),
        ('chapters = ["kazakhstan", "uzbekistan"]\n', 1, "there is no folder source/uzbekistan/"),
        ('# defaults\n[build]\nformats = ["pdf"]\n', 2, "unknown key 'build'"),
        ('formats = ["pdf"\n', 1, "not valid TOML"),
        ('paper = "a4"\npaper = "letter"\n', 2, "not valid TOML"),
    ],
)
def test_a_mistake_is_an_error_at_its_line(project: Path, text: str, line: int, words: str) -> None:
    path = write_config(project, text)
    error = error_of(project)
    assert error.path == path
    assert error.line == line
    assert words in error.message


def test_every_mistake_is_reported_at_once(project: Path) -> None:
    write_config(project, 'paper = "a5"\njobs = -1\ncolour = "blue"\n')
    problems = error_of(project).errors
    assert [(p.line, p.message.split(" ")[0]) for p in problems] == [(1, "'paper'"), (2, "'jobs'"), (3, "unknown")]


def test_the_cli_reports_file_and_line(project: Path, capsys) -> None:
    write_config(project, 'formats = ["txt"]\npaper = "A4"\n')
    for command in (["build"], ["check"], ["new", "fresh"], ["watch"], ["preview"]):
        assert main(["--project", str(project), *command]) == 1
        err = capsys.readouterr().err
        assert f"docbuild: error: {project / CONFIG_FILE}:2: 'paper' must be" in err, command
    assert not (project / "source" / "fresh").exists()
