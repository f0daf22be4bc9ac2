"""Builds editions: plans jobs, skips cached ones, runs the rest in parallel.

The steps, each cheap before the next:
1. plan: one job per edition file, keyed by a hash of its inputs (plan.py);
2. restore: a job whose key the cache knows is copied back, not rebuilt;
3. read: only if some job must run, the chapters are parsed and validated;
4. render: tasks run in parallel worker processes; a variant's PDF and EPUB
   are one task (PDF first), so the A4 layout feeds the EPUB page-list and
   is never computed twice; its plain text and DOCX are another.
Writers are imported inside the workers only, so a no-op build (or
``--help``) never loads WeasyPrint, python-docx or ebooklib.
"""

from __future__ import annotations

import ctypes
import importlib
import multiprocessing
import os
import signal
import sys
import threading
import types
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from .cache import Cache
from .edition import PAPER_SIZES, Edition
from .errors import DocbuildError
from .executors import check_executor, open_executor
from .model import ChapterSet, StaleTranslation
from .output import remove_leftovers, write_all
from .plan import Job, chapter_key, plan
from .project import Project

#: Format name -> (module, function). The order is the build order within a
#: chapter variant: the PDF comes before the EPUB, whose page-list it feeds.
FORMATS: dict[str, tuple[str, str]] = {
    "txt": ("docbuild.writers.text", "render_text"),
    "pdf": ("docbuild.writers.pdf", "render_pdf"),
    "epub": ("docbuild.writers.epub", "render_epub"),
    "docx": ("docbuild.writers.docx", "render_docx"),
    # Large print (Clear Print): the same writers with the large-print layout.
    "large-pdf": ("docbuild.writers.pdf", "render_large_pdf"),
    "large-docx": ("docbuild.writers.docx", "render_large_docx"),
    # Braille for embossers and notetakers; its print page indicators come from the A4 layout.
    "brf": ("docbuild.writers.braille", "render_brf"),
}
CACHE_FOLDER = ".docbuild-cache"
#: Formats that mark the A4 print edition's pages (page-list, print page indicators).
NEEDS_PRINT_PAGES = ("epub", "brf")


@dataclass(frozen=True)
class BuildResult:
    #: Every edition the build asked for, now up to date in the output folder.
    written: tuple[Path, ...]
    #: The subset that was rendered (the rest came from the cache).
    rendered: tuple[Path, ...]
    stale: tuple[StaleTranslation, ...]
    #: Problems found and repaired on the way (a corrupt cache object rebuilt), one line each.
    warnings: tuple[str, ...] = ()


def build(
    project: Project | Path | str = ".",
    out: Path | str | None = None,
    formats: list[str] | None = None,
    langs: list[str] | None = None,
    chapters: list[str] | None = None,
    paper: str = "a4",
    jobs: int | None = None,
    cache: bool = True,
    progress: Callable[[int, int, str], None] | None = None,
    pool: Executor | None = None,
    executor: str | Any = "local",
    scheduler: str | Any | None = None,
    book: bool | None | str = False,
) -> BuildResult:
    """Build the selected editions of every chapter into ``out`` (default ``dist/``).

    ``jobs`` is the number of worker processes (default: one per core);
    ``cache=False`` renders every edition even if its inputs are unchanged.
    ``progress(done, total, current)`` is called as editions are finished (docbuild.progress);
    ``pool`` runs the renders in the caller's long-lived workers (docbuild watch) instead of new ones.
    ``executor="dask"`` runs them on the Dask cluster whose scheduler is ``scheduler`` (an address such as
    ``tcp://HOST:8786``, or a ``distributed.Client``; passing the client as ``executor`` works too); this
    process still writes the editions and fills the cache (docbuild.executors).
    ``book`` builds the book editions of ``source/report.toml`` too (docbuild.book): True, False,
    None (when the file exists) or "only" (the book editions and no chapter's).
    """
    if not isinstance(project, Project):
        project = Project.at(project)
    unknown = sorted(set(formats or []) - set(FORMATS))
    if unknown:
        raise DocbuildError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    formats = [f for f in FORMATS if f in (formats or FORMATS)]
    if paper not in PAPER_SIZES:
        raise DocbuildError(f"unknown paper size '{paper}'; choose from {', '.join(PAPER_SIZES)}")
    if jobs is not None and jobs < 1:
        raise DocbuildError(f"--jobs must be 1 or more, not {jobs}")
    check_executor(executor, scheduler)
    out_dir = Path(out) if out is not None else project.root / "dist"
    if out_dir.exists() and not out_dir.is_dir():
        raise DocbuildError("the output folder is a file", out_dir)
    remove_leftovers(out_dir)
    store = Cache(project.root / CACHE_FOLDER)
    planned = [] if book == "only" else plan(project, formats, langs, chapters, paper)
    from .book.build import plan_for_build, render_books

    book_jobs, book_warnings = plan_for_build(project, formats, langs, paper, book)
    outputs: dict[Path, bytes] = {}
    todo = []
    book_todo = []
    for job in planned + book_jobs:
        data = store.cached(job) if cache else None
        if data is None:
            (book_todo if job in book_jobs else todo).append(job)
        elif not _holds(out_dir / job.file_name, data):
            outputs[out_dir / job.file_name] = data

    chapter_sets: dict[str, ChapterSet] = {}
    if todo or book_todo:
        from .reader import read_project

        chapter_sets = {cs.id: cs for cs in read_project(project, sorted({job.chapter for job in todo}))} if todo else {}
        tally = _Tally(progress, len(planned) - len(todo), len(planned))
        with open_executor(executor, scheduler) as remote:
            rendered = _render(project, chapter_sets, todo, store, jobs, pool or remote, tally) if todo else {}
            rendered.update(render_books(project, book_todo, chapter_sets, store, jobs, pool or remote))
        outputs.update({out_dir / job.file_name: data for job, data in rendered.items()})
    # One transaction: every edition this build changes is replaced, or none is.
    write_all(outputs)
    stale = _stale_translations(project, sorted({job.chapter for job in planned}), chapter_sets, store)
    return BuildResult(
        written=tuple(out_dir / job.file_name for job in planned + book_jobs),
        rendered=tuple(out_dir / job.file_name for job in todo + book_todo),
        stale=stale,
        warnings=tuple(store.problems) + tuple(book_warnings),
    )


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and path.read_bytes() == data
    except OSError:
        return False


