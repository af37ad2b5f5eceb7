"""Following up a decision: start carrying it out, note progress on an action, mark it done.

Actions are followed on the issue (its ``actions`` list; recording a meeting copies the
decision's actions there). An action's ``progress`` holds the latest report; status changes
go to the timeline, which is append-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..lifecycle import Status, label
from ..loading import Repository
from .changeset import ChangeSet
from .common import (
    ISSUE_ORDER,
    council_of,
    edit_issue,
    find_issue,
    iso,
    one_line,
    public_text,
    refuse,
    require_not_before,
    require_step,
    seal,
)

#: Statuses whose actions may be followed up.
FOLLOWED = frozenset({Status.DECIDED, Status.IN_PROGRESS, Status.ESCALATED})


def follow_up(
    repo: Repository, issue_id: str, *, by: str, on: dt.date, start: bool = False,
    note: str | None = None, action: int | None = None, done: dt.date | None = None,
) -> ChangeSet:
    """Start carrying out a decision (→ in_progress), report progress on action N (from 1),
    or mark action N done on a date."""
    council_of(repo)
    loaded = find_issue(repo, issue_id)
    issue = loaded.record
    if not start and action is None:
        if note:
            raise refuse("action", "进展要写在某个落实事项上：请指明第几项（action）")
        raise refuse("action", "请指明要做什么：开始实施（start）、某项进展（action + note）"
                               "或某项完成（action + done）")
    if issue.status not in FOLLOWED:
        raise refuse("status", f"提案 {issue.id} 当前是“{label(issue.status)}”；只有已决议、"
                               "实施中或已提级的提案可以跟进落实")
    text = public_text("note", note, required=False, limit=500)
    record = edit_issue(loaded)
    actions: list[dict[str, Any]] = [a.model_dump(exclude_defaults=True) for a in issue.actions]
    if not actions:
        decision = repo.decision(issue.id)
        if decision is not None and decision.item.actions:
            # The decision's actions become the issue's, where their progress is kept.
            actions = [a.model_dump(exclude_defaults=True) for a in decision.item.actions]
            for item in actions:
                record.append("actions", item, order=ISSUE_ORDER, flow=False)
    what = []
    if action is not None:
        if not 1 <= action <= len(actions):
            raise refuse("action", f"提案 {issue.id} 有 {len(actions)} 个落实事项，没有第 {action} 项"
                         if actions else f"提案 {issue.id} 还没有落实事项")
        entry = dict(actions[action - 1])
        if done is None and not text:
            raise refuse("action", "请写明这一项的进展（note）或完成日期（done）")
        if done is not None:
            if entry.get("done"):
                raise refuse("done", f"第 {action} 项已于 {entry['done']} 完成")
            if done > on:
                raise refuse("done", f"完成日期 {done} 晚于今天（{on}）")
            if done < issue.timeline[0].date:
                raise refuse("done", f"完成日期 {done} 早于提案提交")
            entry["done"] = done
            what.append(f"第 {action} 项完成")
        if text:
            entry["progress"] = text
            what.append(f"第 {action} 项进展")
        ordered = {key: entry[key] for key in ("what", "responsible", "due", "done", "progress")
                   if key in entry}
        record.replace_item("actions", action - 1, ordered)
    elif done is not None:
        raise refuse("done", "完成日期要对应某个落实事项：请指明第几项（action）")
    if start:
        require_step(issue, Status.IN_PROGRESS, "开始实施")
        require_not_before(issue, on)
        if not actions:
            raise refuse("start", f"提案 {issue.id} 没有落实事项，不能开始实施；"
                                  "落实事项在议事会记录决议时写明")
        entry_data: dict[str, Any] = {"date": on, "status": Status.IN_PROGRESS.value}
        if text and action is None:
            entry_data["note"] = text
        record.set("status", Status.IN_PROGRESS.value)
        record.append("timeline", entry_data, flow=True)
        what.insert(0, "开始实施")
    return seal(repo, operation="follow_up", subject=issue.id, by=by, on=on,
                summary=f"跟进提案 {issue.id}「{one_line(issue.title)}」：{'、'.join(what)}",
                edits={loaded.path: (record, loaded.source.text)},
                params={"op": "follow_up", "issue_id": issue.id, "start": start, "note": note,
                        "action": action, "done": iso(done)})
