"""docbuild watch (issue 14), driven from the test: each run is a thread, edits, events awaited with a deadline, a stop."""

from __future__ import annotations

import io
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from docbuild.watch import BuildEvent, Focus, Watcher

from conftest import ROOT, replace_in_file

#: Every wait is bounded; a rebuild of a text edition takes well under a second.
DEADLINE = 90


class Session:
    """A watch loop in a thread, its events in a queue."""

    def __init__(self, project: Path, **options):
        self.events: queue.Queue[BuildEvent] = queue.Queue()
        self.stop = threading.Event()
        self.stream = io.StringIO()
        self.watcher = Watcher(project, on_build=self.events.put, stream=self.stream, **options)
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.watcher.run(self.stop)
        except BaseException as error:  # the test fails on it
            self.errors.append(error)

    def next(self, predicate=lambda event: event.final) -> BuildEvent:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            assert not self.errors, self.errors
            try:
                event = self.events.get(timeout=0.5)
            except queue.Empty:
                continue
            if predicate(event):
                return event
        raise AssertionError(f"no such event within {DEADLINE} s; output:\n{self.stream.getvalue()}")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "watch did not stop"
        assert not self.errors, self.errors


@pytest.fixture
def session(project: Path, request):
    sessions: list[Session] = []

    def start(**options) -> Session:
        sessions.append(Session(project, **options))
        return sessions[-1]

    yield start
    for one in sessions:
        one.close()


def test_rebuilds_reports_a_broken_save_and_recovers(project: Path, session) -> None:
    watch = session(chapters=["kazakhstan"], langs=["en"], formats=["txt"], jobs=1)
    first = watch.next()
    text = project / "dist" / "kazakhstan-en.txt"
    assert first.round == 0 and first.ok and text.is_file()
    workers = watch.watcher.pool.pids()
    assert workers and all(Path(f"/proc/{pid}").exists() for pid in workers)

    source = project / "source" / "kazakhstan" / "en.md"
    replace_in_file(source, "Kazakhstan was rocked in early January 2022", "Kazakhstan was shaken in early January 2022")
    edited = watch.next(lambda e: e.final and e.rendered)
    assert edited.ok and edited.rendered == (text,)
    assert source in edited.changed
    assert "Kazakhstan was shaken" in text.read_text(encoding="utf-8")

    # A bad save: the error at its line, the last good edition kept, the loop still running.
    replace_in_file(source, "{#intro-2}\n", "{#intro-2}\n<div>raw</div>\n")
    broken = watch.next(lambda e: e.final and e.errors)
    line = source.read_text(encoding="utf-8").splitlines().index("<div>raw</div>") + 1
    assert any(re.fullmatch(rf".*kazakhstan/en\.md:{line}: raw HTML.*", error) for error in broken.errors), broken.errors
    assert f"en.md:{line}: raw HTML" in watch.stream.getvalue()
    assert "Kazakhstan was shaken" in text.read_text(encoding="utf-8")
    assert watch.thread.is_alive()

    # The next good save builds again, in the same warm workers.
    replace_in_file(source, "{#intro-2}\n<div>raw</div>\n", "{#intro-2}\n")
    replace_in_file(source, "Kazakhstan was shaken", "Kazakhstan was stirred")
    fixed = watch.next(lambda e: e.final and e.rendered)
    assert fixed.ok and fixed.errors == ()
    assert "Kazakhstan was stirred" in text.read_text(encoding="utf-8")
    assert watch.watcher.pool.pids() == workers


def test_the_edition_looked_at_is_built_first(project: Path, session) -> None:
    watch = session(chapters=["kazakhstan"], formats=["txt", "docx"], jobs=2,
                    focus=Focus("kazakhstan", "ru", ("docx",)))
    watch.next()
    # An image both languages use: every edition of the chapter is out of date.
    image = project / "source" / "kazakhstan" / "images" / "kazakhstan-protest.jpg"
    with Image.open(image) as picture:
        picture.convert("RGB").resize((1200, 800)).save(image, "JPEG", quality=70)
    first = watch.next(lambda e: e.rendered and not e.final)
    assert [p.name for p in first.rendered] == ["kazakhstan-ru.docx"]
    final = watch.next()
    assert sorted(p.name for p in final.rendered) == [
        f"kazakhstan-{lang}.{fmt}" for lang in ("ar", "en", "kk", "ru") for fmt in ("docx", "txt")
    ]


