"""Hostile and unlucky input: a located error, never a traceback, a hang or a file outside the project (issue 13).

Each case here crashed, hung, read a file it should not, or shipped
literal Markdown before the reader was hardened. Most write a small chapter
``source/t/en.md`` into a copy of the project and read it; those about
what a build reads (links, special and huge files, languages) run the CLI.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest

from docbuild.cli import main
from docbuild.errors import DocbuildError
from docbuild.images import MAX_PIXELS
from docbuild.model import plain_text
from docbuild.plan import _file_digest, plan
from docbuild.project import MAX_FILE_BYTES, MAX_SOURCE_BYTES, Project
from docbuild.reader import read_chapter
from docbuild.reader.blocks import MAX_NESTING
from docbuild.reader.frontmatter import LIMITS, MAX_FRONT_MATTER_CHARS, MAX_KEYWORDS, MAX_YAML_DEPTH, MAX_YAML_NODES
from docbuild.reader.inlines import MAX_ADDRESSES, MAX_BRACKETS, MAX_DEPTH, MAX_PARAGRAPH_CHARS

from conftest import ROOT

#: Front matter lines 1-9, a blank line 10: the body starts on line 11.
FRONT = (
    "---\ntitle: {title}\nsubtitle: Events of 2021\nauthor: Human Rights Watch\npublisher: Human Rights Watch\n"
    "date: {date}\ndescription: {description}\nkeywords: {keywords}\n---\n\n"
)
BODY = 11
FIGURE = "{{#chart}}\n::: figure\nsrc: {src}\nkind: chart\nalt: Four dark bars of different lengths.\ncaption: Sentences\ncredit: Human Rights Watch\n:::\n"


def front(title="A Chapter", date="2022-01-13", description="A chapter.", keywords="[test]") -> str:
    return FRONT.format(title=title, date=date, description=description, keywords=keywords)


def chapter(project: Path, text: str) -> Path:
    """``source/t/en.md`` holding ``text``, with the example's chart in ``images/``."""
    folder = project / "source" / "t"
    (folder / "images").mkdir(parents=True, exist_ok=True)
    shutil.copy(project / "source" / "example" / "images" / "chart.png", folder / "images" / "chart.png")
    path = folder / "en.md"
    path.write_text(text, encoding="utf-8")
    return path


def refused(project: Path, text: str) -> DocbuildError:
    """The error reading ``text`` gives; every problem in it has a file and a line."""
    path = chapter(project, text)
    with pytest.raises(DocbuildError) as caught:
        read_chapter(path, Project.at(project))
    for problem in caught.value.errors:
        assert problem.path == path and problem.line, problem
    return caught.value


def one_error(project: Path, text: str) -> tuple[int, str]:
    error = refused(project, text)
    assert len(error.errors) == 1, str(error)
    return error.line, error.message


def reads(project: Path, text: str):
    chapter_, _ = read_chapter(chapter(project, text), Project.at(project))
    return chapter_


