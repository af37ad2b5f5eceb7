"""The intake store's schema, as ordered migrations numbered by SQLite's ``user_version``.

A deployed store holds residents' private data that cannot be recreated, so the schema
never changes in place: each change is a new migration appended to :data:`MIGRATIONS`,
applied once, in order, in one transaction with the version it brings the file to. The
first one is the schema the store had before it was versioned (version 0), written with
``IF NOT EXISTS`` so that such a file upgrades without losing a row.
"""

from __future__ import annotations

import sqlite3

from ..errors import YishiError
from ..sqlite_migrations import apply_migrations

#: Version 1: the store as released before versioning (submissions, photos, private data).
_BASELINE = """
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    received_at REAL NOT NULL,
    status TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    permanent_error INTEGER NOT NULL DEFAULT 0,
    pr_url TEXT,
    decline_reason TEXT,
    lease_until REAL NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_due ON submissions (status, next_attempt_at);
CREATE TABLE IF NOT EXISTS photos (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    position INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (submission_id, position)
);
CREATE TABLE IF NOT EXISTS private (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    received_at REAL NOT NULL,
    client TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    contact TEXT
);
CREATE INDEX IF NOT EXISTS private_client ON private (client, received_at);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

#: Version 2: closing the loop with residents. The opt-in to notices (private, beside the
#: contact); what the main branch says of the issue (public: status, timeline, closing
#: time, for the receipt and the retention clock); the outbox of notices; the ratings.
_NOTICES = """
ALTER TABLE private ADD COLUMN notify INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN issue_status TEXT;
ALTER TABLE submissions ADD COLUMN issue_timeline TEXT;
ALTER TABLE submissions ADD COLUMN record_blob TEXT;
ALTER TABLE submissions ADD COLUMN closed_at REAL;
CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    step TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    queued_at REAL NOT NULL,
    sent_at REAL,
    UNIQUE (submission_id, step)
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE TABLE ratings (
    id TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    issue_id TEXT NOT NULL,
    invitee TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL,
    satisfaction TEXT,
    resolved INTEGER,
    comment TEXT,
    UNIQUE (submission_id, invitee)
);
CREATE INDEX ratings_issue ON ratings (issue_id, used_at);
"""

#: Every migration in order; migration ``n`` (1-based) brings a file to version ``n``.
MIGRATIONS: tuple[str, ...] = (_BASELINE, _NOTICES)
CURRENT_VERSION = len(MIGRATIONS)


class StoreVersionError(YishiError):
    """The store file was written by a newer Yishi (or is an older one opened read-only)."""


def too_new(path: object, found: int) -> StoreVersionError:
    """The error for a store a newer release wrote: this one must not touch it."""
    return StoreVersionError(
        f"intake 数据库 {path} 的结构版本是 {found},比本程序支持的 {CURRENT_VERSION} 新:"
        f"请升级 Yishi 后再使用它(不要用旧版本打开,以免损坏数据)。"
        f" / The intake store {path} is at schema version {found}, newer than this Yishi "
        f"supports ({CURRENT_VERSION}): upgrade Yishi.")


def migrate(conn: sqlite3.Connection, path: object) -> int:
    """Bring the file to :data:`CURRENT_VERSION`; returns the version it was at (see
    :func:`~yishi.sqlite_migrations.apply_migrations`: the service and the worker starting
    at once apply every migration exactly once)."""
    return apply_migrations(conn, MIGRATIONS, lambda found: too_new(path, found))
