"""``docbuild.toml``: a project's defaults, optional, at the project root.

    # docbuild.toml
    languages = ["en", "ru"]      # the languages built by default, in this order (the first is the original for `docbuild new`)
    formats = ["pdf", "epub"]     # the formats built by default
    paper = "a4"                  # or "letter"
    out = "dist"                  # the output folder, relative to the project root
    jobs = 2                      # worker processes
    chapters = ["kazakhstan"]     # the order chapters are built, listed, watched and checked in
                                  # (chapters not listed follow, alphabetically)

Every key is optional; the command line overrides each. An unknown key or a
bad value is a :class:`~docbuild.errors.DocbuildError` naming the file and
the line, like an error in a source. ``tomllib`` reports lines for syntax
errors only, so the line of a key (or of a bad item of a list) is found by
scanning the file's text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .errors import DocbuildError

CONFIG_FILE = "docbuild.toml"
#: The keys docbuild.toml may hold, with what each takes (for the error message).
KEYS = {
    "languages": "a list of language codes, e.g. [\"en\", \"ru\"]",
    "formats": "a list of formats",
    "paper": "\"a4\" or \"letter\"",
    "out": "a folder name, relative to the project root",
    "jobs": "a whole number of 1 or more",
    "chapters": "a list of chapter ids (folders in source/)",
}
_CHAPTER_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")
#: ``<chapter>-<lang>[-letter].<ext>``, as docbuild.edition names editions.
_EDITION = re.compile(r"^(?P<chapter>[a-z][a-z0-9-]*)-(?P<lang>[a-z]{2}(?:-[A-Za-z]{2,4})?)(?:-letter)?\.[a-z]+$")


@dataclass(frozen=True)
class Config:
    """A project's defaults; an empty one when there is no ``docbuild.toml``."""

    path: Path | None = None
    languages: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    paper: str | None = None
    out: Path | None = None
    jobs: int | None = None
    chapters: tuple[str, ...] = ()

    def chapter_order(self, chapters: Iterable[str]) -> list[str]:
        """``chapters`` in the configured order; those not listed after, alphabetically."""
        rank = {chapter: index for index, chapter in enumerate(self.chapters)}
        return sorted(chapters, key=lambda c: (rank.get(c, len(rank)), c))

    def language_order(self, langs: Iterable[str]) -> list[str]:
        """``langs`` in the configured order; those not listed after, alphabetically."""
        rank = {lang: index for index, lang in enumerate(self.languages)}
        return sorted(langs, key=lambda lang: (rank.get(lang, len(rank)), lang))

    def edition_order(self, paths: Iterable[Path]) -> list[Path]:
        """Edition files by configured chapter, then language, order (formats keep their order within)."""
        paths = list(paths)
        if not self.chapters and not self.languages:
            return paths
        chapters = {c: i for i, c in enumerate(self.chapters)}
        langs = {lang: i for i, lang in enumerate(self.languages)}

        def key(path: Path) -> tuple:
            match = _EDITION.match(path.name)
            if not match:
                return (len(chapters), "", len(langs), "")
            chapter, lang = match["chapter"], match["lang"]
            return (chapters.get(chapter, len(chapters)), chapter, langs.get(lang, len(langs)), lang)

        return sorted(paths, key=key)


def load_config(root: Path | str) -> Config:
    """The ``docbuild.toml`` of the project at ``root``, checked; an empty :class:`Config` if there is none."""
    path = Path(root) / CONFIG_FILE
    if not path.exists():
        return Config()
    from .project import check_file

    check_file(path, 1024 * 1024, "docbuild.toml")
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise DocbuildError("is not UTF-8 text", path) from None
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        line = None
        if position:  # "at end of document": the last line
            line = int(position.group(1)) if position.group(1) else max(1, len(text.splitlines()))
        message = _TOML_POSITION.sub("", message)
        raise DocbuildError(f"not valid TOML: {message[:1].lower()}{message[1:]}", path, line) from None
    return _validate(data, text, path, Path(root))


def _validate(data: dict[str, Any], text: str, path: Path, root: Path) -> Config:
    from .build import FORMATS
    from .languages import is_known

    problems: list[DocbuildError] = []

    def bad(key: str, message: str, item: Any = None) -> None:
        problems.append(DocbuildError(message, path, _line_of(text, key, item)))

    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in KEYS:
            bad(key, f"unknown key '{key}'; docbuild.toml takes {', '.join(KEYS)}")
            continue
        if key in ("languages", "formats", "chapters"):
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                bad(key, f"'{key}' must be {KEYS[key]}, not {_shown(value)}")
                continue
            repeated = sorted({v for v in value if value.count(v) > 1})
            if repeated:
                bad(key, f"'{key}' lists {', '.join(repeated)} more than once", repeated[0])
                continue
            if key == "languages":
                wrong = [v for v in value if not is_known(v)]
                if wrong:
                    bad(key, f"'{wrong[0]}' in 'languages' is not an ISO 639-1 language code (such as en, ru, kk)", wrong[0])
                    continue
            elif key == "formats":
                wrong = [v for v in value if v not in FORMATS]
                if wrong:
                    bad(key, f"unknown format '{wrong[0]}' in 'formats'; choose from {', '.join(FORMATS)}", wrong[0])
                    continue
            else:
                wrong = [v for v in value if not _CHAPTER_ID.match(v) or not (root / "source" / v).is_dir()]
                if wrong:
                    bad(key, f"'{wrong[0]}' in 'chapters' is not a chapter: there is no folder source/{wrong[0]}/", wrong[0])
                    continue
            values[key] = tuple(value)
        elif key == "paper":
            from .edition import PAPER_SIZES

            if value not in PAPER_SIZES:
                bad(key, f"'paper' must be {KEYS[key]}, not {_shown(value)}")
                continue
            values[key] = value
        elif key == "out":
            if not isinstance(value, str) or not value.strip():
                bad(key, f"'out' must be {KEYS[key]}, not {_shown(value)}")
                continue
            values[key] = root / value
        elif key == "jobs":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                bad(key, f"'jobs' must be {KEYS[key]}, not {_shown(value)}")
                continue
            values[key] = value
    if problems:
        raise DocbuildError.combine(problems)
    return Config(path=path, **values)


def _shown(value: Any) -> str:
    """A value as it was written in TOML, for an error message."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    return repr(value) if not isinstance(value, list) else "[" + ", ".join(_shown(v) for v in value) + "]"


def _line_of(text: str, key: str, item: Any = None) -> int | None:
    """The line that sets ``key`` at the top level (``key = ...``, or a ``[key]`` table).

    With ``item``, the first line from there on that holds it quoted, for a
    bad item of a list written over several lines.
    """
    assignment = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*[=.]""")
    table = re.compile(rf"""^\s*\[\[?\s*(?:{re.escape(key)}|"{re.escape(key)}")\s*[\].]""")
    lines = text.splitlines()
    in_table = False
    for number, line in enumerate(lines, 1):
        if table.match(line):
            return number
        if re.match(r"^\s*\[", line):
            in_table = True  # keys below a table header belong to the table, not the top level
        if not in_table and assignment.match(line):
            if isinstance(item, str):
                for offset, later in enumerate(lines[number - 1:]):
                    if f'"{item}"' in later or f"'{item}'" in later:
                        return number + offset
            return number
    return None
