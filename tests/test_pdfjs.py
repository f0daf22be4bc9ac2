"""The PDF as Firefox's viewer reads it: pdf.js's structure tree (issue 12).

pdf.js (``pdfjs-dist``, run in Node by ``tests/pdfjs_struct.mjs``) is what
exposes a PDF's tags to screen readers in Firefox. These tests assert on what
it exposes, not on the file's objects: the figure's alt text, its caption and
credit reachable as text in reading order after it (not hidden under the
figure's /Alt), and the figure's box on the page, around the painted image.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from docbuild.model import Figure, plain_text

from conftest import ROOT, require_tool
from test_pdf import EDITIONS, _holds, _unspaced, chapters, pdfs  # noqa: F401 (fixtures)


def _pdfjs(path: Path) -> dict:
    require_tool("node")
    script = ROOT / "tests" / "pdfjs_struct.mjs"
    if not (ROOT / "node_modules" / "pdfjs-dist").is_dir():
        require_tool("pdfjs-dist (npm; scripts/install-validators.sh)")
    result = subprocess.run(["node", str(script), str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _walk(node: dict, page: dict, found: list) -> None:
    """(role, alt, bbox, text, page) of every structure node pdf.js exposes, in reading order."""
    texts = {}
    for item in page["text"]:
        if item["id"]:
            texts[item["id"]] = texts.get(item["id"], "") + item["str"]
    for child in node.get("children", []):
        if "role" in child:
            entry = {"role": child["role"], "alt": child.get("alt"), "bbox": child.get("bbox"), "page": page, "text": ""}
            found.append(entry)
            _walk(child, page, found)
            entry["text"] = _text(child, texts)


def _text(node: dict, texts: dict) -> str:
    parts = []
    for child in node.get("children", []):
        if child.get("type") == "content":
            parts.append(texts.get(child["id"], ""))
        else:
            parts.append(_text(child, texts))
    return "".join(parts)


@pytest.fixture(scope="module")
def readings(pdfs) -> dict:
    return {edition: _pdfjs(pdfs[edition]) for edition in EDITIONS}


def _figures(chapter) -> list[Figure]:
    return ([chapter.figure] if chapter.figure else []) + [b for b in chapter.walk() if isinstance(b, Figure)]


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdfjs_exposes_alt_caption_and_credit_in_reading_order(readings, chapters, edition):
    """Defect 1: pdf.js gives each figure its alt text, and the caption and credit as text right after it."""
    chapter = chapters[edition]
    nodes: list = []
    for page in readings[edition]["pages"]:
        if page["tree"]:
            _walk(page["tree"], page, nodes)
    figures = [n for n in nodes if n["role"] == "Figure"]
    assert [f["alt"] for f in figures] == [f.alt for f in _figures(chapter)]
    for node, figure in zip(figures, _figures(chapter)):
        after = nodes[nodes.index(node) + 1:]
        caption = next(n for n in after if n["role"] == "Caption")
        # Right to left: pdf.js gives a mixed-direction line's pieces as drawn (test_pdf.RTL).
        assert _holds(caption["text"], plain_text(figure.caption), edition[1])
        assert _holds(caption["text"], plain_text(figure.credit), edition[1])
        assert not node["text"], "nothing readable hides under the figure's alt text"


@pytest.mark.parametrize("edition", EDITIONS)
def test_pdfjs_figure_box_is_on_the_page_around_the_image(readings, chapters, edition):
    """Defect 2: each Figure's /BBox is in page units, inside the page, around the painted image."""
    for page in readings[edition]["pages"]:
        nodes: list = []
        if page["tree"]:
            _walk(page["tree"], page, nodes)
        boxes = [n["bbox"] for n in nodes if n["role"] == "Figure"]
        assert len(boxes) == len(page["images"])
        x0, y0, x1, y1 = page["view"]
        for box, painted in zip(boxes, page["images"]):
            assert x0 <= box[0] < box[2] <= x1 and y0 <= box[1] < box[3] <= y1, box
            assert all(abs(a - b) < 1.5 for a, b in zip(box, painted)), (box, painted)
