"""Reads chapter sources (Markdown with YAML front matter) into the model.

This is the only module that knows the source syntax. It validates as it
reads, so every problem is reported with the file and line it comes from
instead of surfacing later as a broken edition. See ``source/README.md`` for
the format.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from . import languages
from .errors import DocbuildError
from .model import (
    Chapter,
    ChapterSet,
    Emph,
    Figure,
    Inline,
    Link,
    Metadata,
    Paragraph,
    Quote,
    Section,
    Span,
    StaleTranslation,
    Strong,
    Text,
    plain_text,
)
from .project import Project
from .typography import quote_marks, typeset

_ID = re.compile(r"^[a-z][a-z0-9-]*$")
_REQUIRED_META = ("title", "subtitle", "author", "publisher", "date", "description", "keywords")
_OPTIONAL_META = ("figure", "translation-of")
_FIGURE_KEYS = ("src", "alt", "caption", "credit", "placeholder")
_LINK_SCHEMES = ("https:", "http:", "mailto:")
_FILE_NAME = re.compile(r"\b[\w-]+\.(?:jpe?g|png|gif|tiff?|webp|svg)\b", re.IGNORECASE)
_OPENING_CONTEXT = set(" \t\n([{\u2014\u2013-/\u00a0")


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"typographer": False})
    md.use(front_matter_plugin).use(attrs_block_plugin).use(attrs_plugin, spans=True)
    md.disable(["image", "code", "fence", "table"], ignoreInvalid=True)
    return md


_MD = _markdown()


def fingerprint(source_text: str) -> str:
    """A short hash of a block's source text, insensitive to line wrapping."""
    normal = " ".join(source_text.split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:10]


# --------------------------------------------------------------------------
# Front matter


@dataclass(frozen=True)
class _Located:
    value: Any
    line: int


def _located(node: yaml.Node, first_line: int, line: int | None = None) -> _Located:
    """Turn a composed YAML node into Python values that keep their line numbers.

    A mapping's values take the line of their key, where an editor looks for them.
    """
    line = line if line is not None else node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        return _Located(
            {k.value: _located(v, first_line, k.start_mark.line + first_line) for k, v in node.value}, line
        )
    if isinstance(node, yaml.SequenceNode):
        return _Located([_located(item, first_line) for item in node.value], line)
    return _Located(yaml.safe_load(yaml.serialize(node)), line)


