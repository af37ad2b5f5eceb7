"""The worker and the local forge: idempotent steps, resumable after a crash, retries."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_support import Clock, Suffixes, form, git, make_records_repo
from yishi.checks import run_checks
from yishi.council import Council, load_council
from yishi.errors import ForgeError, ForgeRetryable
from yishi.forges.base import Proposal, ProposalRef, ProposalState
from yishi.forges.local import LocalForge
from yishi.intake.abuse import RateLimit
from yishi.intake.proposal import build_proposal
from yishi.intake.store import Admitted, QueueStatus, Store
from yishi.intake.submission import parse_submission
from yishi.intake.worker import Backoff, Worker
from yishi.loading import load_repository


def queue(store: Store, council: Council, clock: Clock, suffixes: Suffixes, n: int,
          **fields: str) -> list[str]:
    """Put ``n`` valid submissions in the store; returns their ids."""
    ids = []
    for i in range(n):
        submission = parse_submission(form(title=f"提案 {i}", **fields), council)
        admitted = store.admit(submission, [], client=f"client-{i}", now=clock().timestamp(),
                               new_id=lambda: f"2024-0312-{suffixes(4)}", limit=RateLimit())
        assert isinstance(admitted, Admitted)
        ids.append(admitted.id)
    return ids


def branches(repo: Path) -> list[str]:
    return git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/proposal/").split()


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Store, Council, Clock]:
    repo = make_records_repo(tmp_path / "records")
    return repo, Store(tmp_path / "intake.sqlite3"), load_council(repo), Clock()


def test_worker_opens_one_branch_per_submission(setup: tuple[Path, Store, Council, Clock]) -> None:
    repo, store, council, clock = setup
    ids = queue(store, council, clock, Suffixes(), 3)
    head_before = git(repo, "rev-parse", "HEAD")
    status_before = git(repo, "status", "--porcelain")
    assert Worker(store, LocalForge(repo), council, clock).drain() == 3
    assert branches(repo) == [f"proposal/{i}" for i in ids]
    for issue_id in ids:
        assert git(repo, "rev-list", "--count", f"main..proposal/{issue_id}").strip() == "1"
        files = git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", f"proposal/{issue_id}")
        assert files.split() == [f"content/issues/{issue_id}.md"]
        entry = store.get(issue_id)
        assert entry and entry.status is QueueStatus.PR_OPEN and entry.pr_url == f"proposal/{issue_id}"
    # Plumbing only: main, the index and the working tree are as they were.
    assert git(repo, "rev-parse", "HEAD") == head_before
    assert git(repo, "status", "--porcelain") == status_before


def test_open_proposal_twice_leaves_one_branch(setup: tuple[Path, Store, Council, Clock]) -> None:
    repo, store, council, clock = setup
    [issue_id] = queue(store, council, clock, Suffixes(), 1)
    submission, photos = store.content(issue_id)
    proposal = build_proposal(issue_id, submission, photos, council)
    forge = LocalForge(repo)
    first = forge.open_proposal(proposal)
    commit = git(repo, "rev-parse", f"proposal/{issue_id}")
    second = forge.open_proposal(proposal)
    assert first == second == ProposalRef(issue_id, f"proposal/{issue_id}", ProposalState.OPEN)
    assert git(repo, "rev-parse", f"proposal/{issue_id}") == commit


def test_crash_after_the_branch_before_the_store_is_resumed(
        setup: tuple[Path, Store, Council, Clock]) -> None:
    """The branch exists but the store still says queued (killed between the two)."""
    repo, store, council, clock = setup
    [issue_id] = queue(store, council, clock, Suffixes(), 1)
    submission, photos = store.content(issue_id)
    LocalForge(repo).open_proposal(build_proposal(issue_id, submission, photos, council))
    assert store.get(issue_id).status is QueueStatus.QUEUED  # type: ignore[union-attr]
    Worker(store, LocalForge(repo), council, clock).drain()
    assert branches(repo) == [f"proposal/{issue_id}"]
    assert store.get(issue_id).status is QueueStatus.PR_OPEN  # type: ignore[union-attr]


class FlakyForge:
    """A forge that fails as told, then delegates to a real one."""

    name = "flaky"

    def __init__(self, inner: LocalForge, failures: list[Exception]) -> None:
        self.inner = inner
        self.failures = failures
        self.calls = 0

    def find_proposal(self, issue_id: str) -> ProposalRef | None:
        return self.inner.find_proposal(issue_id)

    def open_proposal(self, proposal: Proposal) -> ProposalRef:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return self.inner.open_proposal(proposal)


def test_failures_back_off_and_are_visible(setup: tuple[Path, Store, Council, Clock]) -> None:
    repo, store, council, clock = setup
    [issue_id] = queue(store, council, clock, Suffixes(), 1)
    forge = FlakyForge(LocalForge(repo), [ForgeRetryable("502 Bad Gateway"), OSError("timed out")])
    worker = Worker(store, forge, council, clock, backoff=Backoff(base=10, factor=2, cap=100))
    worker.drain()
    entry = store.get(issue_id)
    assert entry and entry.status is QueueStatus.FAILED_RETRYING and entry.attempts == 1
    assert entry.last_error == "ForgeRetryable: 502 Bad Gateway"
    assert entry.next_attempt_at == clock().timestamp() + 10
    assert worker.drain() == 0  # not due yet
    clock.advance(10)
    worker.drain()
    entry = store.get(issue_id)
    assert entry and entry.attempts == 2 and entry.next_attempt_at == clock().timestamp() + 20
    clock.advance(20)
    worker.drain()
    entry = store.get(issue_id)
    assert entry and entry.status is QueueStatus.PR_OPEN and entry.last_error is None
    assert forge.calls == 3 and branches(repo) == [f"proposal/{issue_id}"]


def test_retry_after_is_honoured_and_pauses_everything(
        setup: tuple[Path, Store, Council, Clock]) -> None:
    repo, store, council, clock = setup
    first, second = queue(store, council, clock, Suffixes(), 2)
    forge = FlakyForge(LocalForge(repo), [ForgeRetryable("secondary rate limit", retry_after=90)])
    worker = Worker(store, forge, council, clock)
    worker.drain()
    assert forge.calls == 1  # the second entry was not even tried while paused
    entry = store.get(first)
    # Asked to wait is not a failure: the receipt still says queued.
    assert entry and entry.status is QueueStatus.QUEUED and entry.attempts == 0
    assert entry.next_attempt_at == clock().timestamp() + 90 and "secondary" in (entry.last_error or "")
    clock.advance(89)
    assert worker.drain() == 0
    clock.advance(1)
    assert worker.drain() == 2
    assert branches(repo) == [f"proposal/{first}", f"proposal/{second}"]


def test_permanent_errors_wait_longest_and_run_once_exits_1(
        setup: tuple[Path, Store, Council, Clock]) -> None:
    repo, store, council, clock = setup
    [issue_id] = queue(store, council, clock, Suffixes(), 1)
    forge = FlakyForge(LocalForge(repo), [ForgeError("403 Resource not accessible by integration")])
    worker = Worker(store, forge, council, clock, backoff=Backoff(cap=3600))
    assert worker.run(once=True, sleep=clock.advance) == 1
    entry = store.get(issue_id)
    assert entry and entry.permanent_error and entry.next_attempt_at == clock().timestamp() + 3600


def test_run_once_follows_proposals_to_published_and_declined(
        setup: tuple[Path, Store, Council, Clock]) -> None:
    repo, store, council, clock = setup
    merged, declined, still_open = queue(store, council, clock, Suffixes(), 3)
    forge = LocalForge(repo)
    worker = Worker(store, forge, council, clock)
    assert worker.run(once=True, sleep=clock.advance) == 0
    forge.approve(merged)
    forge.decline(declined)
    assert worker.run(once=True, sleep=clock.advance) == 0
    assert [store.get(i).status for i in (merged, declined, still_open)] == [  # type: ignore[union-attr]
        QueueStatus.PUBLISHED, QueueStatus.DECLINED, QueueStatus.PR_OPEN]
    # A declined proposal is not proposed again, and is out of the branch list.
    assert branches(repo) == [f"proposal/{still_open}"]
    assert forge.find_proposal(declined) == ProposalRef(declined, f"proposal/{declined}",
                                                        ProposalState.CLOSED)
    assert run_checks(load_repository(repo)) == []


def test_approve_when_main_is_not_checked_out(tmp_path: Path) -> None:
    source = make_records_repo(tmp_path / "source")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(source), str(bare))
    store, council, clock = Store(tmp_path / "db.sqlite3"), load_council(source), Clock()
    [issue_id] = queue(store, council, clock, Suffixes(), 1)
    forge = LocalForge(bare)
    Worker(store, forge, council, clock).drain()
    forge.approve(issue_id)
    assert git(bare, "cat-file", "-t", f"main:content/issues/{issue_id}.md").strip() == "blob"
    assert git(bare, "rev-list", "--count", "--merges", "main").strip() == "1"
    assert forge.find_proposal(issue_id).state is ProposalState.MERGED  # type: ignore[union-attr]


def test_approve_into_a_checked_out_main_updates_the_working_tree(
        setup: tuple[Path, Store, Council, Clock]) -> None:
    repo, store, council, clock = setup
    [issue_id] = queue(store, council, clock, Suffixes(), 1)
    forge = LocalForge(repo)
    Worker(store, forge, council, clock).drain()
    forge.approve(issue_id)
    assert (repo / "content" / "issues" / f"{issue_id}.md").is_file()
    assert git(repo, "status", "--porcelain") == ""


def test_approve_refuses_a_dirty_checked_out_main(
        setup: tuple[Path, Store, Council, Clock]) -> None:
    repo, store, council, clock = setup
    [issue_id] = queue(store, council, clock, Suffixes(), 1)
    forge = LocalForge(repo)
    Worker(store, forge, council, clock).drain()
    council_file = repo / "content" / "council.yml"
    council_file.write_text(council_file.read_text() + "# an edit in progress\n")
    head = git(repo, "rev-parse", "main")
    with pytest.raises(ForgeError, match="uncommitted changes; commit or stash them"):
        forge.approve(issue_id)
    assert git(repo, "rev-parse", "main") == head
    assert "an edit in progress" in council_file.read_text()
    assert branches(repo) == [f"proposal/{issue_id}"]
