"""The reader, element by element: small sources in, the model's tree out.

Each test writes a short chapter into a copy of the project and reads it
with ``read_chapter``, so it checks the reader alone, whatever the writers
are doing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docbuild.errors import DocbuildError
from docbuild.model import (
    BlockQuote,
    Box,
    Emph,
    Figure,
    Link,
    List,
    ListItem,
    Note,
    NoteRef,
    Paragraph,
    Quote,
    Section,
    Span,
    Strong,
    Table,
    Text,
    chapter_links,
    plain_text,
)
from docbuild.project import Project
from docbuild.reader import read_chapter
from docbuild.typography import NBSP

FRONT = {
    "en": "---\ntitle: A Chapter\nsubtitle: Events of 2021\nauthor: Human Rights Watch\npublisher: Human Rights Watch\n"
    "date: 2022-01-13\ndescription: A chapter for the tests.\nkeywords: [test]\n---\n\n",
    "ru": "---\ntitle: Глава\nsubtitle: События 2021 года\nauthor: Human Rights Watch\npublisher: Human Rights Watch\n"
    "date: 2022-01-13\ndescription: Глава для тестов.\nkeywords: [тест]\n---\n\n",
}


def write(project: Path, body: str, lang: str = "en") -> Path:
    """A chapter ``sample`` in the project copy holding ``body`` after a complete front matter."""
    folder = project / "source" / "sample"
    (folder / "images").mkdir(parents=True, exist_ok=True)
    shutil.copy(project / "source" / "example" / "images" / "chart.png", folder / "images" / "chart.png")
    path = folder / f"{lang}.md"
    path.write_text(FRONT[lang] + body, encoding="utf-8")
    return path


def read(project: Path, body: str, lang: str = "en"):
    chapter, _ = read_chapter(write(project, body, lang), Project.at(project))
    return chapter


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if needle in line)


def text(block) -> str:
    return plain_text(block.content)


def test_sections_nest_by_heading_level(project):
    chapter = read(
        project,
        "{#intro}\nBefore any section.\n\n"
        "{#one}\n## One\n\n{#one-1}\nIn one.\n\n"
        "{#one-a}\n### One A\n\n{#one-a-1}\nIn one A.\n\n"
        "{#one-a-i}\n#### One A i\n\n{#one-a-i-1}\nIn one A i.\n\n"
        "{#one-b}\n### One B\n\n{#one-b-1}\nIn one B.\n\n"
        "{#two}\n## Two\n\n{#two-1}\nIn two.\n",
    )
    intro, one, two = chapter.blocks
    assert isinstance(intro, Paragraph) and intro.id == "intro"
    assert (one.id, one.level, plain_text(one.heading)) == ("one", 2, "One")
    assert [b.id for b in one.blocks] == ["one-1", "one-a", "one-b"]
    one_a = one.blocks[1]
    assert isinstance(one_a, Section) and one_a.level == 3
    assert [b.id for b in one_a.blocks] == ["one-a-1", "one-a-i"]
    one_a_i = one_a.blocks[1]
    assert isinstance(one_a_i, Section) and one_a_i.level == 4
    assert [b.id for b in one_a_i.blocks] == ["one-a-i-1"]
    assert [b.id for b in two.blocks] == ["two-1"]
    assert [(s.id, s.level) for s in chapter.sections()] == [
        ("one", 2), ("one-a", 3), ("one-a-i", 4), ("one-b", 3), ("two", 2)
    ]
    assert chapter.block_ids() == [
        "intro", "one", "one-1", "one-a", "one-a-1", "one-a-i", "one-a-i-1", "one-b", "one-b-1", "two", "two-1"
    ]
    assert one_a_i.line == line_of(project / "source/sample/en.md", "#### One A i")


def test_bulleted_list(project):
    (items,) = read(project, "{#points}\n- First *point*.\n- Second point.\n- Third point.\n").blocks
    assert isinstance(items, List) and not items.ordered and items.id == "points"
    assert len(items.items) == 3
    assert [text(item.blocks[0]) for item in items.items] == ["First point.", "Second point.", "Third point."]
    assert all(item.blocks[0].id is None for item in items.items), "nested blocks take no id"
    assert Emph((Text("point"),)) in items.items[0].blocks[0].content


def test_ordered_list_start_and_nesting_two_and_three_deep(project):
    (steps,) = read(
        project,
        "{#steps}\n"
        "3. Third step.\n"
        "   - A detail.\n"
        "     - A detail of the detail.\n"
        "     - Another one.\n"
        "   - Another detail.\n"
        "4. Fourth step.\n",
    ).blocks
    assert steps.ordered and steps.start == 3 and len(steps.items) == 2
    first = steps.items[0]
    assert [type(b) for b in first.blocks] == [Paragraph, List]
    details = first.blocks[1]
    assert not details.ordered and len(details.items) == 2 and details.id is None
    deepest = details.items[0].blocks[1]
    assert isinstance(deepest, List) and len(deepest.items) == 2
    assert [text(item.blocks[0]) for item in deepest.items] == ["A detail of the detail.", "Another one."]
    assert steps.items[1] == ListItem((Paragraph((Text("Fourth step."),), None, steps.line + 5),))


def test_block_quote_with_attribution(project):
    (quote,) = read(
        project,
        '{#order}\n> "Shoot to kill without warning."\n>\n> And a second paragraph.\n>\n'
        "> — Kasym-Jomart Tokaev, *January 7, 2022*\n",
    ).blocks
    assert isinstance(quote, BlockQuote) and quote.id == "order"
    assert len(quote.blocks) == 2
    assert plain_text(quote.blocks[0].content) == "\u201cShoot to kill without warning.\u201d"
    assert quote.attribution == (Text("Kasym-Jomart Tokaev, "), Emph((Text("January 7, 2022"),)))


def test_block_quote_without_attribution(project):
    (quote,) = read(project, "{#words}\n> Words without a name.\n>\n> More words -- not an attribution.\n").blocks
    assert quote.attribution == ()
    assert [text(b) for b in quote.blocks] == ["Words without a name.", "More words -- not an attribution."]


def test_notes_are_numbered_in_order_of_first_reference(project):
    chapter = read(
        project,
        "{#first}\nA claim,[^second] another,[^first] and the first again.[^second]\n\n"
        "{#later}\nLater.[^first][^third]\n\n"
        "[^first]: The note defined first.\n"
        "[^third]: The third note.\n"
        "[^second]: The note referred to first.\n",
    )
    first, later = chapter.blocks
    refs = [node for node in first.content if isinstance(node, NoteRef)]
    assert refs == [NoteRef("second", 1, 1), NoteRef("first", 2, 1), NoteRef("second", 1, 2)]
    assert [node for node in later.content if isinstance(node, NoteRef)] == [NoteRef("first", 2, 2), NoteRef("third", 3, 1)]
    assert [(n.label, n.number) for n in chapter.notes] == [("second", 1), ("first", 2), ("third", 3)]
    assert chapter.note("second").blocks == (Paragraph((Text("The note referred to first."),), None, chapter.note("second").line),)
    assert chapter.note("third").line == line_of(project / "source/sample/en.md", "[^third]:")


def test_note_that_is_a_bare_address_is_a_link(project):
    chapter = read(project, "{#claim}\nA claim.[^web]\n\n[^web]: https://www.hrw.org/europe/central-asia/kazakhstan\n")
    (note,) = chapter.notes
    assert isinstance(note, Note) and note.label == "web"
    address = "https://www.hrw.org/europe/central-asia/kazakhstan"
    assert note.blocks == (Paragraph((Link(address, (Text(address),)),), None, note.line),)
    assert [link.href for link in chapter_links(chapter)] == [address]


def test_note_of_several_paragraphs(project):
    chapter = read(project, "{#claim}\nA claim.[^long]\n\n[^long]: First paragraph.\n\n    Second paragraph.\n")
    assert [text(b) for b in chapter.note("long").blocks] == ["First paragraph.", "Second paragraph."]


def test_table(project):
    (table,) = read(
        project,
        "{#sentences .header-column}\n"
        "| Person | Year | Years in prison |\n"
        "|:---|:---:|---:|\n"
        "| Aron **Atabek** | 2006 | 18 |\n"
        "| Max Bokaev | 2016 | 5 |\n"
        "\n"
        "Table: Prison sentences of two critics\n",
    ).blocks
    assert isinstance(table, Table) and table.id == "sentences"
    assert plain_text(table.caption) == "Prison sentences of two critics"
    assert [plain_text(cell) for cell in table.header] == ["Person", "Year", "Years in prison"]
    assert [[plain_text(cell) for cell in row] for row in table.rows] == [["Aron Atabek", "2006", "18"], ["Max Bokaev", "2016", "5"]]
    assert table.rows[0][0] == (Text("Aron "), Strong((Text("Atabek"),)))
    assert table.align == ("left", "center", "right")
    assert table.header_column


def test_table_defaults(project):
    (table,) = read(project, "{#plain}\n| A | B |\n|---|---|\n| 1 | 2 |\n\nTable: Plain\n").blocks
    assert table.align == ("", "") and not table.header_column and len(table.rows) == 1


def test_body_figure_chart_with_a_description_table(project):
    (figure,) = read(
        project,
        "{#chart}\n::: figure\n"
        "src: images/chart.png\n"
        "kind: chart\n"
        "alt: Horizontal bar chart with two bars,\n"
        "  the first twice as long as the second.\n"
        "caption: Prison sentences, in [years]{lang=en}\n"
        "credit: Human Rights Watch\n"
        "\n"
        "The chart compares two sentences.\n"
        "\n"
        "| Person | Years |\n|---|---:|\n| Aron Atabek | 18 |\n| Max Bokaev | 5 |\n"
        "\n"
        "Table: The data of the chart\n"
        ":::\n",
    ).blocks
    assert isinstance(figure, Figure) and figure.id == "chart" and figure.kind == "chart"
    assert figure.image.name == "chart.png" and figure.image.is_file()
    assert figure.alt == "Horizontal bar chart with two bars, the first twice as long as the second."
    assert figure.caption == (Text("Prison sentences, in "), Span("en", (Text("years"),)))
    assert plain_text(figure.credit) == "Human Rights Watch"
    paragraph, data = figure.description
    assert text(paragraph) == "The chart compares two sentences." and paragraph.id is None
    assert isinstance(data, Table) and data.id is None and len(data.rows) == 2 and data.align == ("", "right")
    assert plain_text(data.caption) == "The data of the chart"


def test_figure_in_a_list_item(project):
    (items,) = read(
        project,
        "{#items}\n- An item with a chart:\n\n  ::: figure\n  src: images/chart.png\n  kind: chart\n"
        "  alt: Two bars,\n    one twice as long.\n  caption: Sentences\n  credit: HRW\n  :::\n- Another item.\n",
    ).blocks
    paragraph, figure = items.items[0].blocks
    assert isinstance(figure, Figure) and figure.id is None and figure.alt == "Two bars, one twice as long."
    assert len(items.items) == 2


def test_box_title_is_one_level_below_its_section(project):
    chapter = read(
        project,
        "{#top}\n::: box\n## At the Top\n\nIn the body.\n:::\n\n"
        "{#part}\n## Part\n\n"
        "{#key-points}\n::: box\n### Key Points\n\n- One.\n- Two.\n\nA closing paragraph.\n:::\n",
    )
    top, part = chapter.blocks
    assert isinstance(top, Box) and top.level == 2 and plain_text(top.title) == "At the Top"
    (box,) = part.blocks
    assert isinstance(box, Box) and box.id == "key-points" and box.level == 3
    assert plain_text(box.title) == "Key Points"
    assert [type(b) for b in box.blocks] == [List, Paragraph]
    assert [s.id for s in chapter.sections()] == ["part"], "a box title is not a section"


def test_internal_links(project):
    chapter = read(
        project,
        "{#intro}\nSee [the table](#data), [the part](#part) and [the web](https://www.hrw.org).\n\n"
        "{#part}\n## Part\n\n"
        "{#data}\n| A | B |\n|---|---|\n| 1 | 2 |\n\nTable: Data\n",
    )
    links = list(chapter_links(chapter))
    assert [(link.href, link.internal, plain_text(link.children)) for link in links] == [
        ("#data", True, "the table"),
        ("#part", True, "the part"),
        ("https://www.hrw.org", False, "the web"),
    ]


def test_spans_in_another_language(project):
    (paragraph,) = read(project, "{#names}\nThe group [Феминита]{lang=ru} and [*Human* Rights]{lang=en}.\n").blocks
    spans = [node for node in paragraph.content if isinstance(node, Span)]
    assert spans == [Span("ru", (Text("Феминита"),)), Span("en", (Emph((Text("Human"),)), Text(" Rights")))]


def test_russian_typography_applies_in_nested_blocks(project):
    chapter = read(
        project,
        '{#items}\n- Он сказал "стреляйте "без" предупреждения" в январе.\n  - Вложенный пункт и в нем "кавычки".\n\n'
        '{#words}\n> "Цитата" с тире — внутри.\n>\n> — А. Автор\n\n'
        "{#data}\n| Год | Событие |\n|---|---|\n| 2022 | Протест в Алматы |\n\nTable: Данные о протестах\n",
        lang="ru",
    )
    items, words, data = chapter.blocks
    said = items.items[0].blocks[0].content
    outer = next(node for node in said if isinstance(node, Quote))
    assert (outer.open, outer.close) == ("«", "»")
    inner = next(node for node in outer.children if isinstance(node, Quote))
    assert (inner.open, inner.close) == ("„", "“")
    assert plain_text(said) == f"Он сказал «стреляйте „без“ предупреждения» в{NBSP}январе."
    nested = items.items[0].blocks[1].items[0].blocks[0]
    assert plain_text(nested.content) == f"Вложенный пункт и{NBSP}в{NBSP}нем «кавычки»."
    assert plain_text(words.blocks[0].content) == f"«Цитата» с{NBSP}тире{NBSP}— внутри."
    assert plain_text(words.attribution) == f"А.{NBSP}Автор"
    assert plain_text(data.rows[0][1]) == f"Протест в{NBSP}Алматы"


def test_records_cover_identified_blocks_and_the_notes_they_first_refer_to(project):
    path = write(
        project,
        "{#claim}\nA claim.[^n]\n\n{#part}\n## Part\n\n{#data .header-column}\n| A | B |\n|---|---|\n| 1 | 2 |\n\n"
        "Table: A caption\n\n[^n]: The note's text.\n",
    )
    chapter, records = read_chapter(path, Project.at(project))
    assert [(r.kind, r.id, r.line) for r in records] == [
        ("paragraph", "claim", line_of(path, "A claim.")),
        ("section", "part", line_of(path, "## Part")),
        ("table", "data", line_of(path, "| A | B |")),
    ]
    assert "The note's text." in records[0].source
    assert "A caption" in records[2].source, "editing a table's caption changes its fingerprint"


@pytest.mark.parametrize(
    "body, words",
    [
        ("{#a}\nPara.\n\n{#b}\n:::\n", "':::' here is not a block"),
        ("{#a}\n> Words.\n>\n> —\n", "attribution is empty"),
        ("{#a}\n| A |\n|---|\n| 1 |\n\nTable:\n", "caption is empty"),
        ("{#a}\nPara.\n\n{#b}\n", "'{#b}' stands above no block"),
        ("", "the chapter has no text"),
        ("{#a}\n> Words.[^n]\n\n[^n]: One.\n\n    More of it.\n[^n]: Two.\n", "note [^n] is defined twice"),
    ],
)
def test_small_mistakes_are_errors_not_literal_text(project, body, words):
    with pytest.raises(DocbuildError) as caught:
        read(project, body)
    (error,) = caught.value.errors
    assert words in error.message, str(error)
