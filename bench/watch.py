"""Benchmark: the editor's loop, ``docbuild watch`` with its warm workers (issue 14).

    python bench/watch.py [--runs 5] [--edits 200] [--cold-runs 3] [--out FILE]

In a copy of the project holding the kazakhstan chapter only, all in one run:

- a cold build of every edition of the chapter (``docbuild build``, empty
  cache, a fresh process), median of --cold-runs;
- for comparison, a one-shot ``docbuild build`` after a one-paragraph edit
  (warm cache, cold process), median of --runs;
- ``docbuild watch`` (default selection: every format and language) in a
  separate process: from saving a one-paragraph edit of ``en.md`` to
  ``dist/kazakhstan-en.pdf`` being replaced on disk (its inode changes: the
  build writes through a rename), median of --runs edits, and the same for
  ``ru.md`` and the Russian PDF; each edit is saved once the previous round
  has finished;
- the watch session's memory (the watch process and its workers: the sum of
  their resident set sizes, from /proc) after 10 and after --edits
  consecutive edits, each waited for, and the session's peak up to then
  (the sum sampled every 0.2 s).

The ratios to the cold build are the issue's targets (<= 0.35, and flat
memory); nothing is asserted. Results are printed as a Markdown table (and
written to --out if given).
"""

from __future__ import annotations

import argparse
import os
import platform
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHAPTER = "kazakhstan"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def copy_project(target: Path) -> Path:
    for name in ("layouts", "fonts"):
        shutil.copytree(ROOT / name, target / name)
    shutil.copytree(ROOT / "source" / CHAPTER, target / "source" / CHAPTER)
    return target


