"""The Jinja environment every page is rendered with: autoescaped, strict about names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from ..council import Council
from ..lifecycle import DESCRIPTIONS, LABELS, LIST_LABELS, STAGES, PublicList, Status
from ..permalinks import relative_url
from ..records import CHANNEL_LABELS, KIND_LABELS, OUTCOME_LABELS
from .context import SiteContext
from .markup import render_markdown
from .page_cache import code_digest, digest, fingerprint


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


def vocabularies(council: Council) -> dict[str, Any]:
    """The council's names a record page shows (slug → Chinese name), and nothing else of
    it: what a cached template may read of the council."""
    return {
        "communities": council.community_names,
        "categories": council.category_names,
        "parties": council.party_names,
        "levels": council.level_names,
        "criteria": council.criterion_names,
        "negative_items": council.negative_items,
    }


@dataclass(frozen=True)
class TemplateCall:
    """A template and every value it is rendered with, for a page the cache may keep.

    The template receives these values and the environment's constants, nothing else (no
    build context, no council, no date), and the page's key is derived from exactly these
    values: a template that reads anything more fails to render instead of going stale.
    """

    template: str
    here: str
    values: Mapping[str, Any]

    def render(self) -> str:
        """The page body."""
        return environment().get_template(self.template).render(here=self.here, **self.values)

    def inputs(self) -> str:
        """The page's cache key: the code and templates, the template's name, its values."""
        return digest(code_digest(), self.template, self.here, fingerprint(self.values))


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
        here=here,
        **values,
    )
