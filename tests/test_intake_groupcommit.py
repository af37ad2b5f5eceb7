"""Group commit: admissions arriving together share one transaction, each is answered only
after that transaction is on disk, and each is decided as if it came alone."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import Future, wait
from pathlib import Path

import pytest

from intake_support import form, make_records_repo
from yishi.council import Council, load_council
from yishi.intake.abuse import RateLimit
from yishi.intake.groupcommit import GroupCommitter
from yishi.intake.store import Admission, Admitted, Limited, Store, StoreError
from yishi.intake.submission import parse_submission


@pytest.fixture
def council(tmp_path: Path) -> Council:
    return load_council(make_records_repo(tmp_path / "records"))


class Ids:
    """Ids 2024-0312-0000, -0001, ... (one source shared by every admission of a test)."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"2024-0312-{self.n:04d}"


def admission(council: Council, n: int, ids: Ids, *, client: str | None = None,
              title: str | None = None, limit: RateLimit | None = None) -> Admission:
    submission = parse_submission(form(title=title or f"提案第 {n} 号"), council)
    return Admission(submission, [], client=client or f"client-{n}", now=1_700_000_000.0 + n,
                     new_id=ids, limit=limit or RateLimit())


def stored_ids(db: Path) -> list[str]:
    """The ids in the file, read by a connection of its own (what a crash would leave)."""
    with sqlite3.connect(db) as conn:
        return sorted(row[0] for row in conn.execute("SELECT id FROM submissions"))


def test_concurrent_admissions_wait_for_one_commit_and_are_all_durable(
        tmp_path: Path, council: Council) -> None:
    db = tmp_path / "intake.sqlite3"
    store = Store(db)
    writer = GroupCommitter(store)
    ids = Ids()
    # Another process holds the write lock (the worker, say): nothing can commit meanwhile.
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    futures = [writer.submit(admission(council, n, ids)) for n in range(100)]
    time.sleep(0.3)
    assert not any(f.done() for f in futures), "answered before the commit"
    assert stored_ids(db) == []
    blocker.execute("ROLLBACK")
    blocker.close()

    _, pending = wait(futures, timeout=30)
    assert not pending
    outcomes = [f.result() for f in futures]
    assert all(isinstance(o, Admitted) and not o.duplicate for o in outcomes)
    answered = sorted(o.id for o in outcomes if isinstance(o, Admitted))
    assert len(set(answered)) == 100
    assert stored_ids(db) == answered  # every answered admission is in the file
    # The first admission waited alone for the lock; the 99 behind it went in one group.
    assert writer.commits <= 2 and writer.admissions == 100
    writer.close()
    store.close()


def test_each_admission_of_a_group_sees_the_ones_before_it(
        tmp_path: Path, council: Council) -> None:
    db = tmp_path / "intake.sqlite3"
    store = Store(db)
    ids = Ids()
    limit = RateLimit(2, 600)
    taken_id = "2024-0312-0001"  # what ``ids`` draws first
    group = [
        admission(council, 0, ids, client="a", title="同一个提案"),
        admission(council, 1, ids, client="a", title="同一个提案"),  # duplicate of the first
        admission(council, 2, ids, client="a", title="另一个提案", limit=limit),
        admission(council, 3, ids, client="a", title="第三个提案", limit=limit),  # over 2/600
        # Its id source only ever draws an id already taken in this group.
        Admission(parse_submission(form(title="抽不到编号"), council), [], client="b",
                  now=1_700_000_004.0, new_id=lambda: taken_id, limit=RateLimit()),
        admission(council, 5, ids, client="c"),
    ]
    outcomes = store.admit_all(group)
    first, again, other, limited, no_id, last = outcomes
    assert isinstance(first, Admitted) and first.id == taken_id and not first.duplicate
    assert again == Admitted(first.id, duplicate=True, status=first.status)
    assert isinstance(other, Admitted) and not other.duplicate
    assert isinstance(limited, Limited) and limited.retry_after > 0
    assert isinstance(no_id, StoreError)
    assert isinstance(last, Admitted)
    # The failed one was rolled back alone; the others committed together.
    assert stored_ids(db) == sorted([first.id, other.id, last.id])
    store.close()


def test_a_failing_admission_fails_alone_and_its_waiter_is_told(
        tmp_path: Path, council: Council) -> None:
    db = tmp_path / "intake.sqlite3"
    store = Store(db)
    with sqlite3.connect(db) as conn:
        # A database-level refusal in the middle of a group (standing in for any SQLite
        # error that one admission can hit).
        conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON private WHEN NEW.client = 'bad' "
                     "BEGIN SELECT RAISE(ABORT, 'refused'); END")
    writer = GroupCommitter(store)
    ids = Ids()
    futures: list[Future[Admitted | Limited]] = [
        writer.submit(admission(council, n, ids, client="bad" if n == 2 else None))
        for n in range(5)]
    wait(futures, timeout=30)
    with pytest.raises(StoreError, match="refused"):
        futures[2].result()
    good = [f.result() for n, f in enumerate(futures) if n != 2]
    assert stored_ids(db) == sorted(o.id for o in good if isinstance(o, Admitted))
    assert len(stored_ids(db)) == 4
    writer.close()
    store.close()


def test_when_the_store_fails_every_waiter_gets_the_error_and_the_writer_lives_on(
        tmp_path: Path, council: Council) -> None:
    db = tmp_path / "intake.sqlite3"
    broken = Store(db)
    broken.close()
    writer = GroupCommitter(broken)
    ids = Ids()
    futures = [writer.submit(admission(council, n, ids)) for n in range(3)]
    wait(futures, timeout=30)
    for future in futures:
        with pytest.raises(StoreError):
            future.result()
    # The thread survived: the next admission is still answered (with the same error).
    with pytest.raises(StoreError):
        writer.submit(admission(council, 9, ids)).result(timeout=30)
    writer.close()


def test_close_admits_what_was_queued_then_refuses(tmp_path: Path, council: Council) -> None:
    db = tmp_path / "intake.sqlite3"
    store = Store(db)
    writer = GroupCommitter(store)
    ids = Ids()
    futures = [writer.submit(admission(council, n, ids)) for n in range(20)]
    writer.close()
    assert all(f.done() and isinstance(f.result(), Admitted) for f in futures)
    assert len(stored_ids(db)) == 20
    with pytest.raises(StoreError, match="stopped"):
        writer.submit(admission(council, 21, ids))
    store.close()
