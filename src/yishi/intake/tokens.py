"""Signed form tokens: proof that a submission came from a form we served, and when.

A token carries the time it was issued (by the clock passed in, not the wall clock), so the
service can refuse a form filled faster than a person can type, or one left open too long.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer

from ..errors import YishiError
from . import messages

Clock = Callable[[], datetime]


class TokenRefused(YishiError):
    """A token that is missing, forged, expired or used too soon (message in Chinese)."""


@dataclass(frozen=True)
class TokenPolicy:
    """How soon and how late after issue a token may be used, in seconds."""

    min_fill_seconds: float = 3.0
    max_age_seconds: float = 24 * 3600.0
    #: Submissions one token may admit (more only for load tests with fixed bodies).
    max_uses: int = 1


class FormTokens:
    """Issues and checks form tokens signed with the service's secret; each admits
    ``policy.max_uses`` submissions (one by default; tokens in use or spent are remembered
    until they would expire anyway)."""

    def __init__(self, secret: str, clock: Clock, policy: TokenPolicy | None = None) -> None:
        self._serializer = URLSafeSerializer(secret, salt="yishi.intake.form-token")
        self._clock = clock
        self.policy = policy or TokenPolicy()
        #: nonce → (uses so far, when it can be forgotten: its token has expired by then).
        self._taken: dict[str, tuple[int, float]] = {}

    def issue(self) -> str:
        """A fresh token stamped with the current time."""
        return self._serializer.dumps({"t": self._clock().timestamp(), "n": secrets.token_hex(8)})

    def verify(self, token: str) -> str:
        """Take ``token`` for one submission and return its nonce; raise
        :class:`TokenRefused` unless it is ours, its age is acceptable and it is not taken.
        Give it back with :meth:`release` when the submission is not admitted."""
        if not token:
            raise TokenRefused(messages.TOKEN_MISSING)
        try:
            payload = self._serializer.loads(token)
            issued = float(payload["t"])
            nonce = str(payload["n"])
        except (BadSignature, KeyError, TypeError, ValueError) as exc:
            raise TokenRefused(messages.TOKEN_INVALID) from exc
        now = self._clock().timestamp()
        age = now - issued
        if age < self.policy.min_fill_seconds:
            raise TokenRefused(messages.TOO_FAST)
        if age > self.policy.max_age_seconds:
            raise TokenRefused(messages.TOKEN_EXPIRED)
        self._forget_expired(now)
        uses, _ = self._taken.get(nonce, (0, 0.0))
        if uses >= self.policy.max_uses:
            raise TokenRefused(messages.TOKEN_USED)
        self._taken[nonce] = (uses + 1, issued + self.policy.max_age_seconds)
        return nonce

    def release(self, nonce: str) -> None:
        """The submission was not admitted: the token may be used again (after a fix)."""
        uses, until = self._taken.pop(nonce, (0, 0.0))
        if uses > 1:
            self._taken[nonce] = (uses - 1, until)

    def _forget_expired(self, now: float) -> None:
        if len(self._taken) > 1024:  # amortised: only when there is something to gain
            self._taken = {n: v for n, v in self._taken.items() if v[1] >= now}
