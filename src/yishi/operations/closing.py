"""Closing an issue (办结): what was achieved, and ``done``."""

from __future__ import annotations

import datetime as dt

from ..lifecycle import Status
from ..loading import Repository
from .changeset import ChangeSet
from .common import (
    ISSUE_ORDER,
    council_of,
    edit_issue,
    issue_for_step,
    one_line,
    public_text,
    seal,
)


def close_issue(repo: Repository, issue_id: str, *, by: str, on: dt.date, outcome: str) -> ChangeSet:
    """Close an issue: the outcome residents read, and a ``done`` timeline entry."""
    council_of(repo)
    loaded = issue_for_step(repo, issue_id, Status.DONE, "办结", on)
    issue = loaded.record
    text = public_text("outcome", outcome, required=True, limit=1000)
    record = edit_issue(loaded)
    record.set("status", Status.DONE.value)
    record.append("timeline", {"date": on, "status": Status.DONE.value}, flow=True)
    record.set("outcome", text, order=ISSUE_ORDER)
    return seal(repo, operation="close", subject=issue.id, by=by, on=on,
                summary=f"办结提案 {issue.id}「{one_line(issue.title)}」",
                edits={loaded.path: (record, loaded.source.text)},
                params={"op": "close_issue", "issue_id": issue.id, "outcome": text})
