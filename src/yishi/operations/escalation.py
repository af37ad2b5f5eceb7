"""Escalation (提级): an issue beyond the council's reach goes to a higher level.

The lifecycle reaches ``escalated`` only from ``scheduled`` and the checks tie it to a
meeting whose agenda item says ``escalated``; so escalating is done for an issue on the
agenda of a meeting that has been held, and records the outcome on that agenda item too.
(Recording a whole meeting does the same through ``escalated_to`` on an item.)
"""

from __future__ import annotations

import datetime as dt

from ..lifecycle import Status, label
from ..loading import Repository
from .changeset import ChangeSet
from .common import (
    ISSUE_ORDER,
    council_of,
    edit_issue,
    edit_meeting,
    find_issue,
    one_line,
    public_text,
    refuse,
    require_not_before,
    seal,
)
from .meeting_record import escalation_target


def escalate(repo: Repository, issue_id: str, *, by: str, on: dt.date, level: str, reason: str,
             body: str | None = None) -> ChangeSet:
    """Escalate a scheduled issue at the meeting it was on: ``escalated_to``, the agenda
    item's outcome and a timeline entry, in one change set."""
    council = council_of(repo)
    loaded = find_issue(repo, issue_id)
    issue = loaded.record
    last = issue.timeline[-1]
    if issue.status is not Status.SCHEDULED or last.meeting is None:
        raise refuse("status", f"提案 {issue.id} 当前是“{label(issue.status)}”；只有列入议事会议程"
                               "（待议事）的提案可以在会上提级")
    loaded_meeting = repo.meetings.get(last.meeting)
    if loaded_meeting is None:
        raise refuse("meeting", f"提案 {issue.id} 所在的议事会 {last.meeting} 的记录缺失或有错误")
    meeting = loaded_meeting.record
    if on < meeting.date:
        raise refuse("on", f"议事会 {meeting.id} 定于 {meeting.date} 召开；提级要在会上或会后决定")
    require_not_before(issue, on)
    index = next(n for n, item in enumerate(meeting.agenda) if item.issue == issue.id)
    if meeting.agenda[index].outcome is not None:
        raise refuse("meeting", f"议事会 {meeting.id} 已记录了提案 {issue.id} 的结果")
    text = public_text("reason", reason, required=True, limit=500)
    target = escalation_target(council, meeting.level, level, body)
    record = edit_issue(loaded)
    record.set("status", Status.ESCALATED.value)
    record.append("timeline", {"date": on, "status": Status.ESCALATED.value,
                               "meeting": meeting.id, "note": one_line(text, 60)}, flow=True)
    record.set("escalated_to", target, order=ISSUE_ORDER)
    minutes = edit_meeting(loaded_meeting)
    minutes.replace_item("agenda", index, {"issue": issue.id, "outcome": "escalated", "note": text})
    return seal(repo, operation="escalate", subject=issue.id, by=by, on=on,
                summary=f"提级提案 {issue.id}「{one_line(issue.title)}」到"
                        f"{council.level_names[target['level']]}（{target['body']}）",
                edits={loaded.path: (record, loaded.source.text),
                       loaded_meeting.path: (minutes, loaded_meeting.source.text)},
                params={"op": "escalate", "issue_id": issue.id, "level": level, "reason": text,
                        "body": body})
