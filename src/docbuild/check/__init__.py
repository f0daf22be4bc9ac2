"""``docbuild check``: is each edition accessible and complete?

Every check reads the produced file with a reader that does not share code
with the writer (pikepdf and poppler for PDF, zipfile and lxml for EPUB and
DOCX, plain bytes for text; EPUBCheck and Ace when installed), and compares
what it finds with what the *source* says, read again through the reader.
The model is only ever the expectation, never evidence of what a file holds:
a writer bug must not be able to hide behind the same bug in its check.

Each result carries a rule id a reviewer can look up (Matterhorn Protocol for
PDF, EPUBCheck/Ace for EPUB, WCAG 2.2 success criteria for DOCX and text,
``docbuild:*`` for the checks of our own). Where one success criterion covers
several things (WCAG 1.3.1: headings, lists, tables, notes), the id names
the thing after it (``1.3.1-lists``), so a failure says which. A validator
that is not installed gives "not run", never "pass".

What the source expects (headings and their levels, lists, tables, figures,
notes, links) is read from the document model in :mod:`.expect`; the text
of every block in reading order in :mod:`.completeness`.
"""

from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Literal

from ..errors import DocbuildError
from ..labels import Labels, load_labels
from ..model import Chapter, ChapterSet
from ..project import Project

Status = Literal["pass", "fail", "not run", "warn"]
FORMATS = ("txt", "pdf", "epub", "docx", "brf", "large-pdf", "large-docx")
#: Format -> module of this package that checks it.
CHECKERS = {
    "txt": "text", "pdf": "pdf", "epub": "epub", "docx": "docx", "brf": "braille",
    "large-pdf": "largeprint", "large-docx": "largeprint",
}

_EDITION_NAME = re.compile(
    r"^(?P<chapter>[a-z][a-z0-9-]*)-(?P<lang>[a-z]{2}(?:-[A-Za-z]{2,4})?)(?:-(?P<large>large))?(?:-(?P<paper>letter))?\.(?P<fmt>txt|pdf|epub|docx|brf)$"
)


@dataclass(frozen=True)
class CheckResult:
    """One rule applied to one edition, with the one line a reviewer reads."""

    rule: str
    title: str
    status: Status
    reason: str


@dataclass(frozen=True)
class Expected:
    """What the source says an edition must hold, read through the reader (never from the file)."""

    chapter: Chapter
    chapter_set: ChapterSet
    labels: Labels
    project: Project
    paper: str
    #: A large-print edition (its page geometry is paper.toml's [large]).
    large_print: bool = False


@dataclass(frozen=True)
class EditionReport:
    path: Path
    fmt: str
    chapter: str
    lang: str
    paper: str
    results: tuple[CheckResult, ...]
    #: What a machine cannot judge and a person must still review.
    human_review: tuple[str, ...]

    def failures(self, require_validators: bool = False) -> list[CheckResult]:
        bad: tuple[str, ...] = ("fail", "not run") if require_validators else ("fail",)
        return [r for r in self.results if r.status in bad]


