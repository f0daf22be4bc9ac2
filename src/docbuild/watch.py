"""``docbuild watch``: rebuild on every save, in worker processes that stay warm.

A build from a fresh process spends about a second importing WeasyPrint and
loading Pango, the fonts and the hyphenation dictionaries before it lays out
a page. ``watch`` pays that once: it keeps a pool of worker processes
(:class:`WarmPool`, forked at the start, each of which imports the writers
and lays out a small edition in every language being watched before its
first real task) for the whole session, and hands each rebuild to them
through :func:`docbuild.build.build` (``pool=``). The build cache decides
what is rendered: only the editions whose inputs changed.

Each save starts a *round* of small builds, most wanted first:

1. the edition the user is looking at: the preview's chapter and language
   (:class:`Focus`), or the first ``--chapter``/``--lang``/``--format``
   given, or else the language variant that was just saved: that PDF is on
   disk as soon as it is laid out, without waiting for the other editions;
2. the other formats the preview shows for it (the EPUB);
3. every other out-of-date edition, one build per chapter (the chapter that
   changed first), in parallel in the pool.

A new save during a round ends the round after its current build; the next
round picks up what is still out of date. A source error is printed as
``file:line: message``; that chapter's editions stay as they were (the last
good ones), the other chapters are still built, and watching goes on: no
save makes ``watch`` exit. Ctrl-C (or SIGTERM) ends it.

Files are watched with `watchfiles <https://github.com/samuelcolvin/watchfiles>`_
(the Rust ``notify`` crate: inotify on Linux, FSEvents on macOS), which
groups the several events of one save (an editor's write, rename and chmod)
into one change set. ``source/``, ``layouts/`` and ``fonts/`` are watched;
``docbuild.toml`` is read when ``watch`` starts.

From Python, :func:`watch` runs the loop until ``stop_event`` is set and
calls ``on_build`` with a :class:`BuildEvent` after each build that wrote
editions or failed, and at the end of each round.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, IO

from .config import Config, load_config
from .errors import DocbuildError
from .project import NOTES, Project

#: How long (ms) watchfiles waits for more events of the same save before reporting it.
STEP_MS = 50
#: When a worker has grown by more than this (MiB) over its size after its first rounds, the workers are
#: replaced between two rounds (new ones, warmed up as at the start).
RECYCLE_MIB = 32
#: Rounds a pool serves before its size is taken as the baseline (every worker has laid out a full edition).
BASELINE_ROUNDS = 3


@dataclass(frozen=True)
class BuildEvent:
    """What one build of a round did (``final``: the round is over, and this sums it up)."""

    round: int
    #: The files whose change started the round (empty for the build at start).
    changed: tuple[Path, ...]
    #: Editions written by this build (the whole round's, when ``final``).
    rendered: tuple[Path, ...]
    #: ``file:line: message`` for each problem that stops an edition from being built (the whole selection's).
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    #: Seconds since the round started.
    seconds: float
    final: bool
    #: The round ended early because another save came in (its remaining editions go to the next round).
    interrupted: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Focus:
    """The edition the user is looking at; the preview changes it as the page changes."""

    chapter: str | None = None
    lang: str | None = None
    #: Built in this order before everything else (the preview: pdf, epub).
    formats: tuple[str, ...] = ()


class WarmPool(Executor):
    """Worker processes kept for a whole session, warmed up before their first task.

    A ``fork`` :class:`~concurrent.futures.ProcessPoolExecutor` (its workers
    are started all at once, here, before ``watch`` starts any thread), whose
    initializer asks to die with the parent (as :func:`docbuild.build._in_workers`
    does), imports the writers and renders ``warm`` (small editions, one per
    language) once, discarding the result: the imports, fonts, hyphenation
    dictionaries and templates are then loaded for good.

    Some of docbuild's caches are keyed by file path (prepared images, font
    subsets); after such a file changes, :meth:`refresh` makes every worker
    empty docbuild's caches before its next task.

    Each WeasyPrint ``FontConfiguration`` loads every system font into a new
    Fontconfig configuration that Pango never frees: a long-lived worker
    grows by about 0.4 MiB per PDF laid out. Where a writer leaves the
    configuration to WeasyPrint, a worker shares one for all its documents
    (:func:`_share_font_configuration`; the output is byte-for-byte the
    same). Whatever still grows is bounded by replacing the workers: when
    one has grown by :data:`RECYCLE_MIB` over its size after its first
    rounds, :meth:`after_round` replaces them between two rounds.
    """

    def __init__(self, workers: int, warm: tuple = (), formats: tuple[str, ...] = ()):
        self.workers = max(1, workers)
        self.epoch = 0
        self._warm = (tuple(warm), tuple(formats))
        self._pool: ProcessPoolExecutor | None = None
        #: The largest worker's resident size after its first rounds (MiB), and how often workers were replaced.
        self.baseline: float | None = None
        self.recycled = 0
        self._rounds = 0
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
        pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=_warm_worker,
            initargs=(os.getpid(), *self._warm),
        )
        pool.submit(_nothing)  # a fork pool starts every worker at its first task: now
        return pool

    def _start(self) -> None:
        self._pool = self._new_pool()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        assert self._pool is not None, "the pool is shut down"
        return self._pool.submit(_call, self.epoch, fn, *args, **kwargs)

    def refresh(self) -> None:
        """Files that workers may cache by path changed: each worker empties docbuild's caches first."""
        self.epoch += 1

    def restart(self) -> None:
        """New workers, after one died (a broken pool takes no more tasks)."""
        self.shutdown()
        self._start()

    def pids(self) -> list[int]:
        processes = getattr(self._pool, "_processes", None) or {}
        return [process.pid for process in list(processes.values()) if process.pid]

    def resident_mib(self) -> list[float]:
        """Each worker's resident set size now (Linux; empty elsewhere)."""
        sizes = []
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def after_round(self) -> bool:
        """Between rounds: replace the workers if one has grown by more than RECYCLE_MIB; True if it did.

        The old workers end before the new ones start, so the session never
        holds two pools (its peak memory stays that of one); the new ones
        warm up while the user looks at what the save made.
        """
        self._rounds += 1
        if self._rounds < BASELINE_ROUNDS:
            return False
        sizes = self.resident_mib()
        if not sizes:
            return False
        if self.baseline is None:
            self.baseline = max(sizes)
            return False
        if max(sizes) <= self.baseline + RECYCLE_MIB:
            return False
        self.restart()
        self.recycled += 1
        self.baseline, self._rounds = None, 0
        return True

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = True) -> None:
        if self._pool is None:
            return
        pool, self._pool = self._pool, None
        self._end(pool, wait)

    @staticmethod
    def _end(pool: ProcessPoolExecutor, wait: bool = True) -> None:
        pids = [process.pid for process in list((getattr(pool, "_processes", None) or {}).values()) if process.pid]
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()  # a render in progress is not waited for
        pool.shutdown(wait=wait, cancel_futures=True)
        for pid in pids:  # the shared font configurations' folders (a terminated worker cannot remove its own)
            for folder in Path(tempfile.gettempdir()).glob(f"{_FONT_FOLDER}{pid}-*"):
                shutil.rmtree(folder, ignore_errors=True)


