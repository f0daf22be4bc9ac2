"""The plain-text edition, for screen readers, braille displays and e-mail.

Headings are underlined (``=`` for the title, ``-`` for sections) so the
structure survives without markup, and each paragraph is one line: the
reader's device wraps it, so no word is ever split and a braille display can
reflow freely.
"""

from __future__ import annotations

from ..edition import Edition
from ..model import plain_text


def _heading(text: str, rule: str) -> str:
    return f"{text}\n{rule * len(text)}"


def render_text(edition: Edition) -> bytes:
    chapter, labels = edition.chapter, edition.labels
    meta = chapter.meta
    blocks = [_heading(meta.title, "="), meta.subtitle]
    figure = chapter.figure
    if figure is not None:
        lines = [f"[{labels['photo']}]", f"{labels['image_description']}: {figure.alt}"]
        lines.append(f"{labels['caption']}: {plain_text(figure.caption)}")
        lines.append(f"{labels['credit']}: {plain_text(figure.credit)}")
        blocks.append("\n".join(lines))
    blocks.extend(plain_text(p.content) for p in chapter.intro)
    for section in chapter.sections:
        blocks.append(_heading(plain_text(section.heading), "-"))
        blocks.extend(plain_text(p.content) for p in section.paragraphs)
    blocks.append("* * *")
    blocks.append(labels.format("published", publisher=meta.publisher, date=labels.date(meta.date)))
    blocks.append(meta.description)
    return ("\n\n".join(blocks) + "\n").encode("utf-8")
