"""Reading a zip container (EPUB, DOCX) that may have been made to hurt its reader.

``docbuild check`` reads files it did not necessarily build. A few megabytes
of zip can unpack to gigabytes (a "zip bomb"), so entries are streamed with a
running count, and the archive is refused, as a failed check, once it passes
a cap on any entry, on the total, or on the compression ratio of a large
entry. The caps are far above any real edition: the largest DOCX, with its
embedded fonts, unpacks to about 5 MB.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

#: Bytes one entry may unpack to.
MAX_ENTRY = 64 * 1024 * 1024
#: Bytes all entries together may unpack to.
MAX_TOTAL = 256 * 1024 * 1024
#: The highest compression ratio allowed for an entry that unpacks to more than RATIO_FLOOR bytes.
MAX_RATIO = 200
RATIO_FLOOR = 1024 * 1024
_CHUNK = 1024 * 1024


class ZipBombError(zipfile.BadZipFile):
    """The archive unpacks to more than a real edition could; it is not read further."""


def read_parts(path: Path) -> dict[str, bytes]:
    """Every entry of the zip at ``path``, name -> bytes, within the caps above."""
    parts: dict[str, bytes] = {}
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            chunks = []
            size = 0
            with archive.open(info) as stream:
                while chunk := stream.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if size > MAX_ENTRY or total > MAX_TOTAL:
                        raise ZipBombError(f"'{info.filename}' unpacks to more than an edition can hold; not read further")
                    if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
                        raise ZipBombError(f"'{info.filename}' is compressed more than {MAX_RATIO}:1; not read further")
                    chunks.append(chunk)
            parts[info.filename] = b"".join(chunks)
    return parts
