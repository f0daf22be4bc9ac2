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

from dataclasses import replace
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from .. import languages
from ..languages import Language
from ..errors import DocbuildError
from ..model import (
    Block,
    BlockQuote,
    Box,
    Chapter,
    ChapterSet,
    Figure,
    Inline,
    List,
    NoteRef,
    Paragraph,
    Section,
    StaleTranslation,
    Table,
    block_runs,
    block_runs_own,
    inline_nodes,
)
from ..project import MAX_SOURCE_BYTES, Project, check_file
from . import frontmatter
from .blocks import ID, BlockReader, Record, fingerprint
from .frontmatter import Located
from .inlines import Inlines, too_costly

__all__ = ["read_chapter", "read_chapter_set", "read_project", "current_fingerprints", "fingerprint", "Record"]


#: markdown-it stops parsing silently past this many nested tokens (the rest of the file would
#: vanish); it is set well above what :data:`blocks.MAX_NESTING` and :data:`inlines.MAX_DEPTH`
#: allow, so those report deeper nesting with a line before markdown-it would give up, and the
#: parser's recursion stays far from Python's limit.
MARKDOWN_MAX_NESTING = 40


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": False, "linkify": True, "maxNesting": MARKDOWN_MAX_NESTING})
    md.use(front_matter_plugin).use(attrs_block_plugin).use(attrs_plugin, spans=True)
    # Note definitions stay where they are written, each with its lines, referenced or not: the
    # block reader numbers notes itself and reports a definition nothing refers to.
    md.use(footnote_plugin, move_to_end=False)
    # One container for every '::: name' block, so an unknown name is an error, not literal text.
    md.use(container_plugin, "div", validate=lambda params, *args: bool(params.strip()))
    md.enable(["table", "linkify"])
    # Inline text too long or too costly for markdown-it's inline parser is not parsed at all: the
    # block reader reports it at its line (see inlines.too_costly).
    md.core.ruler.before("inline", "docbuild_guard", _guard)
    md.core.ruler.after("inline", "docbuild_unguard", _unguard)
    return md


def _guard(state) -> None:
    for token in state.tokens:
        if token.type == "inline" and (problem := too_costly(token.content)):
            token.type = "inline_refused"
            token.meta = {**(token.meta or {}), "refused": problem}


def _unguard(state) -> None:
    for token in state.tokens:
        if token.type == "inline_refused":
            token.type = "inline"
            token.children = []


_MD = _markdown()


def inline_text(item: Located, key: str, path: Path, language: Language) -> tuple[Inline, ...]:
    """A front matter or figure field that takes inline markup (caption, credit)."""
    text = frontmatter.string(item, key, path)
    tokens = _MD.parseInline(text)
    if problem := (tokens[0].meta or {}).get("refused"):
        raise DocbuildError(problem.replace("this paragraph", f"'{key}'", 1), path, item.line)
    return Inlines(path, item.line, language).build(tokens[0].children or [])


def read_chapter(path: Path, project: Project) -> tuple[Chapter, list[Record]]:
    """Read one language variant; also return its identified blocks for alignment."""
    lang = path.stem
    if not languages.is_known(lang):
        raise DocbuildError(f"unknown language code '{lang}' in the file name; name variants like en.md or ru.md", path)
    check_file(path, MAX_SOURCE_BYTES, "source file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocbuildError(f"cannot read: {exc.strerror}", path) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DocbuildError("not valid UTF-8; save the file as UTF-8", path, line) from None
    # A byte-order mark some editors write at the start is not part of the text.
    text = text.removeprefix("\ufeff")
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

    # The language's rules (layouts/languages/); a language without them is refused here, once.
    language = languages.load_language(project.layouts, lang)
    # Key problems do not stop the body from being read: one run reports both.
    attempt(frontmatter.check_keys, meta, path)
    metadata = attempt(frontmatter.metadata, meta, path, language) if all(key in meta for key in frontmatter.REQUIRED) else None
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
                frontmatter.figure, item.value, item.line, path, language, project,
                lambda field, key: inline_text(field, key, path, language),
            )
    body_start = front.map[1] if front and front.map else 0
    reader = BlockReader(path, language, project, tokens[1:] if front else tokens, text.split("\n"), body_start)
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
        if want[1] == have[1]:
            raise DocbuildError(f"'{have[1]}' is a {have[0]} here but a {want[0]} in {original_path.name}", variant_path, block.line)
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
    """Refuse a translation whose lists, tables, quotations and notes differ in shape from the original's.

    Nested blocks have no ids; they align by position, so a list with one
    item fewer, a table with a row missing or a note missing is an error
    here, at the line of the block that differs, rather than a silent gap.
    """
    there = original.path.name
    originals = {block.id: block for block in original.walk() if block.id is not None}
    for block in variant.walk():
        if block.id is None or block.id not in originals:
            continue
        difference = _difference(originals[block.id], block)
        if difference is not None:
            message, line = difference
            raise DocbuildError(f"'{block.id}' does not match {there}: {message}", variant.path, line or block.line)
    want = [n.label for n in original.notes]
    have = [n.label for n in variant.notes]
    for position, label in enumerate(want):
        if position < len(have) and have[position] == label:
            continue
        if label not in have:
            block = _first_reference(original, label)
            here = variant.find(block.id) if block is not None else None
            where = f" (it is referred to first in '{block.id}')" if block is not None else ""
            raise DocbuildError(
                f"note [^{label}] of {there} is missing here{where}; refer to it and define it as {there} does",
                variant.path,
                here.line if here is not None else None,
            )
        if position < len(have):
            block = _first_reference(variant, have[position])
            raise DocbuildError(
                f"notes are referred to in another order than in {there}: there [^{label}] comes before [^{have[position]}]",
                variant.path,
                block.line if block is not None else None,
            )
    for label in have[len(want):]:
        block = _first_reference(variant, label)
        raise DocbuildError(f"note [^{label}] is not in {there}; remove it or add it there first", variant.path, block.line if block else None)
    for want_note, have_note in zip(original.notes, variant.notes):
        difference = _blocks_difference(want_note.blocks, have_note.blocks, "it")
        if difference is not None:
            message, line = difference
            raise DocbuildError(f"note [^{have_note.label}] does not match {there}: {message}", variant.path, line or have_note.line)


