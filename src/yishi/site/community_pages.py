"""A page per community: its figures, its meetings and its issues (the community facet)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import partial

from ..lifecycle import LIST_OF_STATUS
from .context import SiteContext
from .issue_lists import community_url, list_pages
from .model import GeneratedPage
from .render import render
from .stats_page import figures_for_community

#: Meetings shown on a community page; the full list is on /meetings/.
RECENT_MEETINGS = 10


def community_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/communities/`` and ``/communities/<slug>/`` (paginated by its issues)."""
    index = ctx.index
    yield GeneratedPage(
        "communities/index.md", "社区", partial(_render_index, ctx),
        meta={"hide": ["navigation", "toc"]}, searchable=False,
    )
    for community in ctx.council.communities:
        issues = index.by_community.get(community.slug, [])
        meetings = index.meetings_by_community.get(community.slug, [])
        list_counts = Counter(
            LIST_OF_STATUS[i.status].value for i in issues if i.status in LIST_OF_STATUS
        )
        yield from list_pages(
            ctx, community_url(community.slug), community.name, issues,
            template="community.html", intro=community.description,
            fixed={"community": community.slug},
            community=community, meetings=meetings[:RECENT_MEETINGS],
            meetings_total=len(meetings), list_counts=dict(list_counts),
            figures=figures_for_community(ctx, community.slug),
        )


def _render_index(ctx: SiteContext) -> str:
    index = ctx.index
    rows = [
        (c, len(index.by_community.get(c.slug, [])), len(index.meetings_by_community.get(c.slug, [])))
        for c in ctx.council.communities
    ]
    return render("communities.html", ctx, "communities/", rows=rows)
