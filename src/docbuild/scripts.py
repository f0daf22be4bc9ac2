"""Writing systems as data: ``layouts/scripts.toml`` says which font family sets each script.

An edition is set in its language's script's family; a run of text in
another script (an Arabic name in an English chapter) is set in that
script's family, in every format. Which scripts a text uses is found from
the code-point ranges in the same file, so adding a script is a table and
two font files, never code.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import DocbuildError

FILE = "scripts.toml"


@dataclass(frozen=True)
class Script:
    code: str  # ISO 15924: "Latn", "Cyrl", "Arab"
    serif: str
    sans: str
    ranges: tuple[tuple[int, int], ...]
    #: False where the family has no italic faces: its upright faces serve (no slanted fake).
    italic: bool = True
    #: A complex script in Word's sense: its runs take the w:cs font slot (and w:rtl when right to left).
    complex: bool = False

    def family(self, style: str) -> str:
        """The family of ``style`` ("serif" for the standard editions, "sans" for large print)."""
        return self.sans if style == "sans" else self.serif


@dataclass(frozen=True)
class Scripts:
    by_code: dict[str, Script]
    path: Path

    def __hash__(self) -> int:
        return hash(self.path)

    def get(self, code: str, where: Path | None = None) -> Script:
        script = self.by_code.get(code)
        if script is None:
            raise DocbuildError(f"script '{code}' has no fonts in layouts/{FILE}; add a [{code}] table", where or self.path)
        return script

    def of(self, char: str) -> Script | None:
        """The script ``char`` belongs to, or None (a character no table claims)."""
        starts, owners = _index(self)
        position = bisect.bisect_right(starts, ord(char)) - 1
        if position >= 0:
            low, high, script = owners[position]
            if low <= ord(char) <= high:
                return script
        return None

    def used(self, text: str) -> list[Script]:
        """The scripts of the letters in ``text``, in the order of the file."""
        found = {script.code for char in set(text) if char.isalpha() and (script := self.of(char)) is not None}
        return [script for code, script in self.by_code.items() if code in found]


@lru_cache(maxsize=16)
def _index(scripts: Scripts) -> tuple[list[int], list[tuple[int, int, Script]]]:
    owners = sorted((low, high, script) for script in scripts.by_code.values() for low, high in script.ranges)
    return [low for low, _, _ in owners], owners


_RANGE = re.compile(r"^([0-9A-Fa-f]{4,6})-([0-9A-Fa-f]{4,6})$")


def parse_scripts(text: str, path: Path) -> Scripts:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DocbuildError(f"malformed scripts table: {exc}", path, getattr(exc, "lineno", None)) from None
    found: dict[str, Script] = {}
    for code, table in data.items():
        line = next((n for n, row in enumerate(text.split("\n"), 1) if row.strip() == f"[{code}]"), None)
        if not isinstance(table, dict) or not all(isinstance(table.get(k), str) for k in ("serif", "sans")):
            raise DocbuildError(f"[{code}] needs serif and sans font family names", path, line)
        ranges = []
        for item in table.get("ranges", []):
            match = _RANGE.match(item) if isinstance(item, str) else None
            if match is None:
                raise DocbuildError(f"[{code}] range '{item}' is not like \"0600-06FF\"", path, line)
            ranges.append((int(match.group(1), 16), int(match.group(2), 16)))
        found[code] = Script(
            code, table["serif"], table["sans"], tuple(ranges),
            italic=bool(table.get("italic", True)), complex=bool(table.get("complex", False)),
        )
    return Scripts(found, path)


@lru_cache(maxsize=16)
def _load(path: Path, stamp: tuple[int, int]) -> Scripts:
    return parse_scripts(path.read_text(encoding="utf-8"), path)


def load_scripts(layouts: Path) -> Scripts:
    path = layouts / FILE
    try:
        info = path.stat()
    except OSError:
        raise DocbuildError(f"missing; it names the fonts of each script (see docbuild's own layouts/{FILE})", path) from None
    return _load(path, (info.st_mtime_ns, info.st_size))
