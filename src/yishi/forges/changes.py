"""Council change sets through a forge: open one, approve or decline it, never overwrite.

A :class:`~yishi.operations.ChangeSet` becomes a :class:`~yishi.forges.base.Proposal` of
kind ``change``: branch ``change/<id>``, one commit authored by the moderator who asked,
its message carrying the change set itself (one ``Yishi-Change`` trailer of JSON), so that
any later step can rebuild it from git alone. When a file changed on the main branch after
the change was made, the operation is run again on the main branch's records (operations
are semantic: "accept this proposal" still means the same) and that is applied; when the
records no longer allow it, the moderator is told what changed and who changed it.

Approving checks the four-eyes rule first: the moderator who asked may not approve.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import operations
from ..diff import compare_files, render
from ..errors import ForgeError, YishiError
from ..git_records import load_repository_at
from ..loading import Repository
from ..operations.changeset import ChangeSet, OperationRefused
from .base import BaseChanged, Forge, NewerVersion, Proposal, ProposalKind, ProposalRef
from .local import LocalForge

CHANGE_TRAILER = "Yishi-Change"
_TRAILER_LINE = re.compile(rf"^{CHANGE_TRAILER}: (?P<json>\{{.*\}})$", re.M)

#: Runs a change set's operation again on other records (``yishi.operations.rerun``).
Rerun = Callable[[Repository, ChangeSet], ChangeSet]


class ChangeConflict(YishiError):
    """A change cannot be applied: the records it was made from changed, and re-running it
    on the current records is refused. The message says what changed and who changed it."""

    def __init__(self, change_id: str, newer: list[NewerVersion], refused: OperationRefused) -> None:
        changed = "；".join(f"{n.path} 已由 {n.author} 修改（{n.subject}）" for n in newer)
        who = ", ".join(sorted({n.author for n in newer}))
        super().__init__(
            f"无法应用变更 {change_id}：{changed}；按主分支上的当前记录重新执行被拒绝："
            f"{refused.field}: {refused.message}"
            f" — Change {change_id} cannot be applied: {who} changed "
            f"{', '.join(n.path for n in newer)} on the main branch meanwhile."
        )
        self.change_id = change_id
        self.newer = newer
        self.refused = refused


class FourEyesRefused(YishiError):
    """The moderator who asked for a change tried to approve it."""


@dataclass(frozen=True)
class Submitted:
    """A change set on the forge: the one opened (a re-run when main had moved) and where."""

    change: ChangeSet
    ref: ProposalRef
    rerun: bool = False


@dataclass(frozen=True)
class Approved:
    """What approving a change did: merged (perhaps after a re-run), or found already done."""

    change_id: str
    commit: str  # the main branch's head afterwards
    rerun: bool = False
    already_done: bool = False


def change_message(change: ChangeSet) -> str:
    """The commit message: the change's own, plus the change set as one JSON trailer."""
    data = {
        "operation": change.operation,
        "subject": change.subject,
        "by": change.by,
        "on": change.on.isoformat(),
        "summary": change.summary,
        "base": change.base,
        "params": change.params,
    }
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                         default=str)
    return f"{change.commit_message()}{CHANGE_TRAILER}: {encoded}\n"


def change_from_commit(message: str, files: dict[str, bytes]) -> ChangeSet:
    """Rebuild the change set a commit carries (see :func:`change_message`)."""
    found = _TRAILER_LINE.search(message)
    if found is None:
        raise ForgeError(f"the commit carries no {CHANGE_TRAILER} trailer: not a council change")
    data: dict[str, Any] = json.loads(found["json"])
    return ChangeSet(
        operation=data["operation"], subject=data["subject"], by=data["by"],
        on=dt.date.fromisoformat(data["on"]), summary=data["summary"], files=files,
        base=data["base"], params=data["params"],
    )


def change_summary(change: ChangeSet, root: Path, base: str) -> str:
    """The ``yishi diff`` summary of what the change would do to the records at ``base``."""
    diff = compare_files(root, base, change.files, label=change.branch)
    return render(diff, heading=f"## {change.summary}")


