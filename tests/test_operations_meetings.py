"""Meetings: plan, replan, cancel and record, each issue kept consistent with its meeting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from operations_support import BY, apply, demo, diff_lines
from yishi.lifecycle import Status
from yishi.loading import Repository
from yishi.operations import (
    OperationRefused,
    cancel_meeting,
    plan_meeting,
    record_meeting,
    replan_meeting,
    screen_accept,
)

ON = dt.date(2026, 11, 25)
ACCEPTED = "2026-1103-yq5g"  # heipan, accepted
DEFERRED = "2026-0825-lj9s"  # shenghong, deferred
PLANNED = "2026-1208-sy6h"  # shengye, upcoming, two scheduled issues
SCHEDULED = ("2026-1026-tc8b", "2026-1030-xf2u")
IN_PROGRESS = "2026-0805-cp3n"  # xinkangyuan, in progress


def ids(*values: str) -> Iterator[str]:
    return iter(values)


def _plan(repo: Repository, agenda: list[str], **kwargs: Any) -> Any:
    fixed = ids("2026-1210-hp9a", "2026-1210-hp9b")
    args: dict[str, Any] = {
        "by": BY, "on": ON, "date": dt.date(2026, 12, 10), "time": "19:30",
        "place": "河畔雅园社区议事厅", "level": "community", "community": "heipan",
        "convener": "河畔雅园社区党委", "supervisor": "社区监督委员会委员", "agenda": agenda,
        "new_id": lambda day: next(fixed), **kwargs}
    return plan_meeting(repo, **args)


def test_plan_schedules_its_issues_naming_the_meeting() -> None:
    change = _plan(demo(), [ACCEPTED])
    assert change.subject == change.params["meeting_id"] == "2026-1210-hp9a"
    after = apply(demo(), change)
    meeting = after.meetings["2026-1210-hp9a"].record
    assert meeting.time == "19:30" and meeting.upcoming
    assert [item.issue for item in meeting.agenda] == [ACCEPTED]
    issue = after.issues[ACCEPTED].record
    assert issue.status is Status.SCHEDULED
    assert issue.timeline[-1].meeting == "2026-1210-hp9a"
    text = change.files["content/meetings/2026-1210-hp9a.md"].decode()
    assert 'time: "19:30"\n' in text  # quoted: YAML 1.1 would read 19:30 as a number
    removed, added = diff_lines(demo(), change, f"content/issues/{ACCEPTED}.md")
    assert removed == ["status: accepted"]
    assert added == ["status: scheduled",
                     "  - { date: 2026-11-25, status: scheduled, meeting: 2026-1210-hp9a }"]


def test_plan_skips_an_id_that_exists() -> None:
    fixed = ids(PLANNED, "2026-1210-hp9c")
    change = _plan(demo(), [ACCEPTED], new_id=lambda day: next(fixed))
    assert change.params["meeting_id"] == "2026-1210-hp9c"


def test_plan_takes_progress_reports_without_changing_their_status() -> None:
    change = _plan(demo(), [IN_PROGRESS], community=None, level="street")
    assert set(change.files) == {"content/meetings/2026-1210-hp9a.md"}
    apply(demo(), change)


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"agenda": ["2026-1118-cd9p"]}, "agenda[0]", "已收到"),
    ({"agenda": [DEFERRED]}, "agenda[0]", "另一个社区"),
    ({"agenda": []}, "agenda", "不能为空"),
    ({"agenda": [ACCEPTED, ACCEPTED]}, "agenda[1]", "重复"),
    ({"level": "comunity"}, "level", "是不是 'community'"),
    ({"community": "heipen"}, "community", "是不是 'heipan'"),
    ({"time": "25:00"}, "time", "时:分"),
    ({"date": dt.date(2026, 11, 1)}, "date", "早于今天"),
    ({"place": " "}, "place", "必填"),
])
def test_plan_refuses(kwargs: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(OperationRefused) as caught:
        _plan(demo(), kwargs.pop("agenda", [ACCEPTED]), **kwargs)
    assert caught.value.field == field
    assert words in caught.value.message


def test_replan_changes_the_facts_and_adds_agenda_items() -> None:
    repo = apply(demo(), screen_accept(demo(), "2026-1118-cd9p", by=BY, on=ON))
    change = replan_meeting(repo, PLANNED, by=BY, on=ON, place="盛业家园党群服务站",
                            date=dt.date(2026, 12, 9), agenda=[*SCHEDULED, "2026-1118-cd9p"])
    assert change.summary.endswith("：日期、地点、议程")
    after = apply(repo, change)
    meeting = after.meetings[PLANNED].record
    assert meeting.place == "盛业家园党群服务站" and meeting.date == dt.date(2026, 12, 9)
    assert after.issues["2026-1118-cd9p"].record.timeline[-1].meeting == PLANNED
    assert change.params["date"] == "2026-12-09"


def test_replan_refuses_to_drop_a_scheduled_issue_and_unknown_fields() -> None:
    with pytest.raises(OperationRefused) as caught:
        replan_meeting(demo(), PLANNED, by=BY, on=ON, agenda=[SCHEDULED[0]])
    assert caught.value.field == "agenda" and "deferred" in caught.value.message
    with pytest.raises(OperationRefused) as caught:
        replan_meeting(demo(), PLANNED, by=BY, on=ON, plase="x")
    assert caught.value.field == "plase" and "place" in caught.value.message
    with pytest.raises(OperationRefused) as caught:
        replan_meeting(demo(), "2026-1105-js8n", by=BY, on=ON, place="x")  # already held
    assert caught.value.field == "meeting"


def test_cancel_defers_the_issues_at_the_cancelled_meeting() -> None:
    change = cancel_meeting(demo(), PLANNED, by=BY, on=ON, reason="议事厅维修")
    after = apply(demo(), change)
    meeting = after.meetings[PLANNED].record
    assert meeting.title.startswith("（已取消）")
    assert meeting.date == ON and meeting.time is None
    assert all(item.outcome is not None and item.outcome.value == "deferred"
               for item in meeting.agenda)
    assert "原定 2026-12-08 19:00" in after.meetings[PLANNED].body
    for issue_id in SCHEDULED:
        issue = after.issues[issue_id].record
        assert issue.status is Status.DEFERRED
        assert issue.timeline[-1].meeting == PLANNED
    # A deferred issue can go on the next meeting's agenda at once.
    replanned = plan_meeting(after, by=BY, on=ON, date=dt.date(2026, 12, 15), time="19:00",
                             place="议事厅", level="community", community="shengye",
                             convener="社区党委", agenda=list(SCHEDULED),
                             new_id=lambda day: "2026-1215-sy7k")
    apply(after, replanned)


OUTCOMES: dict[str, Any] = {
    "parties": [{"party": "residents_committee", "count": 3},
                {"party": "resident_reps", "count": 14}],
    "attendance": 18,
    "agenda": [
        {"issue": SCHEDULED[0], "outcome": "decided",
         "decision": "晚间对外来车辆限时收费，消防通道划线立牌。",
         "vote": {"for": 15, "against": 1, "abstain": 1, "eligible": 17},
         "actions": [{"what": "消防通道划线立牌", "responsible": "property", "due": "2026-12-31"},
                     {"what": "外来车辆限时收费", "responsible": "property",
                      "due": dt.date(2027, 1, 15)}]},
        {"issue": SCHEDULED[1], "outcome": "deferred", "note": "待摸清各楼堆物情况后再议"},
    ],
}


def test_record_writes_the_meeting_and_every_issue_it_changed_in_one_change_set() -> None:
    on = dt.date(2026, 12, 8)
    change = record_meeting(demo(), PLANNED, by=BY, on=on, outcomes=OUTCOMES,
                            minutes="## 消防通道\n\n各方同意限时收费。")
    assert set(change.files) == {f"content/meetings/{PLANNED}.md",
                                 *(f"content/issues/{i}.md" for i in SCHEDULED)}
    after = apply(demo(), change)
    meeting = after.meetings[PLANNED]
    vote = meeting.record.agenda[0].vote
    assert vote is not None and vote.result == "pass" and vote.threshold == 0.5
    assert meeting.record.attendance == 18
    assert meeting.body == "## 消防通道\n\n各方同意限时收费。"
    decided = after.issues[SCHEDULED[0]].record
    assert decided.status is Status.DECIDED and len(decided.actions) == 2
    deferred = after.issues[SCHEDULED[1]].record
    assert deferred.status is Status.DEFERRED
    assert deferred.timeline[-1].note == "待摸清各楼堆物情况后再议"
    text = change.files[f"content/meetings/{PLANNED}.md"].decode()
    assert "    vote: { for: 15, against: 1, abstain: 1, eligible: 17, threshold: 0.5, result: pass }\n" in text
    assert "  - { party: residents_committee, count: 3 }\n" in text
    assert change.summary.endswith("：形成决议 1 项、暂缓 1 项")
    assert change.params["outcomes"]["agenda"][0]["actions"][1]["due"] == "2027-01-15"


def _outcomes(**item: Any) -> dict[str, Any]:
    first = {**OUTCOMES["agenda"][0], **item}
    return {**OUTCOMES, "agenda": [first, OUTCOMES["agenda"][1]]}


@pytest.mark.parametrize(("outcomes", "field", "words"), [
    (_outcomes(issue="2026-1103-yq5g"), "agenda[0].issue", "不在议事会"),
    (_outcomes(vote={"for": 15, "against": 3, "abstain": 1, "eligible": 17}),
     "agenda[0].vote.eligible", "超过有表决权的 17 人"),
    (_outcomes(vote={"for": 5, "against": 9, "eligible": 17}), "agenda[0].vote", "not_adopted"),
    (_outcomes(vote={"for": 15, "against": 1, "eligible": 17, "result": "pass"}),
     "agenda[0].vote.result", "计算"),
    (_outcomes(decision=""), "agenda[0].decision", "必填"),
    (_outcomes(outcome="decidd"), "agenda[0].outcome", "是不是 'decided'"),
    (_outcomes(outcome="progress_report"), "agenda[0].outcome", "可以记为"),
    (_outcomes(outcome="escalated"), "agenda[0].escalated_to", "提级"),
    (_outcomes(outcome="escalated", escalated_to={"level": "grid"}), "agenda[0].escalated_to.level",
     "更高的层级"),
    (_outcomes(actions=[{"what": "x", "responsible": "propety"}]),
     "agenda[0].actions[0].responsible", "是不是 'property'"),
    ({**OUTCOMES, "agenda": OUTCOMES["agenda"][:1]}, "agenda", "deferred"),
    ({**OUTCOMES, "attendance": 5}, "attendance", "少于"),
    ({**OUTCOMES, "parties": [{"party": "residents", "count": 3}]}, "parties[0].party", "没有“residents”"),
    ({**OUTCOMES, "minute": "x"}, "outcomes.minute", "不认识"),
])
def test_record_refuses(outcomes: dict[str, Any], field: str, words: str) -> None:
    with pytest.raises(OperationRefused) as caught:
        record_meeting(demo(), PLANNED, by=BY, on=dt.date(2026, 12, 8), outcomes=outcomes)
    assert caught.value.field == field
    assert words in caught.value.message


def test_record_refuses_a_meeting_not_yet_held_and_html_minutes() -> None:
    with pytest.raises(OperationRefused) as caught:
        record_meeting(demo(), PLANNED, by=BY, on=ON, outcomes=OUTCOMES)
    assert caught.value.field == "on"
    with pytest.raises(OperationRefused) as caught:
        record_meeting(demo(), PLANNED, by=BY, on=dt.date(2026, 12, 8), outcomes=OUTCOMES,
                       minutes="<script>alert(1)</script>")
    assert caught.value.field == "minutes" and "不能包含 HTML" in caught.value.message


def test_record_escalation_sets_escalated_to_on_the_issue() -> None:
    outcomes = {"agenda": [
        {"issue": SCHEDULED[0], "outcome": "escalated", "note": "需交管部门协调",
         "escalated_to": {"level": "street", "body": "街道城管科"}},
        {"issue": SCHEDULED[1], "outcome": "not_adopted",
         "vote": {"for": 3, "against": 10, "eligible": 15}}]}
    change = record_meeting(demo(), PLANNED, by=BY, on=dt.date(2026, 12, 9), outcomes=outcomes)
    after = apply(demo(), change)
    escalated = after.issues[SCHEDULED[0]].record
    assert escalated.escalated_to is not None and escalated.escalated_to.body == "街道城管科"
    assert after.issues[SCHEDULED[1]].record.status is Status.NOT_ADOPTED
