"""Fault injection (issue 13): kill the build at random moments, then look at what is left.

Each trial starts `docbuild build` on an edited source, kills it (SIGKILL or
SIGTERM) after a random delay, and asserts: no worker process is left; every
edition in dist/ is byte for byte either the one before the edit or the one
after it (never a truncated or foreign file); no temporary file survives the
next build; and the next build succeeds and brings every edition up to date.
The delays come from a seeded generator, so a failure can be replayed.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docbuild.build import build

from conftest import ROOT, replace_in_file

TRIALS = int(os.environ.get("DOCBUILD_FAULT_TRIALS", "4"))
FORMATS = ["txt", "pdf", "docx"]


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(sys.platform != "linux", reason="/proc and the parent-death signal are Linux's")
def test_killed_builds_leave_old_or_new_editions_and_no_process(project):
    for chapter in (project / "source").iterdir():
        if chapter.is_dir() and chapter.name != "kazakhstan":
            shutil.rmtree(chapter)
    out = project / "dist"
    old = {p.name: p.read_bytes() for p in build(project, out, FORMATS, cache=False).written}
    replace_in_file(project / "source/kazakhstan/en.md", "was rocked in early", "was shaken in early")
    replace_in_file(project / "source/kazakhstan/ru.md", "2022", "2023")
    new_dir = project / "expected"
    new = {p.name: p.read_bytes() for p in build(project, new_dir, FORMATS, cache=False).written}
    assert any(new[name] != old[name] for name in new)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    chance = random.Random(20261125)
    for trial in range(TRIALS):
        how = signal.SIGKILL if trial % 2 == 0 else signal.SIGTERM
        process = subprocess.Popen(
            [sys.executable, "-m", "docbuild.cli", "--project", str(project), "build", "--no-cache", "--jobs", "2",
             *[a for f in FORMATS for a in ("--format", f)], "--out", str(out)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        time.sleep(chance.uniform(0.3, 4.0))
        workers = _children(process.pid)
        process.send_signal(how)
        process.wait(timeout=60)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)], f"trial {trial}: workers outlived the build"
        for path in out.iterdir():
            if path.name.endswith(".tmp"):
                continue  # a killed build may leave its temporaries: the next build removes them
            assert path.read_bytes() in (old.get(path.name), new.get(path.name)), f"trial {trial}: {path.name} is neither"
    result = build(project, out, FORMATS)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert {p.name: p.read_bytes() for p in result.written} == new
