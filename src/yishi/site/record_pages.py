"""Issue and meeting pages: one page per record at its permalink."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial

from markupsafe import Markup

from ..loading import LoadedIssue, LoadedMeeting
from ..permalinks import issue_url, meeting_url
from ..records import Action
from .context import SiteContext
from .integrity_pages import rewrite_notice
from .model import GeneratedPage
from .providers import daily_record_sections, record_sections
from .render import TemplateCall, vocabularies

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


def _overdue(ctx: SiteContext, actions: Iterable[Action]) -> list[bool]:
    """Which of ``actions`` are overdue on the build's date (the page marks them): the only
    way the date reaches a cached page."""
    return [bool(action.due and not action.done and action.due < ctx.today)
            for action in actions]


def issue_call(ctx: SiteContext, loaded: LoadedIssue) -> TemplateCall:
    """An issue's page: ``issue.html`` and exactly what it shows."""
    issue = loaded.record
    related = [ctx.repo.issues[rid].record for rid in issue.related if rid in ctx.repo.issues]
    return TemplateCall("issue.html", issue_url(issue.id), {
        **vocabularies(ctx.council),
        "issue": issue,
        "body": loaded.body,
        "decision": ctx.repo.decision(issue.id),
        "references": ctx.repo.references(issue.id),
        "merged_title": ctx.index.titles.get(issue.merged_into or ""),
        "related": related,
        "notice": rewrite_notice(ctx, loaded.path, issue_url(issue.id)),
        "overdue": _overdue(ctx, issue.actions),
        "extras": _extras(ctx, "issue", issue.id),
    })


def meeting_call(ctx: SiteContext, loaded: LoadedMeeting) -> TemplateCall:
    """A meeting's page, each agenda item anchored by its issue id: ``meeting.html`` and
    exactly what it shows."""
    meeting = loaded.record
    issues = {item.issue: ctx.repo.issues[item.issue].record
              for item in meeting.agenda if item.issue in ctx.repo.issues}
    return TemplateCall("meeting.html", meeting_url(meeting.id), {
        **vocabularies(ctx.council),
        "meeting": meeting,
        "issues": issues,
        "minutes": loaded.body,
        "notice": rewrite_notice(ctx, loaded.path, meeting_url(meeting.id)),
        "overdue": [_overdue(ctx, item.actions) for item in meeting.agenda],
        "extras": _extras(ctx, "meeting", meeting.id),
    })


def render_issue(ctx: SiteContext, loaded: LoadedIssue) -> str:
    """The body of an issue's page."""
    return issue_call(ctx, loaded).render()


def render_meeting(ctx: SiteContext, loaded: LoadedMeeting) -> str:
    """The body of a meeting's page."""
    return meeting_call(ctx, loaded).render()


def issue_inputs(ctx: SiteContext, loaded: LoadedIssue) -> str:
    """The cache key of an issue's page (derived from what its template receives)."""
    return issue_call(ctx, loaded).inputs()


def meeting_inputs(ctx: SiteContext, loaded: LoadedMeeting) -> str:
    """The cache key of a meeting's page (derived from what its template receives)."""
    return meeting_call(ctx, loaded).inputs()


def issue_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """One page per issue at ``/issues/<id>/``."""
    for issue_id, loaded in ctx.repo.issues.items():
        yield GeneratedPage(
            f"issues/{issue_id}.md", loaded.record.title, meta=dict(RECORD_META),
            template=partial(issue_call, ctx, loaded),
            daily=partial(daily, ctx, "issue", issue_id),
        )


def meeting_pages(ctx: SiteContext) -> Iterator[GeneratedPage]:
    """One page per meeting at ``/meetings/<id>/``."""
    for meeting_id, loaded in ctx.repo.meetings.items():
        yield GeneratedPage(
            f"meetings/{meeting_id}.md", loaded.record.title, meta=dict(RECORD_META),
            template=partial(meeting_call, ctx, loaded),
            daily=partial(daily, ctx, "meeting", meeting_id),
        )
