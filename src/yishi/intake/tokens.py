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

from . import messages

Clock = Callable[[], datetime]


class TokenRefused(Exception):
    """A token that is missing, forged, expired or used too soon (message in Chinese)."""


@dataclass(frozen=True)
class TokenPolicy:
    """How soon and how late after issue a token may be used, in seconds."""

    min_fill_seconds: float = 3.0
    max_age_seconds: float = 24 * 3600.0


class FormTokens:
    """Issues and checks form tokens signed with the service's secret."""

    def __init__(self, secret: str, clock: Clock, policy: TokenPolicy | None = None) -> None:
        self._serializer = URLSafeSerializer(secret, salt="yishi.intake.form-token")
        self._clock = clock
        self.policy = policy or TokenPolicy()

    def issue(self) -> str:
        """A fresh token stamped with the current time."""
        return self._serializer.dumps({"t": self._clock().timestamp(), "n": secrets.token_hex(4)})

    def verify(self, token: str) -> None:
        """Raise :class:`TokenRefused` unless ``token`` is ours and its age is acceptable."""
        if not token:
            raise TokenRefused(messages.TOKEN_MISSING)
        try:
            payload = self._serializer.loads(token)
            issued = float(payload["t"])
        except (BadSignature, KeyError, TypeError, ValueError) as exc:
            raise TokenRefused(messages.TOKEN_INVALID) from exc
        age = self._clock().timestamp() - issued
        if age < self.policy.min_fill_seconds:
            raise TokenRefused(messages.TOO_FAST)
        if age > self.policy.max_age_seconds:
            raise TokenRefused(messages.TOKEN_EXPIRED)
