"""The only way WeasyPrint may read a file: from inside the project, or from memory.

WeasyPrint's default fetcher follows any URL a template, a stylesheet or a
source could name: ``http://`` (a build that depends on the network, and
leaks that a report is being built), ``file:///etc/passwd``, or a
``../`` path out of the project. :class:`ProjectFetcher` refuses them all
with a :class:`DocbuildError`, so a bad source fails the build with a clear
message instead of quietly producing a PDF with a hole in it.

Generated resources (the prepared photo, with its metadata stripped) are
served from memory under the ``docbuild:`` scheme, so the original file,
EXIF and all, is never what WeasyPrint reads.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .errors import DocbuildError
from .project import Project

#: Scheme of resources generated in memory by docbuild.
GENERATED_SCHEME = "docbuild"


class ProjectFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves project files and generated resources only."""

    def __init__(self, project: Project, generated: dict[str, tuple[bytes, str]] | None = None):
        # fail_on_errors: a refused URL must stop the rendering, not become a warning.
        super().__init__(allowed_protocols=("file", GENERATED_SCHEME), allow_redirects=False, fail_on_errors=True)
        self.project = project
        #: ``docbuild:<name>`` -> (bytes, media type).
        self.generated = dict(generated or {})

    @staticmethod
    def generated_url(name: str) -> str:
        return f"{GENERATED_SCHEME}:{name}"

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """Serve ``url`` if it is generated or a file inside the project; raise otherwise."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == GENERATED_SCHEME:
            if url not in self.generated:
                raise DocbuildError(f"no generated resource '{url}'")
            data, media_type = self.generated[url]
            return URLFetcherResponse(url, data, {"Content-Type": media_type})
        if scheme != "file":
            raise DocbuildError(f"refusing to fetch '{url}': editions may use only files inside the project")
        if parts.netloc not in ("", "localhost"):
            raise DocbuildError(f"refusing to fetch '{url}': a file on another host is not part of the project")
        path = Path(unquote(parts.path))
        if not self.project.contains(path):
            raise DocbuildError(f"refusing to read '{path}': it lies outside the project {self.project.root}")
        resolved = path.resolve()
        if not resolved.is_file():
            raise DocbuildError(f"file '{path}' not found", path)
        media_type = mimetypes.guess_type(resolved.name)[0] or "application/octet-stream"
        return URLFetcherResponse(resolved.as_uri(), resolved.read_bytes(), {"Content-Type": media_type})


def unwrap_refusal(error: FatalURLFetchingError) -> DocbuildError:
    """The DocbuildError behind WeasyPrint's fatal fetching error, or one that quotes it."""
    cause = error.__cause__
    if isinstance(cause, DocbuildError):
        return cause
    return DocbuildError(f"cannot fetch a resource: {cause or error}")
