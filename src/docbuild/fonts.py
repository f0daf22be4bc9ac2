"""The vendored fonts in ``fonts/``, and the check that they cover the chapter.

Every edition uses only the font files shipped with the project (the
family of each script is named in ``layouts/scripts.toml``):
a missing glyph would otherwise be drawn from whatever font the machine
happens to have (or as a blank box), which differs between machines and
breaks PDF/UA's rule that every character has a glyph (Matterhorn 10-001).
So the writers call :func:`check_glyphs` before rendering, and it names the
character, the file and the line to fix.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from fontTools.ttLib import TTFont, TTLibError

from .errors import DocbuildError
from .labels import Labels
from .languages import load_language
from .scripts import Script, load_scripts
from .model import Chapter, Figure, block_runs_own, chapter_links, plain_text, walk
from .project import Project


@dataclass(frozen=True)
class FontFace:
    """One vendored font file and the CSS descriptors it answers to."""

    path: Path
    weight: int  # 400 or 700
    style: str  # "normal" or "italic"
    postscript_name: str


#: Vendored file stems by (weight, style); the family name comes from paper.toml.
_FACES = {
    (400, "normal"): "Regular",
    (400, "italic"): "Italic",
    (700, "normal"): "Bold",
    (700, "italic"): "BoldItalic",
}

#: Characters a layout engine adds on its own and that must have glyphs too:
#: the hyphen drawn at a hyphenated line end, the digits of page numbers, list
#: markers (bullet, en dash, no-break space; letters for "ol ol" lists).
LAYOUT_CHARACTERS = "\u2010-0123456789\u2022\u2013\u00a0abcdefghijklmnopqrstuvwxyz"

#: Characters that are never drawn, so need no glyph.
_INVISIBLE = {"\n", "\t", "\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def font_faces(project: Project, family: str, italic: bool = True) -> tuple[FontFace, ...]:
    """The four faces of ``family`` in ``fonts/``, regular, italic, bold and bold italic.

    With ``italic=False`` (a family without italic faces, such as Noto Naskh
    Arabic) the upright files serve the italic slots: emphasis then stays
    upright rather than being slanted by the layout engine. A missing file is
    an error rather than a silent fallback, since the fallback would be a
    system font the reader's copy may not have.
    """
    stem = family.replace(" ", "")
    faces = []
    for (weight, style), suffix in _FACES.items():
        if not italic:
            suffix = suffix.replace("Italic", "") or "Regular"
        path = project.fonts / f"{stem}-{suffix}.ttf"
        if not path.is_file():
            raise DocbuildError(f"font file {path.name} is missing; docbuild uses only the fonts in fonts/", path)
        faces.append(FontFace(path, weight, style, _postscript_name(path)))
    return tuple(faces)


@dataclass(frozen=True)
class FontFamily:
    """A family an edition is set in, and the script it serves."""

    name: str
    faces: tuple[FontFace, ...]
    script: Script


def edition_families(project: Project, chapter: Chapter, labels: Labels, typeface: str) -> tuple[FontFamily, ...]:
    """The families an edition needs: its language's script's first, then one per other script its text uses.

    ``typeface`` is "serif" or "sans" (``paper.toml``). Scripts sharing a
    family (Latin and Cyrillic in Noto Serif) give it once.
    """
    scripts = load_scripts(project.layouts)
    language = load_language(project.layouts, chapter.lang)
    wanted = [scripts.get(language.script, language.path), *scripts.used(edition_text(chapter, labels))]
    families: dict[str, FontFamily] = {}
    for script in wanted:
        name = script.family(typeface)
        if name not in families:
            families[name] = FontFamily(name, font_faces(project, name, script.italic), script)
    return tuple(families.values())


@lru_cache(maxsize=16)
def _font(path: Path) -> TTFont:
    try:
        return TTFont(path, lazy=True)
    except (OSError, TTLibError) as exc:
        raise DocbuildError(f"cannot read the font: {exc}", path) from None


def _postscript_name(path: Path) -> str:
    return str(_font(path)["name"].getDebugName(6))


@lru_cache(maxsize=16)
def _cmap(path: Path) -> frozenset[int]:
    return frozenset(_font(path).getBestCmap())


def coverage(faces: tuple[FontFace, ...]) -> frozenset[int]:
    """Code points every one of ``faces`` has a glyph for.

    The intersection, not the union: any run of text may be set in any face
    (a bold span, an italic caption), and one face missing a glyph is enough
    for a fallback font to appear.
    """
    covered: frozenset[int] | None = None
    for face in faces:
        cmap = _cmap(face.path)
        covered = cmap if covered is None else covered & cmap
    return covered or frozenset()


def chapter_texts(chapter: Chapter) -> Iterator[tuple[str, int | None]]:
    """Every text of the chapter that reaches a reader, with its source line."""
    meta = chapter.meta
    # The reader keeps no line per metadata field; the front matter starts on line 2.
    for text in (meta.title, meta.subtitle, meta.author, meta.publisher, meta.description, *meta.keywords):
        yield text, 2
    figures = [chapter.figure] if chapter.figure is not None else []
    figures += [block for block in chapter.walk() if isinstance(block, Figure)]
    for figure in figures:
        yield figure.alt, figure.line
    blocks = [*([chapter.figure] if chapter.figure else []), *chapter.blocks]
    for block in blocks:
        for inner in walk((block,)):
            for run in block_runs_own(inner):
                yield plain_text(run), inner.line or block.line
    for note in chapter.notes:
        for block in walk(note.blocks):
            for run in block_runs_own(block):
                yield plain_text(run), note.line
    for text in (link.href for link in chapter_links(chapter) if not link.internal):
        yield text, None


def _label_texts(labels: Labels) -> Iterator[str]:
    for value in labels.table.values():
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (str(item) for item in value)


def check_glyphs(
    chapter: Chapter, families: tuple[FontFamily, ...], labels: Labels | None = None, project: Project | None = None
) -> None:
    """Raise if any character of the chapter (or of its labels) has no glyph in ``families``.

    A character is covered when one family has it in all four faces (the
    layout engine falls back from family to family, never from face to
    face). The error names the character as ``U+XXXX 'c' (NAME)`` and points
    at the source line (or the labels file of ``project``) where it first occurs.
    """
    covered = frozenset().union(*(coverage(family.faces) for family in families))
    faces = tuple(face for family in families for face in family.faces)

    def missing(text: str) -> str | None:
        for char in text:
            if char not in _INVISIBLE and ord(char) not in covered:
                return char
        return None

    for text, line in chapter_texts(chapter):
        char = missing(text)
        if char is not None:
            raise DocbuildError(_message(char, faces), chapter.path, line)
    if labels is not None:
        for text in _label_texts(labels):
            char = missing(text)
            if char is not None:
                where = project.layouts / "labels" / f"{labels.lang}.toml" if project else None
                raise DocbuildError(_message(char, faces), where)
    char = missing(LAYOUT_CHARACTERS)
    if char is not None:
        raise DocbuildError(_message(char, faces), faces[0].path.parent)


@lru_cache(maxsize=32)
def subset(path: Path, text: str) -> bytes:
    """The font reduced to the glyphs ``text`` needs, for editions that carry their fonts.

    An EPUB read on a phone should not weigh a megabyte of glyphs it never
    shows. Printable ASCII is always kept, and so are every OpenType layout
    feature and every name record, so kerning, ligatures and the licence
    notice survive. HarfBuzz's subsetter (uharfbuzz) does this in about a
    millisecond a face, where fontTools takes most of a second, and gives the
    same bytes for the same text.
    """
    import uharfbuzz as hb

    request = hb.SubsetInput()
    for char in set(text) | {chr(code) for code in range(0x20, 0x7F)}:
        request.unicode_set.add(ord(char))
    for kept in (hb.SubsetInputSets.LAYOUT_FEATURE_TAG, hb.SubsetInputSets.NAME_ID, hb.SubsetInputSets.NAME_LANG_ID):
        everything = request.sets(kept)
        everything.clear()  # drop HarfBuzz's default selection, then keep all
        everything.invert()
    face = hb.Face(hb.Blob(path.read_bytes()))
    return bytes(hb.subset(face, request).blob.data)


def edition_text(chapter: Chapter, labels: Labels) -> str:
    """Every character an edition of the chapter can show: its texts, its labels, layout additions."""
    return "".join([*(text for text, _ in chapter_texts(chapter)), *_label_texts(labels), LAYOUT_CHARACTERS])


def _message(char: str, faces: tuple[FontFace, ...]) -> str:
    name = unicodedata.name(char, "unnamed character")
    fonts = ", ".join(dict.fromkeys(face.path.name for face in faces))
    return f"character U+{ord(char):04X} '{char}' ({name}) has no glyph in the fonts ({fonts}); replace it or add a font that has it"
