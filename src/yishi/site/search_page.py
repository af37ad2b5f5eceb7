"""/search/: Pagefind's search UI over the static index written after the build."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from .context import SiteContext
from .model import GeneratedPage
from .render import render


def search_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/search/``, unless search is turned off."""
    if ctx.settings.search == "none":
        return
    yield GeneratedPage(
        "search/index.md", "搜索", partial(_render, ctx),
        meta={"hide": ["navigation", "toc"]}, searchable=False,
    )


def _render(ctx: SiteContext) -> str:
    return render("search.html", ctx, "search/")