def as_proposal(change: ChangeSet, body: str) -> Proposal:
    """The forge's view of a change set: title, body, labels, author and base."""
    return Proposal(
        issue_id=change.id,
        title=f"{change.summary}（{change.by}）",
        body=f"{body}\n\n申请人 Requested by: {change.by} · 变更 Change `{change.id}`\n",
        files=dict(change.files),
        commit_message=change_message(change),
        labels=(change.operation,),
        kind=ProposalKind.CHANGE,
        author=change.by,
        base=dict(change.base),
    )


def submit_change(
    forge: Forge,
    change: ChangeSet,
    body: Callable[[ChangeSet], str],
    *,
    records_on_main: Callable[[], Repository] | None = None,
    rerun: Rerun | None = None,
) -> Submitted:
    """Open ``change`` (its pull request body from ``body``) on ``forge``; when main moved
    past its base, re-run it on ``records_on_main()`` and open that, or raise
    :class:`ChangeConflict`.

    Without ``records_on_main`` (a forge whose main branch is not on this machine) a moved
    base is refused with the names of who changed what.
    """
    try:
        return Submitted(change, forge.open_proposal(as_proposal(change, body(change))))
    except BaseChanged as moved:
        if records_on_main is None:
            raise
        again = _rerun(change, moved.newer, records_on_main(), rerun)
        return Submitted(again, forge.open_proposal(as_proposal(again, body(again))), rerun=True)


def _rerun(change: ChangeSet, newer: list[NewerVersion], current: Repository,
           rerun: Rerun | None) -> ChangeSet:
    """The change's operation run again on ``current``, or :class:`ChangeConflict`."""
    try:
        return (rerun or operations.rerun)(current, change)
    except OperationRefused as refused:
        raise ChangeConflict(change.id, newer, refused) from None


def main_records(forge: LocalForge) -> Callable[[], Repository]:
    """Loads the records as the local forge's main branch holds them, when called."""
    return lambda: load_repository_at(forge.repo, forge.main_ref)


def read_change(forge: LocalForge, change_id: str) -> ChangeSet:
    """The open change ``change_id`` as its branch holds it."""
    _commit, _parent, message = forge.change_commit(change_id)
    return change_from_commit(message, forge.proposal_files(change_id, ProposalKind.CHANGE))


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def require_four_eyes(change: ChangeSet, change_id: str, approver: str) -> None:
    """Refuse when ``approver`` is the moderator who asked for the change (or is unnamed)."""
    if not approver.strip():
        raise FourEyesRefused(
            f"批准变更 {change_id} 须写明批准人（--by 姓名）。"
            f" Approving change {change_id} needs the approver's name (--by NAME)."
        )
    if _same_person(approver, change.by):
        raise FourEyesRefused(
            f"四眼原则：变更 {change_id} 由 {change.by} 提出，须由另一位主持人批准。"
            f" Four-eyes rule: {change.by} asked for change {change_id}; another moderator "
            "must approve it."
        )


def approve_change(
    forge: LocalForge, change_id: str, *, by: str, rerun: Rerun | None = None
) -> Approved:
    """Merge change ``change_id`` into main, approved by ``by`` (never its requester).

    When main changed the change's files meanwhile: if main already holds exactly what the
    change writes, the change is set aside as done; otherwise its operation is re-run on
    main's records and the result merged, or :class:`ChangeConflict` says why it cannot be.
    """
    change = read_change(forge, change_id)
    require_four_eyes(change, change_id, by)
    message = f"批准变更 {change_id}（{change.summary}）\n\nApproved-by: {by}\n"
    newer = forge.stale_files(change_id)
    reran = False
    if newer:
        if forge.main_holds(change.files):
            forge.decline(change_id, ProposalKind.CHANGE)
            return Approved(change_id, forge.main_commit(), already_done=True)
        # Re-run on one fixed commit and build on that commit: should main move again
        # meanwhile, the approval below finds the change stale instead of overwriting.
        main = forge.main_commit()
        again = _rerun(change, newer, load_repository_at(forge.repo, main), rerun)
        forge.refresh_change(change_id, again.files, change_message(again), author=change.by,
                             parent=main)
        reran = True
    commit = forge.approve(change_id, message, ProposalKind.CHANGE, approver=by)
    return Approved(change_id, commit, rerun=reran)


def decline_change(forge: LocalForge, change_id: str) -> None:
    """Set change ``change_id`` aside unmerged (kept under ``refs/yishi/declined/``)."""
    forge.decline(change_id, ProposalKind.CHANGE)
