"""Prepares the chapter photo for publication: sRGB, sized, metadata stripped.

A protest photo's EXIF and GPS data can identify where it was taken and by
whom, so no edition ever embeds the source file as it is: every writer takes
the bytes from :func:`prepare_photo`, which re-encodes the pixels alone.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageCms, UnidentifiedImageError

from .errors import DocbuildError

#: Printed width of the photo (the text block of an A4 page), in millimetres.
PRINT_WIDTH_MM = 166
PRINT_DPI = 300


@lru_cache(maxsize=8)
def prepare_photo(path: Path, max_width_px: int = round(PRINT_WIDTH_MM / 25.4 * PRINT_DPI)) -> bytes:
    """The photo as a baseline JPEG in sRGB, at most ``max_width_px`` wide, no metadata."""
    try:
        with Image.open(path) as source:
            source.load()
            image = _to_srgb(source)
    except (OSError, UnidentifiedImageError) as exc:
        raise DocbuildError(f"cannot read the image: {exc}", path) from None
    if image.width > max_width_px:
        height = round(image.height * max_width_px / image.width)
        image = image.resize((max_width_px, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif=, icc_profile= or comment: Pillow writes none of them unless asked.
    image.save(out, "JPEG", quality=85, optimize=True, progressive=False, dpi=(PRINT_DPI, PRINT_DPI))
    return out.getvalue()


def _to_srgb(image: Image.Image) -> Image.Image:
    profile = image.info.get("icc_profile")
    if profile:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        srgb = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
    return image.convert("RGB")
