"""The plain-text edition, read back as a user's device reads it (accessibility.md, Plain text).

Two chapters: ``kazakhstan`` (a photo, paragraphs and sections) and the
briefing ``kazakhstan-january`` (lists, a quotation, a box, tables, a chart,
notes, links of both kinds).
"""

from __future__ import annotations

import re
from pathlib import Path

from docbuild.build import build
from docbuild.labels import load_labels
from docbuild.model import (
    BlockQuote, Box, Chapter, Figure, Link, List, NoteRef, Paragraph, Quote, Section, Table, chapter_links,
    inline_nodes, plain_text,
)
from docbuild.project import Project
from docbuild.reader import read_project

ROOT = Path(__file__).resolve().parent.parent
BRIEFING = "kazakhstan-january"
NO_BREAK = ("\u00a0", "\u202f", "\u2007", "\u2011")


def chapters(chapter_id: str = "kazakhstan") -> tuple[Chapter, ...]:
    (chapter_set,) = read_project(Project.at(ROOT), [chapter_id])
    return chapter_set.variants


def briefing(lang: str = "en") -> Chapter:
    return next(c for c in chapters(BRIEFING) if c.lang == lang)


def every_chapter() -> tuple[Chapter, ...]:
    return chapters() + chapters(BRIEFING)


def edition(dist, chapter: Chapter) -> str:
    return (dist("txt") / f"{chapter.id}-{chapter.lang}.txt").read_text(encoding="utf-8")


def flat(text: str) -> str:
    """Text as the plain-text edition writes it: no-break spaces are plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ").replace("\u2011", "-")


def words(nodes) -> str:
    """The source's text of inline nodes, as the edition writes it without links."""
    return flat(plain_text(nodes))


def with_refs(nodes) -> str:
    """The text of inline nodes (without links) as the edition writes it: note references as "[n]"."""
    parts = []
    for node in nodes:
        if isinstance(node, NoteRef):
            parts.append(f"[{node.number}]")
        elif isinstance(node, Quote):
            parts.append(node.open + with_refs(node.children) + node.close)
        elif hasattr(node, "children"):
            parts.append(with_refs(node.children))
        else:
            parts.append(node.text)
    return flat("".join(parts))


def test_encoding_line_ends_and_paragraph_spacing(dist):
    for chapter in every_chapter():
        data = (dist("txt") / f"{chapter.id}-{chapter.lang}.txt").read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), "no BOM"
        assert b"\r" not in data
        text = data.decode("utf-8")
        assert "\n\n\n" not in text, "paragraphs are separated by exactly one blank line"
        assert text.endswith("\n") and not text.endswith("\n\n")
        for line in text.split("\n"):
            assert line == line.rstrip(), f"trailing space: {line!r}"


def test_headings_are_marked_by_level_and_in_order_wcag_1_3_1(dist):
    """Headings start with one '#' per level: the title first, then every section at its
    level (2 to 4) in source order, then the Notes heading when there are notes."""
    for chapter in every_chapter():
        lines = edition(dist, chapter).split("\n")
        headings = [line for line in lines if line.startswith("#")]
        expected = [f"# {flat(chapter.meta.title)}"] + [f"{'#' * s.level} {words(s.heading)}" for s in chapter.sections()]
        if chapter.notes:
            expected.append(f"## {load_labels(Project.at(ROOT), chapter.lang)['notes']}")
        assert headings == expected
        assert lines[0] == expected[0], "the title comes first"
        for index, line in enumerate(lines):
            if line.startswith("#"):
                assert lines[index - 1:index] in ([], [""]) and lines[index + 1] == "", "a heading is its own paragraph"
    assert {s.level for s in briefing().sections()} == {2, 3, 4}


def test_no_line_is_only_symbols(dist):
    """No decorative rows (underlines, "* * *"): on a braille display they are rows of
    meaningless cells. Every non-empty line has a letter or a digit."""
    for chapter in every_chapter():
        for line in edition(dist, chapter).split("\n"):
            assert not line or re.search(r"\w", line), f"a line of symbols only: {line!r}"


