"""Inline content: markdown-it inline tokens to model inlines, quotes paired and typeset."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Callable

from markdown_it.token import Token

from .. import languages
from ..errors import DocbuildError
from ..model import Emph, Inline, Link, NoteRef, Quote, Span, Strong, Text
from ..languages import Language
from ..typography import quote_marks, typeset

LINK_SCHEMES = ("https:", "http:", "mailto:", "#")
#: The longest text of one paragraph (or heading, list item, table cell, caption), in characters
#: of source. Laying out one paragraph costs more than linear time in WeasyPrint (a 1 MB paragraph
#: took 452 s, the same text in 1,255 paragraphs 62 s; at 50,000 characters one paragraph and
#: the split text cost the same: ``python bench/paragraph.py``), so a longer one is refused.
MAX_PARAGRAPH_CHARS = 50_000
#: markdown-it reads some inline syntax in more than linear time: each '[' of a link, span or note
#: scans for its ']', each '://' of a web address rescans the text before it (50,000 characters of
#: '[' take 4.5 s, of 'h://a.' 16 s). Far more than any real paragraph holds, these bound it to
#: well under a second per paragraph.
MAX_BRACKETS = 1_000
MAX_ADDRESSES = 100
#: Deeper nesting of emphasis, links, spans and quotations is refused: no
#: real text needs it, and it would make every writer recurse that deep.
MAX_DEPTH = 16
_OPENING_CONTEXT = set(" \t\n([{\u2014\u2013-/\u00a0")
#: ``[^label]`` left as text: markdown-it only makes a note reference of a label that is defined.
#: (The label excludes '[' so that a run of '[^[^[^...' is scanned once, not once per '['.)
_UNDEFINED_NOTE = re.compile(r"\[\^([^\]\[\s]+)\]")
#: Link syntax markdown-it left as text: a target it refuses (``javascript:``, ``data:``,
#: ``file:``...), an address with a space, an autolink ``<scheme:...>`` it refuses. Each is
#: reported, never printed literally.
_REFUSED_LINK = re.compile(r"\]\(\s*<?\s*([A-Za-z][A-Za-z0-9+.-]*:[^\s>]*)?|<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>")
#: Categories of characters that put no ink on the page: spaces, controls, format characters
#: (U+200B zero width space, U+202E right-to-left override...), unassigned and private code points.
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"})
#: Letters and symbols that are drawn blank.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
#: An attribute line (``{#id}``) typed right under a line of text, which makes it part of that text.
_GLUED_ATTRIBUTES = re.compile(r"^\{[#.][^{}]*\}$")
#: Attributes markdown-it did not attach to anything (``*word*{.red}``, ``[text] {lang=en}``): left as text.
_STRAY_ATTRIBUTES = re.compile(r"\{(?:[#.][A-Za-z][^{}]*|[a-z]+=[^{}]*)\}")


_SPACES = re.compile(" {2,}")


def _typeset(text: str, language: Language) -> str:
    """``text`` typeset for ``lang``, each run of spaces first made one (as every edition shows it).

    Typesetting looks at the spaces around dashes and numbers; a run of
    thousands of them would cost it quadratic time.
    """
    return typeset(_SPACES.sub(" ", text), language)


def too_costly(text: str) -> str | None:
    """Why the inline text of one paragraph is refused before it is parsed, or None."""
    if len(text) > MAX_PARAGRAPH_CHARS:
        return (
            f"this paragraph is {len(text):,} characters long; docbuild lays out at most "
            f"{MAX_PARAGRAPH_CHARS:,} in one paragraph: split this paragraph"
        )
    if text.count("[") > MAX_BRACKETS:
        return f"this paragraph has {text.count('['):,} '[' characters; at most {MAX_BRACKETS:,} (links, spans and notes) are read in one paragraph: split it"
    if text.count("://") > MAX_ADDRESSES:
        return f"this paragraph has {text.count('://'):,} web addresses; at most {MAX_ADDRESSES} are read in one paragraph: split it"
    return None


def _balanced(target: str) -> str:
    """A link target up to the ')' that closes its '[text](': ``javascript:alert(1)).`` -> ``javascript:alert(1)``."""
    depth = 0
    for position, char in enumerate(target):
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                return target[:position]
            depth -= 1
    return target


def visible(text: str) -> bool:
    """True if ``text`` has a character that a reader can see (not only spaces or invisible characters)."""
    return any(char not in _BLANK and unicodedata.category(char) not in _INVISIBLE_CATEGORIES for char in text)


class Inlines:
    """Builds inline nodes from markdown-it tokens, pairing straight quotes.

    ``note_ref`` turns a note label into its :class:`NoteRef` (the block
    reader numbers notes in reading order); ``links`` collects internal link
    targets with their line, checked once every block id is known.
    """

    def __init__(
        self,
        path: Path,
        line: int,
        language: Language,
        note_ref: Callable[[str, int], NoteRef] | None = None,
        links: list[tuple[str, int]] | None = None,
    ):
        self.path, self.line, self.language = path, line, language
        self.note_ref = note_ref
        self.links = links if links is not None else []

    def fail(self, message: str, line: int | None = None) -> DocbuildError:
        return DocbuildError(message, self.path, line or self.line)

    def _check_text(self, tokens: list[Token]) -> None:
        """Refuse what markdown-it leaves as text but the author meant as markup."""
        breaks = 0
        for position, token in enumerate(tokens):
            if token.type == "softbreak":
                breaks += 1
            if token.type != "text":
                continue
            line = self.line + breaks if self.line else None
            if match := _UNDEFINED_NOTE.search(token.content):
                label = match.group(1)
                raise self.fail(f"note [^{label}] is referenced but not defined; add a line '[^{label}]: ...' at the end of the file", line)
            if position and tokens[position - 1].type == "softbreak" and _GLUED_ATTRIBUTES.match(token.content.strip()):
                raise self.fail(
                    f"'{token.content.strip()}' continues the text of the line above; put a blank line before it", line
                )
            if match := _REFUSED_LINK.search(token.content):
                target = _balanced(match.group(1)) if match.group(1) else match.group(2)
                if target and not target.lower().startswith(LINK_SCHEMES):
                    raise self.fail(f"link target '{target[:60]}' must be an http(s) or mailto address, or #id of a block", line)
                start = token.content.rfind("[", 0, match.start())
                near = token.content[max(start, match.start() - 40, 0):match.end() + 40]
                raise self.fail(
                    f"'{near.strip()}' is not a link docbuild understands: write [text](address), "
                    "with no spaces in the address",
                    line,
                )
            if match := _STRAY_ATTRIBUTES.search(token.content):
                raise self.fail(
                    f"'{match.group(0)}' is not understood here: a block's {{#id}} goes on its own line above it, "
                    "and {lang=xx} right after a [span] with no space between",
                    line,
                )

    def build(self, tokens: list[Token]) -> tuple[Inline, ...]:
        self._check_text(tokens)
        # Each frame: (kind, attrs, children, language). The root frame has kind "root".
        stack: list[tuple[str, dict, list, Language]] = [("root", {}, [], self.language)]
        last_char = " "
        for token in tokens:
            kind, attrs, children, lang = stack[-1]
            if len(stack) > MAX_DEPTH:
                raise self.fail(f"emphasis, links, spans and quotations nested more than {MAX_DEPTH} deep")
            if token.type in ("text", "softbreak"):
                text = token.content if token.type == "text" else " "
                buffer = ""
                for char in text:
                    if char != '"':
                        buffer += char
                        last_char = char
                        continue
                    if buffer:
                        stack[-1][2].append(Text(_typeset(buffer, stack[-1][3])))
                        buffer = ""
                    if last_char in _OPENING_CONTEXT:
                        stack.append(("quote", {}, [], stack[-1][3]))
                    elif stack[-1][0] == "quote":
                        self._close(stack)
                    else:
                        raise self.fail(f"closing quotation mark without an opening one near '{text.strip()[:40]}'")
                    last_char = char
                if buffer:
                    stack[-1][2].append(Text(_typeset(buffer, stack[-1][3])))
            elif token.type in ("em_open", "strong_open", "link_open", "span_open"):
                attrs = dict(token.attrs)
                if token.type == "link_open":
                    if extra := sorted(set(attrs) - {"href", "title"}):
                        raise self.fail(f"a link takes no attributes ({', '.join(extra)}); remove the {{...}} after it")
                    href = str(attrs.get("href", ""))
                    if not href.startswith(LINK_SCHEMES):
                        raise self.fail(f"link target '{href}' must be an http(s) or mailto address, or #id of a block")
                    if href.startswith("#"):
                        self.links.append((href[1:], self.line))
                child_lang = lang
                if token.type == "span_open":
                    span_lang = str(attrs.get("lang", ""))
                    if set(attrs) != {"lang"}:
                        raise self.fail("a [text]{...} span takes exactly one attribute, lang=, e.g. [Human Rights Watch]{lang=en}")
                    if not languages.is_known(span_lang):
                        raise self.fail(f"unknown language code '{span_lang}' (use an ISO 639-1 code such as en or ru)")
                    child_lang = lang.sibling(span_lang)
                stack.append((token.type[:-5], attrs, [], child_lang))
            elif token.type in ("em_close", "strong_close", "link_close", "span_close"):
                if stack[-1][0] == "quote":
                    raise self.fail("quotation mark opened inside emphasis, a link or a span is not closed there")
                self._close(stack)
            elif token.type == "footnote_ref":
                if self.note_ref is None:
                    raise self.fail("a note reference [^...] cannot stand here (front matter or another note)")
                stack[-1][2].append(self.note_ref(str(token.meta["label"]), self.line))
                last_char = "1"
            else:
                raise self.fail(_UNSUPPORTED.get(token.type, f"unsupported inline markup ({token.type})"))
        if len(stack) > 1:
            raise self.fail("quotation mark opened but never closed" if stack[-1][0] == "quote" else "markup not closed")
        return tuple(stack[0][2])

    def _close(self, stack: list[tuple[str, dict, list, Language]]) -> None:
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
            opening, closing = quote_marks(lang, depth)  # a quotation inside an English span takes English marks
            node = Quote(nodes, opening, closing)
        stack[-1][2].append(node)


_UNSUPPORTED = {
    "hardbreak": "line breaks inside a paragraph are not supported; start a new paragraph with its own id",
    "html_inline": "raw HTML is not allowed in chapter text; use Markdown",
    "code_inline": "inline code is not supported in chapter text",
    "image": "an image in running text is not supported; put it in a '::: figure' block with alt, caption and credit",
    "footnote_inline": "inline notes ^[...] are not supported; write [^label] and a '[^label]: ...' definition",
    "s_open": "strikethrough is not supported",
}
