"""The content-creation budget: sliding windows, pauses, persistence, with a clock seam."""

from __future__ import annotations

from pathlib import Path

import pytest

from yishi.errors import ForgeError, ForgeRetryable
from yishi.forges.ratelimit import RequestBudget


class FakeClock:
    """Seconds since the epoch that move only when told."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def spend(budget: RequestBudget, times: int) -> None:
    for _ in range(times):
        budget.spend()


def test_defaults_are_githubs_documented_limits() -> None:
    budget = RequestBudget()
    assert [(w.requests, w.seconds) for w in budget.windows] == [(80, 60.0), (500, 3600.0)]


def test_the_minute_window_refuses_with_the_exact_wait() -> None:
    clock = FakeClock()
    budget = RequestBudget(per_minute=3, per_hour=100, clock=clock)
    budget.spend()
    clock.now += 10
    spend(budget, 2)

    with pytest.raises(ForgeRetryable) as refused:
        budget.spend()
    assert refused.value.retry_after == pytest.approx(50)  # the first ages out at +60
    assert budget.spent_in(60) == 3  # a refusal spends nothing

    clock.now += 50
    budget.spend()
    with pytest.raises(ForgeRetryable) as refused:
        budget.spend()
    assert refused.value.retry_after == pytest.approx(10)


def test_the_hour_window_caps_a_steady_trickle() -> None:
    clock = FakeClock()
    budget = RequestBudget(per_minute=10, per_hour=12, clock=clock)
    for _ in range(12):
        budget.spend()
        clock.now += 61  # never more than one a minute
    with pytest.raises(ForgeRetryable) as refused:
        budget.spend()
    # The first request was spent 12 × 61 s ago; it leaves the hour window at +3600.
    assert refused.value.retry_after == pytest.approx(3600 - 12 * 61)
    assert "500" not in str(refused.value) and "12 per hour" in str(refused.value)


def test_check_wants_room_for_a_whole_run_of_requests() -> None:
    clock = FakeClock()
    budget = RequestBudget(per_minute=5, per_hour=100, clock=clock)
    spend(budget, 3)
    budget.check(2)
    with pytest.raises(ForgeRetryable) as refused:
        budget.check(3)
    assert refused.value.retry_after == pytest.approx(60)
    assert budget.wait_time(3) == pytest.approx(60)
    assert budget.spent_in(60) == 3  # checking spends nothing
    with pytest.raises(ForgeError, match="can never fit"):
        budget.check(6)


def test_a_pause_holds_everything_and_is_never_shortened() -> None:
    clock = FakeClock()
    budget = RequestBudget(clock=clock)
    budget.pause_until(clock.now + 120)
    budget.pause_until(clock.now + 30)  # a shorter, later order does not cut the first

    assert budget.paused_for() == pytest.approx(120)
    with pytest.raises(ForgeRetryable) as refused:
        budget.spend()
    assert refused.value.retry_after == pytest.approx(120)

    clock.now += 120
    assert budget.paused_for() == 0
    budget.spend()


def test_a_state_file_carries_the_budget_across_restarts(tmp_path: Path) -> None:
    clock = FakeClock()
    state = tmp_path / "var" / "github-budget.json"
    first = RequestBudget(per_minute=4, per_hour=100, clock=clock, state_file=state)
    spend(first, 3)
    first.pause_until(clock.now + 5)

    restarted = RequestBudget(per_minute=4, per_hour=100, clock=clock, state_file=state)
    assert restarted.spent_in(60) == 3
    assert restarted.paused_for() == pytest.approx(5)
    clock.now += 5
    restarted.spend()
    with pytest.raises(ForgeRetryable):
        first.spend()  # two workers sharing the file share one budget
    assert state.stat().st_mode & 0o077 == 0  # private to its owner


def test_a_damaged_state_file_says_what_to_do(tmp_path: Path) -> None:
    state = tmp_path / "budget.json"
    state.write_text("{not json", encoding="utf-8")
    with pytest.raises(ForgeError, match=r"budget\.json: the request-budget file is damaged"):
        RequestBudget(state_file=state).spend()


def test_limits_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RequestBudget(per_minute=0)
