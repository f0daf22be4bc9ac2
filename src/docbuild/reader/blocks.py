"""Block structure: markdown-it block tokens to the model's tree of blocks.

The body is read as a flat run of blocks and headings, then nested into
sections by heading level (as pandoc's ``makeSections``). Each block that
stands directly in the body or in a section needs an ``{#id}``; blocks
inside a list, quotation, box, figure or note take none and align between
translations by position. A problem in one block is recorded and reading
goes on with the next, so one run reports every error in the file.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it.token import Token

from ..errors import DocbuildError
from ..languages import Language
from ..model import Block, BlockQuote, Box, List, ListItem, Note, NoteRef, Paragraph, Section, Table, plain_text
from ..project import Project
from . import frontmatter
from .frontmatter import Located
from .inlines import Inlines, visible

ID = re.compile(r"^[a-z][a-z0-9-]*$")
#: Ids docbuild gives its own elements; an author's block may not take them.
RESERVED_IDS = frozenset({"title", "photo", "contents", "notes", "cover", "toc", "landmarks", "page-list"})
RESERVED_PREFIXES = ("note-", "noteref", "page-", "section-", "title-", "description-")
MAX_LIST_DEPTH = 3
MAX_HEADING_LEVEL = 4
#: Quotations, lists, boxes, figures and notes nested in one another deeper than this are refused,
#: before anything recurses (a box holding a three-level list is four deep; lists stop at three).
MAX_NESTING = 8
_CONTAINERS = ("blockquote_open", "bullet_list_open", "ordered_list_open", "container_div_open", "footnote_reference_open")
_ATTRIBUTION = re.compile(r"^\s*(?:\u2014|\u2015|--)\s*")
_TABLE_CAPTION = re.compile(r"^\s*(?:Table)?:\s*")
_ATTRIBUTE_LINE = re.compile(r"^\{[#.][^{}]*\}\s*$")
_FIELD = re.compile(r"^([a-z][a-z-]*):(?:\s+(.*))?$")
_BLOCK_NAMES = {
    "paragraph": "paragraph",
    "heading": "heading",
    "bullet_list": "list",
    "ordered_list": "list",
    "blockquote": "quotation",
    "table": "table",
    "container_div": "block",
}
_INVISIBLE = (
    "{} has no visible text: only spaces or invisible characters (such as U+200B zero width space "
    "or U+202E right-to-left override); write its text or remove it"
)
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
    def __init__(self, path: Path, language: Language, project: Project, tokens: list[Token], lines: list[str], body_start: int = 0):
        self.path, self.language, self.project = path, language, project
        self.tokens, self.lines = tokens, lines
        #: Index of the first line after the front matter.
        self.body_start = body_start
        self.errors: list[DocbuildError] = []
        self.records: list[Record] = []
        self.links: list[tuple[str, int]] = []
        #: Every valid block id and its line, including blocks that had another error.
        self.ids: dict[str, int] = {}
        #: note label -> (number, references so far, line of the first reference, index of the record that refers first)
        self.note_numbers: dict[str, int] = {}
        self.note_uses: dict[str, int] = {}
        self.note_first_record: dict[str, int] = {}
        self.definitions: dict[str, tuple[list[Token], int]] = {}
        self.heading_level = 1
        self.list_depth = 0

    # -- entry point

    def read(self) -> tuple[tuple[Block, ...], tuple[Note, ...]]:
        if not self._check_nesting():
            return (), ()
        self._check_attribute_lines()
        body = self._split_notes(self.tokens)
        flat = self._blocks(body, 0, len(body), identified=True)
        if not flat and not self.errors:
            self.fail("the chapter has no text: write its paragraphs and sections after the front matter", len(self.lines))
        blocks = self._nest(flat, 1)
        notes = self._notes()
        self._check_links()
        return blocks, notes

    def _check_nesting(self) -> bool:
        """Refuse blocks nested deeper than :data:`MAX_NESTING` (one error, and nothing else is read)."""
        depth = 0
        for token in self.tokens:
            if token.type in _CONTAINERS:
                depth += 1
                if depth > MAX_NESTING:
                    self.fail(
                        f"quotations, lists, boxes and figures nested more than {MAX_NESTING} deep; restructure the text",
                        self._line(token) or None,
                    )
                    return False
            elif token.nesting == -1 and token.type.replace("_close", "_open") in _CONTAINERS:
                depth -= 1
        return True

    # -- helpers

    def fail(self, message: str, line: int | None) -> None:
        self.errors.append(DocbuildError(message, self.path, line))

    def _inlines(self, token: Token, line: int) -> tuple:
        if problem := (token.meta or {}).get("refused"):
            raise DocbuildError(problem, self.path, line)
        return Inlines(self.path, line, self.language, self._note_ref, self.links).build(token.children or [])

    def _inline_field(self, item: Located, key: str) -> tuple:
        from .. import reader

        return reader.inline_text(item, key, self.path, self.language)

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

    def _check_attribute_lines(self) -> None:
        """Refuse an ``{#id}`` line that stands above no block, or above another attribute line.

        markdown-it drops such a line silently; an id lost that way would surface
        later as a confusing 'has no id' or alignment error.
        """
        starts = {token.map[0] for token in self.tokens if token.map}
        inside = {n for token in self.tokens if token.map and token.level == 0 for n in range(token.map[0], token.map[1])}
        for number, text in enumerate(self.lines):
            if number < self.body_start or number in inside or not _ATTRIBUTE_LINE.match(text):
                continue
            below = next((n for n in range(number + 1, len(self.lines)) if self.lines[n].strip()), None)
            if below is not None and _ATTRIBUTE_LINE.match(self.lines[below]):
                self.fail(
                    f"two attribute lines above one block ('{text.strip()}' and '{self.lines[below].strip()}' on line {below + 1}); "
                    "a block takes one, e.g. {#some-id .header-column}",
                    number + 1,
                )
            elif below is not None and re.match(r"\s*\[\^[^\]\s]+\]:", self.lines[below]):
                self.fail(f"a note definition takes no '{text.strip()}'; notes are numbered, not named by ids", number + 1)
            elif below is None or below not in starts:
                self.fail(f"'{text.strip()}' stands above no block; put it right above the block it names, or remove it", number + 1)

    # -- notes

    def _split_notes(self, tokens: list[Token]) -> list[Token]:
        """The body tokens, with the note definitions set aside in ``self.definitions``."""
        body: list[Token] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token.type == "footnote_reference_open":
                end = self._end(tokens, index)
                label = str(token.meta["label"])
                line = self._line(token)
                if label in self.definitions:
                    self.fail(f"note [^{label}] is defined twice (first on line {self.definitions[label][1]})", line)
                else:
                    self.definitions[label] = (tokens[index + 1:end - 1], line)
                index = end
            else:
                body.append(token)
                index += 1
        return body

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
        for target, line in self.links:
            if target not in self.ids:
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
                    if identified and "id" in token.attrs:
                        # Known, so that a link to it is not reported as well.
                        self.ids.setdefault(str(token.attrs["id"]), line)
                    raise DocbuildError(_UNSUPPORTED[kind], self.path, line)
                if kind not in _BLOCK_NAMES:
                    raise DocbuildError(f"unsupported block ({kind})", self.path, line)
                if kind == "paragraph" and tokens[index + 1].content.strip().startswith(":::"):
                    raise DocbuildError(
                        f"'{tokens[index + 1].content.strip()[:20]}' here is not a block: '::: figure' or '::: box' "
                        "opens a block on a line of its own (with an {#id} line above it), and ':::' alone closes it",
                        self.path,
                        line,
                    )
                if kind == "paragraph" and self._is_caption(token, tokens, index, end):
                    raise DocbuildError("a 'Table:' caption must follow a table (with one blank line between)", self.path, line)
                block_id, src = self._identity(token, kind, identified, line)
                if kind == "table":
                    if not (end < stop and self._is_caption(tokens[end], tokens, end, self._end(tokens, end))):
                        raise DocbuildError("this table has no caption; add a paragraph 'Table: what it shows' after it", self.path, line)
                    # The caption belongs to the table (skipped with it even if the table has an error), and is
                    # read first, as it comes first in reading order: a note in it is numbered before the cells'.
                    caption_at, end = end, self._end(tokens, end)
                    block = self._table(tokens, index, caption_at, block_id, line, self._table_caption(tokens, caption_at))
                else:
                    block = self._block(tokens, index, end, kind, block_id, line)
                found.append(block)
                if block_id is not None:
                    record_kind = "section" if kind == "heading" else _BLOCK_NAMES[kind] if kind != "container_div" else str(token.info).strip()
                    source = self._record_source(token, tokens, index)
                    if kind == "table":
                        source += "\n" + self._source(tokens[caption_at])  # editing the caption makes a translation stale
                    self.records.append(Record(record_kind, block_id, line, source, src))
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
        if block_id in self.ids:
            raise DocbuildError(f"duplicate id '{block_id}' (first used on line {self.ids[block_id]})", self.path, line)
        self.ids[block_id] = line
        return block_id, (str(src) if src is not None else None)

    def _block(self, tokens: list[Token], index: int, end: int, kind: str, block_id: str | None, line: int):
        token = tokens[index]
        if kind == "paragraph":
            content = self._inlines(tokens[index + 1], self._line(tokens[index + 1]) or line)
            if not content:
                raise DocbuildError("this paragraph is empty", self.path, line)
            if not visible(plain_text(content)):
                raise DocbuildError(_INVISIBLE.format("this paragraph"), self.path, line)
            return Paragraph(content, block_id, line)
        if kind == "heading":
            return self._heading(tokens, index, block_id, line)
        if kind in ("bullet_list", "ordered_list"):
            return self._list(tokens, index, end, block_id, line)
        if kind == "blockquote":
            return self._quote(tokens, index, end, block_id, line)
        info = str(token.info).strip()
        if info in ("figure", "box") and not tokens[end - 1].markup:
            raise DocbuildError(f"this '::: {info}' is never closed; end it with a line ':::'", self.path, line)
        if info == "figure":
            return self._figure(tokens, index, end, block_id, line)
        if info == "box":
            return self._box(tokens, index, end, block_id, line)
        raise DocbuildError(f"unknown block '::: {info}'; docbuild knows '::: figure' and '::: box'", self.path, line)

    def _heading(self, tokens: list[Token], index: int, block_id: str | None, line: int) -> _Heading:
        level = int(tokens[index].tag[1])
        if block_id is None:
            raise DocbuildError("a heading cannot stand inside a list, quotation, box, figure or note", self.path, line)
        if not tokens[index].markup.startswith("#"):
            raise DocbuildError(
                "a line of --- or === under a line of text makes that text a heading; write a heading as '## Heading'",
                self.path,
                line,
            )
        if level == 1:
            raise DocbuildError("the chapter title comes from the front matter 'title'; sections use ##", self.path, line)
        if level > self.heading_level + 1 or level > MAX_HEADING_LEVEL:
            previous = "the title" if self.heading_level == 1 else "a " + "#" * self.heading_level + " heading"
            wanted = "#" * min(self.heading_level + 1, MAX_HEADING_LEVEL)
            raise DocbuildError(f"heading level skipped: {'#' * level} follows {previous}; use {wanted}", self.path, line)
        content = self._inlines(tokens[index + 1], line)
        if not content:
            raise DocbuildError(f"heading '{block_id}' is empty", self.path, line)
        if not visible(plain_text(content)):
            raise DocbuildError(_INVISIBLE.format(f"heading '{block_id}'"), self.path, line)
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
                blocks = self._inner(tokens, position + 1, stop - 1)
                if not blocks and position + 1 == stop - 1:
                    raise DocbuildError(f"item {len(items) + 1} of this list is empty", self.path, self._line(tokens[position]) or line)
                items.append(ListItem(blocks))
                position = stop
        finally:
            self.list_depth -= 1
        return List(tuple(items), ordered, start, block_id, line)

    def _quote(self, tokens: list[Token], index: int, end: int, block_id: str | None, line: int) -> BlockQuote:
        inner = tokens[index + 1:end - 1]
        said_by = None
        # The last paragraph, if it starts with a dash, says who is quoted.
        if len(inner) >= 3 and inner[-3].type == "paragraph_open" and inner[-3].level == tokens[index].level + 1:
            text = inner[-2]
            if _ATTRIBUTION.match(text.content) and text.children and text.children[0].type == "text":
                said_by = (text, self._line(inner[-3]))
                inner = inner[:-3]
        # The quotation's text before its attribution: notes are numbered in reading order.
        blocks = self._inner(inner, 0, len(inner))
        attribution: tuple = ()
        if said_by is not None:
            text, attribution_line = said_by
            text.children[0].content = _ATTRIBUTION.sub("", text.children[0].content, count=1)
            attribution = self._inlines(text, attribution_line)
            if not visible(plain_text(attribution)):
                raise DocbuildError("this attribution is empty; write who is quoted after the dash", self.path, attribution_line)
        if not blocks:
            raise DocbuildError("this quotation has no text besides its attribution", self.path, line)
        return BlockQuote(blocks, attribution, block_id, line)

    def _table(self, tokens: list[Token], index: int, end: int, block_id: str | None, line: int, caption: tuple) -> Table:
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
        return Table(caption, tuple(header), tuple(tuple(row) for row in body), tuple(align), header_column, block_id, line)

    def _table_caption(self, tokens: list[Token], start: int) -> tuple:
        """The caption of a table: the 'Table: ...' paragraph at ``start``, right after it."""
        inline = tokens[start + 1]
        if inline.children and inline.children[0].type == "text":
            inline.children[0].content = _TABLE_CAPTION.sub("", inline.children[0].content, count=1)
        caption = self._inlines(inline, self._line(tokens[start]))
        if not visible(plain_text(caption)):
            raise DocbuildError("this table caption is empty; say what the table shows after 'Table:'", self.path, self._line(tokens[start]))
        return caption

    def _figure(self, tokens: list[Token], index: int, end: int, block_id: str | None, line: int):
        inner_start, inner_end = index + 1, end - 1
        if inner_start >= inner_end or tokens[inner_start].type != "paragraph_open":
            raise DocbuildError("a '::: figure' starts with its fields: src:, kind:, alt:, caption:, credit:", self.path, line)
        fields_token = tokens[inner_start]
        fields = self._fields(fields_token)
        description_start = self._end(tokens, inner_start)
        description = self._inner(tokens, description_start, inner_end)
        return frontmatter.figure(
            fields, line, self.path, self.language, self.project, self._inline_field, id=block_id, description=description
        )

    def _fields(self, token: Token) -> dict[str, Located]:
        """``key: value`` lines, each with its line; an indented line continues the value above."""
        fields: dict[str, list] = {}
        key = None
        first = self.lines[token.map[0]]
        indent = len(first) - len(first.lstrip())  # a figure in a list item is indented as a whole
        for number in range(token.map[0], token.map[1]):
            text = self.lines[number]
            match = _FIELD.match(text.strip())
            if key is not None and len(text) - len(text.lstrip()) > indent:
                fields[key][0] += " " + text.strip()
            elif match and match.group(1) in frontmatter.FIGURE_KEYS:
                key = match.group(1)
                if key in fields:
                    raise DocbuildError(f"figure field '{key}' given twice (first on line {fields[key][1]})", self.path, number + 1)
                fields[key] = [(match.group(2) or "").strip(), number + 1]
            elif match:
                close = difflib.get_close_matches(match.group(1), frontmatter.FIGURE_KEYS, n=1)
                hint = f"did you mean '{close[0]}:'? " if close else ""
                raise DocbuildError(
                    f"unknown figure field '{match.group(1)}:'; {hint}a figure takes {', '.join(frontmatter.FIGURE_KEYS)} "
                    "(indent a line that continues the value above)",
                    self.path,
                    number + 1,
                )
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
        if not visible(plain_text(title)):
            raise DocbuildError(_INVISIBLE.format("this box's title"), self.path, title_line)
        blocks = self._inner(tokens, self._end(tokens, first), end - 1)
        if not blocks:
            raise DocbuildError("this box has a title but no content", self.path, line)
        return Box(title, level, blocks, block_id, line)