_worker_epoch = 0
#: The worker's one WeasyPrint FontConfiguration (made on first use, dropped when the watched files change).
_font_config = None
#: Its fonts folder: ``<temp>/docbuild-watch-fonts-<worker pid>-<random>``, removed by the parent after the worker ends.
_FONT_FOLDER = "docbuild-watch-fonts-"


def _nothing() -> None:
    return None


def _call(epoch: int, fn, *args, **kwargs):
    """Run ``fn`` in a worker, after emptying docbuild's caches if the watched files changed under them."""
    global _worker_epoch, _font_config
    if epoch != _worker_epoch:
        clear_caches()
        _font_config = None  # fonts may have changed on disk; its folder goes with it
        _worker_epoch = epoch
    return fn(*args, **kwargs)


def _share_font_configuration() -> None:
    """Make every WeasyPrint document of this worker use one FontConfiguration (see :class:`WarmPool`)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    original = weasyprint.HTML.render
    if getattr(original, "docbuild_shared", False):
        return

    def render(self, *args, **kwargs):
        global _font_config
        if args or kwargs.get("font_config") is not None:
            return original(self, *args, **kwargs)
        if _font_config is None:
            _font_config = FontConfiguration()
            _font_config._folder = Path(tempfile.mkdtemp(prefix=f"{_FONT_FOLDER}{os.getpid()}-"))
        return original(self, font_config=_font_config, **kwargs)

    render.docbuild_shared = True
    weasyprint.HTML.render = render


def clear_caches() -> None:
    """Empty every ``functools`` cache of docbuild's modules (in this process)."""
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "docbuild" or name.startswith("docbuild.")):
            continue
        for value in list(vars(module).values()):
            if getattr(value, "__module__", None) == name and callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _warm_worker(parent: int, warm: tuple, formats: tuple[str, ...]) -> None:
    from .build import FORMATS, _die_with_parent, _writer, render_edition

    _die_with_parent(parent)
    try:
        _share_font_configuration()
    except Exception:
        pass  # WeasyPrint missing or changed: each document makes its own, as in a build
    for fmt in formats:
        if fmt in FORMATS:
            try:
                _writer(fmt)
            except Exception:
                pass  # the real build reports it
    for edition in warm:
        try:
            render_edition(edition, [fmt for fmt in FORMATS if fmt in formats])
        except Exception:
            pass  # warming up is only an optimisation


