"""Real reading software for tests: Chromium (through Playwright) on an EPUB's content documents.

Reading systems built on a browser engine (Thorium, Apple Books, Foliate,
epub.js in a browser) show an EPUB's XHTML as a web page and expose it to
screen readers through the engine's accessibility tree. These helpers open
a content document in Debian's Chromium (``/usr/bin/chromium``, driven by
Playwright for Python; no browser is ever downloaded) and read what it
exposes: the accessibility tree (CDP ``Accessibility.getFullAXTree``), the
DOM, the layout.

Which editions are read: the session's build of the real project, or, with
``DOCBUILD_TEST_DIST=<folder>``, the editions already in that folder (to
show what a test finds in an older build).
"""

from __future__ import annotations

import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def unavailable(message: str) -> None:
    """Skip, or fail where validators are required (``DOCBUILD_REQUIRE_VALIDATORS=1``, as in CI)."""
    if os.environ.get("DOCBUILD_REQUIRE_VALIDATORS") == "1":
        pytest.fail(message + " (DOCBUILD_REQUIRE_VALIDATORS=1)")
    pytest.skip(message)


#: Every format, built once for all the real-reader tests (one build, shared through the session).
FORMATS = ("docx", "epub", "pdf", "txt")


def editions_folder(dist, *formats: str) -> Path:
    """The folder of built editions: ``DOCBUILD_TEST_DIST`` if set, else the session's build of every format
    (``formats`` are the ones the caller reads; one build serves all these modules)."""
    given = os.environ.get("DOCBUILD_TEST_DIST")
    return Path(given) if given else dist(*FORMATS)


def unzip(epub: Path, into: Path) -> Path:
    """The EPUB unpacked into ``into``; returns the folder of its package document."""
    with zipfile.ZipFile(epub) as archive:
        archive.extractall(into)
    return into / "EPUB"


class Browser:
    """One headless Chromium for a test module; a fresh page per document."""

    def __init__(self) -> None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            unavailable("playwright (pip) is not installed; scripts/install-validators.sh installs it")
        if not (Path(CHROMIUM).is_file() or shutil.which("chromium")):
            unavailable("chromium is not installed; scripts/install-validators.sh installs it")
        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def open(self, path: Path, width: int = 800, height: int = 1000):
        """A page showing ``path`` (file://) in a viewport of ``width`` x ``height`` CSS pixels."""
        page = self.browser.new_page(viewport={"width": width, "height": height})
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        return page

    def close(self) -> None:
        self.browser.close()
        self._playwright.stop()


@dataclass
class AXNode:
    role: str
    name: str
    properties: dict
    children: list["AXNode"] = field(default_factory=list)
    parent: "AXNode | None" = None

    def walk(self):
        """This node and every node under it, in reading (tree) order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def text(self) -> str:
        """The text a screen reader reads under this node (its StaticText, in order)."""
        return "".join(node.name for node in self.walk() if node.role == "StaticText")


def ax_tree(page) -> AXNode:
    """Chromium's accessibility tree of the page, as exposed to screen readers (ignored nodes left out,
    their children lifted to the nearest exposed ancestor)."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    by_id = {node["nodeId"]: node for node in nodes}
    root_raw = next(node for node in nodes if "parentId" not in node)

    def build(raw: dict, parent: AXNode | None) -> list[AXNode]:
        children_raw = [by_id[child] for child in raw.get("childIds", []) if child in by_id]
        if raw.get("ignored"):
            return [node for child in children_raw for node in build(child, parent)]
        node = AXNode(
            role=raw.get("role", {}).get("value", ""),
            name=str(raw.get("name", {}).get("value", "")),
            properties={p["name"]: p.get("value", {}).get("value") for p in raw.get("properties", [])},
            parent=parent,
        )
        node.children = [child for raw_child in children_raw for child in build(raw_child, node)]
        return [node]

    (root,) = build(root_raw, None)
    return root


def normal(text: str) -> str:
    """Text compared as a reader hears it: every kind of space one ordinary space, soft hyphens gone."""
    return " ".join(text.replace("\u00ad", "").split())
