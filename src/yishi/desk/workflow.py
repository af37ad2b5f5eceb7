"""From a moderator's form to the forge and back: preview, submit, approve, decline.

The desk never writes a record: an operation makes the change set, ``yishi diff`` shows what
it would do, and the forge (flow's :mod:`yishi.forges.changes`) opens it as a branch or a
pull request for a second moderator. Approving goes through the four-eyes rule there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..forges.base import Forge, ProposalKind, ProposalRef
from ..forges.changes import (
    Approved,
    Submitted,
    approve_change,
    change_summary,
    decline_change,
    main_records,
    read_change,
    require_four_eyes,
    submit_change,
)
from ..forges.local import LocalForge
from ..operations.changeset import ChangeSet
from .pulls import PullRequests, PullView
from .snapshot import Snapshot


@dataclass
class Workflow:
    """The forge the desk sends changes to, and the records repository it reads."""

    forge: Forge
    root: Path
    #: With the GitHub forge: its pull requests, to show their checks and merge them.
    pulls: PullRequests | None = None

    @property
    def local(self) -> LocalForge | None:
        """The local forge, when changes are branches on this machine."""
        return self.forge if isinstance(self.forge, LocalForge) else None

    def preview(self, change: ChangeSet, snapshot: Snapshot) -> str:
        """The ``yishi diff`` summary of the change against the records it was made from."""
        return change_summary(change, self.root, snapshot.commit)

    def submit(self, change: ChangeSet, snapshot: Snapshot) -> Submitted:
        """Open the change on the forge (re-run on newer records when main moved)."""
        local = self.local
        return submit_change(
            self.forge, change, lambda c: change_summary(c, self.root, snapshot.commit),
            records_on_main=main_records(local) if local is not None else None)

    def open_changes(self) -> list[ChangeSet] | None:
        """Every open change on the local forge, the command line's too (None: on GitHub the
        desk knows the changes it sent)."""
        local = self.local
        if local is None:
            return None
        return [read_change(local, p.issue_id) for p in local.open_proposals(ProposalKind.CHANGE)]

    def state(self, change_id: str) -> ProposalRef | None:
        """Where the change stands on the forge now."""
        return self.forge.find_proposal(change_id, ProposalKind.CHANGE)

    def check_four_eyes(self, change_id: str, approver: str) -> None:
        """Raise :class:`~yishi.forges.changes.FourEyesRefused` when ``approver`` asked for it."""
        local = self.local
        if local is not None:
            require_four_eyes(read_change(local, change_id), change_id, approver)

    def pull(self, url: str) -> PullView | None:
        """The change's pull request (GitHub forge), with its checks."""
        return self.pulls.view(url) if self.pulls is not None else None

    def approve(self, change_id: str, approver: str) -> Approved:
        """Merge the change, approved by ``approver`` (local forge)."""
        local = self.local
        if local is None:
            raise NotImplementedError("with GitHub, merge the pull request: merge_pull")
        return approve_change(local, change_id, by=approver)

    def merge_pull(self, url: str, *, change_id: str, approver: str,
                   requested_by: str) -> PullView:
        """Merge the change's pull request (GitHub forge) when GitHub would and the
        approver did not ask for it."""
        if self.pulls is None:
            raise NotImplementedError("only the GitHub forge has pull requests")
        return self.pulls.merge(url, approver=approver, requested_by=requested_by,
                                change_id=change_id)

    def close_pull(self, url: str) -> None:
        """Close a pull request unmerged (GitHub forge): a declined proposal."""
        if self.pulls is None:
            raise NotImplementedError("only the GitHub forge has pull requests")
        self.pulls.close(url)

    def decline(self, change_id: str) -> None:
        """Set the change aside unmerged (local forge)."""
        local = self.local
        if local is None:
            raise NotImplementedError("declining on GitHub happens on the pull request")
        decline_change(local, change_id)
