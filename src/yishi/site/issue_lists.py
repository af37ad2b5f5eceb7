"""The issue list and its facets: all issues, and one list per status, community, category.

Each facet is a set of static pages, so filtering works without JavaScript; with it, the
form above the table filters every issue instantly (``assets/yishi.js``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

from ..lifecycle import DESCRIPTIONS, LABELS, Status
from ..records import Issue
from .context import SiteContext
from .model import GeneratedPage
from .pagination import Pagination, paginate
from .render import render

LIST_META = {"hide": ["navigation", "toc"]}

FacetEntry = tuple[str, str, int]


def status_url(status: Status | str) -> str:
    return f"issues/status/{Status(status).value}/"


def community_url(slug: str) -> str:
    return f"communities/{slug}/"


def category_url(slug: str) -> str:
    return f"categories/{slug}/"


def facets(ctx: SiteContext) -> dict[str, list[FacetEntry]]:
    """Links to every facet page with its count; the same on every list page."""
    index, council = ctx.index, ctx.council
    return {
        "status": [("issues/", "全部", len(index.issues))] + [
            (status_url(s), LABELS[s], len(index.by_status.get(s, [])))
            for s in Status if index.by_status.get(s)
        ],
        "community": [
            (community_url(c.slug), c.name, len(index.by_community.get(c.slug, [])))
            for c in council.communities
        ],
        "category": [
            (category_url(c.slug), c.name, len(index.by_category.get(c.slug, [])))
            for c in council.categories
        ],
    }


def list_pages(
    ctx: SiteContext,
    base: str,
    title: str,
    issues: Sequence[Issue],
    *,
    template: str = "issue_list.html",
    intro: str = "",
    fixed: dict[str, str] | None = None,
    nav_title: str | None = None,
    **values: Any,
) -> Iterator[GeneratedPage]:
    """The pages of one paginated issue list at ``base``."""
    facet_entries = facets(ctx)
    for pagination in paginate(base, issues, ctx.settings.per_page):
        page_title = title if pagination.number == 1 else f"{title}(第 {pagination.number} 页)"
        yield GeneratedPage(
            pagination.src_uri,
            page_title,
            partial(_render_list, ctx, template, pagination, page_title, intro, facet_entries,
                    fixed or {}, values),
            in_nav=nav_title is not None and pagination.number == 1,
            nav_title=nav_title,
            meta=dict(LIST_META),
            searchable=False,
        )


def _render_list(
    ctx: SiteContext,
    template: str,
    pagination: Pagination[Issue],
    title: str,
    intro: str,
    facet_entries: dict[str, list[FacetEntry]],
    fixed: dict[str, str],
    values: dict[str, Any],
) -> str:
    return render(
        template, ctx, pagination.url,
        title=title, intro=intro, pagination=pagination, facets=facet_entries,
        current=pagination.base, fixed=fixed, **values,
    )


def issue_list_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """All issues, then one list per status and per category."""
    index = ctx.index
    yield from list_pages(
        ctx, "issues/", "全部提案", index.issues, nav_title="提案",
        intro="居民提出的每一项提案,最新的在前。按状态、社区或类别筛选。",
    )
    for status in Status:
        yield from list_pages(
            ctx, status_url(status), f"状态:{LABELS[status]}", index.by_status.get(status, []),
            fixed={"status": status.value},
            intro=f"状态为“{LABELS[status]}”的提案:{DESCRIPTIONS[status]}",
        )
    for category in ctx.council.categories:
        yield from list_pages(
            ctx, category_url(category.slug), f"类别:{category.name}",
            index.by_category.get(category.slug, []),
            fixed={"category": category.slug}, intro=category.description,
        )
