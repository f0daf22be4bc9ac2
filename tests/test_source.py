"""The canonical source and the model the reader makes of it (issue 2)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import replace_in_file
from docbuild.model import Emph, Link, Quote, Span, Text, plain_text, spans
from docbuild.project import Project
from docbuild.reader import read_chapter, read_project

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "world-report-2022-kazakhstan.txt"


def kazakhstan(lang: str):
    (chapter_set,) = read_project(Project.at(ROOT), ["kazakhstan"])
    return chapter_set.variant(lang)


def test_english_chapter_has_intro_thirteen_sections_and_34_paragraphs():
    chapter = kazakhstan("en")
    assert chapter.meta.title == "Kazakhstan"
    assert chapter.meta.subtitle == "Events of 2021"
    assert len(chapter.intro) == 3
    assert len(chapter.sections) == 13
    assert len(list(chapter.paragraphs())) == 34
    assert [plain_text(s.heading) for s in chapter.sections][:2] == [
        "January 2022 Protests and Violence",
        "Parliamentary Elections",
    ]


def test_metadata_a_library_needs_is_present():
    meta = kazakhstan("en").meta
    assert meta.author and meta.publisher and meta.description
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta.date)
    assert len(meta.keywords) >= 3


def test_figure_has_four_distinct_texts_wcag_1_1_1():
    """Alt text says what is seen; it is not the caption, not the credit, not a file name."""
    figure = kazakhstan("en").figure
    texts = [figure.alt, plain_text(figure.caption), plain_text(figure.credit), figure.image.name]
    assert all(texts) and len(set(texts)) == 4
    assert "jpg" not in figure.alt.lower()
    assert figure.image.is_file() and figure.placeholder


def _letters(text: str) -> str:
    """Letters and digits only: the seed glues headings to paragraphs, so spacing can't be compared."""
    return re.sub(r"\W", "", text)


def test_every_sentence_of_the_seed_chapter_is_in_the_source_in_order():
    """The seed page glues headings to paragraphs; the source must hold the chapter's words in
    the same order, apart from the typo fixes listed in source/kazakhstan/README.md."""
    seed = SEED.read_text(encoding="utf-8")
    start = seed.index("Kazakhstan was rocked")
    end = seed.index("Browse countries")
    expected = _letters(seed[start:end])
    for typo, fix in (("miiliary", "military"), ("ODHIR", "ODIHR")):
        expected = expected.replace(typo, fix)
    chapter = kazakhstan("en")
    blocks = []
    for paragraph in chapter.intro:
        blocks.append(plain_text(paragraph.content))
    for section in chapter.sections:
        blocks.append(plain_text(section.heading))
        blocks.extend(plain_text(p.content) for p in section.paragraphs)
    assert _letters(" ".join(blocks)) == expected


def test_no_web_page_chrome_in_the_model():
    text = " ".join(plain_text(p.content) for p in kazakhstan("en").paragraphs())
    for chrome in ("Share this via", "Donate Now", "Browse countries", "Kenneth Roth", "Afghanistan", "Sign Up"):
        assert chrome not in text


def test_inline_markup_reaches_the_model(project: Path):
    source = project / "source" / "kazakhstan" / "en.md"
    replace_in_file(
        source,
        "Kazakhstan was rocked in early",
        'Kazakhstan was *rocked* in [early]{lang=fr} "quoted "inner" words" [link](https://example.org) early',
    )
    chapter, _ = read_chapter(source, Project.at(project))
    first = chapter.intro[0].content
    assert any(isinstance(n, Emph) for n in first)
    assert any(isinstance(n, Link) and n.href == "https://example.org" for n in first)
    assert [s.lang for s in spans(first)] == ["fr"]
    quote = next(n for n in first if isinstance(n, Quote))
    assert (quote.open, quote.close) == ("\u201c", "\u201d")
    inner = next(n for n in quote.children if isinstance(n, Quote))
    assert (inner.open, inner.close) == ("\u2018", "\u2019")
    assert Text("inner") in inner.children


def test_russian_variant_aligns_with_english():
    english, russian = kazakhstan("en"), kazakhstan("ru")
    assert [p.id for p in russian.paragraphs()] == [p.id for p in english.paragraphs()]
    assert [s.id for s in russian.sections] == [s.id for s in english.sections]
    assert russian.translation_of == "en"
    assert russian.meta.subtitle == "События 2021\u00a0года"


def test_russian_text_is_cyrillic_except_marked_spans():
    """WCAG 3.1.2: every Latin-script run of the Russian text is inside a marked span."""
    russian = kazakhstan("ru")

    def unmarked(nodes):
        for node in nodes:
            if isinstance(node, Text):
                yield node.text
            elif not isinstance(node, Span):
                yield from unmarked(node.children)

    blocks = [p.content for p in russian.paragraphs()] + [s.heading for s in russian.sections]
    blocks += [russian.figure.caption, russian.figure.credit]
    for block in blocks:
        assert not re.search("[A-Za-z]", "".join(unmarked(block))), plain_text(block)
    marked = {plain_text(s.children) for block in blocks for s in spans(block)}
    assert {"Feminita", "Instagram", "Pegasus Project", "RFE/RL"} <= marked
    assert all(s.lang == "en" for block in blocks for s in spans(block))