def build(project: Path, capsys, *args: str) -> tuple[int, str]:
    """Run ``docbuild build`` on chapter t (plain text unless told); the exit code and stderr."""
    out = project / "dist"
    argv = ["--project", str(project), "build", "--out", str(out), *args]
    if "--chapter" not in args:
        argv += ["--chapter", "t"]
    if "--format" not in args:
        argv += ["--format", "txt"]
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels in a few dozen bytes (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


# --------------------------------------------------------------------------
# 1. YAML: aliases, tags, odd keys, bad dates


@pytest.mark.parametrize(
    "yaml_text, line",
    [
        ("title: &t A Chapter", 2),  # an anchor alone
        ("title: A Chapter\nextra: &a [x, *a]", 3),  # a recursive alias: RecursionError before
        ("title: A Chapter\nl0: &a0 [x, x, x]\nl1: [*a0, *a0, *a0]", 3),
    ],
    ids=["anchor", "recursive alias", "aliases"],
)
def test_yaml_anchors_and_aliases_are_refused(project, yaml_text, line):
    text = front().replace("title: A Chapter", yaml_text) + "{#a}\nText.\n"
    start = time.monotonic()
    error = refused(project, text)
    assert time.monotonic() - start < 2
    assert error.line == line and "anchors and aliases" in error.message, str(error)


def test_front_matter_size_is_bounded(project):
    text = front(description="word " * (MAX_FRONT_MATTER_CHARS // 5)) + "{#a}\nText.\n"
    start = time.process_time()
    line, message = one_error(project, text)
    assert time.process_time() - start < 1
    assert line == 1 and f"at most {MAX_FRONT_MATTER_CHARS:,} are read" in message


def test_front_matter_values_and_depth_are_bounded(project):
    many = "keywords: [" + ", ".join(["x"] * (MAX_YAML_NODES + 5)) + "]"
    line, message = one_error(project, front().replace("keywords: [test]", many) + "{#a}\nText.\n")
    assert line == 8 and f"more than {MAX_YAML_NODES} values" in message
    deep = "keywords: " + "[" * (MAX_YAML_DEPTH + 1) + "x" + "]" * (MAX_YAML_DEPTH + 1)
    line, message = one_error(project, front().replace("keywords: [test]", deep) + "{#a}\nText.\n")
    assert line == 8 and f"nested more than {MAX_YAML_DEPTH} deep" in message
    # Far deeper than Python's recursion limit: refused while parsing, before anything recurses.
    deeper = "keywords: " + "[" * 5000 + "x" + "]" * 5000
    line, message = one_error(project, front().replace("keywords: [test]", deeper) + "{#a}\nText.\n")
    assert line == 8 and "nested more than" in message


CASES = {
    # name: (source, line, words in the message)
    "yaml tag": (front(title="!foo bar") + "{#a}\nText.\n", 2, "YAML tags (!foo)"),
    "impossible date": (front(date="2022-13-45") + "{#a}\nText.\n", 6, "'date' must be a date like 2022-01-13, not '2022-13-45'"),
    "list as a key": (front().replace("title: A Chapter\n", "title: A Chapter\n? [a, b]\n: c\n") + "{#a}\nText.\n", 3, "key must be a name"),
    "duplicate key": (front().replace("title: A Chapter\n", "title: A Chapter\ntitle: Another\n") + "{#a}\nText.\n", 3, "'title' given twice (first on line 2)"),
    "invisible title": (front(title='"\u200b\u202e"') + "{#a}\nText.\n", 2, "'title' has no visible text"),
    # 2. Nesting, invisible text, NUL, unsafe links
    "quotations 300 deep": (front() + "{#a}\n" + "> " * 300 + "Text.\n", BODY + 1, f"nested more than {MAX_NESTING} deep"),
    "lists and quotations mixed deep": (front() + "{#a}\n" + "- > " * 20 + "Text.\n", BODY + 1, f"nested more than {MAX_NESTING} deep"),
    "emphasis 300 deep": (front() + "{#a}\n" + "*" * 300 + "Text" + "*" * 300 + "\n", BODY + 1, f"nested more than {MAX_DEPTH} deep"),
    "right-to-left override only": (front() + "{#a}\n\u202e\n", BODY + 1, "this paragraph has no visible text"),
    "zero width spaces only": (front() + "{#a}\nText.\n\n{#b}\n\u200b\u200b \u200b\n", BODY + 4, "this paragraph has no visible text"),
    "invisible heading": (front() + "{#a}\nText.\n\n{#s}\n## \u2060\u200b\n", BODY + 4, "heading 's' has no visible text"),
    "NUL in a figure src": (front() + "{#a}\nText.\n\n" + FIGURE.format(src="images/chart\0.png"), BODY + 5, "control or invisible character"),
    "javascript link": (front() + "{#a}\nSee [this](javascript:alert(1)).\n", BODY + 1, "'javascript:alert(1)' must be an http(s) or mailto address"),
    "data link": (front() + "{#a}\nSee [this](data:text/html,hi).\n", BODY + 1, "must be an http(s) or mailto address"),
    "file link": (front() + "{#a}\nText\nand [this](file:///etc/passwd).\n", BODY + 2, "'file:///etc/passwd' must be an http(s) or mailto"),
    "javascript autolink": (front() + "{#a}\nSee <javascript:alert(1)>.\n", BODY + 1, "must be an http(s) or mailto address"),
    "link with a space in its address": (front() + "{#a}\nSee [this](https://www.hrw.org/ news).\n", BODY + 1, "is not a link docbuild understands"),
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_source_is_one_located_error(project, case):
    text, line, words = CASES[case]
    found_line, message = one_error(project, text)
    assert found_line == line, message
    assert words in message, message


def test_a_byte_order_mark_is_ignored(project):
    read = reads(project, "\ufeff" + front() + "{#a}\nText.\n")
    assert read.meta.title == "A Chapter" and plain_text(read.blocks[0].content) == "Text."


def test_nesting_as_deep_as_allowed_reads(project):
    """The caps leave room for every real structure: a figure in a list in a quotation in a box."""
    body = (
        "{#key}\n::: box\n## Key points\n\n> - > Quoted in a list in a quotation.\n>\n> — Someone\n:::\n\n"
        "{#items}\n- One.\n  - Two.\n    - Three, with *emphasis **and [a span]{lang=ru}***.\n"
    )
    read = reads(project, front() + body)
    assert [b.id for b in read.blocks] == ["key", "items"]


def test_hostile_sources_fail_the_build_with_one_line_each(project, capsys):
    chapter(project, front(title="!foo bar", date="2022-13-45") + "{#a}\n" + "> " * 300 + "Text.\n")
    code, err = build(project, capsys)
    assert code == 1
    lines = err.strip().splitlines()
    assert [re.sub(r"^docbuild: error: .*source/t/en\.md:(\d+): .*$", r"\1", line) for line in lines] == ["2"], err


# --------------------------------------------------------------------------
# Images: pixel count from the header, at read time, at the line of src


def test_a_decompression_bomb_png_is_refused_at_its_src_line(project, capsys):
    path = chapter(project, front() + "{#a}\nText.\n\n" + FIGURE.format(src="images/bomb.png"))
    (path.parent / "images" / "bomb.png").write_bytes(png_header(50_000, 50_000))
    error = refused(project, path.read_text(encoding="utf-8"))
    assert error.line == BODY + 5
    assert "2,500,000,000 pixels" in error.message and f"{MAX_PIXELS // 1_000_000} million" in error.message
    # One just over the documented limit, under Pillow's own: refused as well, with its size.
    (path.parent / "images" / "bomb.png").write_bytes(png_header(10_000, MAX_PIXELS // 10_000 + 1))
    error = refused(project, path.read_text(encoding="utf-8"))
    assert error.line == BODY + 5 and "10000x" in error.message
    code, err = build(project, capsys)
    assert code == 1 and f"en.md:{BODY + 5}: figure image 'images/bomb.png' has" in err


def test_an_image_that_is_not_jpeg_or_png_inside_is_refused(project):
    path = chapter(project, front() + "{#a}\nText.\n\n" + FIGURE.format(src="images/fake.png"))
    (path.parent / "images" / "fake.png").write_bytes(b"GIF89a" + b"\0" * 64)
    assert one_error(project, path.read_text(encoding="utf-8"))[0] == BODY + 5


# --------------------------------------------------------------------------
# 3. Only regular files inside the project, bounded, hashed by streaming


def test_a_link_in_the_chapter_folder_is_an_error_naming_it(project, capsys):
    path = chapter(project, front() + "{#a}\nText.\n")
    (path.parent / "images" / "notes.jpg").symlink_to("/etc/passwd")
    code, err = build(project, capsys)
    assert code == 1
    assert re.search(r"error: \S*source/t/images/notes\.jpg: is a symbolic link", err), err


def test_a_link_to_a_folder_is_not_followed(project, capsys, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(b"secret")
    path = chapter(project, front() + "{#a}\nText.\n")
    (path.parent / "more").symlink_to(outside)
    code, err = build(project, capsys)
    assert code == 1 and re.search(r"source/t/more: is a symbolic link", err), err
    assert "secret.jpg" not in err


def test_a_linked_source_folder_is_refused(project, capsys, tmp_path):
    chapter(project, front() + "{#a}\nText.\n")
    shutil.move(project / "source", tmp_path / "elsewhere")
    (project / "source").symlink_to(tmp_path / "elsewhere")
    code, err = build(project, capsys)
    assert code == 1 and re.search(r"project/source: is a symbolic link", err), err


def test_a_linked_figure_image_is_refused_at_its_line(project):
    path = chapter(project, front() + "{#a}\nText.\n\n" + FIGURE.format(src="images/linked.png"))
    (path.parent / "images" / "linked.png").symlink_to(path.parent / "images" / "chart.png")
    line, message = one_error(project, path.read_text(encoding="utf-8"))
    assert line == BODY + 5 and "is a symbolic link" in message


def test_a_linked_source_file_is_refused(project):
    folder = chapter(project, front() + "{#a}\nText.\n").parent
    (folder / "en.md").rename(folder / "real.txt")
    (folder / "en.md").symlink_to(folder / "real.txt")
    with pytest.raises(DocbuildError, match="symbolic link"):
        read_chapter(folder / "en.md", Project.at(project))


@pytest.mark.parametrize("where, formats", [("layouts/labels/xx.toml", "txt"), ("fonts/extra.ttf", "docx")])
def test_a_link_in_layouts_or_fonts_is_an_error_naming_it(project, capsys, where, formats):
    chapter(project, front() + "{#a}\nText.\n")
    (project / where).symlink_to("/etc/passwd")
    code, err = build(project, capsys, "--format", formats)
    assert code == 1 and f"{where}: is a symbolic link" in err, err


def test_a_named_pipe_is_refused_without_hanging(project, capsys):
    path = chapter(project, front() + "{#a}\nText.\n")
    os.mkfifo(path.parent / "images" / "pipe.jpg")
    start = time.monotonic()
    code, err = build(project, capsys)
    assert code == 1 and "images/pipe.jpg: is not a regular file" in err, err
    assert time.monotonic() - start < 30


def test_huge_files_are_refused_by_size(project, capsys):
    path = chapter(project, front() + "{#a}\nText.\n")
    huge = path.parent / "images" / "huge.jpg"
    with open(huge, "wb") as stream:  # sparse: no disk space used
        stream.truncate(MAX_FILE_BYTES + 1)
    code, err = build(project, capsys)
    assert code == 1 and re.search(r"images/huge\.jpg: is 50\.0 MB \(52,428,801 bytes\); docbuild reads at most 50 MB per file", err), err
    huge.unlink()
    with open(path, "ab") as stream:
        stream.truncate(MAX_SOURCE_BYTES + 1)
    code, err = build(project, capsys)
    assert code == 1 and re.search(r"source/t/en\.md: is 5\.0 MB \(5,242,881 bytes\); docbuild reads at most 5 MB per source file", err), err


def test_files_are_hashed_by_streaming(tmp_path):
    """Hashing a 40 MB image for the cache key never holds it in memory."""
    big = tmp_path / "big.jpg"
    with open(big, "wb") as stream:
        stream.truncate(40 * 1024 * 1024)
    status = big.stat()
    tracemalloc.start()
    try:
        digest = _file_digest(big, status.st_mtime_ns, status.st_size)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(digest) == 32
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes"


# --------------------------------------------------------------------------
# 4. Paragraph length


def test_a_paragraph_over_the_limit_is_refused_at_its_line(project):
    words = ("word " * (MAX_PARAGRAPH_CHARS // 5))[: MAX_PARAGRAPH_CHARS - 1] + "."
    assert len(words) == MAX_PARAGRAPH_CHARS
    read = reads(project, front() + "{#a}\nText.\n\n{#long}\n" + words + "\n")
    assert len(plain_text(read.blocks[1].content)) == MAX_PARAGRAPH_CHARS
    line, message = one_error(project, front() + "{#a}\nText.\n\n{#long}\n" + words + "x\n")
    assert line == BODY + 4 and "split this paragraph" in message and f"{MAX_PARAGRAPH_CHARS:,}" in message


@pytest.mark.parametrize(
    "paragraph, words",
    [
        ("[" * 49_990, f"49,990 '[' characters; at most {MAX_BRACKETS:,}"),  # 4.5 s in markdown-it before
        ("![" * 24_995, f"at most {MAX_BRACKETS:,}"),
        ("[^" * 24_995, f"at most {MAX_BRACKETS:,}"),  # 11 s before: the undefined-note check rescanned
        ("h://a." * 8_331, f"8,331 web addresses; at most {MAX_ADDRESSES}"),  # 16 s in markdown-it's linkify
    ],
    ids=["brackets", "image brackets", "note brackets", "addresses"],
)
def test_inline_syntax_markdown_it_reads_in_quadratic_time_is_bounded(project, paragraph, words):
    start = time.process_time()
    line, message = one_error(project, front() + "{#a}\n" + paragraph + "\n")
    assert time.process_time() - start < 1
    assert line == BODY + 1 and words in message, message


@pytest.mark.parametrize(
    "paragraph",
    [
        "[" * MAX_BRACKETS + "a" * (MAX_PARAGRAPH_CHARS - MAX_BRACKETS),
        "a" * (MAX_PARAGRAPH_CHARS - 6 * MAX_ADDRESSES) + "h://a." * MAX_ADDRESSES,
        "а" + " " * (MAX_PARAGRAPH_CHARS - 2) + "б",  # 19 s in Russian typesetting before
    ],
    ids=["brackets", "addresses", "spaces"],
)
def test_the_costliest_accepted_paragraphs_read_quickly(project, paragraph):
    folder = chapter(project, "").parent
    (folder / "en.md").unlink()
    path = folder / "ru.md"
    path.write_text(front() + "{#a}\n" + paragraph + "\n", encoding="utf-8")
    start = time.process_time()
    read_chapter(path, Project.at(project))
    assert time.process_time() - start < 2


# --------------------------------------------------------------------------
# 5. Metadata limits


def test_metadata_at_its_limits_reads(project):
    title = "T" * LIMITS["title"]
    description = ("a " * LIMITS["description"])[: LIMITS["description"] - 1] + "."
    keywords = "[" + ", ".join(f"k{n}" + "w" * (LIMITS["keyword"] - 3) for n in range(10, 10 + MAX_KEYWORDS)) + "]"
    read = reads(project, front(title=title, description=description, keywords=keywords) + "{#a}\nText.\n")
    assert len(read.meta.keywords) == MAX_KEYWORDS and len(read.meta.description) == LIMITS["description"]


@pytest.mark.parametrize(
    "field, value, line, words",
    [
        ("title", "T" * (LIMITS["title"] + 1), 2, f"'title' is {LIMITS['title'] + 1} characters long; at most {LIMITS['title']}"),
        ("description", "d" * (LIMITS["description"] + 1), 7, f"at most {LIMITS['description']} are allowed"),
        ("keywords", "[" + ", ".join(["k"] * (MAX_KEYWORDS + 1)) + "]", 8, f"at most {MAX_KEYWORDS} are allowed"),
        ("keywords", "[short, " + "k" * (LIMITS["keyword"] + 1) + "]", 8, f"'keyword' is {LIMITS['keyword'] + 1} characters long"),
    ],
    ids=["title", "description", "keywords", "keyword"],
)
def test_metadata_over_a_limit_is_an_error_at_its_line(project, field, value, line, words):
    found_line, message = one_error(project, front(**{field: value}) + "{#a}\nText.\n")
    assert found_line == line and words in message, message


def test_subtitle_author_and_publisher_are_bounded(project):
    text = front().replace("Events of 2021", "s" * 201).replace("author: Human Rights Watch", "author: " + "a" * 201)
    error = refused(project, text + "{#a}\nText.\n")
    assert [(e.line, e.message.split(" is ")[0]) for e in error.errors] == [(3, "'subtitle'"), (4, "'author'")]


def test_the_limits_are_documented():
    readme = (ROOT / "source" / "README.md").read_text(encoding="utf-8")
    for words in (
        f"at most {LIMITS['title']} characters each",
        f"`description` at most {LIMITS['description']:,}",
        f"at most {MAX_KEYWORDS} `keywords` of at most {LIMITS['keyword']} characters",
        f"over {MAX_PARAGRAPH_CHARS:,} characters",
        f"more than {MAX_BRACKETS:,} `[` or {MAX_ADDRESSES} web addresses",
        f"front matter over {MAX_FRONT_MATTER_CHARS // 1024} KB",
        f"over {MAX_PIXELS // 1_000_000} million pixels",
        f"more than {MAX_NESTING} deep",
        f"more than {MAX_DEPTH} deep",
        f"over {MAX_SOURCE_BYTES // 1024 // 1024} MB",
        f"over {MAX_FILE_BYTES // 1024 // 1024} MB",
    ):
        assert words in " ".join(readme.split()), words


def test_metadata_at_its_limits_builds_a_docx(project, capsys):
    """The limits fit every format: the longest title, description and keywords give a DOCX, not a crash."""
    path = project / "source" / "example" / "en.md"
    text = path.read_text(encoding="utf-8")
    long_title = "A Long Title " * (LIMITS["title"] // 13)
    long_subtitle = "and a long subtitle " * (LIMITS["subtitle"] // 20)
    description = ("A description word " * 60)[: LIMITS["description"]].strip()
    keywords = "[" + ", ".join(f"keyword number {n} " + "x" * 60 for n in range(MAX_KEYWORDS)) + "]"
    text = re.sub(r"(?m)^title: .*$", f"title: {long_title.strip()}", text, count=1)
    text = re.sub(r"(?m)^subtitle: .*$", f"subtitle: {long_subtitle.strip()}", text, count=1)
    text = re.sub(r"(?m)^description: .*$", f"description: {description}", text, count=1)
    text = re.sub(r"(?m)^keywords: .*$", f"keywords: {keywords}", text, count=1)
    path.write_text(text, encoding="utf-8")
    code, err = build(project, capsys, "--chapter", "example", "--format", "docx")
    assert code == 0, err
    assert (project / "dist" / "example-en.docx").stat().st_size > 0


# --------------------------------------------------------------------------
# 7. Languages


def test_a_selected_language_no_chapter_has_is_an_error(project, capsys):
    code, err = build(project, capsys, "--chapter", "kazakhstan", "--lang", "en", "--lang", "xx")
    assert code == 1 and "no selected chapter has a 'xx' variant (the languages are ar, en, kk, ru)" in err, err
    code, err = build(project, capsys, "--chapter", "kazakhstan", "--lang", "xx")
    assert code == 1 and "chapter 'kazakhstan' has no 'xx' variant (it has ar, en, kk, ru)" in err, err
    # A language some chapter lacks is fine when another has it: example is English only.
    jobs = plan(Project.at(project), ["txt"], ["en", "ru"], ["example", "kazakhstan"], "a4")
    assert sorted(job.file_name for job in jobs) == ["example-en.txt", "kazakhstan-en.txt", "kazakhstan-ru.txt"]
