"""Record ids: a date plus a short random suffix, unique without coordination.

Ids never change and are never reused; URLs derive from them, not from titles.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import date

#: Lowercase letters and digits without the look-alikes 0/o and 1/l/i, so a receipt
#: number read out over the phone is unambiguous.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
SUFFIX_LENGTH = 4

#: ``2024-0312-k7qm``: year, month and day of submission, then the suffix.
_ID = r"(?P<year>\d{4})-(?P<month>\d{2})(?P<day>\d{2})-(?P<suffix>[a-z0-9]{2,24})"
#: ``\A…\Z``: Python's ``$`` also matches before a trailing newline, which an id never has.
ID_RE = re.compile(rf"\A{_ID}\Z")
#: The same for JSON Schema and pydantic (ECMAScript and Rust regexes: ``$`` ends the text).
ID_PATTERN = rf"^{_ID}$"

RandomSource = Callable[[int], str]


def random_suffix(length: int = SUFFIX_LENGTH) -> str:
    """A cryptographically random suffix from :data:`ALPHABET`."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_id(day: date, suffix: RandomSource = random_suffix, length: int = SUFFIX_LENGTH) -> str:
    """A new record id for ``day``; pass ``suffix`` to make ids predictable in tests."""
    return f"{day:%Y}-{day:%m%d}-{suffix(length)}"


def id_date(record_id: str) -> date | None:
    """The date encoded in an id, or None when the id is malformed or the date impossible."""
    match = ID_RE.match(record_id)
    if not match:
        return None
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        return None
