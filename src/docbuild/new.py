"""``docbuild new CHAPTER``: start a chapter that builds and passes ``docbuild check`` at once.

It writes ``source/CHAPTER/``:

- ``<original>.md``: the front matter with every required field, a lead
  photo, and one of each common block (an introduction, a key-points box, a
  section with a note, a numbered list), each with its id line; every text
  says what to write in its place;
- one ``<lang>.md`` per translation: ``translation-of:`` the original, the
  same blocks with the same ids, and the ``src=`` fingerprints already set
  (by :func:`docbuild.stamp.stamp`), so it is not reported as out of date;
- ``images/placeholder.jpg``: a plain grey picture (drawn with Pillow, the
  same bytes every time) marked ``placeholder: true``, so every edition says
  the real photograph is not included yet;
- ``README.md``: what to do next (docbuild does not read it).

The guidance is written in English and in Russian; a translation into
another language gets the English guidance to replace. Each language needs
its table of words in ``layouts/labels/<lang>.toml``. An existing chapter
is never touched: ``new`` refuses it.
"""

from __future__ import annotations

import io
import re
import tomllib
import shutil
from datetime import date
from pathlib import Path

from .errors import DocbuildError
from .output import write_atomic
from .project import Project

_CHAPTER_ID = re.compile(r"^[a-z][a-z0-9-]*$")
PLACEHOLDER = "images/placeholder.jpg"

#: The keys of each ``layouts/new/<lang>.toml``: the guidance a new source holds, field by field.
GUIDANCE_KEYS = (
    "subtitle", "description", "keywords", "alt", "caption", "credit", "intro", "box_title", "point_1", "point_2",
    "section", "section_1", "recommendations", "step_1", "step_2", "note",
)


def guidance(project: Project, lang: str) -> dict[str, str]:
    """What to write in each field and block, in ``lang`` (``layouts/new/``), or in English without it."""
    folder = project.layouts / "new"
    path = folder / f"{lang}.toml"
    if not path.is_file():
        path = folder / "en.toml"
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DocbuildError(f"cannot read the guidance for new sources: {exc.strerror}", path) from None
    except tomllib.TOMLDecodeError as exc:
        raise DocbuildError(f"malformed guidance: {exc}", path, getattr(exc, "lineno", None)) from None
    missing = [key for key in GUIDANCE_KEYS if not isinstance(table.get(key), str)]
    if missing:
        raise DocbuildError(f"guidance lacks {', '.join(missing)} (see en.toml)", path)
    return table


_SOURCE = """\
---
title: {title}
subtitle: {subtitle}
{translation}author: {author}
publisher: {publisher}
date: {date}
description: >-
  {description}
keywords: {keywords}
figure:
  src: {placeholder}
  placeholder: true
  alt: >-
    {alt}
  caption: {caption}
  credit: {credit}
---

{{#intro}}
{intro}

{{#key-points}}
::: box
## {box_title}

- {point_1}
- {point_2}
:::

{{#findings}}
## {section}

{{#findings-1}}
{section_1}

{{#recommendations}}
## {recommendations}

{{#recommendations-list}}
1. {step_1}
2. {step_2}

[^sources]: {note}
"""

_README = """\
# {chapter}

Started with `docbuild new`. Next:

1. Write the chapter in `{original}.md`, replacing the text of each block (keep the `{{#id}}` lines;
   `docbuild ids {chapter}` adds them to new blocks). `source/README.md` shows every element.
2. Put the lead photograph in `images/`, point `src:` at it and set `placeholder: false`; write its
   `alt`, `caption` and `credit`.
3. Translate{translations}; after revising a block, `docbuild stamp {chapter} LANG` records it as current.
4. See it while you write: `docbuild preview --chapter {chapter}`; before release: `docbuild check --chapter {chapter}`.
"""


