"""Login attempts limited per account and per client, counted in the desk's database.

Six wrong passwords for one account within the window lock it until the window has passed
since the sixth; a client that fails against many accounts is stopped by its own, larger,
budget. Failures are kept in SQLite so a restart does not reset the count, under hashed
keys: what was typed as a name may be a password typed in the wrong box, and a client's
address is nobody's business.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .database import Database


@dataclass(frozen=True)
class LoginLimits:
    """How many failures each key may have in the window."""

    per_account: int = 6
    per_client: int = 30
    window: float = 15 * 60


def account_key(name: str) -> str:
    """The failure-count key of a name as typed."""
    return "account:" + hashlib.sha256(name.encode()).hexdigest()


def client_key(address: str) -> str:
    """The failure-count key of a client address."""
    return "client:" + hashlib.sha256(address.encode()).hexdigest()


class LoginThrottle:
    """Counts failed logins by hashed account name and hashed client address."""

    def __init__(self, db: Database, limits: LoginLimits | None = None) -> None:
        self.db = db
        self.limits = limits or LoginLimits()

    def _failures(self, key: str, now: float) -> list[float]:
        rows = self.db.conn.execute(
            "SELECT at FROM login_failures WHERE key = ? AND at > ? ORDER BY at",
            (key, now - self.limits.window)).fetchall()
        return [float(r[0]) for r in rows]

    def _wait(self, key: str, limit: int, now: float) -> float:
        failures = self._failures(key, now)
        return failures[-limit] + self.limits.window - now if len(failures) >= limit else 0.0

    def account_locked_for(self, account: str, now: float) -> float:
        """Seconds until this account may try again (0: it may now)."""
        return self._wait(account_key(account), self.limits.per_account, now)

    def locked_for(self, account: str, client: str, now: float) -> float:
        """Seconds until this account may try again from this client (0: it may now)."""
        return max(self.account_locked_for(account, now),
                   self._wait(client_key(client), self.limits.per_client, now))

    def failed(self, account: str, client: str, now: float) -> None:
        """Count one wrong password (an unknown name counts against the name typed)."""
        with self.db.transaction() as conn:
            conn.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)",
                             [(account_key(account), now), (client_key(client), now)])
            conn.execute("DELETE FROM login_failures WHERE at <= ?",
                         (now - self.limits.window,))

    def succeeded(self, account: str) -> None:
        """A right password clears the account's count (not the client's)."""
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE key = ?", (account_key(account),))
