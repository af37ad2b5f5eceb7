"""``issues.json`` and ``meetings.json``: every field, cross-references resolved, history."""

from __future__ import annotations

import json
from typing import Any

from ..lifecycle import STAGES, is_closed, label
from ..loading import LoadedIssue, LoadedMeeting, Reference
from ..permalinks import decision_url, issue_url, meeting_url
from ..records import OUTCOME_LABELS
from .context import ExportContext

ISSUES_FILE = "data/issues.json"
MEETINGS_FILE = "data/meetings.json"


def dumps(data: Any) -> bytes:
    """Stable, readable UTF-8 JSON (Chinese kept as is, keys in model order)."""
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def history_fields(ctx: ExportContext, source_path: str) -> dict[str, Any]:
    """``source``, ``history`` (newest first), ``history_complete`` and ``last_changed``."""
    history = ctx.record_history(source_path)
    last = history.last_changed
    return {
        "source": source_path,
        "last_changed": ctx.timestamp(last.date) if last else None,
        "history_complete": history.complete,
        "history": [
            {**commit.as_json(), "date": ctx.timestamp(commit.date)} for commit in history.commits
        ],
    }


def _issue_ref(ctx: ExportContext, issue_id: str) -> dict[str, Any]:
    loaded = ctx.repo.issues.get(issue_id)
    return {
        "id": issue_id,
        "title": loaded.record.title if loaded else None,
        "status": loaded.record.status.value if loaded else None,
        "url": ctx.link(issue_url(issue_id)),
    }


def _agenda_ref(ctx: ExportContext, ref: Reference) -> dict[str, Any]:
    return {
        "meeting": ref.meeting.id,
        "title": ref.meeting.title,
        "date": ref.meeting.date.isoformat(),
        "outcome": ref.item.outcome.value if ref.item.outcome else None,
        "outcome_label": OUTCOME_LABELS[ref.item.outcome] if ref.item.outcome else None,
        "url": ctx.link(decision_url(ref.meeting.id, ref.item.issue)),
    }


def issue_item(ctx: ExportContext, loaded: LoadedIssue, merged_from: list[str]) -> dict[str, Any]:
    """One issue: its front matter, description and what it links to, resolved."""
    issue = loaded.record
    council = ctx.council
    decision = ctx.repo.decision(issue.id)
    item: dict[str, Any] = issue.model_dump(mode="json", by_alias=True)
    item.update({
        "description": loaded.body,
        "url": ctx.link(issue_url(issue.id)),
        "status_label": label(issue.status),
        "stage": STAGES[issue.status].value,
        "open311_status": "closed" if is_closed(issue.status) else "open",
        "community_name": council.community_names.get(issue.community),
        "category_name": council.category_names.get(issue.category),
        "references": {
            "decision": None if decision is None else {
                **_agenda_ref(ctx, decision),
                "decision": decision.item.decision,
                "vote": decision.item.vote.model_dump(mode="json", by_alias=True)
                if decision.item.vote else None,
            },
            "agenda": [_agenda_ref(ctx, ref) for ref in ctx.repo.references(issue.id)],
            "merged_into": _issue_ref(ctx, issue.merged_into) if issue.merged_into else None,
            "merged_from": [_issue_ref(ctx, other) for other in merged_from],
            "related": [_issue_ref(ctx, other) for other in issue.related],
        },
    })
    item.update(history_fields(ctx, loaded.path))
    return item


def meeting_item(ctx: ExportContext, loaded: LoadedMeeting) -> dict[str, Any]:
    """One meeting: its front matter, minutes, and the issues on its agenda, resolved."""
    meeting = loaded.record
    council = ctx.council
    item: dict[str, Any] = meeting.model_dump(mode="json", by_alias=True)
    item.update({
        "minutes": loaded.body,
        "url": ctx.link(meeting_url(meeting.id)),
        "level_name": council.level_names.get(meeting.level),
        "community_name": council.community_names.get(meeting.community)
        if meeting.community else None,
        "references": {
            "issues": [
                {**_issue_ref(ctx, agenda.issue),
                 "outcome": agenda.outcome.value if agenda.outcome else None,
                 "decision_url": ctx.link(decision_url(meeting.id, agenda.issue))}
                for agenda in meeting.agenda
            ],
        },
    })
    item.update(history_fields(ctx, loaded.path))
    return item


def merged_from_index(ctx: ExportContext) -> dict[str, list[str]]:
    """Issue id → the ids of issues merged into it."""
    index: dict[str, list[str]] = {}
    for issue_id, loaded in ctx.repo.issues.items():
        if loaded.record.merged_into:
            index.setdefault(loaded.record.merged_into, []).append(issue_id)
    return index


def issues_document(ctx: ExportContext) -> dict[str, Any]:
    """The content of ``issues.json``."""
    merged_from = merged_from_index(ctx)
    issues = [
        issue_item(ctx, loaded, merged_from.get(issue_id, []))
        for issue_id, loaded in sorted(ctx.repo.issues.items())
    ]
    return {**ctx.envelope(), "schema": "schema/issue.json", "count": len(issues), "issues": issues}


def meetings_document(ctx: ExportContext) -> dict[str, Any]:
    """The content of ``meetings.json``."""
    meetings = [meeting_item(ctx, loaded) for _, loaded in sorted(ctx.repo.meetings.items())]
    return {
        **ctx.envelope(), "schema": "schema/meeting.json",
        "count": len(meetings), "meetings": meetings,
    }
