"""The registry of page and data-file providers: the one place a new page type is added.

A provider is a function of the :class:`SiteContext`. Page providers return the pages they
make; file providers return files written verbatim into the built site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .context import SiteContext
from .model import DataFile, GeneratedPage

PageProvider = Callable[[SiteContext], Iterable[GeneratedPage]]
FileProvider = Callable[[SiteContext], Iterable[DataFile]]


def page_providers() -> list[PageProvider]:
    """Every page provider, in the order their pages are added to the site."""
    from . import record_pages

    return [record_pages.issue_pages, record_pages.meeting_pages]


def file_providers() -> list[FileProvider]:
    """Every data-file provider."""
    return []