def _render(
    project: Project, chapter_sets: dict[str, ChapterSet], todo: list[Job], store: Cache, jobs: int | None,
    pool: Executor | None = None, tally: "_Tally | None" = None,
) -> dict[Job, bytes]:
    """Render the jobs; store each in the cache; return the bytes of each."""
    from .labels import load_labels

    groups: dict[tuple[str, str, str, str], list[Job]] = {}
    # Heavy tasks (PDF layout) first, so the light ones fill the other cores around them.
    for job in sorted(todo, key=lambda job: job.task[3] != "print"):
        groups.setdefault(job.task, []).append(job)
    tasks = []
    for (chapter_id, lang, paper, _), group in groups.items():
        edition = Edition(chapter_sets[chapter_id].variant(lang), load_labels(project, lang), project, paper)
        if any(job.fmt in NEEDS_PRINT_PAGES for job in group) and not any(job.fmt == "pdf" and job.paper == "a4" for job in group):
            edition = _cached_print_pages(edition, store)
        tasks.append((edition, [job.fmt for job in group]))

    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if tally is not None:
        tally.tasks([[job.file_name for job in group] for group in groups.values()])
    if pool is not None:
        results = _gather(pool, tasks, tally)
    elif workers <= 1:
        results = []
        for task in tasks:
            results.append(render_edition(*task))
            if tally is not None:
                tally.finished({len(results) - 1})
    else:
        results = _in_workers(tasks, workers, tally)

    outputs = {}
    for group, rendered in zip(groups.values(), results):
        for job, (data, extra) in zip(group, rendered):
            outputs[job] = data
            try:
                store.store(job, data, extra)
            except (OSError, DocbuildError):
                pass  # a cache that cannot be written only costs a rebuild next time
    return outputs


def _in_workers(tasks: list, workers: int, tally: "_Tally | None" = None) -> list:
    """Run the tasks in worker processes that never outlive this one.

    Each worker asks the kernel for SIGTERM when its parent dies (Linux's
    PR_SET_PDEATHSIG), so a ``kill -9`` of the build takes the workers with
    it; on SIGTERM or Ctrl-C the pool is shut down and its workers ended.
    """
    context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),))
    previous = signal.signal(signal.SIGTERM, _interrupt) if threading.current_thread() is threading.main_thread() else None
    try:
        return _gather(pool, tasks, tally)
    except BaseException:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _gather(executor: Executor, tasks: list, tally: "_Tally | None" = None) -> list:
    """Run the tasks in ``executor``; the results in task order (the first failure in that order is raised)."""
    futures = [executor.submit(render_edition, *task) for task in tasks]
    try:
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            if tally is not None:
                tally.finished({futures.index(future) for future in finished})
        return [future.result() for future in futures]
    except BaseException:
        for future in futures:
            future.cancel()
        raise