def test_every_paragraph_in_reading_order_and_nothing_else(dist):
    """Reading order: title, subtitle, photo with caption and credit, introduction, sections."""
    for chapter in chapters():
        text = edition(dist, chapter)
        blocks = text.split("\n\n")
        expected = []

        def walk(nodes):
            for block in nodes:
                if isinstance(block, Paragraph):
                    expected.append(words(block.content))
                else:
                    assert isinstance(block, Section)
                    expected.append(f"{'#' * block.level} {words(block.heading)}")
                    walk(block.blocks)

        walk(chapter.blocks)
        assert blocks[0] == f"# {flat(chapter.meta.title)}"
        assert blocks[1] == flat(chapter.meta.subtitle)
        assert blocks[2].startswith("[")
        assert blocks[3:3 + len(expected)] == expected
        labels = load_labels(Project.at(ROOT), chapter.lang)
        meta = chapter.meta
        published = labels.format("published", publisher=meta.publisher, date=labels.date(meta.date))
        assert blocks[3 + len(expected):] == [flat(published), flat(meta.description) + "\n"]


def test_photo_appears_as_labelled_alt_caption_and_credit_wcag_1_1_1(dist):
    written = {"en": ("[Photo]", "Image description: ", "Caption: ", "Photo credit: "),
               "ru": ("[Фото]", "Описание изображения: ", "Подпись: ", "Автор фото: ")}
    for chapter in chapters():
        block = edition(dist, chapter).split("\n\n")[2]
        # English and Russian as typed here; other languages from their labels file.
        labels = load_labels(Project.at(ROOT), chapter.lang)
        photo, alt, caption, credit = written.get(chapter.lang) or (
            f"[{labels['photo']}]", *(f"{labels[key]}: " for key in ("image_description", "caption", "credit")))
        figure = chapter.figure
        lines = [line.lstrip("\u200f") for line in block.split("\n")]
        assert lines[:4] == [photo, alt + flat(figure.alt), caption + words(figure.caption), credit + words(figure.credit)]
        assert figure.image.name not in block


def test_chart_appears_with_its_labels_and_long_description_wcag_1_1_1(dist):
    """A chart: "[Chart]", then its alt text, caption and source, each labelled, then the
    long description (its paragraph and its data table) after a "Description:" line."""
    for chapter in chapters(BRIEFING):
        labels = load_labels(Project.at(ROOT), chapter.lang)
        chart = chapter.find("sentences-chart")
        assert isinstance(chart, Figure) and chart.kind == "chart"
        blocks = edition(dist, chapter).split("\n\n")
        at = blocks.index("\n".join([
            f"[{labels['chart']}]",
            f"{labels['image_description']}: {flat(chart.alt)}",
            f"{labels['caption']}: {words(chart.caption)}",
            f"{labels['credit_chart']}: {words(chart.credit)}",
        ]))
        assert blocks[at + 1] == f"{labels['long_description']}:"
        assert blocks[at + 2] == words(chart.description[0].content)
        assert blocks[at + 3].startswith(f"{labels['table']}: {words(chart.description[1].caption)}\n")


def test_tables_are_linearised_with_header_labels(dist):
    """Each table: "Table: caption", then one line per row, each cell after its column's
    header ("Date (2022): January 2; Day of protests: 1; ...")."""
    for chapter in chapters(BRIEFING):
        label = load_labels(Project.at(ROOT), chapter.lang)["table"]
        blocks = edition(dist, chapter).split("\n\n")
        tables = [b for b in chapter.walk() if isinstance(b, Table)]
        assert len(tables) == 2
        for table in tables:
            headers = [words(cell) for cell in table.header]
            expected = [f"{label}: {words(table.caption)}"] + [
                "; ".join(f"{h}: {words(cell)}" for h, cell in zip(headers, row)) for row in table.rows]
            assert "\n".join(expected) in blocks
    en = (dist("txt") / f"{BRIEFING}-en.txt").read_text(encoding="utf-8")
    assert "\nDate (2022): January 2; Day of protests: 1; Event: Protests begin in Zhanaozen" in en


