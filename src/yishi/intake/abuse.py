"""Defences against bots and floods that need no third-party captcha.

A hidden honeypot field people never fill, a per-client rate limit keyed by a salted hash of
the address (the address itself is never stored), and duplicate detection: the same text
from the same client within an hour gets the first receipt back instead of a second proposal.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import secrets
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

#: Name of the honeypot field: hidden from people by CSS, tempting to form-filling bots.
HONEYPOT_FIELD = "website"
#: Seconds within which identical text from one client counts as a resubmission.
DUPLICATE_WINDOW = 3600.0


def honeypot_filled(form: dict[str, str]) -> bool:
    """Whether the field people cannot see was filled in."""
    return bool(form.get(HONEYPOT_FIELD, "").strip())


def client_network(address: str) -> str:
    """The part of an address one client controls: an IPv4 address, or an IPv6 /64 (a home
    or phone gets a whole /64, and could rotate through it past any per-address limit)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def pepper_beside(store: Path) -> Path:
    """Where the pepper lives when none is configured: a file of its own beside the store
    (never inside it, so a copy of the database carries no key to its hashes)."""
    return store.with_name(store.name + ".pepper")


def load_pepper(path: Path) -> str:
    """The pepper in ``path``, created (random, readable by its owner only) when missing."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pepper = path.read_text(encoding="utf-8").strip()
        if not pepper:
            raise ValueError(f"the pepper file {path} is empty") from None
        return pepper
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        pepper = secrets.token_urlsafe(32)
        out.write(pepper + "\n")
    return pepper


def client_key(pepper: str, address: str) -> str:
    """A peppered hash standing for a client (:func:`client_network`), so limits work
    without storing its address. The pepper is kept out of the store: with it, the hash
    of an IPv4 address is reversed by trying all 2³² of them."""
    return hashlib.sha256(f"{pepper}\x00{client_network(address)}".encode()).hexdigest()[:32]


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


@dataclass
class Throttle:
    """At most ``limit.count`` requests per ``limit.period`` seconds per client, in memory
    (receipt lookups: cheap each, but unthrottled they let anyone enumerate ids)."""

    limit: RateLimit
    #: Clients tracked at once; beyond it the stalest are forgotten (memory stays bounded).
    max_clients: int = 100_000
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, client: str, now: float) -> float | None:
        """Count this request; seconds to wait when it is over the limit, else None."""
        times = self._seen.pop(client, None) or deque()
        while times and times[0] <= now - self.limit.period:
            times.popleft()
        self._seen[client] = times  # re-inserted: dict order is least recently seen first
        if len(times) >= self.limit.count:
            return max(times[0] + self.limit.period - now, 1.0)
        times.append(now)
        while len(self._seen) > self.max_clients:
            del self._seen[next(iter(self._seen))]
        return None
