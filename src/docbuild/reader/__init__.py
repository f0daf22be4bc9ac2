"""Reads chapter sources (Markdown with YAML front matter) into the model.

This package is the only code that knows the source syntax (see
``source/README.md``): ``frontmatter`` reads the metadata and figure fields,
``inlines`` the text inside a block, ``blocks`` the tree of blocks and notes.
It validates as it reads and reports every problem of a file in one error,
each with the file and line it comes from, instead of letting it surface
later as a broken edition. Anything it does not understand is an error,
never literal Markdown in an edition.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from .. import languages
from ..errors import DocbuildError
from ..model import Chapter, ChapterSet, Inline, StaleTranslation
from ..project import Project
from . import frontmatter
from .blocks import ID, BlockReader, Record, fingerprint
from .frontmatter import Located
from .inlines import Inlines

__all__ = ["read_chapter", "read_chapter_set", "read_project", "current_fingerprints", "fingerprint", "Record"]


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": False, "linkify": True})
    md.use(front_matter_plugin).use(attrs_block_plugin).use(attrs_plugin, spans=True).use(footnote_plugin)
    # One container for every '::: name' block, so an unknown name is an error, not literal text.
    md.use(container_plugin, "div", validate=lambda params, *args: bool(params.strip()))
    md.enable(["table", "linkify"])
    return md


_MD = _markdown()


def inline_text(item: Located, key: str, path: Path, lang: str) -> tuple[Inline, ...]:
    """A front matter or figure field that takes inline markup (caption, credit)."""
    text = frontmatter.string(item, key, path)
    tokens = _MD.parseInline(text)
    return Inlines(path, item.line, lang).build(tokens[0].children or [])


def read_chapter(path: Path, project: Project) -> tuple[Chapter, list[Record]]:
    """Read one language variant; also return its identified blocks for alignment."""
    lang = path.stem
    if not languages.is_known(lang):
        raise DocbuildError(f"unknown language code '{lang}' in the file name; name variants like en.md or ru.md", path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DocbuildError("not valid UTF-8; save the file as UTF-8", path, line) from None
    except OSError as exc:
        raise DocbuildError(f"cannot read: {exc.strerror}", path) from None
    tokens = _MD.parse(text)
    front = tokens[0] if tokens and tokens[0].type == "front_matter" else None
    meta = frontmatter.front_matter(front.content if front else None, path)
    errors: list[DocbuildError] = []

    def attempt(function, *args):
        try:
            return function(*args)
        except DocbuildError as error:
            errors.extend(error.errors)
            return None

    metadata = attempt(frontmatter.metadata, meta, path, lang)
    translation_of = None
    if "translation-of" in meta:
        translation_of = attempt(frontmatter.string, meta["translation-of"], "translation-of", path)
        if translation_of is not None and not languages.is_known(translation_of):
            errors.append(DocbuildError(f"unknown language code '{translation_of}'", path, meta["translation-of"].line))
    figure = None
    if "figure" in meta:
        item = meta["figure"]
        if not isinstance(item.value, dict):
            errors.append(DocbuildError("'figure' must hold src, alt, caption and credit", path, item.line))
        else:
            figure = attempt(
                frontmatter.figure, item.value, item.line, path, lang, project,
                lambda field, key: inline_text(field, key, path, lang),
            )
    reader = BlockReader(path, lang, project, tokens[1:] if front else tokens, text.split("\n"))
    blocks, notes = reader.read()
    errors.extend(reader.errors)
    if errors:
        raise DocbuildError.combine(errors)
    chapter = Chapter(
        id=path.parent.name,
        lang=lang,
        meta=metadata,
        figure=figure,
        blocks=blocks,
        notes=notes,
        path=path,
        translation_of=translation_of,
    )
    return chapter, reader.records


def _align(original: list[Record], original_path: Path, variant: list[Record], variant_path: Path) -> None:
    """Refuse a translation whose blocks are missing, extra or out of order."""
    original_ids = [(b.kind, b.id) for b in original]
    variant_ids = [(b.kind, b.id) for b in variant]
    for position, (want, have) in enumerate(zip(original_ids, variant_ids)):
        if want == have:
            continue
        block = variant[position]
        if have not in original_ids:
            raise DocbuildError(f"{have[0]} '{have[1]}' is not in {original_path.name}; remove it or add it there first", variant_path, block.line)
        if want not in variant_ids:
            raise DocbuildError(f"{want[0]} '{want[1]}' of {original_path.name} is missing here (expected before this line)", variant_path, block.line)
        raise DocbuildError(f"{have[0]} '{have[1]}' is out of order: {original_path.name} has '{want[1]}' here", variant_path, block.line)
    if len(variant_ids) < len(original_ids):
        want = original_ids[len(variant_ids)]
        last = variant[-1].line if variant else 1
        raise DocbuildError(f"{want[0]} '{want[1]}' of {original_path.name} is missing here (expected after line {last})", variant_path, last)
    if len(variant_ids) > len(original_ids):
        block = variant[len(original_ids)]
        raise DocbuildError(f"{block.kind} '{block.id}' is not in {original_path.name}; remove it or add it there first", variant_path, block.line)


def _align_nested(original: Chapter, variant: Chapter) -> None:
    """Refuse a translation whose lists, tables and notes differ in shape from the original's.

    Nested blocks have no ids; they align by position, so a list with one
    item fewer, or a note missing, is an error here rather than a silent gap.
    """
    shapes = {}
    for block in original.walk():
        if block.id is not None:
            shapes[block.id] = _shape(block)
    for block in variant.walk():
        if block.id is not None and block.id in shapes and _shape(block) != shapes[block.id]:
            raise DocbuildError(
                f"'{block.id}' does not match {original.path.name}: {_shape(block)} here, {shapes[block.id]} there",
                variant.path,
                block.line,
            )
    want = [n.label for n in original.notes]
    have = [n.label for n in variant.notes]
    if want != have:
        raise DocbuildError(
            f"notes do not match {original.path.name}: it refers to [^{'], [^'.join(want)}] in this order, this file to [^{'], [^'.join(have)}]",
            variant.path,
        )


def _shape(block) -> str:
    """A short description of a block's nested structure: what position alignment compares."""
    from ..model import BlockQuote, Box, Figure, List, Table, children

    if isinstance(block, List):
        return f"a list of {len(block.items)} items [" + "; ".join(",".join(_shape(b) for b in item.blocks) for item in block.items) + "]"
    if isinstance(block, Table):
        return f"a table of {len(block.rows)} rows x {len(block.header)} columns"
    if isinstance(block, (BlockQuote, Box, Figure)):
        inner = children(block)
        return f"{type(block).__name__.lower()} of {len(inner)} blocks [" + ",".join(_shape(b) for b in inner) + "]"
    return type(block).__name__.lower()


