"""Residents' new proposals waiting on the forge, as the desk shows and decides them.

A proposal from the intake service adds one issue file and its photos: a branch on the
local forge, a pull request on GitHub. The desk shows what merging it would publish, what
``yishi check`` and the personal-data scan find in it, and lets an approver merge or decline
it. As with ``yishi review``, the outcome goes to the intake store, so the resident's
receipt shows it (a decline with its reason).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..checks import run_checks
from ..council import Council
from ..diff.git import git
from ..errors import ForgeError, YishiError
from ..forges.base import ProposalKind
from ..forges.local import branch_prefix
from ..ids import ID_RE
from ..intake.proposal import build_proposal
from ..intake.store import QueueStatus, Store
from ..loading import Repository, load_record
from ..privacy import Finding, find_personal_data
from ..problems import Problem
from ..records import Issue
from .pulls import PullView
from .workflow import Workflow

#: A decline's reason is shown to the resident on the receipt; it is kept short.
MAX_REASON = 500


class ProposalGone(YishiError):
    """The proposal is no longer open (merged or declined meanwhile, or never was)."""


@dataclass(frozen=True)
class WaitingProposal:
    """One open proposal as 待办 lists it."""

    id: str
    title: str


@dataclass(frozen=True)
class ProposalView:
    """What merging an open proposal would publish, and what the checks find in it."""

    id: str
    path: str
    issue: Issue | None  # None when the record does not load (``problems`` say why)
    body: str
    problems: list[Problem]
    personal: list[Finding]
    photos: list[str]  # repository paths of the photos, in the record's order
    url: str = ""  # the pull request (GitHub forge)
    pull: PullView | None = None


def issue_path(issue_id: str) -> str:
    return f"content/issues/{issue_id}.md"


def inspect(issue_id: str, files: dict[str, bytes], council: Council | None,
            root: Path) -> ProposalView:
    """The proposal's record loaded and checked on its own, as ``yishi check`` would."""
    path = issue_path(issue_id)
    text = files.get(path, b"").decode("utf-8", "replace")
    photos = sorted(p for p in files if p.startswith(f"content/photos/{issue_id}/"))
    loaded = load_record(Issue, path, text, council)
    if isinstance(loaded, list):
        problems, issue, body = sorted(set(loaded)), None, text
    else:
        repo = Repository(root, council, issues={issue_id: loaded})
        problems, issue, body = run_checks(repo), loaded.record, loaded.body
        if loaded.record.id != issue_id:
            problems.append(Problem(path, 1, "id", f"id {loaded.record.id!r} 与编号 {issue_id} 不符"))
    return ProposalView(issue_id, path, issue, body, problems,
                        list(find_personal_data(text)), photos)


