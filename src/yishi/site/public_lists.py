"""The three public lists 需求清单 / 问题清单 / 项目清单 (status → list in ``lifecycle``)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..lifecycle import LIST_DESCRIPTIONS, LIST_LABELS, LIST_OF_STATUS, PublicList
from .context import SiteContext
from .issue_lists import list_pages
from .model import GeneratedPage
from .render import render


def list_url(public_list: PublicList) -> str:
    return f"lists/{public_list.value}/"


def public_list_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/lists/`` explains the three lists; ``/lists/<list>/`` holds each one's issues."""
    yield GeneratedPage(
        "lists/index.md", "三张清单", partial(_render_index, ctx),
        in_nav=True, nav_title="清单", meta={"hide": ["navigation", "toc"]}, searchable=False,
    )
    for public_list in PublicList:
        yield from list_pages(
            ctx, list_url(public_list), LIST_LABELS[public_list],
            ctx.index.by_list.get(public_list, []),
            intro=LIST_DESCRIPTIONS[public_list],
        )


def _render_index(ctx: SiteContext) -> str:
    rows = [
        (
            public_list,
            [s for s, lst in LIST_OF_STATUS.items() if lst is public_list],
            len(ctx.index.by_list.get(public_list, [])),
        )
        for public_list in PublicList
    ]
    return render("lists.html", ctx, "lists/", rows=rows)
