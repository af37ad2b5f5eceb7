"""The audit log: who did what, to which record, and when.

Only names, actions and record or change ids are written: never a password, a contact,
or text a moderator typed (which could hold either).
"""

from __future__ import annotations

from dataclasses import dataclass

from .database import Database


@dataclass(frozen=True)
class AuditEntry:
    """One logged act."""

    at: float
    actor: str
    action: str
    subject: str


class AuditLog:
    """Append-only rows of the ``audit`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, at: float, actor: str, action: str, subject: str = "") -> None:
        """Log one act (``action`` is a fixed word such as ``login`` or ``contact_view``)."""
        with self.db.transaction() as conn:
            conn.execute("INSERT INTO audit (at, actor, action, subject) VALUES (?, ?, ?, ?)",
                         (at, actor, action, subject))

    def latest(self, limit: int = 100) -> list[AuditEntry]:
        """The most recent entries, newest first."""
        rows = self.db.conn.execute(
            "SELECT at, actor, action, subject FROM audit ORDER BY id DESC LIMIT ?",
            (limit,)).fetchall()
        return [AuditEntry(float(r[0]), r[1], r[2], r[3]) for r in rows]
