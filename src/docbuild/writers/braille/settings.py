"""The braille edition's settings, read from ``layouts/braille.toml``: page size and each language's rules."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from ...errors import DocbuildError
from ...project import Project, check_file
from .louis import cells_of

#: The smallest and largest page a braille layout accepts (cells, lines).
CELLS_RANGE = (20, 100)
LINES_RANGE = (5, 100)
_SIGNS = ("hyphen", "continuation", "note_open", "note_close", "box_top", "box_bottom", "page_rule")


@dataclass(frozen=True)
class BrailleSettings:
    lang: str
    cells: int
    lines: int
    #: The liblouis table list, comma-separated as liblouis takes it.
    tables: str
    #: The table list ``docbuild check`` reads the braille back with: ``back_tables`` in
    #: braille.toml (for a table liblouis only translates forward), else ``tables``. A name
    #: with a "/" is a file under the project's ``layouts/``, given to liblouis by its path.
    back_tables: str
    #: Typeform bits liblouis takes for emphasis (<em>) and strong emphasis.
    emph: int
    strong: int
    #: Signs the layout adds, as Unicode braille cells (see braille.toml).
    hyphen: str
    continuation: str
    note_open: str
    note_close: str
    box_top: str
    box_bottom: str
    page_rule: str
    continuation_letters: str


def load_settings(project: Project, lang: str, cells: int | None = None, lines: int | None = None) -> BrailleSettings:
    """The settings for ``lang``; ``cells``/``lines`` override the layout's defaults (``--braille-cells``...)."""
    path = project.layouts / "braille.toml"
    check_file(path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DocbuildError(f"malformed braille settings: {exc}", path, getattr(exc, "lineno", None)) from None
    except OSError as exc:
        raise DocbuildError(f"cannot read braille settings: {exc.strerror}", path) from None
    layout = table.get("layout", {})
    language = table.get("languages", {}).get(lang)
    if language is None:
        raise DocbuildError(
            f"no braille rules for language '{lang}': add a [languages.{lang}] table with its liblouis tables", path
        )
    try:
        cells = int(cells if cells is not None else layout["cells"])
        lines = int(lines if lines is not None else layout["lines"])
        tables = _table_list(language, "tables")
        back_tables = _table_list(language, "back_tables") if "back_tables" in language else tables
        signs = {name: cells_of(str(language[name])) for name in _SIGNS}
        letters = str(language["continuation_letters"])
        emph, strong = (int(language[key]) for key in ("emph", "strong"))
    except KeyError as exc:
        raise DocbuildError(f"braille settings for '{lang}' lack {exc}", path) from None
    except (TypeError, ValueError) as exc:
        raise DocbuildError(f"malformed braille settings for '{lang}': {exc}", path) from None
    for name, value, (low, high) in (("cells", cells, CELLS_RANGE), ("lines", lines, LINES_RANGE)):
        if not low <= value <= high:
            raise DocbuildError(f"braille {name} must be between {low} and {high}, not {value}", path)
    # A line of page_rule or box cells is drawn by repeating one cell; the hyphen and the
    # continuation indicator may be longer (Arabic braille's hyphen is two cells).
    for name in ("page_rule", "box_top", "box_bottom"):
        if len(signs[name]) != 1:
            raise DocbuildError(f"'{name}' for '{lang}' must be one cell", path)
    for name in ("hyphen", "continuation"):
        if not signs[name]:
            raise DocbuildError(f"'{name}' for '{lang}' must be at least one cell", path)
    resolved = []
    for table in back_tables:
        if "/" in table:
            file = (project.layouts / table).resolve()
            if not file.is_file():
                raise DocbuildError(f"'back_tables' for '{lang}' names {table}, which is not a file under layouts/", path)
            table = str(file)
        resolved.append(table)
    if not letters:
        raise DocbuildError(f"'continuation_letters' for '{lang}' must not be empty", path)
    for name, bit in (("emph", emph), ("strong", strong)):
        if not 1 <= bit <= 10:
            raise DocbuildError(f"'{name}' for '{lang}' must be the number (1-10) of one of the table's emphasis classes", path)
    return BrailleSettings(
        lang=lang, cells=cells, lines=lines, tables=",".join(tables), back_tables=",".join(resolved),
        emph=1 << (emph - 1), strong=1 << (strong - 1), continuation_letters=letters, **signs,
    )


def _table_list(language: dict, key: str) -> list[str]:
    tables = language[key]
    if not isinstance(tables, list) or not tables or not all(isinstance(t, str) and t and "," not in t for t in tables):
        raise ValueError(f"'{key}' must list liblouis table file names")
    return tables
