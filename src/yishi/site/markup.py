"""Residents' and secretaries' markdown, rendered so that it can never carry HTML or script.

Two walls: Python-Markdown runs without its raw-HTML extensions (tags in the text come out
as text), and the result is sanitised by ``nh3`` (Ammonia) with a short allow-list of tags
and only http/https links. Either wall alone would do; both make a slip in one harmless.
"""

from __future__ import annotations

import threading

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "b", "i", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https"})


_local = threading.local()


def _converter() -> markdown.Markdown:
    """This thread's one converter: building one costs more than converting a body."""
    md: markdown.Markdown | None = getattr(_local, "md", None)
    if md is not None:
        return md
    md = _local.md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    # Raw HTML in the text becomes escaped text instead of markup.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def render_markdown(text: str) -> Markup:
    """Safe HTML of a record's markdown body; headings start at h3 under the page's own."""
    # reset() clears what the previous body left (references, footnote-like state).
    md = _converter().reset()
    # Headings in a body would compete with the page's outline; demote them below h2.
    html = md.convert(text.replace("\r\n", "\n"))
    for level in (2, 1):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
        attribute_filter=_absolute_links_only,
    )
    return Markup(clean)


def _absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    """nh3 keeps relative URLs; a resident's text has no business linking inside the site."""
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(("http://", "https://")) else None
    return value