def test_a_saved_translation_is_built_before_the_rest(project: Path, session) -> None:
    watch = session(chapters=["kazakhstan", "kazakhstan-january"], formats=["txt"], jobs=1)
    watch.next()
    replace_in_file(project / "source" / "kazakhstan-january" / "ru.md", "Казахстан", "Республика Казахстан")
    first = watch.next(lambda e: e.rendered and not e.final)
    assert [p.name for p in first.rendered] == ["kazakhstan-january-ru.txt"]
    assert watch.next().rendered == first.rendered  # nothing else was out of date


def test_one_broken_chapter_does_not_stop_the_others(project: Path, session) -> None:
    watch = session(chapters=["example", "kazakhstan"], langs=["en"], formats=["txt"], jobs=1)
    watch.next()
    replace_in_file(project / "source" / "example" / "en.md", "{#intro}\n", "{#intro}\n<b>raw</b>\n")
    replace_in_file(project / "source" / "kazakhstan" / "en.md", "Kazakhstan was rocked", "Kazakhstan was shaken")
    event = watch.next(lambda e: e.final and e.errors and e.rendered)
    assert [p.name for p in event.rendered] == ["kazakhstan-en.txt"]
    assert all("example/en.md" in error for error in event.errors)


def test_a_changed_image_is_not_served_from_a_workers_cache(project: Path, session) -> None:
    """Workers cache prepared images by path; a changed file empties those caches."""
    watch = session(chapters=["example"], formats=["docx"], jobs=1)
    watch.next()
    docx = project / "dist" / "example-en.docx"
    before = docx.read_bytes()
    chart = project / "source" / "example" / "images" / "chart.png"
    with Image.open(chart) as picture:
        picture.convert("L").convert("RGB").rotate(180).save(chart, "PNG")
    event = watch.next(lambda e: e.final and e.rendered)
    assert event.rendered == (docx,)
    after = docx.read_bytes()
    assert after != before


def test_ctrl_c_exits_130_with_one_line(project: Path) -> None:
    """As a terminal sends it: SIGINT to the whole process group (the watch and its workers)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "docbuild.cli", "--project", str(project), "watch", "--chapter", "example",
         "--format", "txt", "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + DEADLINE
        lines = []
        while time.monotonic() < deadline:
            line = process.stderr.readline()
            lines.append(line)
            if "every edition up to date" in line or not line:
                break
        assert "every edition up to date" in lines[-1], lines
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        assert len(children) == 2  # the warm workers
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert err.splitlines() == ["docbuild watch: stopped"], err
    assert out.endswith("example-en.txt (built)\n")
    time.sleep(0.5)
    assert not any(Path(f"/proc/{pid}").exists() and "docbuild" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
                   for pid in children)


def test_a_chapter_without_one_of_the_languages_builds_the_ones_it_has(project: Path, session) -> None:
    (project / "docbuild.toml").write_text('languages = ["ru", "en"]\nformats = ["txt"]\n', encoding="utf-8")
    watch = session(chapters=["example", "kazakhstan"], jobs=1)
    first = watch.next()
    assert first.ok, first.errors
    # The first chapter's first language first, then each chapter whole.
    assert [p.name for p in first.rendered] == ["example-en.txt", "kazakhstan-en.txt", "kazakhstan-ru.txt"]


def test_grown_workers_are_replaced_between_rounds(project: Path, session, monkeypatch) -> None:
    from docbuild import watch as watch_module

    monkeypatch.setattr(watch_module, "BASELINE_ROUNDS", 1)
    monkeypatch.setattr(watch_module, "RECYCLE_MIB", -1000)  # any size counts as grown
    watch = session(chapters=["example"], formats=["txt"], jobs=1)
    watch.next()
    pool = watch.watcher.pool
    first = pool.pids()
    source = project / "source" / "example" / "en.md"
    for word in ("edited", "revised"):  # the first round sets the baseline, the second starts replacements
        replace_in_file(source, "An introductory paragraph", f"An {word} introductory paragraph")
        assert watch.next(lambda e: e.final and e.rendered).ok
        replace_in_file(source, f"An {word} introductory paragraph", "An introductory paragraph")
        watch.next(lambda e: e.final)
    deadline = time.monotonic() + DEADLINE
    while pool.recycled == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pool.recycled >= 1
    assert set(pool.pids()).isdisjoint(first)
    time.sleep(0.5)
    assert not any(Path(f"/proc/{pid}").exists() for pid in first)  # the old workers ended
    replace_in_file(source, "An introductory paragraph", "A new introductory paragraph")
    event = watch.next(lambda e: e.final and e.rendered)
    assert event.ok and "A new introductory paragraph" in (project / "dist" / "example-en.txt").read_text()