def test_lists_are_numbered_and_bulleted_with_indentation(dist):
    """Numbered lists count from their start ("6." for the second list), bullets are "-",
    each nested level indented three more spaces; one line per item, no typed item lost."""
    for chapter in chapters(BRIEFING):
        text = edition(dist, chapter)
        lines = text.split("\n")
        first, second = chapter.find("recommendations-list"), chapter.find("recommendations-partners")
        assert second.start == 6
        for node in (first, second):
            for number, item in enumerate(node.items, start=node.start):
                assert f"{number}. {words(item.blocks[0].content)}" in lines
        sub = first.items[0].blocks[1]
        assert isinstance(sub, List) and not sub.ordered
        for item in sub.items:
            assert f"   - {words(item.blocks[0].content)}" in lines
        deep = [b for i in first.items for sub in i.blocks if isinstance(sub, List)
                for j in sub.items for b in j.blocks if isinstance(b, List)]
        assert deep, "the briefing nests a list two deep"
        for item in deep[0].items:
            assert f"      - {words(item.blocks[0].content)}" in lines
        bullets = chapter.find("protest-record-list")
        block = "\n".join(f"- {words(item.blocks[0].content)}" for item in bullets.items)
        assert block in text.split("\n\n")


def test_quotation_is_indented_with_its_attribution(dist):
    for chapter in chapters(BRIEFING):
        quote = chapter.find("quote-order")
        assert isinstance(quote, BlockQuote)
        blocks = edition(dist, chapter).split("\n\n")
        at = blocks.index(f"   {with_refs(quote.blocks[0].content)}")
        assert blocks[at + 1] == f"   — {with_refs(quote.attribution)}"
        (ref,) = [n for n in inline_nodes(quote.attribution) if isinstance(n, NoteRef)]
        assert blocks[at + 1].endswith(f"[{ref.number}]"), "the attribution's note reference"


def test_box_is_marked_where_it_starts_and_ends(dist):
    for chapter in chapters(BRIEFING):
        labels = load_labels(Project.at(ROOT), chapter.lang)
        box = next(b for b in chapter.walk() if isinstance(b, Box))
        blocks = edition(dist, chapter).split("\n\n")
        at = blocks.index(labels.format("box", title=words(box.title)))
        assert blocks[at + 1].startswith("- ")
        assert blocks[at + 2] == labels["end_of_box"]


def test_every_url_is_written_out_and_internal_links_say_where_they_lead(dist):
    """"Every link's URL written out": every external link of the body and the notes
    appears as text; a link whose text is its URL appears once; an internal link is
    followed by "(see: heading or caption of its target)"."""
    for chapter in chapters(BRIEFING):
        text = edition(dist, chapter)
        links = list(chapter_links(chapter))
        external = [link for link in links if not link.internal]
        assert len(external) >= 8
        for link in external:
            label = words(link.children)
            if label == link.href:
                assert f"{link.href} ({link.href})" not in text
                assert link.href in text
            else:
                assert f"{label} ({link.href})" in text
        see = load_labels(Project.at(ROOT), chapter.lang)["see"]
        internal = [link for link in links if link.internal]
        assert {link.href for link in internal} >= {"#timeline-table", "#recommendations", "#sentences-chart"}
        for link in internal:
            target = chapter.find(link.href[1:])
            name = target.heading if isinstance(target, Section) else target.caption
            assert f"{words(link.children)} ({see.format(target=words(name))})" in text


