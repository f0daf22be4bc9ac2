"""Prepares images for publication: sRGB, flattened onto white, sized, metadata stripped.

A protest photo's EXIF and GPS data can identify where it was taken and by
whom, so no edition ever embeds a source file as it is: every writer takes
the bytes from :func:`prepare_image`, which re-encodes the pixels alone.
Transparency is flattened onto white (a chart drawn on a transparent
background would otherwise turn black where a format or reader drops the
alpha channel). Photos stay JPEG; PNG sources (charts, maps: flat colours
and lines) stay PNG, losslessly.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageCms, UnidentifiedImageError

from .errors import DocbuildError

#: Printed width of an image (the text block of an A4 page), in millimetres.
PRINT_WIDTH_MM = 166
PRINT_DPI = 300
#: The most pixels an image may have, checked before decoding: a larger one
#: is refused rather than allowed to exhaust memory (a "decompression bomb").
#: The reader checks it when it reads the figure (:func:`check_image`), so the
#: error names the source line; :func:`prepare_image` checks again.
MAX_PIXELS = 60_000_000
_BOMB_PIXELS = re.compile(r"Image size \((\d+) pixels\)")


def _too_many_pixels(pixels: int, size: str = "") -> str:
    return (
        f"has {pixels:,} pixels{size}; docbuild takes at most "
        f"{MAX_PIXELS // 1_000_000} million pixels: scale it down"
    )


def check_image(path: Path) -> tuple[int, int, str]:
    """The width, height and format (``JPEG``, ``PNG``...) of an image, from its header only.

    Nothing is decoded: an image of more than :data:`MAX_PIXELS` pixels, or
    a file Pillow cannot identify, is a :class:`DocbuildError` (without a
    line; the reader adds the line of the figure's ``src``).
    """
    try:
        with Image.open(path) as image:
            width, height, kind = image.width, image.height, image.format or ""
    except Image.DecompressionBombError as exc:
        # Pillow refuses, already in the header read, beyond twice its own limit.
        match = _BOMB_PIXELS.search(str(exc))
        raise DocbuildError(_too_many_pixels(int(match.group(1))) if match else f"is too large: {exc}", path) from None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError) as exc:
        raise DocbuildError(f"cannot be read as an image: {exc}", path) from None
    if width * height > MAX_PIXELS:
        raise DocbuildError(_too_many_pixels(width * height, f" ({width}x{height})"), path)
    return width, height, kind


@dataclass(frozen=True)
class PreparedImage:
    data: bytes
    media_type: str  # "image/jpeg" or "image/png"
    width: int
    height: int

    @property
    def extension(self) -> str:
        return "png" if self.media_type == "image/png" else "jpg"


@lru_cache(maxsize=32)
def prepare_image(path: Path, max_width_px: int = round(PRINT_WIDTH_MM / 25.4 * PRINT_DPI)) -> PreparedImage:
    """The image re-encoded in sRGB on white, at most ``max_width_px`` wide, without metadata."""
    check_image(path)
    try:
        with Image.open(path) as source:
            source.load()
            kind = source.format
            image = _on_white(_to_srgb(source))
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise DocbuildError(f"cannot read the image: {exc}", path) from None
    if image.width > max_width_px:
        height = round(image.height * max_width_px / image.width)
        image = image.resize((max_width_px, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif=, icc_profile= or comment: Pillow writes none of them unless asked.
    if kind == "PNG":
        image.save(out, "PNG", optimize=True, dpi=(PRINT_DPI, PRINT_DPI))
        media_type = "image/png"
    else:
        image.save(out, "JPEG", quality=85, optimize=True, progressive=False, dpi=(PRINT_DPI, PRINT_DPI))
        media_type = "image/jpeg"
    return PreparedImage(out.getvalue(), media_type, image.width, image.height)


def prepare_photo(path: Path, max_width_px: int = round(PRINT_WIDTH_MM / 25.4 * PRINT_DPI)) -> bytes:
    """The bytes of :func:`prepare_image` (kept for callers that need only the bytes)."""
    return prepare_image(path, max_width_px).data


def _to_srgb(image: Image.Image) -> Image.Image:
    """The image in sRGB, keeping its alpha channel if it has one."""
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    has_alpha = image.mode in ("RGBA", "LA", "PA")
    profile = image.info.get("icc_profile")
    if profile:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        srgb = ImageCms.createProfile("sRGB")
        mode = "RGBA" if has_alpha else "RGB"
        return ImageCms.profileToProfile(image.convert(mode), source, srgb, outputMode=mode)
    return image.convert("RGBA" if has_alpha else "RGB")


def _on_white(image: Image.Image) -> Image.Image:
    """An RGB image, any transparency composited onto white."""
    if image.mode != "RGBA":
        return image
    white = Image.new("RGBA", image.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, image).convert("RGB")
