"""What each public step tells the proposer: the reason, the meeting's date and place, the
decision, where an escalation went, the outcome — and only what the issue's page shows."""

from __future__ import annotations

from pathlib import Path

from yishi.council import load_council
from yishi.intake.mainline import Snapshot
from yishi.intake.notices import due_notices
from yishi.records import Issue, Meeting

PROJECT = Path(__file__).resolve().parents[1]
COUNCIL = load_council(PROJECT)


def _issue(status: str, timeline: list[dict[str, str]], **fields: object) -> Issue:
    return Issue.model_validate({
        "id": "2024-0312-text", "title": "东门路灯坏了", "community": "shengye",
        "category": "amenities", "submitted": "2024-03-12", "channel": "web", "status": status,
        "timeline": [{"date": "2024-03-12", "status": "received"}, *timeline], **fields})


def _notices(issue: Issue, *meetings: Meeting) -> dict[str, str]:
    snapshot = Snapshot("c0ffee", {issue.id: "blob"}, {m.id: m for m in meetings},
                        {issue.id: issue})
    return {n.step: n.subject + "\n" + n.body for n in due_notices(
        snapshot, issue.id, COUNCIL, site_url="https://example.org/",
        rating_link=lambda issue_id: f"https://intake.example.org/rate/token-{issue_id}")}


def test_merged_escalated_and_not_adopted_steps_say_why() -> None:
    meeting = Meeting.model_validate({
        "id": "2024-0401-mtg1", "title": "四月议事会", "date": "2024-04-01", "level": "community",
        "place": "社区活动室", "convener": "居委会",
        "agenda": [{"issue": "2024-0312-text", "outcome": "not_adopted",
                    "note": "业主表决未达到三分之二"}]})
    not_adopted = _notices(_issue("not_adopted", [
        {"date": "2024-03-20", "status": "accepted"},
        {"date": "2024-03-21", "status": "scheduled", "meeting": "2024-0401-mtg1"},
        {"date": "2024-04-01", "status": "not_adopted", "meeting": "2024-0401-mtg1"}]), meeting)
    assert list(not_adopted) == ["01-accepted", "02-scheduled", "03-not_adopted"]
    assert "社区活动室" in not_adopted["02-scheduled"] and "2024-04-01" in not_adopted["02-scheduled"]
    assert "业主表决未达到三分之二" in not_adopted["03-not_adopted"]
    assert "https://example.org/issues/2024-0312-text/" in not_adopted["03-not_adopted"]

    merged = _notices(_issue("merged", [{"date": "2024-03-20", "status": "merged"}],
                             merged_into="2024-0301-abcd", related=["2024-0301-abcd"]))
    assert "并入提案 2024-0301-abcd" in merged["01-merged"]

    escalated = _notices(_issue("escalated", [
        {"date": "2024-03-20", "status": "accepted"},
        {"date": "2024-03-21", "status": "scheduled"},
        {"date": "2024-04-01", "status": "escalated", "note": "涉及市政道路"}],
        escalated_to={"level": "street", "body": "街道城建科"}))
    assert "交由街道城建科办理" in escalated["03-escalated"] and "涉及市政道路" in escalated["03-escalated"]


def test_only_the_done_notice_carries_the_rating_link() -> None:
    notices = _notices(_issue("done", [
        {"date": "2024-03-20", "status": "accepted"},
        {"date": "2024-03-21", "status": "scheduled"},
        {"date": "2024-04-01", "status": "decided", "note": "物业修灯"},
        {"date": "2024-04-10", "status": "done"}], outcome="三盏灯已修好"))
    assert [step for step, text in notices.items() if "/rate/" in text] == ["04-done"]
    assert "三盏灯已修好" in notices["04-done"] and "已办结" in notices["04-done"]
