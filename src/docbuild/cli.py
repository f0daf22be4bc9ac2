"""The ``docbuild`` command: parses arguments, calls the library, prints errors.

It holds no logic of its own; everything here is callable from Python.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from .errors import DocbuildError

EXIT_USER_ERROR = 1
#: ``docbuild check`` ran, and at least one check failed.
EXIT_CHECK_FAILED = 2
#: Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not '{text}'")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docbuild", description="Build accessible editions of report chapters.")
    parser.add_argument("--project", default=".", help="project folder holding source/, layouts/, fonts/ (default: .)")
    commands = parser.add_subparsers(dest="command", required=True)
    quiet = argparse.ArgumentParser(add_help=False)
    quiet.add_argument("-q", "--quiet", action="store_true",
                       help="print nothing when all goes well (errors and warnings are still printed)")

    build = commands.add_parser("build", parents=[quiet], help="build editions into dist/")
    build.add_argument("--out", help="output folder (default: docbuild.toml's out, else dist/ in the project)")
    build.add_argument("--format", action="append", dest="formats", choices=["txt", "pdf", "epub", "docx", "brf", "large-pdf", "large-docx"],
                       help="only this format (repeatable)")
    build.add_argument("--lang", action="append", dest="langs", help="only this language (repeatable)")
    build.add_argument("--chapter", action="append", dest="chapters", help="only this chapter id (repeatable)")
    build.add_argument("--paper", choices=["a4", "letter"], help="paper size of PDF and DOCX (default: docbuild.toml's, else a4)")
    build.add_argument("--jobs", type=_positive, default=None, help="worker processes (default: one per core)")
    build.add_argument("--no-cache", action="store_true", help="render every edition even if its inputs are unchanged")
    build.add_argument("--book", action=argparse.BooleanOptionalAction, default=None,
                       help="build the book editions of source/report.toml too (default: when it exists and no "
                            "--chapter is given); --no-book builds chapters only")
    build.add_argument("--executor", choices=["local", "dask"], default="local",
                       help="where editions are rendered: local worker processes (default) or a Dask cluster "
                            "(pip install docbuild[dask])")
    build.add_argument("--scheduler", help="the Dask scheduler's address for --executor dask, e.g. tcp://HOST:8786 "
                                           "(default: Dask's DASK_SCHEDULER_ADDRESS)")

    stamp = commands.add_parser(
        "stamp", help="record that a translation is up to date with its original (sets src= fingerprints)"
    )
    stamp.add_argument("chapter", help="chapter id, e.g. kazakhstan")
    stamp.add_argument("lang", help="the translated variant, e.g. ru")
    stamp.add_argument("ids", nargs="*", help="only these block ids (default: every block)")

    ids = commands.add_parser(
        "ids", help="add the missing {#id} lines to a chapter's sources (the original's ids go into its translations)"
    )
    ids.add_argument("chapter", help="chapter id, e.g. kazakhstan")
    ids.add_argument("--lang", help="only this variant (default: the original, then every translation)")

    check = commands.add_parser(
        "check", parents=[quiet],
        help="check editions for accessibility and completeness (default: every edition in dist/, built if stale)",
    )
    check.add_argument("files", nargs="*", help="edition files named <chapter>-<lang>[-letter].<ext>")
    check.add_argument("--chapter", action="append", dest="chapters",
                       help="only this chapter (repeatable); a chapter whose source has errors fails, the others are checked")
    check.add_argument("--lang", action="append", dest="langs", help="only this language (repeatable)")
    check.add_argument("--json", action="store_true", help="print the report as JSON instead of a table")
    check.add_argument("--require-validators", action="store_true",
                       help="a validator that is not installed ('not run') fails the check")
    check.add_argument("--strict", action="store_true", help="stale translations fail the check")
    check.add_argument("--report", help="write the HTML report here (default: dist/report.html when checking dist/)")

    new = commands.add_parser(
        "new", parents=[quiet], help="start a chapter: source/CHAPTER/ with a source per language that builds and checks"
    )
    new.add_argument("chapter", help="the new chapter's id: lower-case letters, digits and hyphens (e.g. kazakhstan-2023)")
    new.add_argument("--lang", action="append", dest="langs",
                     help="its languages, the original first: en,ru (default: docbuild.toml's languages, else en)")
    new.add_argument("--title", help="the chapter's title (default: made from its id)")

    for name, what in (
        ("watch", "rebuild the editions on every save, in warm worker processes"),
        ("preview", "show the print pages and the EPUB side by side in a browser, rebuilt on every save"),
    ):
        command = commands.add_parser(name, parents=[quiet], help=what)
        command.add_argument("--chapter", action="append", dest="chapters",
                             help="only this chapter (repeatable; the first is built first" +
                                  (", and shown first)" if name == "preview" else ")"))
        command.add_argument("--lang", action="append", dest="langs",
                             help="only this language (repeatable; the first is built first" +
                                  (", and shown first)" if name == "preview" else ")"))
        command.add_argument("--format", action="append", dest="formats",
                             help="only this format (repeatable; " +
                                  ("the PDF and EPUB are always built)" if name == "preview" else "the first is built first)"))
        command.add_argument("--out", help="output folder (default: docbuild.toml's out, else dist/)")
        command.add_argument("--paper", choices=["a4", "letter"], help="paper size of PDF and DOCX")
        command.add_argument("--jobs", type=_positive, default=None, help="worker processes kept warm (default: one per core)")
        if name == "preview":
            command.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one, printed)")
    return parser


def _config(project: str):
    from .config import load_config
    from .project import Project

    return load_config(Project.at(project).root)


def _langs(values: list[str] | None) -> list[str] | None:
    """``--lang en,ru --lang kk`` -> [en, ru, kk]."""
    found = [lang.strip() for value in values or [] for lang in value.split(",") if lang.strip()]
    return found or None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            from .build import build, warn_stale
            from .progress import Progress, Silent

            config = _config(args.project)
            reporter = Silent() if args.quiet else Progress("Building")
            with reporter:
                result = build(
                    args.project, args.out or config.out, args.formats or list(config.formats) or None,
                    _langs(args.langs) or list(config.languages) or None, args.chapters,
                    args.paper or config.paper or "a4",
                    jobs=args.jobs or config.jobs, cache=not args.no_cache, progress=reporter,
                    executor=args.executor, scheduler=args.scheduler,
                    book=args.book if args.book is not None else (None if not args.chapters else False),
                )
            if not args.quiet:
                for path in config.edition_order(result.written):
                    print(path, "(built)" if path in result.rendered else "(unchanged)")
            warn_stale(result)
        elif args.command == "stamp":
            from .stamp import stamp

            for line in stamp(args.project, args.chapter, args.lang, args.ids):
                print(line)
        elif args.command == "ids":
            from .ids import add_ids

            for line in add_ids(args.project, args.chapter, args.lang):
                print(line)
        elif args.command == "check":
            return _check(args)
        elif args.command == "new":
            from .new import new_chapter

            files = new_chapter(args.project, args.chapter, _langs(args.langs), args.title)
            if not args.quiet:
                for path in files:
                    print(path, "(new)")
                print(f"next: docbuild preview --chapter {args.chapter}  (or: docbuild watch --chapter {args.chapter})")
        elif args.command == "watch":
            from .watch import watch

            watch(args.project, args.out, args.formats, _langs(args.langs), args.chapters, args.paper, args.jobs,
                  quiet=args.quiet)
        elif args.command == "preview":
            from .preview import preview

            langs = _langs(args.langs)
            preview(args.project, args.chapters[0] if args.chapters else None, langs[0] if langs else None,
                    port=args.port, out=args.out, formats=args.formats, langs=langs, chapters=args.chapters,
                    paper=args.paper, jobs=args.jobs, quiet=args.quiet)
    except DocbuildError as error:
        for problem in error.errors:
            print(f"docbuild: error: {problem.location()}{problem.message}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        if args.command in ("watch", "preview"):
            print(f"docbuild {args.command}: stopped", file=sys.stderr)
        else:
            print("docbuild: interrupted; the editions in the output folder are as they were", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"docbuild: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_USER_ERROR
    return 0


def _check(args: argparse.Namespace) -> int:
    from .check import check_editions
    from .check.report import table, to_json, write_html
    from .config import load_config
    from .progress import Progress, Silent
    from .project import Project

    project = Project.at(args.project)
    config = load_config(project.root)
    reporter = Silent() if args.quiet else Progress("Checking")
    with reporter:
        report = check_editions(
            project, args.files, config.out, args.require_validators, args.strict,
            chapters=args.chapters, langs=_langs(args.langs) or list(config.languages) or None, progress=reporter,
        )
    html = args.report or (None if args.files else (config.out or project.root / "dist") / "report.html")
    if html:
        write_html(report, Path(html), project)
    if args.quiet and report.passed and not args.json:
        return 0
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    print(to_json(report) if args.json else table(report, width), end="" if args.json else "\n")
    if html and not args.json:
        print(f"HTML report: {html}")
    return 0 if report.passed else EXIT_CHECK_FAILED


if __name__ == "__main__":
    sys.exit(main())
