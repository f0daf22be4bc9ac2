"""The EPUB's cover image: the title, subtitle and publisher drawn in the edition's type.

A library shows a book by its cover image, so the cover must carry the
title even while the lead photo is a placeholder (a photo alone gives a
shelf of blank-looking thumbnails). The cover is drawn with Pillow in the
vendored Noto Serif (``fonts/``), the lead photo (if any) across its upper
part, and the words on white below it; the bytes are the same for the same
chapter (no clock, no metadata, Pillow's basic text layout).

The cover page shows this image with a short alt text naming the title
(label ``cover_alt``), never the photo's description: that is read once, in
the chapter, where the photo is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

from ...edition import Edition
from ...errors import DocbuildError
from ...images import PreparedImage, prepare_image
from ...fonts import font_faces
from ...scripts import load_scripts

#: Size of the cover in pixels (2:3, as reading systems and stores expect).
WIDTH, HEIGHT = 1200, 1800
MARGIN = 96
#: Share of the height the lead photo takes.
PHOTO_SHARE = 0.5
INK = (20, 24, 31)
RULE = (160, 29, 35)
PAPER = (255, 255, 255)


@dataclass(frozen=True)
class _Line:
    text: str
    font: ImageFont.FreeTypeFont


#: (weight, style) of each face the cover uses.
_STYLES = {"Regular": (400, "normal"), "Italic": (400, "italic"), "Bold": (700, "normal")}


def _font(edition: Edition, style: str, size: int, text: str) -> ImageFont.FreeTypeFont:
    """The face of the family of ``text``'s script (``layouts/scripts.toml``) in ``style``.

    A complex script (Arabic) is laid out with Raqm, which shapes and joins
    its letters and orders a right-to-left line; the others keep Pillow's
    basic layout, whose output does not depend on the libraries installed.
    """
    scripts = load_scripts(edition.project.layouts)
    script = next(iter(scripts.used(text)), None) or scripts.get(edition.language.script)
    faces = font_faces(edition.project, script.family("serif"), script.italic)
    path = next(face.path for face in faces if (face.weight, face.style) == _STYLES[style])
    engine = ImageFont.Layout.RAQM if script.complex else ImageFont.Layout.BASIC
    try:
        return ImageFont.truetype(str(path), size, layout_engine=engine)
    except OSError as exc:
        raise DocbuildError(f"cannot read the cover's font: {exc}", path) from None


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``text`` in lines no wider than ``width``, broken at ordinary spaces only (a no-break space holds)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fitted(edition: Edition, style: str, text: str, size: int, width: int, max_lines: int) -> list[_Line]:
    """``text`` wrapped in the largest size up to ``size`` that fits in ``max_lines`` lines of ``width``."""
    while True:
        font = _font(edition, style, size, text)
        lines = _wrap(" ".join(text.split(" ")), font, width)
        if (len(lines) <= max_lines and all(font.getlength(line) <= width for line in lines)) or size <= 24:
            return [_Line(line, font) for line in lines]
        size -= 4


def _photo(edition: Edition, height: int) -> Image.Image | None:
    figure = edition.chapter.figure
    if figure is None:
        return None
    prepared = prepare_image(figure.image)
    with Image.open(io.BytesIO(prepared.data)) as source:
        photo = source.convert("RGB")
    # Fill the band, cropping the middle of the photo (scale to cover, then crop).
    scale = max(WIDTH / photo.width, height / photo.height)
    size = (max(WIDTH, round(photo.width * scale)), max(height, round(photo.height * scale)))
    photo = photo.resize(size, Image.Resampling.LANCZOS)
    left, top = (size[0] - WIDTH) // 2, (size[1] - height) // 2
    return photo.crop((left, top, left + WIDTH, top + height))


def cover_image(edition: Edition) -> PreparedImage:
    """The cover as a JPEG (over the lead photo) or a PNG (words only), deterministic bytes."""
    meta = edition.chapter.meta
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    photo = _photo(edition, round(HEIGHT * PHOTO_SHARE))
    top = MARGIN
    if photo is not None:
        image.paste(photo, (0, 0))
        top = photo.height + MARGIN
    else:
        draw.rectangle((0, 0, WIDTH, MARGIN // 3), fill=RULE)
        top = round(HEIGHT * 0.22)
    text_width = WIDTH - 2 * MARGIN
    title = _fitted(edition, "Bold", meta.title, 112, text_width, 3)
    subtitle = _fitted(edition, "Italic", meta.subtitle, 64, text_width, 3)
    publisher = _fitted(edition, "Regular", meta.publisher, 52, text_width, 2)

    rtl = edition.language.rtl

    def write(line: _Line, y: int) -> None:
        # Lines start at the right margin in a right-to-left language.
        if rtl:
            draw.text((WIDTH - MARGIN, y), line.text, font=line.font, fill=INK, anchor="ra")
        else:
            draw.text((MARGIN, y), line.text, font=line.font, fill=INK)

    y = top
    for line in title:
        write(line, y)
        y += round(line.font.size * 1.2)
    y += round(MARGIN * 0.35)
    rule_start = WIDTH - MARGIN - 160 if rtl else MARGIN
    draw.rectangle((rule_start, y, rule_start + 160, y + 10), fill=RULE)
    y += round(MARGIN * 0.6)
    for line in subtitle:
        write(line, y)
        y += round(line.font.size * 1.3)
    y = HEIGHT - MARGIN - sum(round(line.font.size * 1.3) for line in publisher)
    for line in publisher:
        write(line, y)
        y += round(line.font.size * 1.3)

    out = io.BytesIO()
    if photo is not None:
        image.save(out, "JPEG", quality=85, optimize=True, progressive=False)
        return PreparedImage(out.getvalue(), "image/jpeg", WIDTH, HEIGHT)
    image.save(out, "PNG", optimize=True)
    return PreparedImage(out.getvalue(), "image/png", WIDTH, HEIGHT)
