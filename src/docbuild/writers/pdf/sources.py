"""Which HTML element each structure element of WeasyPrint's tagged PDF came from.

WeasyPrint 70 builds the structure tree page by page, from the boxes laid
out on each page (``weasyprint.pdf.tags._build_box_tree``): a paragraph,
list or section that crosses a page break becomes one element per page, and
nothing in the PDF says which elements are pieces of the same HTML element.
Without that, joining the pieces means guessing from text and counts, which
only works for one shape of document.

So, while WeasyPrint writes the PDF, :func:`recording_sources` wraps that
function and writes into each structure element it yields a private
``/DocbuildSource`` dictionary: a key identifying the HTML element (or
pseudo-element such as ``li::marker``) and the few HTML attributes the
repair passes need (tag, id, class, lang, scope). :mod:`.structure` reads
and removes them; no file ever leaves with them. The wrapper does not change
what WeasyPrint builds, and the module is pinned to ``weasyprint==70.0`` in
``pyproject.toml``; ``tests/test_pdf_structure.py`` fails if a WeasyPrint
upgrade stops calling it.
"""

from __future__ import annotations

import contextlib
from typing import Iterator

import pydyf
from weasyprint.pdf import tags

#: Name of the private key; removed by structure.strip_sources() before saving.
SOURCE_KEY = "DocbuildSource"
_ATTRIBUTES = ("id", "class", "lang", "scope", "start", "href")


@contextlib.contextmanager
def recording_sources() -> Iterator[None]:
    """Within this block, every structure element WeasyPrint builds carries its HTML source."""
    original = tags._build_box_tree
    numbers: dict[int, int] = {}
    keep_alive: list = []  # elements must outlive the render so that id() stays unique

    def build_box_tree(box, parent, pdf, page_number, nums, annotations, tags_):
        source = _box_source(box, numbers, keep_alive)
        for element in original(box, parent, pdf, page_number, nums, annotations, tags_):
            # Elements of nested boxes were marked by the nested call; only this box's is new.
            if SOURCE_KEY not in element and source is not None:
                element[SOURCE_KEY] = source
            yield element

    tags._build_box_tree = build_box_tree
    try:
        yield
    finally:
        tags._build_box_tree = original


def _box_source(box, numbers: dict[int, int], keep_alive: list) -> pydyf.Dictionary | None:
    element = getattr(box, "element", None)
    if element is None:
        return None
    if id(element) not in numbers:
        numbers[id(element)] = len(numbers) + 1
        keep_alive.append(element)
    tag = str(getattr(box, "element_tag", "") or "")
    source = pydyf.Dictionary({"Key": pydyf.String(f"{numbers[id(element)]}:{tag}"), "Tag": pydyf.String(tag)})
    for name in _ATTRIBUTES:
        value = element.get(name)
        if value is None and name == "lang":
            value = element.get("{http://www.w3.org/XML/1998/namespace}lang")
        if value is not None:
            source[name.capitalize()] = pydyf.String(str(value))
    return source
