"""Issue and meeting pages: one page per record at its permalink."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial

from markupsafe import Markup

from ..loading import LoadedIssue, LoadedMeeting
from ..records import Action
from .context import SiteContext
from .integrity_pages import notice_inputs, rewrite_notice
from .markup import render_markdown
from .model import GeneratedPage
from .page_cache import digest, source_parts
from .providers import daily_record_sections, record_sections
from .render import render
from .urls import issue_url, meeting_url

RECORD_META = {"hide": ["navigation", "toc"]}


#: Where a record page's daily sections go; replaced in every build (see :func:`daily`).
DAILY_MARKER = "<!-- yishi:daily-sections -->"


def _extras(ctx: SiteContext, kind: str, record_id: str) -> Markup:
    """HTML other areas add to a record page (e.g. the history), already escaped, and the
    place of the daily sections."""
    sections = [Markup(section(ctx, kind, record_id)) for section in record_sections()]
    return Markup("").join([*sections, Markup(DAILY_MARKER)])


def daily(ctx: SiteContext, kind: str, record_id: str, html: str) -> str:
    """``html`` (a record page, rendered now or cached) with this build's daily sections."""
    sections = "".join(section(ctx, kind, record_id) for section in daily_record_sections())
    return html.replace(DAILY_MARKER, sections, 1)


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
        notice=rewrite_notice(ctx, loaded.path, issue_url(issue.id)),
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
        notice=rewrite_notice(ctx, loaded.path, meeting_url(meeting.id)),
        extras=_extras(ctx, "meeting", meeting.id),
    )


def _history_inputs(ctx: SiteContext, path: str) -> list[str]:
    """What the history block and the rewrite notice show of a record's commits."""
    history = ctx.history.of(path)
    parts = [*notice_inputs(ctx, path), repr(history.complete)]
    for c in history.commits:
        parts += [c.hash, c.short, c.date.isoformat(), c.subject]
    return parts


def _overdue(ctx: SiteContext, actions: Iterable[Action]) -> str:
    """Which of the actions a page shows are overdue on the build's date (the page marks
    them): the only way the date reaches a cached page."""
    return "".join("1" if action.due < ctx.today else "0"
                   for action in actions if action.due and not action.done)


def issue_inputs(ctx: SiteContext, loaded: LoadedIssue) -> str:
    """A digest of everything :func:`render_issue` shows: the record, the issues it names,
    the agenda items about it with their meetings, its history, and what all pages share."""
    issue = loaded.record
    parts = [ctx.shared_inputs, *source_parts(loaded), *_history_inputs(ctx, loaded.path)]
    for rid in (issue.merged_into or "", *issue.related):
        parts += [rid, *source_parts(ctx.repo.issues.get(rid))]
    references = ctx.repo.references(issue.id)
    for ref in references:  # the agenda item is part of its meeting's text
        parts += source_parts(ctx.repo.meetings.get(ref.meeting.id))
    parts.append(_overdue(ctx, [*issue.actions,
                                *(action for ref in references for action in ref.item.actions)]))
    return digest(*parts)


def meeting_inputs(ctx: SiteContext, loaded: LoadedMeeting) -> str:
    """A digest of everything :func:`render_meeting` shows: the record, the issues on its
    agenda, its history, and what all pages share."""
    parts = [ctx.shared_inputs, *source_parts(loaded), *_history_inputs(ctx, loaded.path)]
    for item in loaded.record.agenda:
        parts += [item.issue, *source_parts(ctx.repo.issues.get(item.issue))]
    parts.append(_overdue(ctx, (action for item in loaded.record.agenda
                                for action in item.actions)))
    return digest(*parts)


def issue_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """One page per issue at ``/issues/<id>/``."""
    for issue_id, loaded in ctx.repo.issues.items():
        yield GeneratedPage(
            f"issues/{issue_id}.md", loaded.record.title,
            partial(render_issue, ctx, loaded), meta=dict(RECORD_META),
            inputs=partial(issue_inputs, ctx, loaded),
            daily=partial(daily, ctx, "issue", issue_id),
        )


def meeting_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """One page per meeting at ``/meetings/<id>/``."""
    for meeting_id, loaded in ctx.repo.meetings.items():
        yield GeneratedPage(
            f"meetings/{meeting_id}.md", loaded.record.title,
            partial(render_meeting, ctx, loaded), meta=dict(RECORD_META),
            inputs=partial(meeting_inputs, ctx, loaded),
            daily=partial(daily, ctx, "meeting", meeting_id),
        )