def _first_reference(chapter: Chapter, label: str) -> Block | None:
    """The identified block whose text refers to note ``label`` first."""
    for block in chapter.walk():
        if block.id is None:
            continue
        runs = block_runs_own(block) if isinstance(block, Section) else block_runs(block)
        for run in runs:
            if any(isinstance(node, NoteRef) and node.label == label and node.occurrence == 1 for node in inline_nodes(run)):
                return block
    return None


_KIND_NAMES = {List: "a list", Table: "a table", BlockQuote: "a quotation", Box: "a box", Figure: "a figure", Paragraph: "a paragraph", Section: "a section"}


def _kind(block: Block) -> str:
    if isinstance(block, List):
        return "a numbered list" if block.ordered else "a bulleted list"
    return _KIND_NAMES.get(type(block), type(block).__name__.lower())


def _difference(want: Block, have: Block) -> tuple[str, int] | None:
    """How ``have`` (translation) differs in shape from ``want`` (original), and the line to fix; None if alike.

    Sections are compared by heading only: the blocks in them align by id.
    """
    if _kind(want) != _kind(have):
        return f"{_kind(have)} here, {_kind(want)} there", have.line
    if isinstance(want, List):
        if want.start != have.start:
            return f"the list starts at {have.start} here, at {want.start} there", have.line
        if len(want.items) != len(have.items):
            return f"the list has {_count(len(have.items), 'item')} here, {len(want.items)} there", have.line
        for number, (item_want, item_have) in enumerate(zip(want.items, have.items), 1):
            difference = _blocks_difference(item_want.blocks, item_have.blocks, f"item {number} of the list")
            if difference is not None:
                return difference
    elif isinstance(want, Table):
        if len(want.header) != len(have.header):
            return f"the table has {_count(len(have.header), 'column')} here, {len(want.header)} there", have.line
        if len(want.rows) != len(have.rows):
            return f"the table has {_count(len(have.rows), 'row')} besides the header here, {len(want.rows)} there", have.line
        if want.header_column != have.header_column:
            return "'.header-column' must be on the table in every variant or in none", have.line
    elif isinstance(want, BlockQuote):
        if bool(want.attribution) != bool(have.attribution):
            says = "has" if have.attribution else "has no"
            return f"the quotation {says} an attribution ('— who') here, unlike there", have.line
        return _blocks_difference(want.blocks, have.blocks, "the quotation")
    elif isinstance(want, Box):
        return _blocks_difference(want.blocks, have.blocks, "the box")
    elif isinstance(want, Figure):
        if want.kind != have.kind:
            return f"the figure is a {have.kind} here, a {want.kind} there", have.line
        return _blocks_difference(want.description, have.description, "the figure's description")
    return None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _blocks_difference(want: tuple[Block, ...], have: tuple[Block, ...], where: str) -> tuple[str, int] | None:
    if len(want) != len(have):
        # The first extra block, or the last one there is when one is missing.
        line = have[len(want)].line if len(have) > len(want) else have[-1].line if have else 0
        return f"{where} holds {_count(len(have), 'block')} here, {len(want)} there", line
    for block_want, block_have in zip(want, have):
        difference = _difference(block_want, block_have)
        if difference is not None:
            return difference
    return None


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
    variants = tuple(_names_lang(c, original) for c, _ in read)
    return ChapterSet(folder.name, variants, tuple(stale))


def _names_lang(chapter: Chapter, original: Chapter) -> Chapter:
    """A translation that keeps the original's publisher name keeps its language too."""
    if chapter is original or chapter.meta.publisher != original.meta.publisher:
        return chapter
    return replace(chapter, meta=replace(chapter.meta, names_lang=original.lang))


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
