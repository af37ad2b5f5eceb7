"""Why a session ended, remembered by the session's digest so the login page can say so.

Only someone holding the session's signed cookie can read the reason back: a visitor
without one (or with a forged one) learns nothing about any account.
"""

from __future__ import annotations

import sqlite3
from enum import StrEnum

from . import messages

#: How long a reason is kept after its session ended (a week: a laptop left closed).
KEPT_FOR = 7 * 24 * 3600.0


class EndReason(StrEnum):
    """The ways a session ends besides logging in again."""

    EXPIRED = "expired"
    LOGGED_OUT = "logged_out"
    DISABLED = "disabled"
    RESET = "reset"

    @property
    def message(self) -> str:
        """What the login page tells the session's holder."""
        return messages.SESSION_ENDED_BECAUSE[self.value]


def end_session(conn: sqlite3.Connection, digest: str, reason: EndReason, now: float) -> None:
    """Delete one session, remembering why."""
    conn.execute("INSERT OR REPLACE INTO ended_sessions (id, reason, ended_at) "
                 "SELECT id, ?, ? FROM sessions WHERE id = ?", (reason.value, now, digest))
    conn.execute("DELETE FROM sessions WHERE id = ?", (digest,))


def end_sessions_of(conn: sqlite3.Connection, account: str, reason: EndReason,
                    now: float) -> None:
    """Delete every session of ``account`` (disabled or reset), remembering why."""
    conn.execute("INSERT OR REPLACE INTO ended_sessions (id, reason, ended_at) "
                 "SELECT id, ?, ? FROM sessions WHERE account = ?", (reason.value, now, account))
    conn.execute("DELETE FROM sessions WHERE account = ?", (account,))


def end_expired(conn: sqlite3.Connection, now: float) -> None:
    """Delete the sessions past their expiry (remembering them as expired), and forget
    reasons older than :data:`KEPT_FOR`."""
    conn.execute("INSERT OR REPLACE INTO ended_sessions (id, reason, ended_at) "
                 "SELECT id, ?, expires_at FROM sessions WHERE expires_at <= ?",
                 (EndReason.EXPIRED.value, now))
    conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
    conn.execute("DELETE FROM ended_sessions WHERE ended_at <= ?", (now - KEPT_FOR,))


def reason_for(conn: sqlite3.Connection, digest: str) -> EndReason | None:
    """Why the session with ``digest`` ended, if it is remembered."""
    row = conn.execute("SELECT reason FROM ended_sessions WHERE id = ?", (digest,)).fetchone()
    return EndReason(row[0]) if row is not None else None