def test_notes_are_numbered_references_and_endnotes_with_their_urls(dist):
    """Note references are "[1]" in the text; the notes follow under the Notes heading,
    each "[n] text (URL)", in number order, before the colophon."""
    for chapter in chapters(BRIEFING):
        labels = load_labels(Project.at(ROOT), chapter.lang)
        text = edition(dist, chapter)
        body, _, end = text.partition(f"\n\n## {labels['notes']}\n\n")
        assert end, "a Notes heading"
        for note in chapter.notes:
            assert f"[{note.number}]" in body
        blocks = end.split("\n\n")
        notes = blocks[:len(chapter.notes)]
        assert [b.split(" ", 1)[0] for b in notes] == [f"[{n.number}]" for n in chapter.notes]
        for block, note in zip(notes, chapter.notes):
            for link in (n for run in [note.blocks[0].content] for n in _links(run)):
                assert link.href in block
        meta = chapter.meta
        published = labels.format("published", publisher=meta.publisher, date=labels.date(meta.date))
        assert blocks[len(chapter.notes):] == [flat(published), flat(meta.description) + "\n"]
    chapter = briefing()
    references = [n for run in chapter.inline_runs() for n in inline_nodes(run) if isinstance(n, NoteRef)]
    cited_twice = next(r for r in references if r.occurrence == 2)
    count = sum(r.number == cited_twice.number for r in references)
    text = (dist("txt") / f"{BRIEFING}-en.txt").read_text(encoding="utf-8")
    assert text.count(f"[{cited_twice.number}]") == count + 1, "every reference to the note, and the note itself"


def _links(nodes) -> list[Link]:
    return [n for n in inline_nodes(nodes) if isinstance(n, Link)]


def test_no_break_spaces_are_plain_spaces_so_search_finds_words(dist):
    """No-break spaces defeat search: "в Казахстане" typed with an ordinary space must be
    found in the Russian edition, though the source typesets it with U+00A0."""
    ru = next(c for c in chapters() if c.lang == "ru")
    assert "в\u00a0Казахстане" in "\n".join(plain_text(run) for run in ru.inline_runs())
    assert "в Казахстане" in edition(dist, ru)
    for chapter in every_chapter():
        text = edition(dist, chapter)
        for char in NO_BREAK:
            assert char not in text, f"U+{ord(char):04X} in {chapter.id}-{chapter.lang}"


def test_no_hyphenation_and_no_split_words(dist):
    """Each paragraph is one line, so no wrap can split a word; no soft hyphens."""
    for chapter in every_chapter():
        text = edition(dist, chapter)
        assert "\u00ad" not in text
        assert ".." not in text, "no doubled full stop where a label meets an abbreviation"
        lines = text.split("\n")
        for paragraph in (b for b in chapter.walk() if isinstance(b, Paragraph)):
            if _links(paragraph.content):
                continue  # with its URLs: test_every_url_is_written_out...
            want = with_refs(paragraph.content)
            assert any(line.strip() == want or line.endswith(" " + want) for line in lines), want[:60]


def test_russian_edition_is_russian(dist):
    text = (dist("txt") / "kazakhstan-ru.txt").read_text(encoding="utf-8")
    assert text.startswith("# Казахстан\n\n")
    assert "Фото" in text and "Содержание" not in text
    latin = set(re.findall(r"[A-Za-z][A-Za-z0-9/.-]*(?: [A-Z][A-Za-z]+)*", text))
    assert latin <= {"Covid-19", "Covid", "Feminita", "Instagram", "Pegasus Project", "OCCRP", "RFE/RL",
                     "Human Rights Watch", "A4"}, latin


def test_builds_are_byte_identical(tmp_path):
    selection = ["kazakhstan", BRIEFING]
    build(ROOT, tmp_path / "a", ["txt"], chapters=selection, cache=False)
    build(ROOT, tmp_path / "b", ["txt"], chapters=selection, cache=False)
    for name in ("kazakhstan-en.txt", "kazakhstan-ru.txt", f"{BRIEFING}-en.txt", f"{BRIEFING}-ru.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
