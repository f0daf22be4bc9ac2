"""The words docbuild itself adds to an edition, one table per language.

Tables live in ``layouts/labels/<lang>.toml`` so a translator can add a
language without touching code. A missing table or key is an error, never a
silent fallback to English inside a Russian book.
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Mapping

from markupsafe import Markup, escape

from .errors import DocbuildError
from .languages import FOLDER, find_language
from .project import Project

#: The keys every table must define; the English table is the reference.
REQUIRED = (
    "language_name", "photo", "image_description", "caption", "credit", "placeholder_note",
    "contents", "page", "page_of", "pages", "cover", "cover_alt", "landmarks", "start_of_content",
    "published", "date", "months", "print_edition",
    "accessibility_summary_text", "accessibility_summary_photo", "accessibility_summary_pages",
    "chart", "map", "credit_chart", "credit_map", "long_description", "notes", "note", "back_to_text",
    "see", "box", "end_of_box", "table", "accessibility_summary_figures", "accessibility_summary_tables",
    "transcriber_note", "large_print_title",
)


@dataclass(frozen=True)
class Labels:
    lang: str
    table: dict
    #: Each project language's direction ("ltr", "rtl"), so that a name kept in another
    #: language is marked with its direction too (a Latin name in an Arabic colophon).
    directions: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> str:
        return self.table[key]

    def format(self, key: str, **values: object) -> str:
        return self.table[key].format(**values)

    def parts(self, key: str, **values: object) -> list[tuple[str, str | None]]:
        """The label ``key`` filled in, as (text, placeholder) pieces in order.

        ``placeholder`` is the name of the value a piece came from, or None for
        the label's own words: a writer can then mark one value (a name kept
        in another language) without re-parsing the sentence.
        """
        pieces: list[tuple[str, str | None]] = []
        for literal, name, spec, conversion in string.Formatter().parse(self.table[key]):
            if literal:
                pieces.append((literal, None))
            if name is not None:
                value = values[name]
                if conversion:
                    value = {"r": repr, "s": str, "a": ascii}[conversion](value)
                pieces.append((format(value, spec or ""), name))
        return pieces

    def markup(self, key: str, lang_of: Mapping[str, str | None] | None = None, **values: object) -> Markup:
        """The label ``key`` as HTML: its words and values escaped, and each value
        named in ``lang_of`` (placeholder -> language) in a ``<span lang xml:lang>``
        when its language is not the edition's (WCAG 3.1.2)::

            labels.markup("published", {"publisher": "en"}, publisher="Human Rights Watch", date=...)
        """
        out = []
        for text, name in self.parts(key, **values):
            lang = (lang_of or {}).get(name) if name else None
            if lang and lang != self.lang:
                other, own = self.directions.get(lang.split("-")[0]), self.directions.get(self.lang.split("-")[0])
                if other and own and other != own:
                    out.append(Markup('<span lang="{0}" xml:lang="{0}" dir="{1}">{2}</span>').format(lang, other, text))
                else:
                    out.append(Markup('<span lang="{0}" xml:lang="{0}">{1}</span>').format(lang, text))
            else:
                out.append(escape(text))
        return Markup("").join(out)

    def date(self, iso: str) -> str:
        day = date.fromisoformat(iso)
        return self.format("date", day=day.day, month=self.table["months"][day.month - 1], year=day.year)


#: A placeholder such as ``{page}``: a label made of these and punctuation has no words to translate.
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def untranslated(labels: Labels, original: Labels, allowed: tuple[str, ...] = ()) -> list[str]:
    """The keys whose words are the original language's, word for word (a copied table, half translated).

    A label with no letters once its placeholders are gone (``{day}.{month}.{year}``)
    has nothing to translate; ``allowed`` names labels that may stay the same (a brand).
    """
    found = []
    for key, value in labels.table.items():
        if key in allowed or key not in original.table or value != original.table[key]:
            continue
        words = " ".join(value) if isinstance(value, list) else str(value)
        if any(char.isalpha() for char in _PLACEHOLDER.sub("", words)):
            found.append(key)
    return found


def load_labels(project: Project, lang: str) -> Labels:
    path: Path = project.layouts / "labels" / f"{lang}.toml"
    if not path.is_file():
        raise DocbuildError(f"no labels for language '{lang}': copy layouts/labels/en.toml to {path.name} and translate it", path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        raise DocbuildError(f"malformed labels: {exc}", path, line) from None
    missing = [key for key in REQUIRED if key not in table]
    if missing:
        raise DocbuildError(f"missing label(s) {', '.join(missing)} (see en.toml)", path)
    if not isinstance(table["months"], list) or len(table["months"]) != 12:
        raise DocbuildError("'months' must list the twelve month names", path)
    folder = project.layouts / FOLDER
    directions = {path.stem: language.direction for path in sorted(folder.glob("*.toml"))
                  if (language := find_language(project.layouts, path.stem)) is not None}
    return Labels(lang, table, directions)
