"""docbuild: accessible print, EPUB, DOCX and plain-text editions from one source.

Readers build one document model (:mod:`docbuild.model`); one writer per
format consumes it. ``build`` is the whole pipeline, as the CLI runs it.
"""

from __future__ import annotations

from .errors import DocbuildError

__all__ = ["DocbuildError", "build"]


def build(*args, **kwargs):
    """See :func:`docbuild.build.build`; imported lazily to keep startup fast."""
    from .build import build as _build

    return _build(*args, **kwargs)
