"""``source/report.toml``: what the book is made of, read and checked without parsing any chapter.

    id = "world-report-2022"            # file stem: dist/world-report-2022-en.pdf
    publisher = "Human Rights Watch"
    date = "2022-01-13"                  # publication date, YYYY-MM-DD
    cover = "kazakhstan/images/kazakhstan-protest.jpg"   # optional, inside source/
    introduction = "introduction"        # optional: the front matter, a chapter
    chapters = ["kazakhstan", "kazakhstan-january"]       # in order
    missing = "original"                 # or "skip": a chapter without this language

    [en]                                 # one table per language of the book; the first is the original
    title = "World Report 2022"
    subtitle = "Events of 2021"
    description = "..."
    cover_alt = "..."                    # required with a cover
    # publisher = "..."                  # optional: the publisher's name in this language
    # cover = "..."                      # optional: this language's own cover image

The plan reads this (cheap: no Markdown) to know which chapters feed each
book edition. Every problem is a :class:`DocbuildError` naming the file and,
where the key is written, its line (``tomllib`` gives lines for syntax errors
only, so a key's line is found by scanning the text).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from ..errors import DocbuildError
from ..project import Project, check_file

BOOK_FILE = "report.toml"
MISSING_CHOICES = ("skip", "original")
Missing = Literal["skip", "original"]
#: Top-level keys, with what each takes (for the error message).
KEYS = {
    "id": "the book's file name stem, lower-case letters, digits and hyphens (e.g. \"world-report-2022\")",
    "publisher": "the publisher's name",
    "date": "the publication date, \"YYYY-MM-DD\"",
    "cover": "an image file inside source/, e.g. \"kazakhstan/images/cover.jpg\"",
    "introduction": "the id of the chapter that opens the book (a folder in source/)",
    "chapters": "a list of chapter ids (folders in source/), in the book's order",
    "missing": "\"skip\" or \"original\"",
}
#: Keys of a language table.
LANGUAGE_KEYS = {
    "title": "the book's title in this language",
    "subtitle": "the book's subtitle in this language",
    "description": "one or two sentences a catalogue shows, in this language",
    "cover_alt": "what the cover image shows, in this language",
    "publisher": "the publisher's name in this language",
    "cover": "this language's own cover image, inside source/ (instead of the top-level one)",
}
REQUIRED = ("id", "publisher", "date", "chapters")
REQUIRED_LANGUAGE = ("title", "description")
#: Limits as for a chapter's front matter (source/README.md).
LIMITS = {"title": 200, "subtitle": 200, "publisher": 200, "description": 1000, "cover_alt": 1000}
#: Labels the book editions add to those every edition has (layouts/labels/<lang>.toml).
BOOK_LABELS = ("book_stand_in", "book_toc_update")
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)\s*$")
_MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class LanguageTexts:
    lang: str
    title: str
    subtitle: str
    description: str
    cover_alt: str
    publisher: str
    #: The language of ``publisher`` where it is not ``lang`` (a name kept from the original).
    publisher_lang: str | None


@dataclass(frozen=True)
class BookDefinition:
    path: Path
    id: str
    publisher: str
    date: str
    cover: Path | None
    introduction: str | None
    chapters: tuple[str, ...]
    missing: str
    #: Language -> texts, in the file's order (the first is the original).
    languages: dict[str, LanguageTexts]
    #: Language -> its own cover image, where its table gives one (else ``cover``).
    covers: dict[str, Path] = field(default_factory=dict)

    def chapter_ids(self) -> list[str]:
        """Every chapter of the book in order: the introduction first."""
        return ([self.introduction] if self.introduction else []) + [c for c in self.chapters if c != self.introduction]

    def texts(self, lang: str) -> LanguageTexts:
        try:
            return self.languages[lang]
        except KeyError:
            raise DocbuildError(
                f"the book has no [{lang}] table (its languages are {', '.join(self.languages)})", self.path
            ) from None

    def cover_for(self, lang: str) -> Path | None:
        return self.covers.get(lang, self.cover)

    def check_labels(self, labels) -> None:
        missing = [key for key in BOOK_LABELS if key not in labels.table]
        if missing:
            raise DocbuildError(
                f"missing label(s) {', '.join(missing)}, which book editions need (see en.toml)",
                labels_path(self, labels.lang),
            )


def labels_path(definition: BookDefinition, lang: str) -> Path:
    return definition.path.parent.parent / "layouts" / "labels" / f"{lang}.toml"


def book_path(project: Project) -> Path:
    return project.source / BOOK_FILE


def load_definition(project: Project) -> BookDefinition | None:
    """The project's book definition, checked; None when there is no ``source/report.toml``."""
    path = book_path(project)
    if not path.exists() and not path.is_symlink():
        return None
    check_file(path, _MAX_BYTES, BOOK_FILE)
    try:
        text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise DocbuildError("is not UTF-8 text", path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        position = _TOML_POSITION.search(message)
        line = None
        if position:
            line = int(position.group(1)) if position.group(1) else max(1, len(text.splitlines()))
        message = _TOML_POSITION.sub("", message)
        raise DocbuildError(f"not valid TOML: {message[:1].lower()}{message[1:]}", path, line) from None
    return _validate(data, text, path, project)


def _validate(data: dict[str, Any], text: str, path: Path, project: Project) -> BookDefinition:
    from ..languages import is_known

    problems: list[DocbuildError] = []

    def bad(message: str, key: str | None = None, table: str | None = None, item: Any = None) -> None:
        problems.append(DocbuildError(message, path, _line_of(text, key, table, item) if key or table else None))

    def text_value(key: str, value: Any, table: str | None = None) -> str | None:
        where = f"'{key}'" + (f" in [{table}]" if table else "")
        if not isinstance(value, str) or not value.strip():
            what = (LANGUAGE_KEYS if table else KEYS)[key]
            bad(f"{where} must be {what}, as text, not {_shown(value)}", key, table)
            return None
        limit = LIMITS.get(key)
        if limit and len(value) > limit:
            bad(f"{where} has {len(value)} characters; at most {limit}", key, table)
            return None
        return value.strip()

    def cover_file(value: Any, table: str | None = None) -> Path | None:
        where = "'cover'" + (f" in [{table}]" if table else "")
        if not isinstance(value, str) or not value.strip() or Path(value).is_absolute() or ".." in Path(value).parts:
            bad(f"{where} must be {KEYS['cover']}, not {_shown(value)}", "cover", table)
            return None
        path = project.source / value
        if not path.is_file() or path.is_symlink():
            bad(f"{where} names {value}, which is not a file in source/", "cover", table)
            return None
        try:
            check_file(path)
        except DocbuildError as error:
            bad(f"{where} {error.message}", "cover", table)
            return None
        return path

    chapters_found = set(project.chapter_ids())
    values: dict[str, Any] = {}
    tables: dict[str, dict] = {}
    for key, value in data.items():
        if isinstance(value, dict) and key not in KEYS:
            if not is_known(key):
                bad(f"[{key}] is not a language table: '{key}' is not an ISO 639-1 language code (such as en, ru)", table=key)
                continue
            tables[key] = value
            continue
        if key not in KEYS:
            bad(f"unknown key '{key}'; {BOOK_FILE} takes {', '.join(KEYS)} and one table per language ([en], [ru]...)", key)
            continue
        if key == "id":
            if not isinstance(value, str) or not _ID.match(value):
                bad(f"'id' must be {KEYS['id']}, not {_shown(value)}", key)
            elif value in chapters_found:
                bad(f"'id' is '{value}', which is also a chapter's: their editions would have the same file names", key)
            else:
                values[key] = value
        elif key == "date":
            try:
                if not isinstance(value, str):
                    raise ValueError
                date.fromisoformat(value)
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    raise ValueError
                values[key] = value
            except ValueError:
                bad(f"'date' must be {KEYS['date']} (quoted), not {_shown(value)}", key)
        elif key == "publisher":
            if (checked := text_value(key, value)) is not None:
                values[key] = checked
        elif key == "cover":
            if (cover := cover_file(value)) is not None:
                values[key] = cover
        elif key == "introduction":
            if not isinstance(value, str) or value not in chapters_found:
                bad(f"'introduction' must be {KEYS[key]}: there is no folder source/{value}/" if isinstance(value, str)
                    else f"'introduction' must be {KEYS[key]}, not {_shown(value)}", key)
            else:
                values[key] = value
        elif key == "chapters":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                bad(f"'chapters' must be {KEYS[key]}, not {_shown(value)}", key)
                continue
            repeated = sorted({v for v in value if value.count(v) > 1})
            if repeated:
                bad(f"'chapters' lists {', '.join(repeated)} more than once", key, item=repeated[0])
                continue
            unknown = [v for v in value if v not in chapters_found]
            if unknown:
                for chapter in unknown:
                    bad(f"unknown chapter '{chapter}' in 'chapters': there is no folder source/{chapter}/", key, item=chapter)
                continue
            values[key] = tuple(value)
        elif key == "missing":
            if value not in MISSING_CHOICES:
                bad(f"'missing' must be {KEYS[key]} (what a language without one of the chapters does), not {_shown(value)}", key)
            else:
                values[key] = value
    for key in REQUIRED:
        if key not in data:
            bad(f"missing key '{key}': {KEYS[key]}")
    if "introduction" in values and values["introduction"] in values.get("chapters", ()):
        bad(f"'{values['introduction']}' is the introduction; list it in 'chapters' no more", "chapters", item=values["introduction"])
    if not tables:
        bad(f"no language table: add one per language of the book, e.g. [en] with {', '.join(REQUIRED_LANGUAGE)}")
    original = next(iter(tables), None)
    languages: dict[str, LanguageTexts] = {}
    covers: dict[str, Path] = {}
    for lang, table in tables.items():
        texts: dict[str, str] = {}
        for key, value in table.items():
            if key not in LANGUAGE_KEYS:
                bad(f"unknown key '{key}' in [{lang}]; a language table takes {', '.join(LANGUAGE_KEYS)}", key, lang)
                continue
            if key == "cover":
                if (cover := cover_file(value, lang)) is not None:
                    covers[lang] = cover
            elif (checked := text_value(key, value, lang)) is not None:
                texts[key] = checked
        for key in REQUIRED_LANGUAGE:
            if key not in table:
                bad(f"[{lang}] has no '{key}': {LANGUAGE_KEYS[key]}", table=lang)
        if ("cover" in data or "cover" in table) and "cover_alt" not in table:
            bad(f"[{lang}] has no 'cover_alt': with a cover, say {LANGUAGE_KEYS['cover_alt']}", table=lang)
        if not (project.layouts / "labels" / f"{lang}.toml").is_file():
            bad(f"no labels for language '{lang}': copy layouts/labels/en.toml to {lang}.toml and translate it", table=lang)
        own_publisher = "publisher" in texts
        languages[lang] = LanguageTexts(
            lang=lang,
            title=texts.get("title", ""),
            subtitle=texts.get("subtitle", ""),
            description=texts.get("description", ""),
            cover_alt=texts.get("cover_alt", ""),
            publisher=texts.get("publisher", values.get("publisher", "")),
            publisher_lang=None if own_publisher or lang == original else original,
        )
    if problems:
        raise DocbuildError.combine(problems)
    return BookDefinition(
        path=path,
        id=values["id"],
        publisher=values["publisher"],
        date=values["date"],
        cover=values.get("cover"),
        introduction=values.get("introduction"),
        chapters=values["chapters"],
        missing=values.get("missing", "skip"),
        languages=languages,
        covers=covers,
    )


def book_languages(definition: BookDefinition, langs: list[str] | None = None) -> list[str]:
    """The book's languages (its tables, in order), or those of them selected."""
    return [lang for lang in definition.languages if not langs or lang in langs]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return str(value)


def _line_of(text: str, key: str | None, table: str | None = None, item: Any = None) -> int | None:
    """The line that sets ``key`` (at the top level, or in ``[table]``); the table's header without a key.

    With ``item``, the first line from the key on that holds it quoted (a bad item of a list).
    """
    lines = text.splitlines()
    header = re.compile(r"^\s*\[\s*([^\]]*?)\s*\]")
    current: str | None = None
    for number, line in enumerate(lines, 1):
        found = header.match(line)
        if found:
            current = found.group(1).strip("\"'")
            if table is not None and key is None and current == table:
                return number
            continue
        if key is None or current != table:
            continue
        if re.match(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""", line):
            if isinstance(item, str):
                for offset, later in enumerate(lines[number - 1:]):
                    if f'"{item}"' in later or f"'{item}'" in later:
                        return number + offset
            return number
    return None
