"""liblouis through ctypes: text in, braille cells out, with where each cell came from.

Why the library and not the ``lou_translate`` program: the writer needs three
things the program cannot give. (1) Typeforms: the array that tells liblouis
which characters are emphasised, so UEB's italic and bold indicators come
from the table, as the source's ``*...*`` and ``**...**`` ask. (2) The
input position of every output cell: lines may only break where the print
text had a space (Russian braille writes ", " as one cell with no blank,
so a blank cell is not the only place to break), a word too long for a line
is divided between two of its characters, never inside a multi-cell sign,
and a print page that begins mid-paragraph is marked before the right word.
(3) One table compilation per process instead of one per text. The library
is Debian's ``liblouis20`` (a dependency of ``liblouis-bin``), loaded by
name; ``python3-louis`` would bind only Debian's system Python, not the
project's.

The check (``docbuild.check.braille``) reads the file back with the
``lou_translate`` program instead: another way in, so a mistake in this
binding cannot hide behind the same mistake in its check.

Output is in Unicode braille (U+2800-U+283F, liblouis's ``dotsIO | ucBrl``
modes), independent of any display table; :data:`BRF` maps it to North
American Braille ASCII.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from dataclasses import dataclass

from ...errors import DocbuildError

#: Unicode braille cell (dots as bits: dot 1 = 1 ... dot 6 = 32) -> North American Braille ASCII.
BRF = " A1B'K2L@CIF/MSP\"E3H9O6R^DJG>NTQ,*5<-U8V.%[$+X!&;:4\\0Z7(_?W]#Y)="
BLANK = "\u2800"

_DOTS_IO = 4
_UC_BRL = 64


@dataclass(frozen=True)
class Braille:
    """Braille cells and, for each cell, the index of the source character it was made from."""

    cells: str
    source: tuple[int, ...]


def cells_of(dots: str) -> str:
    """``"4-46-126"`` -> the three Unicode braille cells; ``""`` -> no cells."""
    out = []
    for cell in filter(None, dots.split("-")):
        bits = 0
        for digit in cell:
            if digit not in "123456":
                raise ValueError(f"'{dots}' is not a dot pattern of six-dot cells (digits 1-6, cells separated by '-')")
            bits |= 1 << (int(digit) - 1)
        out.append(chr(0x2800 + bits))
    return "".join(out)


def to_brf(cells: str) -> str:
    """Unicode braille (6-dot, blank included) -> BRF ASCII."""
    return "".join(BRF[ord(cell) - 0x2800] for cell in cells)


@functools.lru_cache(maxsize=1)
def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("louis")
    if name is None:
        raise DocbuildError("liblouis is not installed (Debian: liblouis20 liblouis-data); run scripts/setup.sh")
    lib = ctypes.CDLL(name)
    lib.lou_charSize.restype = ctypes.c_int
    if lib.lou_charSize() != 4:
        raise DocbuildError(f"liblouis is built with {lib.lou_charSize()}-byte characters; docbuild needs the 4-byte (UCS-4) build Debian ships")
    lib.lou_translate.restype = ctypes.c_int
    lib.lou_getTable.restype = ctypes.c_void_p
    lib.lou_version.restype = ctypes.c_char_p
    return lib


def version() -> str:
    return _library().lou_version().decode()


@functools.lru_cache(maxsize=None)
def check_table(tables: str) -> None:
    """Compile the table list once, or say which table is missing."""
    if not _library().lou_getTable(tables.encode()):
        raise DocbuildError(
            f"liblouis cannot compile the braille table(s) '{tables}' (install liblouis-data, or fix layouts/braille.toml)"
        )


def translate(tables: str, text: str, typeform: list[int] | None = None) -> Braille:
    """Forward-translate ``text`` with the liblouis table list ``tables`` (``"en-ueb-g2.ctb"``)."""
    if not text:
        return Braille("", ())
    check_table(tables)
    lib = _library()
    length = len(text)
    inbuf = (ctypes.c_uint32 * length)(*map(ord, text))
    forms = (ctypes.c_ushort * length)(*typeform) if typeform is not None else None
    capacity = length * 8 + 64
    while True:
        inlen = ctypes.c_int(length)
        outbuf = (ctypes.c_uint32 * capacity)()
        outlen = ctypes.c_int(capacity)
        input_pos = (ctypes.c_int * capacity)()
        ok = lib.lou_translate(
            tables.encode(), inbuf, ctypes.byref(inlen), outbuf, ctypes.byref(outlen), forms, None,
            None, input_pos, None, _DOTS_IO | _UC_BRL,
        )
        if not ok:
            raise DocbuildError(f"liblouis could not translate a text with '{tables}'")
        if inlen.value >= length:
            break
        capacity *= 2  # the output buffer was too small: liblouis stopped early
    count = outlen.value
    return Braille("".join(map(chr, outbuf[:count])), tuple(input_pos[:count]))


def is_braille(cells: str) -> bool:
    """Only six-dot cells: liblouis marks a character its table lacks with dots 7 and 8 (``'\\x2603'``)."""
    return all(0x2800 <= ord(cell) <= 0x283F for cell in cells)
