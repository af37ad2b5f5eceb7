"""Residents' feedback on a closed issue (满意度): counts, resolved or not, a note.

``from_ratings`` says how many of the counts came from residents' own online ratings (the
closing notice asks for them); the rest were collected by the council (回访, 问卷).
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
    one_line,
    public_text,
    refuse,
    require_not_before,
    seal,
)


def record_feedback(
    repo: Repository, issue_id: str, *, by: str, on: dt.date, satisfied: int,
    basically_satisfied: int, dissatisfied: int, resolved: bool, note: str = "",
    from_ratings: int = 0,
) -> ChangeSet:
    """Record (or update) the feedback on a done issue; the counts are the totals so far."""
    council_of(repo)
    loaded = find_issue(repo, issue_id)
    issue = loaded.record
    if issue.status is not Status.DONE:
        raise refuse("status", f"提案 {issue.id} 当前是“{label(issue.status)}”；办结之后才能记录居民评价")
    require_not_before(issue, on)
    counts = {}
    for name, value in (("satisfied", satisfied), ("basically_satisfied", basically_satisfied),
                        ("dissatisfied", dissatisfied), ("from_ratings", from_ratings)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise refuse(name, f"应是不小于 0 的整数，得到 {value!r}")
        counts[name] = value
    total = satisfied + basically_satisfied + dissatisfied
    if from_ratings > total:
        raise refuse("from_ratings", f"来自在线评价的 {from_ratings} 份多于评价总数 {total}")
    if not isinstance(resolved, bool):
        raise refuse("resolved", "应写明问题是否解决（是/否）")
    text = public_text("note", note, required=False, limit=500)
    feedback: dict[str, Any] = {"date": on, "satisfied": satisfied,
                                "basically_satisfied": basically_satisfied,
                                "dissatisfied": dissatisfied}
    if from_ratings:
        feedback["from_ratings"] = from_ratings
    if issue.feedback is not None and issue.feedback.rating is not None:
        feedback["rating"] = issue.feedback.rating  # the average rating is not ours to drop
    feedback["resolved"] = resolved
    if text:
        feedback["note"] = text
    record = edit_issue(loaded)
    record.set("feedback", feedback, order=ISSUE_ORDER)
    return seal(repo, operation="feedback", subject=issue.id, by=by, on=on,
                summary=f"记录提案 {issue.id}「{one_line(issue.title)}」的居民评价："
                        f"满意 {satisfied}、基本满意 {basically_satisfied}、不满意 {dissatisfied}",
                edits={loaded.path: (record, loaded.source.text)},
                params={"op": "record_feedback", "issue_id": issue.id, "satisfied": satisfied,
                        "basically_satisfied": basically_satisfied, "dissatisfied": dissatisfied,
                        "resolved": resolved, "note": text, "from_ratings": from_ratings})
