"""docbuild new (issue 14): a chapter that builds and passes docbuild check at once; never over an existing one."""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from docbuild.check import check_editions
from docbuild.check.validators import missing_ace, missing_epubcheck
from docbuild.cli import main
from docbuild.new import new_chapter, placeholder_jpeg
from docbuild.project import Project
from docbuild.reader import read_project

from conftest import ROOT, replace_in_file, require_tool


def test_new_writes_sources_that_read_and_are_current(project: Path) -> None:
    files = new_chapter(project, "uzbekistan", ["en", "ru"], title="Uzbekistan: Events of 2022", today=date(2026, 1, 5))
    folder = project / "source" / "uzbekistan"
    assert files == [folder / "en.md", folder / "ru.md", folder / "images" / "placeholder.jpg", folder / "README.md"]
    (chapter_set,) = read_project(Project.at(project), ["uzbekistan"])
    en, ru = chapter_set.variant("en"), chapter_set.variant("ru")
    assert en.translation_of is None and ru.translation_of == "en"
    assert en.meta.title == ru.meta.title == "Uzbekistan: Events of 2022"
    assert en.meta.date == "2026-01-05"
    assert en.block_ids() == ru.block_ids() and len(en.block_ids()) >= 5
    assert chapter_set.stale == ()  # the src= fingerprints are filled in
    assert all(re.search(r"src=[0-9a-f]+\}", line) for line in (folder / "ru.md").read_text().splitlines()
               if line.startswith("{#"))
    # The lead photo is a marked placeholder, with guidance in each of its texts.
    assert en.figure is not None and en.figure.placeholder and ru.figure.placeholder
    assert "cannot see" in en.figure.alt and "увидеть" in ru.figure.alt
    # The author and publisher come from the project's other chapters.
    assert en.meta.author == "Human Rights Watch"


def test_placeholder_image_is_small_plain_and_the_same_every_time() -> None:
    data = placeholder_jpeg()
    assert data == placeholder_jpeg() and len(data) < 30_000
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (1200, 800)
    assert not image.getexif()
    darkest, lightest = image.convert("L").getextrema()
    assert darkest > 150 and lightest < 250  # light greys only: nothing that could pass for a photograph


def test_new_refuses_an_existing_chapter(project: Path, capsys) -> None:
    before = (project / "source" / "kazakhstan" / "en.md").read_bytes()
    assert main(["--project", str(project), "new", "kazakhstan", "--lang", "en,ru"]) == 1
    err = capsys.readouterr().err
    assert "a chapter named 'kazakhstan' already exists" in err
    assert err.count("\n") == 1
    assert (project / "source" / "kazakhstan" / "en.md").read_bytes() == before
    assert not (project / "source" / "kazakhstan" / "images" / "placeholder.jpg").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["Uzbekistan"], "cannot be a chapter id"),
        (["uz_2022"], "cannot be a chapter id"),
        (["uzbekistan", "--lang", "en,de"], "there are no labels for 'de'"),
        (["uzbekistan", "--lang", "english"], "not an ISO 639-1 language code"),
    ],
)
def test_new_refuses_what_would_not_build(project: Path, capsys, args: list[str], words: str) -> None:
    assert main(["--project", str(project), "new", *args]) == 1
    assert words in capsys.readouterr().err
    assert sorted(p.name for p in (project / "source").iterdir() if p.is_dir()) == [
        "example", "introduction", "kazakhstan", "kazakhstan-january",
    ]


def test_new_takes_its_languages_from_docbuild_toml(project: Path) -> None:
    (project / "docbuild.toml").write_text('languages = ["ru", "en"]\n', encoding="utf-8")
    new_chapter(project, "uzbekistan")
    (chapter_set,) = read_project(Project.at(project), ["uzbekistan"])
    assert chapter_set.variant("ru").translation_of is None
    assert chapter_set.variant("en").translation_of == "ru"
    assert chapter_set.stale == ()
    assert chapter_set.variant("ru").meta.title == "Uzbekistan"


