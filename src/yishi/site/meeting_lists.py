"""All meetings by date, newest first, paginated; upcoming ones also stand out on top."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..records import Meeting
from .context import SiteContext
from .model import GeneratedPage
from .pagination import Pagination, paginate
from .render import render


def meeting_list_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/meetings/`` and its further pages."""
    for pagination in paginate("meetings/", ctx.index.meetings, ctx.settings.per_page):
        title = "议事会" if pagination.number == 1 else f"议事会(第 {pagination.number} 页)"
        yield GeneratedPage(
            pagination.src_uri, title, partial(_render, ctx, pagination, title),
            in_nav=pagination.number == 1, nav_title="议事会",
            meta={"hide": ["navigation", "toc"]}, searchable=False,
        )


def _render(ctx: SiteContext, pagination: Pagination[Meeting], title: str) -> str:
    upcoming = ctx.index.upcoming(ctx.today) if pagination.number == 1 else []
    return render(
        "meeting_list.html", ctx, pagination.url,
        title=title, pagination=pagination, upcoming=upcoming,
    )
