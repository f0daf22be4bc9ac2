"""The ``docbuild`` command: parses arguments, calls the library, prints errors.

It holds no logic of its own; everything here is callable from Python.
"""

from __future__ import annotations

import argparse
import sys

from .errors import DocbuildError

EXIT_USER_ERROR = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docbuild", description="Build accessible editions of report chapters.")
    parser.add_argument("--project", default=".", help="project folder holding source/, layouts/, fonts/ (default: .)")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build editions into dist/")
    build.add_argument("--out", help="output folder (default: dist/ in the project)")
    build.add_argument("--format", action="append", dest="formats", choices=["txt", "pdf", "epub", "docx"],
                       help="only this format (repeatable)")
    build.add_argument("--lang", action="append", dest="langs", help="only this language (repeatable)")
    build.add_argument("--chapter", action="append", dest="chapters", help="only this chapter id (repeatable)")
    build.add_argument("--paper", default="a4", choices=["a4", "letter"], help="paper size of PDF and DOCX")
    build.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    build.add_argument("--no-cache", action="store_true", help="render every edition even if its inputs are unchanged")

    stamp = commands.add_parser(
        "stamp", help="record that a translation is up to date with its original (sets src= fingerprints)"
    )
    stamp.add_argument("chapter", help="chapter id, e.g. kazakhstan")
    stamp.add_argument("lang", help="the translated variant, e.g. ru")
    stamp.add_argument("ids", nargs="*", help="only these block ids (default: every block)")
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
    except DocbuildError as error:
        print(f"docbuild: error: {error}", file=sys.stderr)
        return EXIT_USER_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
