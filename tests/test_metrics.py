"""The published metrics, against figures computed by hand for a small council."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from yishi.council import Council
from yishi.errors import CouncilError
from yishi.lifecycle import Status
from yishi.loading import Loaded, Repository, SourceFile, load_repository
from yishi.metrics import (
    CLOSED_RATE,
    DAYS_TO_CLOSING,
    DAYS_TO_DECISION,
    DAYS_TO_SCREENING,
    DURATION_KEYS,
    FIGURE_KEYS,
    RESOLUTION_RATE,
    RESPONSE_RATE,
    SATISFACTION_RATE,
    Duration,
    Figure,
    Metrics,
    compute_metrics,
    percentile,
    status_on,
)
from yishi.records import Issue

TODAY = dt.date(2026, 3, 1)


def _council(count_basically_satisfied: bool = True) -> Council:
    named = [{"slug": s, "name": s} for s in ("public", "legal", "urgent", "feasible")]
    return Council.model_validate({
        "name": "测试议事会", "level": "street",
        "levels": [{"slug": "street", "name": "街道"}],
        "communities": [{"slug": s, "name": s} for s in ("a", "b", "c")],
        "parties": [{"slug": "property", "name": "物业"}],
        "categories": [{"slug": "parking", "name": "停车"}],
        "criteria": named,
        "metrics": {"screening_days": 15, "count_basically_satisfied": count_basically_satisfied},
    })


def _issue(suffix: str, community: str, steps: list[tuple[str, str]],
           submitted: str = "2026-01-01", feedback: dict[str, Any] | None = None) -> Issue:
    """An issue from (date, status) steps; the first step is the submission."""
    return Issue.model_validate({
        "id": f"{submitted[:4]}-{submitted[5:7]}{submitted[8:]}-{suffix}", "title": suffix,
        "community": community, "category": "parking", "submitted": submitted,
        "channel": "web", "status": steps[-1][1], "feedback": feedback,
        "timeline": [{"date": d, "status": s} for d, s in steps],
    })


#: Seven issues counted on 2026-03-01 (A4 has entries after it), one submitted after it.
ISSUES = [
    # a: accepted after 4 days, decided after 19, done after 40; 3 satisfied, 1 basically, 1 not.
    _issue("aaa1", "a", [("2026-01-01", "received"), ("2026-01-05", "accepted"),
                         ("2026-01-05", "scheduled"), ("2026-01-20", "decided"),
                         ("2026-02-10", "done")],
           feedback={"date": "2026-02-15", "satisfied": 3, "basically_satisfied": 1,
                     "dissatisfied": 1, "resolved": True}),
    # a: rejected after 20 days: screened, but late.
    _issue("aaa2", "a", [("2026-01-01", "received"), ("2026-01-21", "rejected")]),
    # a: submitted 9 days ago, not screened yet: not yet due.
    _issue("aaa3", "a", [("2026-02-20", "received")], submitted="2026-02-20"),
    # a: accepted only after the reference date, feedback too: unscreened and overdue today.
    _issue("aaa4", "a", [("2026-01-01", "received"), ("2026-04-01", "accepted")],
           feedback={"date": "2026-04-02", "satisfied": 10, "resolved": True}),
    # b: never screened, overdue.
    _issue("bbb1", "b", [("2026-01-01", "received")]),
    # b: accepted on day 15 (in time), not adopted after 31 days; 2 basically, 2 not satisfied.
    _issue("bbb2", "b", [("2026-01-01", "received"), ("2026-01-16", "accepted"),
                         ("2026-01-16", "scheduled"), ("2026-02-01", "not_adopted")],
           feedback={"satisfied": 0, "basically_satisfied": 2, "dissatisfied": 2,
                     "resolved": False}),
    # b: withdrawn after 2 days.
    _issue("bbb3", "b", [("2026-01-01", "received"), ("2026-01-03", "withdrawn")]),
    # Submitted after the reference date: not counted anywhere.
    _issue("late", "b", [("2026-03-05", "received")], submitted="2026-03-05",
           feedback={"satisfied": 5, "resolved": True}),
]


def _repo(council: Council, issues: list[Issue] = ISSUES) -> Repository:
    source = SourceFile("x.md", "", "", "", 1, 1)
    return Repository(Path("."), council, issues={i.id: Loaded(source, i) for i in issues})


def _figure(metrics: dict[str, Any], key: str) -> tuple[int, int, float | None]:
    figure = metrics[key]
    assert isinstance(figure, Figure)
    return figure.numerator, figure.denominator, figure.value


def _duration(metrics: dict[str, Any], key: str) -> tuple[float | None, float | None, int]:
    duration = metrics[key]
    assert isinstance(duration, Duration)
    return duration.median, duration.p90, duration.count


@pytest.fixture(scope="module")
def metrics() -> Metrics:
    return compute_metrics(_repo(_council()), TODAY)


def test_overall_rates(metrics: Metrics) -> None:
    overall = metrics.overall
    # Screened in time: aaa1 (4 d), bbb2 (15 d), bbb3 (2 d); late: aaa2 (20 d); overdue and
    # unscreened: aaa4, bbb1; aaa3 not yet due.
    assert _figure(overall, RESPONSE_RATE) == (3, 6, 0.5)
    # aaa1 resolved, bbb2 not; aaa4's feedback is dated after the reference date.
    assert _figure(overall, RESOLUTION_RATE) == (1, 2, 0.5)
    # (3 + 1) + (0 + 2) of 5 + 4 responses.
    assert _figure(overall, SATISFACTION_RATE) == (6, 9, 6 / 9)
    # done, rejected, not_adopted, withdrawn of the 7 submitted by the reference date.
    assert _figure(overall, CLOSED_RATE) == (4, 7, 4 / 7)


def test_overall_durations(metrics: Metrics) -> None:
    overall = metrics.overall
    # Screening days 2, 4, 15, 20: median 9.5; nearest rank ⌈0.9 × 4⌉ = 4th → 20.
    assert _duration(overall, DAYS_TO_SCREENING) == (9.5, 20.0, 4)
    # Decision days 19 (decided) and 31 (not adopted).
    assert _duration(overall, DAYS_TO_DECISION) == (25.0, 31.0, 2)
    # Closing days 2, 20, 31, 40.
    assert _duration(overall, DAYS_TO_CLOSING) == (25.5, 40.0, 4)


def test_by_community(metrics: Metrics) -> None:
    a, b, c = (metrics.by_community[s] for s in ("a", "b", "c"))
    assert _figure(a, RESPONSE_RATE) == (1, 3, 1 / 3)
    assert _figure(b, RESPONSE_RATE) == (2, 3, 2 / 3)
    assert _figure(a, SATISFACTION_RATE) == (4, 5, 0.8)
    assert _figure(b, SATISFACTION_RATE) == (2, 4, 0.5)
    assert _figure(a, RESOLUTION_RATE) == (1, 1, 1.0)
    assert _figure(b, RESOLUTION_RATE) == (0, 1, 0.0)
    assert _figure(a, CLOSED_RATE) == (2, 4, 0.5)
    assert _figure(b, CLOSED_RATE) == (2, 3, 2 / 3)
    assert _duration(a, DAYS_TO_SCREENING) == (12.0, 20.0, 2)
    assert _duration(b, DAYS_TO_CLOSING) == (16.5, 31.0, 2)
    # A community without issues: nothing to divide, no value.
    assert _figure(c, RESPONSE_RATE) == (0, 0, None)
    assert _duration(c, DAYS_TO_DECISION) == (None, None, 0)
    assert c[RESPONSE_RATE].percent == "—"  # type: ignore[union-attr]


def test_basically_satisfied_per_council_setting() -> None:
    strict = compute_metrics(_repo(_council(count_basically_satisfied=False)), TODAY)
    assert _figure(strict.overall, SATISFACTION_RATE) == (3, 9, 3 / 9)
    assert "不计入" in strict.overall[SATISFACTION_RATE].method


def test_every_metric_has_label_and_method(metrics: Metrics) -> None:
    assert list(metrics.overall) == [*FIGURE_KEYS, *DURATION_KEYS]
    assert set(metrics.by_community) == {"a", "b", "c"}
    for metric in metrics.overall.values():
        assert metric.label.endswith(("率", "用时"))
        assert "÷" in metric.method or "中位数" in metric.method
    assert "15 天" in metrics.overall[RESPONSE_RATE].method
    assert "基本满意" in metrics.overall[SATISFACTION_RATE].method
    assert metrics.overall[RESPONSE_RATE].percent == "50.0%"  # type: ignore[union-attr]


def test_metrics_move_with_the_reference_date() -> None:
    later = compute_metrics(_repo(_council()), dt.date(2026, 4, 10))
    # aaa4 is screened late (90 days) and its feedback now counts; "late" is submitted, and
    # it and aaa3 are now overdue: 5 screened (3 in time) + 3 overdue.
    assert _figure(later.overall, RESOLUTION_RATE) == (3, 4, 0.75)
    assert _figure(later.overall, RESPONSE_RATE) == (3, 8, 3 / 8)
    assert _figure(later.overall, CLOSED_RATE) == (4, 8, 0.5)


@pytest.mark.parametrize(("values", "percent", "expected"), [
    ([], 90, None),
    ([7], 90, 7.0),
    (list(range(1, 11)), 90, 9.0),
    (list(range(1, 11)), 50, 5.0),
    (list(range(1, 71)), 90, 63.0),  # 0.9 × 70 in floating point is 63.000…01, not 64
    ([5, 1, 3], 90, 5.0),
])
def test_percentile_nearest_rank(values: list[int], percent: int, expected: float | None) -> None:
    assert percentile(values, percent) == expected


def test_status_on() -> None:
    issue = ISSUES[3]
    assert status_on(issue, dt.date(2025, 12, 31)) is None
    assert status_on(issue, TODAY) is Status.RECEIVED
    assert status_on(issue, dt.date(2026, 4, 1)) is Status.ACCEPTED


def test_demo_repository_metrics() -> None:
    repo = load_repository(Path(__file__).resolve().parents[1])
    assert repo.council is not None
    metrics = compute_metrics(repo, dt.date(2026, 11, 24))
    assert set(metrics.by_community) == {c.slug for c in repo.council.communities}
    closed = metrics.overall[CLOSED_RATE]
    assert isinstance(closed, Figure) and closed.denominator == len(repo.issues)
    per_community = sum(
        m[CLOSED_RATE].denominator for m in metrics.by_community.values()  # type: ignore[union-attr]
    )
    assert per_community == len(repo.issues)


def test_metrics_need_a_council() -> None:
    with pytest.raises(CouncilError, match=r"council\.yml"):
        compute_metrics(Repository(Path("."), None), TODAY)
