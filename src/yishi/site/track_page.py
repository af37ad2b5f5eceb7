"""/track/: a resident types the receipt number and sees how the proposal is going.

The page asks the intake service (``GET /api/submissions/<id>``) and shows the status, the
steps so far and the public page once published; without JavaScript the form goes to the
intake service's own receipt page, which shows the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from .context import SiteContext
from .model import GeneratedPage
from .render import render


def track_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/track/``."""
    yield GeneratedPage(
        "track/index.md", "查询办理进度", partial(_render, ctx),
        in_nav=True, nav_title="查询办理进度", meta={"hide": ["navigation", "toc"]},
        searchable=False,
    )


def _render(ctx: SiteContext) -> str:
    return render("track.html", ctx, "track/", intake_url=ctx.settings.intake_url.rstrip("/"))
