"""Residents rate the outcome: personal, signed, single-use, expiring links, one rating each.

The ``done`` notice carries the proposer's link; a moderator can invite the cosigners of a
joint proposal with links of their own (``yishi intake invite``). A link is the rating's
row id and expiry signed with the store's own secret (itsdangerous), so a forged or altered
link is refused before the store is asked; it is used up in the same statement that stores
the rating. Ratings are summed per issue for the council's feedback step; the optional
comment is private (moderators only) and goes with the contact when the store is purged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from .store import Store

#: How long a rating link stays valid.
RATING_TTL = 60 * 86400.0
PROPOSER = "proposer"
MAX_COMMENT = 500


class Satisfaction(StrEnum):
    """The three answers the seed councils count (满意度)."""

    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: "满意",
    Satisfaction.BASICALLY_SATISFIED: "基本满意",
    Satisfaction.DISSATISFIED: "不满意",
}


class LinkState(StrEnum):
    """What a rating link is worth."""

    VALID = "valid"
    USED = "used"
    FORGED = "forged"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Invitation:
    """An open rating: which issue it is about (the page shows the issue's title)."""

    rating_id: str
    issue_id: str
    state: LinkState


@dataclass(frozen=True)
class RatingCounts:
    """The residents' own ratings of one issue, as the feedback step starts from them."""

    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    resolved_yes: int = 0
    resolved_no: int = 0

    @property
    def total(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    def feedback_arguments(self) -> dict[str, Any]:
        """Keyword arguments for ``record_feedback``: the counts and how many they are.

        ``resolved`` is what most residents who answered said (None when nobody did, or as
        many said yes as no: the moderator decides).
        """
        resolved = (None if self.resolved_yes == self.resolved_no
                    else self.resolved_yes > self.resolved_no)
        return {"satisfied": self.satisfied, "basically_satisfied": self.basically_satisfied,
                "dissatisfied": self.dissatisfied, "resolved": resolved,
                "from_ratings": self.total}


class Ratings:
    """The ``ratings`` table of one store, and the links to it."""

    def __init__(self, store: Store, *, ttl: float = RATING_TTL) -> None:
        self.store = store
        self.ttl = ttl
        self._signer = URLSafeSerializer(store.setting("rating-link-secret"),
                                         salt="yishi-rating")

    def invite(self, submission_id: str, issue_id: str, *, invitee: str = PROPOSER,
               now: float) -> str:
        """The invitee's link token (the same one again if they were invited before)."""
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT id, expires_at FROM ratings WHERE submission_id = ? AND invitee = ?",
                (submission_id, invitee)).fetchone()
            if row is None:
                row = (secrets.token_urlsafe(12), now + self.ttl)
                conn.execute(
                    "INSERT INTO ratings (id, submission_id, issue_id, invitee, created_at, "
                    "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (row[0], submission_id, issue_id, invitee, now, row[1]))
        return self._signer.dumps([str(row[0]), int(row[1])])

    def invite_cosigners(self, submission_id: str, issue_id: str, count: int, *,
                         now: float) -> list[str]:
        """Links for ``count`` more cosigners of a joint proposal, each their own."""
        with self.store.reading() as conn:
            taken = conn.execute(
                "SELECT COUNT(*) FROM ratings WHERE submission_id = ? AND invitee != ?",
                (submission_id, PROPOSER)).fetchone()[0]
        return [self.invite(submission_id, issue_id, invitee=f"cosigner-{taken + n}", now=now)
                for n in range(1, count + 1)]

    def check(self, token: str, *, now: float) -> Invitation | LinkState:
        """What the link is worth: an invitation still open, or why it is not."""
        try:
            rating_id, expires = self._signer.loads(token)
        except (BadSignature, ValueError, TypeError):
            return LinkState.FORGED
        with self.store.reading() as conn:
            row = conn.execute("SELECT issue_id, expires_at, used_at FROM ratings WHERE id = ?",
                               (str(rating_id),)).fetchone()
        if row is None:
            return LinkState.FORGED  # signed by us, but its rating was purged or never stored
        if row[2] is not None:
            return LinkState.USED
        if now > float(row[1]) or now > float(expires):
            return LinkState.EXPIRED
        return Invitation(str(rating_id), str(row[0]), LinkState.VALID)

    def rate(self, token: str, satisfaction: Satisfaction, resolved: bool | None,
             comment: str, *, now: float) -> Invitation | LinkState:
        """Store the rating if the link is still open; the link is used up with it."""
        found = self.check(token, now=now)
        if not isinstance(found, Invitation):
            return found
        with self.store.transaction() as conn:
            # used_at IS NULL in the same statement: two posts of one link store one rating.
            changed = conn.execute(
                "UPDATE ratings SET used_at = ?, satisfaction = ?, resolved = ?, comment = ? "
                "WHERE id = ? AND used_at IS NULL AND expires_at >= ?",
                (now, satisfaction.value, None if resolved is None else int(resolved),
                 comment.strip()[:MAX_COMMENT] or None, found.rating_id, now)).rowcount
        return found if changed == 1 else LinkState.USED


def rating_counts(store: Store, issue_id: str) -> RatingCounts:
    """The residents' ratings of ``issue_id`` summed (what ``record_feedback`` starts from)."""
    with store.reading() as conn:
        rows = conn.execute(
            "SELECT satisfaction, resolved, COUNT(*) FROM ratings "
            "WHERE issue_id = ? AND used_at IS NOT NULL GROUP BY satisfaction, resolved",
            (issue_id,)).fetchall()
    counts = {s: 0 for s in Satisfaction}
    yes = no = 0
    for satisfaction, resolved, n in rows:
        counts[Satisfaction(satisfaction)] += n
        if resolved is not None:
            yes, no = (yes + n, no) if resolved else (yes, no + n)
    return RatingCounts(counts[Satisfaction.SATISFIED], counts[Satisfaction.BASICALLY_SATISFIED],
                        counts[Satisfaction.DISSATISFIED], yes, no)


def rating_comments(store: Store, issue_id: str) -> list[str]:
    """The private comments on ``issue_id`` (for moderators only), oldest first."""
    with store.reading() as conn:
        return [str(r[0]) for r in conn.execute(
            "SELECT comment FROM ratings WHERE issue_id = ? AND comment IS NOT NULL "
            "ORDER BY used_at", (issue_id,))]
