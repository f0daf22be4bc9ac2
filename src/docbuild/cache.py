"""A content-addressed cache of built editions, in ``.docbuild-cache/``.

For each job key it records the sha256 of the file produced (and, for an A4
PDF, the page on which each block starts, which the EPUB page-list needs);
the bytes themselves are kept once per content hash, so an edition deleted
from ``dist/`` or asked for in another ``--out`` folder is restored without
rebuilding.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .output import write_atomic
from .plan import Job


class Cache:
    def __init__(self, folder: Path):
        self.folder = folder

    def _record_path(self, kind: str, key: str) -> Path:
        return self.folder / kind / f"{key}.json"

    def _read(self, kind: str, key: str) -> dict | None:
        try:
            return json.loads(self._record_path(kind, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _write(self, kind: str, key: str, record: dict) -> None:
        write_atomic(self._record_path(kind, key), json.dumps(record, sort_keys=True).encode())

    def record(self, job: Job) -> dict | None:
        """What an earlier build of exactly these inputs produced, if the bytes are still here."""
        record = self._read("jobs", job.key)
        if record is None or not self._blob(record["sha256"]).is_file():
            return None
        return record

    def restore(self, job: Job, target: Path) -> bool:
        """Put the cached edition at ``target`` (if needed); False if the job must run."""
        record = self.record(job)
        if record is None:
            return False
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == record["sha256"]:
            return True
        write_atomic(target, self._blob(record["sha256"]).read_bytes())
        return True

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
