"""The reader's fuzz property with a long profile (issue 13).

    python bench/fuzz.py [--examples 20000] [--seed N]

Runs the property of ``tests/test_fuzz.py`` (every generated source either
reads or raises DocbuildError with a file and a line, within a bounded
time) with the same generators, over many more examples than CI's 150, and
prints how many examples ran, how many read cleanly and how many were
refused, and the slowest example (CPU and wall time; its source is saved
next to the report for a look). A crash stops the run with Hypothesis's
shrunk example, as in the test. Nothing else is asserted here.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from hypothesis import HealthCheck, given, settings  # noqa: E402

from docbuild.errors import DocbuildError  # noqa: E402
from docbuild.project import Project  # noqa: E402
from docbuild.reader import read_chapter  # noqa: E402
from test_fuzz import BUDGET, WALL_BUDGET, reader_time_only, source  # noqa: E402


def project_copy(root: Path) -> tuple[Project, Path]:
    """A project with layouts, fonts and one chapter folder holding the sample photo (as the test's fixture)."""
    for name in ("layouts", "fonts"):
        shutil.copytree(ROOT / name, root / name)
    folder = root / "source" / "fuzz"
    (folder / "images").mkdir(parents=True)
    shutil.copy(ROOT / "source/kazakhstan/images/kazakhstan-protest.jpg", folder / "images")
    return Project.at(root), folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=20_000, help="examples to generate (default 20000)")
    parser.add_argument("--seed", type=int, default=None, help="a fixed seed, to repeat a run")
    parser.add_argument("--slowest", type=Path, default=Path(tempfile.gettempdir()) / "docbuild-fuzz-slowest.md",
                        help="where to save the slowest example's source")
    args = parser.parse_args()

    outcomes: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    slowest = {"cpu": 0.0, "wall": 0.0, "text": ""}
    over_budget = 0
    with tempfile.TemporaryDirectory(prefix="docbuild-fuzz-") as temporary:
        project, folder = project_copy(Path(temporary))
        path = folder / "en.md"

        @settings(max_examples=args.examples, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  derandomize=args.seed is None)
        @given(text=source())
        def property_(text: str) -> None:
            nonlocal over_budget
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
            with reader_time_only():
                start, cpu = time.monotonic(), time.process_time()
                try:
                    read_chapter(path, project)
                    outcomes["read"] += 1
                except DocbuildError as error:
                    outcomes["refused"] += 1
                    for problem in error.errors:
                        assert problem.path is not None, f"error without a file: {problem.message}"
                        assert problem.line is not None, f"error without a line: {problem.message}"
                    messages[re.sub(r"'[^']*'|\d[\d,]*", "…", error.message)[:70]] += 1
                cpu, wall = time.process_time() - cpu, time.monotonic() - start
            if cpu > slowest["cpu"]:
                slowest.update(cpu=cpu, wall=wall, text=text)
            over_budget += cpu >= BUDGET or wall >= WALL_BUDGET
            assert cpu < BUDGET and wall < WALL_BUDGET, f"example took {cpu:.2f} s CPU, {wall:.2f} s wall"

        if args.seed is not None:
            from hypothesis import seed

            property_ = seed(args.seed)(property_)
        started = time.monotonic()
        property_()
        elapsed = time.monotonic() - started

    total = outcomes["read"] + outcomes["refused"]
    args.slowest.write_text(slowest["text"], encoding="utf-8", errors="surrogatepass")
    print(f"examples run:      {total} (asked for {args.examples}) in {elapsed:.0f} s, {1000 * elapsed / max(total, 1):.0f} ms each")
    print(f"read cleanly:      {outcomes['read']}")
    print(f"refused (located): {outcomes['refused']}")
    print(f"crashes:           0 (any other exception would have stopped the run)")
    print(f"over the budget:   {over_budget} ({BUDGET:.0f} s CPU, {WALL_BUDGET:.0f} s wall per example)")
    print(f"slowest example:   {slowest['cpu']:.3f} s CPU, {slowest['wall']:.3f} s wall, "
          f"{len(slowest['text'])} characters, saved to {args.slowest}")
    print("most frequent first errors:")
    for message, count in messages.most_common(12):
        print(f"  {count:6}  {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
