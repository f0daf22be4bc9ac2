"""A content-addressed cache of built editions, in ``.docbuild-cache/``.

For each job key it records the sha256 of the file produced (and, for an A4
PDF, the page on which each block starts, which the EPUB page-list needs);
the bytes themselves are kept once per content hash, so an edition deleted
from ``dist/`` or asked for in another ``--out`` folder is restored without
rebuilding.

Nothing is trusted on the way out: a record of the wrong shape is a miss,
and an object is hashed again when it is restored, so a corrupted or
truncated object is dropped and rebuilt (and said so in ``problems``),
never copied over a good edition.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .output import write_atomic
from .plan import Job


_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class Cache:
    def __init__(self, folder: Path):
        self.folder = folder
        #: What was found wrong in the cache during this build, one line each (for the CLI to show).
        self.problems: list[str] = []

    def _record_path(self, kind: str, key: str) -> Path:
        return self.folder / kind / f"{key}.json"

    def _read(self, kind: str, key: str) -> dict | None:
        try:
            record = json.loads(self._record_path(kind, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def _write(self, kind: str, key: str, record: dict) -> None:
        write_atomic(self._record_path(kind, key), json.dumps(record, sort_keys=True).encode())

    def record(self, job: Job) -> dict | None:
        """What an earlier build of exactly these inputs produced, if the bytes are still here."""
        record = self._read("jobs", job.key)
        if record is None or not isinstance(record.get("sha256"), str) or not _DIGEST.match(record["sha256"]):
            return None
        if not self._blob(record["sha256"]).is_file():
            return None
        return record

    def cached(self, job: Job) -> bytes | None:
        """The edition an earlier build of exactly these inputs produced, verified; None if the job must run."""
        record = self.record(job)
        if record is None:
            return None
        blob = self._blob(record["sha256"])
        try:
            data = blob.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != record["sha256"]:
            self.problems.append(f"cache object for {job.file_name} was corrupt; it is rebuilt ({blob})")
            blob.unlink(missing_ok=True)
            self._record_path("jobs", job.key).unlink(missing_ok=True)
            return None
        return data

    def store(self, job: Job, data: bytes, extra: dict | None = None) -> None:
        digest = hashlib.sha256(data).hexdigest()
        blob = self._blob(digest)
        if not blob.is_file():
            write_atomic(blob, data)
        self._write("jobs", job.key, {"sha256": digest, "file": job.file_name, **(extra or {})})

    def _blob(self, digest: str) -> Path:
        return self.folder / "objects" / digest[:2] / digest

    def stale(self, key: str) -> list[dict] | None:
        record = self._read("stale", key)
        return None if record is None else record["stale"]

    def store_stale(self, key: str, stale: list[dict]) -> None:
        self._write("stale", key, {"stale": stale})
