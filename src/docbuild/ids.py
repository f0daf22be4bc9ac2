"""Adds the missing ``{#id}`` lines to a chapter source (``docbuild ids``).

Text pasted from a word processor or a web page has no ids, and the reader
refuses a block without one. This command gives every block that stands
directly in the body or in a section an id line of its own:

- in the original-language variant, an id made from the block's first words
  (a section's from its heading): ASCII, lower-case, hyphens, at most five
  words and 40 characters, unique in the file and never one of the ids
  docbuild reserves; Cyrillic is transliterated, and a block with no usable
  words gets ``<kind>-<n>``;
- in a translation, the original's id at the same position, provided the
  blocks line up kind by kind (it refuses otherwise, and changes nothing).

It works on markdown-it tokens (their ``.map`` line ranges), not on the
model, because the reader cannot read a file whose ids are missing. Every
other byte of the file is kept; the file is written atomically, and only if
an id was added, so a second run changes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it.token import Token

from .errors import DocbuildError
from .output import write_atomic
from .project import Project
from .reader import _MD
from .reader.blocks import _BLOCK_NAMES, _TABLE_CAPTION, ID, RESERVED_IDS, RESERVED_PREFIXES

MAX_WORDS = 5
MAX_LENGTH = 40
#: ``<kind>-<n>`` for a block without usable words; ``section-`` is reserved, so sections take ``part-``.
_FALLBACK = {"section": "part"}
_ATTRIBUTE_LINE = re.compile(r"^\s*\{([^{}]*)\}\s*$")

#: Russian and Kazakh Cyrillic to ASCII (a simplified ICAO/BGN scheme: ids only need to be readable).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
}


def slug(text: str) -> str:
    """An id from the first words of ``text`` ('' if it has no letters to make one from)."""
    text = "".join(_CYRILLIC.get(char, char) for char in text.lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"['\u2019]", "", text)
    words = re.findall(r"[a-z0-9]+", text)
    while words and not words[0][0].isalpha():
        words.pop(0)  # an id starts with a letter: "2021 Elections" -> "elections"
    kept: list[str] = []
    for word in words[:MAX_WORDS]:
        if len("-".join(kept + [word])) > MAX_LENGTH:
            break
        kept.append(word)
    if not kept and words:
        kept = [words[0][:MAX_LENGTH]]
    return "-".join(kept)


def reserved(block_id: str) -> bool:
    return block_id in RESERVED_IDS or block_id.startswith(RESERVED_PREFIXES)


@dataclass
class _Block:
    """A block that needs an id, as the tokens show it."""

    kind: str
    id: str | None
    #: 0-based index of the block's first line.
    start: int
    #: 0-based index of an attribute line above it without an id (``{.header-column}``), or None.
    attributes: int | None
    words: str

    @property
    def line(self) -> int:
        return self.start + 1


@dataclass
class _Source:
    path: Path
    text: str
    translation_of: str | None
    blocks: list[_Block] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def _end(tokens: list[Token], index: int) -> int:
    depth = 0
    for position in range(index, len(tokens)):
        depth += tokens[position].nesting
        if depth == 0:
            return position + 1
    return len(tokens)


def _words(tokens: list[Token]) -> str:
    """The text of the first inline token among ``tokens``, without markup or note references."""
    inline = next((t for t in tokens if t.type == "inline"), None)
    if inline is None:
        return ""
    return " ".join(
        child.content for child in inline.children or [] if child.type in ("text", "code_inline")
    )


def _is_caption(tokens: list[Token], index: int) -> bool:
    return tokens[index].type == "paragraph_open" and tokens[index + 1].content.lstrip().startswith(("Table:", ":"))


def _read(path: Path) -> _Source:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DocbuildError("not valid UTF-8; save the file as UTF-8", path, line) from None
    tokens = _MD.parse(text)
    translation_of = None
    if tokens and tokens[0].type == "front_matter":
        try:
            # Only 'translation-of' is needed: read every value as text (no dates, no tags to construct).
            meta = yaml.load(tokens[0].content, Loader=yaml.BaseLoader)
        except (yaml.YAMLError, RecursionError) as exc:
            mark = getattr(exc, "problem_mark", None)
            raise DocbuildError(f"malformed front matter: {getattr(exc, 'problem', exc)}", path, mark.line + 2 if mark else 1) from None
        if isinstance(meta, dict) and meta.get("translation-of"):
            translation_of = str(meta["translation-of"])
        tokens = tokens[1:]
    source = _Source(path, text, translation_of)
    lines = source.lines
    index = 0
    while index < len(tokens):
        token = tokens[index]
        end = _end(tokens, index)
        kind = token.type.removesuffix("_open")
        if kind in _BLOCK_NAMES and token.map and not (kind == "paragraph" and _is_caption(tokens, index)):
            if kind == "paragraph" and tokens[index + 1].content.strip().startswith(":::"):
                index = end
                continue  # a stray ':::' line: the reader reports it
            name = "section" if kind == "heading" else str(token.info).strip() if kind == "container_div" else _BLOCK_NAMES[kind]
            words = _words(tokens[index:end])
            if kind == "table" and end < len(tokens) and _is_caption(tokens, end):
                words = _TABLE_CAPTION.sub("", tokens[end + 1].content, count=1)
            elif name == "figure":
                caption = next((l for l in lines[token.map[0]:token.map[1]] if l.startswith("caption:")), "")
                words = caption.removeprefix("caption:") or words
            block_id = token.attrs.get("id")
            attributes = None
            if block_id is None and token.attrs:
                above = token.map[0] - 1
                while above >= 0 and not lines[above].strip():
                    above -= 1
                if above >= 0 and _ATTRIBUTE_LINE.match(lines[above]):
                    attributes = above
            source.blocks.append(_Block(name, str(block_id) if block_id is not None else None, token.map[0], attributes, words))
        index = end
    return source


def _new_ids(source: _Source) -> dict[int, str]:
    """An id for every block of an original variant that lacks one, by position."""
    taken = {block.id for block in source.blocks if block.id is not None}
    counts: dict[str, int] = {}
    new: dict[int, str] = {}
    for position, block in enumerate(source.blocks):
        counts[block.kind] = counts.get(block.kind, 0) + 1
        if block.id is not None:
            continue
        prefix = _FALLBACK.get(block.kind, block.kind if ID.match(block.kind) else "block")
        base = slug(block.words) or f"{prefix}-{counts[block.kind]}"
        if reserved(base):
            base = slug(f"{prefix} {base}")  # "notes" -> "part-notes", "title-ix" -> "paragraph-title-ix"
        candidate, number = base, 1
        while candidate in taken or reserved(candidate):
            number += 1
            suffix = f"-{number}"
            candidate = base[: MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        taken.add(candidate)
        new[position] = candidate
    return new


def _copied_ids(source: _Source, original: _Source) -> dict[int, str]:
    """The original's ids for the blocks of a translation that lack one; refuse unless they line up."""
    there = original.path.name
    missing = [block for block in original.blocks if block.id is None]
    if missing:
        raise DocbuildError(
            f"{there} has blocks without ids (the first on line {missing[0].line}); "
            f"the original takes its ids first: run docbuild ids without --lang",
            source.path,
        )
    for position, (want, have) in enumerate(zip(original.blocks, source.blocks)):
        if want.kind != have.kind:
            raise DocbuildError(
                f"this {have.kind} stands where {there} has a {want.kind} ('{want.id}', line {want.line}); "
                f"the blocks must line up one to one with {there} before its ids can be copied",
                source.path,
                have.line,
            )
        if have.id is not None and have.id != want.id:
            raise DocbuildError(
                f"this {have.kind} has id '{have.id}' where {there} has '{want.id}' (line {want.line}); "
                "fix or remove the id, then run docbuild ids again",
                source.path,
                have.line,
            )
    if len(source.blocks) != len(original.blocks):
        if len(source.blocks) < len(original.blocks):
            want = original.blocks[len(source.blocks)]
            line = source.blocks[-1].line if source.blocks else None
            message = f"{there} has {len(original.blocks)} blocks, this file {len(source.blocks)}: its {want.kind} '{want.id}' (line {want.line}) and any after it have no counterpart here"
        else:
            extra = source.blocks[len(original.blocks)]
            line = extra.line
            message = f"this {extra.kind} and any after it have no counterpart in {there} ({len(original.blocks)} blocks, this file {len(source.blocks)})"
        raise DocbuildError(message + "; make the blocks line up, then run docbuild ids again", source.path, line)
    return {position: original.blocks[position].id for position, block in enumerate(source.blocks) if block.id is None}


