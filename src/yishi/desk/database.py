"""The desk's SQLite file: accounts, sessions, login failures and the audit log.

It lives outside the records repository (it holds password hashes) and is created readable
by its owner only. ``PRAGMA user_version`` is the schema version; :data:`MIGRATIONS` are
applied in order, each in its own transaction, so a file made by an older desk is upgraded
in place the first time a newer one opens it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import YishiError
from ..sqlite_migrations import (
    apply_migrations,
    immediate_transaction,
    schema_version,
    use_wal,
)


class DeskStoreError(YishiError):
    """The desk's database cannot be opened, upgraded or written."""


#: Ordered schema migrations: entry n brings a file from version n to n + 1.
MIGRATIONS: tuple[str, ...] = (
    # 1: accounts, server-side sessions, login failures, the audit log, settings.
    """
    CREATE TABLE accounts (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        approver INTEGER NOT NULL DEFAULT 0,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        account TEXT NOT NULL REFERENCES accounts (name),
        csrf TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE INDEX sessions_account ON sessions (account);
    CREATE TABLE login_failures (key TEXT NOT NULL, at REAL NOT NULL);
    CREATE INDEX login_failures_key ON login_failures (key, at);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at REAL NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: the changes the desk sent to the forge, so 待办 can tell whose change is whose
    # and the issue page can show a change's status after the form is gone.
    """
    CREATE TABLE changes (
        id TEXT PRIMARY KEY,
        operation TEXT NOT NULL,
        subject TEXT NOT NULL,
        summary TEXT NOT NULL,
        preview TEXT NOT NULL DEFAULT '',
        paths TEXT NOT NULL DEFAULT '',
        requested_by TEXT NOT NULL,
        created_at REAL NOT NULL,
        url TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'open',
        decided_by TEXT NOT NULL DEFAULT '',
        decided_at REAL
    );
    CREATE INDEX changes_state ON changes (state, created_at);
    """,
    # 3: why a session ended (expired, logged out, account disabled or reset), kept for a
    # while by the session's digest so the login page can tell its holder.
    """
    CREATE TABLE ended_sessions (
        id TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        ended_at REAL NOT NULL
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


class Database:
    """One SQLite file shared by the desk's service and its command line."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Created 0600 before SQLite writes a byte: password hashes are private. Another
            # process (the desk, its command line) may have created it a moment ago.
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError as exc:
            raise DeskStoreError(f"无法创建议事台数据库 {path}: {exc.strerror}") from exc
        self._migrate()

    def _open(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            use_wal(conn)
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            raise DeskStoreError(f"无法打开议事台数据库 {self.path}: {exc}") from exc
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the lock at once, so read-then-write is atomic."""
        with immediate_transaction(self.conn) as conn:
            yield conn

    def version(self) -> int:
        """The file's schema version."""
        return schema_version(self.conn)

    def _migrate(self) -> None:
        apply_migrations(self.conn, MIGRATIONS, lambda current: DeskStoreError(
            f"议事台数据库 {self.path} 的版本({current})比本程序({SCHEMA_VERSION})新,"
            "请升级 Yishi 后再打开"))

    def setting(self, key: str) -> str:
        """A persistent secret, created on first use (the cookie-signing key)."""
        with self.transaction() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
            if row:
                return str(row[0])
            value = secrets.token_urlsafe(32)
            conn.execute("INSERT INTO settings (key, value) VALUES (?, ?)", (key, value))
            return value
