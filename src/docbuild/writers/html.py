"""Renders a chapter to HTML through the templates in ``layouts/``.

The PDF and the EPUB share ``layouts/chapter.html.j2``; each extends it with
its own blocks and stylesheet. The markup lives in templates, not in Python:
this module only sets up jinja2 (autoescaped, reading nothing outside
``layouts/``) and lets templates tell model nodes apart.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from ..languages import find_language

from .. import model
from ..edition import Edition

_NODE_TESTS = {
    "text_node": model.Text,
    "emph_node": model.Emph,
    "strong_node": model.Strong,
    "link_node": model.Link,
    "quote_node": model.Quote,
    "span_node": model.Span,
    "noteref_node": model.NoteRef,
    "paragraph_node": model.Paragraph,
    "section_node": model.Section,
    "list_node": model.List,
    "blockquote_node": model.BlockQuote,
    "table_node": model.Table,
    "figure_node": model.Figure,
    "box_node": model.Box,
}


@lru_cache(maxsize=4)
def environment(layouts: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(layouts),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    for name, cls in _NODE_TESTS.items():
        env.tests[name] = lambda node, cls=cls: isinstance(node, cls)
    env.filters["plain_text"] = model.plain_text
    env.globals["span_dir"] = lambda lang, around: _span_direction(layouts, lang, around)
    return env


def _span_direction(layouts: Path, lang: str, around: str) -> str | None:
    """A span's ``dir`` when its language runs the other way from the text around it, else None.

    Marking it lets the bidirectional algorithm keep the span's neutral
    characters (a closing bracket, a full stop) with the span.
    """
    inner, outer = find_language(layouts, lang), find_language(layouts, around)
    if inner is None or outer is None or inner.direction == outer.direction:
        return None
    return inner.direction


#: Characters left out when the PDF and the EPUB count a block's text to agree
#: on where a print page begins: the hyphen the print layout adds at a broken
#: line end (U+2010, which sources never use) and soft hyphens; spaces of
#: every kind are skipped too, so line breaks and no-break spaces do not matter.
PAGE_COUNT_IGNORED = "\u2010\u00ad"


def counted_characters(text: str) -> int:
    """How many characters of ``text`` count when locating where a print page begins."""
    return sum(1 for char in text if not char.isspace() and char not in PAGE_COUNT_IGNORED)


def render_html(edition: Edition, template: str, **context: object) -> str:
    """Render ``template`` with the edition's chapter, labels and any extra context."""
    env = environment(edition.project.layouts)
    try:
        page = env.get_template(template)
    except jinja2.TemplateNotFound:
        from ..errors import DocbuildError

        raise DocbuildError(f"layout template '{template}' not found", edition.project.layouts) from None
    return page.render(
        chapter=edition.chapter, meta=edition.chapter.meta, labels=edition.labels, edition=edition,
        language=edition.language, **context,
    )
