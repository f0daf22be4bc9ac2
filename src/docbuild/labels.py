"""The words docbuild itself adds to an edition, one table per language.

Tables live in ``layouts/labels/<lang>.toml`` so a translator can add a
language without touching code. A missing table or key is an error, never a
silent fallback to English inside a Russian book.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import DocbuildError
from .project import Project

#: The keys every table must define; the English table is the reference.
REQUIRED = (
    "language_name", "photo", "image_description", "caption", "credit", "placeholder_note",
    "contents", "page", "page_of", "pages", "cover", "landmarks", "start_of_content",
    "published", "date", "months", "print_edition",
    "accessibility_summary_text", "accessibility_summary_photo", "accessibility_summary_pages",
    "chart", "map", "credit_chart", "credit_map", "long_description", "notes", "note", "back_to_text",
    "see", "box", "end_of_box", "table", "accessibility_summary_figures", "accessibility_summary_tables",
)


@dataclass(frozen=True)
class Labels:
    lang: str
    table: dict

    def __getitem__(self, key: str) -> str:
        return self.table[key]

    def format(self, key: str, **values: object) -> str:
        return self.table[key].format(**values)

    def date(self, iso: str) -> str:
        day = date.fromisoformat(iso)
        return self.format("date", day=day.day, month=self.table["months"][day.month - 1], year=day.year)


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
    return Labels(lang, table)
