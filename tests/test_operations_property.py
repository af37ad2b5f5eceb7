"""Property: random sequences of legal operations on a generated council always leave records
that pass the checks; the illegal steps the issue names are refused with a message."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from yishi.checks import run_checks
from yishi.lifecycle import Status
from yishi.loading import Repository, load_repository
from yishi.operations import (
    ChangeSet,
    OperationRefused,
    apply_in_memory,
    cancel_meeting,
    close_issue,
    escalate,
    follow_up,
    import_paper_proposals,
    plan_meeting,
    record_feedback,
    record_meeting,
    replan_meeting,
    screen_accept,
    screen_merge,
    screen_reject,
    screen_withdraw,
)
from yishi.synthetic import write_synthetic_repository

BY = "值班议事员"
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


@pytest.fixture(scope="module")
def council(tmp_path_factory: pytest.TempPathFactory) -> Repository:
    root: Path = tmp_path_factory.mktemp("council")
    write_synthetic_repository(root, 40, seed=7)
    repo = load_repository(root)
    assert run_checks(repo) == []
    return repo


class Walk:
    """The records as a moderator's steps leave them, and the day it is."""

    def __init__(self, repo: Repository, data: st.DataObject) -> None:
        self.repo = repo
        self.data = data
        last = max(e.date for loaded in repo.issues.values() for e in loaded.record.timeline)
        held = max(loaded.record.date for loaded in repo.meetings.values())
        self.today = max(last, held) + dt.timedelta(days=1)
        self.steps: list[str] = []
        self.counter = itertools.count()

    def new_id(self, day: dt.date) -> str:
        """Fresh ids without randomness, so hypothesis can replay a failing example."""
        n = next(self.counter)
        suffix = "".join(ALPHABET[(n // len(ALPHABET) ** k) % len(ALPHABET)] for k in range(4))
        return f"{day:%Y}-{day:%m%d}-z{suffix}"

    def draw(self, strategy: st.SearchStrategy[Any], label: str) -> Any:
        return self.data.draw(strategy, label=label)

    def pick(self, values: list[Any], label: str) -> Any:
        return self.draw(st.sampled_from(sorted(values)), label)

    def apply(self, change: ChangeSet) -> None:
        self.repo = apply_in_memory(self.repo, change)
        self.steps.append(change.summary)
        problems = run_checks(self.repo)
        assert problems == [], (self.steps, [str(p) for p in problems])

    def with_status(self, *statuses: Status) -> list[str]:
        return [i for i, loaded in self.repo.issues.items() if loaded.record.status in statuses]

    def open_meetings(self) -> list[str]:
        return [m for m, loaded in self.repo.meetings.items()
                if any(item.outcome is None for item in loaded.record.agenda)]

    @property
    def council(self) -> Any:
        return self.repo.require_council()


def step_import(w: Walk) -> None:
    n = w.draw(st.integers(1, 3), "rows")
    communities = list(w.council.community_names)
    rows = ["title,description,community,category,submitted,channel,kind,cosigners"]
    for i in range(n):
        community = w.pick(communities, "community")
        category = w.pick(list(w.council.category_names), "category")
        joint = w.draw(st.booleans(), "joint")
        rows.append(f"纸质提案{next(w.counter)},第 {i} 件的描述,{community},{category},"
                    f"{w.today},mailbox,{'joint,5' if joint else 'individual,'}")
    w.apply(import_paper_proposals(w.repo, "\n".join(rows).encode(), by=BY, on=w.today,
                                   new_id=w.new_id))


def step_screen(w: Walk) -> None:
    received = w.with_status(Status.RECEIVED)
    if not received:
        return step_import(w)
    issue = w.pick(received, "issue")
    how = w.draw(st.sampled_from(["accept", "accept", "reject", "merge", "withdraw"]), "how")
    council = w.council
    if how == "accept":
        encouraged = w.draw(st.none() | st.sampled_from([i.number for i in council.encouraged]), "enc")
        change = screen_accept(w.repo, issue, by=BY, on=w.today, encouraged=encouraged)
    elif how == "reject":
        failed = w.draw(st.lists(st.sampled_from(list(council.criterion_names)), min_size=1,
                                 max_size=2), "failed")
        change = screen_reject(w.repo, issue, by=BY, on=w.today, reason="不符合标准", failed=failed)
    elif how == "merge":
        targets = [i for i in w.with_status(Status.RECEIVED, Status.ACCEPTED, Status.SCHEDULED)
                   if i != issue]
        if not targets:
            return None
        change = screen_merge(w.repo, issue, by=BY, on=w.today, into=w.pick(targets, "into"))
    else:
        change = screen_withdraw(w.repo, issue, by=BY, on=w.today, reason="提案人撤回")
    w.apply(change)
    return None


def step_plan(w: Walk) -> None:
    ready = w.with_status(Status.ACCEPTED, Status.DEFERRED)
    if not ready:
        return step_screen(w)
    first = w.pick(ready, "issue")
    community = w.repo.issues[first].record.community
    same = [i for i in ready if w.repo.issues[i].record.community == community and i != first]
    more = w.draw(st.lists(st.sampled_from(same), max_size=2, unique=True), "more") if same else []
    reports = [i for i in w.with_status(Status.DECIDED, Status.IN_PROGRESS)
               if w.repo.issues[i].record.community == community]
    report = w.draw(st.lists(st.sampled_from(reports), max_size=1), "report") if reports else []
    date = w.today + dt.timedelta(days=w.draw(st.integers(0, 20), "days"))
    w.apply(plan_meeting(w.repo, by=BY, on=w.today, date=date, time="19:00", place="议事厅",
                         level="community", community=community, convener="社区党委",
                         agenda=[first, *more, *report], new_id=w.new_id))
    return None


def step_record(w: Walk) -> None:
    meetings = w.open_meetings()
    if not meetings:
        return step_plan(w)
    meeting_id = w.pick(meetings, "meeting")
    meeting = w.repo.meetings[meeting_id].record
    w.today = max(w.today, meeting.date)
    items = []
    for item in meeting.agenda:
        if item.outcome is not None:
            continue
        issue = w.repo.issues[item.issue].record
        if issue.status is not Status.SCHEDULED:
            items.append({"issue": issue.id, "outcome": "progress_report", "note": "通报进展"})
            continue
        outcome = w.draw(st.sampled_from(["decided", "decided", "not_adopted", "deferred",
                                          "escalated"]), "outcome")
        eligible = w.draw(st.integers(3, 30), "eligible")
        entry: dict[str, Any] = {"issue": issue.id, "outcome": outcome}
        if outcome == "decided":
            entry["decision"] = "形成决议"
            entry["vote"] = {"for": eligible - 1, "against": 1, "eligible": eligible}
            entry["actions"] = [{"what": "落实决议", "responsible": w.pick(
                list(w.council.party_names), "party"), "due": str(w.today + dt.timedelta(days=30))}]
        elif outcome == "not_adopted":
            entry["vote"] = {"for": 0, "against": eligible, "eligible": eligible}
        elif outcome == "escalated":
            entry["escalated_to"] = {"level": "street", "body": "街道议事协商平台"}
        items.append(entry)
    outcomes = {"parties": [{"party": "resident_reps", "count": 10}], "agenda": items}
    w.apply(record_meeting(w.repo, meeting_id, by=BY, on=w.today, outcomes=outcomes,
                           minutes="会议讨论了议程中的提案。"))
    return None


def step_change_meeting(w: Walk) -> None:
    upcoming = [m for m in w.open_meetings() if w.repo.meetings[m].record.upcoming]
    if not upcoming:
        return step_plan(w)
    meeting_id = w.pick(upcoming, "meeting")
    how = w.draw(st.sampled_from(["replan", "cancel", "escalate"]), "how")
    if how == "replan":
        change = replan_meeting(w.repo, meeting_id, by=BY, on=w.today, place="新议事厅",
                                time="09:30")
    elif how == "cancel":
        change = cancel_meeting(w.repo, meeting_id, by=BY, on=w.today, reason="时间冲突")
    else:
        meeting = w.repo.meetings[meeting_id].record
        scheduled = [item.issue for item in meeting.agenda
                     if w.repo.issues[item.issue].record.status is Status.SCHEDULED]
        if not scheduled:
            return None
        w.today = max(w.today, meeting.date)
        change = escalate(w.repo, w.pick(scheduled, "issue"), by=BY, on=w.today, level="town",
                          reason="超出社区能力")
    w.apply(change)
    return None


def step_follow_up(w: Walk) -> None:
    decided = w.with_status(Status.DECIDED)
    undone = [i for i in w.with_status(Status.IN_PROGRESS, Status.DECIDED)
              if any(a.done is None for a in w.repo.issues[i].record.actions)]
    choices = [("start", i) for i in decided if w.repo.issues[i].record.actions]
    choices += [("done", i) for i in undone]
    if not choices:
        return step_record(w)
    how, issue = w.pick(choices, "follow")
    if how == "start":
        change = follow_up(w.repo, issue, by=BY, on=w.today, start=True, note="开始实施")
    else:
        actions = w.repo.issues[issue].record.actions
        number = 1 + next(n for n, a in enumerate(actions) if a.done is None)
        change = follow_up(w.repo, issue, by=BY, on=w.today, action=number, done=w.today,
                           note="已完成")
    w.apply(change)
    return None


def step_close(w: Walk) -> None:
    closable = w.with_status(Status.DECIDED, Status.IN_PROGRESS, Status.ESCALATED)
    done = w.with_status(Status.DONE)
    if closable and w.draw(st.booleans(), "close"):
        w.apply(close_issue(w.repo, w.pick(closable, "issue"), by=BY, on=w.today, outcome="已办结"))
    elif done:
        counts = w.draw(st.tuples(st.integers(0, 30), st.integers(0, 10), st.integers(0, 5)), "n")
        ratings = w.draw(st.integers(0, sum(counts)), "ratings")
        w.apply(record_feedback(w.repo, w.pick(done, "issue"), by=BY, on=w.today,
                                satisfied=counts[0], basically_satisfied=counts[1],
                                dissatisfied=counts[2], resolved=w.draw(st.booleans(), "resolved"),
                                from_ratings=ratings))


def refuse_illegal(w: Walk) -> None:
    """Each illegal step the issue names is refused, with the field and a message."""
    meetings = w.open_meetings()
    if meetings:
        meeting_id = w.pick(meetings, "meeting")
        meeting = w.repo.meetings[meeting_id].record
        on = max(w.today, meeting.date)
        outsider = next((i for i in w.repo.issues if meeting.item_for(i) is None), None)
        if outsider is not None:
            with pytest.raises(OperationRefused) as caught:
                record_meeting(w.repo, meeting_id, by=BY, on=on, outcomes={"agenda": [
                    {"issue": outsider, "outcome": "decided", "decision": "越权决议"}]})
            assert caught.value.field == "agenda[0].issue" and "不在议事会" in caught.value.message
        deliberated = [item.issue for item in meeting.agenda if item.outcome is None
                       and w.repo.issues[item.issue].record.status is Status.SCHEDULED]
        if deliberated:
            eligible = w.draw(st.integers(1, 20), "eligible")
            with pytest.raises(OperationRefused) as caught:
                record_meeting(w.repo, meeting_id, by=BY, on=on, outcomes={"agenda": [
                    {"issue": deliberated[0], "outcome": "decided", "decision": "决议",
                     "vote": {"for": eligible, "against": 1, "eligible": eligible}}]})
            assert caught.value.field == "agenda[0].vote.eligible"
            assert "超过" in caught.value.message
    for issue in w.with_status(Status.DECIDED, Status.IN_PROGRESS)[:1]:
        with pytest.raises(OperationRefused) as caught:
            close_issue(w.repo, issue, by=BY, on=w.today, outcome="")
        assert caught.value.field == "outcome" and caught.value.message


STEPS: list[Callable[[Walk], Any]] = [step_import, step_screen, step_screen, step_plan,
                                      step_record, step_change_meeting, step_change_meeting,
                                      step_follow_up,
                                      step_close]


# Derandomized: CI runs the same 20 walks every time, so a failure there is reproducible
# (explore further locally with --hypothesis-seed=N). No explain phase: it re-runs a failing
# walk under a Python tracer, which on 3.11 takes minutes and hides the failure behind a timeout.
@settings(max_examples=20, deadline=None, derandomize=True,
          phases=[phase for phase in Phase if phase is not Phase.explain],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_legal_steps_keep_the_records_valid(council: Repository, data: st.DataObject) -> None:
    walk = Walk(council, data)
    for _ in range(data.draw(st.integers(3, 12), label="steps")):
        data.draw(st.sampled_from(STEPS), label="step")(walk)
        walk.today += dt.timedelta(days=data.draw(st.integers(0, 5), label="wait"))
        refuse_illegal(walk)
    assert run_checks(walk.repo) == []
