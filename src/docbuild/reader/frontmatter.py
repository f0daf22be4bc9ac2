"""The YAML front matter: metadata and the lead figure, each value with its line.

Figure fields (``src``, ``kind``, ``alt``, ``caption``, ``credit``,
``placeholder``) are read by :func:`figure` both here and for figures in the
body (``::: figure``), so the two follow one set of rules.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import yaml

from ..errors import DocbuildError
from ..model import FIGURE_KINDS, Figure, Inline, Metadata, plain_text
from ..images import check_image
from ..project import MAX_FILE_BYTES, Project, check_file
from ..languages import Language
from ..typography import typeset
from .inlines import visible
import re

REQUIRED = ("title", "subtitle", "author", "publisher", "date", "description", "keywords")
OPTIONAL = ("figure", "translation-of")
FIGURE_KEYS = ("src", "kind", "alt", "caption", "credit", "placeholder")
_FILE_NAME = re.compile(r"\b[\w-]+\.(?:jpe?g|png|gif|tiff?|webp|svg)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Located:
    """A front matter value and the source line an editor looks at for it."""

    value: Any
    line: int
    #: The text as written, for a plain scalar: a text field takes it when YAML reads a number,
    #: a boolean or null (``keywords: [2022, no]``, ``translation-of: no`` for Norwegian).
    raw: str | None = None


#: Front matter holds about twenty values in a few kilobytes; more, or deeper nesting, is not a
#: chapter's metadata (and PyYAML, in pure Python, reads about a megabyte a second).
MAX_YAML_NODES = 1000
MAX_YAML_DEPTH = 8
MAX_FRONT_MATTER_CHARS = 64 * 1024

#: The most characters a metadata value may have (after runs of spaces are joined), and the most
#: keywords. Each fits every format it reaches: the DOCX core properties hold at most 255
#: characters (title and subtitle share dc:title; the writer shortens the description and the
#: keyword list at a word boundary), the EPUB's and PDF's metadata have no limit of their own.
LIMITS = {"title": 200, "subtitle": 200, "author": 200, "publisher": 200, "description": 1000, "keyword": 100}
MAX_KEYWORDS = 30


def _check_events(content: str, path: Path, first_line: int) -> None:
    """Refuse anchors, aliases, tags, deep nesting and too many values before anything is built.

    PyYAML's parser is iterative, so this pass is linear in the text and cannot
    recurse; an alias is refused here, never expanded (a "billion laughs" is
    a few hundred bytes).
    """
    depth = nodes = 0
    try:
        for event in yaml.parse(content, Loader=yaml.SafeLoader):
            line = event.start_mark.line + first_line
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise DocbuildError(
                    "YAML anchors and aliases (&name, *name) are not allowed in front matter; write each value out",
                    path,
                    line,
                )
            tag = getattr(event, "tag", None)
            if tag is not None:
                raise DocbuildError(
                    f"YAML tags ({tag}) are not allowed in front matter; write the value as plain text, "
                    "in quotes if it starts with !",
                    path,
                    line,
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise DocbuildError(f"front matter nested more than {MAX_YAML_DEPTH} deep", path, line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > MAX_YAML_NODES:
                    raise DocbuildError(f"front matter holds more than {MAX_YAML_NODES} values", path, line)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + first_line if mark else 1
        raise DocbuildError(f"malformed front matter: {getattr(exc, 'problem', None) or exc}", path, line) from None


def _scalar(node: yaml.ScalarNode) -> Any:
    """A plain value as YAML reads it; a date-like value that is no date stays text (and is reported where a date is wanted)."""
    try:
        return yaml.constructor.SafeConstructor().construct_object(node)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return node.value


def _located(node: yaml.Node, path: Path, first_line: int, problems: list[DocbuildError], line: int | None = None) -> Located:
    """Turn a composed YAML node into Python values that keep their line numbers.

    A mapping's values take the line of their key, where an editor looks for
    them. Keys are names: a list or mapping as a key, or a key given twice,
    is a problem (the second would silently win).
    """
    line = line if line is not None else node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        values: dict[str, Located] = {}
        lines: dict[str, int] = {}
        for key, value in node.value:
            key_line = key.start_mark.line + first_line
            if not isinstance(key, yaml.ScalarNode):
                problems.append(DocbuildError("a front matter key must be a name like 'title', not a list or mapping", path, key_line))
                continue
            name = str(key.value)
            if name in values:
                problems.append(DocbuildError(f"front matter key '{name}' given twice (first on line {lines[name]})", path, key_line))
                continue
            values[name] = _located(value, path, first_line, problems, key_line)
            lines[name] = key_line
        return Located(values, line)
    if isinstance(node, yaml.SequenceNode):
        return Located([_located(item, path, first_line, problems) for item in node.value], line)
    return Located(_scalar(node), line, node.value if isinstance(node.value, str) else None)


def front_matter(content: str | None, path: Path) -> dict[str, Located]:
    if content is None:
        raise DocbuildError("no front matter: the file must start with a '---' block holding title, subtitle, ...", path, 1)
    if len(content) > MAX_FRONT_MATTER_CHARS:
        raise DocbuildError(
            f"the front matter is {len(content):,} characters long; at most {MAX_FRONT_MATTER_CHARS:,} are read", path, 1
        )
    _check_events(content, path, 2)
    try:
        node = yaml.compose(content, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise DocbuildError(f"malformed front matter: {getattr(exc, 'problem', None) or exc}", path, line) from None
    if not isinstance(node, yaml.MappingNode):
        raise DocbuildError("front matter must be a list of 'key: value' lines", path, 2)
    problems: list[DocbuildError] = []
    meta = _located(node, path, 2, problems).value
    if problems:
        raise DocbuildError.combine(problems)
    return meta


def check_keys(meta: dict[str, Located], path: Path) -> None:
    """Refuse unknown keys and report every missing one."""
    problems = [
        DocbuildError(f"unknown front matter key '{key}'; known keys: {', '.join(REQUIRED + OPTIONAL)}", path, item.line)
        for key, item in meta.items()
        if key not in REQUIRED + OPTIONAL
    ]
    problems += [DocbuildError(f"front matter lacks '{key}'", path, 2) for key in REQUIRED if key not in meta]
    if problems:
        raise DocbuildError.combine(problems)


def string(item: Located, key: str, path: Path) -> str:
    if isinstance(item.value, date):
        return item.value.isoformat()
    if isinstance(item.value, bool | int | float | None) and item.raw:
        item = Located(item.raw, item.line)
    if not isinstance(item.value, str) or not item.value.strip():
        raise DocbuildError(f"'{key}' must be non-empty text", path, item.line)
    if not visible(item.value):
        raise DocbuildError(f"'{key}' has no visible text (only spaces or invisible characters such as U+200B)", path, item.line)
    return " ".join(item.value.split())


def _limit(value: str, key: str, limit: int, path: Path, line: int) -> DocbuildError | None:
    if len(value) <= limit:
        return None
    return DocbuildError(f"'{key}' is {len(value)} characters long; at most {limit} are allowed: shorten it", path, line)


def metadata(meta: dict[str, Located], path: Path, language: Language) -> Metadata:
    """The metadata, every problem of every field reported at once."""
    problems: list[DocbuildError] = []

    def text(key: str, typeset_it: bool = True) -> str:
        try:
            value = string(meta[key], key, path)
        except DocbuildError as error:
            problems.append(error)
            return ""
        if key in LIMITS and (error := _limit(value, key, LIMITS[key], path, meta[key].line)):
            problems.append(error)
        return typeset(value, language) if typeset_it else value

    when = text("date", typeset_it=False)
    if when:
        try:
            date.fromisoformat(when)
        except ValueError:
            problems.append(DocbuildError(f"'date' must be a date like 2022-01-13, not '{when}'", path, meta["date"].line))
    keywords = meta["keywords"]
    words: list[str] = []
    if not isinstance(keywords.value, list) or not keywords.value:
        problems.append(DocbuildError("'keywords' must be a list like [one, two]", path, keywords.line))
    elif len(keywords.value) > MAX_KEYWORDS:
        problems.append(DocbuildError(f"'keywords' has {len(keywords.value)} entries; at most {MAX_KEYWORDS} are allowed", path, keywords.line))
    else:
        for item in keywords.value:
            try:
                words.append(string(item, "keywords", path))
            except DocbuildError as error:
                problems.append(error)
                continue
            if error := _limit(words[-1], "keyword", LIMITS["keyword"], path, item.line):
                problems.append(error)
    result = Metadata(
        title=text("title"),
        subtitle=text("subtitle"),
        author=text("author", typeset_it=False),
        publisher=text("publisher", typeset_it=False),
        date=when,
        description=text("description"),
        keywords=tuple(words),
    )
    if problems:
        raise DocbuildError.combine(problems)
    return result


def figure(
    fields: dict[str, Located],
    line: int,
    path: Path,
    language: Language,
    project: Project,
    inline_text: Callable[[Located, str], tuple[Inline, ...]],
    **extra: Any,
) -> Figure:
    """A Figure from its fields, with every rule on images and alt text applied.

    ``inline_text`` parses caption and credit (they take inline markup);
    ``extra`` carries what a body figure adds (id, description).
    """
    for key, value in fields.items():
        if key not in FIGURE_KEYS:
            raise DocbuildError(f"unknown figure key '{key}'; known keys: {', '.join(FIGURE_KEYS)}", path, value.line)
    for key in ("src", "alt", "caption", "credit"):
        if key not in fields:
            hint = " (alt text says what is seen, for readers who cannot see the image)" if key == "alt" else ""
            raise DocbuildError(f"figure lacks '{key}'{hint}", path, line)
    src = fields["src"]
    image = image_path(src, path, project)
    kind = fields.get("kind", Located("photo", line))
    if kind.value not in FIGURE_KINDS:
        raise DocbuildError(f"figure kind '{kind.value}' is not one of {', '.join(FIGURE_KINDS)}", path, kind.line)
    alt = typeset(string(fields["alt"], "alt", path), language)
    caption = inline_text(fields["caption"], "caption")
    if _FILE_NAME.search(alt):
        raise DocbuildError("alt text names a file; describe what the image shows instead", path, fields["alt"].line)
    if alt == plain_text(caption):
        raise DocbuildError("alt text repeats the caption; describe what is seen instead", path, fields["alt"].line)
    placeholder = fields.get("placeholder", Located(False, line))
    if not isinstance(placeholder.value, bool):
        raise DocbuildError("'placeholder' must be true or false", path, placeholder.line)
    return Figure(
        image=image,
        alt=alt,
        caption=caption,
        credit=inline_text(fields["credit"], "credit"),
        placeholder=placeholder.value,
        kind=kind.value,
        line=line,
        **extra,
    )


def image_path(src: Located, path: Path, project: Project) -> Path:
    """The image file ``src`` names, refused unless it is a regular file inside the chapter folder.

    No link is followed (a link in the chapter folder could lead anywhere),
    the file's size is bounded, and its pixel count is read from its header
    and checked before anything decodes it.
    """
    name = string(src, "src", path)
    shown = "".join(char if char.isprintable() else "?" for char in name[:80]) + ("..." if len(name) > 80 else "")
    if not name.isprintable():
        raise DocbuildError(f"figure image '{shown}': the name holds a control or invisible character (shown as ?)", path, src.line)
    folder = path.parent
    image = Path(os.path.normpath(folder / name))
    if "://" in name or image == folder or not image.is_relative_to(folder):
        raise DocbuildError(f"figure image '{shown}' must be a file inside the chapter folder {folder.name}/", path, src.line)
    if image.suffix.lower() not in (".jpg", ".jpeg", ".png"):
        raise DocbuildError(f"figure image '{shown}': use a JPEG or PNG file", path, src.line)
    # Every folder on the way down from the chapter folder, then the file itself: none may be a link.
    step = folder
    for part in image.relative_to(folder).parts[:-1]:
        step = step / part
        if step.is_symlink():
            raise DocbuildError(
                f"figure image '{shown}': {step.relative_to(folder)}/ is a symbolic link; "
                "docbuild reads only files inside the chapter folder: put the folder itself there",
                path,
                src.line,
            )
    if not os.path.lexists(image):
        raise DocbuildError(f"figure image '{shown}' not found", path, src.line)
    try:
        check_file(image, MAX_FILE_BYTES, "image")
        _, _, kind = check_image(image)
        if kind not in ("JPEG", "MPO", "PNG"):
            raise DocbuildError(f"is a {kind or 'unknown'} image, not a JPEG or PNG one: convert it", image)
    except DocbuildError as error:
        raise DocbuildError(f"figure image '{shown}' {error.message}", path, src.line) from None
    resolved = image.resolve()
    if not project.contains(resolved):
        raise DocbuildError(f"figure image '{shown}' must be a file inside the chapter folder {folder.name}/", path, src.line)
    return resolved
