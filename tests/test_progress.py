"""Progress and --quiet (issue 14): one line on a terminal, today's lines elsewhere, nothing when quiet."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from docbuild import progress as progress_module
from docbuild.build import build
from docbuild.check import check_editions
from docbuild.cli import main
from docbuild.progress import Progress, Silent

from conftest import replace_in_file

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_the_line_shows_done_total_current_and_elapsed_then_goes() -> None:
    stream = io.StringIO()
    with Progress("Building", enabled=True, delay=0, stream=stream, width=100) as line:
        line(0, 8, "kazakhstan-en.pdf")
        line(3, 8, "kazakhstan-ru.epub")
        time.sleep(0.4)  # at least one redraw
        line.print("warning: shown above the line")
    text = ANSI.sub("", stream.getvalue())
    assert "Building" in text and "3/8" in text and "kazakhstan-ru.epub" in text
    assert re.search(r"\d:\d\d:\d\d", text)  # elapsed
    assert "warning: shown above the line" in text
    assert stream.getvalue().rstrip("\n").endswith(("\x1b[?25h", "\x1b[2K"))  # removed, cursor back


def test_a_short_job_shows_nothing() -> None:
    stream = io.StringIO()
    with Progress("Building", enabled=True, delay=5, stream=stream) as line:
        line(1, 1, "kazakhstan-en.txt")
    assert stream.getvalue() == ""


def test_no_line_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with Progress("Building", delay=0, stream=stream) as line:
        assert not line.enabled
        line(1, 2, "kazakhstan-en.txt")
        line.print("warning: still printed")
    assert stream.getvalue() == "warning: still printed\n"
    silent = io.StringIO()
    with Silent(silent) as quiet:
        quiet(1, 2, "x")
    assert silent.getvalue() == ""


@pytest.mark.parametrize("jobs", [1, 2])
def test_build_reports_every_edition(project: Path, jobs: int) -> None:
    calls: list[tuple[int, int, str]] = []
    result = build(project, None, ["txt", "docx"], ["en"], ["example", "kazakhstan"], jobs=jobs,
                   progress=lambda *call: calls.append(call))
    assert len(result.rendered) == 4
    assert calls[0][:2] == (0, 4) and calls[0][2].endswith((".txt", ".docx"))
    assert calls[-1] == (4, 4, "")
    assert [done for done, _, _ in calls] == sorted(done for done, _, _ in calls)
    calls.clear()
    build(project, None, ["txt", "docx"], ["en"], ["example", "kazakhstan"], progress=lambda *call: calls.append(call))
    assert calls == []  # everything came from the cache: nothing to report


def test_check_reports_every_edition(project: Path) -> None:
    build(project, None, ["txt"], None, ["kazakhstan"])
    calls: list[tuple[int, int, str]] = []
    files = [project / "dist" / "kazakhstan-en.txt", project / "dist" / "kazakhstan-ru.txt"]
    report = check_editions(project, files, progress=lambda *call: calls.append(call))
    assert report.passed
    assert calls == [(0, 2, "checking kazakhstan-en.txt"), (1, 2, "checking kazakhstan-ru.txt")]


def test_plain_lines_when_not_a_terminal(project: Path, capsys) -> None:
    args = ["--project", str(project), "build", "--chapter", "example", "--format", "txt"]
    assert main(args) == 0
    first = capsys.readouterr()
    assert first.out == f"{project / 'dist' / 'example-en.txt'} (built)\n"
    assert first.err == ""
    assert main(args) == 0
    assert capsys.readouterr().out == f"{project / 'dist' / 'example-en.txt'} (unchanged)\n"


def test_quiet_prints_nothing_on_success(project: Path, capsys) -> None:
    assert main(["--project", str(project), "build", "--chapter", "example", "--format", "txt", "--quiet"]) == 0
    assert capsys.readouterr() == ("", "")
    assert (project / "dist" / "example-en.txt").is_file()
    assert main(["--project", str(project), "check", "--quiet", str(project / "dist" / "example-en.txt")]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["--project", str(project), "new", "fresh", "-q"]) == 0
    assert capsys.readouterr() == ("", "")


def test_quiet_still_reports_errors(project: Path, capsys) -> None:
    replace_in_file(project / "source" / "example" / "en.md", "{#intro}\n", "{#intro}\n<b>raw</b>\n")
    assert main(["--project", str(project), "build", "--chapter", "example", "--format", "txt", "-q"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.search(r"example/en\.md:\d+: raw HTML", captured.err)


def test_warnings_stay_after_the_progress_line(project: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(progress_module, "_is_terminal", lambda stream: True)
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    monkeypatch.setattr(Progress.__init__, "__defaults__", ("Building", None, 0.0, None, 100))
    replace_in_file(project / "source" / "kazakhstan" / "en.md", "Kazakhstan was rocked", "Kazakhstan was shaken")
    assert main(["--project", str(project), "build", "--chapter", "kazakhstan", "--format", "txt", "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert "(built)" in captured.out
    err = captured.err
    assert "Building" in ANSI.sub("", err)  # the line was drawn on standard error
    tail = ANSI.sub("", err[err.rindex("\x1b"):])  # after the line was removed
    assert "warning:" in tail and "'intro-1' (ru) may be out of date" in tail