def _write(source: _Source, new: dict[int, str]) -> list[str]:
    """Put the new ids into the file; one ``file:line: id`` line per id, with its line in the new file."""
    lines = source.lines
    added: list[tuple[int, int, str]] = []  # (0-based line index in the old file, lines inserted before it, id)
    for position in sorted(new, key=lambda p: source.blocks[p].start, reverse=True):
        block, block_id = source.blocks[position], new[position]
        if block.attributes is not None:
            line = lines[block.attributes]
            opening = line.index("{")
            lines[block.attributes] = f"{line[:opening + 1]}#{block_id} {line[opening + 1:].lstrip()}"
            added.append((block.attributes, 0, block_id))
            continue
        ending = "\r" if lines[block.start].endswith("\r") else ""
        insert = [f"{{#{block_id}}}{ending}"]
        if block.start > 0 and lines[block.start - 1].strip():
            insert.insert(0, ending)  # an id line right under text would continue that text
        lines[block.start:block.start] = insert
        added.append((block.start, len(insert), block_id))
    if not added:
        return []
    write_atomic(source.path, "\n".join(lines).encode("utf-8"))
    report = []
    shift = 0
    for index, inserted, block_id in sorted(added):
        report.append(f"{source.path}:{index + shift + inserted if inserted else index + shift + 1}: {block_id}")
        shift += inserted
    return report


