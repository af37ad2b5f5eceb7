"""The changes the desk sent to the forge: who asked, for what, and where each stands.

The forge holds the change itself (a branch or a pull request); this table remembers what
the desk needs to list them quickly: 待办 tells one's own changes from the ones to approve,
and an issue's page shows the changes about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .database import Database


class ChangeState(StrEnum):
    """Where a change stands, as the desk shows it."""

    OPEN = "open"  # waiting for a second moderator
    APPROVED = "approved"  # merged into the main branch: published at the next build
    DECLINED = "declined"


STATE_LABELS = {
    ChangeState.OPEN: "等待审核",
    ChangeState.APPROVED: "已批准并合并",
    ChangeState.DECLINED: "已退回",
}


@dataclass(frozen=True)
class SentChange:
    """One change set as the desk sent it."""

    id: str
    operation: str
    subject: str
    summary: str
    requested_by: str
    created_at: float
    url: str
    state: ChangeState
    decided_by: str
    preview: str
    paths: tuple[str, ...]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


_COLUMNS = ("id, operation, subject, summary, requested_by, created_at, url, state, decided_by, "
            "preview, paths")


def _change(row: tuple[object, ...]) -> SentChange:
    return SentChange(str(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]),
                      float(row[5]), str(row[6]), ChangeState(str(row[7])), str(row[8]),  # type: ignore[arg-type]
                      str(row[9]), tuple(str(row[10]).split("\n")) if row[10] else ())


class ChangeLog:
    """The ``changes`` table of the desk's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, *, id: str, operation: str, subject: str, summary: str, requested_by: str,
            now: float, paths: tuple[str, ...] = (), url: str = "",
            preview: str = "") -> None:
        """Remember a change just sent (sending the same id again changes nothing)."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO changes (id, operation, subject, summary, requested_by, "
                "created_at, url, preview, paths) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (id, operation, subject, summary, requested_by, now, url, preview,
                 "\n".join(paths)))

    def get(self, change_id: str) -> SentChange | None:
        row = self.db.conn.execute(f"SELECT {_COLUMNS} FROM changes WHERE id = ?",
                                   (change_id,)).fetchone()
        return _change(row) if row else None

    def open(self) -> list[SentChange]:
        """Changes waiting for approval, oldest first."""
        rows = self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM changes WHERE state = 'open' ORDER BY created_at").fetchall()
        return [_change(r) for r in rows]

    def open_touching(self, paths: set[str]) -> list[SentChange]:
        """Open changes that write any of these record files."""
        return [c for c in self.open() if paths.intersection(c.paths)]

    def about(self, subject: str) -> list[SentChange]:
        """Every change about one record (an issue or a meeting), newest first."""
        rows = self.db.conn.execute(
            f"SELECT {_COLUMNS} FROM changes WHERE subject = ? ORDER BY created_at DESC",
            (subject,)).fetchall()
        return [_change(r) for r in rows]

    def decide(self, change_id: str, state: ChangeState, by: str, now: float) -> None:
        """Note that a change was approved or declined, and by whom."""
        with self.db.transaction() as conn:
            conn.execute("UPDATE changes SET state = ?, decided_by = ?, decided_at = ? "
                         "WHERE id = ?", (state.value, by, now, change_id))
