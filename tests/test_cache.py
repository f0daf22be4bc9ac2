"""The build cache rebuilds exactly the editions whose inputs changed (issue 8)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from docbuild import plan
from docbuild.build import FORMATS, build
from docbuild.edition import edition_file_name

ALL = {edition_file_name("kazakhstan", lang, fmt) for lang in ("en", "ru") for fmt in FORMATS}


def _rendered(project: Path) -> set[str]:
    return {p.name for p in build(project, project / "dist").rendered}


def _touch(path: Path, old: str | None = None, new: str | None = None) -> None:
    if old is None:
        path.write_bytes(path.read_bytes() + b"\n")
    else:
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def built(project: Path) -> Path:
    for chapter in (project / "source").iterdir():  # one chapter in two languages is enough, and keeps this quick
        if chapter.is_dir() and chapter.name != "kazakhstan":
            shutil.rmtree(chapter)
    for other in ("kk.md", "ar.md"):
        (project / "source/kazakhstan" / other).unlink()
    (project / "source/report.toml").unlink(missing_ok=True)
    assert _rendered(project) == ALL
    assert _rendered(project) == set(), "a second build with nothing changed renders nothing"
    return project


def test_english_paragraph_edit_rebuilds_only_english_editions(built):
    _touch(built / "source/kazakhstan/en.md", "was rocked in early", "was shaken in early")
    assert _rendered(built) == {n for n in ALL if n.startswith("kazakhstan-en")}


def test_russian_labels_edit_rebuilds_only_russian_editions(built):
    _touch(built / "layouts/labels/ru.toml", 'photo = "Фото"', 'photo = "Фотография"')
    assert _rendered(built) == {n for n in ALL if n.startswith("kazakhstan-ru")}


def test_html_layout_edit_rebuilds_pdf_and_epub(built):
    _touch(built / "layouts/chapter.html.j2")
    assert _rendered(built) == {n for n in ALL if n.endswith((".pdf", ".epub", ".brf"))}  # braille: print pages


def test_page_geometry_edit_rebuilds_paged_editions_and_the_epub_page_list(built):
    _touch(built / "layouts/paper.toml")
    assert _rendered(built) == {n for n in ALL if not n.endswith(".txt")}


def test_font_change_rebuilds_everything_but_plain_text(built):
    _touch(built / "fonts/OFL.txt")
    assert _rendered(built) == {n for n in ALL if not n.endswith(".txt")}


def test_code_version_change_rebuilds_everything(built, monkeypatch):
    monkeypatch.setattr(plan, "code_version", lambda: "another docbuild")
    assert _rendered(built) == ALL


def test_deleted_edition_is_restored_from_the_cache_without_rendering(built):
    (built / "dist/kazakhstan-ru.pdf").unlink()
    assert _rendered(built) == set()
    assert (built / "dist/kazakhstan-ru.pdf").stat().st_size > 0


def test_epub_alone_reuses_the_cached_pdf_layout(built, monkeypatch):
    """The EPUB page-list comes from the A4 layout; with a cached PDF it is not laid out again."""
    import docbuild.build as build_module

    def no_layout(edition):
        raise AssertionError("the PDF was laid out a second time")

    monkeypatch.setattr(build_module, "_with_print_pages", no_layout)
    (built / "dist/kazakhstan-en.epub").unlink()
    assert {p.name for p in build(built, built / "dist", ["epub"], cache=False).rendered} == {
        "kazakhstan-en.epub", "kazakhstan-ru.epub"}


def test_parallel_build_is_byte_identical_to_serial(project):
    serial = build(project, project / "serial", jobs=1, cache=False)
    parallel = build(project, project / "parallel", jobs=2, cache=False)
    assert len(serial.rendered) == len(parallel.rendered) == len(serial.written) > 8
    for path in serial.written:
        assert path.read_bytes() == (project / "parallel" / path.name).read_bytes(), path.name


@pytest.mark.parametrize("damage", ["flip a bit", "truncate"])
def test_a_corrupt_cache_object_is_rebuilt_never_served(built, damage):
    """Issue 13: an object whose bytes no longer match their hash is a miss: rebuilt, replaced, said once."""
    out = built / "dist" / "kazakhstan-en.docx"
    good = out.read_bytes()
    digest = hashlib.sha256(good).hexdigest()
    blob = built / ".docbuild-cache" / "objects" / digest[:2] / digest
    data = bytearray(blob.read_bytes())
    if damage == "flip a bit":
        data[len(data) // 2] ^= 0x01
    else:
        del data[1000:]
    blob.write_bytes(bytes(data))
    out.unlink()  # so the cache is asked for it
    result = build(built, built / "dist")
    assert out.read_bytes() == good
    assert [p.name for p in result.rendered] == ["kazakhstan-en.docx"]
    assert len(result.warnings) == 1 and "corrupt" in result.warnings[0]
    assert blob.read_bytes() == good  # the object was replaced by the rebuilt bytes
    assert build(built, built / "dist").warnings == ()


def test_a_cache_record_of_the_wrong_shape_is_a_miss(built):
    records = sorted((built / ".docbuild-cache" / "jobs").glob("*.json"))
    for record in records:
        record.write_text('["not", "a", "record"]', encoding="utf-8")
    (built / "dist" / "kazakhstan-en.txt").unlink()
    result = build(built, built / "dist", ["txt"], ["en"])
    assert [p.name for p in result.rendered] == ["kazakhstan-en.txt"]