@dataclass(frozen=True)
class CheckReport:
    editions: tuple[EditionReport, ...]
    require_validators: bool = False
    strict: bool = False
    #: Editions rendered before checking because they were missing or out of date.
    rebuilt: tuple[Path, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return not any(e.failures(self.require_validators) for e in self.editions)


# ---------------------------------------------------------------------------
# Helpers shared by the format modules


def verdict(rule: str, title: str, problems: list[str], ok: str) -> CheckResult:
    """Pass with ``ok``, or fail naming the first problem (and how many more)."""
    if not problems:
        return CheckResult(rule, title, "pass", ok)
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return CheckResult(rule, title, "fail", problems[0] + more)


def rule(rule_id: str, title: str):
    """Make a check of ``(problems, ok)`` into one that returns its :class:`CheckResult`.

    A file so unlike the specification that the check itself trips over it
    (a missing part, an attribute of the wrong type) fails the rule with the
    error, and the other rules still run.
    """

    def wrap(function):
        @functools.wraps(function)
        def run(*args, **kwargs) -> CheckResult:
            try:
                problems, ok = function(*args, **kwargs)
            except Exception as error:  # the file, not the checker, is what is wrong
                return CheckResult(rule_id, title, "fail", f"cannot check: {type(error).__name__}: {error}")
            return verdict(rule_id, title, problems, ok)

        run.rule = rule_id
        return run

    return wrap


def not_run(rule: str, title: str, why: str) -> CheckResult:
    return CheckResult(rule, title, "not run", why)


def crashed(rule: str, title: str, error: Exception) -> CheckResult:
    """A file a reader cannot even open fails the check that needed it."""
    return CheckResult(rule, title, "fail", f"cannot read the file: {error}")


# ---------------------------------------------------------------------------
# Which editions


@dataclass(frozen=True)
class EditionName:
    chapter: str
    lang: str
    paper: str
    fmt: str


def parse_edition_name(path: Path, chapters: Iterable[str]) -> EditionName:
    """``kazakhstan-ru-letter.pdf`` -> (kazakhstan, ru, letter, pdf), checked against the project's chapters.

    The name is the only link from a file to its source variant, so a file
    whose name does not say which chapter and language it is cannot be checked.
    """
    match = _EDITION_NAME.match(path.name)
    known = set(chapters)
    if match and match["chapter"] in known:
        fmt = f"large-{match['fmt']}" if match["large"] else match["fmt"]
        if fmt not in FORMATS:
            raise DocbuildError(f"there is no large-print {match['fmt']} edition", path)
        return EditionName(match["chapter"], match["lang"], match["paper"] or "a4", fmt)
    raise DocbuildError(
        "not an edition name: expected <chapter>-<lang>[-large][-letter].<txt|pdf|epub|docx|brf> "
        f"for a chapter in source/ ({', '.join(sorted(known))})",
        path,
    )


def _ensure_built(
    project: Project, out: Path, chapter_sets: list[ChapterSet], langs: list[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[list[Path], list[tuple[Path, Exception]]]:
    """Bring every edition in ``out`` up to date with its sources (the build cache skips current ones).

    Returns the files rendered and the builds that failed: one format whose
    writer fails must show up as a failed check, not stop the others.
    """
    from ..build import build
    from ..edition import edition_file_name

    rebuilt: list[Path] = []
    failed: list[tuple[Path, Exception]] = []
    variants = [(cs, c) for cs in chapter_sets for c in cs.variants if not langs or c.lang in langs]
    for index, (chapter_set, chapter) in enumerate(variants):
        if progress is not None:
            progress(index, len(variants), f"building {chapter_set.id}-{chapter.lang}")
        for fmt in FORMATS:
            try:
                rebuilt.extend(build(project, out, [fmt], [chapter.lang], [chapter_set.id]).rendered)
            except Exception as error:  # a broken writer is reported per edition
                failed.append((out / edition_file_name(chapter_set.id, chapter.lang, fmt), error))
    return rebuilt, failed


def _editions_in(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_file() and p.suffix.lstrip(".") in FORMATS and p.name != "report.html")


# ---------------------------------------------------------------------------
# Checking


def check_edition(
    path: Path, expected: Expected, fmt: str, strict: bool = False, run_validators: bool = True
) -> EditionReport:
    """Every check of one edition file; ``run_validators=False`` reports EPUBCheck and Ace as "not run"."""
    from . import completeness

    # Imported per format, so checking plain text never loads pikepdf.
    checker = importlib.import_module(f"docbuild.check.{CHECKERS[fmt]}").check
    results = list(checker(path, expected, run_validators))
    from . import readers

    results.extend(readers.FOR_FORMAT.get(fmt, lambda path, expected: [])(path, expected))
    results.extend(completeness.variant_checks(expected, strict))
    return EditionReport(
        path=path,
        fmt=fmt,
        chapter=expected.chapter.id,
        lang=expected.chapter.lang,
        paper=expected.paper,
        results=tuple(results),
        human_review=human_review(fmt, expected.chapter),
    )


def check_editions(
    project: Project | Path | str = ".",
    files: list[Path | str] | None = None,
    out: Path | str | None = None,
    require_validators: bool = False,
    strict: bool = False,
    run_validators: bool = True,
    chapters: list[str] | None = None,
    langs: list[str] | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> CheckReport:
    """Check the named edition files, or every edition in ``out`` (default ``dist/``).

    Without files, editions that are missing or older than their sources are
    built first, so the report is about what the sources make today.
    ``chapters`` and ``langs`` select (from ``out`` or from ``files``); a
    chapter whose source has errors fails as such, and the others are
    still built and checked. ``progress(done, total, current)`` is told
    what is being built and checked (docbuild.progress).
    """
    from ..reader import read_project

    if not isinstance(project, Project):
        project = Project.at(project)
    out_dir = Path(out) if out is not None else project.root / "dist"
    # The book's editions (source/report.toml) are checked by .book; without a chapter selection, every one.
    from .book import check_books, split_files, without_book_files

    book_files: list[Path] | None = None
    if files:
        book_files, files = split_files(project, files)
        if not files:
            return CheckReport(tuple(check_books(project, out_dir, book_files, langs, run_validators)), require_validators, strict)
    every_chapter = project.chapter_ids()
    selected = project.chapter_ids(chapters)
    if files:
        paths = [Path(f) for f in files]
        for path in paths:
            if not path.is_file():
                raise DocbuildError("no such edition file", path)
        named = {parse_edition_name(path, every_chapter).chapter for path in paths}
        selected = [chapter_id for chapter_id in selected if chapter_id in named]
    chapter_sets: dict[str, ChapterSet] = {}
    unreadable: dict[str, DocbuildError] = {}
    for chapter_id in selected:
        try:
            chapter_sets[chapter_id] = read_project(project, [chapter_id])[0]
        except DocbuildError as error:  # reported as this chapter's failure; the others are checked
            unreadable[chapter_id] = error
    rebuilt: list[Path] = []
    broken: list[tuple[Path, Exception]] = []
    if not files:
        rebuilt, broken = _ensure_built(project, out_dir, list(chapter_sets.values()), langs, progress)
        paths = without_book_files(project, _editions_in(out_dir)) if out_dir.is_dir() else []
    unreadable_files = [p for p in paths if _selected(parse_edition_name(p, every_chapter), unreadable, langs)]
    paths = [p for p in paths if _selected(parse_edition_name(p, every_chapter), chapter_sets, langs)]
    reports: list[EditionReport] = []
    broken_paths = {p for p, _ in broken}
    for index, path in enumerate(paths):
        if progress is not None:
            progress(index, len(paths), f"checking {path.name}")
        name = parse_edition_name(path, chapter_sets)
        chapter_set = chapter_sets[name.chapter]
        try:
            chapter = chapter_set.variant(name.lang)
        except KeyError:
            raise DocbuildError(f"chapter '{name.chapter}' has no '{name.lang}' variant in source/", path) from None
        expected = Expected(
            chapter, chapter_set, load_labels(project, name.lang), project, name.paper, name.fmt.startswith("large-")
        )
        report = check_edition(path, expected, name.fmt, strict, run_validators)
        if path in broken_paths:
            error = next(e for p, e in broken if p == path)
            report = _with_build_failure(report, error)
        reports.append(report)
    for path, error in broken:
        if path not in set(paths):
            name = parse_edition_name(path, chapter_sets)
            reports.append(
                EditionReport(
                    path, name.fmt, name.chapter, name.lang, name.paper,
                    (CheckResult("docbuild:build", "edition builds", "fail", f"{type(error).__name__}: {error}"),),
                    human_review(name.fmt),
                )
            )
    for chapter_id, error in unreadable.items():
        wanted = [p for p in unreadable_files if parse_edition_name(p, every_chapter).chapter == chapter_id]
        reports.extend(_source_failures(project, out_dir, chapter_id, error, langs, wanted if files else None))
    if book_files or (not files and not chapters):
        reports.extend(check_books(project, out_dir, book_files or None, langs, run_validators))
    return CheckReport(tuple(reports), require_validators, strict, tuple(rebuilt))


def _selected(name: EditionName, chapters: dict, langs: list[str] | None) -> bool:
    """An edition of one of ``chapters``, in a selected language."""
    return name.chapter in chapters and (not langs or name.lang in langs)


def _source_failures(
    project: Project, out: Path, chapter_id: str, error: DocbuildError, langs: list[str] | None,
    files: list[Path] | None = None,
) -> list[EditionReport]:
    """A failed report for each edition (``files``, or every one it would have) of a chapter whose source has errors.

    The files are not checked: they were made from an earlier source.
    """
    from ..edition import edition_file_name

    problems = error.errors
    more = f" (and {len(problems) - 1} more: docbuild build --chapter {chapter_id} lists them)" if len(problems) > 1 else ""
    result = CheckResult(
        "docbuild:source", "source reads without errors", "fail", f"{problems[0].location()}{problems[0].message}{more}"
    )
    if files is not None:
        names = [(path, parse_edition_name(path, [chapter_id])) for path in files]
    else:
        names = [
            (out / edition_file_name(chapter_id, variant.stem, fmt), EditionName(chapter_id, variant.stem, "a4", fmt))
            for variant in project.variant_files(chapter_id) if not langs or variant.stem in langs for fmt in FORMATS
        ]
    return [EditionReport(path, n.fmt, n.chapter, n.lang, n.paper, (result,), human_review(n.fmt)) for path, n in names]


def _with_build_failure(report: EditionReport, error: Exception) -> EditionReport:
    """A stale edition that could not be rebuilt: its checks describe an old file."""
    result = CheckResult("docbuild:build", "edition builds", "fail", f"rebuild failed, checked the old file: {error}")
    return EditionReport(report.path, report.fmt, report.chapter, report.lang, report.paper,
                         (result, *report.results), report.human_review)


#: What a person must still judge, by format: the machine checks are the floor.
_COMMON_REVIEW = (
    "Alt text quality: does each figure's alt text say what is seen, for someone who cannot see it (not the caption, not the credit)?",
    "Translation quality: does the text say what the original says, with names and terms as in the glossary?",
)
HUMAN_REVIEW: dict[str, tuple[str, ...]] = {
    "large-pdf": (
        "Look at two pages printed on paper, or at 100% on screen, with a low-vision reader in mind: headings stand out, nothing is crowded.",
    ),
    "large-docx": (
        "Open it in Word: the text keeps 18 pt and the sans-serif face when edited and printed.",
    ),
    "brf": (
        "Emboss a page or read it on a braille display: contractions, headings and print page indicators read naturally.",
        "Each transcriber's note describes its figure well enough to stand in for it.",
    ),
    "pdf": _COMMON_REVIEW + (
        "Reading order in a screen reader (NVDA or JAWS with Acrobat Reader): title, subtitle, photo with caption and credit, introduction, sections.",
        "Foreign-language spans are read with the right voice; headers and footers are not read aloud.",
        "Artifacts really are decoration (Matterhorn 01-001/01-002 are human checks).",
    ),
    "epub": _COMMON_REVIEW + (
        "Reading order and navigation in a reading system with a screen reader (Thorium, Apple Books with VoiceOver).",
        "The page-list takes the reader to the same text as the printed page.",
        "The accessibility summary is true of this edition.",
    ),
    "docx": _COMMON_REVIEW + (
        "Word's navigation pane and Accessibility Checker show the same outline and no issues.",
        "The document still reads correctly after a partner edits and re-saves it.",
    ),
    "txt": _COMMON_REVIEW + (
        "On a braille display or in an e-mail client, headings, figure blocks, lists and notes are recognisable.",
    ),
}

#: What a person must judge about the elements a chapter has, by element and format ("*": every format).
_ELEMENT_REVIEW: dict[str, dict[str, str]] = {
    "chart": {
        "*": "Check that each chart's long description conveys the data the chart shows, and that its alt text says what kind of chart it is.",
    },
    "table": {
        "txt": "Check that each table reads well linearised: every row's cells, after their header labels, make sense read in order.",
        "*": "Check that each table reads well in a screen reader: the caption says what it holds, and each data cell is announced with its headers.",
    },
    "list": {
        "txt": "Check that nested list items are told apart from their parent items by their indentation, on a braille display too.",
        "*": "Check that nested lists are announced with their level, and numbered lists with their numbers, in a screen reader.",
    },
    "note": {
        "pdf": "Check that each footnote is read right after its reference in a screen reader, not at the foot of the page in the middle of a sentence.",
        "epub": "Check that each note reference opens its note and the back-link returns to the same place, in a reading system.",
        "docx": "Check that each footnote opens from its reference in Word and in a screen reader.",
        "txt": "Check that each note can be found from its [n] reference, and that the notes' addresses are complete.",
    },
    "quotation": {
        "*": "Check that each quotation is announced as a quotation, with its attribution read after it.",
    },
    "box": {
        "txt": "Check that a box's start and end are clear, and that it does not interrupt a sentence.",
        "*": "Check that each box (key points) is announced as a region with its title, and is not read in the middle of the text around it.",
    },
    "cross-reference": {
        "*": "Check that each cross-reference leads to the table, figure or section it names, and says where it leads.",
    },
}


def human_review(fmt: str, chapter: Chapter | None = None) -> tuple[str, ...]:
    """What a person must still review in an edition of ``chapter``: the format's items, then its elements'."""
    from . import expect

    items = HUMAN_REVIEW[fmt]
    if chapter is None:
        return items
    present = {
        "chart": any(f.kind in ("chart", "map") or f.description for f in expect.figures(chapter)),
        "table": bool(expect.tables(chapter)),
        "list": bool(expect.lists(chapter)),
        "note": bool(chapter.notes),
        "quotation": bool(expect.quotations(chapter)),
        "box": bool(expect.boxes(chapter)),
        "cross-reference": bool(expect.internal_targets(chapter)),
    }
    extra = tuple(by_format.get(fmt, by_format.get("*", "")) for element, by_format in _ELEMENT_REVIEW.items()
                  if present[element])
    return items + tuple(item for item in extra if item)
