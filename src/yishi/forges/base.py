"""The one interface every forge implements, and the proposal it is handed.

Two kinds of proposal travel through it: a resident's new issue from intake
(``proposal/<issue id>``) and a moderator's council operation (``change/<change id>``, see
:mod:`yishi.forges.changes`). Both are one branch with one commit (one pull request on
GitHub); a change also names the moderator who asked (the commit's author, while the
forge's own account commits) and the blob each file was made from, so that a forge never
writes over a record that changed on the main branch meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from ..errors import ForgeError


class ProposalKind(StrEnum):
    """What a proposal carries; its value is the branch's first segment."""

    PROPOSAL = "proposal"  # a resident's new issue, from intake
    CHANGE = "change"  # a council operation's change set, asked for by a moderator


@dataclass(frozen=True)
class Proposal:
    """A change to the records, ready for review: one branch, one commit, one pull request.

    Everything here is public: it must never hold a resident's contact details.
    """

    issue_id: str  # the new issue's id, or for a CHANGE the change set's id
    title: str  # pull-request title
    body: str  # pull-request body: a summary for the moderator and the screening checklist
    files: dict[str, bytes]  # repository path → content (content/issues/<id>.md, photos)
    commit_message: str
    labels: tuple[str, ...] = field(default_factory=tuple)
    kind: ProposalKind = ProposalKind.PROPOSAL
    #: The moderator who asked (the commit's author); None: the forge's own account.
    author: str | None = None
    #: Path → git blob id the file was made from (None: the file is new). When the main
    #: branch holds another version, opening refuses with :class:`BaseChanged`.
    base: Mapping[str, str | None] | None = None

    @property
    def branch(self) -> str:
        """Branch name, derived from the id so that a retry finds the same branch."""
        return f"{self.kind.value}/{self.issue_id}"


@dataclass(frozen=True)
class NewerVersion:
    """A file the main branch changed after a change set was made from it."""

    path: str
    expected: str | None  # the blob the change was made from (None: it expected no file)
    found: str | None  # the blob on the main branch now (None: the file is gone)
    author: str  # who made the newest commit touching the path
    subject: str  # that commit's subject line


class BaseChanged(ForgeError):
    """The main branch holds newer versions of files a change set was made from."""

    def __init__(self, change_id: str, newer: list[NewerVersion]) -> None:
        lines = "; ".join(
            f"{n.path} 已由 {n.author} 修改（{n.subject}）" for n in newer
        )
        super().__init__(
            f"变更 {change_id} 所依据的记录在主分支上已有更新：{lines}。"
            f" The records change {change_id} was made from changed on the main branch."
        )
        self.change_id = change_id
        self.newer = newer


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

    def find_proposal(
        self, issue_id: str, kind: ProposalKind = ProposalKind.PROPOSAL
    ) -> ProposalRef | None:
        """The existing proposal for ``issue_id``, if any (merged or closed included)."""
        ...

    def open_proposal(self, proposal: Proposal) -> ProposalRef:
        """Create (or complete) the branch, commit and pull request for ``proposal``.

        Raises :class:`~yishi.errors.ForgeRetryable` when the forge asks us to come back
        later, :class:`BaseChanged` when the main branch moved past ``proposal.base``,
        :class:`~yishi.errors.ForgeError` when it refuses for good.
        """
        ...
