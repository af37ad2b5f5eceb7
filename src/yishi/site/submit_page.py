"""/submit/: the proposal form, posting to the intake service set in ``mkdocs.yml``."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..records import KIND_LABELS
from .context import SiteContext
from .model import GeneratedPage
from .render import render

#: Field limits the form announces; the intake service enforces its own (the same numbers).
MAXLENGTH = {"title": 80, "description": 5000, "location": 100, "name": 40,
             "organization": 60, "contact": 100}
MAX_PHOTOS = 3


def submit_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/submit/``."""
    yield GeneratedPage(
        "submit/index.md", "提交提案", partial(_render, ctx),
        in_nav=True, nav_title="提交提案", meta={"hide": ["navigation", "toc"]},
        searchable=False,
    )


def _render(ctx: SiteContext) -> str:
    intake = ctx.settings.intake_url.rstrip("/")
    return render(
        "submit.html", ctx, "submit/",
        intake_url=intake, kinds=[(k.value, text) for k, text in KIND_LABELS.items()],
        maxlength=MAXLENGTH, max_photos=MAX_PHOTOS,
    )
