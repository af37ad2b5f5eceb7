"""Moderators and approvers: names, Argon2id password hashes, disabling and resetting.

Disabling or resetting an account ends its sessions in the same transaction, so a
moderator who left, or whose password leaked, is out on their next request.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import YishiError
from .database import Database
from .session_ends import EndReason, end_sessions_of
from .throttle import account_key

#: Argon2id with argon2-cffi's defaults (RFC 9106's low-memory profile).
_HASHER = PasswordHasher()
#: Verified when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("yishi-desk-no-such-account")

NAME_RE = re.compile(r"^[\w\u4e00-\u9fff.-]{1,32}$")
MIN_PASSWORD = 10


class AccountError(YishiError):
    """An account command refused: the message is for the moderator, in Chinese."""


@dataclass(frozen=True)
class Account:
    """A desk user as the pages need it (never the hash)."""

    name: str
    approver: bool
    disabled: bool

    @property
    def role(self) -> str:
        return "审核人" if self.approver else "议事员"


Clock = Callable[[], float]


def check_password(password: str) -> None:
    """Refuse passwords too short to survive a guess."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短:至少 {MIN_PASSWORD} 个字符(现在 {len(password)} 个)。")


class Accounts:
    """The accounts table of the desk's database."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def add(self, name: str, password: str, *, approver: bool = False) -> Account:
        """Create an account; refuses a taken name or a short password."""
        if not NAME_RE.match(name):
            raise AccountError(
                f"用户名 {name!r} 无效:1 至 32 个字,只用汉字、字母、数字、点、横线或下划线。")
        check_password(password)
        digest = _HASHER.hash(password)
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"用户名 {name!r} 已存在;要改密码请用 `yishi desk user reset`。")
            conn.execute(
                "INSERT INTO accounts (name, password_hash, approver, created_at) "
                "VALUES (?, ?, ?, ?)", (name, digest, int(approver), self.clock()))
        return Account(name, approver, False)

    def get(self, name: str) -> Account | None:
        """The account called ``name``, if there is one."""
        row = self.db.conn.execute(
            "SELECT name, approver, disabled FROM accounts WHERE name = ?", (name,)).fetchone()
        return Account(row[0], bool(row[1]), bool(row[2])) if row else None

    def all(self) -> list[Account]:
        """Every account, by name."""
        rows = self.db.conn.execute(
            "SELECT name, approver, disabled FROM accounts ORDER BY name").fetchall()
        return [Account(r[0], bool(r[1]), bool(r[2])) for r in rows]

    def _require(self, name: str) -> None:
        if self.get(name) is None:
            known = ", ".join(a.name for a in self.all()) or "(还没有账号)"
            raise AccountError(f"没有用户 {name!r};现有用户:{known}")

    def disable(self, name: str) -> None:
        """Disable an account and end its sessions."""
        self._require(name)
        with self.db.transaction() as conn:
            conn.execute("UPDATE accounts SET disabled = 1 WHERE name = ?", (name,))
            end_sessions_of(conn, name, EndReason.DISABLED, self.clock())

    def reset(self, name: str, password: str) -> None:
        """Set a new password, enable the account, clear its lockout and end its sessions."""
        self._require(name)
        check_password(password)
        digest = _HASHER.hash(password)
        with self.db.transaction() as conn:
            conn.execute("UPDATE accounts SET password_hash = ?, disabled = 0 WHERE name = ?",
                         (digest, name))
            end_sessions_of(conn, name, EndReason.RESET, self.clock())
            conn.execute("DELETE FROM login_failures WHERE key = ?", (account_key(name),))

    def verify(self, name: str, password: str) -> Account | None:
        """The account when the password is right and the account enabled, else None."""
        row = self.db.conn.execute(
            "SELECT password_hash FROM accounts WHERE name = ?", (name,)).fetchone()
        try:
            _HASHER.verify(row[0] if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _HASHER.check_needs_rehash(row[0]):
            with self.db.transaction() as conn:
                conn.execute("UPDATE accounts SET password_hash = ? WHERE name = ?",
                             (_HASHER.hash(password), name))
        account = self.get(name)
        return account if account and not account.disabled else None
