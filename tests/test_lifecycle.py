"""The status lifecycle: every transition of the status × status table, allowed and refused,
both in the table and as the checker sees it in a record's timeline."""

from __future__ import annotations

import datetime as dt
from collections import deque
from itertools import product
from pathlib import Path

import pytest
import yaml

from yishi.checks import check_timeline
from yishi.lifecycle import (
    DESCRIPTIONS,
    INITIAL,
    LABELS,
    LIST_OF_STATUS,
    OPEN311_CLOSED,
    STAGES,
    TRANSITIONS,
    PublicList,
    Stage,
    Status,
    can_transition,
    is_closed,
    label,
)
from yishi.loading import Repository, load_record
from yishi.records import Issue

S = Status

#: The lifecycle written out independently of the module (DESIGN.md §3 plus the two edges the
#: seed reports need: deferred → scheduled, decided → done; and withdrawing or merging an
#: accepted or deferred proposal).
ALLOWED: set[tuple[Status, Status]] = {
    (S.RECEIVED, S.ACCEPTED), (S.RECEIVED, S.REJECTED), (S.RECEIVED, S.MERGED),
    (S.RECEIVED, S.WITHDRAWN),
    (S.ACCEPTED, S.SCHEDULED), (S.ACCEPTED, S.MERGED), (S.ACCEPTED, S.WITHDRAWN),
    (S.SCHEDULED, S.DECIDED), (S.SCHEDULED, S.NOT_ADOPTED), (S.SCHEDULED, S.DEFERRED),
    (S.SCHEDULED, S.ESCALATED),
    (S.DEFERRED, S.SCHEDULED), (S.DEFERRED, S.WITHDRAWN),
    (S.DECIDED, S.IN_PROGRESS), (S.DECIDED, S.DONE),
    (S.ESCALATED, S.DECIDED), (S.ESCALATED, S.NOT_ADOPTED), (S.ESCALATED, S.DONE),
    (S.IN_PROGRESS, S.DONE),
}

PAIRS = list(product(Status, Status))


def _path_to(target: Status) -> list[Status]:
    """The shortest legal sequence of statuses from received to ``target``."""
    queue: deque[list[Status]] = deque([[INITIAL]])
    while queue:
        path = queue.popleft()
        if path[-1] is target:
            return path
        queue.extend([*path, nxt] for nxt in sorted(TRANSITIONS[path[-1]]) if nxt not in path)
    raise AssertionError(f"{target} is unreachable from {INITIAL}")


def _timeline_problems(statuses: list[Status]) -> list[str]:
    """What the checker says of an issue whose timeline runs through ``statuses``."""
    start = dt.date(2024, 1, 1)
    data = {
        "id": "2024-0101-abcd", "title": "测试", "community": "east", "category": "parking",
        "submitted": start.isoformat(), "channel": "web", "status": statuses[-1].value,
        "timeline": [
            {"date": (start + dt.timedelta(days=i)).isoformat(), "status": s.value}
            for i, s in enumerate(statuses)
        ],
    }
    text = "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n正文\n"
    loaded = load_record(Issue, "content/issues/2024-0101-abcd.md", text, None)
    assert not isinstance(loaded, list), loaded
    repo = Repository(Path("."), None, issues={"2024-0101-abcd": loaded})
    return [f"{p.field}: {p.message}" for p in check_timeline(repo)]


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_transition_table(current: Status, target: Status) -> None:
    assert can_transition(current, target) is ((current, target) in ALLOWED)


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_checker_allows_exactly_the_table(current: Status, target: Status) -> None:
    path = _path_to(current)
    problems = _timeline_problems([*path, target])
    step = len(path)
    illegal = (f"timeline[{step}].status: 不允许从 {current.value} 变为 {target.value}；"
               f"{current.value} 之后只能是：")
    if (current, target) in ALLOWED:
        assert problems == []
    else:
        assert [p for p in problems if p.startswith(illegal)
                and f"(illegal transition {current.value} → {target.value};" in p] == problems
        assert len(problems) == 1


def test_every_status_is_reachable_and_the_table_is_total() -> None:
    assert set(TRANSITIONS) == set(Status)
    for status in Status:
        assert _path_to(status)[0] is INITIAL


def test_every_status_has_a_chinese_label_description_stage() -> None:
    for status in Status:
        assert LABELS[status] and all("\u4e00" <= c <= "\u9fff" for c in LABELS[status])
        assert DESCRIPTIONS[status].endswith("。")
        assert isinstance(STAGES[status], Stage)
    assert len(set(LABELS.values())) == len(Status)


def test_open311_closed_statuses_are_the_final_ones() -> None:
    assert {S.DONE, S.REJECTED, S.NOT_ADOPTED, S.MERGED, S.WITHDRAWN} == OPEN311_CLOSED
    for status in Status:
        assert is_closed(status) is (status in OPEN311_CLOSED)
        # A closed status goes nowhere; an open one always has a way on.
        assert (not TRANSITIONS[status]) is is_closed(status)
        assert (STAGES[status] is Stage.CLOSED) is is_closed(status)


def test_public_lists() -> None:
    assert {s for s, lst in LIST_OF_STATUS.items() if lst is PublicList.NEEDS} == {S.RECEIVED}
    assert {s for s, lst in LIST_OF_STATUS.items() if lst is PublicList.PROJECTS} == {
        S.DECIDED, S.IN_PROGRESS, S.DONE
    }
    # Closed without a result: on no list.
    for status in (S.REJECTED, S.MERGED, S.WITHDRAWN, S.NOT_ADOPTED):
        assert status not in LIST_OF_STATUS


def test_label() -> None:
    assert label("in_progress") == "实施中"
    assert label(S.DONE) == "已办结"
    assert label("opne") == "opne"
