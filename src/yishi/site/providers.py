"""The registry of page and data-file providers: the one place a new page type is added.

A provider is a function of the :class:`SiteContext`. Page providers return the pages they
make; file providers return files written verbatim into the built site; record sections
return HTML appended to every issue or meeting page (e.g. the "cite this record" block).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .context import SiteContext
from .model import DataFile, GeneratedPage

PageProvider = Callable[[SiteContext], Iterable[GeneratedPage]]
FileProvider = Callable[[SiteContext], Iterable[DataFile]]
#: ``(ctx, kind, record_id) -> html`` with kind ``"issue"`` or ``"meeting"``; the HTML is
#: inserted as is, so a section must escape every value it takes from a record.
RecordSection = Callable[[SiteContext, str, str], str]


def page_providers() -> list[PageProvider]:
    """Every page provider; pages with ``in_nav`` appear in the navigation in this order."""
    from . import (
        about_page,
        community_pages,
        home_page,
        integrity_pages,
        issue_lists,
        meeting_lists,
        opendata_pages,
        public_lists,
        record_pages,
        search_archive,
        search_page,
        stats_page,
        submit_page,
    )

    return [
        home_page.home_pages,
        issue_lists.issue_list_pages,
        meeting_lists.meeting_list_pages,
        public_lists.public_list_pages,
        stats_page.stats_pages,
        submit_page.submit_pages,
        about_page.about_pages,
        opendata_pages.data_pages,
        integrity_pages.rewrites_pages,
        search_page.search_pages,
        search_archive.archive_pages,
        community_pages.community_pages,
        record_pages.issue_pages,
        record_pages.meeting_pages,
    ]


def file_providers() -> list[FileProvider]:
    """Every data-file provider."""
    from . import assets, opendata_pages, search_page

    return [assets.asset_files, assets.filter_data, opendata_pages.opendata_files,
            search_page.search_files]


def record_sections() -> list[RecordSection]:
    """Every section appended to record pages, in order, before the daily ones."""
    from . import opendata_pages

    return [opendata_pages.history_section]


def daily_record_sections() -> list[RecordSection]:
    """Sections appended last to record pages and rendered anew by every build, since they
    show the build's date (the cite block's access date): a page read from the page cache
    gets them fresh, so its cache key need not change every day."""
    from . import opendata_pages

    return [opendata_pages.cite_section]
