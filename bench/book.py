"""Benchmark: the report as a book, at scale (issue 16).

    python bench/book.py [--chapters 10] [--runs 1] [--formats txt,pdf,epub,docx]

Makes a report of N chapters × en, ru with bench/make_report.py, then, each
step a ``docbuild build`` in a fresh process (as a user runs it), measures:
- one chapter in one language, cold: the unit a chapter-language should cost;
- every chapter edition, cold, without the book: time per chapter-language;
- the book editions alone, with the chapter editions already built (the
  book's own step: its PDF lays the chapters out again with the book's page
  numbers, then pikepdf assembles them), and its share of the whole;
- a no-op rebuild of everything (chapters and books).
Peak memory is the largest resident size of any process the build started
(``ru_maxrss`` of the children, so of the largest worker). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_report", ROOT / "bench" / "make_report.py")
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
make_report, chapter_ids = _module.make_report, _module.chapter_ids


def _timed(project: Path, *args: str) -> tuple[float, float]:
    """Seconds and peak MiB (largest child) of one ``docbuild build`` in a fresh process."""
    command = [sys.executable, "-c", "import sys; from docbuild.cli import main; sys.exit(main(sys.argv[1:]))",
               "--project", str(project), "build", "--out", str(project / "dist"), *args]
    script = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "result = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(seconds, peak, result.returncode)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", script, *command], capture_output=True, text=True, env=env, check=True)
    seconds, peak, code = out.stdout.split()
    if code != "0":
        raise SystemExit(f"docbuild build {' '.join(args)} failed")
    return float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", type=int, default=10)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--formats", default="txt,pdf,epub,docx")
    args = parser.parse_args()
    formats = [arg for fmt in args.formats.split(",") for arg in ("--format", fmt)]
    rows: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="docbuild-book-bench-") as folder:
            project = make_report(args.chapters, Path(folder) / "report")
            first = chapter_ids(args.chapters)[0][0]
            rows.setdefault("one", []).append(
                _timed(project, "--no-cache", "--no-book", "--chapter", first, "--lang", "en", *formats))
            rows.setdefault("chapters", []).append(_timed(project, "--no-cache", "--no-book", *formats))
            rows.setdefault("book", []).append(_timed(project, *formats))
            rows.setdefault("noop", []).append(_timed(project, *formats))
    median = {key: (statistics.median(s for s, _ in values), max(m for _, m in values)) for key, values in rows.items()}
    units = args.chapters * 2
    per = median["chapters"][0] / units
    total = median["chapters"][0] + median["book"][0]
    print(f"`python bench/book.py --chapters {args.chapters} --runs {args.runs} --formats {args.formats}`\n")
    print(f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| measurement | median | detail |")
    print("|---|---|---|")
    print(f"| one chapter, one language, cold | {median['one'][0]:.2f} s | peak {median['one'][1]:.0f} MiB |")
    print(f"| {args.chapters} chapters × 2 languages, cold, no book | {median['chapters'][0]:.1f} s | "
          f"{per:.2f} s per chapter-language = {per / median['one'][0]:.2f} × one chapter alone; "
          f"peak per worker {median['chapters'][1]:.0f} MiB |")
    print(f"| the 2 books (every format), chapter editions built | {median['book'][0]:.1f} s | "
          f"{median['book'][0] / total:.0%} of the whole cold build; peak {median['book'][1]:.0f} MiB |")
    print(f"| no-op rebuild, chapters and books | {median['noop'][0]:.2f} s | |")


if __name__ == "__main__":
    main()
