"""The 待办 queries: what needs a moderator's hand now, computed from the records alone.

Pure functions over a loaded repository and the day; the page caches their answer per
snapshot and day, so 20,000 issues are walked once per change of the main branch.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar

from ..lifecycle import Status
from ..loading import Repository
from ..records import Action, Issue, Meeting

#: Actions due within this many days are listed beside the overdue ones.
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class AwaitingScreening:
    """A received proposal and how long it has waited, against the council's promise."""

    issue: Issue
    days: int
    limit: int

    @property
    def late(self) -> bool:
        return self.days > self.limit

    @property
    def days_left(self) -> int:
        return self.limit - self.days


@dataclass(frozen=True)
class DueAction:
    """An action not done yet whose due date has come or is near."""

    issue: Issue
    number: int  # 1-based, as the follow-up operation counts
    action: Action
    overdue_days: int  # negative: days still to go


@dataclass
class Todo:
    """Everything 待办 lists, from the records (changes come from the desk's own store)."""

    screening: list[AwaitingScreening] = field(default_factory=list)
    to_schedule: list[Issue] = field(default_factory=list)
    planned: list[Meeting] = field(default_factory=list)
    unrecorded: list[Meeting] = field(default_factory=list)
    actions: list[DueAction] = field(default_factory=list)
    without_feedback: list[Issue] = field(default_factory=list)


def issue_actions(repo: Repository, issue: Issue) -> list[Action]:
    """An issue's actions: its own list, else the ones its deciding agenda item names."""
    if issue.actions:
        return issue.actions
    decision = repo.decision(issue.id)
    return decision.item.actions if decision else []


def _recorded(meeting: Meeting) -> bool:
    return not meeting.upcoming


def _add_issue(out: Todo, repo: Repository, issue: Issue, today: date, limit: int) -> None:
    """Put ``issue`` on whichever 待办 list its status calls for."""
    if issue.status is Status.RECEIVED:
        out.screening.append(AwaitingScreening(issue, (today - issue.submitted).days, limit))
    elif issue.status in (Status.ACCEPTED, Status.DEFERRED):
        out.to_schedule.append(issue)
    elif issue.status in (Status.DECIDED, Status.IN_PROGRESS, Status.ESCALATED):
        soon = today + timedelta(days=DUE_SOON_DAYS)
        for number, action in enumerate(issue_actions(repo, issue), start=1):
            if action.done is None and action.due is not None and action.due <= soon:
                out.actions.append(DueAction(issue, number, action, (today - action.due).days))
    elif issue.status is Status.DONE and issue.feedback is None:
        out.without_feedback.append(issue)


def _meetings(out: Todo, repo: Repository, today: date) -> None:
    for loaded_meeting in repo.meetings.values():
        meeting = loaded_meeting.record
        if meeting.date >= today and not _recorded(meeting):
            out.planned.append(meeting)
        elif meeting.date < today and (not _recorded(meeting) or not loaded_meeting.body):
            out.unrecorded.append(meeting)


# The order of each list: late first, then the longest waiting; the most overdue action first.
def _screening_order(a: AwaitingScreening) -> tuple[int, str]:
    return (-a.days, a.issue.id)


def _issue_order(i: Issue) -> tuple[date, str]:
    return (i.submitted, i.id)


def _action_order(a: DueAction) -> tuple[int, str, int]:
    return (-a.overdue_days, a.issue.id, a.number)


def _feedback_order(i: Issue) -> tuple[date, str]:
    return (i.timeline[-1].date, i.id)



def _sorted(out: Todo) -> Todo:
    out.screening.sort(key=_screening_order)
    out.to_schedule.sort(key=_issue_order)
    out.planned.sort(key=lambda m: (m.date, m.time or "", m.id))
    out.unrecorded.sort(key=lambda m: (m.date, m.id))
    out.actions.sort(key=_action_order)
    out.without_feedback.sort(key=_feedback_order)
    return out


def _limit(repo: Repository) -> int:
    return repo.council.metrics.screening_days if repo.council else 15


def todo(repo: Repository, today: date) -> Todo:
    """The 待办 lists for ``today``, each in the order a moderator should work through it."""
    out = Todo()
    limit = _limit(repo)
    for loaded in repo.issues.values():
        _add_issue(out, repo, loaded.record, today, limit)
    _meetings(out, repo, today)
    return _sorted(out)


def refreshed(old: Todo, repo: Repository, today: date, affected: set[str]) -> Todo:
    """``old`` (the same day's lists of earlier records) with the ``affected`` issues looked
    at again in ``repo``: after an approval only a few issues change, not 20,000."""
    added = Todo()
    limit = _limit(repo)
    for issue_id in sorted(affected):
        loaded = repo.issues.get(issue_id)
        if loaded is not None:
            _add_issue(added, repo, loaded.record, today, limit)
    # The old lists are sorted and stay so when filtered: the few new entries are inserted
    # in place rather than sorting thousands again.
    out = Todo(
        screening=_merged([a for a in old.screening if a.issue.id not in affected],
                          added.screening, _screening_order),
        to_schedule=_merged([i for i in old.to_schedule if i.id not in affected],
                            added.to_schedule, _issue_order),
        actions=_merged([a for a in old.actions if a.issue.id not in affected],
                        added.actions, _action_order),
        without_feedback=_merged([i for i in old.without_feedback if i.id not in affected],
                                 added.without_feedback, _feedback_order),
    )
    _meetings(out, repo, today)
    out.planned.sort(key=lambda m: (m.date, m.time or "", m.id))
    out.unrecorded.sort(key=lambda m: (m.date, m.id))
    return out


T = TypeVar("T")


def _merged(kept: list[T], new: list[T], key: Callable[[T], Any]) -> list[T]:
    for entry in new:
        insort(kept, entry, key=key)
    return kept
