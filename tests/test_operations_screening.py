"""Screening operations: accept, reject, merge and withdraw, and what each refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from operations_support import BY, apply, demo, diff_lines
from yishi.lifecycle import Status
from yishi.operations import (
    OperationRefused,
    git_blob_id,
    screen_accept,
    screen_merge,
    screen_reject,
    screen_withdraw,
)

ON = dt.date(2026, 11, 25)
NEW = "2026-1118-cd9p"  # received


def test_accept_makes_a_valid_accepted_issue_with_a_chinese_summary() -> None:
    change = screen_accept(demo(), NEW, by=BY, on=ON, encouraged=6, note="属鼓励清单第 6 项")
    after = apply(demo(), change).issues[NEW].record
    assert after.status is Status.ACCEPTED
    assert after.screening is not None and after.screening.passed
    assert after.screening.encouraged_item == 6
    assert change.summary == f"受理提案 {NEW}「电动自行车充电桩太少，晚上排队充电」"
    assert change.operation == "screen" and change.by == BY
    path = f"content/issues/{NEW}.md"
    assert change.base == {path: git_blob_id((demo().root / path).read_bytes())}
    assert change.params == {"op": "screen_accept", "issue_id": NEW, "encouraged": 6,
                             "note": "属鼓励清单第 6 项"}


@pytest.mark.parametrize(("issue", "kwargs", "field", "words"), [
    (NEW, {"encouraged": 9}, "encouraged", "鼓励清单没有第 9 项"),
    (NEW, {"on": dt.date(2026, 11, 1)}, "on", "早于"),
    ("2026-1118-cd9q", {}, "issue", "是不是 '2026-1118-cd9p'"),
    ("2026-1103-yq5g", {}, "status", "已受理"),
    (NEW, {"note": "请打 13912345678"}, "note", "手机号"),
    (NEW, {"by": " "}, "by", "工作人员"),
])
def test_accept_refuses(issue: str, kwargs: dict[str, object], field: str, words: str) -> None:
    args: dict[str, object] = {"by": BY, "on": ON, **kwargs}
    with pytest.raises(OperationRefused) as caught:
        screen_accept(demo(), issue, **args)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert words in caught.value.message


def test_reject_records_failed_criteria_and_negative_item() -> None:
    change = screen_reject(demo(), NEW, by=BY, on=ON, reason="属于物业日常维修，请联系物业",
                           failed=["public"], negative=5)
    after = apply(demo(), change).issues[NEW].record
    assert after.status is Status.REJECTED
    assert after.screening is not None
    assert after.screening.criteria == {"public": False, "legal": True, "urgent": True,
                                        "feasible": True}
    assert after.screening.negative_item == 5
    assert after.timeline[-1].note == "不符合公共性；负面清单第 5 项"


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"failed": ["pubic"]}, "failed", "是不是 'public'"),
    ({"negative": 99}, "negative", "负面清单没有第 99 项"),
    ({}, "failed", "不满足的标准"),
    ({"failed": ["legal"], "reason": ""}, "reason", "必填"),
])
def test_reject_refuses(kwargs: dict[str, object], field: str, words: str) -> None:
    args: dict[str, object] = {"by": BY, "on": ON, "reason": "理由", **kwargs}
    with pytest.raises(OperationRefused) as caught:
        screen_reject(demo(), NEW, **args)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert words in caught.value.message


def test_merge_links_both_issues() -> None:
    target = "2026-1030-xf2u"
    change = screen_merge(demo(), NEW, by=BY, on=ON, into=target)
    after = apply(demo(), change)
    assert after.issues[NEW].record.merged_into == target
    assert NEW in after.issues[target].record.related
    assert target in after.issues[NEW].record.related
    removed, added = diff_lines(demo(), change, f"content/issues/{target}.md")
    assert (removed, added) == (["related: [2026-1026-tc8b]"],
                                [f"related: [2026-1026-tc8b, {NEW}]"])
    assert change.operation == "merge"


def test_merge_refuses_itself_and_closed_targets() -> None:
    with pytest.raises(OperationRefused, match="它自己"):
        screen_merge(demo(), NEW, by=BY, on=ON, into=NEW)
    with pytest.raises(OperationRefused) as caught:
        screen_merge(demo(), NEW, by=BY, on=ON, into="2026-0812-rj4w")  # rejected
    assert caught.value.field == "into"


def test_withdraw_needs_a_reason_and_a_status_that_allows_it() -> None:
    change = screen_withdraw(demo(), NEW, by=BY, on=ON, reason="提案人电话告知已自行解决")
    assert apply(demo(), change).issues[NEW].record.status is Status.WITHDRAWN
    with pytest.raises(OperationRefused) as caught:
        screen_withdraw(demo(), "2026-1026-tc8b", by=BY, on=ON, reason="x")  # scheduled
    assert caught.value.field == "status"
    with pytest.raises(OperationRefused) as caught:
        screen_withdraw(demo(), NEW, by=BY, on=ON, reason="  ")
    assert caught.value.field == "reason"
