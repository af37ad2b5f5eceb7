"""Operations by name: what an issue allows, re-running a stored change on newer records,
and checking a change on a large repository quickly."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from operations_support import BY, apply, demo
from yishi.loading import load_repository
from yishi.operations import (
    OPERATIONS,
    ChangeSet,
    OperationRefused,
    allowed_operations,
    apply_in_memory,
    check_change,
    follow_up,
    plan_meeting,
    record_meeting,
    rerun,
    screen_accept,
    screen_reject,
)
from yishi.operations.changeset import git_blob_id
from yishi.synthetic import write_synthetic_repository

ON = dt.date(2026, 11, 25)


@pytest.mark.parametrize(("issue", "expected"), [
    ("2026-1118-cd9p", ["screen_accept", "screen_reject", "screen_merge", "screen_withdraw"]),
    ("2026-1103-yq5g", ["screen_merge", "screen_withdraw", "plan_meeting"]),
    ("2026-1026-tc8b", ["replan_meeting", "cancel_meeting", "record_meeting", "escalate"]),
    ("2026-0921-xd7v", ["follow_up", "close_issue"]),
    ("2026-0805-cp3n", ["follow_up", "close_issue"]),
    ("2026-0903-dl5k", ["follow_up", "close_issue"]),
    ("2023-0403-k7qm", ["record_feedback"]),
    ("2026-0812-rj4w", []),
    ("no-such-issue", []),
])
def test_allowed_operations_follow_the_lifecycle(issue: str, expected: list[str]) -> None:
    allowed = allowed_operations(demo(), issue)
    assert allowed == expected
    assert set(allowed) <= set(OPERATIONS)


def test_params_are_json_and_a_rerun_on_the_same_records_gives_the_same_change() -> None:
    changes = [
        screen_accept(demo(), "2026-1118-cd9p", by=BY, on=ON, encouraged=6),
        screen_reject(demo(), "2026-1118-cd9p", by=BY, on=ON, reason="理由", failed=["public"]),
        plan_meeting(demo(), by=BY, on=ON, date=dt.date(2026, 12, 10), time="19:00",
                     place="议事厅", level="community", community="heipan", convener="党委",
                     agenda=["2026-1103-yq5g"]),
        follow_up(demo(), "2026-0805-cp3n", by=BY, on=ON, action=2, done=dt.date(2026, 11, 20)),
        record_meeting(demo(), "2026-1208-sy6h", by=BY, on=dt.date(2026, 12, 8), outcomes={
            "agenda": [{"issue": "2026-1026-tc8b", "outcome": "deferred"},
                       {"issue": "2026-1030-xf2u", "outcome": "deferred"}]}),
    ]
    for change in changes:
        stored = json.loads(json.dumps(change.params))
        again = rerun(demo(), ChangeSet(change.operation, change.subject, change.by, change.on,
                                        change.summary, {}, {}, stored))
        assert again.files == change.files, change.operation
        assert again.id == change.id


def test_a_rerun_on_newer_records_applies_over_the_newer_text() -> None:
    issue = "2026-1118-cd9p"
    mine = screen_accept(demo(), issue, by=BY, on=ON)
    # Meanwhile someone else corrected the title on main.
    path = f"content/issues/{issue}.md"
    newer_text = demo().issues[issue].source.text.replace("充电桩太少", "充电口太少")
    newer = apply_in_memory(demo(), ChangeSet("edit", issue, "李", ON, "改标题",
                                              {path: newer_text.encode()}, {path: None}))
    again = rerun(newer, mine)
    assert "充电口太少" in again.files[path].decode()
    assert again.base[path] == git_blob_id(newer_text.encode())
    assert again.base[path] != mine.base[path]
    apply(newer, again)


def test_a_rerun_is_refused_when_the_step_was_taken_meanwhile() -> None:
    issue = "2026-1118-cd9p"
    first = screen_accept(demo(), issue, by=BY, on=ON)
    second = screen_reject(demo(), issue, by="李主任", on=ON, reason="属于物业职责", negative=5)
    with pytest.raises(OperationRefused) as caught:
        rerun(apply(demo(), first), second)
    assert caught.value.field == "status" and "已受理" in caught.value.message


def _hand_edit(issue: str, old: str, new: str) -> ChangeSet:
    path = f"content/issues/{issue}.md"
    text = demo().issues[issue].source.text.replace(old, new, 1)
    return ChangeSet("edit", issue, BY, ON, "手改", {path: text.encode()}, {path: None})


def test_check_change_reports_only_what_the_change_breaks() -> None:
    broken = _hand_edit("2026-1118-cd9p", "\nstatus: received", "\nstatus: accepted")
    problems = check_change(demo(), broken)
    assert [(p.path, p.field) for p in problems] == [("content/issues/2026-1118-cd9p.md", "status")]
    # An old defect elsewhere does not block an unrelated step.
    elsewhere = apply_in_memory(demo(), _hand_edit("2026-1103-yq5g", "\nstatus: accepted",
                                                   "\nstatus: received"))
    change = screen_accept(elsewhere, "2026-1118-cd9p", by=BY, on=ON)
    assert check_change(elsewhere, change) == []


def test_operations_on_a_large_repository_check_only_what_they_touch(tmp_path: Path) -> None:
    write_synthetic_repository(tmp_path, 3000, seed=5)
    repo = load_repository(tmp_path)
    received = [i for i, loaded in repo.issues.items() if loaded.record.status.value == "received"]
    start = time.perf_counter()
    for issue in received[:10]:
        on = max(ON, repo.issues[issue].record.timeline[-1].date)
        change = screen_accept(repo, issue, by=BY, on=on)
        assert check_change(repo, change) == []
    per_operation = (time.perf_counter() - start) / 10
    # Checking the whole repository takes seconds; an operation must stay interactive.
    assert per_operation < 0.3, per_operation
