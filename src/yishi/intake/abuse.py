"""Defences against bots and floods that need no third-party captcha.

A hidden honeypot field people never fill, a per-client rate limit keyed by a salted hash of
the address (the address itself is never stored), and duplicate detection: the same text
from the same client within an hour gets the first receipt back instead of a second proposal.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

#: Name of the honeypot field: hidden from people by CSS, tempting to form-filling bots.
HONEYPOT_FIELD = "website"
#: Seconds within which identical text from one client counts as a resubmission.
DUPLICATE_WINDOW = 3600.0


def honeypot_filled(form: dict[str, str]) -> bool:
    """Whether the field people cannot see was filled in."""
    return bool(form.get(HONEYPOT_FIELD, "").strip())


def client_key(salt: str, address: str) -> str:
    """A salted hash standing for a client address, so limits work without storing it."""
    return hashlib.sha256(f"{salt}\x00{address}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class RateLimit:
    """At most ``count`` submissions per ``period`` seconds from one client."""

    count: int = 5
    period: float = 600.0

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """``"5/600"`` → five per 600 seconds."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+(?:\.\d+)?)\s*", text)
        if not match or int(match[1]) < 1 or float(match[2]) <= 0:
            raise ValueError(f"expected COUNT/SECONDS like 5/600, got {text!r}")
        return cls(int(match[1]), float(match[2]))

    def retry_after(self, recent: Sequence[float], now: float) -> float | None:
        """Seconds to wait before one more is allowed, given the client's recent times."""
        within = sorted(t for t in recent if t > now - self.period)
        if len(within) < self.count:
            return None
        # The window frees up when the oldest submission that fills it leaves it.
        return max(within[-self.count] + self.period - now, 1.0)
