"""The one interface every forge implements, and the proposal it is handed."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class Proposal:
    """A change to the records, ready for review: one branch, one commit, one pull request.

    Everything here is public: it must never hold a resident's contact details.
    """

    issue_id: str
    title: str  # pull-request title
    body: str  # pull-request body: a summary for the moderator and the screening checklist
    files: dict[str, bytes]  # repository path → content (content/issues/<id>.md, photos)
    commit_message: str
    labels: tuple[str, ...] = field(default_factory=tuple)

    @property
    def branch(self) -> str:
        """Branch name, derived from the id so that a retry finds the same branch."""
        return f"proposal/{self.issue_id}"


class ProposalState(StrEnum):
    """Where a proposal stands on its forge."""

    OPEN = "open"
    MERGED = "merged"
    CLOSED = "closed"  # declined without merging


@dataclass(frozen=True)
class ProposalRef:
    """A proposal as it exists on a forge."""

    issue_id: str
    url: str  # pull-request URL (GitHub) or branch reference (local)
    state: ProposalState = ProposalState.OPEN


class Forge(Protocol):
    """Opens proposals idempotently: calling :meth:`open_proposal` twice, or after a crash
    half-way through, leaves exactly one branch and one pull request."""

    name: str

    def find_proposal(self, issue_id: str) -> ProposalRef | None:
        """The existing proposal for ``issue_id``, if any (merged or closed included)."""
        ...

    def open_proposal(self, proposal: Proposal) -> ProposalRef:
        """Create (or complete) the branch, commit and pull request for ``proposal``.

        Raises :class:`~yishi.errors.ForgeRetryable` when the forge asks us to come back
        later, :class:`~yishi.errors.ForgeError` when it refuses for good.
        """
        ...
