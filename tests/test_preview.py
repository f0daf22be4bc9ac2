"""docbuild preview (issue 14) in a real browser: Debian's Chromium, headless, through Playwright for Python.

The preview runs in a thread on a copy of the project; the test opens its
page, edits a paragraph of the copy and waits (with a deadline) for the new
text in the EPUB side, breaks the source and waits for the error in the page,
then fixes it and waits for the page to recover. No browser is downloaded:
Playwright drives /usr/bin/chromium.
"""

from __future__ import annotations

import http.client
import io
import json
import queue
import re
import shutil
import threading
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from docbuild.build import build
from docbuild.preview import content_document, preview

from conftest import ROOT, replace_in_file, require_tool

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
#: Milliseconds Playwright waits for each change to show (a rebuild of one chapter takes a few seconds here).
WAIT = 120_000


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A copy of the project for this module's preview (the tests edit it)."""
    root = tmp_path_factory.mktemp("preview") / "project"
    for name in ("source", "layouts", "fonts"):
        shutil.copytree(ROOT / name, root / name)
    return root


@pytest.fixture(scope="module")
def served(site: Path):
    """The preview of the kazakhstan chapter in English, PDF and EPUB, on a free port; yields its address."""
    stop = threading.Event()
    ready: queue.Queue = queue.Queue()
    failures: list[BaseException] = []
    output = io.StringIO()

    def run() -> None:
        try:
            preview(site, "kazakhstan", "en", chapters=["kazakhstan"], langs=["en"], formats=["pdf", "epub"],
                    jobs=2, stop_event=stop, on_ready=ready.put, stream=output)
        except BaseException as error:
            failures.append(error)
            ready.put(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    url = ready.get(timeout=120)
    assert url, failures
    yield url
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the preview did not stop"
    assert not failures, failures


def get(url: str, path: str, host: str | None = None) -> tuple[int, bytes]:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def browser():
    require_tool("pdftoppm")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_tool("playwright-python-package")  # skips, or fails where validators are required
    if not Path(CHROMIUM).is_file():
        require_tool("chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_the_server_serves_only_what_docbuild_built_and_only_to_itself(served: str) -> None:
    status, body = get(served, "/state?chapter=kazakhstan&lang=en")
    assert status == 200
    state = json.loads(body)
    assert state["chapter"] == "kazakhstan" and state["lang"] == "en"
    assert state["chapters"] == {"kazakhstan": ["en"]}
    # Another site's page cannot reach it by a name that resolves here (DNS rebinding).
    assert get(served, "/state", host="attacker.example")[0] == 403
    port = urlsplit(served).port
    assert get(served, "/state", host=f"localhost:{port}")[0] == 200
    # Nothing outside the editions: no path climbs out, no unknown chapter or language is served.
    for path in ("/epub/kazakhstan/en/x/../../../../etc/passwd", "/epub/../source/kazakhstan/en.md",
                 "/epub/nowhere/en/x/mimetype", "/page/kazakhstan/ru/x/1.png", "/pdf/kazakhstan/en/../../en.md",
                 "/source/kazakhstan/en.md", "/page/kazakhstan/en/x/0.png"):
        assert get(served, path)[0] == 404, path


def test_the_page_shows_an_edit_a_broken_save_and_the_recovery(site: Path, served: str, browser) -> None:
    from playwright.sync_api import expect

    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", served)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(served + "?chapter=kazakhstan&lang=en")
    epub = page.frame_locator("#epub")

    # Both sides: the PDF's pages as images, the EPUB's text.
    expect(epub.get_by_text("Kazakhstan was rocked in early January 2022")).to_be_visible(timeout=WAIT)
    pages = page.locator("#pages img")
    expect(pages.first).to_have_attribute("alt", re.compile(r"^Page 1 of \d+$"), timeout=WAIT)
    count = pages.count()
    assert count >= 2
    assert pages.first.evaluate("img => img.complete && img.naturalWidth > 500")
    first_page = pages.first.get_attribute("src")
    expect(page.locator("#errors")).to_be_hidden()

    # A one-paragraph edit appears without touching the page.
    source = site / "source" / "kazakhstan" / "en.md"
    replace_in_file(source, "Kazakhstan was rocked in early January 2022", "Kazakhstan was shaken in early January 2022")
    expect(epub.get_by_text("Kazakhstan was shaken in early January 2022")).to_be_visible(timeout=WAIT)
    expect(pages.first).not_to_have_attribute("src", first_page, timeout=WAIT)  # the PDF's pages were redrawn

    # A save that does not build: the error, at its line, over the last good editions.
    replace_in_file(source, "{#intro-2}\n", "{#intro-2}\n<div>raw</div>\n")
    line = source.read_text(encoding="utf-8").splitlines().index("<div>raw</div>") + 1
    expect(page.locator("#errors")).to_be_visible(timeout=WAIT)
    expect(page.locator("#error-lines")).to_contain_text(re.compile(rf"kazakhstan/en\.md:{line}: raw HTML"))
    expect(epub.get_by_text("Kazakhstan was shaken in early January 2022")).to_be_visible()

    # The next good save: the error goes, the new text comes.
    replace_in_file(source, "{#intro-2}\n<div>raw</div>\n", "{#intro-2}\n")
    replace_in_file(source, "Kazakhstan was shaken", "Kazakhstan was stirred")
    expect(page.locator("#errors")).to_be_hidden(timeout=WAIT)
    expect(epub.get_by_text("Kazakhstan was stirred in early January 2022")).to_be_visible(timeout=WAIT)
    page.close()


def test_the_epub_side_is_the_content_document(project: Path) -> None:
    (epub,) = build(project, None, ["epub"], ["en"], ["example"]).written
    document = content_document(epub)
    assert document is not None and document.endswith(".xhtml") and "nav" not in document
    with zipfile.ZipFile(epub) as archive:
        assert b"An introductory paragraph" in archive.read(document)
    broken = project / "broken.epub"
    broken.write_bytes(b"not a zip")
    assert content_document(broken) is None
