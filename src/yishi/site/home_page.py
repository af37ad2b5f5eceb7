"""The home page: what the council is, where things stand, and how to take part."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..lifecycle import Status
from .context import SiteContext
from .model import GeneratedPage
from .render import render

LATEST = 5


def home_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/``."""
    yield GeneratedPage(
        "index.md", ctx.council.name, partial(render_home, ctx),
        in_nav=True, nav_title="首页", meta={"hide": ["navigation", "toc"]}, searchable=False,
    )


def render_home(ctx: SiteContext) -> str:
    """The home page's body."""
    index = ctx.index
    counts = [(s, len(index.by_status[s])) for s in Status if index.by_status.get(s)]
    return render(
        "home.html", ctx, "",
        counts=counts,
        total=len(index.issues),
        meetings_total=len(index.meetings),
        decisions=index.decisions[:LATEST],
        upcoming=index.upcoming(ctx.today)[:LATEST],
        latest=index.issues[:LATEST],
    )
