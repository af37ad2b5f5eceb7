"""Ordered schema migrations for a SQLite file, numbered by its ``PRAGMA user_version``.

The intake store and the desk's database both keep their schema this way: each migration
is applied once, in order, in one ``BEGIN IMMEDIATE`` transaction with the version it
brings the file to, and the version is read again inside that transaction, so two
processes starting at once (the service and the worker, the desk and its command line)
apply every migration exactly once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager


@contextmanager
def immediate_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A write transaction that takes the lock at once, so read-then-write is atomic
    (the connection must be in autocommit mode: ``isolation_level=None``)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def use_wal(conn: sqlite3.Connection, wait: float = 30.0) -> None:
    """Put the file in write-ahead-log mode (it persists), waiting out other openers.

    Switching the journal mode needs the file to itself, and SQLite answers "database is
    locked" at once, without its busy handler, while another process is opening it: the
    service and its worker, or the desk and its command line, starting together.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version the file is at (0: never migrated)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def apply_migrations(conn: sqlite3.Connection, migrations: Sequence[str],
                     too_new: Callable[[int], Exception]) -> int:
    """Bring the file to version ``len(migrations)``; returns the version it was at.

    A file at a higher version was written by a newer release: ``too_new(version)`` is
    raised and the file is left untouched.
    """
    start = schema_version(conn)
    if start > len(migrations):
        raise too_new(start)
    while True:
        with immediate_transaction(conn):
            found = schema_version(conn)
            if found > len(migrations):
                raise too_new(found)
            if found == len(migrations):
                return start
            for statement in migrations[found].split(";"):
                if statement.strip():
                    conn.execute(statement)
            # user_version lives in the file header: it commits with the migration or not
            # at all. PRAGMA takes no parameters; the value is our own integer.
            conn.execute(f"PRAGMA user_version = {found + 1}")
