"""Inline text to braille tokens: :class:`Run` s translated by liblouis, cut where lines may break.

A block's runs are translated in one piece, so contractions and indicators
see the whole sentence; the cells are then cut into :class:`~.layout.Token` s
at blank cells, each token knowing where it may be divided (between two
source characters; without a sign where the print text had a space the
braille code leaves out). A span in another language whose characters the
edition's table lacks (Cyrillic in English) is written by that language's
table; a character no table has becomes its code point (``U+2603``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from ...edition import Edition
from ...errors import DocbuildError
from ..html import PAGE_COUNT_IGNORED
from . import louis
from .layout import Item, Para, Token
from .settings import BrailleSettings, load_settings

#: Characters that keep words together in print; a braille line breaks only at blank cells anyway.
#: Unicode direction marks and embeddings are left out: braille is read left to right in every
#: language, right-to-left text included, and liblouis gets the text in logical order.
_PLAIN = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2011": "-", "\n": " ", "\t": " ", "\u00ad": "",
                        **dict.fromkeys("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069", "")})


@dataclass(frozen=True)
class Run:
    text: str
    form: int = 0
    url: bool = False
    #: Whether the A4 edition prints this text (a label or an address docbuild adds is not counted).
    counted: bool = True
    lang: str | None = None


class Translator:
    """Runs -> braille tokens, by the edition's language table (a foreign span its table lacks: by the span's)."""

    def __init__(self, edition: Edition, settings: BrailleSettings) -> None:
        self.edition = edition
        self.settings = settings
        self._foreign: dict[str, str | None] = {}
        louis.check_table(settings.tables)

    def _defined(self, tables: str, char: str) -> bool:
        return _defined(tables, char)

    def _tables_for(self, lang: str) -> str | None:
        if lang not in self._foreign:
            try:
                self._foreign[lang] = load_settings(self.edition.project, lang).tables
            except DocbuildError:
                self._foreign[lang] = None
        return self._foreign[lang]

    def number(self, text: str) -> str:
        return louis.translate(self.settings.tables, text).cells

    def _prepare(self, runs: list[Run]) -> list[tuple[Run, str]]:
        """Each run with the table that writes it; a character no table has becomes its code point ("U+2603")."""
        main = self.settings.tables
        out = []
        for run in runs:
            text = run.text.translate(_PLAIN)
            tables = main
            if any(not self._defined(main, c) for c in text) and run.lang and run.lang != self.settings.lang:
                other = self._tables_for(run.lang.split("-")[0])
                if other and all(self._defined(other, c) for c in text):
                    tables = other
            if tables == main:
                text = "".join(c if self._defined(main, c) else f" U+{ord(c):04X} " for c in text)
            out.append((replace(run, text=text), tables))
        return out

    def translate(self, runs: list[Run]) -> tuple[list[Token], list[int], list[int], str]:
        """The tokens of ``runs``; each token's first source index; the counted characters' indices; the text."""
        prepared = self._prepare(runs)
        text = "".join(run.text for run, _ in prepared)
        cells: list[str] = []
        source: list[int] = []
        urls: set[int] = set()
        counted: list[int] = []
        at = 0
        # Consecutive runs written by the same table are translated together.
        groups: list[tuple[str, list[Run]]] = []
        for run, tables in prepared:
            if groups and groups[-1][0] == tables:
                groups[-1][1].append(run)
            else:
                groups.append((tables, [run]))
        for tables, group in groups:
            piece = "".join(run.text for run in group)
            forms: list[int] = []
            for run in group:
                forms += [run.form] * len(run.text)
                for offset, char in enumerate(run.text):
                    if run.url:
                        urls.add(at + offset)
                    if run.counted and not char.isspace() and char not in PAGE_COUNT_IGNORED:
                        counted.append(at + offset)
                at += len(run.text)
            braille = louis.translate(tables, piece, forms if any(forms) else None)
            start = at - len(piece)
            cells.append(braille.cells)
            source += [start + index for index in braille.source]
        tokens, starts = _tokens("".join(cells), source, text, urls)
        return tokens, starts, counted, text


@functools.lru_cache(maxsize=4096)
def _defined(tables: str, char: str) -> bool:
    """Whether the table list has a braille sign for ``char``."""
    return louis.is_braille(louis.translate(tables, char).cells)


def _tokens(cells: str, source: list[int], text: str, urls: set[int]) -> tuple[list[Token], list[int]]:
    tokens: list[Token] = []
    starts: list[int] = []
    index = 0
    space = False
    while index < len(cells):
        if cells[index] == louis.BLANK:
            space = True
            index += 1
            continue
        end = index
        while end < len(cells) and cells[end] != louis.BLANK:
            end += 1
        cuts, soft, prefer = [], set(), set()
        for k in range(index + 1, end):
            low, high = sorted((source[k - 1], source[k]))
            if low != high:
                cuts.append(k - index)
                if any(c.isspace() for c in text[low + 1: high]):
                    soft.add(k - index)
                if text[high - 1] in "/.-?&=" and source[k] in urls:
                    prefer.add(k - index)
        url = any(source[k] in urls for k in range(index, end))
        tokens.append(Token(cells[index:end], space=space and bool(tokens), cuts=tuple(cuts), soft=frozenset(soft),
                            url=url, prefer=frozenset(prefer)))
        starts.append(min(source[index:end]))
        space = False
        index = end
    return tokens, starts


def _with_signs(items: list[Item], before: str, after: str) -> None:
    """Put ``before`` on the first word of the first paragraph of ``items`` and ``after`` on the last word of the last."""
    paras = [item for item in items if isinstance(item, Para) and item.tokens]
    if not paras:
        return
    if before:
        first = paras[0].tokens[0]
        paras[0].tokens[0] = Token(before + first.cells, first.space, tuple(c + len(before) for c in first.cuts),
                                   frozenset(c + len(before) for c in first.soft), first.url)
    if after:
        last = paras[-1].tokens[-1]
        paras[-1].tokens[-1] = Token(last.cells + after, last.space, last.cuts, last.soft, last.url)