def warm_editions(project: Project, chapter: str, langs: list[str], paper: str) -> tuple:
    """One small edition per language of ``chapter``: its title, lead photo and first plain paragraph."""
    from .edition import Edition
    from .labels import load_labels
    from .model import Link, NoteRef, Paragraph, block_runs, inline_nodes
    from .reader import read_project

    try:
        chapter_set = read_project(project, [chapter])[0]
    except DocbuildError:
        return ()
    editions = []
    for variant in chapter_set.variants:
        if langs and variant.lang not in langs:
            continue

        def plain(block) -> bool:
            return isinstance(block, Paragraph) and not any(
                isinstance(node, NoteRef) or (isinstance(node, Link) and node.internal)
                for run in block_runs(block) for node in inline_nodes(run)
            )

        blocks = tuple(block for block in variant.blocks if plain(block))[:1]
        try:
            editions.append(Edition(replace(variant, blocks=blocks, notes=()), load_labels(project, variant.lang), project, paper))
        except DocbuildError:
            continue
    return tuple(editions)


class Watcher:
    """The watch loop over one project; :func:`watch` runs one, ``docbuild preview`` shares one with its server."""

    def __init__(
        self,
        project: Project | Path | str = ".",
        out: Path | str | None = None,
        formats: list[str] | None = None,
        langs: list[str] | None = None,
        chapters: list[str] | None = None,
        paper: str | None = None,
        jobs: int | None = None,
        *,
        focus: Focus | None = None,
        on_build: Callable[[BuildEvent], None] | None = None,
        quiet: bool = False,
        stream: IO[str] | None = None,
        config: Config | None = None,
    ):
        from .build import FORMATS

        self.project = project if isinstance(project, Project) else Project.at(project)
        self.config = config if config is not None else load_config(self.project.root)
        self.formats = list(dict.fromkeys(formats or self.config.formats or FORMATS))
        unknown = [fmt for fmt in self.formats if fmt not in FORMATS]
        if unknown:
            raise DocbuildError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
        self.langs = list(dict.fromkeys(langs or self.config.languages)) or None
        self.chapters = list(dict.fromkeys(chapters)) if chapters else None
        if self.chapters:
            self.project.chapter_ids(self.chapters)  # an unknown chapter is an error now, not in every round
        self.paper = paper or self.config.paper or "a4"
        self.out = Path(out) if out is not None else (self.config.out or self.project.root / "dist")
        self.jobs = jobs or self.config.jobs or os.cpu_count() or 1
        # Without --format, the edition looked at is the print edition (then the first format selected).
        first = self.formats[0] if formats or "pdf" not in self.formats else "pdf"
        self.focus = focus or Focus(self.chapters[0] if self.chapters else None, langs[0] if langs else None, (first,))
        self.on_build = on_build
        self.quiet = quiet
        self.stream = stream or sys.stderr
        #: Problems by chapter ("" for those of no one chapter), as ``file:line: message`` lines.
        self.errors: dict[str, tuple[str, ...]] = {}
        self.warnings: dict[str, tuple[str, ...]] = {}
        #: Rises each time an edition is written; ``busy`` while a round runs.
        self.version = 0
        self.busy = False
        self.rounds = 0
        self.pool: WarmPool | None = None
        self._changes: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._printed_errors: tuple[str, ...] = ()
        self._printed_warnings: tuple[str, ...] = ()
        self._reporter = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> None:
        """Start the warm workers (before any other thread of the session exists, as they are forked)."""
        if self.pool is not None:
            return
        chapters = self._chapters()
        first = self.focus.chapter if self.focus.chapter in chapters else (chapters[0] if chapters else None)
        warm = warm_editions(self.project, first, self.langs or [], self.paper) if first else ()
        self.pool = WarmPool(self.jobs, warm, tuple(self.formats))

    def run(self, stop_event: threading.Event | None = None) -> None:
        """Build, then rebuild on every change until ``stop_event`` is set (or Ctrl-C)."""
        stop = stop_event or threading.Event()
        self.start()
        watcher = threading.Thread(target=self._watch_files, name="docbuild-watch-files", daemon=True)
        watcher.start()
        previous = None
        if threading.current_thread() is threading.main_thread():
            from .build import _interrupt

            previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            self._say(
                f"docbuild watch: editions in {_shown(self.out)}; watching {', '.join(_shown(p) for p in self._watched())}"
                " (Ctrl-C to stop)", always=False,
            )
            pending: set[Path] = set()
            interrupted = self._round(pending)
            while not stop.is_set():
                try:
                    item = self._changes.get(timeout=0.1)
                except queue.Empty:
                    if interrupted:  # finish what the interrupted round left
                        interrupted = self._round(pending)
                    continue
                if isinstance(item, BaseException):
                    raise DocbuildError(f"cannot watch the project's files: {item}")
                pending |= item
                while True:
                    try:
                        more = self._changes.get_nowait()
                    except queue.Empty:
                        break
                    if isinstance(more, BaseException):
                        raise DocbuildError(f"cannot watch the project's files: {more}")
                    pending |= more
                if stop.is_set():
                    break
                interrupted = self._round(pending, stop)
                if not interrupted:
                    pending = set()
        finally:
            self._stop.set()
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            self.close()
            watcher.join(timeout=5)

    def close(self) -> None:
        self._stop.set()
        if self.pool is not None:
            self.pool.shutdown()
            self.pool = None

    # -- files -------------------------------------------------------------

    def _watched(self) -> list[Path]:
        return [p for p in (self.project.source, self.project.layouts, self.project.fonts) if p.is_dir()]

    def _watch_files(self) -> None:
        import watchfiles

        try:
            for changes in watchfiles.watch(
                *self._watched(), stop_event=self._stop, step=STEP_MS, raise_interrupt=False,
                watch_filter=watchfiles.DefaultFilter(),
            ):
                self._changes.put({Path(path) for _, path in changes})
        except BaseException as error:  # reported by the loop, which stops
            if not self._stop.is_set():
                self._changes.put(error)

    # -- a round -----------------------------------------------------------

    def _chapters(self) -> list[str]:
        return self.config.chapter_order(self.project.chapter_ids(self.chapters))

    def _langs_of(self, chapter: str) -> list[str]:
        found = [p.stem for p in self.project.variant_files(chapter)]
        return self.config.language_order(lang for lang in found if not self.langs or lang in self.langs)

    def _stages(self, changed: set[Path]) -> list[tuple[str, list[str], list[str]]]:
        """The builds of a round, most wanted first: (chapter, languages, formats).

        The last one of each chapter is all of it: every selected language it has, every selected format.
        """
        chapters = self._chapters()
        changed_chapters, changed_variants = [], []
        for path in sorted(changed):
            try:
                parts = path.relative_to(self.project.source).parts
            except ValueError:
                continue
            if parts and parts[0] in chapters and parts[0] not in changed_chapters:
                changed_chapters.append(parts[0])
            if len(parts) == 2 and path.suffix == ".md" and path.name not in NOTES:
                changed_variants.append((parts[0], path.stem))
        focus_chapter = self.focus.chapter if self.focus.chapter in chapters else None
        focus_chapter = focus_chapter or next(iter(changed_chapters), None) or next(iter(chapters), None)
        focus_formats = [fmt for fmt in self.focus.formats if fmt in self.formats] or self.formats[:1]
        stages: list[tuple[str, list[str], list[str]]] = []
        if focus_chapter is not None:
            langs = self._langs_of(focus_chapter)
            saved = [lang for chapter, lang in changed_variants if chapter == focus_chapter]
            lang = self.focus.lang if self.focus.lang in langs else next((lang for lang in saved if lang in langs), None)
            lang = lang or next(iter(langs), None)
            if lang is not None:
                stages += [(focus_chapter, [lang], [fmt]) for fmt in focus_formats]
        for chapter, lang in changed_variants:
            if lang in self._langs_of(chapter):
                stages.append((chapter, [lang], focus_formats[:1]))
        first = [c for c in [focus_chapter, *changed_chapters] if c is not None]
        for chapter in dict.fromkeys([*first, *chapters]):
            langs = self._langs_of(chapter)
            if langs:
                stages.append((chapter, langs, self.formats))
        unique = []
        for stage in stages:
            if stage not in unique:
                unique.append(stage)
        return unique

    def _round(self, changed: set[Path], stop: threading.Event | None = None) -> bool:
        """Build everything out of date, most wanted first; True if a new change cut the round short."""
        from .build import build
        from .progress import Progress, Silent

        self.rounds += 1
        number = self.rounds - 1
        started = time.monotonic()
        self.busy = True
        if any(path.suffix != ".md" for path in changed):
            self.pool.refresh()  # an image, font or layout changed: no worker may serve it from a cache
        rendered: list[Path] = []
        interrupted = False
        reporter = Progress("Rebuilding" if number else "Building", stream=self.stream) if not self.quiet else Silent(self.stream)
        self._reporter = reporter
        try:
            with reporter:
                try:
                    stages = self._stages(changed)
                    self.errors.pop("", None)
                except DocbuildError as error:
                    stages = []
                    self.errors[""] = _lines(error)
                failed: set[str] = set()
                for chapter, langs, formats in stages:
                    if chapter in failed:
                        continue
                    try:
                        result = build(
                            self.project, self.out, formats, langs, [chapter], self.paper,
                            jobs=self.jobs, pool=self.pool, progress=reporter,
                        )
                    except DocbuildError as error:
                        failed.add(chapter)
                        self.errors[chapter] = _lines(error)
                        self._event(number, changed, (), started, final=False)
                        continue
                    except BrokenProcessPool:
                        failed.add(chapter)
                        self.errors[chapter] = ("docbuild: a worker process died while building; it is restarted",)
                        self.pool.restart()
                        continue
                    except Exception as error:  # a bug in a writer must not end the session
                        failed.add(chapter)
                        self.errors[chapter] = (f"docbuild: internal error while building {chapter}: "
                                                f"{type(error).__name__}: {error}",)
                        traceback.print_exc(file=self.stream)
                        continue
                    self.errors.pop(chapter, None)
                    if formats == self.formats:  # the whole chapter: its warnings are current
                        self.warnings[chapter] = tuple(f"warning: {item}" for item in (*result.warnings, *result.stale))
                    if result.rendered:
                        self.version += 1
                        rendered.extend(result.rendered)
                        for path in result.rendered:
                            self._say(f"{_shown(path)} (built)", out=True)
                        self._event(number, changed, result.rendered, started, final=False)
                    if not self._changes.empty() or (stop is not None and stop.is_set()):
                        interrupted = True
                        break
        finally:
            self.busy = False
            self._reporter = None
        self._report(number, changed, started, rendered, interrupted)
        if not interrupted and self.pool is not None:
            self.pool.after_round()
        return interrupted

    def _report(self, number: int, changed: set[Path], started: float, rendered: list[Path], interrupted: bool) -> None:
        errors = self.all_errors()
        warnings = tuple(dict.fromkeys(line for lines in self.warnings.values() for line in lines))
        touched = {p for p in changed if p.suffix == ".md"}
        if errors and (errors != self._printed_errors or any(line.startswith(_shown(p) + ":") for p in touched for line in errors)):
            for line in errors:
                self._say(line, always=True)
        self._printed_errors = errors
        if warnings != self._printed_warnings:
            for line in warnings:
                if line not in self._printed_warnings:
                    self._say(line, always=True)
        self._printed_warnings = warnings
        seconds = time.monotonic() - started
        if interrupted:
            state = "another change came in; building it"
        elif errors:
            state = f"{len(errors)} problem{'s' if len(errors) > 1 else ''}; the last good editions are kept"
        else:
            state = "every edition up to date"
        what = f"{len(rendered)} edition{'s' if len(rendered) != 1 else ''} built" if rendered else "nothing to build"
        self._say(f"docbuild watch: {what} in {seconds:.2f} s; {state}; watching", always=False)
        self._event(number, changed, tuple(rendered), started, final=True, interrupted=interrupted)

    def all_errors(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(line for lines in list(self.errors.values()) for line in lines))

    def _event(self, number: int, changed: set[Path], rendered: tuple[Path, ...], started: float,
               final: bool, interrupted: bool = False) -> None:
        if self.on_build is None:
            return
        event = BuildEvent(
            number, tuple(sorted(changed)), tuple(rendered), self.all_errors(),
            tuple(dict.fromkeys(line for lines in self.warnings.values() for line in lines)),
            time.monotonic() - started, final, interrupted,
        )
        try:
            self.on_build(event)
        except Exception:
            traceback.print_exc(file=self.stream)

    def _say(self, text: str, always: bool = False, out: bool = False) -> None:
        """A line for the user: errors and warnings always; the rest unless quiet."""
        if self.quiet and not always:
            return
        if self._reporter is not None and self._reporter.enabled:
            self._reporter.print(text)
        else:
            print(text, file=sys.stdout if out else self.stream, flush=True)


