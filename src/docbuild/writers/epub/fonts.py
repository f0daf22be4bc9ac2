"""The EPUB's fonts: a subset of each family the edition needs, and the stylesheet that declares them.

Which families an edition needs comes from its language's script and the
scripts its text uses (``docbuild.fonts.edition_families``), so an Arabic
chapter carries Noto Naskh Arabic and, for its English spans, Noto Serif; an
English chapter carries only Noto Serif. ``layouts/epub.css`` sets the
layout and names no font: ``css/fonts.css``, written here, comes first.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...fonts import FontFamily, subset
from .content import relative
from .names import FONTS_CSS


@dataclass(frozen=True)
class FontFile:
    name: str  # in the package, "fonts/NotoSerif-Regular.ttf"
    data: bytes


def font_files(families: tuple[FontFamily, ...], text: str) -> list[FontFile]:
    """Each distinct face file, subset to ``text`` (a family without italics uses its upright files twice)."""
    seen: dict[str, FontFile] = {}
    for family in families:
        for face in family.faces:
            name = f"fonts/{face.path.name}"
            if name not in seen:
                seen[name] = FontFile(name, subset(face.path, text))
    return list(seen.values())


def font_css(families: tuple[FontFamily, ...]) -> bytes:
    """``@font-face`` for every face, then the body's family list: the language's script's family first."""
    rules = []
    for family in families:
        for face in family.faces:
            rules.append(
                "@font-face {\n"
                f'  font-family: "{family.name}";\n'
                f"  font-style: {face.style};\n"
                f"  font-weight: {'bold' if face.weight == 700 else 'normal'};\n"
                f'  src: url("{relative(f"fonts/{face.path.name}", FONTS_CSS)}");\n'
                "}\n"
            )
    stack = ", ".join(f'"{family.name}"' for family in families)
    rules.append(f"body {{\n  font-family: {stack}, serif;\n}}\n")
    return ("/* The edition's fonts (docbuild.writers.epub.fonts); the layout is epub.css. */\n" + "".join(rules)).encode()
