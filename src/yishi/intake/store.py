"""The durable queue: SQLite in WAL mode, written before the service answers 202.

Public data (what will be published) and private data (contact, the client's hashed
address, the text fingerprint for duplicate detection) live in separate tables, so the
private ones can be purged on a schedule without touching the queue.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..errors import YishiError
from ..sqlite_migrations import immediate_transaction, schema_version, use_wal
from .abuse import DUPLICATE_WINDOW, RateLimit
from .migrations import CURRENT_VERSION, StoreVersionError, migrate, too_new
from .submission import Submission


class QueueStatus(StrEnum):
    """Where a submission stands, as its receipt says."""

    QUEUED = "queued"
    PR_OPEN = "pr_open"
    PUBLISHED = "published"
    DECLINED = "declined"
    FAILED_RETRYING = "failed_retrying"


#: Statuses the worker still has to act on (open the proposal).
PENDING = (QueueStatus.QUEUED, QueueStatus.FAILED_RETRYING)

@dataclass(frozen=True)
class Entry:
    """A queued submission's state (never its text or contact)."""

    id: str
    status: QueueStatus
    received_at: float
    attempts: int
    next_attempt_at: float
    last_error: str | None
    permanent_error: bool
    pr_url: str | None
    decline_reason: str | None


@dataclass(frozen=True)
class Admitted:
    """A submission in the queue: new, or the first receipt of a duplicate."""

    id: str
    duplicate: bool = False
    #: Where it stands now (a duplicate's first receipt may have moved on), so the service
    #: answers without reading the entry again.
    status: QueueStatus = QueueStatus.QUEUED


@dataclass(frozen=True)
class Limited:
    """Refused by the rate limit; the client may retry after this many seconds."""

    retry_after: float


class StoreError(YishiError):
    """The store cannot be opened or written."""


@dataclass(frozen=True)
class Admission:
    """One submission to admit, with what deciding on it needs (see :meth:`Store.admit`)."""

    submission: Submission
    photos: list[bytes]
    client: str
    now: float
    new_id: Callable[[], str]
    limit: RateLimit


class PurgeIncomplete(StoreError):
    """The rows are deleted, but a reader kept the WAL from being emptied: copies remain."""

    def __init__(self, path: Path, rows: int) -> None:
        super().__init__(
            f"已删除 {rows} 条私密数据，但有其他连接正在读取存储，{path}-wal 中可能仍留有副本；"
            f"请停止服务和 worker 后再运行一次 purge。Deleted the private data of {rows} "
            f"submission(s), but another connection kept the write-ahead log from being emptied: "
            f"copies may remain in {path}-wal. Stop the service and the worker, then purge again.")
        self.rows = rows


