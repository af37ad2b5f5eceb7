"""Issue and meeting pages: one page per record at its permalink."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from markupsafe import Markup

from ..loading import LoadedIssue, LoadedMeeting
from .context import SiteContext
from .markup import render_markdown
from .model import GeneratedPage
from .providers import record_sections
from .render import render
from .urls import issue_url, meeting_url

RECORD_META = {"hide": ["navigation", "toc"]}


def _extras(ctx: SiteContext, kind: str, record_id: str) -> Markup:
    """HTML other areas add to a record page (e.g. the cite block), already escaped."""
    return Markup("").join(Markup(section(ctx, kind, record_id)) for section in record_sections())


def render_issue(ctx: SiteContext, loaded: LoadedIssue) -> str:
    """The body of an issue's page."""
    issue = loaded.record
    titles = ctx.index.titles
    related = [
        ctx.repo.issues[rid].record for rid in issue.related if rid in ctx.repo.issues
    ]
    return render(
        "issue.html", ctx, issue_url(issue.id),
        issue=issue,
        body=render_markdown(loaded.body),
        decision=ctx.repo.decision(issue.id),
        references=ctx.repo.references(issue.id),
        merged_title=titles.get(issue.merged_into or ""),
        related=related,
        extras=_extras(ctx, "issue", issue.id),
    )


def render_meeting(ctx: SiteContext, loaded: LoadedMeeting) -> str:
    """The body of a meeting's page, each agenda item anchored by its issue id."""
    meeting = loaded.record
    issues = {
        item.issue: ctx.repo.issues[item.issue].record
        for item in meeting.agenda
        if item.issue in ctx.repo.issues
    }
    return render(
        "meeting.html", ctx, meeting_url(meeting.id),
        meeting=meeting,
        issues=issues,
        minutes=render_markdown(loaded.body) if loaded.body else "",
        extras=_extras(ctx, "meeting", meeting.id),
    )


def issue_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """One page per issue at ``/issues/<id>/``."""
    for issue_id, loaded in ctx.repo.issues.items():
        yield GeneratedPage(
            f"issues/{issue_id}.md", loaded.record.title,
            partial(render_issue, ctx, loaded), meta=dict(RECORD_META),
        )


def meeting_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """One page per meeting at ``/meetings/<id>/``."""
    for meeting_id, loaded in ctx.repo.meetings.items():
        yield GeneratedPage(
            f"meetings/{meeting_id}.md", loaded.record.title,
            partial(render_meeting, ctx, loaded), meta=dict(RECORD_META),
        )
