"""The reading-software checks of ``docbuild check`` (src/docbuild/check/readers.py): each passes on the
built editions and fails on a copy broken the way issue 12's defects broke them."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from docbuild.check import Expected, readers
from docbuild.labels import load_labels
from docbuild.project import Project
from docbuild.reader import read_project

from conftest import ROOT, require_tool
from real_readers import editions_folder

PROJECT = Project.at(ROOT)
SETS = {cs.id: cs for cs in read_project(PROJECT)}


def expected(chapter_id: str, lang: str) -> Expected:
    chapter_set = SETS[chapter_id]
    return Expected(chapter_set.variant(lang), chapter_set, load_labels(PROJECT, lang), PROJECT, "a4")


@pytest.fixture(scope="module")
def built(dist) -> Path:
    return editions_folder(dist, "pdf", "epub", "txt")


def copy_edition(built: Path, tmp_path: Path, chapter_id: str, lang: str, edit=None, pdf: bool = True) -> Path:
    """A copy of the EPUB (and its A4 PDF) in ``tmp_path``; ``edit(name, bytes) -> bytes`` changes its files."""
    target = tmp_path / f"{chapter_id}-{lang}.epub"
    with zipfile.ZipFile(built / target.name) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            out.writestr(info, edit(info.filename, data) if edit else data, compress_type=info.compress_type)
    if pdf:
        shutil.copy(built / f"{chapter_id}-{lang}.pdf", tmp_path)
    return target


def statuses(results) -> list[tuple[str, str]]:
    return [(r.rule, r.status) for r in results]


BOOKS = [("kazakhstan", "en"), ("kazakhstan", "ru"), ("kazakhstan-january", "en"), ("kazakhstan-january", "ru")]


@pytest.mark.parametrize("chapter_id, lang", BOOKS)
def test_the_built_editions_pass(built: Path, tmp_path: Path, chapter_id: str, lang: str) -> None:
    require_tool("pdftotext")
    epub = copy_edition(built, tmp_path, chapter_id, lang)
    results = readers.FOR_FORMAT["epub"](epub, expected(chapter_id, lang))
    assert statuses(results) == [("docbuild:page-starts", "pass"), ("docbuild:search", "pass"),
                                 ("docbuild:cover-alt", "pass")], [r.reason for r in results]
    text = readers.searchable(built / f"{chapter_id}-{lang}.txt", expected(chapter_id, lang))
    assert statuses(text) == [("docbuild:search", "pass")]


def test_page_starts_fails_when_a_marker_comes_late(built: Path, tmp_path: Path) -> None:
    """Defect 3 as it was: page 2's marker before the next block instead of at the word the page begins with."""
    require_tool("pdftotext")

    def late(name: str, data: bytes) -> bytes:
        if not name.endswith("chapter.xhtml"):
            return data
        text = data.decode()
        marker = re.search(r'<span[^>]*id="page-2"[^>]*/>', text).group(0)
        text = text.replace(marker, "", 1)
        at = text.index("<p id=", text.index("id=\"intro-3\"") + 1)  # the block after the one page 2 begins in
        return (text[:at] + marker + text[at:]).encode()

    (result,) = readers.page_starts(copy_edition(built, tmp_path, "kazakhstan", "en", late), expected("kazakhstan", "en"))
    assert result.status == "fail" and result.reason.startswith("page 2:"), result.reason


def test_page_starts_is_not_run_without_the_print_edition(built: Path, tmp_path: Path) -> None:
    epub = copy_edition(built, tmp_path, "kazakhstan", "en", pdf=False)
    (result,) = readers.page_starts(epub, expected("kazakhstan", "en"))
    assert result.status == "not run"


def test_search_fails_on_a_short_word_bound_by_a_no_break_space(built: Path, tmp_path: Path) -> None:
    """Defect 4 as it was: "в\\u00a0Казахстане" in the EPUB; any no-break space in the text edition."""
    def bound(name: str, data: bytes) -> bytes:
        return data.replace("в Казахстане".encode(), "в\u00a0Казахстане".encode()) if name.endswith("chapter.xhtml") else data

    (result,) = readers.searchable(copy_edition(built, tmp_path, "kazakhstan", "ru", bound), expected("kazakhstan", "ru"))
    assert result.status == "fail" and "в␣Казахстане" in result.reason, result.reason
    text = tmp_path / "kazakhstan-ru.txt"
    text.write_text((built / text.name).read_text(encoding="utf-8").replace("2021 года", "2021\u00a0года"), encoding="utf-8")
    (result,) = readers.searchable(text, expected("kazakhstan", "ru"))
    assert result.status == "fail"


def test_cover_alt_fails_on_the_photo_description(built: Path, tmp_path: Path) -> None:
    """Defect 6 as it was: the cover image's alt text is the 30-word photo description."""
    photo = expected("kazakhstan", "en").chapter.figure.alt

    def described(name: str, data: bytes) -> bytes:
        if not name.endswith("cover.xhtml"):
            return data
        return re.sub(rb'alt="[^"]*"', ('alt="%s"' % photo).encode(), data, count=1)

    (result,) = readers.cover_alt(copy_edition(built, tmp_path, "kazakhstan", "en", described), expected("kazakhstan", "en"))
    assert result.status == "fail" and "photo's description" in result.reason, result.reason


def test_cover_alt_fails_without_a_cover_image(built: Path, tmp_path: Path) -> None:
    def uncovered(name: str, data: bytes) -> bytes:
        return data.replace(b' properties="cover-image"', b"") if name.endswith(".opf") else data

    (result,) = readers.cover_alt(copy_edition(built, tmp_path, "kazakhstan", "en", uncovered), expected("kazakhstan", "en"))
    assert result.status == "fail" and "cover-image" in result.reason, result.reason
