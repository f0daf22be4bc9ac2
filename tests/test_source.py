"""The canonical source and the model the reader makes of it (issue 2)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import replace_in_file
from docbuild.cli import main
from docbuild.ids import slug
from docbuild.model import Emph, Link, Paragraph, Quote, Section, Span, Text, block_runs_own, plain_text, spans
from docbuild.project import Project
from docbuild.reader import read_chapter, read_project

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seed" / "world-report-2022-kazakhstan.txt"


def kazakhstan(lang: str):
    (chapter_set,) = read_project(Project.at(ROOT), ["kazakhstan"])
    return chapter_set.variant(lang)


def _paragraphs(chapter) -> list[Paragraph]:
    return [block for block in chapter.walk() if isinstance(block, Paragraph)]


def test_english_chapter_has_intro_thirteen_sections_and_34_paragraphs():
    chapter = kazakhstan("en")
    assert chapter.meta.title == "Kazakhstan"
    assert chapter.meta.subtitle == "Events of 2021"
    intro = [block for block in chapter.blocks if not isinstance(block, Section)]
    assert len(intro) == 3 and all(isinstance(block, Paragraph) for block in intro)
    sections = list(chapter.sections())
    assert len(sections) == 13
    assert all(s.level == 2 for s in sections) and all(isinstance(s, Section) for s in chapter.blocks[3:])
    assert len(_paragraphs(chapter)) == 34
    assert [plain_text(s.heading) for s in sections][:2] == [
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
    blocks = [plain_text(run) for block in chapter.walk() for run in block_runs_own(block)]
    assert _letters(" ".join(blocks)) == expected


def test_no_web_page_chrome_in_the_model():
    text = " ".join(plain_text(p.content) for p in _paragraphs(kazakhstan("en")))
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
    first = chapter.blocks[0].content
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
    assert russian.block_ids() == english.block_ids()
    assert [p.id for p in _paragraphs(russian)] == [p.id for p in _paragraphs(english)]
    assert [s.id for s in russian.sections()] == [s.id for s in english.sections()]
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

    blocks = list(russian.inline_runs())
    assert len(blocks) == 34 + 13 + 2
    for block in blocks:
        assert not re.search("[A-Za-z]", "".join(unmarked(block))), plain_text(block)
    marked = {plain_text(s.children) for block in blocks for s in spans(block)}
    assert {"Feminita", "Instagram", "Pegasus Project", "RFE/RL"} <= marked
    assert all(s.lang == "en" for block in blocks for s in spans(block))


# --------------------------------------------------------------------------
# docbuild ids: ids for a chapter pasted without them


def _strip_ids(path: Path) -> bytes:
    """Remove every ``{#...}`` line, as a chapter pasted from elsewhere would be; return the new bytes."""
    text = re.sub(r"(?m)^\{#[^}]*\}\n", "", path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    return path.read_bytes()


def _without_id_lines(data: bytes) -> bytes:
    return re.sub(rb"(?m)^\{#[^}]*\}\n", b"", data)


def test_ids_makes_a_pasted_chapter_readable(project: Path, capsys):
    en = project / "source" / "kazakhstan" / "en.md"
    pasted = _strip_ids(en)
    assert main(["--project", str(project), "ids", "kazakhstan", "--lang", "en"]) == 0
    printed = capsys.readouterr().out.splitlines()
    chapter, records = read_chapter(en, Project.at(project))
    assert len(printed) == len(records) == 47
    lines = en.read_text(encoding="utf-8").split("\n")
    for line, record in zip(printed, records):
        path, number, block_id = re.fullmatch(r"(.+):(\d+): ([a-z][a-z0-9-]*)", line).groups()
        assert path == str(en) and block_id == record.id
        assert lines[int(number) - 1] == f"{{#{block_id}}}" and int(number) + 1 == record.line
    assert all(block.id for block in chapter.blocks) and all(section.id for section in chapter.sections())
    ids = chapter.block_ids()
    assert ids[:4] == [
        "kazakhstan-was-rocked-in-early",
        "during-2021-the-kazakh-government",
        "there-was-an-increase-in",
        "january-2022-protests-and-violence",
    ]
    assert "there-was-an-increase-in-2" in ids, "a repeated opening makes a unique id"
    assert all(len(i) <= 40 and len(i.split("-")) <= 5 for i in ids if not i.endswith("-2"))
    assert _without_id_lines(en.read_bytes()) == pasted, "nothing but the id lines changed"

    # A second run adds nothing and leaves the file as it is.
    before = en.read_bytes()
    assert main(["--project", str(project), "ids", "kazakhstan", "--lang", "en"]) == 0
    assert capsys.readouterr().out == ""
    assert en.read_bytes() == before


def test_ids_gives_a_translation_the_original_ids(project: Path, capsys):
    folder = project / "source" / "kazakhstan"
    for other in ("kk.md", "ar.md"):  # the scenario: an original and one pasted translation
        (folder / other).unlink(missing_ok=True)
    _strip_ids(folder / "en.md")
    pasted_ru = _strip_ids(folder / "ru.md")
    assert main(["--project", str(project), "ids", "kazakhstan"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 2 * 47 and all(line.startswith(str(folder / "en.md")) for line in printed[:47])
    assert [line.rsplit(": ", 1)[1] for line in printed[47:]] == [line.rsplit(": ", 1)[1] for line in printed[:47]]
    (chapter_set,) = read_project(Project.at(project), ["kazakhstan"])
    english, russian = chapter_set.variant("en"), chapter_set.variant("ru")
    assert russian.block_ids() == english.block_ids()
    assert _without_id_lines((folder / "ru.md").read_bytes()) == pasted_ru
    assert main(["--project", str(project), "ids", "kazakhstan"]) == 0
    assert capsys.readouterr().out == ""


def test_ids_refuses_a_translation_that_does_not_line_up(project: Path, capsys):
    folder = project / "source" / "kazakhstan"
    text = (folder / "ru.md").read_text(encoding="utf-8")
    # A pasted translation without ids, whose second section heading was left out.
    text = re.sub(r"(?m)^\{#[^}]*\}\n", "", text).replace("## Парламентские выборы\n\n", "")
    (folder / "ru.md").write_text(text, encoding="utf-8")
    before = (folder / "ru.md").read_bytes()
    assert main(["--project", str(project), "ids", "kazakhstan", "--lang", "ru"]) == 1
    err = capsys.readouterr().err
    (line,) = err.splitlines()
    number = next(n for n, l in enumerate(text.split("\n"), 1) if l.startswith("10 января в Казахстане"))
    assert line.startswith(f"docbuild: error: {folder / 'ru.md'}:{number}: this paragraph stands where en.md has a section ('elections'")
    assert (folder / "ru.md").read_bytes() == before


def test_ids_wants_the_original_done_first(project: Path, capsys):
    folder = project / "source" / "kazakhstan"
    _strip_ids(folder / "en.md")
    _strip_ids(folder / "ru.md")
    assert main(["--project", str(project), "ids", "kazakhstan", "--lang", "ru"]) == 1
    assert "en.md has blocks without ids" in capsys.readouterr().err


def test_ids_on_every_kind_of_block(project: Path, capsys):
    folder = project / "source" / "pasted"
    folder.mkdir()
    (folder / "images").mkdir()
    (project / "source" / "example" / "images" / "chart.png").rename(folder / "images" / "chart.png")
    source = (
        "---\ntitle: Т\nsubtitle: С\nauthor: A\npublisher: P\ndate: 2022-01-13\ndescription: D\nkeywords: [k]\n---\n\n"
        "Казахстан: протесты в январе.\n"
        "- Пункт, сразу под абзацем.\n\n"
        "## Notes\n\n"
        "::: box\n### Главное\n\nТекст.\n:::\n\n"
        "> «Цитата».\n>\n> — Автор\n\n"
        "{.header-column}\n| Год | Число |\n|---|---:|\n| 2021 | 2 |\n\nTable: Title of the table\n\n"
        "::: figure\nsrc: images/chart.png\nkind: chart\nalt: Столбцы.\ncaption: График\ncredit: HRW\n:::\n\n"
        "2022\\. — …\n\n"
        "Казахстан: протесты в январе.\n"
    )
    (folder / "ru.md").write_text(source, encoding="utf-8")
    assert main(["--project", str(project), "ids", "pasted"]) == 0
    out = capsys.readouterr().out.splitlines()
    printed = [line.rsplit(": ", 1)[1] for line in out]
    lines = (folder / "ru.md").read_text(encoding="utf-8").split("\n")
    for line in out:
        number, block_id = re.fullmatch(r".*:(\d+): (\S+)", line).groups()
        assert lines[int(number) - 1].startswith(f"{{#{block_id}}}") or lines[int(number) - 1].startswith(f"{{#{block_id} ."), line
    assert printed == [
        "kazakhstan-protesty-v-ianvare",
        "punkt-srazu-pod-abzatsem",
        "part-notes",
        "glavnoe",
        "tsitata",
        "table-title-of-the-table",
        "grafik",
        "paragraph-2",
        "kazakhstan-protesty-v-ianvare-2",
    ]
    text = (folder / "ru.md").read_text(encoding="utf-8")
    assert "Казахстан: протесты в январе.\n\n{#punkt-srazu-pod-abzatsem}\n- Пункт" in text, "a blank line keeps the id line apart"
    assert "{#table-title-of-the-table .header-column}\n| Год" in text
    chapter, _ = read_chapter(folder / "ru.md", Project.at(project))
    assert chapter.block_ids() == printed
    assert chapter.find("table-title-of-the-table").header_column


def test_slugs():
    assert slug("Kazakhstan’s Economy: 2021 in Review, and more") == "kazakhstans-economy-2021-in-review"
    assert slug("2021 Elections") == "elections"
    assert slug("Жанаозен и Қазақстан") == "zhanaozen-i-qazaqstan"
    assert slug("— 10 000 —") == ""
    assert len(slug("Extraordinarily long-winded international commitments")) <= 40
