"""Atom feeds of public changes: new issues, status changes, decisions, new meetings.

Entry ids are tag URIs (RFC 4151) made from the record id and the event, never from a title
or the build time, so a rebuild, a retitled issue or a moved site never shows a reader the
same change twice. Entry dates come from the records' own dates.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..ids import id_date
from ..lifecycle import DESCRIPTIONS, label
from ..permalinks import decision_url, issue_url, meeting_url, relative_url
from ..records import Outcome
from .context import ExportContext

ATOM_NS = "http://www.w3.org/2005/Atom"
FEED_FILE = "feed.xml"
#: Readers only need the recent changes; the full record is in issues.json.
FEED_LIMIT = 100
#: The tag authority when the site URL is not configured (``.invalid`` is reserved for it).
FALLBACK_AUTHORITY = "yishi.invalid"
#: The date part of feed ids: a constant, as an id must never change.
FEED_TAG_DATE = "2024"


def community_feed_file(slug: str) -> str:
    """Path of a community's feed, relative to the site root."""
    return f"communities/{slug}/feed.xml"


@dataclass(frozen=True)
class Event:
    """One public change of the record."""

    key: str  # the event's stable name: record path plus what happened
    record_id: str
    when: dt.datetime
    title: str
    summary: str
    path: str  # the page it links to, relative to the site root
    communities: frozenset[str]
    category: str | None = None


def _tag(ctx: ExportContext, date: str, key: str) -> str:
    # A pinned authority keeps ids stable when the site moves; without one, the site URL's
    # host and path name them (two councils on one host never share ids).
    if ctx.council.feed_authority:
        return f"tag:{ctx.council.feed_authority},{date}:{key}"
    parts = urlsplit(ctx.site_url)
    authority = parts.hostname or FALLBACK_AUTHORITY
    site_path = parts.path.strip("/")
    return f"tag:{authority},{date}:{site_path + '/' if site_path else ''}{key}"


def tag_uri(ctx: ExportContext, record_id: str, key: str) -> str:
    """``tag:example.org,2023-04-03:council/issues/2023-0403-k7qm/status/accepted/2023-04-06``.

    The date is the one in the record id; the site's path is part of the name so that two
    councils on one host (GitHub Pages project sites) never share ids.
    """
    day = id_date(record_id)
    return _tag(ctx, day.isoformat() if day else FEED_TAG_DATE, key)


def feed_id(ctx: ExportContext, key: str) -> str:
    """The id of a feed (``tag:example.org,2024:feed``)."""
    return _tag(ctx, FEED_TAG_DATE, key)


def _excerpt(text: str, limit: int = 280) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def events(ctx: ExportContext) -> Iterator[Event]:
    """Every public change, in no particular order."""
    repo = ctx.repo
    for issue_id, loaded in repo.issues.items():
        issue = loaded.record
        communities = frozenset({issue.community})
        yield Event(
            f"issues/{issue_id}", issue_id, ctx.day_start(issue.submitted),
            f"新提案:{issue.title}", _excerpt(loaded.body) or issue.title,
            issue_url(issue_id), communities, issue.category,
        )
        seen: dict[str, int] = {}
        for entry in issue.timeline[1:]:
            if entry.meeting and entry.status.value == Outcome.DECIDED.value:
                held = repo.meetings.get(entry.meeting)
                item = held.record.item_for(issue_id) if held else None
                if item is not None and item.outcome is Outcome.DECIDED:
                    continue  # the decision's own entry says it, with the decision text
            # Keyed by status and date, not position: an entry inserted by mistake and
            # removed again leaves the other entries' ids alone.
            key = f"issues/{issue_id}/status/{entry.status.value}/{entry.date.isoformat()}"
            seen[key] = seen.get(key, 0) + 1
            if seen[key] > 1:
                key += f"/{seen[key]}"
            yield Event(
                key, issue_id, ctx.day_start(entry.date),
                f"{issue.title}:{label(entry.status)}",
                entry.note or DESCRIPTIONS[entry.status],
                issue_url(issue_id), communities, issue.category,
            )
    for meeting_id, loaded_meeting in repo.meetings.items():
        meeting = loaded_meeting.record
        when = ctx.day_start(meeting.date, meeting.time)
        issue_communities = {
            repo.issues[item.issue].record.community
            for item in meeting.agenda if item.issue in repo.issues
        }
        communities = frozenset({meeting.community} if meeting.community else issue_communities)
        yield Event(
            f"meetings/{meeting_id}", meeting_id, when, f"议事会:{meeting.title}",
            f"{meeting.date.isoformat()} {meeting.time or ''} {meeting.place}".replace("  ", " "),
            meeting_url(meeting_id), communities,
        )
        for item in meeting.agenda:
            if item.outcome is not Outcome.DECIDED:
                continue
            target = repo.issues.get(item.issue)
            title = target.record.title if target else item.issue
            yield Event(
                f"meetings/{meeting_id}/decisions/{item.issue}", meeting_id, when,
                f"决议:{title}", item.decision or "",
                decision_url(meeting_id, item.issue),
                frozenset({target.record.community}) if target else communities,
                target.record.category if target else None,
            )


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def render_feed(
    ctx: ExportContext, path: str, title: str, feed_key: str, selected: Iterable[Event]
) -> bytes:
    """An Atom document at ``path`` (relative to the site root) of the newest events."""
    chosen = sorted(selected, key=lambda e: (e.when, e.key), reverse=True)[:FEED_LIMIT]
    # The feed's date is its newest entry's, not the build's, so rebuilds change nothing.
    updated = chosen[0].when if chosen else ctx.generated_at

    def href(target: str) -> str:
        return ctx.link(target) if ctx.base_url else relative_url(path, target)

    council = ctx.council
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": "zh-CN"})
    _sub(feed, "id", feed_id(ctx, feed_key))
    _sub(feed, "title", title)
    _sub(feed, "subtitle", council.description or council.name)
    _sub(feed, "updated", ctx.timestamp(updated))
    _sub(feed, "link", rel="self", href=href(path), type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=href(""), type="text/html")
    author = _sub(feed, "author")
    _sub(author, "name", council.name)
    _sub(feed, "rights", f"{council.licence} · {council.name}")
    _sub(feed, "generator", "Yishi")
    for event in chosen:
        entry = _sub(feed, "entry")
        _sub(entry, "id", tag_uri(ctx, event.record_id, event.key))
        _sub(entry, "title", event.title)
        _sub(entry, "link", rel="alternate", href=href(event.path), type="text/html")
        stamp = ctx.timestamp(event.when)
        _sub(entry, "published", stamp)
        _sub(entry, "updated", stamp)
        _sub(entry, "summary", event.summary, type="text")
        for slug in sorted(event.communities):
            _sub(entry, "category", term=slug, label=council.community_names.get(slug, slug),
                 scheme="community")
        if event.category:
            _sub(entry, "category", term=event.category,
                 label=council.category_names.get(event.category, event.category),
                 scheme="category")
    ET.indent(feed)
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def feeds(ctx: ExportContext) -> dict[str, bytes]:
    """The site-wide feed and one per community, by path."""
    all_events = list(events(ctx))
    council = ctx.council
    out = {FEED_FILE: render_feed(ctx, FEED_FILE, f"{council.name}:公开动态", "feed", all_events)}
    for community in council.communities:
        path = community_feed_file(community.slug)
        mine = [e for e in all_events if community.slug in e.communities]
        out[path] = render_feed(
            ctx, path, f"{community.name}:公开动态", f"communities/{community.slug}/feed", mine
        )
    return out