def _front_matter(token: Token | None, path: Path) -> dict[str, _Located]:
    if token is None:
        raise DocbuildError("no front matter: the file must start with a '---' block holding title, subtitle, ...", path, 1)
    try:
        node = yaml.compose(token.content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise DocbuildError(f"malformed front matter: {getattr(exc, 'problem', exc)}", path, line) from None
    if not isinstance(node, yaml.MappingNode):
        raise DocbuildError("front matter must be a list of 'key: value' lines", path, 2)
    meta = _located(node, 2).value
    for key, item in meta.items():
        if key not in _REQUIRED_META + _OPTIONAL_META:
            raise DocbuildError(
                f"unknown front matter key '{key}'; known keys: {', '.join(_REQUIRED_META + _OPTIONAL_META)}", path, item.line
            )
    for key in _REQUIRED_META:
        if key not in meta:
            raise DocbuildError(f"front matter lacks '{key}'", path, 2)
    return meta


def _string(item: _Located, key: str, path: Path) -> str:
    if isinstance(item.value, date):
        return item.value.isoformat()
    if not isinstance(item.value, str) or not item.value.strip():
        raise DocbuildError(f"'{key}' must be non-empty text", path, item.line)
    return " ".join(item.value.split())


def _metadata(meta: dict[str, _Located], path: Path, lang: str) -> Metadata:
    when = meta["date"]
    text = _string(when, "date", path)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise DocbuildError(f"'date' must be a date like 2022-01-13, not '{text}'", path, when.line) from None
    keywords = meta["keywords"]
    if not isinstance(keywords.value, list) or not keywords.value:
        raise DocbuildError("'keywords' must be a list like [one, two]", path, keywords.line)
    return Metadata(
        title=typeset(_string(meta["title"], "title", path), lang),
        subtitle=typeset(_string(meta["subtitle"], "subtitle", path), lang),
        author=_string(meta["author"], "author", path),
        publisher=_string(meta["publisher"], "publisher", path),
        date=text,
        description=typeset(_string(meta["description"], "description", path), lang),
        keywords=tuple(_string(k, "keywords", path) for k in keywords.value),
    )


def _figure(item: _Located, path: Path, lang: str, project: Project) -> Figure:
    if not isinstance(item.value, dict):
        raise DocbuildError("'figure' must hold src, alt, caption and credit", path, item.line)
    fields = item.value
    for key, value in fields.items():
        if key not in _FIGURE_KEYS:
            raise DocbuildError(f"unknown figure key '{key}'; known keys: {', '.join(_FIGURE_KEYS)}", path, value.line)
    for key in ("src", "alt", "caption", "credit"):
        if key not in fields:
            hint = " (alt text says what is seen, for readers who cannot see the photo)" if key == "alt" else ""
            raise DocbuildError(f"figure lacks '{key}'{hint}", path, item.line)
    src = fields["src"]
    image = (path.parent / _string(src, "src", path)).resolve()
    if "://" in str(src.value) or not image.is_relative_to(path.parent.resolve()):
        raise DocbuildError(f"figure image '{src.value}' must be a file inside the chapter folder {path.parent.name}/", path, src.line)
    if not project.contains(image) or not image.is_file():
        raise DocbuildError(f"figure image '{src.value}' not found", path, src.line)
    alt = typeset(_string(fields["alt"], "alt", path), lang)
    caption = _inline_text(fields["caption"], "caption", path, lang)
    if _FILE_NAME.search(alt):
        raise DocbuildError("alt text names a file; describe what the photo shows instead", path, fields["alt"].line)
    if alt == plain_text(caption):
        raise DocbuildError("alt text repeats the caption; describe what is seen instead", path, fields["alt"].line)
    placeholder = fields.get("placeholder", _Located(False, item.line))
    if not isinstance(placeholder.value, bool):
        raise DocbuildError("'placeholder' must be true or false", path, placeholder.line)
    return Figure(
        image=image,
        alt=alt,
        caption=caption,
        credit=_inline_text(fields["credit"], "credit", path, lang),
        placeholder=placeholder.value,
        line=item.line,
    )


def _inline_text(item: _Located, key: str, path: Path, lang: str) -> tuple[Inline, ...]:
    text = _string(item, key, path)
    tokens = _MD.parseInline(text)
    return _Inlines(path, item.line, lang).build(tokens[0].children or [])


# --------------------------------------------------------------------------
# Inline content


class _Inlines:
    """Builds inline nodes from markdown-it tokens, pairing straight quotes."""

    def __init__(self, path: Path, line: int, lang: str):
        self.path, self.line, self.doc_lang = path, line, lang

    def fail(self, message: str) -> DocbuildError:
        return DocbuildError(message, self.path, self.line)

    def build(self, tokens: list[Token]) -> tuple[Inline, ...]:
        # Each frame: (kind, attrs, children, lang). The root frame has kind "root".
        stack: list[tuple[str, dict, list, str]] = [("root", {}, [], self.doc_lang)]
        last_char = " "
        for token in tokens:
            kind, attrs, children, lang = stack[-1]
            if token.type in ("text", "softbreak"):
                text = token.content if token.type == "text" else " "
                buffer = ""
                for char in text:
                    if char != '"':
                        buffer += char
                        last_char = char
                        continue
                    if buffer:
                        stack[-1][2].append(Text(typeset(buffer, stack[-1][3])))
                        buffer = ""
                    if last_char in _OPENING_CONTEXT:
                        stack.append(("quote", {}, [], stack[-1][3]))
                    elif stack[-1][0] == "quote":
                        self._close(stack)
                    else:
                        raise self.fail(f"closing quotation mark without an opening one near '{text.strip()[:40]}'")
                    last_char = char
                if buffer:
                    stack[-1][2].append(Text(typeset(buffer, stack[-1][3])))
            elif token.type in ("em_open", "strong_open", "link_open", "span_open"):
                attrs = dict(token.attrs)
                if token.type == "link_open":
                    href = str(attrs.get("href", ""))
                    if not href.startswith(_LINK_SCHEMES):
                        raise self.fail(f"link target '{href}' must be an http(s) or mailto address")
                child_lang = lang
                if token.type == "span_open":
                    span_lang = str(attrs.get("lang", ""))
                    if set(attrs) != {"lang"}:
                        raise self.fail("a [text]{...} span takes exactly one attribute, lang=, e.g. [Human Rights Watch]{lang=en}")
                    if not languages.is_known(span_lang):
                        raise self.fail(f"unknown language code '{span_lang}' (use an ISO 639-1 code such as en or ru)")
                    child_lang = span_lang
                stack.append((token.type[:-5], attrs, [], child_lang))
            elif token.type in ("em_close", "strong_close", "link_close", "span_close"):
                if stack[-1][0] == "quote":
                    raise self.fail("quotation mark opened inside emphasis, a link or a span is not closed there")
                self._close(stack)
            elif token.type == "hardbreak":
                raise self.fail("line breaks inside a paragraph are not supported; start a new paragraph with its own id")
            elif token.type == "html_inline":
                raise self.fail(f"raw HTML ({token.content}) is not allowed in chapter text; use Markdown")
            elif token.type == "code_inline":
                raise self.fail("inline code is not supported in chapter text")
            else:
                raise self.fail(f"unsupported inline markup ({token.type})")
        if len(stack) > 1:
            raise self.fail("quotation mark opened but never closed")
        return tuple(stack[0][2])

    def _close(self, stack: list[tuple[str, dict, list, str]]) -> None:
        kind, attrs, children, lang = stack.pop()
        nodes = tuple(children)
        if kind == "em":
            node: Inline = Emph(nodes)
        elif kind == "strong":
            node = Strong(nodes)
        elif kind == "link":
            node = Link(str(attrs["href"]), nodes)
        elif kind == "span":
            node = Span(str(attrs["lang"]), nodes)
        else:
            depth = sum(1 for frame in stack if frame[0] == "quote")
            opening, closing = quote_marks(self.doc_lang, depth)
            node = Quote(nodes, opening, closing)
        stack[-1][2].append(node)


# --------------------------------------------------------------------------
# Blocks


@dataclass(frozen=True)
class _Block:
    kind: str  # "section" or "paragraph"
    id: str
    line: int
    source: str
    translated_from: str | None


def read_chapter(path: Path, project: Project) -> tuple[Chapter, list[_Block]]:
    """Read one language variant; also return its blocks for alignment."""
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
    meta = _front_matter(front, path)
    metadata = _metadata(meta, path, lang)
    translation_of = None
    if "translation-of" in meta:
        translation_of = _string(meta["translation-of"], "translation-of", path)
        if not languages.is_known(translation_of):
            raise DocbuildError(f"unknown language code '{translation_of}'", path, meta["translation-of"].line)
    figure = _figure(meta["figure"], path, lang, project) if "figure" in meta else None

    blocks: list[_Block] = []
    intro: list[Paragraph] = []
    sections: list[tuple[_Block, tuple[Inline, ...], list[Paragraph]]] = []
    seen: dict[str, int] = {}
    body = tokens[1:] if front else tokens
    index = 0
    while index < len(body):
        token = body[index]
        line = token.map[0] + 1 if token.map else 0
        if token.type not in ("paragraph_open", "heading_open"):
            raise DocbuildError(
                f"unsupported block ({token.type.removesuffix('_open')}); a chapter holds paragraphs and ## sections", path, line
            )
        inline = body[index + 1]  # then the matching *_close token
        index += 3
        if token.type == "heading_open":
            level = int(token.tag[1])
            if level == 1:
                raise DocbuildError("the chapter title comes from the front matter 'title'; sections use ##", path, line)
            if level > 2:
                previous = "a ## section" if sections else "the title"
                raise DocbuildError(f"heading level skipped: {'#' * level} follows {previous}; use ## for a section", path, line)
        block_id = token.attrs.get("id")
        kind = "section" if token.type == "heading_open" else "paragraph"
        if not block_id:
            raise DocbuildError(f"this {kind} has no id; put a line such as {{#some-id}} right above it", path, line)
        block_id = str(block_id)
        if not _ID.match(block_id):
            raise DocbuildError(f"id '{block_id}' must be lower-case letters, digits and hyphens", path, line)
        if block_id in seen:
            raise DocbuildError(f"duplicate id '{block_id}' (first used on line {seen[block_id]})", path, line)
        seen[block_id] = line
        extra = set(token.attrs) - {"id", "src"}
        if extra:
            raise DocbuildError(f"unknown block attribute(s) {', '.join(sorted(extra))}; blocks take #id and src=", path, line)
        src = token.attrs.get("src")
        content_line = inline.map[0] + 1 if inline.map else line
        content = _Inlines(path, content_line, lang).build(inline.children or [])
        if not content:
            raise DocbuildError(f"{kind} '{block_id}' is empty", path, line)
        block = _Block(kind, block_id, line, inline.content, str(src) if src is not None else None)
        blocks.append(block)
        if kind == "section":
            sections.append((block, content, []))
        else:
            paragraph = Paragraph(block_id, content, line, block.translated_from)
            (sections[-1][2] if sections else intro).append(paragraph)
    chapter = Chapter(
        id=path.parent.name,
        lang=lang,
        meta=metadata,
        figure=figure,
        intro=tuple(intro),
        sections=tuple(
            Section(block.id, heading, tuple(paragraphs), block.line, block.translated_from)
            for block, heading, paragraphs in sections
        ),
        path=path,
        translation_of=translation_of,
    )
    return chapter, blocks


def _align(original: list[_Block], original_path: Path, variant: list[_Block], variant_path: Path) -> None:
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


def read_chapter_set(folder: Path, project: Project) -> ChapterSet:
    """Read every language variant of a chapter and check that they align."""
    paths = project.variant_files(folder.name)
    if not paths:
        raise DocbuildError("no language variants (en.md, ru.md, ...) in this chapter folder", folder)
    if not _ID.match(folder.name):
        raise DocbuildError("a chapter folder name is its id: lower-case letters, digits and hyphens", folder)
    read = [read_chapter(p, project) for p in paths]
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
    return [read_chapter_set(project.source / chapter, project) for chapter in project.chapter_ids(chapters)]


def current_fingerprints(chapter_set: ChapterSet, project: Project) -> dict[str, str]:
    """The fingerprint of every block of the original variant, by id."""
    original = next(c for c in chapter_set.variants if c.translation_of is None)
    _, blocks = read_chapter(original.path, project)
    return {b.id: fingerprint(b.source) for b in blocks}
