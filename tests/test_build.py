"""Build properties that hold for every format: names, selection, atomicity, confinement."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from docbuild import DocbuildError
from docbuild.build import build
from docbuild.cli import main
from docbuild.output import write_atomic

ROOT = Path(__file__).resolve().parent.parent


def test_build_names_editions_by_chapter_and_language(tmp_path):
    result = build(ROOT, tmp_path, ["txt"])
    assert sorted(p.name for p in result.written) == ["kazakhstan-en.txt", "kazakhstan-ru.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kazakhstan-en.txt", "kazakhstan-ru.txt"]


def test_lang_and_format_select(tmp_path):
    assert main(["--project", str(ROOT), "build", "--format", "txt", "--lang", "ru", "--out", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["kazakhstan-ru.txt"]


def test_unknown_language_selection_is_an_error(tmp_path, capsys):
    assert main(["--project", str(ROOT), "build", "--lang", "kk", "--out", str(tmp_path)]) == 1
    assert "no 'kk' variant" in capsys.readouterr().err


def test_source_date_epoch_does_not_change_plain_text(tmp_path, monkeypatch):
    build(ROOT, tmp_path / "a", ["txt"])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(ROOT, tmp_path / "b", ["txt"])
    assert (tmp_path / "a/kazakhstan-en.txt").read_bytes() == (tmp_path / "b/kazakhstan-en.txt").read_bytes()


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "kazakhstan-en.txt"
    target.write_bytes(b"good")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["kazakhstan-en.txt"], "no temporary file left behind"


def test_a_symlink_cannot_make_the_build_read_outside_the_project(project, capsys):
    image = project / "source/kazakhstan/images/kazakhstan-protest.jpg"
    image.unlink()
    image.symlink_to("/etc/hostname")
    assert main(["--project", str(project), "build", "--format", "txt", "--out", str(project / "out")]) == 1
    assert "inside the chapter folder" in capsys.readouterr().err


def test_no_project_here_is_a_clear_error(tmp_path, capsys):
    assert main(["--project", str(tmp_path), "build"]) == 1
    assert "no source/ folder" in capsys.readouterr().err


def test_help_and_text_build_do_not_import_heavy_writers(tmp_path):
    """`docbuild --help` and a text-only build never load WeasyPrint, python-docx or ebooklib."""
    code = (
        "import sys; from docbuild.cli import main; "
        f"main(['--project', {str(ROOT)!r}, 'build', '--format', 'txt', '--out', {str(tmp_path)!r}]); "
        "heavy = [m for m in ('weasyprint', 'docx', 'ebooklib', 'pikepdf') if m in sys.modules]; "
        "print(heavy)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip().endswith("[]"), out
    help_text = subprocess.run([sys.executable, "-m", "docbuild.cli", "--help"], capture_output=True, text=True, env=env)
    assert help_text.returncode == 0 and "build" in help_text.stdout


def test_library_errors_carry_file_and_line(project):
    (project / "source/kazakhstan/en.md").write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(DocbuildError) as caught:
        build(project, project / "out", ["txt"])
    assert caught.value.path.name == "en.md" and caught.value.line == 1
