"""Languages as data: codes docbuild accepts, and each language's rules from ``layouts/languages/``.

A language's quotation marks, no-break rules, hyphenation, direction,
script and DOCX locale are read from ``layouts/languages/<code>.toml`` (and
its words from ``layouts/labels/<code>.toml``), so a team adds a language
with data files and a source variant, never with code. No language code
appears in Python except as data.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import DocbuildError

ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li
    ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa
    pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th
    ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)

_TAG = re.compile(r"^([a-z]{2})(?:-([A-Z]{2}|[A-Z][a-z]{3}))?$")

#: The folder of the language data files, under the project's ``layouts/``.
FOLDER = "languages"


def is_known(tag: str) -> bool:
    """True for ``ru``, ``en-GB``, ``sr-Latn``; False for ``xx`` or ``english``."""
    match = _TAG.match(tag)
    return bool(match) and match.group(1) in ISO_639_1


@dataclass(frozen=True)
class Language:
    """One ``layouts/languages/<code>.toml``: how text in the language is set."""

    code: str
    name: str
    english_name: str
    #: ISO 15924 code ("Latn", "Cyrl", "Arab"); its fonts are in ``layouts/scripts.toml``.
    script: str
    direction: str  # "ltr" or "rtl"
    #: A pyphen dictionary name, or None: the language is then set ragged-right in print,
    #: since justified lines that cannot hyphenate open rivers of white.
    hyphenation: str | None
    docx_locale: str
    #: Labels that may be word for word the original language's (a brand); others are untranslated.
    same_as_original: tuple[str, ...]
    #: Outer open, outer close, inner open, inner close.
    quotes: tuple[str, str, str, str]
    before_dash: bool
    digit_groups: bool
    initials: bool
    after_words: tuple[str, ...]
    after_number: tuple[str, ...]
    path: Path

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    def sibling(self, code: str) -> "Language":
        """The data of ``code`` from the same project, for a span in another language;
        this language's own if the project has none (the span is then set by the
        rules of the text around it)."""
        return find_language(self.path.parent.parent, code) or self


def _strings(table: dict, key: str, path: Path, text: str, count: int | None = None) -> tuple[str, ...]:
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise DocbuildError(f"'{key}' must be a list of words", path, _line_of(text, key))
    if count is not None and len(value) != count:
        raise DocbuildError(f"'{key}' must list {count} marks, opening then closing", path, _line_of(text, key))
    return tuple(value)


def _line_of(text: str, key: str) -> int | None:
    """The line on which ``key`` is set (tomllib reports no line for a value of the wrong type)."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def parse_language(code: str, text: str, path: Path) -> Language:
    """A language data file's text as a :class:`Language`; every problem names the file (and line)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DocbuildError(f"malformed language data: {exc}", path, getattr(exc, "lineno", None)) from None
    problems: list[DocbuildError] = []

    def string(key: str, allowed: tuple[str, ...] = ()) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value:
            problems.append(DocbuildError(f"'{key}' must be set to a text (see en.toml)", path, _line_of(text, key)))
            return ""
        if allowed and value not in allowed:
            problems.append(DocbuildError(f"'{key}' must be one of {', '.join(allowed)}, not '{value}'", path, _line_of(text, key)))
        return value

    def flag(table: dict, key: str) -> bool:
        value = table.get(key)
        if not isinstance(value, bool):
            problems.append(DocbuildError(f"'{key}' must be true or false", path, _line_of(text, key)))
            return False
        return value

    def words(table: dict, key: str, count: int | None = None) -> tuple[str, ...]:
        try:
            return _strings(table, key, path, text, count)
        except DocbuildError as error:
            problems.append(error)
            return ("",) * (count or 0)

    name, english_name = string("name"), string("english_name")
    script, direction = string("script"), string("direction", ("ltr", "rtl"))
    hyphenation, docx_locale = string("hyphenation"), string("docx_locale")
    same = words(data, "same_as_original") if data.get("same_as_original") != [] else ()
    quotes = data.get("quotes") if isinstance(data.get("quotes"), dict) else {}
    no_break = data.get("no_break") if isinstance(data.get("no_break"), dict) else {}
    outer, inner = words(quotes, "outer", 2), words(quotes, "inner", 2)
    after_words = words(no_break, "after_words") if no_break.get("after_words") != [] else ()
    after_number = words(no_break, "after_number") if no_break.get("after_number") != [] else ()
    language = Language(
        code=code, name=name, english_name=english_name, script=script, direction=direction,
        hyphenation=None if hyphenation == "none" else hyphenation, docx_locale=docx_locale,
        same_as_original=same, quotes=(*outer, *inner),  # type: ignore[arg-type]
        before_dash=flag(no_break, "before_dash"), digit_groups=flag(no_break, "digit_groups"),
        initials=flag(no_break, "initials"),
        after_words=tuple(word.lower() for word in after_words), after_number=after_number, path=path,
    )
    if problems:
        raise DocbuildError.combine(problems)
    return language


@lru_cache(maxsize=64)
def _load(path: Path, code: str, stamp: tuple[int, int]) -> Language:
    return parse_language(code, path.read_text(encoding="utf-8"), path)


def data_file(layouts: Path, code: str) -> Path:
    return layouts / FOLDER / f"{code.split('-')[0]}.toml"


def find_language(layouts: Path, code: str) -> Language | None:
    """The data of ``code`` (``ru`` for ``ru-RU``), or None if the project has none."""
    path = data_file(layouts, code)
    try:
        info = path.stat()
    except OSError:
        return None
    return _load(path, code.split("-")[0], (info.st_mtime_ns, info.st_size))


def load_language(layouts: Path, code: str) -> Language:
    """The data of an edition's language; its absence is an error that says how to add it."""
    language = find_language(layouts, code)
    if language is None:
        path = data_file(layouts, code)
        raise DocbuildError(
            f"no language data for '{code}': copy layouts/{FOLDER}/en.toml to {path.name} and set its rules", path
        )
    return language


def right_to_left(layouts: Path) -> frozenset[str]:
    """The codes of the project's languages written right to left."""
    codes = (path.stem for path in sorted((layouts / FOLDER).glob("*.toml")))
    return frozenset(code for code in codes if (language := find_language(layouts, code)) and language.rtl)


def locale(layouts: Path, tag: str) -> str:
    """A language tag with a region, for formats that need one (DOCX ``w:lang``)."""
    if "-" in tag:
        return tag
    language = find_language(layouts, tag)
    return language.docx_locale if language else tag