def _lines(error: DocbuildError) -> tuple[str, ...]:
    return tuple(f"{_shown(e.path)}:{e.line}: {e.message}" if e.path and e.line else
                 (f"{_shown(e.path)}: {e.message}" if e.path else f"docbuild: error: {e.message}") for e in error.errors)


def _shown(path: Path | None) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    if path is None:
        return ""
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def watch(
    project: Project | Path | str = ".",
    out: Path | str | None = None,
    formats: list[str] | None = None,
    langs: list[str] | None = None,
    chapters: list[str] | None = None,
    paper: str | None = None,
    jobs: int | None = None,
    *,
    focus: Focus | None = None,
    stop_event: threading.Event | None = None,
    on_build: Callable[[BuildEvent], None] | None = None,
    quiet: bool = False,
    stream: IO[str] | None = None,
) -> None:
    """Build the selection, then rebuild what each change makes out of date, until ``stop_event`` is set.

    Arguments left out come from ``docbuild.toml``, then the defaults (every
    format, language and chapter, A4, ``dist/``, one worker per core).
    ``on_build`` gets a :class:`BuildEvent` after each build of a round that
    wrote editions or failed, and one with ``final=True`` when the round ends.
    """
    Watcher(
        project, out, formats, langs, chapters, paper, jobs,
        focus=focus, on_build=on_build, quiet=quiet, stream=stream,
    ).run(stop_event)