def new_chapter(
    project: Project | Path | str,
    chapter: str,
    langs: list[str] | None = None,
    title: str | None = None,
    today: date | None = None,
) -> list[Path]:
    """Create ``source/<chapter>/`` (the original first in ``langs``); return the files written.

    ``langs`` defaults to ``docbuild.toml``'s ``languages``, else English
    alone. Refuses an existing chapter, an id that is not lower-case letters,
    digits and hyphens, and a language with no ``layouts/labels/<lang>.toml``.
    """
    from .config import load_config
    from .languages import is_known
    from .stamp import stamp

    if not isinstance(project, Project):
        project = Project.at(project)
    langs = list(dict.fromkeys(langs or load_config(project.root).languages or ["en"]))
    folder = project.source / chapter
    if not _CHAPTER_ID.match(chapter):
        raise DocbuildError(
            f"'{chapter}' cannot be a chapter id: use lower-case letters, digits and hyphens, starting with a letter "
            "(e.g. kazakhstan-2023)"
        )
    if folder.exists() or folder.is_symlink():
        raise DocbuildError(
            f"a chapter named '{chapter}' already exists; docbuild new never changes an existing chapter: "
            "choose another name, or edit its sources", folder,
        )
    for lang in langs:
        if not is_known(lang):
            raise DocbuildError(f"'{lang}' is not an ISO 639-1 language code (such as en, ru, kk)")
        if not (project.layouts / "labels" / f"{lang}.toml").is_file():
            raise DocbuildError(
                f"there are no labels for '{lang}': add layouts/labels/{lang}.toml (the words docbuild adds to an "
                "edition; copy en.toml and translate it), then run docbuild new again",
                project.layouts / "labels",
            )
    title = (title or chapter.replace("-", " ").capitalize()).strip()
    if not title or "\n" in title:
        raise DocbuildError("--title must be one line of text")
    author, publisher = _people(project)
    original = langs[0]
    values = {
        "title": _yaml(title), "author": _yaml(author), "publisher": _yaml(publisher),
        "date": (today or date.today()).isoformat(), "placeholder": PLACEHOLDER,
    }
    files: dict[Path, bytes] = {}
    for lang in langs:
        text = guidance(project, lang)
        fields = dict(text)
        for key in ("subtitle", "caption", "credit"):  # one-line front matter values; the others are blocks
            fields[key] = _yaml(text[key])
        translation = f"translation-of: {original}\n" if lang != original else ""
        files[folder / f"{lang}.md"] = _SOURCE.format(**values, **fields, translation=translation).encode("utf-8")
    files[folder / PLACEHOLDER] = placeholder_jpeg()
    others = ", ".join(f"`{lang}.md`" for lang in langs[1:])
    files[folder / "README.md"] = _README.format(
        chapter=chapter, original=original,
        translations=f" {others} from `{original}.md`" if others else f": add `LANG.md` with `translation-of: {original}`",
    ).encode("utf-8")

    folder.mkdir(parents=True)  # fails if it appeared meanwhile: nothing is overwritten
    try:
        for path, data in files.items():
            write_atomic(path, data)
        for lang in langs[1:]:
            stamp(project, chapter, lang)
        from .reader import read_project

        read_project(project, [chapter])  # what docbuild new writes must read without an error
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # only what this call created
        raise
    return [folder / f"{lang}.md" for lang in langs] + [folder / PLACEHOLDER, folder / "README.md"]


def placeholder_jpeg(width: int = 1200, height: int = 800) -> bytes:
    """A plain light-grey picture with a faint landscape pictogram: obviously not a photograph of anything."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (228, 228, 224))
    draw = ImageDraw.Draw(image)
    u = min(width, height) / 800
    cx, base = width / 2, height / 2 + 150 * u
    draw.ellipse((cx + 90 * u, height / 2 - 190 * u, cx + 190 * u, height / 2 - 90 * u), fill=(205, 205, 200))
    draw.polygon([(cx - 300 * u, base), (cx - 70 * u, height / 2 - 120 * u), (cx + 160 * u, base)], fill=(200, 200, 195))
    draw.polygon([(cx - 20 * u, base), (cx + 140 * u, height / 2 - 20 * u), (cx + 300 * u, base)], fill=(188, 188, 183))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, optimize=True)
    return buffer.getvalue()


def _people(project: Project) -> tuple[str, str]:
    """The author and publisher of an existing chapter's original (the same organisation, most often)."""
    for chapter in sorted(p for p in project.source.iterdir() if p.is_dir()):
        for variant in sorted(chapter.glob("*.md")):
            try:
                head = variant.read_text(encoding="utf-8")[:4000]
            except (OSError, UnicodeDecodeError):
                continue
            if "translation-of:" in head:
                continue
            author = re.search(r"^author:[ \t]*(\S.*)$", head, re.MULTILINE)
            publisher = re.search(r"^publisher:[ \t]*(\S.*)$", head, re.MULTILINE)
            if author and publisher:
                return _plain(author.group(1)), _plain(publisher.group(1))
    return "The author's name", "The publisher's name"


def _plain(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return value


def _yaml(text: str) -> str:
    """``text`` as a YAML scalar on one line: quoted when YAML would read it otherwise."""
    if re.match(r"^[\w«„(\[].*$", text) and not re.search(r":\s|\s#|^[\d.+-]+$|^(yes|no|true|false|null|on|off)$", text, re.I) \
            and not text.endswith(":"):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
