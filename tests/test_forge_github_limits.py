"""GitHub's limits: Retry-After, rate-limit resets, 5xx, slow answers, and our own budget."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from yishi.errors import ForgeRetryable
from yishi.forges.base import Proposal
from yishi.forges.github import GithubForge
from yishi.forges.ratelimit import RequestBudget
from yishi.testing.github_standin import GithubStandin, RecordedRequest

TOKEN = "ghp_limitsTestToken0123456789"
START = 1_700_000_000.0


class FakeClock:
    """Wall-clock seconds that only move when a test says so."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def standin(clock: FakeClock) -> Iterator[GithubStandin]:
    with GithubStandin("council/records", token=TOKEN, clock=clock) as server:
        yield server


def make_forge(
    standin: GithubStandin, clock: FakeClock, budget: RequestBudget | None = None, timeout: int = 15
) -> GithubForge:
    return GithubForge(
        repo="council/records",
        token=TOKEN,
        api_url=standin.api_url,
        budget=budget or RequestBudget(per_minute=1000, per_hour=10000, clock=clock),
        clock=clock,
        timeout=timeout,
    )


@pytest.fixture
def forge(standin: GithubStandin, clock: FakeClock) -> Iterator[GithubForge]:
    made = make_forge(standin, clock)
    yield made
    made.close()


def proposal(issue_id: str) -> Proposal:
    """A proposal with its record only."""
    record = f"---\nid: {issue_id}\ntitle: 楼道灯不亮\n---\n\n楼道灯坏了。\n"
    return Proposal(
        issue_id=issue_id,
        title=f"提案 {issue_id}",
        body="#### 筛选清单\n\n- [ ] 公共性\n",
        files={f"content/issues/{issue_id}.md": record.encode()},
        commit_message=f"Add proposal {issue_id}\n",
        labels=("proposal", "dongsi", "public-space"),
    )


def pull_requests_for(standin: GithubStandin, issue_id: str) -> int:
    return sum(1 for p in standin.pulls if p.head == f"proposal/{issue_id}")


def test_secondary_limit_retry_after_is_honoured_without_contacting_github(
    standin: GithubStandin, forge: GithubForge, clock: FakeClock
) -> None:
    standin.secondary_limit("POST", r"/pulls$", retry_after=90)

    with pytest.raises(ForgeRetryable) as limited:
        forge.open_proposal(proposal("2024-0312-aaaa"))
    assert limited.value.retry_after == 90
    assert "secondary rate limit" in str(limited.value)

    # Meanwhile every call is refused at once, reads included, and GitHub hears nothing.
    seen = len(standin.requests)
    clock.advance(89)
    with pytest.raises(ForgeRetryable) as waiting:
        forge.find_proposal("2024-0312-aaaa")
    assert waiting.value.retry_after == pytest.approx(1)
    assert len(standin.requests) == seen

    clock.advance(1)
    forge.open_proposal(proposal("2024-0312-aaaa"))
    assert pull_requests_for(standin, "2024-0312-aaaa") == 1


@pytest.mark.parametrize(
    ("status", "headers", "message", "expected"),
    [
        (429, {"Retry-After": "30"}, "Too Many Requests", 30),
        (403, {}, "You have exceeded a secondary rate limit. Please wait.", 60),
        (429, {}, "Too Many Requests", 60),
    ],
    ids=["429-retry-after", "403-secondary-no-header", "429-no-header"],
)
def test_other_shapes_of_secondary_limit_wait_as_github_advises(
    standin: GithubStandin,
    forge: GithubForge,
    status: int,
    headers: dict[str, str],
    message: str,
    expected: float,
) -> None:
    standin.inject("POST", r"/git/trees$", status=status, headers=headers, message=message)
    with pytest.raises(ForgeRetryable) as limited:
        forge.open_proposal(proposal("2024-0312-aaaa"))
    assert limited.value.retry_after == expected


def test_primary_limit_waits_for_the_reset(
    standin: GithubStandin, forge: GithubForge, clock: FakeClock
) -> None:
    standin.exhaust_primary(reset_in=300)

    with pytest.raises(ForgeRetryable) as limited:
        forge.open_proposal(proposal("2024-0312-aaaa"))
    assert limited.value.retry_after == pytest.approx(300, abs=1)
    assert "API limit" in str(limited.value)

    clock.advance(301)
    forge.open_proposal(proposal("2024-0312-aaaa"))
    assert pull_requests_for(standin, "2024-0312-aaaa") == 1


