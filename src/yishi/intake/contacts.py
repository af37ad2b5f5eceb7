"""What kind of contact a resident left: an e-mail address gets mail, a phone number the
council's SMS gateway; anything else (a WeChat id, a room number) cannot be notified."""

from __future__ import annotations

import re
from enum import StrEnum

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Mainland mobiles (with or without +86), landlines with an area code: 7 to 15 digits once
# spaces, dashes and brackets are taken out.
_PHONE = re.compile(r"\+?\d{7,15}")
_PHONE_NOISE = re.compile(r"[\s\-()()]")


class ContactKind(StrEnum):
    """The channel a contact can be reached on."""

    EMAIL = "email"
    PHONE = "phone"


def contact_kind(contact: str | None) -> ContactKind | None:
    """``email``, ``phone``, or None when the contact is neither."""
    if not contact:
        return None
    text = contact.strip()
    if _EMAIL.fullmatch(text):
        return ContactKind.EMAIL
    if _PHONE.fullmatch(_PHONE_NOISE.sub("", text)):
        return ContactKind.PHONE
    return None


def phone_number(contact: str) -> str:
    """The phone number without spaces, dashes or brackets, for the gateway."""
    return _PHONE_NOISE.sub("", contact.strip())
