"""Block structure: markdown-it block tokens to the model's tree of blocks.

The body is read as a flat run of blocks and headings, then nested into
sections by heading level (as pandoc's ``makeSections``). Each block that
stands directly in the body or in a section needs an ``{#id}``; blocks
inside a list, quotation, box, figure or note take none and align between
translations by position. A problem in one block is recorded and reading
goes on with the next, so one run reports every error in the file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token

from ..errors import DocbuildError
from ..model import Block, BlockQuote, Box, List, ListItem, Note, NoteRef, Paragraph, Section, Table
from ..project import Project
from . import frontmatter
from .frontmatter import Located
from .inlines import Inlines

ID = re.compile(r"^[a-z][a-z0-9-]*$")
#: Ids docbuild gives its own elements; an author's block may not take them.
RESERVED_IDS = frozenset({"title", "photo", "contents", "notes", "cover", "toc", "landmarks", "page-list"})
RESERVED_PREFIXES = ("note-", "noteref-", "page-", "section-", "title-", "description-")
MAX_LIST_DEPTH = 3
MAX_HEADING_LEVEL = 4
_ATTRIBUTION = re.compile(r"^\s*(?:\u2014|\u2015|--)\s*")
_TABLE_CAPTION = re.compile(r"^\s*(?:Table)?:\s*")
_FIELD = re.compile(r"^([a-z]+):\s?(.*)$")
_BLOCK_NAMES = {
    "paragraph": "paragraph",
    "heading": "heading",
    "bullet_list": "list",
    "ordered_list": "list",
    "blockquote": "quotation",
    "table": "table",
    "container_div": "block",
}
_UNSUPPORTED = {
    "code_block": "indented code is not supported; if this is a paragraph, remove the indentation",
    "fence": "code blocks are not supported in chapter text",
    "html_block": "raw HTML is not allowed in chapter text; use Markdown",
    "hr": "horizontal rules are not supported; use a ## section to divide the text",
}


def fingerprint(source_text: str) -> str:
    """A short hash of a block's source text, insensitive to line wrapping."""
    normal = " ".join(source_text.split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class Record:
    """An identified block as translation alignment sees it."""

    kind: str
    id: str
    line: int
    #: Its source text (what its fingerprint is a hash of), notes first referenced in it included.
    source: str
    translated_from: str | None


@dataclass
class _Heading:
    """A heading in the flat run, before nesting."""

    id: str
    level: int
    content: tuple
    line: int


class BlockReader:
    def __init__(self, path: Path, lang: str, project: Project, tokens: list[Token], lines: list[str]):
        self.path, self.lang, self.project = path, lang, project
        self.tokens, self.lines = tokens, lines
        self.errors: list[DocbuildError] = []
        self.records: list[Record] = []
        self.links: list[tuple[str, int]] = []
        #: note label -> (number, references so far, line of the first reference, index of the record that refers first)
        self.note_numbers: dict[str, int] = {}
        self.note_uses: dict[str, int] = {}
        self.note_first_record: dict[str, int] = {}
        self.definitions: dict[str, tuple[list[Token], int]] = {}
        self.heading_level = 1
        self.list_depth = 0

    # -- entry point

    def read(self) -> tuple[tuple[Block, ...], tuple[Note, ...]]:
        body = self._split_notes(self.tokens)
        flat = self._blocks(body, 0, len(body), identified=True)
        blocks = self._nest(flat, 1)
        notes = self._notes()
        self._check_links()
        return blocks, notes

    # -- helpers

    def fail(self, message: str, line: int | None) -> None:
        self.errors.append(DocbuildError(message, self.path, line))

    def _inlines(self, token: Token, line: int) -> tuple:
        return Inlines(self.path, line, self.lang, self._note_ref, self.links).build(token.children or [])

    def _inline_field(self, item: Located, key: str) -> tuple:
        from .. import reader

        return reader.inline_text(item, key, self.path, self.lang)

    def _note_ref(self, label: str, line: int) -> NoteRef:
        if label not in self.note_numbers:
            self.note_numbers[label] = len(self.note_numbers) + 1
            self.note_first_record[label] = len(self.records)
        self.note_uses[label] = self.note_uses.get(label, 0) + 1
        return NoteRef(label, self.note_numbers[label], self.note_uses[label])

    @staticmethod
    def _end(tokens: list[Token], index: int) -> int:
        """Index just past the close token matching the open token at ``index``."""
        depth = 0
        for position in range(index, len(tokens)):
            depth += tokens[position].nesting
            if depth == 0:
                return position + 1
        return len(tokens)

    @staticmethod
    def _line(token: Token) -> int:
        return token.map[0] + 1 if token.map else 0

    def _source(self, token: Token) -> str:
        if not token.map:
            return ""
        return "\n".join(self.lines[token.map[0]:token.map[1]])

    # -- notes

    def _split_notes(self, tokens: list[Token]) -> list[Token]:
        """The body tokens, with the note definitions set aside in ``self.definitions``."""
        body: list[Token] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type == "footnote_block_open":
                end = self._end(tokens, index)
                inner = tokens[index + 1:end - 1]
                position = 0
                while position < len(inner):
                    stop = self._end(inner, position)
                    label = str(inner[position].meta["label"])
                    content = [t for t in inner[position + 1:stop - 1] if t.type != "footnote_anchor"]
                    self.definitions[label] = (content, self._definition_line(label))
                    position = stop
                index = end
            else:
                body.append(token)
                index += 1
        return body

    def _definition_line(self, label: str) -> int:
        needle = f"[^{label}]:"
        return next((n for n, text in enumerate(self.lines, 1) if text.lstrip().startswith(needle)), 0)

    def _notes(self) -> tuple[Note, ...]:
        notes = []
        for label, (tokens, line) in self.definitions.items():
            if label not in self.note_numbers:
                self.fail(f"note [^{label}] is defined but never referenced; refer to it with [^{label}] or remove it", line)
        for label, number in sorted(self.note_numbers.items(), key=lambda item: item[1]):
            if label not in self.definitions:
                self.fail(f"note [^{label}] is referenced but not defined; add a line '[^{label}]: ...'", self._ref_line(label))
                continue
            tokens, line = self.definitions[label]
            # Note texts may not refer to notes themselves: number them with their own reader.
            before = len(self.note_numbers)
            blocks = self._nest(self._blocks(tokens, 0, len(tokens), identified=False), 99)
            if len(self.note_numbers) != before:
                self.fail(f"note [^{label}] refers to another note; notes cannot have notes", line)
            notes.append(Note(label, number, blocks, line))
            record = self.note_first_record[label]
            if record < len(self.records):
                first = self.records[record]
                text = "\n".join(t.content for t in tokens if t.type == "inline")
                self.records[record] = Record(first.kind, first.id, first.line, f"{first.source}\n[^{label}]: {text}", first.translated_from)
        return tuple(notes)

    def _ref_line(self, label: str) -> int | None:
        needle = f"[^{label}]"
        return next((n for n, text in enumerate(self.lines, 1) if needle in text and not text.lstrip().startswith(needle + ":")), None)

    def _check_links(self) -> None:
        known = {record.id for record in self.records}
        for target, line in self.links:
            if target not in known:
                self.fail(f"link to '#{target}', but no block has that id", line)

    # -- blocks

    def _blocks(self, tokens: list[Token], start: int, stop: int, identified: bool) -> list:
        """The blocks (and, in the body, headings) of ``tokens[start:stop]``."""
        found: list = []
        index = start
        while index < stop:
            token = tokens[index]
            end = self._end(tokens, index)
            line = self._line(token)
            kind = token.type.removesuffix("_open")
            try:
                if kind in _UNSUPPORTED:
                    raise DocbuildError(_UNSUPPORTED[kind], self.path, line)
                if kind not in _BLOCK_NAMES:
                    raise DocbuildError(f"unsupported block ({kind})", self.path, line)
                if kind == "paragraph" and self._is_caption(token, tokens, index, end):
                    raise DocbuildError("a 'Table:' caption must follow a table (with one blank line between)", self.path, line)
                block_id, src = self._identity(token, kind, identified, line)
                block = self._block(tokens, index, end, kind, block_id, line)
                if kind == "table":
                    block, end = self._table_caption(block, tokens, end, stop)
                found.append(block)
                if block_id is not None:
                    record_kind = "section" if kind == "heading" else _BLOCK_NAMES[kind] if kind != "container_div" else str(token.info).strip()
                    self.records.append(Record(record_kind, block_id, line, self._record_source(token, tokens, index), src))
            except DocbuildError as error:
                self.errors.extend(error.errors)
            index = end
        return found

    def _record_source(self, token: Token, tokens: list[Token], index: int) -> str:
        """What a block's fingerprint covers: a paragraph's or heading's text as before, else its lines."""
        if token.type in ("paragraph_open", "heading_open"):
            return tokens[index + 1].content
        return self._source(token)

    @staticmethod
    def _is_caption(token: Token, tokens: list[Token], index: int, end: int) -> bool:
        return token.type == "paragraph_open" and bool(_TABLE_CAPTION.match(tokens[index + 1].content)) and tokens[index + 1].content.lstrip().startswith(("Table:", ":"))

    def _identity(self, token: Token, kind: str, identified: bool, line: int) -> tuple[str | None, str | None]:
        attrs = dict(token.attrs)
        block_id = attrs.pop("id", None)
        src = attrs.pop("src", None)
        if kind == "table" and attrs.get("class") == "header-column":
            attrs.pop("class")
        if kind == "ordered_list":
            attrs.pop("start", None)
        if kind == "table":
            attrs.pop("style", None)
        if not identified:
            if block_id is not None or src is not None:
                raise DocbuildError(
                    "a block inside a list, quotation, box, figure or note takes no {#id}; put the id on the block that holds it",
                    self.path,
                    line,
                )
            return None, None
        name = _BLOCK_NAMES[kind] if kind != "container_div" else (str(token.info).strip() or "block")
        if extra := sorted(attrs):
            raise DocbuildError(f"unknown block attribute(s) {', '.join(extra)}; blocks take #id and src= (a table also .header-column)", self.path, line)
        if block_id is None:
            raise DocbuildError(f"this {name} has no id; put a line such as {{#some-id}} right above it (or run: docbuild ids)", self.path, line)
        block_id = str(block_id)
        if not ID.match(block_id):
            raise DocbuildError(f"id '{block_id}' must be lower-case letters, digits and hyphens", self.path, line)
        if block_id in RESERVED_IDS or block_id.startswith(RESERVED_PREFIXES):
            raise DocbuildError(
                f"id '{block_id}' is reserved for what docbuild generates; choose another "
                f"(not {', '.join(sorted(RESERVED_IDS))}, nor starting {', '.join(RESERVED_PREFIXES)})",
                self.path,
                line,
            )
        seen = next((r.line for r in self.records if r.id == block_id), None)
        if seen is not None:
            raise DocbuildError(f"duplicate id '{block_id}' (first used on line {seen})", self.path, line)
        return block_id, (str(src) if src is not None else None)

    def _block(self, tokens: list[Token], index: int, end: int, kind: str, block_id: str | None, line: int):
        token = tokens[index]
        if kind == "paragraph":
            content = self._inlines(tokens[index + 1], self._line(tokens[index + 1]) or line)
            if not content:
                raise DocbuildError("this paragraph is empty", self.path, line)
            return Paragraph(content, block_id, line)
        if kind == "heading":
            return self._heading(tokens, index, block_id, line)
        if kind in ("bullet_list", "ordered_list"):
            return self._list(tokens, index, end, block_id, line)
        if kind == "blockquote":
            return self._quote(tokens, index, end, block_id, line)
        if kind == "table":
            return self._table(tokens, index, end, block_id, line)
        info = str(token.info).strip()
        if info == "figure":
            return self._figure(tokens, index, end, block_id, line)
        if info == "box":
            return self._box(tokens, index, end, block_id, line)
        raise DocbuildError(f"unknown block '::: {info}'; docbuild knows '::: figure' and '::: box'", self.path, line)

    def _heading(self, tokens: list[Token], index: int, block_id: str | None, line: int) -> _Heading:
        level = int(tokens[index].tag[1])
        if block_id is None:
            raise DocbuildError("a heading cannot stand inside a list, quotation, figure or note", self.path, line)
        if level == 1:
            raise DocbuildError("the chapter title comes from the front matter 'title'; sections use ##", self.path, line)
        if level > self.heading_level + 1 or level > MAX_HEADING_LEVEL:
            previous = "the title" if self.heading_level == 1 else "a " + "#" * self.heading_level + " heading"
            wanted = "#" * min(self.heading_level + 1, MAX_HEADING_LEVEL)
            raise DocbuildError(f"heading level skipped: {'#' * level} follows {previous}; use {wanted}", self.path, line)
        content = self._inlines(tokens[index + 1], line)
        if not content:
            raise DocbuildError(f"heading '{block_id}' is empty", self.path, line)
        self.heading_level = level
        return _Heading(block_id, level, content, line)

    def _nest(self, flat: list, level: int) -> tuple[Block, ...]:
        """Blocks with each heading and what follows it (up to one of its level or higher) as a Section."""
        blocks: list[Block] = []
        index = 0
        while index < len(flat):
            item = flat[index]
            if isinstance(item, _Heading):
                stop = index + 1
                while stop < len(flat) and not (isinstance(flat[stop], _Heading) and flat[stop].level <= item.level):
                    stop += 1
                blocks.append(Section(item.id, item.level, item.content, self._nest(flat[index + 1:stop], item.level), item.line))
                index = stop
            else:
                blocks.append(item)
                index += 1
        return tuple(blocks)

    def _inner(self, tokens: list[Token], start: int, stop: int) -> tuple[Block, ...]:
        """Blocks nested in a container: no ids, no headings."""
        return tuple(self._blocks(tokens, start, stop, identified=False))

    def _list(self, tokens: list[Token], index: int, end: int, block_id: str | None, line: int) -> List:
        token = tokens[index]
        ordered = token.type == "ordered_list_open"
        start = int(token.attrs.get("start", 1)) if ordered else 1
        if ordered and start > 999:
            raise DocbuildError(
                f"this line begins '{start}.', which makes a numbered list starting at {start}; "
                f"if it is a paragraph that begins with a year or number, write '{start}\\.'",
                self.path,
                line,
            )
        self.list_depth += 1
        try:
            if self.list_depth > MAX_LIST_DEPTH:
                raise DocbuildError(f"lists nested more than {MAX_LIST_DEPTH} levels deep; restructure the list", self.path, line)
            items = []
            position = index + 1
            while position < end - 1:
                stop = self._end(tokens, position)
                items.append(ListItem(self._inner(tokens, position + 1, stop - 1)))
                position = stop
        finally:
            self.list_depth -= 1
        return List(tuple(items), ordered, start, block_id, line)

    def _quote(self, tokens: list[Token], index: int, end: int, block_id: str | None, line: int) -> BlockQuote:
        inner = tokens[index + 1:end - 1]
        attribution: tuple = ()
        # The last paragraph, if it starts with a dash, says who is quoted.
        if len(inner) >= 3 and inner[-3].type == "paragraph_open" and inner[-3].level == tokens[index].level + 1:
            text = inner[-2]
            match = _ATTRIBUTION.match(text.content)
            if match and text.children and text.children[0].type == "text":
                first = text.children[0]
                first.content = _ATTRIBUTION.sub("", first.content, count=1)
                attribution = self._inlines(text, self._line(inner[-3]))
                inner = inner[:-3]
        blocks = self._inner(inner, 0, len(inner))
        if not blocks:
            raise DocbuildError("this quotation has no text besides its attribution", self.path, line)
        return BlockQuote(blocks, attribution, block_id, line)

    def _table(self, tokens: list[Token], index: int, end: int, block_id: str | None, line: int) -> Table:
        header: list = []
        rows: list[list] = []
        align: list[str] = []
        for position in range(index, end):
            token = tokens[position]
            if token.type == "tr_open":
                rows.append([])
            elif token.type in ("th_open", "td_open"):
                style = str(token.attrs.get("style", ""))
                if token.type == "th_open":
                    align.append(style.removeprefix("text-align:"))
                rows[-1].append(self._inlines(tokens[position + 1], self._line(tokens[position + 1]) or line))
        header, body = rows[0], rows[1:]
        if not body:
            raise DocbuildError("this table has a header row but no data rows", self.path, line)
        header_column = tokens[index].attrs.get("class") == "header-column"
        return Table((), tuple(header), tuple(tuple(row) for row in body), tuple(align), header_column, block_id, line)

    def _table_caption(self, table: Table, tokens: list[Token], end: int, stop: int) -> tuple[Table, int]:
        if end < stop and self._is_caption(tokens[end], tokens, end, self._end(tokens, end)):
            inline = tokens[end + 1]
            if inline.children and inline.children[0].type == "text":
                inline.children[0].content = _TABLE_CAPTION.sub("", inline.children[0].content, count=1)
            caption = self._inlines(inline, self._line(tokens[end]))
            if caption:
                return Table(caption, table.header, table.rows, table.align, table.header_column, table.id, table.line), self._end(tokens, end)
        raise DocbuildError("this table has no caption; add a paragraph 'Table: what it shows' after it", self.path, table.line)

    def _figure(self, tokens: list[Token], index: int, end: int, block_id: str | None, line: int):
        inner_start, inner_end = index + 1, end - 1
        if inner_start >= inner_end or tokens[inner_start].type != "paragraph_open":
            raise DocbuildError("a '::: figure' starts with its fields: src:, kind:, alt:, caption:, credit:", self.path, line)
        fields_token = tokens[inner_start]
        fields = self._fields(fields_token)
        description_start = self._end(tokens, inner_start)
        description = self._inner(tokens, description_start, inner_end)
        return frontmatter.figure(
            fields, line, self.path, self.lang, self.project, self._inline_field, id=block_id, description=description
        )

    def _fields(self, token: Token) -> dict[str, Located]:
        """``key: value`` lines (a value may run on over the following lines), each with its line."""
        fields: dict[str, list] = {}
        key = None
        for number in range(token.map[0], token.map[1]):
            text = self.lines[number]
            match = _FIELD.match(text.strip())
            if match and match.group(1) in frontmatter.FIGURE_KEYS:
                key = match.group(1)
                if key in fields:
                    raise DocbuildError(f"figure field '{key}' given twice", self.path, number + 1)
                fields[key] = [match.group(2).strip(), number + 1]
            elif key is None:
                raise DocbuildError(
                    f"expected a figure field ({', '.join(frontmatter.FIGURE_KEYS)}) like 'alt: ...', not '{text.strip()[:40]}'",
                    self.path,
                    number + 1,
                )
            else:
                fields[key][0] += " " + text.strip()
        values = {}
        for name, (value, number) in fields.items():
            if name == "placeholder":
                value = {"true": True, "false": False}.get(value, value)
            values[name] = Located(value, number)
        return values

    def _box(self, tokens: list[Token], index: int, end: int, block_id: str | None, line: int) -> Box:
        first = index + 1
        wanted = self.heading_level + 1
        if first >= end - 1 or tokens[first].type != "heading_open":
            raise DocbuildError(f"a '::: box' starts with its title as a heading: {'#' * wanted} Title", self.path, line)
        level = int(tokens[first].tag[1])
        title_line = self._line(tokens[first])
        if level != wanted:
            raise DocbuildError(
                f"this box's title is {'#' * level}; a box here takes {'#' * wanted} (one level below its section)",
                self.path,
                title_line,
            )
        title = self._inlines(tokens[first + 1], title_line)
        blocks = self._inner(tokens, self._end(tokens, first), end - 1)
        if not blocks:
            raise DocbuildError("this box has a title but no content", self.path, line)
        return Box(title, level, blocks, block_id, line)

