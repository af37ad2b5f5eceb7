"""The published metrics (DESIGN.md §8): rates with numerator, denominator and method, and
durations with median and 90th percentile; overall and per community.

Pure functions over a loaded :class:`~yishi.loading.Repository` and a reference date, so the
same figures come out of the site, the exports and the tests. Nothing dated after the
reference date counts: a record is read as it stood on that day.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .council import Council
from .lifecycle import DECISION_REACHED, OPEN311_CLOSED, SCREENED, Status
from .loading import Repository
from .records import Issue

RESPONSE_RATE = "response_rate"
RESOLUTION_RATE = "resolution_rate"
SATISFACTION_RATE = "satisfaction_rate"
CLOSED_RATE = "closed_rate"
DAYS_TO_SCREENING = "days_to_screening"
DAYS_TO_DECISION = "days_to_decision"
DAYS_TO_CLOSING = "days_to_closing"

#: Display order of the metrics.
FIGURE_KEYS = (RESPONSE_RATE, RESOLUTION_RATE, SATISFACTION_RATE, CLOSED_RATE)
DURATION_KEYS = (DAYS_TO_SCREENING, DAYS_TO_DECISION, DAYS_TO_CLOSING)


@dataclass(frozen=True)
class Figure:
    """A rate: ``numerator ÷ denominator``, None when nothing was counted."""

    key: str
    label: str
    numerator: int
    denominator: int
    value: float | None
    method: str

    @property
    def percent(self) -> str:
        """The value as a percentage with one decimal, or an em dash when undefined."""
        return "—" if self.value is None else f"{self.value * 100:.1f}%"


@dataclass(frozen=True)
class Duration:
    """Days from submission to a step: median and 90th percentile over ``count`` issues."""

    key: str
    label: str
    median: float | None
    p90: float | None
    count: int
    method: str


Metric = Figure | Duration


@dataclass(frozen=True)
class Metrics:
    """Every metric, overall and per community slug (every community of the council)."""

    today: dt.date
    overall: dict[str, Metric]
    by_community: dict[str, dict[str, Metric]]


def status_on(issue: Issue, day: dt.date) -> Status | None:
    """The status on ``day``: the last timeline entry dated on or before it."""
    current: Status | None = None
    for entry in issue.timeline:
        if entry.date > day:
            break
        current = entry.status
    return current


def first_reached(issue: Issue, statuses: Iterable[Status], day: dt.date) -> dt.date | None:
    """The date of the first timeline entry, on or before ``day``, into one of ``statuses``."""
    wanted = frozenset(statuses)
    for entry in issue.timeline:
        if entry.date > day:
            return None
        if entry.status in wanted:
            return entry.date
    return None


def percentile(values: list[int], percent: int) -> float | None:
    """Nearest-rank percentile: the smallest value with at least ``percent`` % of the values
    at or below it (easy to recompute by hand from the published data)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-len(ordered) * percent // 100)  # ceil in integers: 0.9 * 70 is 63.000…01
    return float(ordered[max(rank, 1) - 1])


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def response_rate(issues: list[Issue], today: dt.date, days: int) -> Figure:
    """响应率： screened within ``days`` of submission ÷ due for screening."""
    on_time = due = 0
    for issue in issues:
        screened = first_reached(issue, SCREENED, today)
        if screened is not None:
            due += 1
            on_time += (screened - issue.submitted).days <= days
        elif (today - issue.submitted).days > days:
            due += 1
    method = (
        f"提交后 {days} 天内完成筛选（受理、不予受理、合并或撤回）的提案数 ÷ 应筛选的提案数"
        f"（已筛选的提案，加上提交已超过 {days} 天仍未筛选的提案）。"
    )
    return Figure(RESPONSE_RATE, "响应率", on_time, due, _ratio(on_time, due), method)


