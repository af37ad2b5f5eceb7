"""After the meeting: escalate, follow up, close and record feedback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from operations_support import BY, apply, demo, diff_lines
from site_support import build, copy_demo
from yishi.lifecycle import Status
from yishi.loading import load_repository
from yishi.operations import (
    OperationRefused,
    close_issue,
    escalate,
    follow_up,
    record_feedback,
)

ON = dt.date(2026, 12, 10)
DECIDED = "2026-0921-xd7v"  # decided, two actions
IN_PROGRESS = "2026-0805-cp3n"  # three actions, the first done
SCHEDULED = "2026-1026-tc8b"  # on 2026-1208-sy6h, not yet held
DONE = "2023-0403-k7qm"


def test_escalate_at_the_held_meeting_records_both_sides() -> None:
    change = escalate(demo(), SCHEDULED, by=BY, on=ON, level="street", reason="涉及市政道路，需街道协调",
                      body="街道城管科")
    assert set(change.files) == {f"content/issues/{SCHEDULED}.md",
                                 "content/meetings/2026-1208-sy6h.md"}
    after = apply(demo(), change)
    issue = after.issues[SCHEDULED].record
    assert issue.status is Status.ESCALATED
    assert issue.escalated_to is not None and issue.escalated_to.level == "street"
    item = after.meetings["2026-1208-sy6h"].record.item_for(SCHEDULED)
    assert item is not None and item.outcome is not None and item.outcome.value == "escalated"
    assert change.summary == f"提级提案 {SCHEDULED}「夜间外来车辆占用消防通道停车」到街道（街道城管科）"


@pytest.mark.parametrize(("issue", "kwargs", "field", "words"), [
    (SCHEDULED, {"on": dt.date(2026, 12, 1)}, "on", "会上或会后"),
    (SCHEDULED, {"level": "community"}, "level", "更高的层级"),
    (SCHEDULED, {"level": "twon"}, "level", "是不是 'town'"),
    (SCHEDULED, {"reason": ""}, "reason", "必填"),
    (DECIDED, {}, "status", "待议事"),
])
def test_escalate_refuses(issue: str, kwargs: dict[str, object], field: str, words: str) -> None:
    args: dict[str, object] = {"by": BY, "on": ON, "level": "street", "reason": "超出能力", **kwargs}
    with pytest.raises(OperationRefused) as caught:
        escalate(demo(), issue, **args)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert words in caught.value.message


def test_follow_up_start_then_action_progress_then_done() -> None:
    change = follow_up(demo(), DECIDED, by=BY, on=ON, start=True, note="施工队进场")
    repo = apply(demo(), change)
    assert repo.issues[DECIDED].record.status is Status.IN_PROGRESS
    assert repo.issues[DECIDED].record.timeline[-1].note == "施工队进场"
    change = follow_up(repo, DECIDED, by=BY, on=ON, action=2, note="样式投票中")
    repo = apply(repo, change)
    assert repo.issues[DECIDED].record.actions[1].progress == "样式投票中"
    change = follow_up(repo, DECIDED, by=BY, on=ON, action=1, done=dt.date(2026, 12, 9))
    _, added = diff_lines(demo(), change, f"content/issues/{DECIDED}.md")
    assert "    done: 2026-12-09" in added
    after = apply(repo, change).issues[DECIDED].record
    assert after.actions[0].done == dt.date(2026, 12, 9)
    assert change.params["done"] == "2026-12-09"


@pytest.mark.parametrize(("issue", "kwargs", "field"), [
    (IN_PROGRESS, {"action": 4, "note": "x"}, "action"),
    (IN_PROGRESS, {"action": 1, "done": dt.date(2026, 12, 1)}, "done"),  # already done
    (IN_PROGRESS, {"action": 2, "done": dt.date(2027, 1, 1)}, "done"),  # in the future
    (IN_PROGRESS, {"note": "进展"}, "action"),
    (IN_PROGRESS, {"start": True}, "status"),  # already in progress
    (DONE, {"action": 1, "note": "x"}, "status"),
])
def test_follow_up_refuses(issue: str, kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(OperationRefused) as caught:
        follow_up(demo(), issue, by=BY, on=ON, **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert caught.value.message


def test_close_needs_an_outcome_and_a_status_that_allows_done() -> None:
    change = close_issue(demo(), IN_PROGRESS, by=BY, on=ON, outcome="充电棚投用，60 个充电口")
    after = apply(demo(), change).issues[IN_PROGRESS].record
    assert after.status is Status.DONE and after.outcome == "充电棚投用，60 个充电口"
    with pytest.raises(OperationRefused) as caught:
        close_issue(demo(), IN_PROGRESS, by=BY, on=ON, outcome="  ")
    assert caught.value.field == "outcome"
    with pytest.raises(OperationRefused) as caught:
        close_issue(demo(), SCHEDULED, by=BY, on=ON, outcome="x")
    assert caught.value.field == "status"


def test_feedback_counts_resolved_note_and_ratings_share() -> None:
    change = record_feedback(demo(), DONE, by=BY, on=ON, satisfied=40, basically_satisfied=5,
                             dissatisfied=2, resolved=True, note="居民希望保持巡查",
                             from_ratings=12)
    feedback = apply(demo(), change).issues[DONE].record.feedback
    assert feedback is not None
    assert (feedback.responses, feedback.from_ratings, feedback.resolved) == (47, 12, True)
    with pytest.raises(OperationRefused) as caught:
        record_feedback(demo(), DONE, by=BY, on=ON, satisfied=1, basically_satisfied=0,
                        dissatisfied=0, resolved=True, from_ratings=2)
    assert caught.value.field == "from_ratings"
    with pytest.raises(OperationRefused) as caught:
        record_feedback(demo(), DECIDED, by=BY, on=ON, satisfied=1, basically_satisfied=0,
                        dissatisfied=0, resolved=False)
    assert caught.value.field == "status"


def test_issue_page_says_how_many_responses_came_from_online_ratings(tmp_path: Path) -> None:
    root = copy_demo(tmp_path / "repo")
    change = record_feedback(load_repository(root), DONE, by=BY, on=ON, satisfied=40,
                             basically_satisfied=5, dissatisfied=2, resolved=True, from_ratings=12)
    for path, data in change.files.items():
        (root / path).write_bytes(data)
    site = build(root)
    html = (site / "issues" / DONE / "index.html").read_text(encoding="utf-8")
    assert "共 47 份评价,其中 12 份来自居民在线评价" in html