def _owner_only(path: Path) -> None:
    """Create the store file readable by its owner only (SQLite gives its WAL and shared
    memory files the same mode), and tighten a store made before this rule."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError as exc:
        raise StoreError(f"cannot open the intake store {path}: {exc}") from exc
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except OSError:  # not ours to change: SQLite will say if it cannot open it
            pass


def _close_all(connections: list[sqlite3.Connection]) -> None:
    for conn in connections:
        conn.close()


class Store:
    """The intake queue in one SQLite file, shared by the service, the worker and the CLI."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        #: Read-only stores (``intake status``, ``review show``) never create, migrate or
        #: write the file: a missing or outdated store is an error that says what to run.
        self.readonly = readonly
        if readonly and not path.is_file():
            raise StoreError(f"intake 数据库 {path} 不存在(请检查 --db)。"
                             f" / The intake store {path} does not exist (check --db).")
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
            _owner_only(path)
        # One long-lived connection per thread. Opening and closing one per operation made
        # every request pay for a WAL checkpoint (the last connection to close a WAL database
        # checkpoints it, with fsyncs): 30-43 ms an admit instead of a few.
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._finalizer = weakref.finalize(self, _close_all, self._connections)
        with self._connect() as conn:
            try:
                if readonly:
                    self._check_version(conn)
                else:
                    # WAL lets the service write while the worker reads; set once, it persists.
                    use_wal(conn)
                    migrate(conn, path)
            except StoreVersionError as exc:
                self.close()
                raise StoreError(str(exc)) from exc
            except sqlite3.Error as exc:
                self.close()
                raise StoreError(f"cannot open the intake store {path}: {exc}") from exc

    def _check_version(self, conn: sqlite3.Connection) -> None:
        found = schema_version(conn)
        if found > CURRENT_VERSION:
            raise too_new(self.path, found)
        if found != CURRENT_VERSION:
            raise StoreVersionError(
                f"intake 数据库 {self.path} 的结构版本是 {found},本程序需要 {CURRENT_VERSION}:"
                f"运行 `yishi intake work` 或 `yishi intake serve` 会自动升级它。"
                f" / The intake store {self.path} is at schema version {found}, this Yishi "
                f"needs {CURRENT_VERSION}: starting the worker or the service upgrades it.")

    def _open(self) -> sqlite3.Connection:
        try:
            # check_same_thread=False only so close() may close every thread's connection;
            # each connection is otherwise used by the thread that opened it alone.
            if self.readonly:
                conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                       timeout=30, isolation_level=None,
                                       check_same_thread=False)
            else:
                conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                       check_same_thread=False)
            # FULL: in WAL mode, NORMAL survives a crash of the process but may lose the last
            # commits on power loss or a kernel crash; FULL syncs the WAL at every commit, so
            # a submission is on disk before the service answers 202, whatever happens next.
            # The service commits in groups (see groupcommit.py), so one sync serves a burst.
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the intake store {self.path}: {exc}") from exc
        with self._lock:
            if not self._finalizer.alive:
                conn.close()
                raise StoreError(f"the intake store {self.path} is closed")
            self._connections.append(conn)
        return conn

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        yield conn

    def close(self) -> None:
        """Close every thread's connection; the store cannot be used afterwards."""
        with self._lock:
            self._finalizer()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, for reads (the outbox and the ratings share it)."""
        with self._connect() as conn:
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """An IMMEDIATE transaction on this thread's connection, committed on success."""
        with self._transaction() as conn:
            yield conn

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # IMMEDIATE takes the write lock at once, so check-then-insert is atomic.
        with self._connect() as conn, immediate_transaction(conn):
            yield conn

    def setting(self, key: str, make: Callable[[], str] = lambda: secrets.token_urlsafe(32)) -> str:
        """A persistent setting (a secret, a salt), created on first use."""
        with self._transaction() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            if row:
                return str(row[0])
            value = make()
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, value))
            return value

    def forget_setting(self, key: str) -> None:
        """Delete a setting that should no longer be kept (a secret moved out of the store)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM settings WHERE key = ?", (key,))

    def admit(
        self, submission: Submission, photos: list[bytes], *, client: str, now: float,
        new_id: Callable[[], str], limit: RateLimit,
    ) -> Admitted | Limited:
        """Queue a submission unless it duplicates a recent one or the client is over its limit."""
        [outcome] = self.admit_all([Admission(submission, photos, client, now, new_id, limit)])
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def admit_all(
        self, admissions: Sequence[Admission],
    ) -> list[Admitted | Limited | StoreError]:
        """Admit several submissions in one transaction (one sync to disk for all of them).

        Each is decided in turn, seeing the ones before it (a duplicate or a rate limit within
        the group counts), in a savepoint of its own, so one that fails is rolled back alone
        and returned as its error while the others commit. Raises :class:`StoreError` when
        the transaction itself fails: then none of them was admitted.
        """
        outcomes: list[Admitted | Limited | StoreError] = []
        try:
            with self._transaction() as conn:
                for admission in admissions:
                    conn.execute("SAVEPOINT admission")
                    try:
                        outcomes.append(self._admit(conn, admission))
                    except (StoreError, sqlite3.Error) as exc:
                        # When SQLite itself gave up the transaction (disk full, I/O error)
                        # the savepoint is gone too: this raises, and the group fails whole.
                        conn.execute("ROLLBACK TO admission")
                        outcomes.append(exc if isinstance(exc, StoreError) else StoreError(
                            f"cannot admit a submission to {self.path}: {exc}"))
                    conn.execute("RELEASE admission")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot write to the intake store {self.path}: {exc}") from exc
        return outcomes

    def decide(self, submission: Submission, *, client: str, now: float,
               limit: RateLimit) -> Admitted | Limited | None:
        """What admitting would answer, without writing: a duplicate's first receipt, the
        client's limit, or None (it would be queued). The service asks before decoding
        photos, so a limited client costs a query, not a decoder."""
        try:
            with self._connect() as conn:
                return self._decide(conn, submission, client, now, limit)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read the intake store {self.path}: {exc}") from exc

    @staticmethod
    def _decide(conn: sqlite3.Connection, submission: Submission, client: str, now: float,
                limit: RateLimit) -> Admitted | Limited | None:
        fingerprint = submission.fingerprint()
        row = conn.execute(
            "SELECT p.submission_id, s.status FROM private AS p "
            "JOIN submissions AS s ON s.id = p.submission_id "
            "WHERE p.client = ? AND p.fingerprint = ? AND p.received_at >= ? "
            "ORDER BY p.received_at LIMIT 1",
            (client, fingerprint, now - DUPLICATE_WINDOW),
        ).fetchone()
        if row:
            return Admitted(str(row[0]), duplicate=True, status=QueueStatus(row[1]))
        recent = [r[0] for r in conn.execute(
            "SELECT received_at FROM private WHERE client = ? AND received_at > ?",
            (client, now - limit.period))]
        wait = limit.retry_after(recent, now)
        return Limited(wait) if wait is not None else None

    def _admit(self, conn: sqlite3.Connection, admission: Admission) -> Admitted | Limited:
        submission, client, now = admission.submission, admission.client, admission.now
        decided = self._decide(conn, submission, client, now, admission.limit)
        if decided is not None:
            return decided
        fingerprint = submission.fingerprint()
        payload = json.dumps(submission.public(), ensure_ascii=False)
        for _ in range(20):
            issue_id = admission.new_id()
            try:
                conn.execute(
                    "INSERT INTO submissions (id, received_at, status, payload, "
                    "next_attempt_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (issue_id, now, QueueStatus.QUEUED.value, payload, now, now))
                break
            except sqlite3.IntegrityError:
                continue  # the random suffix collided with an earlier id: draw again
        else:
            raise StoreError("could not draw an unused id in 20 tries")
        conn.executemany(
            "INSERT INTO photos (submission_id, position, data) VALUES (?, ?, ?)",
            [(issue_id, n, data) for n, data in enumerate(admission.photos, start=1)])
        conn.execute(
            "INSERT INTO private (submission_id, received_at, client, fingerprint, contact, "
            "notify) VALUES (?, ?, ?, ?, ?, ?)",
            (issue_id, now, client, fingerprint, submission.contact,
             int(submission.notify and bool(submission.contact))))
        return Admitted(issue_id)

    _ENTRY_COLUMNS = ("id, status, received_at, attempts, next_attempt_at, last_error, "
                      "permanent_error, pr_url, decline_reason")

    @staticmethod
    def _entry(row: Any) -> Entry:
        id_, status, received, attempts, next_at, error, permanent, pr_url, reason = row
        return Entry(id_, QueueStatus(status), received, attempts, next_at, error,
                     bool(permanent), pr_url, reason)

    def get(self, issue_id: str) -> Entry | None:
        """The entry with this id, if any."""
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {self._ENTRY_COLUMNS} FROM submissions WHERE id = ?", (issue_id,)
            ).fetchone()
        return self._entry(row) if row else None

    def entries(self, *statuses: QueueStatus) -> list[Entry]:
        """Entries with any of these statuses (all when none given), oldest first."""
        wanted = [s.value for s in statuses or tuple(QueueStatus)]
        marks = ", ".join("?" for _ in wanted)
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT {self._ENTRY_COLUMNS} FROM submissions WHERE status IN ({marks}) "
                "ORDER BY received_at, id", wanted).fetchall()
        return [self._entry(row) for row in rows]

    def counts(self) -> dict[QueueStatus, int]:
        """How many entries are in each status."""
        with self._connect() as conn:
            rows = conn.execute("SELECT status, COUNT(*) FROM submissions GROUP BY status")
            found = {QueueStatus(status): count for status, count in rows}
        return {status: found.get(status, 0) for status in QueueStatus}

    def content(self, issue_id: str) -> tuple[Submission, list[bytes]]:
        """The public submission and its photos, for the worker (never the contact)."""
        with self._connect() as conn:
            row = conn.execute("SELECT payload FROM submissions WHERE id = ?", (issue_id,)).fetchone()
            if row is None:
                raise KeyError(issue_id)
            photos = [r[0] for r in conn.execute(
                "SELECT data FROM photos WHERE submission_id = ? ORDER BY position", (issue_id,))]
        return Submission.from_public(json.loads(row[0])), photos

    def contact(self, issue_id: str) -> str | None:
        """The resident's private contact (for moderators only), unless purged."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT contact FROM private WHERE submission_id = ?", (issue_id,)).fetchone()
        return str(row[0]) if row and row[0] else None

    def notify_wanted(self, issue_id: str) -> bool:
        """Whether the resident opted in to notices (and their contact is still kept)."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT notify FROM private WHERE submission_id = ? AND contact IS NOT NULL",
                (issue_id,)).fetchone()
        return bool(row and row[0])

    def claim_due(self, now: float, lease: float) -> str | None:
        """Lease the oldest pending entry that is due, so two workers never share one."""
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT id FROM submissions WHERE status IN (?, ?) AND next_attempt_at <= ? "
                "AND lease_until <= ? ORDER BY next_attempt_at, received_at LIMIT 1",
                (*[s.value for s in PENDING], now, now)).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE submissions SET lease_until = ? WHERE id = ?", (now + lease, row[0]))
            return str(row[0])

    def next_due(self) -> float | None:
        """When the earliest pending entry is due (and not leased), if any is pending."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT MIN(MAX(next_attempt_at, lease_until)) FROM submissions "
                "WHERE status IN (?, ?)",
                tuple(s.value for s in PENDING)).fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def set_status(
        self, issue_id: str, status: QueueStatus, now: float, *, pr_url: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Record progress; clears the error and the lease."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE submissions SET status = ?, pr_url = COALESCE(?, pr_url), "
                "decline_reason = COALESCE(?, decline_reason), last_error = NULL, "
                "permanent_error = 0, lease_until = 0, updated_at = ? WHERE id = ?",
                (status.value, pr_url, reason, now, issue_id))

    def record_failure(
        self, issue_id: str, error: str, *, now: float, retry_at: float, permanent: bool,
    ) -> None:
        """Note a failed attempt and when to try again."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE submissions SET status = ?, attempts = attempts + 1, last_error = ?, "
                "permanent_error = ?, next_attempt_at = ?, lease_until = 0, updated_at = ? "
                "WHERE id = ?",
                (QueueStatus.FAILED_RETRYING.value, error[:500], int(permanent), retry_at, now,
                 issue_id))

    def defer(self, issue_id: str, reason: str, *, now: float, retry_at: float) -> None:
        """Try again later without counting a failure (the forge asked us to wait)."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE submissions SET last_error = ?, next_attempt_at = ?, lease_until = 0, "
                "updated_at = ? WHERE id = ?", (reason[:500], retry_at, now, issue_id))

    def tracked(self) -> list[tuple[str, str | None]]:
        """Submissions that may be on the main branch, with the record blob last read."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, record_blob FROM submissions WHERE status IN (?, ?) "
                "ORDER BY received_at, id",
                (QueueStatus.PR_OPEN.value, QueueStatus.PUBLISHED.value)).fetchall()
        return [(str(r[0]), r[1]) for r in rows]

    def set_tracking(self, issue_id: str, *, blob: str, status: str,
                     timeline: list[dict[str, str]], closed: bool, now: float) -> None:
        """What the main branch says of the issue (public), and when it was first closed."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE submissions SET record_blob = ?, issue_status = ?, issue_timeline = ?, "
                "closed_at = CASE WHEN ? THEN COALESCE(closed_at, ?) ELSE NULL END "
                "WHERE id = ?",
                (blob, status, json.dumps(timeline, ensure_ascii=False), int(closed), now,
                 issue_id))

    def tracking(self, issue_id: str) -> tuple[str, list[dict[str, str]]] | None:
        """The issue's status and timeline on the main branch, once read."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT issue_status, issue_timeline FROM submissions WHERE id = ?",
                (issue_id,)).fetchone()
        if not row or row[0] is None:
            return None
        return str(row[0]), json.loads(row[1] or "[]")

    def purge(self, older_than: float, *, wait: float = 5.0) -> int:
        """Delete private data older than ``older_than``; returns how many rows went.

        A resident who opted in to notices keeps their contact until the issue is closed:
        for them the age counts from the closing. Their notices and the comments of the
        issue's ratings go with it (the counts stay: they are published feedback).

        Raises :class:`PurgeIncomplete` when, after ``wait`` seconds of retrying, a reader
        still keeps the write-ahead log (which holds copies of the deleted rows) from being
        emptied."""
        with self._connect() as conn:
            # secure_delete overwrites the freed pages, and the checkpoint empties the WAL,
            # so the purged contacts are not left readable in the file.
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("BEGIN IMMEDIATE")
            try:
                gone = [str(r[0]) for r in conn.execute(
                    "SELECT p.submission_id FROM private AS p "
                    "JOIN submissions AS s ON s.id = p.submission_id "
                    "WHERE (p.notify = 0 AND p.received_at < ?) "
                    "OR (p.notify = 1 AND s.closed_at IS NOT NULL AND s.closed_at < ?) "
                    # Declined before it was ever published: closed when it was declined.
                    "OR (p.notify = 1 AND s.status = ? AND s.updated_at < ?)",
                    (older_than, older_than, QueueStatus.DECLINED.value, older_than))]
                marks = ", ".join("?" for _ in gone)
                conn.execute(f"DELETE FROM outbox WHERE submission_id IN ({marks})", gone)
                conn.execute(f"UPDATE ratings SET comment = NULL WHERE submission_id IN ({marks})",
                             gone)
                conn.execute(f"DELETE FROM private WHERE submission_id IN ({marks})", gone)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            rows = len(gone)
            deadline = time.monotonic() + wait
            # TRUNCATE waits for readers through the busy handler: keep each wait short.
            conn.execute("PRAGMA busy_timeout = 200")
            try:
                while True:
                    busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
                    if not busy:
                        return rows
                    if time.monotonic() >= deadline:
                        raise PurgeIncomplete(self.path, rows)
                    time.sleep(0.1)
            finally:
                conn.execute("PRAGMA busy_timeout = 30000")