def add_ids(project: Project | Path | str, chapter_id: str, lang: str | None = None) -> list[str]:
    """Add the missing ids of chapter ``chapter_id`` (of its ``lang`` variant only, if given).

    Without ``lang`` the original variant is done first, then every translation.
    Returns one ``file:line: id`` line per id added.
    """
    if not isinstance(project, Project):
        project = Project.at(project)
    folder = project.source / chapter_id
    if not folder.is_dir():
        raise DocbuildError(f"no chapter named '{chapter_id}'", project.source)
    paths = project.variant_files(chapter_id)
    if not paths:
        raise DocbuildError("no language variants (en.md, ru.md, ...) in this chapter folder", folder)
    if lang is not None and lang not in {p.stem for p in paths}:
        raise DocbuildError(f"chapter '{chapter_id}' has no '{lang}' variant", folder)
    sources = [_read(path) for path in paths]
    originals = [s for s in sources if s.translation_of is None]
    if len(originals) != 1:
        names = ", ".join(s.path.name for s in originals) or "none"
        raise DocbuildError(f"exactly one variant must be the original (without 'translation-of'); found: {names}", folder)
    original = originals[0]
    report: list[str] = []
    if lang is None or original.path.stem == lang:
        report += _write(original, _new_ids(original))
        original = _read(original.path)
    for source in sources:
        if source.translation_of is None or (lang is not None and source.path.stem != lang):
            continue
        if source.translation_of != original.path.stem:
            raise DocbuildError(f"'translation-of: {source.translation_of}' but the original is {original.path.name}", source.path, 2)
        report += _write(source, _copied_ids(source, original))
    return report
