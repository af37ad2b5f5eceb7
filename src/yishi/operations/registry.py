"""The operations by name: which ones an issue allows now, and re-running a stored change.

``OPERATIONS`` maps each operation function's name (``params["op"]`` of its change sets) to
the function. :func:`rerun` calls it again with the stored params on newer records, which is
how a change whose files changed on the main branch meanwhile is applied without
overwriting the newer text. :func:`allowed_operations` is what the desk offers for an issue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ..lifecycle import TRANSITIONS, Status
from ..loading import Repository
from .changeset import ChangeSet, OperationRefused
from .closing import close_issue
from .escalation import escalate
from .feedback import record_feedback
from .meeting_record import record_meeting
from .meetings import TO_DELIBERATE, cancel_meeting, plan_meeting, replan_meeting
from .paper import import_paper_proposals
from .progress import FOLLOWED, follow_up
from .screening import screen_accept, screen_merge, screen_reject, screen_withdraw

OPERATIONS: dict[str, Callable[..., ChangeSet]] = {
    "screen_accept": screen_accept,
    "screen_reject": screen_reject,
    "screen_merge": screen_merge,
    "screen_withdraw": screen_withdraw,
    "plan_meeting": plan_meeting,
    "replan_meeting": replan_meeting,
    "cancel_meeting": cancel_meeting,
    "record_meeting": record_meeting,
    "escalate": escalate,
    "follow_up": follow_up,
    "close_issue": close_issue,
    "record_feedback": record_feedback,
    "import_paper_proposals": import_paper_proposals,
}

#: Params that hold dates (stored as ISO strings), by operation.
_DATES: dict[str, tuple[str, ...]] = {
    "plan_meeting": ("date",),
    "replan_meeting": ("date",),
    "follow_up": ("done",),
}
#: The positional argument after the repository, by operation (the record it is about).
_SUBJECT: dict[str, str] = {
    "screen_accept": "issue_id", "screen_reject": "issue_id", "screen_merge": "issue_id",
    "screen_withdraw": "issue_id", "replan_meeting": "meeting_id",
    "cancel_meeting": "meeting_id", "record_meeting": "meeting_id", "escalate": "issue_id",
    "follow_up": "issue_id", "close_issue": "issue_id", "record_feedback": "issue_id",
}


def rerun(repo: Repository, change: ChangeSet) -> ChangeSet:
    """The same operation, by the same moderator, on the same day, with the same params, on
    ``repo`` (newer records); refused as the operation would refuse it now."""
    params = dict(change.params)
    name = params.pop("op", None)
    function = OPERATIONS.get(str(name))
    if function is None:
        raise OperationRefused("operation", f"无法重新执行：不认识的操作 {name!r}")
    for key in _DATES.get(str(name), ()):
        if isinstance(params.get(key), str):
            params[key] = dt.date.fromisoformat(params[key])
    args: list[Any] = []
    if name in _SUBJECT:
        args.append(params.pop(_SUBJECT[str(name)]))
    if name == "plan_meeting":
        meeting_id = params.pop("meeting_id")
        params["new_id"] = lambda day: meeting_id  # the same meeting, not a second one
    if name == "import_paper_proposals":
        allocated = iter(params.pop("ids"))
        params["new_id"] = lambda day: next(allocated)
        args.append(params.pop("csv").encode("utf-8"))
    return function(repo, *args, by=change.by, on=change.on, **params)


def allowed_operations(repo: Repository, issue_id: str) -> list[str]:
    """The operations (names in :data:`OPERATIONS`) the issue's current status allows."""
    loaded = repo.issues.get(issue_id)
    if loaded is None:
        return []
    issue = loaded.record
    status = issue.status
    steps = TRANSITIONS[status]
    allowed = []
    if Status.ACCEPTED in steps:
        allowed.append("screen_accept")
    if Status.REJECTED in steps:
        allowed.append("screen_reject")
    if Status.MERGED in steps:
        allowed.append("screen_merge")
    if Status.WITHDRAWN in steps:
        allowed.append("screen_withdraw")
    if status in TO_DELIBERATE:
        allowed.append("plan_meeting")
    if status is Status.SCHEDULED and issue.timeline[-1].meeting in repo.meetings:
        meeting = repo.meetings[str(issue.timeline[-1].meeting)].record
        if meeting.upcoming:
            allowed.extend(["replan_meeting", "cancel_meeting"])
        allowed.extend(["record_meeting", "escalate"])
    if status in FOLLOWED:
        allowed.append("follow_up")
    if Status.DONE in steps:
        allowed.append("close_issue")
    if status is Status.DONE:
        allowed.append("record_feedback")
    return allowed
