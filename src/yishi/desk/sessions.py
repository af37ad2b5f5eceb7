"""Server-side sessions behind signed cookies, each with its own CSRF token.

The cookie holds a random token signed with the desk's key; the database keeps only the
token's SHA-256 with the account, the CSRF token and the expiry. Every request looks the
session up and checks the account is still enabled, so logging out, disabling or
resetting an account ends its sessions at once, whatever cookies are still around.

Before login there is no session: the login form's CSRF token is a signed nonce that must
match a short-lived cookie (double submit), so no other site can log a browser in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer

from . import messages
from .accounts import Account
from .database import Database
from .session_ends import EndReason, end_expired, end_session, reason_for

COOKIE = "yishi_desk"
LOGIN_COOKIE = "yishi_desk_login"
#: The form field every POST carries.
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class Session:
    """A logged-in moderator's session as a request sees it."""

    account: Account
    csrf: str
    expires_at: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """Creating, finding and ending sessions; signing cookies and login form tokens."""

    def __init__(self, db: Database, secret: str, *, lifetime: float = 8 * 3600) -> None:
        self.db = db
        self.lifetime = lifetime
        self._signer = Signer(secret, salt="yishi.desk.session")
        self._login = URLSafeTimedSerializer(secret, salt="yishi.desk.login")

    def start(self, account: Account, now: float) -> tuple[str, Session]:
        """A new session for ``account``: the cookie value and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        expires = now + self.lifetime
        with self.db.transaction() as conn:
            end_expired(conn, now)
            conn.execute(
                "INSERT INTO sessions (id, account, csrf, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)", (_digest(token), account.name, csrf, now, expires))
        return self._signer.sign(token).decode(), Session(account, csrf, expires)

    def _token(self, cookie: str | None) -> str | None:
        if not cookie:
            return None
        try:
            return self._signer.unsign(cookie).decode()
        except BadSignature:
            return None

    def find(self, cookie: str | None, now: float) -> Session | None:
        """The live session a cookie names: signed, not expired, its account enabled."""
        token = self._token(cookie)
        if token is None:
            return None
        row = self.db.conn.execute(
            "SELECT a.name, a.approver, a.disabled, s.csrf, s.expires_at "
            "FROM sessions s JOIN accounts a ON a.name = s.account WHERE s.id = ?",
            (_digest(token),)).fetchone()
        if row is None or row[2] or float(row[4]) <= now:
            return None
        return Session(Account(row[0], bool(row[1]), False), row[3], float(row[4]))

    def why_ended(self, cookie: str | None, now: float) -> str:
        """What the login page tells the holder of a cookie whose session is over: why it
        ended, or "" when the cookie is missing, forged or still live."""
        token = self._token(cookie)
        if token is None:
            return ""
        digest = _digest(token)
        row = self.db.conn.execute(
            "SELECT a.disabled, s.expires_at FROM sessions s "
            "JOIN accounts a ON a.name = s.account WHERE s.id = ?", (digest,)).fetchone()
        if row is not None:
            if row[0]:
                return EndReason.DISABLED.message
            return EndReason.EXPIRED.message if float(row[1]) <= now else ""
        reason = reason_for(self.db.conn, digest)
        return reason.message if reason is not None else messages.SESSION_ENDED

    def end(self, cookie: str | None, now: float) -> None:
        """Log out: the session is deleted, so a copy of the cookie is worthless (and its
        holder is told it was logged out)."""
        token = self._token(cookie)
        if token is not None:
            with self.db.transaction() as conn:
                end_session(conn, _digest(token), EndReason.LOGGED_OUT, now)

    @staticmethod
    def csrf_ok(session: Session, submitted: str | None) -> bool:
        """Whether a form's CSRF field is this session's token."""
        return bool(submitted) and hmac.compare_digest(session.csrf, submitted or "")

    # -- the login form, before there is a session ----------------------------------------

    def login_nonce(self) -> tuple[str, str]:
        """A fresh (cookie value, form token) pair for the login form."""
        nonce = secrets.token_urlsafe(16)
        return nonce, self._login.dumps(nonce)

    def login_csrf_ok(self, cookie: str | None, submitted: str | None,
                      max_age: int = 3600) -> bool:
        """Whether the login form's token is signed by us and matches its cookie."""
        if not cookie or not submitted:
            return False
        try:
            nonce = self._login.loads(submitted, max_age=max_age)
        except BadSignature:
            return False
        return isinstance(nonce, str) and hmac.compare_digest(nonce, cookie)
