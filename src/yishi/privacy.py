"""Personal data that must never be published: mainland mobile numbers, ID card numbers
and e-mail addresses. The checker flags them in records; the intake flags them in text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

# Digits glued to other digits are part of a longer number (an order id, a date), not a phone.
MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
ID_CARD = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

KINDS = {
    "mobile": (MOBILE, "a mobile phone number (手机号)"),
    "id_card": (ID_CARD, "an ID card number (身份证号)"),
    "email": (EMAIL, "an e-mail address (电子邮箱)"),
}


@dataclass(frozen=True)
class Finding:
    """Personal data found in a text: what kind, where, and a masked excerpt."""

    kind: str
    description: str
    start: int
    masked: str


def mask(value: str) -> str:
    """Keep the first two and last two characters so a moderator can find the spot."""
    return value[:2] + "*" * max(len(value) - 4, 1) + value[-2:] if len(value) > 4 else "****"


def find_personal_data(text: str) -> Iterator[Finding]:
    """Every phone, ID card and e-mail in ``text``, in order of kind then position."""
    for kind, (pattern, description) in KINDS.items():
        for match in pattern.finditer(text):
            yield Finding(kind, description, match.start(), mask(match.group()))