def docbuild(project: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([PYTHON, "-m", "docbuild.cli", "--project", str(project), *args],
                   check=True, capture_output=True, text=True, env=ENV)
    return time.perf_counter() - start


class Editor:
    """Saves one-paragraph edits: each a new text, so no edit is ever served from the cache."""

    MARKERS = {"en": ("{#intro-1}", "rocked", "rocked (revision {n})"),
               "ru": ("{#intro-1 ", "потрясли", "потрясли (правка {n})")}

    def __init__(self, project: Path):
        self.project = project
        self.count = 0
        self.original = {lang: (project / "source" / CHAPTER / f"{lang}.md").read_text(encoding="utf-8")
                         for lang in self.MARKERS}

    def save(self, lang: str) -> None:
        self.count += 1
        attribute, word, replacement = self.MARKERS[lang]
        lines = self.original[lang].split("\n")
        index = next(i for i, line in enumerate(lines) if line.startswith(attribute)) + 1
        assert word in lines[index], lines[index]
        lines[index] = lines[index].replace(word, replacement.format(n=self.count), 1)
        (self.project / "source" / CHAPTER / f"{lang}.md").write_text("\n".join(lines), encoding="utf-8")


class WatchSession:
    """``docbuild watch`` in its own process; its standard error read line by line in a thread."""

    def __init__(self, project: Path):
        self.process = subprocess.Popen(
            [PYTHON, "-m", "docbuild.cli", "--project", str(project), "watch"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=ENV, start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        #: Rounds that ended with a problem, each with the lines printed before its summary.
        self.problems: list[list[str]] = []
        self._recent: list[str] = []
        #: The largest total resident size of the session seen so far (MiB), sampled every 0.2 s.
        self.peak = 0.0
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while self.process.poll() is None:
            self.peak = max(self.peak, self.memory()[0])
            time.sleep(0.2)

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line.rstrip("\n"))

    def round_done(self, timeout: float = 600) -> str:
        """Wait for the end of the next round that built without a problem (its summary line).

        A round with a problem (a save read half-written, say) is recorded in
        ``problems``, and the next round is waited for.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    raise RuntimeError(f"docbuild watch exited with {self.process.returncode}")
                continue
            self._recent = [*self._recent[-20:], line]
            if line.startswith("docbuild watch:") and line.endswith("; watching"):
                if "problem" in line:
                    self.problems.append(self._recent)
                    self._recent = []
                    continue
                self._recent = []
                return line
        raise TimeoutError("no round ended")

    def processes(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            children = []
        return [pid, *map(int, children)]

    def memory(self) -> tuple[float, float, list[float]]:
        """MiB: resident now (the sum over the watch process and its workers), the session's peak so far, each now."""
        now, each = 0.0, []
        for pid in self.processes():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"VmRSS:\s+(\d+)", status)
            if found is None:  # a worker being replaced, already a zombie
                continue
            rss = int(found.group(1)) / 1024
            now += rss
            each.append(rss)
        return now, max(self.peak, now), each

    def stop(self) -> None:
        os.killpg(self.process.pid, 2)  # Ctrl-C, as a terminal sends it
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def edit_to_pdf(session: WatchSession, editor: Editor, lang: str, pdf: Path) -> float:
    """Seconds from saving the edit to ``pdf`` being replaced; then waits for the round to end."""
    before = pdf.stat().st_ino
    while not session.lines.empty():
        session.lines.get_nowait()
    start = time.perf_counter()
    editor.save(lang)
    while pdf.stat().st_ino == before:
        if time.perf_counter() - start > 300:
            raise TimeoutError(f"{pdf.name} was not replaced")
        time.sleep(0.002)
    seconds = time.perf_counter() - start
    session.round_done()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--out")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="docbuild-bench-watch-"))
    try:
        cold = []
        for run in range(args.cold_runs):
            project = copy_project(work / f"cold-{run}")
            cold.append(docbuild(project, "build"))
        cold_median = statistics.median(cold)
        count = len(list((work / "cold-0" / "dist").iterdir()))

        project = copy_project(work / "oneshot")
        docbuild(project, "build")
        editor = Editor(project)
        oneshot = []
        for _ in range(args.runs):
            editor.save("en")
            oneshot.append(docbuild(project, "build"))

        project = copy_project(work / "watch")
        session = WatchSession(project)
        try:
            session.round_done()
            editor = Editor(project)
            dist = project / "dist"
            memory = {}

            def edit(lang: str) -> float:
                seconds = edit_to_pdf(session, editor, lang, dist / f"{CHAPTER}-{lang}.pdf")
                if editor.count in (10, args.edits):
                    memory[editor.count] = session.memory()
                return seconds

            english = [edit("en") for _ in range(args.runs)]
            russian = [edit("ru") for _ in range(args.runs)]
            while editor.count < args.edits:
                edit("en")
            workers = len(session.processes()) - 1
            problems = session.problems
        finally:
            session.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    en, ru = statistics.median(english), statistics.median(russian)
    rows = [
        "| measurement | median | ratio / detail | target |",
        "|---|---|---|---|",
        f"| cold build of the {CHAPTER} chapter, every edition ({count} files), fresh process | {cold_median:.2f} s "
        f"| baseline (median of {args.cold_runs}) |  |",
        f"| one-shot `docbuild build` after a one-paragraph edit of en.md | {statistics.median(oneshot):.2f} s "
        f"| {statistics.median(oneshot) / cold_median:.2f} × cold |  |",
        f"| `docbuild watch`: save of an en.md paragraph → {CHAPTER}-en.pdf replaced | {en:.2f} s "
        f"| {en / cold_median:.2f} × cold ({', '.join(f'{s:.2f}' for s in english)}) "
        f"| ≤ 0.35 ×: {'met' if en / cold_median <= 0.35 else 'MISSED'} |",
        f"| `docbuild watch`: save of a ru.md paragraph → {CHAPTER}-ru.pdf replaced | {ru:.2f} s "
        f"| {ru / cold_median:.2f} × cold ({', '.join(f'{s:.2f}' for s in russian)}) "
        f"| ≤ 0.35 ×: {'met' if ru / cold_median <= 0.35 else 'MISSED'} |",
    ]
    for edits, (now, peak, each) in sorted(memory.items()):
        rows.append(
            f"| watch session memory after {edits} edits (watch + {workers} workers) | {now:.0f} MiB resident "
            f"| session peak so far {peak:.0f} MiB; each now: {', '.join(f'{m:.0f}' for m in each)} MiB |  |"
        )
    if len(memory) == 2:
        (_, (first, first_peak, _)), (_, (last, last_peak, _)) = sorted(memory.items())
        verdict = "flat" if last <= first * 1.15 and last_peak <= first_peak * 1.15 else "GROWS"
        rows.append(f"| memory growth, {min(memory)} → {max(memory)} edits | {last - first:+.0f} MiB "
                    f"| peak {last_peak - first_peak:+.0f} MiB | flat: {verdict} |")
    for lines in problems:
        rows.append(f"| a round with a problem (then the next one built) | | {' / '.join(lines)[-300:]} |  |")
    header = (
        f"`python bench/watch.py --runs {args.runs} --edits {args.edits} --cold-runs {args.cold_runs}`\n\n"
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}\n"
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n"
    )
    text = header + "\n".join(rows) + "\n"
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
