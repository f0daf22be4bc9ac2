"""Page geometry for paged formats, read from ``layouts/paper.toml``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from .errors import DocbuildError
from .project import Project


@dataclass(frozen=True)
class PageGeometry:
    width: float  # millimetres
    height: float
    margin_top: float
    margin_bottom: float
    margin_inner: float
    margin_outer: float
    body_size: float  # points
    line_height: float
    #: "serif" or "sans": which of its script's families (layouts/scripts.toml) sets the text.
    typeface: str


def page_geometry(project: Project, paper: str, large_print: bool = False) -> PageGeometry:
    """The paper's geometry and the type; for large print, ``[large]`` replaces what it names."""
    path = project.layouts / "paper.toml"
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
        values = {**table[paper], **table["type"]}
        if large_print:
            values.update(table["large"])
        return PageGeometry(**values)
    except OSError as exc:
        raise DocbuildError(f"cannot read page geometry: {exc.strerror}", path) from None
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise DocbuildError(f"malformed page geometry for '{paper}': {exc}", path) from None
