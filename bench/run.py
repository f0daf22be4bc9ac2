"""Benchmark: docbuild against pandoc 3, in one run, on this machine (issue 8).

    python bench/run.py [--runs 5] [--scale 10,50,100] [--out bench/RESULTS.md]

Measures, as medians of --runs runs:
- pandoc (PyPI pypandoc-binary) doing the same 8 conversions one after another
  (DOCX, EPUB 3, plain text, PDF via WeasyPrint with pdf/ua-1, for en and ru)
  from a Markdown version of the chapter;
- docbuild's cold build of the same 8 editions (empty cache);
- a no-op rebuild (nothing changed), and whether it imported WeasyPrint;
- a rebuild after one English paragraph changed (and which editions it rebuilt);
- a generated report of N chapters: seconds per chapter and peak memory of
  the largest worker process.
Nothing here is asserted; the table is the result.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = str(Path(sys.executable).parent)


#: The four editions pandoc is compared with; the large-print and braille editions are timed apart.
STANDARD = ("--format", "txt", "--format", "pdf", "--format", "epub", "--format", "docx")


def docbuild(project: Path, *args: str, every_format: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "-m", "docbuild.cli", "--project", str(project), "build", *(() if every_format else STANDARD), *args],
        capture_output=True, text=True, check=True,
    )


def timed(command) -> float:
    start = time.perf_counter()
    command()
    return time.perf_counter() - start


def median_of(runs: int, command, before=None) -> float:
    samples = []
    for _ in range(runs):
        if before:
            before()
        samples.append(timed(command))
    return statistics.median(samples)


def copy_project(target: Path, chapters: tuple[str, ...] = ("kazakhstan",)) -> Path:
    """A copy of the project with only ``chapters`` in source/ (the sample chapter, so runs compare)."""
    if target.exists():
        shutil.rmtree(target)
    for name in ("layouts", "fonts"):
        shutil.copytree(ROOT / name, target / name)
    for chapter in chapters:
        # English and Russian only, as pandoc's 8 conversions (the chapter also has kk and ar now).
        shutil.copytree(ROOT / "source" / chapter, target / "source" / chapter,
                        ignore=lambda folder, names: [n for n in names if n.endswith(".md") and n[:2] in ("kk", "ar")])
    return target


# --------------------------------------------------------------------------- pandoc


def pandoc_markdown(variant: Path, out: Path) -> Path:
    """Our source as pandoc Markdown: block ids move onto headings, paragraph ids are dropped."""
    text = variant.read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    lang = variant.stem
    body = re.sub(r"^\{#([a-z0-9-]+)[^}]*\}\n(## .*)$", r"\2 {#\1}", body, flags=re.M)
    body = re.sub(r"^\{#[^}]*\}\n", "", body, flags=re.M)
    meta = front.lstrip("-\n")
    meta = re.sub(r"^translation-of:.*\n", "", meta, flags=re.M)
    figure = re.search(r"^figure:\n((?:  .*\n?)+)", meta, flags=re.M)
    meta = meta[: figure.start()] + meta[figure.end():] if figure else meta
    caption = re.search(r"caption: >-\n((?:    .*\n)+)", figure.group(1)).group(1) if figure else ""
    image = ROOT / "source" / variant.parent.name / "images" / "kazakhstan-protest.jpg"
    doc = f"---\n{meta}lang: {lang}\n---\n\n![{' '.join(caption.split())}]({image})\n{body}"
    target = out / f"{variant.parent.name}-{lang}.md"
    target.write_text(doc, encoding="utf-8")
    return target


def pandoc_all(pandoc: str, inputs: list[Path], out: Path) -> None:
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ["PATH"]}
    for source in inputs:
        stem = out / source.stem
        for args in (
            ["-t", "docx", "-o", f"{stem}.docx"],
            ["-t", "epub3", "-o", f"{stem}.epub"],
            ["-t", "plain", "-o", f"{stem}.txt"],
            ["-o", f"{stem}.pdf", "--pdf-engine=weasyprint", "--pdf-engine-opt=--pdf-variant=pdf/ua-1"],
        ):
            subprocess.run([pandoc, str(source), "-s", *args], check=True, env=env, capture_output=True)


# --------------------------------------------------------------------------- scale


def make_report(project: Path, chapters: int) -> None:
    """A report of N chapters from the Kazakhstan one, each with its own id and text."""
    base = ROOT / "source" / "kazakhstan"
    shutil.rmtree(project / "source")
    for n in range(chapters):
        folder = project / "source" / f"chapter-{n:03d}"
        shutil.copytree(base, folder)
        for variant in ("en.md", "ru.md"):
            path = folder / variant
            text = path.read_text(encoding="utf-8")
            text = text.replace("title: Kazakhstan", f"title: Country {n:03d}").replace("title: Казахстан", f"title: Страна {n:03d}")
            text = text.replace("2021", str(1900 + n)) if variant == "en.md" else text
            path.write_text(text, encoding="utf-8")
        # The English text changed, so re-stamp the Russian as current to avoid 47 warnings.
        subprocess.run([PYTHON, "-m", "docbuild.cli", "--project", str(project), "stamp", folder.name, "ru"],
                       check=True, capture_output=True)


def measure_scale(work: Path, chapters: int) -> dict:
    project = copy_project(work / f"report-{chapters}")
    make_report(project, chapters)
    probe = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "wall = time.perf_counter() - t; r = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(wall, r.ru_maxrss, r.ru_utime + r.ru_stime)"
    )
    out = subprocess.run(
        [PYTHON, "-c", probe, PYTHON, "-m", "docbuild.cli", "--project", str(project), "build", "--no-cache"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    wall, maxrss_kib, cpu = float(out[0]), int(out[1]), float(out[2])
    shutil.rmtree(project)
    return {"chapters": chapters, "seconds": wall, "per_chapter": wall / chapters,
            "peak_worker_mib": maxrss_kib / 1024, "cores_used": cpu / wall}


# --------------------------------------------------------------------------- profile

_PROFILE = r"""
import cProfile, io, json, pstats, sys, time
t0 = time.perf_counter()
from docbuild.edition import Edition
from docbuild.labels import load_labels
from docbuild.project import Project
from docbuild.reader import read_project
project = Project.at(sys.argv[1])
chapter = read_project(project, ["kazakhstan"])[0].variant("en")
edition = Edition(chapter, load_labels(project, "en"), project)
t1 = time.perf_counter()
import weasyprint, pikepdf, ebooklib, docx
t2 = time.perf_counter()
from docbuild.build import render_edition
profile = cProfile.Profile()
profile.enable()
render_edition(edition, ["pdf", "epub"])
profile.disable()
t3 = time.perf_counter()
render_edition(edition, ["pdf", "epub"])
t4 = time.perf_counter()
out = io.StringIO()
pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(12)
print(json.dumps({"read": t1 - t0, "imports": t2 - t1, "cold": t3 - t2, "warm": t4 - t3, "profile": out.getvalue()}))
"""


def profile_print_task(project: Path) -> dict:
    """Where the English PDF+EPUB task (the critical path of an edited-paragraph rebuild) spends its time."""
    out = subprocess.run([PYTHON, "-c", _PROFILE, str(project)], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", default="10,50,100", help="chapter counts for the scaling table ('' to skip)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "RESULTS.md")
    args = parser.parse_args()

    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    pandoc_version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    work = Path(tempfile.mkdtemp(prefix="docbuild-bench-"))
    project = copy_project(work / "project")
    dist = work / "dist"

    md = work / "md"
    md.mkdir()
    inputs = [pandoc_markdown(p, md) for p in sorted((project / "source" / "kazakhstan").glob("??.md"))]
    pandoc_out = work / "pandoc"
    pandoc_out.mkdir()
    pandoc_all(pandoc, inputs, pandoc_out)  # warm-up, and proof that it works
    t_pandoc = median_of(args.runs, lambda: pandoc_all(pandoc, inputs, pandoc_out))

    cache = project / ".docbuild-cache"
    clear = lambda: (shutil.rmtree(cache, ignore_errors=True), shutil.rmtree(dist, ignore_errors=True))
    docbuild(project, "--out", str(dist))  # warm-up (file system caches)
    t_cold = median_of(args.runs, lambda: docbuild(project, "--out", str(dist)), before=clear)

    docbuild(project, "--out", str(dist))
    t_noop = median_of(args.runs, lambda: docbuild(project, "--out", str(dist)))
    probe = (
        "import sys; from docbuild.cli import main; "
        f"main(['--project', {str(project)!r}, 'build', '--out', {str(dist)!r}]); "
        "print('weasyprint' in sys.modules)"
    )
    noop_imports_weasyprint = subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True).stdout.strip().endswith("True")

    english = project / "source" / "kazakhstan" / "en.md"
    original = english.read_text(encoding="utf-8")
    counter = iter(range(10_000))

    def edit() -> None:
        english.write_text(original.replace("was rocked in early", f"was rocked ({next(counter)}) in early"), encoding="utf-8")

    edit_runs: list[str] = []

    def rebuild() -> None:
        edit_runs.append(docbuild(project, "--out", str(dist)).stdout)

    t_edit = median_of(args.runs, rebuild, before=edit)
    rebuilt = sorted(Path(line.split()[0]).name for line in edit_runs[-1].splitlines() if line.endswith("(built)"))
    english.write_text(original, encoding="utf-8")

    every = work / "every-dist"
    clear_every = lambda: (shutil.rmtree(cache, ignore_errors=True), shutil.rmtree(every, ignore_errors=True))
    t_every = median_of(args.runs, lambda: docbuild(project, "--out", str(every), every_format=True), before=clear_every)

    briefing = copy_project(work / "briefing", ("kazakhstan-january",))
    briefing_dist = work / "briefing-dist"
    clear_briefing = lambda: (shutil.rmtree(briefing / ".docbuild-cache", ignore_errors=True), shutil.rmtree(briefing_dist, ignore_errors=True))
    docbuild(briefing, "--out", str(briefing_dist))
    t_briefing = median_of(args.runs, lambda: docbuild(briefing, "--out", str(briefing_dist)), before=clear_briefing)

    profile = profile_print_task(project)
    scale = [measure_scale(work, int(n)) for n in args.scale.split(",") if n]
    shutil.rmtree(work)

    cold_ratio = t_cold / t_pandoc
    rows = [
        ("pandoc, 8 conversions one after another", f"{t_pandoc:.2f} s", "baseline", ""),
        ("docbuild cold build, 8 editions", f"{t_cold:.2f} s", f"{cold_ratio:.2f} × pandoc", _verdict(cold_ratio <= 0.75, "≤ 0.75 ×")),
        ("docbuild cold build, every format (14 editions: also large-print PDF and DOCX, braille)",
         f"{t_every:.2f} s", f"{t_every / t_cold:.2f} × the 8 standard editions", ""),
        ("docbuild cold build of the briefing (every element: lists, notes, tables, chart, box), 8 editions",
         f"{t_briefing:.2f} s", f"{t_briefing / t_cold:.2f} × the Kazakhstan chapter", ""),
        ("docbuild no-op rebuild", f"{t_noop:.3f} s", f"imports WeasyPrint: {'yes' if noop_imports_weasyprint else 'no'}",
         _verdict(t_noop <= 0.2 and not noop_imports_weasyprint, "≤ 0.2 s, no WeasyPrint")),
        ("docbuild after one English paragraph edited", f"{t_edit:.2f} s", f"{t_edit / t_cold:.2f} × cold; rebuilt {', '.join(rebuilt)}",
         _verdict(t_edit / t_cold <= 0.6 and all("-en." in r for r in rebuilt), "≤ 0.6 × cold, English only")),
    ]
    lines = [
        "# Benchmark results",
        "",
        f"`python bench/run.py --runs {args.runs} --scale {args.scale}`, medians of {args.runs} runs, all in one run.",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}",
        f"- Baseline: {pandoc_version} (pypandoc-binary), PDF through WeasyPrint with `--pdf-variant=pdf/ua-1`",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        "",
        "| measurement | median | ratio / detail | target |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
    ]
    if scale:
        lines += [
            "",
            "Scaling: a generated report (Kazakhstan chapter copied with new ids and text), cold build, all formats, en + ru.",
            "",
            "| chapters | editions | seconds | seconds per chapter | peak memory of one worker | cores busy (CPU time / wall) |",
            "|---|---|---|---|---|---|",
            *[
                f"| {s['chapters']} | {s['chapters'] * 8} | {s['seconds']:.1f} | {s['per_chapter']:.2f} | "
                f"{s['peak_worker_mib']:.0f} MiB | {s['cores_used']:.2f} of {os.cpu_count()} |"
                for s in scale
            ],
        ]
    lines += [
        "",
        "Where an edited-paragraph rebuild spends its time: its critical path is one worker laying out and",
        "writing the English PDF and then the EPUB, in a fresh process (measured alone, in this run):",
        "",
        "| phase | seconds |",
        "|---|---|",
        f"| read and validate the chapter (parent) | {profile['read']:.2f} |",
        f"| import WeasyPrint, pikepdf, ebooklib, python-docx (worker) | {profile['imports']:.2f} |",
        f"| PDF + EPUB, first time in the process | {profile['cold']:.2f} |",
        f"| PDF + EPUB again in the same process | {profile['warm']:.2f} |",
        "",
        "cProfile of the first PDF + EPUB render (top 12 by own time):",
        "",
        "```",
        *[line.rstrip() for line in profile["profile"].strip().splitlines()],
        "```",
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    args.out.write_text(report, encoding="utf-8")
    print(json.dumps({"pandoc": t_pandoc, "cold": t_cold, "noop": t_noop, "edit": t_edit, "scale": scale}))


def _verdict(ok: bool, target: str) -> str:
    return f"{target}: {'met' if ok else 'MISSED'}"


if __name__ == "__main__":
    main()
