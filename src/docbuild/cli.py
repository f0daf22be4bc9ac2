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

    build = commands.add_parser("build", help="build editions into dist/")
    build.add_argument("--out", help="output folder (default: dist/ in the project)")
    build.add_argument("--format", action="append", dest="formats", choices=["txt", "pdf", "epub", "docx", "brf"],
                       help="only this format (repeatable)")
    build.add_argument("--lang", action="append", dest="langs", help="only this language (repeatable)")
    build.add_argument("--chapter", action="append", dest="chapters", help="only this chapter id (repeatable)")
    build.add_argument("--paper", default="a4", choices=["a4", "letter"], help="paper size of PDF and DOCX")
    build.add_argument("--jobs", type=_positive, default=None, help="worker processes (default: one per core)")
    build.add_argument("--no-cache", action="store_true", help="render every edition even if its inputs are unchanged")

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
        "check", help="check editions for accessibility and completeness (default: every edition in dist/, built if stale)"
    )
    check.add_argument("files", nargs="*", help="edition files named <chapter>-<lang>[-letter].<ext>")
    check.add_argument("--json", action="store_true", help="print the report as JSON instead of a table")
    check.add_argument("--require-validators", action="store_true",
                       help="a validator that is not installed ('not run') fails the check")
    check.add_argument("--strict", action="store_true", help="stale translations fail the check")
    check.add_argument("--report", help="write the HTML report here (default: dist/report.html when checking dist/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            from .build import build, warn_stale

            result = build(
                args.project, args.out, args.formats, args.langs, args.chapters, args.paper,
                jobs=args.jobs, cache=not args.no_cache,
            )
            for path in result.written:
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
    except DocbuildError as error:
        for problem in error.errors:
            print(f"docbuild: error: {problem.location()}{problem.message}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
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
    from .project import Project

    project = Project.at(args.project)
    report = check_editions(project, args.files, None, args.require_validators, args.strict)
    html = args.report or (None if args.files else project.root / "dist" / "report.html")
    if html:
        write_html(report, Path(html), project)
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    print(to_json(report) if args.json else table(report, width), end="" if args.json else "\n")
    if html and not args.json:
        print(f"HTML report: {html}")
    return 0 if report.passed else EXIT_CHECK_FAILED


if __name__ == "__main__":
    sys.exit(main())
