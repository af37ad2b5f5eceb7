"""The form's schema: what a resident may send, cleaned and checked against the registry.

Cleaning happens before any check, so a check sees what would be published: NFC
normalisation, control and bidi-override characters removed, whitespace tidied. Every error
is a Chinese message keyed by the form field it belongs to.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..council import Council
from ..errors import YishiError
from ..privacy import find_personal_data
from ..records import Kind
from . import messages
from .contacts import contact_kind

#: Maximum length, in characters, of every text field.
LIMITS: dict[str, int] = {
    "title": 80,
    "description": 5000,
    "location": 100,
    "name": 40,
    "organization": 60,
    "contact": 100,
}
#: Fields published in the record: personal data there is refused, not published.
PUBLIC_TEXT = ("title", "description", "location", "name", "organization")
MAX_COSIGNERS = 10_000

# Zero-width joiner stays: emoji sequences need it and it cannot reorder text.
_KEEP_FORMAT = {"\u200d"}
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class Invalid(YishiError):
    """A submission the form must show again, with a Chinese message per field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def _keep(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cf":  # format characters: bidi overrides, isolates, zero-width spaces
        return char in _KEEP_FORMAT
    # Controls, lone surrogates and unassigned code points have no place in a proposal.
    return category not in {"Cc", "Cs", "Cn"}


def clean(value: str, *, multiline: bool = False) -> str:
    """NFC, without control or bidi characters, whitespace tidied; one line unless multiline."""
    text = unicodedata.normalize("NFC", value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\t", " ")
    if not multiline:
        text = text.replace("\n", " ")
    text = "".join(ch for ch in text if ch == "\n" or _keep(ch))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


@dataclass(frozen=True)
class Submission:
    """A cleaned, valid proposal as a resident sent it; ``contact`` is private."""

    title: str
    description: str
    community: str
    category: str
    kind: Kind = Kind.INDIVIDUAL
    cosigners: int | None = None
    organization: str | None = None
    location: str | None = None
    name: str | None = None
    contact: str | None = field(default=None, repr=False)
    #: The resident asked for a notice at each public step (有进展时通知我); private.
    notify: bool = False

    def public(self) -> dict[str, Any]:
        """Every field that may be published (everything but the contact)."""
        return {
            "title": self.title,
            "description": self.description,
            "community": self.community,
            "category": self.category,
            "kind": self.kind.value,
            "cosigners": self.cosigners,
            "organization": self.organization,
            "location": self.location,
            "name": self.name,
        }

    @classmethod
    def from_public(cls, data: Mapping[str, Any], contact: str | None = None) -> Submission:
        """Rebuild a submission from :meth:`public` (as the queue stores it)."""
        return cls(**{**data, "kind": Kind(data["kind"]), "contact": contact})

    def fingerprint(self) -> str:
        """A hash of the text, to recognise the same proposal sent twice."""
        text = "\x00".join((self.title, self.description, self.community, self.category))
        return hashlib.sha256(text.encode()).hexdigest()


def parse_submission(form: Mapping[str, str], council: Council) -> Submission:
    """Clean and validate the form's fields, or raise :class:`Invalid` listing every error."""
    errors: dict[str, str] = {}
    text: dict[str, str] = {}
    for name, limit in LIMITS.items():
        value = clean(form.get(name, ""), multiline=name == "description")
        if len(value) > limit:
            errors[name] = messages.TOO_LONG.format(limit=limit)
        text[name] = value
    for name in ("title", "description"):
        if not text[name] and name not in errors:
            errors[name] = messages.REQUIRED
    for name in PUBLIC_TEXT:
        finding = next(find_personal_data(text[name]), None)
        if finding and name not in errors:
            what = messages.PERSONAL_DATA_KINDS.get(finding.kind, finding.kind)
            errors[name] = messages.PERSONAL_DATA.format(what=what)

    community = form.get("community", "")
    if community not in council.community_names:
        errors["community"] = messages.UNKNOWN_COMMUNITY
    category = form.get("category", "")
    if category not in council.category_names:
        errors["category"] = messages.UNKNOWN_CATEGORY

    kind = Kind.INDIVIDUAL
    try:
        kind = Kind(form.get("kind") or Kind.INDIVIDUAL.value)
    except ValueError:
        errors["kind"] = messages.UNKNOWN_KIND
    cosigners: int | None = None
    raw_cosigners = clean(form.get("cosigners", ""))
    if kind is Kind.JOINT:
        if raw_cosigners.isascii() and raw_cosigners.isdigit() and len(raw_cosigners) <= 6:
            cosigners = int(raw_cosigners)
        if cosigners is None or not 1 <= cosigners <= MAX_COSIGNERS:
            errors["cosigners"] = messages.COSIGNERS_NUMBER
    elif raw_cosigners and raw_cosigners != "0":
        errors["cosigners"] = messages.COSIGNERS_ONLY_JOINT
    if kind is Kind.ORGANIZATION and not text["organization"]:
        errors.setdefault("organization", messages.ORGANIZATION_REQUIRED)

    notify = form.get("notify") == "yes"
    if notify and "contact" not in errors:
        if not text["contact"]:
            errors["contact"] = messages.NOTIFY_NEEDS_CONTACT
        elif contact_kind(text["contact"]) is None:
            errors["contact"] = messages.NOTIFY_CONTACT_KIND
    if form.get("consent") != "yes":
        errors["consent"] = messages.CONSENT_REQUIRED
    if errors:
        raise Invalid(errors)
    return Submission(
        title=text["title"],
        description=text["description"],
        community=community,
        category=category,
        kind=kind,
        cosigners=cosigners,
        organization=text["organization"] if kind is Kind.ORGANIZATION else None,
        location=text["location"] or None,
        name=text["name"] or None,
        contact=text["contact"] or None,
        notify=notify,
    )