def read_chapter_set(folder: Path, project: Project) -> ChapterSet:
    """Read every language variant of a chapter and check that they align."""
    paths = project.variant_files(folder.name)
    if not paths:
        raise DocbuildError("no language variants (en.md, ru.md, ...) in this chapter folder", folder)
    if not ID.match(folder.name):
        raise DocbuildError("a chapter folder name is its id: lower-case letters, digits and hyphens", folder)
    read, errors = [], []
    for path in paths:
        try:
            read.append(read_chapter(path, project))
        except DocbuildError as error:
            errors.append(error)
    if errors:
        raise DocbuildError.combine(errors)
    originals = [(c, b) for c, b in read if c.translation_of is None]
    if len(originals) != 1:
        names = ", ".join(c.path.name for c, _ in originals) or "none"
        raise DocbuildError(
            f"exactly one variant must be the original (without 'translation-of'); found: {names}", folder
        )
    original, original_blocks = originals[0]
    hashes = {b.id: fingerprint(b.source) for b in original_blocks}
    stale: list[StaleTranslation] = []
    for chapter, blocks in read:
        if chapter is original:
            continue
        if chapter.translation_of != original.lang:
            raise DocbuildError(f"'translation-of: {chapter.translation_of}' but the original is {original.path.name}", chapter.path, 2)
        _align(original_blocks, original.path, blocks, chapter.path)
        _align_nested(original, chapter)
        if (original.figure is None) != (chapter.figure is None):
            raise DocbuildError(f"the figure must be in every variant or in none (see {original.path.name})", chapter.path, 2)
        stale.extend(
            StaleTranslation(folder.name, chapter.lang, b.id, chapter.path, b.line, b.translated_from)
            for b in blocks
            if b.translated_from != hashes[b.id]
        )
    return ChapterSet(folder.name, tuple(c for c, _ in read), tuple(stale))


def read_project(project: Project, chapters: list[str] | None = None) -> list[ChapterSet]:
    """Every chapter under ``source/`` (or those named), each with all its variants."""
    sets, errors = [], []
    for chapter in project.chapter_ids(chapters):
        try:
            sets.append(read_chapter_set(project.source / chapter, project))
        except DocbuildError as error:
            errors.append(error)
    if errors:
        raise DocbuildError.combine(errors)
    return sets


def current_fingerprints(chapter_set: ChapterSet, project: Project) -> dict[str, str]:
    """The fingerprint of every block of the original variant, by id."""
    original = next(c for c in chapter_set.variants if c.translation_of is None)
    _, blocks = read_chapter(original.path, project)
    return {b.id: fingerprint(b.source) for b in blocks}
