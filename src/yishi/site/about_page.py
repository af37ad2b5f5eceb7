"""/about/: the process, the criteria and the lists, from ``council.yml`` and ``lifecycle``."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..lifecycle import LIST_OF_STATUS, STAGES, Status
from .context import SiteContext
from .model import GeneratedPage
from .render import render


def about_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/about/``."""
    yield GeneratedPage(
        "about/index.md", "关于议事会", partial(_render, ctx),
        in_nav=True, nav_title="关于", meta={"hide": ["navigation"]}, searchable=False,
    )


def _render(ctx: SiteContext) -> str:
    statuses = [(s, LIST_OF_STATUS.get(s), STAGES[s]) for s in Status]
    return render("about.html", ctx, "about/", statuses=statuses)
