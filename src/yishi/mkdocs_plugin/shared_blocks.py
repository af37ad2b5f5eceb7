"""Theme blocks that come out the same on thousands of pages, rendered once per build.

Material renders the tabs and the navigation sidebar on every page, and on a generated page
outside the navigation (a record, a facet) they depend only on where the page's links lead:
the relative URLs from the page to the navigation's targets, and the page's ``hide`` list.
So they are rendered once per distinct set of those and reused. ``overrides/main.html``
asks for them; any other page renders them as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mkdocs.structure.nav import Link, Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from .pages import GeneratedMkDocsPage

Key = tuple[Any, ...]


def _targets(items: Iterable[Any]) -> Iterable[str]:
    for item in items:
        if isinstance(item, Page | Link) and item.url is not None:
            yield item.url
        yield from _targets(getattr(item, "children", None) or ())


class SharedBlocks:
    """The rendered blocks of one build, by block name and what they depend on."""

    def __init__(self, nav: Navigation) -> None:
        # The site root and the theme's assets (logo, icons) are linked from the blocks too.
        self.targets = sorted({"", "assets/", *_targets(nav.items)})
        self.rendered: dict[Key, str] = {}

    def key(self, block: str, page: Page | None) -> Key | None:
        """What ``block`` depends on for ``page``; None when it must be rendered anyway."""
        # Pages in the navigation show themselves as active in it, with their table of
        # contents: only generated pages outside it (never active in it, their tables of
        # contents empty) render the same blocks as their peers.
        if not isinstance(page, GeneratedMkDocsPage):
            return None
        hide = page.meta.get("hide") or ()
        links = tuple(get_relative_url(target, page.url) for target in self.targets)
        return (block, tuple(hide), links)

    def get(self, key: Key | None) -> str | None:
        """The block rendered for an earlier page with the same key."""
        return self.rendered.get(key) if key is not None else None

    def put(self, key: Key | None, html: str) -> str:
        """Keep ``html`` for the next pages with ``key``; return it."""
        if key is not None:
            self.rendered[key] = html
        return html
