"""/stats/: the council's figures, each with its definition, and SVG charts."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from .context import SiteContext
from .model import GeneratedPage
from .render import render


def stats_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/stats/``."""
    yield GeneratedPage(
        "stats/index.md", "统计", partial(_render, ctx),
        in_nav=True, nav_title="统计", meta={"hide": ["navigation"]}, searchable=False,
    )


def _render(ctx: SiteContext) -> str:
    return render("stats.html", ctx, "stats/", total=len(ctx.index.issues))


def figures_for_community(ctx: SiteContext, slug: str) -> str:
    """A community's metrics block for its page."""
    return ""
