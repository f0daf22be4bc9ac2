"""Shared fixtures: the real project, throw-away copies of it, built editions.

Validators (poppler, EPUBCheck, Ace, LibreOffice, mammoth) are required when
DOCBUILD_REQUIRE_VALIDATORS=1, as .ci/run sets it: there a missing tool fails
the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from docbuild.build import build

ROOT = Path(__file__).resolve().parent.parent


def require_tool(name: str) -> str:
    """The path of an external tool; skip without it, or fail where it is required."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed"
    if os.environ.get("DOCBUILD_REQUIRE_VALIDATORS") == "1":
        pytest.fail(message + " (DOCBUILD_REQUIRE_VALIDATORS=1)")
    pytest.skip(message)


def replace_in_file(path: Path, old: str, new: str) -> None:
    """Edit a copied source file; the text to replace must be there, so a test can't edit nothing."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A writable copy of the project (source, layouts, fonts) for tests that break things."""
    root = tmp_path / "project"
    for name in ("source", "layouts", "fonts"):
        shutil.copytree(ROOT / name, root / name)
    return root


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory):
    """Build the named formats of the real project once per session; return the folder.

    Usage: ``dist("pdf")`` or ``dist("pdf", "epub")``.
    """
    built: dict[tuple[str, ...], Path] = {}

    def make(*formats: str) -> Path:
        key = tuple(sorted(formats))
        if key not in built:
            out = tmp_path_factory.mktemp("dist-" + "-".join(key))
            build(ROOT, out, list(key), cache=False)
            built[key] = out
        return built[key]

    return make
