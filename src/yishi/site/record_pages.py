"""Issue and meeting pages."""

from __future__ import annotations

from collections.abc import Iterator

from markupsafe import escape

from ..lifecycle import label
from .context import SiteContext
from .model import GeneratedPage


def issue_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """One page per issue at ``/issues/<id>/``."""
    for issue_id, loaded in ctx.repo.issues.items():
        issue = loaded.record
        html = f"<h1>{escape(issue.title)}</h1><p>{escape(label(issue.status))}</p>"
        yield GeneratedPage(f"issues/{issue_id}.md", issue.title, html)


def meeting_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """One page per meeting at ``/meetings/<id>/``, each agenda item anchored by issue id."""
    for meeting_id, loaded in ctx.repo.meetings.items():
        meeting = loaded.record
        items = "".join(
            f'<section id="{escape(item.issue)}"><h2>{escape(item.issue)}</h2></section>'
            for item in meeting.agenda
        )
        yield GeneratedPage(
            f"meetings/{meeting_id}.md", meeting.title, f"<h1>{escape(meeting.title)}</h1>{items}"
        )
