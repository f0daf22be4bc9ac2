"""What a writer is asked to produce: one chapter variant, in one setting."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone

from .errors import DocbuildError
from .labels import Labels
from .languages import Language, load_language
from .model import Chapter
from .project import Project

PAPER_SIZES = ("a4", "letter")
#: Formats whose layout depends on the paper size.
PAGED_FORMATS = ("pdf", "docx", "large-pdf", "large-docx")
#: Large-print formats: the standard format's writer with the large-print layout,
#: in ``<chapter>-<lang>-large[-letter].<ext>``.
LARGE_PRINT_FORMATS = ("large-pdf", "large-docx")


@dataclass(frozen=True)
class Edition:
    """Everything a writer needs besides the model: labels, paper, time, project."""

    chapter: Chapter
    labels: Labels
    project: Project
    paper: str = "a4"
    #: Page on which each block starts in the A4 print edition, for the EPUB page-list.
    print_pages: dict[str, int] = field(default_factory=dict)
    print_page_count: int = 0
    #: Where each A4 page begins (page -> (HTML id, characters of it on earlier
    #: pages); docbuild.writers.pdf.PageLayout.starts), for the EPUB's inline page markers.
    print_page_starts: dict[int, tuple[str, int]] = field(default_factory=dict)
    #: The large-print layout (Clear Print: 18 pt sans-serif, 1.5 spacing, ragged right).
    large_print: bool = False

    @property
    def language(self) -> Language:
        """The rules of the chapter's language (``layouts/languages/``)."""
        return load_language(self.project.layouts, self.chapter.lang)

    @property
    def timestamp(self) -> datetime:
        return build_time(self.chapter)

    def file_name(self, fmt: str) -> str:
        return edition_file_name(self.chapter.id, self.chapter.lang, fmt, self.paper)


def edition_file_name(chapter_id: str, lang: str, fmt: str, paper: str = "a4") -> str:
    """``kazakhstan-ru.pdf``; ``kazakhstan-ru-letter.pdf`` for paged formats on Letter paper;
    ``kazakhstan-ru-large.pdf`` (``-large-letter.pdf``) for large print.

    Tools and people depend on these names; change them nowhere else.
    """
    stem = f"{chapter_id}-{lang}"
    extension = fmt
    if fmt in LARGE_PRINT_FORMATS:
        stem += "-large"
        extension = fmt.removeprefix("large-")
    if paper != "a4" and fmt in PAGED_FORMATS:
        stem += f"-{paper}"
    return f"{stem}.{extension}"


def build_time(chapter: Chapter) -> datetime:
    """The time written into editions: ``SOURCE_DATE_EPOCH`` if set, else the publication date.

    Never the clock, so that the same source always gives the same bytes.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise DocbuildError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 within the years 1-9999, not '{epoch}'"
            ) from None
    return datetime.fromisoformat(chapter.meta.date).replace(tzinfo=timezone.utc)