def test_a_new_chapter_builds_and_checks_clean(project: Path, capsys) -> None:
    """The whole editor's first step: new, then check with every validator, strict."""
    required = os.environ.get("DOCBUILD_REQUIRE_VALIDATORS") == "1"
    for tool in ("pdftoppm", "pdfinfo"):
        require_tool(tool)
    if (ROOT / "node_modules").is_dir():
        (project / "node_modules").symlink_to(ROOT / "node_modules")  # Ace by DAISY, as installed for the project
    missing = [why for why in (missing_epubcheck(), missing_ace(project)) if why]
    if missing:
        if required:
            pytest.fail("; ".join(missing))
        pytest.skip("; ".join(missing))
    assert main(["--project", str(project), "new", "uzbekistan", "--lang", "en", "--lang", "ru",
                 "--title", "Uzbekistan"]) == 0
    capsys.readouterr()
    code = main(["--project", str(project), "check", "--chapter", "uzbekistan", "--require-validators", "--strict"])
    out = capsys.readouterr().out
    assert code == 0, out
    report = out.splitlines()
    assert any(line.startswith("PASSED:") for line in report), out
    checked = {line.split()[0] for line in report if line.startswith("uzbekistan-")}
    assert {"uzbekistan-en.pdf", "uzbekistan-ru.pdf", "uzbekistan-en.epub", "uzbekistan-ru.epub",
            "uzbekistan-en.docx", "uzbekistan-ru.docx", "uzbekistan-en.txt", "uzbekistan-ru.txt"} <= checked
    assert not any(line.startswith(("kazakhstan", "example")) for line in report)  # only the chapter asked for


def test_check_selects_chapters_and_languages_and_reports_a_broken_chapter(project: Path) -> None:
    """One chapter whose source has errors fails as such; the others are still built and checked."""
    replace_in_file(project / "source" / "kazakhstan-january" / "ru.md", "\n{#", "\n<div>raw</div>\n\n{#")
    report = check_editions(project, chapters=["example", "kazakhstan-january"], langs=["ru", "en"],
                            run_validators=False)
    by_chapter: dict[str, set[str]] = {}
    for edition in report.editions:
        by_chapter.setdefault(edition.chapter, set()).add(edition.path.name)
    assert set(by_chapter) == {"example", "kazakhstan-january"}
    example = [e for e in report.editions if e.chapter == "example"]
    assert {e.fmt for e in example} >= {"txt", "pdf", "epub", "docx"}
    assert all(not e.failures() for e in example), [e.failures() for e in example if e.failures()]
    broken = [e for e in report.editions if e.chapter == "kazakhstan-january"]
    assert {e.lang for e in broken} == {"en", "ru"}  # both languages: the set of variants does not read
    for edition in broken:
        (result,) = edition.results
        assert result.rule == "docbuild:source" and result.status == "fail"
        assert re.match(r".*kazakhstan-january/ru\.md:\d+: raw HTML", result.reason), result.reason
    assert not report.passed
    assert not (project / "dist" / "kazakhstan-january-en.pdf").exists()  # never built from a broken source
    assert not any(p.name.startswith("kazakhstan-") and not p.name.startswith("kazakhstan-january")
                   for p in (project / "dist").iterdir())  # kazakhstan was not selected


def test_check_lang_selects_the_files_given(project: Path, capsys) -> None:
    from docbuild.build import build

    build(project, None, ["txt"], None, ["kazakhstan"])
    files = [str(project / "dist" / f"kazakhstan-{lang}.txt") for lang in ("en", "ru")]
    assert main(["--project", str(project), "check", "--lang", "ru", *files]) == 0
    out = capsys.readouterr().out
    assert "kazakhstan-ru.txt" in out and "kazakhstan-en.txt" not in out
