"""Benchmark: the Dask executor against the local one, on a generated report (issue 16).

    python bench/dask.py [--chapters 10] [--runs 3] [--workers 2] [--formats txt,pdf,epub,docx]

Makes a report of N chapters × en, ru with bench/make_report.py, then times
cold builds (``docbuild build --no-cache``, as the command line runs them,
each in a fresh process) of its chapters:
- with the local executor (today's process pool, one worker per core);
- with ``--executor dask`` on a ``distributed.LocalCluster`` of --workers
  worker processes (one thread each) started once by this script: the
  first Dask build meets workers that have not imported WeasyPrint yet, the
  later ones reuse warm workers, as a team's long-running cluster would;
and checks after every pair of builds that the two output folders are
byte-identical. Prints a markdown table for bench/RESULTS.md: medians of
--runs runs, and each run's seconds. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file is bench/dask.py: with bench/ on sys.path, `import dask` (by distributed) would find it.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
_spec = importlib.util.spec_from_file_location("make_report", ROOT / "bench" / "make_report.py")
make_report_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_report_module)
chapter_ids, make_report = make_report_module.chapter_ids, make_report_module.make_report


def _build(project: Path, out: Path, chapters: list[str], formats: list[str], *extra: str) -> float:
    args = [sys.executable, "-m", "docbuild.cli", "--project", str(project), "build", "--quiet", "--no-cache",
            "--out", str(out), *extra]
    args += [item for chapter in chapters for item in ("--chapter", chapter)]
    args += [item for fmt in formats for item in ("--format", fmt)]
    start = time.perf_counter()
    subprocess.run(args, check=True, env=_env())
    return time.perf_counter() - start


def _env() -> dict[str, str]:
    # This checkout's code, and one SOURCE_DATE_EPOCH for every build (the same bytes either way).
    path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1643241600")}


def _different(one: Path, other: Path) -> list[str]:
    names = sorted({p.name for p in one.iterdir()} | {p.name for p in other.iterdir()})
    return [name for name in names
            if not (one / name).is_file() or not (other / name).is_file()
            or (one / name).read_bytes() != (other / name).read_bytes()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--formats", default="txt,pdf,epub,docx")
    args = parser.parse_args()
    formats = [fmt for fmt in args.formats.split(",") if fmt]

    import distributed

    os.environ.update(_env())  # the cluster's worker processes inherit it (and sys.path)
    sys.path.insert(0, str(ROOT / "src"))
    load = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="docbuild-dask-bench-"))
    try:
        project = make_report(args.chapters, work / "project")
        chapters = [chapter for chapter, _ in chapter_ids(args.chapters)]
        editions = 0
        start = time.perf_counter()
        cluster = distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                           dashboard_address=":0")
        startup = time.perf_counter() - start
        local, remote, identical = [], [], True
        try:
            for run in range(args.runs):
                local.append(_build(project, work / "local", chapters, formats))
                remote.append(_build(project, work / "dask", chapters, formats,
                                     "--executor", "dask", "--scheduler", cluster.scheduler_address))
                different = _different(work / "local", work / "dask")
                if different:
                    identical = False
                    print(f"run {run + 1}: the outputs differ: {', '.join(different)}", file=sys.stderr)
                editions = len(list((work / "local").iterdir()))
                print(f"run {run + 1}: local {local[-1]:.1f} s, dask {remote[-1]:.1f} s", file=sys.stderr)
        finally:
            cluster.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    t_local, t_dask = statistics.median(local), statistics.median(remote)
    warm = statistics.median(remote[1:]) if len(remote) > 1 else t_dask
    variants = editions // max(len(formats), 1)
    overhead = t_dask / t_local - 1
    runs = lambda samples: ", ".join(f"{s:.1f}" for s in samples)  # noqa: E731
    print(f"`python bench/dask.py --chapters {args.chapters} --runs {args.runs} --workers {args.workers} "
          f"--formats {','.join(formats)}`, medians of {args.runs} cold builds (`--no-cache`), each a fresh "
          f"`docbuild build` process.\n")
    print(f"- Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"dask {distributed.__version__}")
    print(f"- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; load average before and after: "
          f"{load[0]:.1f}, {os.getloadavg()[0]:.1f} (other sessions share the cores: compare the columns, not runs)")
    print(f"- Report: {args.chapters} chapters × en, ru ({variants} variants), {editions} editions "
          f"({', '.join(formats)})\n")
    print("| executor | median | per chapter-language | runs (s) | detail |")
    print("|---|---|---|---|---|")
    print(f"| local (process pool, {os.cpu_count()} workers) | {t_local:.1f} s | {t_local / max(variants, 1):.2f} s "
          f"| {runs(local)} | |")
    print(f"| dask, LocalCluster of {args.workers} worker processes | {t_dask:.1f} s | "
          f"{t_dask / max(variants, 1):.2f} s | {runs(remote)} | {overhead:+.0%} against local "
          f"(target ≤ +15%: {'met' if overhead <= 0.15 else 'MISSED'}); warm workers (runs 2+): {warm:.1f} s; "
          f"cluster start {startup:.1f} s, not counted |")
    print(f"\nByte-identical outputs, every run: {'yes' if identical else 'NO'}")


if __name__ == "__main__":
    main()
