"""The Jinja environment every page is rendered with: autoescaped, strict about names."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from ..lifecycle import DESCRIPTIONS, LABELS, LIST_LABELS, STAGES, PublicList, Status
from ..records import CHANNEL_LABELS, KIND_LABELS, OUTCOME_LABELS
from .context import SiteContext
from .markup import render_markdown
from .urls import relative_url


@pass_context
def _href(context: Context, target: str) -> str:
    """Link from the page being rendered (``here``) to ``target`` (relative to the root)."""
    return relative_url(context["here"], target)


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


@cache
def environment() -> Environment:
    """The shared environment; templates live in ``yishi/site/templates``."""
    env = Environment(
        loader=PackageLoader("yishi.site", "templates"),
        # Every value from a record is escaped unless a template marks it safe; the only
        # safe values are the sanitised markdown bodies and SVG drawn by our own code.
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates ship with the package: checking their files' times on every lookup
        # (thousands of pages, each with includes) buys nothing.
        auto_reload=False,
    )
    env.globals.update(
        href=_href,
        STATUS_LABELS={s.value: text for s, text in LABELS.items()},
        STATUS_DESCRIPTIONS={s.value: text for s, text in DESCRIPTIONS.items()},
        STAGES={s.value: stage.value for s, stage in STAGES.items()},
        LIST_LABELS={lst.value: text for lst, text in LIST_LABELS.items()},
        KIND_LABELS={k.value: text for k, text in KIND_LABELS.items()},
        CHANNEL_LABELS={c.value: text for c, text in CHANNEL_LABELS.items()},
        OUTCOME_LABELS={o.value: text for o, text in OUTCOME_LABELS.items()},
        Status=Status,
        PublicList=PublicList,
    )
    env.filters.update(date=_date, percent=_percent, markdown=render_markdown)
    return env


def render(template: str, ctx: SiteContext, here: str, **values: Any) -> str:
    """Render ``template`` for the page at ``here`` (its URL relative to the site root)."""
    council = ctx.council
    return environment().get_template(template).render(
        ctx=ctx,
        council=council,
        communities=council.community_names,
        categories=council.category_names,
        parties=council.party_names,
        levels=council.level_names,
        criteria=council.criterion_names,
        today=ctx.today,
        here=here,
        **values,
    )
