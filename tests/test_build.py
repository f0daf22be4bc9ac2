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

from conftest import replace_in_file

ROOT = Path(__file__).resolve().parent.parent


def test_build_names_editions_by_chapter_and_language(tmp_path):
    result = build(ROOT, tmp_path, ["txt"])
    names = sorted(f"{d.name}-{v.stem}.txt" for d in (ROOT / "source").iterdir() if d.is_dir() for v in d.glob("*.md") if v.name != "README.md" and not v.name.startswith("glossary"))
    assert "kazakhstan-ru.txt" in names and "kazakhstan-january-en.txt" in names
    assert sorted(p.name for p in result.written) == names
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_lang_chapter_and_format_select(tmp_path):
    args = ["--project", str(ROOT), "build", "--format", "txt", "--lang", "ru", "--chapter", "kazakhstan", "--out", str(tmp_path)]
    assert main(args) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["kazakhstan-ru.txt"]


def test_unknown_language_selection_is_an_error(tmp_path, capsys):
    assert main(["--project", str(ROOT), "build", "--lang", "uz", "--out", str(tmp_path)]) == 1
    assert "no 'uz' variant" in capsys.readouterr().err


def test_source_date_epoch_does_not_change_plain_text(tmp_path, monkeypatch):
    build(ROOT, tmp_path / "a", ["txt"], chapters=["kazakhstan"])
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(ROOT, tmp_path / "b", ["txt"], chapters=["kazakhstan"])
    assert (tmp_path / "a/kazakhstan-en.txt").read_bytes() == (tmp_path / "b/kazakhstan-en.txt").read_bytes()


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "kazakhstan-en.txt"
    target.write_bytes(b"good")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(DocbuildError, match="disk full"):
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


# --------------------------------------------------------------------------
# One transaction per build; I/O errors as messages; workers die with the build (issue 13)


def _txt_build(project: Path, out: Path) -> int:
    return main(["--project", str(project), "build", "--format", "txt", "--chapter", "kazakhstan", "--out", str(out), "--no-cache"])


def test_a_failed_write_changes_no_edition(project, monkeypatch, capsys):
    """A disk that fills during the writes leaves every earlier edition as it was: no mixed set."""
    out = project / "dist"
    assert _txt_build(project, out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    replace_in_file(project / "source/kazakhstan/en.md", "was rocked in early", "was shaken in early")
    replace_in_file(project / "source/kazakhstan/ru.md", "2022", "2023")
    from docbuild import output

    real = output._temporary
    calls = []

    def full_disk(path, data):
        if path.parent == out:  # the editions; the cache may fail too, which only costs a rebuild
            calls.append(path)
        if len(calls) == 2 and path.parent == out:
            raise OSError(28, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(output, "_temporary", full_disk)
    assert _txt_build(project, out) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_read_only_output_folder_is_a_clear_error(project, monkeypatch, capsys):
    """Permission denied on the output folder (simulated: CI runs as root, which may write anywhere)."""
    from docbuild import output

    def denied(path, data):
        raise PermissionError(13, "Permission denied", str(path.parent))

    monkeypatch.setattr(output, "_temporary", denied)
    assert _txt_build(project, project / "dist") == 1
    err = capsys.readouterr().err
    assert "Permission denied" in err and str(project / "dist") in err and "Traceback" not in err


def test_an_output_folder_that_is_a_file_is_a_clear_error(project, capsys):
    (project / "dist").write_text("not a folder")
    assert _txt_build(project, project / "dist") == 1
    err = capsys.readouterr().err
    assert "is a file" in err and "Traceback" not in err


def test_leftovers_of_a_killed_build_are_removed(project):
    out = project / "dist"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True).stdout.strip()
    leftover = out / f".kazakhstan-en.txt.{dead}.abc123.tmp"
    leftover.write_bytes(b"half")
    mine = out / f".kazakhstan-en.txt.{os.getpid()}.def456.tmp"  # a live build's file stays
    mine.write_bytes(b"busy")
    assert _txt_build(project, out) == 0
    assert not leftover.exists() and mine.exists()


def test_bad_jobs_and_epoch_are_clear_errors(project, monkeypatch, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--project", str(project), "build", "--jobs", "-1"])
    assert caught.value.code == 2
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999999999")
    assert main(["--project", str(project), "build", "--format", "docx", "--chapter", "kazakhstan", "--lang", "en", "--out", str(project / "d")]) == 1
    err = capsys.readouterr().err
    assert "SOURCE_DATE_EPOCH" in err and "Traceback" not in err


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signal is Linux's")
@pytest.mark.parametrize("how", ["SIGKILL", "SIGTERM"])
def test_workers_die_with_the_build(project, how):
    """kill -9 or SIGTERM of `docbuild build` leaves no worker process behind."""
    import signal
    import time

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "docbuild.cli", "--project", str(project), "build", "--no-cache", "--jobs", "2",
         "--format", "pdf", "--out", str(project / "dist")],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(process.pid)
        time.sleep(0.05)
    assert len(workers) >= 2, "the build never started its workers"
    process.send_signal(getattr(signal, how))
    process.wait(timeout=30)
    if how == "SIGTERM":
        assert process.returncode == 130
        assert b"Traceback" not in process.stderr.read()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() and _state(pid) != "Z" for pid in workers):
        time.sleep(0.1)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists() and _state(pid) != "Z"]
    assert not alive, f"workers {alive} outlived the build"
    assert not list((project / "dist").glob("*.pdf")) or all(p.stat().st_size > 1000 for p in (project / "dist").glob("*.pdf"))


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"
