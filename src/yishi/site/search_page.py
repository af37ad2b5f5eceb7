"""/search/: a small search UI (``assets/search.js``) over Pagefind's index of the archive."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from importlib.resources import files

from .context import SiteContext
from .model import DataFile, GeneratedPage
from .render import render

#: The search page's script; only /search/ loads it.
SCRIPT = "assets/search.js"


def search_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/search/``, unless search is turned off."""
    if ctx.settings.search == "none":
        return
    yield GeneratedPage(
        "search/index.md", "搜索", partial(_render, ctx),
        meta={"hide": ["navigation", "toc"]}, searchable=False,
    )


def search_files(ctx: SiteContext) -> Iterator[DataFile]:
    """The search page's script, copied from the package."""
    if ctx.settings.search == "none":
        return
    yield DataFile(SCRIPT, (files("yishi.site") / SCRIPT).read_bytes())


def _render(ctx: SiteContext) -> str:
    return render("search.html", ctx, "search/")