def test_server_errors_back_off_exponentially_then_recover(
    standin: GithubStandin, forge: GithubForge
) -> None:
    standin.inject("GET", r"/pulls$", status=502, times=3)
    waits = []
    for _ in range(3):
        with pytest.raises(ForgeRetryable) as failed:
            forge.open_proposal(proposal("2024-0312-aaaa"))
        waits.append(failed.value.retry_after)
    assert waits == [5, 10, 20]

    forge.open_proposal(proposal("2024-0312-aaaa"))
    standin.inject("GET", r"/pulls$", status=500)
    with pytest.raises(ForgeRetryable) as failed:
        forge.find_proposal("2024-0312-aaaa")
    assert failed.value.retry_after == 5  # a success started the count afresh
    assert pull_requests_for(standin, "2024-0312-aaaa") == 1


def test_a_slow_answer_is_a_timeout_and_the_retry_does_not_double(
    standin: GithubStandin, clock: FakeClock
) -> None:
    forge = make_forge(standin, clock, timeout=1)
    # GitHub creates the branch but answers too late: we never hear that it did.
    standin.inject("POST", r"/git/refs$", status=None, after=True, delay=1.6)
    with pytest.raises(ForgeRetryable) as slow:
        forge.open_proposal(proposal("2024-0312-aaaa"))
    assert "timed out" in str(slow.value)
    assert slow.value.retry_after == 5

    forge.open_proposal(proposal("2024-0312-aaaa"))
    forge.close()
    assert standin.commits_ahead("proposal/2024-0312-aaaa") == 1
    assert pull_requests_for(standin, "2024-0312-aaaa") == 1


def test_a_slow_answer_within_the_timeout_is_just_slow(
    standin: GithubStandin, forge: GithubForge
) -> None:
    standin.inject("POST", r"/pulls$", status=None, delay=0.3)
    forge.open_proposal(proposal("2024-0312-aaaa"))
    assert pull_requests_for(standin, "2024-0312-aaaa") == 1


def test_unreachable_github_is_retryable(clock: FakeClock) -> None:
    with GithubStandin(token=TOKEN) as gone:
        api_url = gone.api_url  # a port nobody listens on once it stops
    forge = GithubForge(repo="council/records", token=TOKEN, api_url=api_url, clock=clock)
    with pytest.raises(ForgeRetryable, match="could not be reached"):
        forge.find_proposal("2024-0312-aaaa")
    forge.close()


def max_in_window(requests: list[RecordedRequest], seconds: float) -> int:
    """The most requests found in any ``seconds``-long window."""
    times = sorted(r.at for r in requests)
    return max(
        (sum(1 for t in times if start <= t < start + seconds) for start in times), default=0
    )


def test_the_budget_caps_content_creation_at_the_configured_rates(
    standin: GithubStandin, clock: FakeClock
) -> None:
    # GitHub's own limit scaled down: the stand-in refuses a burst over 10 a minute, so
    # any overshoot by the forge would show as a 403 below.
    standin.secondary_per_minute = 10
    budget = RequestBudget(per_minute=10, per_hour=25, clock=clock)
    forge = make_forge(standin, clock, budget=budget)
    queue = [f"2024-0312-{s}" for s in ("aaaa", "bbbb", "cccc", "dddd", "eeee", "ffff", "gggg")]
    waits = []
    while queue:
        try:
            forge.open_proposal(proposal(queue[0]))
        except ForgeRetryable as wait:  # the worker would do other work; we skip ahead
            assert wait.retry_after is not None and wait.retry_after > 0
            waits.append(wait.retry_after)
            clock.advance(wait.retry_after)
        else:
            queue.pop(0)
            clock.advance(1)
    forge.close()

    writes = standin.content_requests()
    assert [r for r in standin.requests if r.status == 403] == []
    assert max_in_window(writes, 60) <= 10
    assert max_in_window(writes, 3600) <= 25
    # Labels made once; then tree, commit, ref, PR, labels each: nothing made twice.
    assert len(writes) == 3 + 7 * 5
    assert any(w > 60 for w in waits)  # the hourly cap was met, not only the minute's
    assert len(standin.pulls) == 7
    assert len({p.head for p in standin.pulls}) == 7
    assert all(standin.commits_ahead(p.head) == 1 for p in standin.pulls)


def test_the_last_request_of_the_hour_pauses_us_before_a_403(clock: FakeClock) -> None:
    with GithubStandin(token=TOKEN, clock=clock, rate_limit=2) as standin:
        forge = make_forge(standin, clock)
        assert forge.find_proposal("2024-0312-aaaa") is None  # the repository, then the pulls
        seen = len(standin.requests)

        with pytest.raises(ForgeRetryable) as waiting:
            forge.find_proposal("2024-0312-aaaa")
        forge.close()
    assert waiting.value.retry_after == pytest.approx(3600)
    assert len(standin.requests) == seen  # GitHub was not asked
