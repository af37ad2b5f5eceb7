"""``issues.csv`` and ``meetings.csv``: one row per record, columns documented in one place.

UTF-8 with a byte-order mark so that Excel opens the Chinese correctly. Free-text cells that
start like a spreadsheet formula get a leading apostrophe (CSV injection), as OWASP advises.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ..lifecycle import is_closed, label
from ..loading import LoadedIssue, LoadedMeeting
from ..permalinks import decision_url, issue_url, meeting_url
from ..records import Outcome
from .context import ExportContext

ISSUES_CSV = "data/issues.csv"
MEETINGS_CSV = "data/meetings.csv"

R = TypeVar("R")
Cell = str | int | float | bool | None


@dataclass(frozen=True)
class Column(Generic[R]):
    """A CSV column: its header, what it holds (Chinese and English), and how to get it."""

    name: str
    zh: str
    en: str
    get: Callable[[ExportContext, R], Cell]
    #: Free text typed by people, neutralised against formula injection.
    text: bool = False


def _join(values: Sequence[object]) -> str:
    return ";".join(str(v) for v in values)


def _last_changed(ctx: ExportContext, path: str) -> str | None:
    last = ctx.record_history(path).last_changed
    return ctx.timestamp(last.date) if last else None


def _vote(ctx: ExportContext, loaded: LoadedIssue, field: str) -> Cell:
    ref = ctx.repo.decision(loaded.record.id)
    vote = ref.item.vote if ref else None
    value = getattr(vote, field) if vote else None
    return value if isinstance(value, int | str) else None


ISSUE_COLUMNS: list[Column[LoadedIssue]] = [
    Column("id", "提案编号(永久不变)", "Issue id (never changes)", lambda c, r: r.record.id),
    Column("url", "提案页面永久链接", "Permalink of the issue's page",
           lambda c, r: c.link(issue_url(r.record.id))),
    Column("title", "标题", "Title", lambda c, r: r.record.title, text=True),
    Column("status", "状态代码", "Status code (see the lifecycle)", lambda c, r: r.record.status.value),
    Column("status_label", "状态", "Status in Chinese", lambda c, r: label(r.record.status)),
    Column("open311_status", "Open311 状态(open/closed)", "Open311 status (open/closed)",
           lambda c, r: "closed" if is_closed(r.record.status) else "open"),
    Column("community", "社区代码", "Community slug", lambda c, r: r.record.community),
    Column("community_name", "社区", "Community name",
           lambda c, r: c.council.community_names.get(r.record.community)),
    Column("grid", "网格", "Grid (网格)", lambda c, r: r.record.grid, text=True),
    Column("category", "类别代码", "Category slug", lambda c, r: r.record.category),
    Column("category_name", "类别", "Category name",
           lambda c, r: c.council.category_names.get(r.record.category)),
    Column("kind", "提案类型(individual 个人/joint 联名/organization 组织)",
           "Kind of proposal: individual, joint or organization", lambda c, r: r.record.kind.value),
    Column("cosigners", "联名人数", "Number of co-signers (joint proposals)",
           lambda c, r: r.record.cosigners),
    Column("organization", "提案组织", "Proposing organisation", lambda c, r: r.record.organization,
           text=True),
    Column("proposer", "提案人(公开署名)", "Proposer as publicly named", lambda c, r: r.record.proposer,
           text=True),
    Column("submitted", "提交日期", "Date submitted", lambda c, r: r.record.submitted.isoformat()),
    Column("channel", "提交渠道", "Channel (web, mailbox, meeting …)", lambda c, r: r.record.channel.value),
    Column("location", "地点", "Location, where known", lambda c, r: r.record.location, text=True),
    Column("screening_date", "筛选日期", "Date screened",
           lambda c, r: r.record.screening.date.isoformat()
           if r.record.screening and r.record.screening.date else None),
    Column("status_date", "最近状态变化日期", "Date of the latest status change",
           lambda c, r: r.record.timeline[-1].date.isoformat()),
    Column("decision_meeting", "形成决议的议事会编号", "Id of the meeting that decided it",
           lambda c, r: ref.meeting.id if (ref := c.repo.decision(r.record.id)) else None),
    Column("decision_url", "决议永久链接", "Permalink of the decision",
           lambda c, r: c.link(decision_url(ref.meeting.id, r.record.id))
           if (ref := c.repo.decision(r.record.id)) else None),
    Column("decision", "决议内容", "Decision text",
           lambda c, r: ref.item.decision if (ref := c.repo.decision(r.record.id)) else None,
           text=True),
    Column("vote_for", "赞成票", "Votes for", lambda c, r: _vote(c, r, "yes")),
    Column("vote_against", "反对票", "Votes against", lambda c, r: _vote(c, r, "no")),
    Column("vote_abstain", "弃权票", "Abstentions", lambda c, r: _vote(c, r, "abstain")),
    Column("vote_eligible", "有表决权人数", "Eligible to vote", lambda c, r: _vote(c, r, "eligible")),
    Column("vote_result", "表决结果(pass/fail)", "Vote result (pass/fail)",
           lambda c, r: _vote(c, r, "result")),
    Column("meetings", "列入议程的议事会编号(分号分隔)", "Meetings that had it on the agenda (;-separated)",
           lambda c, r: _join([ref.meeting.id for ref in c.repo.references(r.record.id)])),
    Column("actions", "行动项数", "Number of action items", lambda c, r: len(r.record.actions)),
    Column("actions_done", "已完成行动项数", "Action items done",
           lambda c, r: sum(1 for a in r.record.actions if a.done)),
    Column("outcome", "办理结果", "Outcome as reported", lambda c, r: r.record.outcome, text=True),
    Column("feedback_satisfied", "满意人数", "Residents satisfied",
           lambda c, r: r.record.feedback.satisfied if r.record.feedback else None),
    Column("feedback_basically_satisfied", "基本满意人数", "Residents basically satisfied",
           lambda c, r: r.record.feedback.basically_satisfied if r.record.feedback else None),
    Column("feedback_dissatisfied", "不满意人数", "Residents dissatisfied",
           lambda c, r: r.record.feedback.dissatisfied if r.record.feedback else None),
    Column("feedback_resolved", "提案人认为已解决", "Proposer says it is solved",
           lambda c, r: r.record.feedback.resolved if r.record.feedback else None),
    Column("merged_into", "并入的提案编号", "Id of the issue it was merged into",
           lambda c, r: r.record.merged_into),
    Column("related", "相关提案编号(分号分隔)", "Related issues (;-separated)",
           lambda c, r: _join(r.record.related)),
    Column("last_changed", "记录最后修改时间(git)", "When the record last changed (git)",
           lambda c, r: _last_changed(c, r.path)),
    Column("version", "记录当前版本(git 提交)", "The git commit of the record's current version",
           lambda c, r: last.hash if (last := c.record_history(r.path).last_changed) else None),
    Column("description", "提案内容", "The proposal's text", lambda c, r: r.body, text=True),
]

MEETING_COLUMNS: list[Column[LoadedMeeting]] = [
    Column("id", "议事会编号(永久不变)", "Meeting id (never changes)", lambda c, r: r.record.id),
    Column("url", "议事会页面永久链接", "Permalink of the meeting's page",
           lambda c, r: c.link(meeting_url(r.record.id))),
    Column("title", "标题", "Title", lambda c, r: r.record.title, text=True),
    Column("date", "日期", "Date", lambda c, r: r.record.date.isoformat()),
    Column("time", "开始时间", "Start time (HH:MM, council's time zone)", lambda c, r: r.record.time),
    Column("level", "层级代码", "Level slug (grid, community, street …)", lambda c, r: r.record.level),
    Column("level_name", "层级", "Level name", lambda c, r: c.council.level_names.get(r.record.level)),
    Column("community", "社区代码", "Community slug", lambda c, r: r.record.community),
    Column("community_name", "社区", "Community name",
           lambda c, r: c.council.community_names.get(r.record.community)
           if r.record.community else None),
    Column("place", "地点", "Place", lambda c, r: r.record.place, text=True),
    Column("convener", "召集人", "Convener", lambda c, r: r.record.convener, text=True),
    Column("supervisor", "监督人", "Supervisor", lambda c, r: r.record.supervisor, text=True),
    Column("attendance", "参会人数", "Attendance", lambda c, r: r.record.attendance),
    Column("parties", "参会各方及人数(分号分隔)", "Parties present and how many (;-separated)",
           lambda c, r: _join([f"{c.council.party_names.get(p.party, p.party)} {p.count}"
                               for p in r.record.parties])),
    Column("agenda", "议程中的提案编号(分号分隔)", "Issues on the agenda (;-separated)",
           lambda c, r: _join([a.issue for a in r.record.agenda])),
    Column("outcomes", "各议题结果(编号:结果,分号分隔)", "Outcome per agenda item (id:outcome;…)",
           lambda c, r: _join([f"{a.issue}:{a.outcome.value if a.outcome else ''}"
                               for a in r.record.agenda])),
    Column("decisions", "形成决议的议题数", "Agenda items decided",
           lambda c, r: sum(1 for a in r.record.agenda if a.outcome is Outcome.DECIDED)),
    Column("last_changed", "记录最后修改时间(git)", "When the record last changed (git)",
           lambda c, r: _last_changed(c, r.path)),
    Column("version", "记录当前版本(git 提交)", "The git commit of the record's current version",
           lambda c, r: last.hash if (last := c.record_history(r.path).last_changed) else None),
    Column("minutes", "会议纪要", "Minutes", lambda c, r: r.body, text=True),
]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Cell, text: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    out = str(value)
    if text and out.startswith(_FORMULA_START):
        out = "'" + out
    return out


def to_csv(ctx: ExportContext, columns: Sequence[Column[R]], rows: Sequence[R]) -> bytes:
    """A CSV table with a header row, UTF-8 with BOM, CRLF line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    for row in rows:
        writer.writerow([_cell(column.get(ctx, row), column.text) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


def issues_csv(ctx: ExportContext) -> bytes:
    """The content of ``issues.csv``."""
    return to_csv(ctx, ISSUE_COLUMNS, [ctx.repo.issues[k] for k in sorted(ctx.repo.issues)])


def meetings_csv(ctx: ExportContext) -> bytes:
    """The content of ``meetings.csv``."""
    return to_csv(ctx, MEETING_COLUMNS, [ctx.repo.meetings[k] for k in sorted(ctx.repo.meetings)])