def resolution_rate(issues: list[Issue], today: dt.date) -> Figure:
    """解决率： the proposer says it is solved ÷ feedback that says whether it is."""
    evaluated = [
        i.feedback.resolved for i in issues
        if i.feedback and i.feedback.resolved is not None and _feedback_counts(i, today)
    ]
    resolved = evaluated.count(True)
    method = "反馈中表示问题已解决的提案数 ÷ 反馈中说明了是否解决的提案数。"
    return Figure(RESOLUTION_RATE, "解决率", resolved, len(evaluated),
                  _ratio(resolved, len(evaluated)), method)


def satisfaction_rate(issues: list[Issue], today: dt.date, council: Council) -> Figure:
    """满意率： satisfied (and, per the council, basically satisfied) ÷ all responses."""
    basic = council.metrics.count_basically_satisfied
    satisfied = responses = 0
    for issue in issues:
        feedback = issue.feedback
        if feedback is None or not _feedback_counts(issue, today):
            continue
        satisfied += feedback.satisfied + (feedback.basically_satisfied if basic else 0)
        responses += feedback.responses
    rule = "计入“满意”" if basic else "不计入“满意”"
    method = (
        f"居民评价中“满意”{'与“基本满意”' if basic else ''}的人数 ÷ 参与评价的总人数"
        f"（满意、基本满意、不满意之和）；“基本满意”{rule}。只给出平均分的评价不计入。"
    )
    return Figure(SATISFACTION_RATE, "满意率", satisfied, responses,
                  _ratio(satisfied, responses), method)


def closed_rate(issues: list[Issue], today: dt.date) -> Figure:
    """结案率： closed issues (Open311 ``closed``) ÷ all issues submitted."""
    closed = sum(1 for i in issues if status_on(i, today) in OPEN311_CLOSED)
    method = (
        "状态为已办结、未受理、未通过、已合并或已撤回（Open311 的 closed）的提案数 "
        "÷ 已提交的全部提案数。"
    )
    return Figure(CLOSED_RATE, "结案率", closed, len(issues), _ratio(closed, len(issues)), method)


def _duration(
    key: str, label: str, issues: list[Issue], statuses: Iterable[Status], today: dt.date,
    step: str, counted: str,
) -> Duration:
    wanted = frozenset(statuses)
    days = [
        (reached - issue.submitted).days
        for issue in issues
        if (reached := first_reached(issue, wanted, today)) is not None
    ]
    method = (
        f"从提交到{step}的天数，只计{counted}的提案；给出中位数和第 90 百分位数"
        "（最近秩法：把天数从小到大排列，取第 ⌈0.9 × 件数⌉ 个）。"
    )
    median = float(statistics.median(days)) if days else None
    return Duration(key, label, median, percentile(days, 90), len(days), method)


def _feedback_counts(issue: Issue, today: dt.date) -> bool:
    feedback = issue.feedback
    return feedback is not None and (feedback.date is None or feedback.date <= today)


def scope_metrics(issues: list[Issue], today: dt.date, council: Council) -> dict[str, Metric]:
    """Every metric over one set of issues, keyed in display order."""
    issues = [i for i in issues if i.submitted <= today]
    figures: list[Metric] = [
        response_rate(issues, today, council.metrics.screening_days),
        resolution_rate(issues, today),
        satisfaction_rate(issues, today, council),
        closed_rate(issues, today),
        _duration(DAYS_TO_SCREENING, "筛选用时", issues, SCREENED, today, "完成筛选", "已筛选"),
        _duration(DAYS_TO_DECISION, "决议用时", issues, DECISION_REACHED, today,
                  "议事会作出决定（已决议或未通过）", "已有决定"),
        _duration(DAYS_TO_CLOSING, "结案用时", issues, OPEN311_CLOSED, today, "结案", "已结案"),
    ]
    return {metric.key: metric for metric in figures}


def compute_metrics(repo: Repository, today: dt.date) -> Metrics:
    """The metrics of ``repo`` as they stood on ``today``."""
    council = repo.require_council()
    issues = [loaded.record for loaded in repo.issues.values()]
    by_community: Mapping[str, list[Issue]] = {
        c.slug: [i for i in issues if i.community == c.slug] for c in council.communities
    }
    return Metrics(
        today,
        scope_metrics(issues, today, council),
        {slug: scope_metrics(group, today, council) for slug, group in by_community.items()},
    )