@dataclass
class Proposals:
    """The open proposals of the desk's forge, with the intake store beside them."""

    workflow: Workflow
    #: Where the intake store is (read when asked: the desk's settings may change it).
    intake_db: Callable[[], Path | None] = lambda: None
    #: Commit → title of the local forge's open proposals (a proposal's commit never changes).
    _titles: dict[str, str] = field(default_factory=dict)
    _listed: tuple[tuple[str, bytes], list[WaitingProposal]] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _store(self) -> Store | None:
        path = self.intake_db()
        return Store(path) if path is not None and path.exists() else None

    def waiting(self) -> list[WaitingProposal]:
        """Open proposals, oldest id first (on GitHub: the pull requests the intake store
        knows to be open)."""
        local = self.workflow.local
        if local is not None:
            # Listing asks git once per proposal: the answer is kept until main or a
            # proposal branch moves (two quick git calls tell).
            key = (local.main_commit(), git(self.workflow.root, "for-each-ref",
                                            "--format=%(refname) %(objectname)",
                                            branch_prefix(ProposalKind.PROPOSAL)))
            with self._lock:
                if self._listed is not None and self._listed[0] == key:
                    return self._listed[1]
            found = []
            for proposal in local.open_proposals():
                with self._lock:
                    title = self._titles.get(proposal.commit)
                if title is None:
                    title = self._title_at(proposal.commit, proposal.issue_id)
                    with self._lock:
                        self._titles[proposal.commit] = title
                found.append(WaitingProposal(proposal.issue_id, title))
            with self._lock:
                self._listed = (key, found)
            return found
        store = self._store()
        if store is None:
            return []
        with store:
            return [WaitingProposal(entry.id, store.content(entry.id)[0].title)
                    for entry in store.entries(QueueStatus.PR_OPEN) if entry.pr_url]

    def _title_at(self, commit: str, issue_id: str) -> str:
        try:
            text = git(self.workflow.root, "show", f"{commit}:{issue_path(issue_id)}").decode(
                "utf-8", "replace")
        except YishiError:
            return issue_id
        for line in text.splitlines()[1:]:
            if line.startswith("title:"):
                return line.removeprefix("title:").strip().strip("'\"") or issue_id
            if line.strip() == "---":
                break
        return issue_id

    def files(self, issue_id: str, council: Council | None) -> tuple[dict[str, bytes], str]:
        """The files the proposal adds and its pull request's address (GitHub forge)."""
        if not ID_RE.match(issue_id):
            raise ProposalGone(f"没有编号为 {issue_id} 的提案。")
        local = self.workflow.local
        if local is not None:
            try:
                return local.proposal_files(issue_id), ""
            except ForgeError as exc:
                raise ProposalGone(f"提案 {issue_id} 不在待审核之列(已批准、已退回或不存在)。") from exc
        store = self._store()
        gone = ProposalGone(f"提案 {issue_id} 不在待审核之列(已批准、已退回或不存在)。")
        if store is None or council is None:
            raise gone
        with store:
            entry = store.get(issue_id)
            if entry is None or entry.status is not QueueStatus.PR_OPEN or not entry.pr_url:
                raise gone
            submission, photos = store.content(issue_id)
        # The same files the intake worker sent: built again from the same submission.
        return build_proposal(issue_id, submission, photos, council).files, entry.pr_url

    def view(self, issue_id: str, council: Council | None) -> ProposalView:
        """The proposal's record, checks, photos and (GitHub) pull request."""
        files, url = self.files(issue_id, council)
        found = inspect(issue_id, files, council, self.workflow.root)
        if url:
            return replace(found, url=url, pull=self.workflow.pull(url))
        return found

    def photo(self, issue_id: str, number: int, council: Council | None) -> bytes | None:
        """The proposal's ``number``-th photo (1-based), if it has one."""
        files, _ = self.files(issue_id, council)
        return files.get(f"content/photos/{issue_id}/{number}.jpg")

    def approve(self, issue_id: str, approver: str, council: Council | None, now: float) -> None:
        """Merge the proposal (it becomes a received issue) and tell the intake store."""
        local = self.workflow.local
        if local is not None:
            self.files(issue_id, council)  # refuses a proposal no longer open, in Chinese
            local.approve(issue_id, approver=approver)
        else:
            _, url = self.files(issue_id, council)
            self.workflow.merge_pull(url, change_id=issue_id, approver=approver,
                                     requested_by="")
        self._record(issue_id, QueueStatus.PUBLISHED, now)

    def decline(self, issue_id: str, reason: str, council: Council | None, now: float) -> None:
        """Set the proposal aside unmerged; its reason goes to the resident's receipt."""
        local = self.workflow.local
        if local is not None:
            self.files(issue_id, council)
            local.decline(issue_id, ProposalKind.PROPOSAL)
        else:
            _, url = self.files(issue_id, council)
            self.workflow.close_pull(url)
        self._record(issue_id, QueueStatus.DECLINED, now, reason)

    def _record(self, issue_id: str, status: QueueStatus, now: float,
                reason: str | None = None) -> None:
        store = self._store()
        if store is None:
            return
        with store:
            if store.get(issue_id) is not None:
                store.set_status(issue_id, status, now, reason=reason)
