"""The YAML front matter: metadata and the lead figure, each value with its line.

Figure fields (``src``, ``kind``, ``alt``, ``caption``, ``credit``,
``placeholder``) are read by :func:`figure` both here and for figures in the
body (``::: figure``), so the two follow one set of rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

import yaml

from ..errors import DocbuildError
from ..model import FIGURE_KINDS, Figure, Inline, Metadata, plain_text
from ..project import Project
from ..typography import typeset
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


def _located(node: yaml.Node, first_line: int, line: int | None = None) -> Located:
    """Turn a composed YAML node into Python values that keep their line numbers.

    A mapping's values take the line of their key, where an editor looks for them.
    """
    line = line if line is not None else node.start_mark.line + first_line
    if isinstance(node, yaml.MappingNode):
        return Located(
            {k.value: _located(v, first_line, k.start_mark.line + first_line) for k, v in node.value}, line
        )
    if isinstance(node, yaml.SequenceNode):
        return Located([_located(item, first_line) for item in node.value], line)
    return Located(yaml.safe_load(yaml.serialize(node)), line)


def front_matter(content: str | None, path: Path) -> dict[str, Located]:
    if content is None:
        raise DocbuildError("no front matter: the file must start with a '---' block holding title, subtitle, ...", path, 1)
    try:
        node = yaml.compose(content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        raise DocbuildError(f"malformed front matter: {getattr(exc, 'problem', exc)}", path, line) from None
    if not isinstance(node, yaml.MappingNode):
        raise DocbuildError("front matter must be a list of 'key: value' lines", path, 2)
    return _located(node, 2).value


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
    if not isinstance(item.value, str) or not item.value.strip():
        raise DocbuildError(f"'{key}' must be non-empty text", path, item.line)
    return " ".join(item.value.split())


def metadata(meta: dict[str, Located], path: Path, lang: str) -> Metadata:
    """The metadata, every problem of every field reported at once."""
    problems: list[DocbuildError] = []

    def text(key: str, typeset_it: bool = True) -> str:
        try:
            value = string(meta[key], key, path)
        except DocbuildError as error:
            problems.append(error)
            return ""
        return typeset(value, lang) if typeset_it else value

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
    else:
        for item in keywords.value:
            try:
                words.append(string(item, "keywords", path))
            except DocbuildError as error:
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
    lang: str,
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
    alt = typeset(string(fields["alt"], "alt", path), lang)
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
    """The image file ``src`` names, refused unless it is a file inside the chapter folder."""
    name = string(src, "src", path)
    folder = path.parent.resolve()
    image = (path.parent / name).resolve()
    if "://" in name or "\0" in name or not image.is_relative_to(folder):
        raise DocbuildError(f"figure image '{name}' must be a file inside the chapter folder {path.parent.name}/", path, src.line)
    if not project.contains(image) or not image.is_file():
        raise DocbuildError(f"figure image '{name}' not found", path, src.line)
    if image.suffix.lower() not in (".jpg", ".jpeg", ".png"):
        raise DocbuildError(f"figure image '{name}': use a JPEG or PNG file", path, src.line)
    return image
