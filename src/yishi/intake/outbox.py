"""The durable outbox of notices, in the intake store: queued before sent, sent at most once
per (proposal, step) from our side, retried with backoff, failures kept for ``status``.

A notice is written here in the same breath as the decision that it is due (one row per
proposal and step, enforced by a unique key), and carries a message id fixed at that
moment. Sending marks the row ``sending`` first; a worker killed between the send and the
mark finds the row ``sending`` and sends it again *with the same id*, which the receiver
uses to drop the repeat (e-mail ``Message-ID``, webhook ``Idempotency-Key``). The rows hold
no contact: it is read from the private table when the notice goes out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from .notices import Notice
from .store import Store


class NoticeState(StrEnum):
    """Where a notice stands."""

    QUEUED = "queued"
    SENDING = "sending"
    RETRYING = "retrying"
    SENT = "sent"
    #: No channel can reach the contact (none configured, or neither e-mail nor phone).
    UNSENT = "unsent"
    #: Refused for good (the server rejected the address), or out of attempts.
    FAILED = "failed"


#: States a pass still tries to send.
PENDING = (NoticeState.QUEUED, NoticeState.SENDING, NoticeState.RETRYING, NoticeState.UNSENT)


@dataclass(frozen=True)
class OutboxRow:
    """One notice in the outbox (its text is public; the contact is not here)."""

    message_id: str
    submission_id: str
    step: str
    subject: str
    body: str
    state: NoticeState
    attempts: int
    next_attempt_at: float
    last_error: str | None


def message_id(submission_id: str, step: str, domain: str) -> str:
    """The stable id of the notice about ``step`` of a proposal (RFC 5322 form)."""
    return f"<notice.{submission_id}.{step}@{domain}>"


class Outbox:
    """The ``outbox`` table of one store."""

    _COLUMNS = ("message_id, submission_id, step, subject, body, state, attempts, "
                "next_attempt_at, last_error")

    def __init__(self, store: Store) -> None:
        self.store = store

    def queue(self, submission_id: str, notices: list[Notice], *, domain: str,
              now: float) -> int:
        """Add the notices not queued before; returns how many were new."""
        with self.store.transaction() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO outbox (message_id, submission_id, step, subject, body, "
                "state, next_attempt_at, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(message_id(submission_id, n.step, domain), submission_id, n.step, n.subject,
                  n.body, NoticeState.QUEUED.value, now, now) for n in notices])
            return conn.total_changes - before

    def steps(self, submission_id: str) -> set[str]:
        """The steps already in the outbox for a proposal (sent or not)."""
        with self.store.reading() as conn:
            rows = conn.execute("SELECT step FROM outbox WHERE submission_id = ?",
                                (submission_id,))
            return {str(row[0]) for row in rows}

    def due(self, now: float) -> list[OutboxRow]:
        """Notices to try now, oldest first."""
        marks = ", ".join("?" for _ in PENDING)
        with self.store.reading() as conn:
            rows = conn.execute(
                f"SELECT {self._COLUMNS} FROM outbox WHERE state IN ({marks}) "
                "AND next_attempt_at <= ? ORDER BY queued_at, submission_id, step",
                (*[s.value for s in PENDING], now)).fetchall()
        return [self._row(row) for row in rows]

    def rows(self, submission_id: str | None = None) -> list[OutboxRow]:
        """Every notice (of one proposal), oldest first."""
        where, args = ("WHERE submission_id = ?", (submission_id,)) if submission_id else ("", ())
        with self.store.reading() as conn:
            rows = conn.execute(f"SELECT {self._COLUMNS} FROM outbox {where} "
                                "ORDER BY queued_at, submission_id, step", args).fetchall()
        return [self._row(row) for row in rows]

    @staticmethod
    def _row(row: tuple[object, ...]) -> OutboxRow:
        mid, sid, step, subject, body, state, attempts, next_at, error = row
        return OutboxRow(str(mid), str(sid), str(step), str(subject), str(body),
                         NoticeState(str(state)), int(attempts),  # type: ignore[call-overload]
                         float(next_at), None if error is None else str(error))  # type: ignore[arg-type]

    def counts(self) -> dict[NoticeState, int]:
        """How many notices are in each state."""
        with self.store.reading() as conn:
            found = Counter({NoticeState(s): n for s, n in conn.execute(
                "SELECT state, COUNT(*) FROM outbox GROUP BY state")})
        return {state: found[state] for state in NoticeState}

    def _update(self, mid: str, sql: str, args: tuple[object, ...]) -> None:
        with self.store.transaction() as conn:
            conn.execute(f"UPDATE outbox SET {sql} WHERE message_id = ?", (*args, mid))

    def begin(self, mid: str, *, now: float, lease: float) -> bool:
        """Claim a notice for sending (committed before the first byte is sent).

        False when another worker claimed it meanwhile. A claim lasts ``lease`` seconds: a
        worker killed mid-send leaves the notice ``sending``, and it is sent again (with the
        same message id) once the lease has run out.
        """
        with self.store.transaction() as conn:
            return conn.execute(
                "UPDATE outbox SET state = ?, attempts = attempts + 1, next_attempt_at = ? "
                "WHERE message_id = ? AND next_attempt_at <= ? AND state != ?",
                (NoticeState.SENDING.value, now + lease, mid, now, NoticeState.SENT.value),
            ).rowcount == 1

    def sent(self, mid: str, now: float) -> None:
        """The channel accepted the notice."""
        self._update(mid, "state = ?, sent_at = ?, last_error = NULL",
                     (NoticeState.SENT.value, now))

    def retry(self, mid: str, error: str, *, retry_at: float, permanent: bool) -> None:
        """The send failed: try again at ``retry_at``, or never when ``permanent``."""
        state = NoticeState.FAILED if permanent else NoticeState.RETRYING
        self._update(mid, "state = ?, last_error = ?, next_attempt_at = ?",
                     (state.value, error[:500], retry_at))

    def unsent(self, mid: str, reason: str) -> None:
        """No channel can carry it (kept, and tried again once one is configured)."""
        self._update(mid, "state = ?, last_error = ?", (NoticeState.UNSENT.value, reason[:500]))
