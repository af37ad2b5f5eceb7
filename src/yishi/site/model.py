"""What a provider hands to the generator: pages and data files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .render import TemplateCall


@dataclass
class GeneratedPage:
    """A page generated from records.

    ``src_uri`` is the page's source path as MkDocs names it (``issues/<id>.md`` is served at
    ``/issues/<id>/``). ``html`` is the finished page body, or a function that renders it:
    the generator calls :meth:`render` only when it writes the page, so a build holds one
    page's HTML at a time. The HTML was rendered from records with escaping, so the
    generator must insert it as is and never run it through markdown again.
    """

    src_uri: str
    title: str
    #: The body, or a function that renders it; unused when ``template`` is given.
    html: str | Callable[[], str] = ""
    #: Whether the page has a place in the navigation. Records never do: listing every record
    #: in the sidebar makes every page grow with the record and the build quadratic.
    in_nav: bool = False
    #: Page metadata for the theme (e.g. ``{"hide": ["toc"]}``). Never a lifecycle ``status``:
    #: Material would read it as a navigation badge.
    meta: dict[str, Any] = field(default_factory=dict)
    #: Whether the search index includes the page (lists and facets would only add noise).
    searchable: bool = True

    #: The title of the page's navigation entry (defaults to ``title``); pages with ``in_nav``
    #: appear in the navigation in the order the providers yield them.
    nav_title: str | None = None
    #: For a page the cache may keep (record pages, archive volumes): the template and
    #: every value it is rendered with, whose digest is the page's key (a page whose values
    #: are unchanged is read from an earlier build). A function, so that only the process
    #: that renders the page computes it.
    template: Callable[[], TemplateCall] | None = None
    #: Applied to the finished page, rendered or cached, in every build: puts in what
    #: changes daily (the cite block's access date), so the template need not show the date.
    daily: Callable[[str], str] | None = None
    #: The record files (``content/...``) a page shows when it shows only some records
    #: (an archive volume): its "last changed" is the newest of theirs, not of all records.
    sources: tuple[str, ...] = ()

    def render(self) -> str:
        """The page body as HTML."""
        if self.template is not None:
            return self.template().render()
        return self.html() if callable(self.html) else self.html

    @property
    def lazy(self) -> bool:
        """Whether the body is still to be rendered (worth doing in a worker)."""
        return self.template is not None or callable(self.html)

    @property
    def url(self) -> str:
        """The page's URL relative to the site root, with directory URLs (``issues/x/``)."""
        return page_url(self.src_uri)


@dataclass
class DataFile:
    """A file written verbatim into the built site (JSON, CSV, Atom, iCalendar, SVG ...)."""

    path: str
    content: bytes


def page_url(src_uri: str) -> str:
    """``issues/x.md`` → ``issues/x/``; ``index.md`` → ``""``; ``a/index.md`` → ``a/``."""
    if not src_uri.endswith(".md"):
        return src_uri
    stem = src_uri[: -len(".md")]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"