class _Tally:
    """Counts finished editions for a ``progress(done, total, current)`` callback; does nothing without one."""

    def __init__(self, progress: Callable[[int, int, str], None] | None, done: int, total: int):
        self.progress, self.done, self.total = progress, done, total
        self.names: list[list[str]] = []
        self.open: set[int] = set()

    def tasks(self, names: list[list[str]]) -> None:
        self.names, self.open = names, set(range(len(names)))
        self._report()

    def finished(self, indexes: set[int]) -> None:
        for index in indexes & self.open:
            self.open.discard(index)
            self.done += len(self.names[index])
        self._report()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.done, self.total, self.names[min(self.open)][0] if self.open else "")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _die_with_parent(parent: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if sys.platform == "linux":
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _writer(fmt: str) -> Callable:
    module, function = FORMATS[fmt]
    return getattr(importlib.import_module(module), function)


def render_edition(edition: Edition, formats: list[str]) -> list[tuple[bytes, dict]]:
    """Render the formats of one chapter variant, in order; returns (bytes, cache extras) per format.

    Runs in a worker process, so it returns bytes and the parent writes them; a DocbuildError
    goes back as a fresh copy (:func:`portable`), without the chained exceptions behind it.
    """
    try:
        return _render_edition(edition, formats)
    except DocbuildError as error:
        failure = portable(error)
    raise failure


def portable(error: DocbuildError) -> DocbuildError:
    """``error`` without its traceback and chained exceptions, to cross a process boundary.

    Exception picklers that follow ``__context__`` and ``__cause__`` (tblib's, installed by
    Dask's distributed) would otherwise carry the whole chain, or loop on a cycle in it.
    """
    return DocbuildError.combine(error.errors)


def _render_edition(edition: Edition, formats: list[str]) -> list[tuple[bytes, dict]]:
    results = []
    for fmt in formats:
        if fmt in NEEDS_PRINT_PAGES and not edition.print_page_count:
            edition = _with_print_pages(edition)
        result = _writer(fmt)(edition)
        extra: dict = {}
        if fmt == "pdf" and edition.paper == "a4":
            edition = replace(
                edition, print_pages=dict(result.pages), print_page_count=result.page_count,
                print_page_starts=dict(result.page_starts),
            )
            extra = {
                "pages": edition.print_pages, "page_count": edition.print_page_count,
                "page_starts": {str(page): list(start) for page, start in edition.print_page_starts.items()},
            }
        results.append((result if isinstance(result, bytes) else result.data, extra))
    return results


def _cached_print_pages(edition: Edition, store: Cache) -> Edition:
    """The A4 page of each block, from a cached PDF build of the same inputs, if there is one."""
    chapter = edition.chapter
    (pdf_job,) = plan(edition.project, ["pdf"], [chapter.lang], [chapter.id], "a4")
    record = store.record(pdf_job)
    if record is None or "pages" not in record or not isinstance(record.get("page_starts"), dict):
        return edition
    try:
        starts = {int(page): (str(block), int(offset)) for page, (block, offset) in record["page_starts"].items()}
    except (TypeError, ValueError):
        return edition  # a record of the wrong shape is a miss
    return replace(edition, print_pages=record["pages"], print_page_count=record["page_count"], print_page_starts=starts)


def _with_print_pages(edition: Edition) -> Edition:
    """Lay out the A4 PDF (when no PDF was built or cached) to learn where each block is printed."""
    layout = importlib.import_module("docbuild.writers.pdf").layout_pages(replace(edition, paper="a4"))
    return replace(
        edition, print_pages=dict(layout.pages), print_page_count=layout.page_count, print_page_starts=dict(layout.starts)
    )


def _stale_translations(
    project: Project, chapters: list[str], parsed: dict[str, ChapterSet], store: Cache
) -> tuple[StaleTranslation, ...]:
    """Translations whose original changed; cached per chapter so a no-op build needn't parse."""
    stale: list[StaleTranslation] = []
    for chapter in chapters:
        key = chapter_key(project, chapter)
        cached = store.stale(key)
        if cached is None:
            if chapter not in parsed:
                from .reader import read_project

                parsed[chapter] = read_project(project, [chapter])[0]
            items = list(parsed[chapter].stale)
            store.store_stale(key, [{**vars(s), "path": str(s.path)} for s in items])
        else:
            items = [StaleTranslation(**{**s, "path": Path(s["path"])}) for s in cached]
        stale.extend(items)
    return tuple(stale)


def warn_stale(result: BuildResult) -> None:
    for item in result.warnings:
        print(f"warning: {item}", file=sys.stderr)
    for item in result.stale:
        print(f"warning: {item}", file=sys.stderr)


class _CallableModule(types.ModuleType):
    """``docbuild.build(...)`` as the README shows it: importing this module rebinds the package's
    ``build`` (a lazy wrapper of :func:`build`) to the module, so the module calls :func:`build` too."""

    def __call__(self, *args, **kwargs) -> BuildResult:
        return build(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
