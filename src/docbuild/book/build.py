"""Building the book editions: read the chapters once, render each book's formats in a worker.

:func:`render_books` takes the book jobs that are not cached (planned by
:mod:`.plan`), reads the book for each language (the chapters already read
for the chapter editions are reused), and renders each language's formats
as one task, the PDF first so that its pages feed the EPUB's page-list
(``Book.print_pages``), as a chapter's A4 PDF feeds its EPUB. The tasks run
in the caller's executor (``docbuild watch``'s workers, a Dask cluster) or
in worker processes of their own; writers are imported in the workers only.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import sys
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import replace
from typing import Callable

from ..cache import Cache
from ..plan import Job
from ..project import Project
from . import Book, load_book
from .definition import load_definition
from .plan import BOOK_FORMATS, plan_books, writer_present

#: Build order within a book: the PDF first (its layout gives the EPUB's page-list).
ORDER = ("pdf", "epub", "docx", "txt")


def _writer(fmt: str) -> Callable:
    module, function = BOOK_FORMATS[fmt]
    return getattr(importlib.import_module(module), function)


def encode_pages(pages: dict) -> dict[str, int]:
    """(chapter id, block id) -> page as JSON-able keys "chapter#block" (for the cache record)."""
    return {f"{chapter}#{block}": int(page) for (chapter, block), page in pages.items()}


def decode_pages(pages: dict) -> dict[tuple[str, str], int]:
    found = {}
    for key, page in pages.items():
        chapter, _, block = str(key).partition("#")
        found[(chapter, block)] = int(page)
    return found


def pdf_pages(result) -> tuple[dict, int]:
    """The chapter/block pages and page count of a rendered book PDF (writers/pdf/book.py's result)."""
    pages = getattr(result, "pages", None) or getattr(result, "print_pages", None) or {}
    count = getattr(result, "page_count", 0) or 0
    return dict(pages), int(count)


def plan_for_build(
    project: Project, formats: list[str], langs: list[str] | None, paper: str, book: bool | None | str
) -> tuple[list[Job], list[str]]:
    """The book jobs a build asks for: ``book`` True or "only" (an error without a definition), None (if there is one)."""
    from ..errors import DocbuildError
    from .definition import book_path

    if book is False:
        return [], []
    definition = load_definition(project)
    if definition is None:
        if book is None:
            return [], []
        raise DocbuildError("no book is defined: write source/report.toml (see source/README.md)", book_path(project))
    return plan_books(project, formats, langs, paper, definition)


def render_book(book: Book, formats: list[str], epoch: str | None = None) -> list[tuple[bytes, dict]]:
    """Render the formats of one book, in order; returns (bytes, cache extras) per format (in a worker).

    ``epoch`` is the builder's ``SOURCE_DATE_EPOCH``, for a worker on another machine (a Dask cluster).
    """
    if epoch is not None:
        if epoch:
            os.environ["SOURCE_DATE_EPOCH"] = epoch
        else:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
    results = []
    for fmt in formats:
        if fmt == "epub" and not book.print_page_count and book.paper == "a4" and "pdf" not in formats:
            book = _with_print_pages(book)
        result = _writer(fmt)(book)
        extra: dict = {}
        if fmt == "pdf" and book.paper == "a4":
            pages, count = pdf_pages(result)
            if pages:
                book = replace(book, print_pages=pages, print_page_count=count)
                extra = {"pages": encode_pages(pages), "page_count": count}
        results.append((result if isinstance(result, bytes) else result.data, extra))
    return results


def _with_print_pages(book: Book) -> Book:
    """Lay out the A4 book PDF (when none was built or cached) for the EPUB's page-list, if there is a PDF writer."""
    if not writer_present(BOOK_FORMATS["pdf"][0]):
        return book
    pages, count = pdf_pages(_writer("pdf")(replace(book, paper="a4")))
    return replace(book, print_pages=pages, print_page_count=count) if pages else book


def _cached_print_pages(book: Book, store: Cache) -> Book:
    jobs, _ = plan_books(book.project, ["pdf"], [book.lang], "a4")
    if not jobs:
        return book
    record = store.record(jobs[0])
    if record is None or not isinstance(record.get("pages"), dict):
        return book
    try:
        return replace(book, print_pages=decode_pages(record["pages"]), print_page_count=int(record["page_count"]))
    except (TypeError, ValueError, KeyError):
        return book


def render_books(
    project: Project, todo: list[Job], chapter_sets: dict, store: Cache, jobs: int | None,
    pool: Executor | None = None,
) -> dict[Job, bytes]:
    """Render the book jobs; store each in the cache; return the bytes of each."""
    if not todo:
        return {}
    # One task per language and lane: the PDF with the EPUB (its layout feeds the page-list), the DOCX
    # with the text, so another worker takes the light formats meanwhile (as for a chapter).
    groups: dict[tuple[str, str, str], list[Job]] = {}
    for job in sorted(todo, key=lambda job: (job.fmt not in ("pdf", "epub"), ORDER.index(job.fmt))):
        groups.setdefault((job.lang, job.paper, "print" if job.fmt in ("pdf", "epub") else "other"), []).append(job)
    tasks = []
    books: dict[tuple[str, str], Book] = {}
    for (lang, paper, _), group in groups.items():
        if (lang, paper) not in books:
            books[(lang, paper)] = load_book(project, lang, paper, chapter_sets)
        book = books[(lang, paper)]
        if any(job.fmt == "epub" for job in group) and not any(job.fmt == "pdf" and job.paper == "a4" for job in group):
            book = _cached_print_pages(book, store)
        tasks.append((book, [job.fmt for job in group]))
    workers = min(jobs or os.cpu_count() or 1, len(tasks))
    if pool is not None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        futures = [pool.submit(render_book, *task, epoch) for task in tasks]
        results = [future.result() for future in futures]
    elif workers <= 1:
        results = [render_book(*task) for task in tasks]
    else:
        from ..build import _die_with_parent

        context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)) as own:
            futures = [own.submit(render_book, *task) for task in tasks]
            results = [future.result() for future in futures]
    outputs = {}
    for group, rendered in zip(groups.values(), results):
        for job, (data, extra) in zip(group, rendered):
            outputs[job] = data
            try:
                store.store(job, data, extra)
            except OSError:
                pass  # a cache that cannot be written only costs a rebuild next time
    return outputs
