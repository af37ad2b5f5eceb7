"""/stats/: the council's figures, each with its definition, and SVG charts of them."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from markupsafe import Markup

from ..lifecycle import LABELS, STAGES, Status
from ..metrics import (
    DAYS_TO_DECISION,
    DAYS_TO_SCREENING,
    DURATION_KEYS,
    FIGURE_KEYS,
    RESPONSE_RATE,
    SATISFACTION_RATE,
    Duration,
    Figure,
    Metric,
)
from .charts import Bar, bar_chart
from .context import SiteContext
from .model import GeneratedPage
from .render import render

#: Columns of the per-community table, in order.
COMMUNITY_COLUMNS = (RESPONSE_RATE, "resolution_rate", SATISFACTION_RATE, DAYS_TO_SCREENING,
                     DAYS_TO_DECISION)


def stats_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """``/stats/``."""
    yield GeneratedPage(
        "stats/index.md", "统计", partial(render_stats, ctx),
        in_nav=True, nav_title="统计", meta={"hide": ["navigation"]}, searchable=False,
    )


def _figures(metrics: dict[str, Metric]) -> list[Figure]:
    return [m for key in FIGURE_KEYS if isinstance(m := metrics[key], Figure)]


def _durations(metrics: dict[str, Metric]) -> list[Duration]:
    return [m for key in DURATION_KEYS if isinstance(m := metrics[key], Duration)]


def render_stats(ctx: SiteContext) -> str:
    """The stats page's body."""
    index, metrics, council = ctx.index, ctx.metrics, ctx.council
    counts = [(s, len(index.by_status.get(s, []))) for s in Status]
    status_chart = bar_chart(
        "各状态提案数",
        [Bar(LABELS[s], n, str(n), f"yi-bar-{STAGES[s].value}") for s, n in counts if n],
    )
    category_chart = bar_chart(
        "各类别提案数",
        [Bar(c.name, len(index.by_category.get(c.slug, [])),
             str(len(index.by_category.get(c.slug, [])))) for c in council.categories],
    )
    community_charts = [
        _rate_chart(ctx, key, title)
        for key, title in ((RESPONSE_RATE, "各社区响应率"), (SATISFACTION_RATE, "各社区满意率"))
    ]
    rows = [
        (c, len(index.by_community.get(c.slug, [])),
         [metrics.by_community[c.slug][key] for key in COMMUNITY_COLUMNS])
        for c in council.communities
    ]
    headers = [metrics.overall[key].label for key in COMMUNITY_COLUMNS]
    return render(
        "stats.html", ctx, "stats/",
        total=len(index.issues), counts=counts, figures=_figures(metrics.overall),
        durations=_durations(metrics.overall), status_chart=status_chart,
        category_chart=category_chart, community_charts=community_charts,
        rows=rows, headers=headers, as_of=metrics.today,
    )


def _rate_chart(ctx: SiteContext, key: str, title: str) -> Markup:
    bars = []
    for community in ctx.council.communities:
        metric = ctx.metrics.by_community[community.slug][key]
        if isinstance(metric, Figure) and metric.value is not None:
            bars.append(Bar(community.name, metric.value,
                            f"{metric.percent}({metric.numerator}/{metric.denominator})"))
    return bar_chart(title, bars, maximum=1.0)


def figures_for_community(ctx: SiteContext, slug: str) -> Markup:
    """A community's metrics block for its page (HTML from our own autoescaped template)."""
    metrics = ctx.metrics.by_community.get(slug)
    if metrics is None:
        return Markup("")
    return Markup(render(
        "_community_figures.html", ctx, f"communities/{slug}/",
        figures=_figures(metrics), durations=_durations(metrics),
    ))
