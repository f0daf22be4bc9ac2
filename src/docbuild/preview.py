"""``docbuild preview``: the print pages and the EPUB side by side, in a browser, as you write.

It runs ``docbuild watch`` (:class:`docbuild.watch.Watcher`) and a small
local web server in the same process: stdlib ``ThreadingHTTPServer``, bound
to 127.0.0.1 only, on a free port unless ``--port`` is given; the address
is printed. The page shows, for the chapter and language chosen on it:

- the print edition's pages (the PDF, A4 or Letter as built), each page a
  PNG made from the built PDF by poppler's ``pdftoppm``
  (``scripts/install-validators.sh`` installs it): a browser's PDF viewer
  cannot be relied on inside a page (headless Chromium shows none);
- the EPUB's content document, served from inside the built ``.epub`` as a
  reading system would show it, with the EPUB's own style sheet: reflowed
  text, in an ``<iframe>``.

The page asks the server for ``/state`` every 300 ms (a tiny JSON: the
stamps of the two files, the build's errors, whether a round is running).
When the watcher has replaced the PDF or the EPUB, the page reloads that
side (keeping its scroll position); when the last save did not build, it
shows the ``file:line: message`` lines above the last good editions. The
chapter and language the page shows are what ``watch`` builds first.

Only what docbuild built is served: the edition files are named from the
project's own chapter ids and languages, EPUB entries must be in the
archive's list, and requests whose ``Host`` is not this server's address
are refused (so a web page elsewhere cannot read the preview through DNS
rebinding).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import posixpath
import re
import shutil
import subprocess
import tempfile
import threading
import zipfile
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Callable
from urllib.parse import parse_qs, unquote, urlsplit
from xml.etree import ElementTree

from .edition import edition_file_name
from .errors import DocbuildError
from .project import Project
from .watch import BuildEvent, Focus, Watcher

#: Formats the page shows; ``preview`` always builds them.
SHOWN = ("pdf", "epub")
#: Resolution of the page images (CSS pixels are 96 per inch; 110 keeps text sharp at the column's width).
PAGE_DPI = 110
_TYPES = {
    ".xhtml": "application/xhtml+xml", ".html": "text/html", ".css": "text/css", ".svg": "image/svg+xml",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".otf": "font/otf", ".ttf": "font/ttf",
    ".woff": "font/woff", ".woff2": "font/woff2", ".js": "text/javascript", ".opf": "application/oebps-package+xml",
    ".ncx": "application/x-dtbncx+xml", ".xml": "application/xml",
}


def _stamp(path: Path) -> str | None:
    """Changes whenever the file is replaced (docbuild writes through a rename: a new inode)."""
    try:
        status = path.stat()
    except OSError:
        return None
    return f"{status.st_ino:x}{status.st_mtime_ns:x}{status.st_size:x}"


class PageImages:
    """PNG images of a PDF's pages, made once per version of the file, in a private temporary folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._lock = threading.Lock()
        #: PDF path -> (stamp, [PNG paths], their folder) of the latest version rendered.
        self._done: dict[Path, tuple[str, list[Path], Path]] = {}
        self.available = shutil.which("pdftoppm") is not None

    def pages(self, pdf: Path) -> tuple[str, list[Path], Path] | None:
        stamp = _stamp(pdf)
        if stamp is None or not self.available:
            return None
        with self._lock:
            done = self._done.get(pdf)
            if done and done[0] == stamp:
                return done
            target = self.folder / hashlib.sha256(f"{pdf}\0{stamp}".encode()).hexdigest()[:20]
            target.mkdir(parents=True, exist_ok=True)
            copy = target / "edition.pdf"
            try:
                copy.write_bytes(pdf.read_bytes())
                subprocess.run(
                    ["pdftoppm", "-png", "-r", str(PAGE_DPI), str(copy), str(target / "page")],
                    check=True, capture_output=True, timeout=120,
                )
            except (OSError, subprocess.SubprocessError):
                shutil.rmtree(target, ignore_errors=True)
                return done  # the last good pages, if any
            images = sorted(target.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
            if done:
                shutil.rmtree(done[2], ignore_errors=True)
            self._done[pdf] = (stamp, images, target)
            return self._done[pdf]


def content_document(epub: Path) -> str | None:
    """The EPUB's main content document: the largest XHTML document of its spine that is not the navigation."""
    try:
        with zipfile.ZipFile(epub) as archive:
            container = ElementTree.fromstring(archive.read("META-INF/container.xml"))
            rootfile = next(e for e in container.iter() if e.tag.endswith("rootfile")).get("full-path", "")
            package = ElementTree.fromstring(archive.read(rootfile))
            base = posixpath.dirname(rootfile)
            manifest = {
                item.get("id"): item for item in package.iter() if item.tag.endswith("}item")
            }
            candidates = []
            for itemref in (e for e in package.iter() if e.tag.endswith("}itemref")):
                item = manifest.get(itemref.get("idref"))
                if item is None or "nav" in (item.get("properties") or "").split():
                    continue
                name = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
                try:
                    candidates.append((archive.getinfo(name).file_size, name))
                except KeyError:
                    continue
    except (OSError, KeyError, StopIteration, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    return max(candidates)[1] if candidates else None


class PreviewServer:
    """The preview's web server; ``start()`` serves from a thread, ``close()`` stops it."""

    def __init__(self, watcher: Watcher, host: str = "127.0.0.1", port: int = 0):
        self.watcher = watcher
        self.project: Project = watcher.project
        self._temporary = Path(tempfile.mkdtemp(prefix="docbuild-preview-"))
        self.images = PageImages(self._temporary)
        self._epub_docs: dict[tuple[Path, str], str | None] = {}
        handler = type("Handler", (_Handler,), {"preview": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="docbuild-preview", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        shutil.rmtree(self._temporary, ignore_errors=True)

    # -- what the page asks for --------------------------------------------

    def chapters(self) -> dict[str, list[str]]:
        watcher = self.watcher
        try:
            return {chapter: watcher._langs_of(chapter) for chapter in watcher._chapters()}
        except DocbuildError:
            return {}

    def selection(self, chapter: str | None, lang: str | None) -> tuple[str, str] | None:
        """A chapter and language the project has (the page's, else the focus, else the first)."""
        chapters = self.chapters()
        if not chapters:
            return None
        focus = self.watcher.focus
        if chapter not in chapters:
            chapter = focus.chapter if focus.chapter in chapters else next(iter(chapters))
        langs = chapters[chapter]
        if lang not in langs:
            lang = focus.lang if focus.lang in langs else (langs[0] if langs else None)
        return (chapter, lang) if lang else None

    def edition(self, chapter: str, lang: str, fmt: str) -> Path:
        paper = self.watcher.paper if fmt == "pdf" else "a4"
        return self.watcher.out / edition_file_name(chapter, lang, fmt, paper)

    def state(self, chapter: str | None, lang: str | None) -> dict:
        selected = self.selection(chapter, lang)
        state: dict = {
            "chapters": self.chapters(), "busy": self.watcher.busy, "errors": list(self.watcher.all_errors()),
            "version": self.watcher.version, "pdftoppm": self.images.available, "pdf": None, "epub": None,
            "paper": self.watcher.paper,
        }
        if selected is None:
            return state
        chapter, lang = selected
        focus = self.watcher.focus
        focus.chapter, focus.lang = chapter, lang  # what the user looks at is built first
        state.update(chapter=chapter, lang=lang)
        pages = self.images.pages(self.edition(chapter, lang, "pdf"))
        if pages is not None:
            state["pdf"] = {"stamp": pages[0], "pages": len(pages[1])}
        epub = self.edition(chapter, lang, "epub")
        stamp = _stamp(epub)
        if stamp is not None:
            key = (epub, stamp)
            if key not in self._epub_docs:
                self._epub_docs = {k: v for k, v in self._epub_docs.items() if k[0] != epub}
                self._epub_docs[key] = content_document(epub)
            if self._epub_docs[key]:
                state["epub"] = {"stamp": stamp, "doc": self._epub_docs[key]}
        return state

    def page_image(self, chapter: str, lang: str, number: int) -> bytes | None:
        pages = self.images.pages(self.edition(chapter, lang, "pdf"))
        if pages is None or not 1 <= number <= len(pages[1]):
            return None
        try:
            return pages[1][number - 1].read_bytes()
        except OSError:
            return None

    def epub_entry(self, chapter: str, lang: str, name: str) -> bytes | None:
        try:
            with zipfile.ZipFile(self.edition(chapter, lang, "epub")) as archive:
                if name not in archive.namelist():
                    return None
                return archive.read(name)
        except (OSError, zipfile.BadZipFile, KeyError):
            return None

    def known(self, chapter: str, lang: str) -> bool:
        return lang in self.chapters().get(chapter, [])


class _Handler(BaseHTTPRequestHandler):
    preview: PreviewServer
    server_version = "docbuild-preview"

    def log_message(self, format: str, *args) -> None:  # the terminal is the editor's, not a log
        pass

    def do_GET(self) -> None:
        host, port = self.server.server_address[:2]
        if self.headers.get("Host") not in (f"{host}:{port}", f"localhost:{port}"):
            return self._send(HTTPStatus.FORBIDDEN, b"docbuild preview answers only at its own address", "text/plain")
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        parts = [unquote(part) for part in url.path.split("/")[1:]]
        preview = self.preview
        try:
            if url.path == "/":
                return self._send(HTTPStatus.OK, _page(preview, query.get("chapter"), query.get("lang")), "text/html")
            if url.path == "/state":
                body = json.dumps(preview.state(query.get("chapter"), query.get("lang"))).encode()
                return self._send(HTTPStatus.OK, body, "application/json")
            if len(parts) == 5 and parts[0] == "page" and preview.known(parts[1], parts[2]):
                match = re.fullmatch(r"(\d{1,4})\.png", parts[4])
                data = preview.page_image(parts[1], parts[2], int(match.group(1))) if match else None
                if data is not None:
                    return self._send(HTTPStatus.OK, data, "image/png")
            if len(parts) >= 5 and parts[0] == "epub" and preview.known(parts[1], parts[2]):
                name = "/".join(parts[4:])
                data = preview.epub_entry(parts[1], parts[2], name)
                if data is not None:
                    kind = _TYPES.get(posixpath.splitext(name)[1].lower()) or mimetypes.guess_type(name)[0]
                    return self._send(HTTPStatus.OK, data, kind or "application/octet-stream")
            if len(parts) == 3 and parts[0] == "pdf" and preview.known(parts[1], parts[2]):
                path = preview.edition(parts[1], parts[2], "pdf")
                if path.is_file():
                    return self._send(HTTPStatus.OK, path.read_bytes(), "application/pdf")
        except (BrokenPipeError, ConnectionResetError):
            return None
        return self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        if kind.startswith("text/") or kind in ("application/json", "application/xhtml+xml"):
            kind += "; charset=utf-8"
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def _page(preview: PreviewServer, chapter: str | None, lang: str | None) -> bytes:
    selected = preview.selection(chapter, lang) or ("", "")
    initial = json.dumps({"chapter": selected[0], "lang": selected[1]}).replace("<", "\\u003c")
    return PAGE.replace("__INITIAL__", initial).encode("utf-8")


def preview(
    project: Project | Path | str = ".",
    chapter: str | None = None,
    lang: str | None = None,
    *,
    port: int = 0,
    out: Path | str | None = None,
    formats: list[str] | None = None,
    langs: list[str] | None = None,
    chapters: list[str] | None = None,
    paper: str | None = None,
    jobs: int | None = None,
    stop_event: threading.Event | None = None,
    on_build: Callable[[BuildEvent], None] | None = None,
    on_ready: Callable[[str], None] | None = None,
    quiet: bool = False,
    stream: IO[str] | None = None,
) -> None:
    """Serve the preview and rebuild on every change, until ``stop_event`` is set (or Ctrl-C).

    ``chapter`` and ``lang`` are what the page shows first (default: the
    first chapter and language watched); the other arguments select what is
    watched, as for :func:`docbuild.watch.watch` (the PDF and the EPUB are
    always built). ``on_ready`` gets the page's address once it is served.
    """
    from .build import FORMATS
    from .config import load_config

    if not isinstance(project, Project):
        project = Project.at(project)
    config = load_config(project.root)
    chosen = list(dict.fromkeys([*SHOWN, *(formats or config.formats or FORMATS)]))
    focus = Focus(chapter or (chapters[0] if chapters else None), lang or (langs[0] if langs else None), SHOWN)
    watcher = Watcher(
        project, out, chosen, langs, chapters, paper, jobs,
        focus=focus, on_build=on_build, quiet=quiet, stream=stream, config=config,
    )
    if focus.chapter is not None:
        project.chapter_ids([focus.chapter])  # an unknown chapter is an error now
    watcher.start()  # the workers are forked before the server's threads exist
    try:
        server = PreviewServer(watcher, port=port)
    except OSError as error:
        watcher.close()
        raise DocbuildError(f"cannot serve the preview on 127.0.0.1 port {port}: {error.strerror or error}") from None
    server.start()
    try:
        print(f"docbuild preview: {server.url} (Ctrl-C to stop)", flush=True)
        if on_ready is not None:
            on_ready(server.url)
        watcher.run(stop_event)
    finally:
        server.close()


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>docbuild preview</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  :root { color-scheme: light; font-family: system-ui, sans-serif; }
  body { margin: 0; display: flex; flex-direction: column; height: 100vh; background: #eceae6; color: #1b1b1b; }
  header { display: flex; flex-wrap: wrap; gap: .5rem 1.25rem; align-items: center; padding: .5rem 1rem;
           background: #fff; border-bottom: 1px solid #ccc; }
  header h1 { font-size: 1rem; margin: 0; }
  label { font-size: .9rem; }
  #status { font-size: .9rem; color: #444; margin-left: auto; }
  #errors { margin: 0; padding: .75rem 1rem; background: #fff0ee; border-bottom: 2px solid #b3261e; color: #5c1410; }
  #errors h2 { font-size: 1rem; margin: 0 0 .25rem; }
  #errors pre { margin: 0; white-space: pre-wrap; font-size: .85rem; }
  main { flex: 1; display: grid; grid-template-columns: 1fr 1fr; min-height: 0; }
  section { display: flex; flex-direction: column; min-height: 0; border-right: 1px solid #ccc; }
  section h2 { font-size: .9rem; margin: 0; padding: .35rem 1rem; background: #f7f6f3; border-bottom: 1px solid #ddd; }
  #pages { overflow: auto; flex: 1; padding: 1rem; }
  #pages img { display: block; width: 100%; max-width: 900px; margin: 0 auto 1rem; background: #fff;
               box-shadow: 0 1px 4px rgba(0,0,0,.3); }
  #epub { flex: 1; width: 100%; border: 0; background: #fff; }
  .note { padding: 1rem; }
  [hidden] { display: none !important; }
</style>
</head>
<body>
<header>
  <h1>docbuild preview</h1>
  <label>Chapter <select id="chapter"></select></label>
  <label>Language <select id="lang"></select></label>
  <span id="status" role="status" aria-live="polite">Connecting…</span>
</header>
<div id="errors" role="alert" hidden>
  <h2>The last save did not build; the last good editions are shown</h2>
  <pre id="error-lines"></pre>
</div>
<main>
  <section aria-labelledby="print-title">
    <h2 id="print-title">Print edition (PDF)</h2>
    <div id="pages"><p class="note">Waiting for the PDF…</p></div>
  </section>
  <section aria-labelledby="epub-title">
    <h2 id="epub-title">EPUB (reflowed)</h2>
    <p id="epub-note" class="note">Waiting for the EPUB…</p>
    <iframe id="epub" title="The EPUB's content document" hidden></iframe>
  </section>
</main>
<script type="application/json" id="initial">__INITIAL__</script>
<script>
"use strict";
const initial = JSON.parse(document.getElementById("initial").textContent);
const params = new URLSearchParams(location.search);
let chapter = params.get("chapter") || initial.chapter;
let lang = params.get("lang") || initial.lang;
let shown = { pdf: null, epub: null, chapters: "" };
const $ = (id) => document.getElementById(id);

function options(select, values, current) {
  select.replaceChildren(...values.map((v) => { const o = new Option(v, v); o.selected = v === current; return o; }));
}

function choose() {
  chapter = $("chapter").value;
  lang = $("lang").value;
  history.replaceState(null, "", `?chapter=${encodeURIComponent(chapter)}&lang=${encodeURIComponent(lang)}`);
  shown = { pdf: null, epub: null, chapters: "" };  // the next poll (within 300 ms) shows the new choice
}
$("chapter").addEventListener("change", () => { $("lang").value = ""; choose(); });
$("lang").addEventListener("change", choose);

function showPages(state) {
  const pages = $("pages");
  if (!state.pdf) {
    if (shown.pdf === null) {
      pages.innerHTML = "";
      const p = document.createElement("p");
      p.className = "note";
      p.textContent = state.pdftoppm ? "The PDF is not built yet." :
        "pdftoppm (poppler) is not installed: run scripts/install-validators.sh to see the pages here.";
      pages.append(p);
    }
    return;
  }
  if (shown.pdf === state.pdf.stamp) return;
  const top = pages.scrollTop;
  const images = [];
  for (let n = 1; n <= state.pdf.pages; n++) {
    const img = new Image();
    img.src = `/page/${encodeURIComponent(state.chapter)}/${encodeURIComponent(state.lang)}/${state.pdf.stamp}/${n}.png`;
    img.alt = `Page ${n} of ${state.pdf.pages}`;
    images.push(img);
  }
  pages.replaceChildren(...images);
  pages.scrollTop = top;
  shown.pdf = state.pdf.stamp;
}

function showEpub(state) {
  const frame = $("epub");
  if (!state.epub) {
    $("epub-note").hidden = false;
    $("epub-note").textContent = "The EPUB is not built yet.";
    return;
  }
  if (shown.epub === state.epub.stamp) return;
  let top = 0;
  try { top = frame.contentWindow.scrollY || 0; } catch (e) {}
  frame.onload = () => { try { frame.contentWindow.scrollTo(0, top); } catch (e) {} };
  frame.src = `/epub/${encodeURIComponent(state.chapter)}/${encodeURIComponent(state.lang)}/${state.epub.stamp}/${state.epub.doc}`;
  frame.hidden = false;
  $("epub-note").hidden = true;
  shown.epub = state.epub.stamp;
}

function update(state) {
  const names = JSON.stringify(state.chapters);
  if (state.chapter) { chapter = state.chapter; lang = state.lang; }
  if (names !== shown.chapters || $("chapter").value !== chapter || $("lang").value !== lang) {
    options($("chapter"), Object.keys(state.chapters), chapter);
    options($("lang"), state.chapters[chapter] || [], lang);
    shown.chapters = names;
  }
  const errors = state.errors || [];
  $("errors").hidden = errors.length === 0;
  $("error-lines").textContent = errors.join("\\n");
  $("status").textContent = state.busy ? "Rebuilding…" :
    (errors.length ? `${errors.length} problem${errors.length > 1 ? "s" : ""}` : "Up to date");
  showPages(state);
  showEpub(state);
}

async function poll() {
  try {
    const response = await fetch(`/state?chapter=${encodeURIComponent(chapter || "")}&lang=${encodeURIComponent(lang || "")}`,
                                 { cache: "no-store" });
    update(await response.json());
  } catch (e) {
    $("status").textContent = "The preview server is not running (docbuild preview stopped).";
  }
  setTimeout(poll, 300);
}
poll();
</script>
</body>
</html>
"""
