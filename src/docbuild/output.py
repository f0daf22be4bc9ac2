"""Writing editions so that a failed build never destroys a good one.

One build is one transaction: :func:`write_all` writes every new edition to
a temporary file beside its target first, and only when all of them are
safely on disk renames them into place. A full disk, a read-only folder or
a kill during the writes leaves the previous editions as they were, never a
mixed set; the temporary files of a killed build are removed by the next
one (:func:`remove_leftovers`).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .errors import DocbuildError

#: Temporary files are named ``.<target>.<pid>.<random>.tmp``, so the next build
#: can tell the leftovers of a dead process from the files of a running one.
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")


def _temporary(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename.

    Readers of ``path`` see either the old file or the complete new one, never
    a half-written file, even if the process is killed mid-write.
    """
    write_all({path: data})


def write_all(files: dict[Path, bytes]) -> None:
    """Write every file, or none: all to temporary files first, then rename each into place.

    An error while writing (a full disk, no permission, a folder where a file
    should be) is a :class:`DocbuildError` naming the path and the cause, and
    no target has changed.
    """
    written: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            if path.is_dir():
                raise DocbuildError("cannot write the edition: a folder is in its place", path)
            written.append((_temporary(path, data), path))
    except OSError as error:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        raise DocbuildError(f"cannot write: {error.strerror or error}", error.filename or path) from None
    except BaseException:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        raise
    try:
        for tmp, path in written:
            os.replace(tmp, path)
    except OSError as error:
        for tmp, _ in written:
            tmp.unlink(missing_ok=True)
        raise DocbuildError(f"cannot write: {error.strerror or error}", path) from None


def remove_leftovers(folder: Path) -> list[Path]:
    """Delete temporary files a killed build left in ``folder``; return them."""
    removed = []
    if not folder.is_dir():
        return removed
    for candidate in folder.iterdir():
        match = _TEMPORARY.match(candidate.name)
        if match and not _alive(int(match.group(1))) and candidate.is_file():
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
