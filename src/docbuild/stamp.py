"""Marks translated blocks as up to date with the original (``src=`` fingerprints).

A translator runs this after revising a paragraph; the build then stops
reporting it as stale. It is the only code that edits a source file, and only
the ``{#id ...}`` attribute lines, written back atomically.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import DocbuildError
from .output import write_atomic
from .project import Project
from .reader import current_fingerprints, read_chapter_set

#: A block's attribute line: ``{#id}``, ``{#id src=…}``, ``{#id .header-column}``, ``{#id .header-column src=…}``
#: (classes and ``src=`` in either order). Group 2 holds what follows the id.
_ATTR_LINE = re.compile(r"^\{#([a-z][a-z0-9-]*)((?:\s+(?:\.[A-Za-z][\w-]*|src=[0-9a-f]*))*)\s*\}(\s*)$")
_SRC = re.compile(r"\s*\bsrc=[0-9a-f]*")


def _stamped(match: re.Match, fingerprint: str) -> str:
    """The attribute line with ``src=`` set to ``fingerprint``, classes kept in their place."""
    rest = _SRC.sub("", match.group(2)).strip()
    return f"{{#{match.group(1)}{' ' + rest if rest else ''} src={fingerprint}}}{match.group(3)}"


def stamp(project: Project | Path | str, chapter_id: str, lang: str, ids: list[str] | None = None) -> list[str]:
    """Set ``src=`` on the blocks of variant ``lang``; return one line per change."""
    if not isinstance(project, Project):
        project = Project.at(project)
    folder = project.source / chapter_id
    if not folder.is_dir():
        raise DocbuildError(f"no chapter named '{chapter_id}'", project.source)
    chapter_set = read_chapter_set(folder, project)
    try:
        variant = chapter_set.variant(lang)
    except KeyError:
        raise DocbuildError(f"chapter '{chapter_id}' has no '{lang}' variant", folder) from None
    if variant.translation_of is None:
        raise DocbuildError(f"{variant.path.name} is the original; stamp its translations instead", variant.path)
    hashes = current_fingerprints(chapter_set, project)
    unknown = set(ids or ()) - set(hashes)
    if unknown:
        raise DocbuildError(f"no block with id {', '.join(sorted(unknown))}", variant.path)
    lines = variant.path.read_text(encoding="utf-8").split("\n")
    changes = []
    for number, line in enumerate(lines):
        match = _ATTR_LINE.match(line)
        if not match or match.group(1) not in hashes or (ids and match.group(1) not in ids):
            continue
        block_id = match.group(1)
        new = _stamped(match, hashes[block_id])
        if new != line:
            lines[number] = new
            changes.append(f"{variant.path}:{number + 1}: {block_id} src={hashes[block_id]}")
    if changes:
        write_atomic(variant.path, "\n".join(lines).encode("utf-8"))
    return changes
