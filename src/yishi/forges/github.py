"""The GitHub forge: a proposal becomes branch ``proposal/<id>``, one commit, one pull request.

Every step looks before it writes, so a retry after a crash, a timeout or a refusal
completes the work and never doubles it:

1. a pull request whose head is the branch (open, merged or closed) means the branch and
   the pull request exist: only its labels are completed;
2. the branch: when missing, the files go into ONE commit on the default branch's head
   (binary files as blobs, text inline in one tree), then the ref is created. The ref is
   the commit point: objects left by a crash before it are unreachable and harmless, and
   "Reference already exists" means an earlier attempt got there;
3. the pull request: created; "A pull request already exists" means an earlier attempt
   got there, so it is looked up;
4. the labels (``proposal`` and the proposal's community and category; for a council
   change ``council-change`` and its operation): created in the repository when missing,
   then added to the pull request if it lacks them.

A council change (``change/<id>``) is checked before its commit is made: every file's blob
on the default branch must be the one the change was made from, else
:class:`~yishi.forges.base.BaseChanged` names who changed it. Its commit's author is the
moderator who asked; the committer is the token's account.

Every content-creating request is paid for from a :class:`RequestBudget` first; when the
budget is spent, or GitHub asked us to wait, :class:`ForgeRetryable` says for how long.
"""

from __future__ import annotations

import base64
import logging
import os
import time
import zlib
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import requests
from github import Auth, Github, GithubException, InputGitAuthor, InputGitTreeElement
from github.Commit import Commit
from github.GitCommit import GitCommit
from github.GitRef import GitRef
from github.PullRequest import PullRequest
from github.Repository import Repository

from yishi.errors import ForgeError, ForgeRetryable
from yishi.forges.base import (
    BaseChanged,
    NewerVersion,
    Proposal,
    ProposalKind,
    ProposalRef,
    ProposalState,
)
from yishi.forges.github_errors import GithubAnswer, classify, unreachable
from yishi.forges.ratelimit import Clock, RequestBudget
from yishi.operations.changeset import git_blob_id

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.github.com"
TOKEN_VARIABLE = "GITHUB_TOKEN"
PROPOSAL_LABEL = "proposal"
PROPOSAL_COLOR = "1d76db"
CHANGE_LABEL = "council-change"
#: Where a change set's author has no address: moderators are named, not addressed.
MODERATOR_EMAIL = "moderator@yishi.invalid"
#: Muted colours for community and category labels, picked by name so they stay stable.
LABEL_PALETTE = ("c5def5", "bfdadc", "d4c5f9", "fef2c0", "f9d0c4", "c2e0c6", "e4e669", "bfd4f2")
T = TypeVar("T")


class GithubForge:
    """Proposals as pull requests on ``repo`` (``OWNER/NAME``), through PyGithub."""

    name = "github"

    def __init__(
        self,
        repo: str,
        token: str | None = None,
        api_url: str = DEFAULT_API_URL,
        *,
        budget: RequestBudget | None = None,
        timeout: int = 15,
        clock: Clock = time.time,
        backoff_base: float = 5.0,
        backoff_cap: float = 300.0,
    ) -> None:
        owner, _, name = repo.partition("/")
        if not owner or not name or "/" in name:
            raise ForgeError(f"GitHub repository must be OWNER/NAME, got {repo!r}")
        token = token if token is not None else os.environ.get(TOKEN_VARIABLE)
        if not token:
            raise ForgeError(
                f"{TOKEN_VARIABLE} is not set: create a token with write access to contents, "
                f"pull requests and issues of {repo} and export it as {TOKEN_VARIABLE}"
            )
        self.repo = repo
        self.owner = owner
        self.api_url = api_url.rstrip("/")
        self.budget = budget if budget is not None else RequestBudget(clock=clock)
        self._token = token
        self._clock = clock
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._failures = 0  # consecutive 5xx answers and timeouts, for the backoff
        self._repository: Repository | None = None
        self._known_labels: set[str] = set()
        self._committer: InputGitAuthor | None = None
        # No retries and no pacing inside PyGithub: both would sleep in the worker. The
        # budget paces content creation; the worker retries on ForgeRetryable.
        self._github = Github(
            auth=Auth.Token(token),
            base_url=self.api_url,
            timeout=timeout,
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
        )

    def __repr__(self) -> str:
        # Never show the token, even in a debugger or a log of locals.
        return f"GithubForge(repo={self.repo!r}, api_url={self.api_url!r})"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._github.close()

    # ------------------------------------------------------------------ the Forge interface
    def find_proposal(
        self, issue_id: str, kind: ProposalKind = ProposalKind.PROPOSAL
    ) -> ProposalRef | None:
        """The pull request for ``issue_id`` (open, merged or closed), if any."""
        repo = self._call("reading the repository", self._repo)
        pull = self._call(
            "looking up the pull request",
            lambda: self._find_pull(repo, f"{kind.value}/{issue_id}"),
        )
        self._failures = 0
        return None if pull is None else _ref(issue_id, pull)

    def open_proposal(self, proposal: Proposal) -> ProposalRef:
        """Create (or complete) the branch, commit, pull request and labels for ``proposal``."""
        repo = self._call("reading the repository", self._repo)
        pull = self._call(
            "looking up the pull request", lambda: self._find_pull(repo, proposal.branch)
        )
        if pull is None:
            if proposal.base is not None:
                self._check_base(repo, proposal)
            self._ensure_branch(repo, proposal)
            pull = self._ensure_pull(repo, proposal)
        self._ensure_labels(repo, pull, _labels(proposal))
        self._failures = 0
        return _ref(proposal.issue_id, pull)

    # ------------------------------------------------------------------ steps
    def _repo(self) -> Repository:
        """The repository, read once (its default branch is the proposals' base)."""
        if self._repository is None:
            self._repository = self._github.get_repo(self.repo)
        return self._repository

    def _check_base(self, repo: Repository, proposal: Proposal) -> None:
        """Refuse when the default branch holds another version of a file than the change's
        base (a branch left by a crash already passed this check when it was made)."""
        assert proposal.base is not None
        if self._call(f"reading branch {proposal.branch}", lambda: _get_ref(repo, proposal.branch)):
            return
        branch = repo.default_branch
        newer = []
        for path, expected in sorted(proposal.base.items()):
            found = self._call(f"reading {path}", partial(_blob_of, repo, path, branch))
            if found == expected:
                continue
            last = self._call(
                f"reading the history of {path}",
                partial(_last_commit, repo, path, branch),
            )
            author = last.commit.author.name if last is not None else "?"
            subject = last.commit.message.split("\n", 1)[0] if last is not None else ""
            newer.append(NewerVersion(path, expected, found, author, subject))
        if newer:
            raise BaseChanged(proposal.issue_id, newer)

    def _commit_identity(self, proposal: Proposal) -> dict[str, InputGitAuthor]:
        """For a change: the moderator as author, the token's account as committer."""
        if proposal.author is None:
            return {}
        if self._committer is None:
            user = self._call("reading the token's account", lambda: self._github.get_user())
            login = self._call("reading the token's account", lambda: user.login)
            name = self._call("reading the token's account", lambda: user.name) or login
            email = f"{user.id}+{login}@users.noreply.github.com"
            self._committer = InputGitAuthor(name, email)
        return {"author": InputGitAuthor(proposal.author, MODERATOR_EMAIL),
                "committer": self._committer}

    def _find_pull(self, repo: Repository, branch: str) -> PullRequest | None:
        """The pull request from ``branch``: an open one first, else the latest."""
        pulls = list(repo.get_pulls(state="all", head=f"{self.owner}:{branch}"))
        open_pulls = [p for p in pulls if p.state == "open"]
        candidates = open_pulls or pulls
        return candidates[0] if candidates else None

    def _ensure_branch(self, repo: Repository, proposal: Proposal) -> None:
        """Make ``proposal.branch`` hold the proposal's files in one commit."""
        ref = self._call(
            f"reading branch {proposal.branch}", lambda: _get_ref(repo, proposal.branch)
        )
        if ref is not None and self._call(
            f"reading branch {proposal.branch}",
            lambda: _has_file(repo, proposal, _marker(proposal)),
        ):
            return
        if ref is not None:
            # Someone made the branch without our files (never this forge: it creates the
            # ref last); add the commit on top rather than rewrite their work.
            parent = self._call(
                "reading the branch head", lambda: repo.get_git_commit(ref.object.sha)
            )
            commit = self._commit(repo, proposal, parent)
            self._spend()
            self._call(f"updating branch {proposal.branch}", lambda: ref.edit(sha=commit.sha))
            return
        base = self._call(
            f"reading branch {repo.default_branch}",
            lambda: repo.get_git_commit(
                repo.get_git_ref(f"heads/{repo.default_branch}").object.sha
            ),
        )
        commit = self._commit(repo, proposal, base)
        self._spend()
        # False: an earlier attempt created it (we timed out before hearing so); keep theirs.
        created = self._call(
            f"creating branch {proposal.branch}",
            lambda: _create_unless_exists(
                lambda: repo.create_git_ref(f"refs/heads/{proposal.branch}", commit.sha)
            ),
        )
        log.info(
            "branch %s %s on %s", proposal.branch, "created" if created else "found", self.repo
        )

    def _commit(self, repo: Repository, proposal: Proposal, parent: GitCommit) -> GitCommit:
        """One commit on ``parent`` adding every file of ``proposal``.

        The budget must hold the blobs, tree, commit and the ref write that follows, or
        the objects made first would be orphans re-made (and re-paid) on the retry.
        """
        identity = self._commit_identity(proposal)
        binary = sum(1 for content in proposal.files.values() if not _is_text(content))
        self.budget.check(binary + 3)
        elements = []
        for path, content in proposal.files.items():
            if _is_text(content):
                text = content.decode("utf-8")
                elements.append(InputGitTreeElement(path, "100644", "blob", content=text))
            else:
                encoded = base64.b64encode(content).decode()
                self._spend()
                blob = self._call(
                    f"uploading {path}", partial(repo.create_git_blob, encoded, "base64")
                )
                elements.append(InputGitTreeElement(path, "100644", "blob", sha=blob.sha))
        self._spend()
        tree = self._call(
            "creating the tree", lambda: repo.create_git_tree(elements, base_tree=parent.tree)
        )
        self._spend()
        return self._call(
            "creating the commit",
            lambda: repo.create_git_commit(proposal.commit_message, tree, [parent], **identity),
        )

    def _ensure_pull(self, repo: Repository, proposal: Proposal) -> PullRequest:
        """Open the pull request, or find the one an earlier attempt opened."""
        self._spend()
        pull = self._call(
            "opening the pull request",
            lambda: _create_unless_exists(
                lambda: repo.create_pull(
                    base=repo.default_branch,
                    head=proposal.branch,
                    title=proposal.title,
                    body=proposal.body,
                )
            ),
        )
        if pull is None:  # an earlier attempt opened it: find that one
            found = self._call(
                "looking up the pull request", lambda: self._find_pull(repo, proposal.branch)
            )
            if found is None:
                raise ForgeRetryable(
                    f"GitHub says a pull request from {proposal.branch} exists but does not list it yet",
                    retry_after=self._backoff(),
                )
            return found
        log.info("opened pull request #%d for %s on %s", pull.number, proposal.branch, self.repo)
        return pull

    def _ensure_labels(self, repo: Repository, pull: PullRequest, labels: list[str]) -> None:
        """Give ``pull`` every label in ``labels``, creating missing repository labels."""
        present = {label.name.lower() for label in pull.labels}
        missing = [name for name in labels if name.lower() not in present]
        if not missing:
            return
        for name in missing:
            self._ensure_label(repo, name)
        self._spend()
        self._call(f"labelling pull request #{pull.number}", lambda: pull.add_to_labels(*missing))

    def _ensure_label(self, repo: Repository, name: str) -> None:
        """Create the repository label ``name`` unless it exists."""
        if name.lower() in self._known_labels:
            return
        if not self._call(f"reading label {name}", lambda: _label_exists(repo, name)):
            self._spend()
            self._call(
                f"creating label {name}",
                lambda: _create_unless_exists(lambda: repo.create_label(name, _color(name))),
            )
        self._known_labels.add(name.lower())

    # ------------------------------------------------------------------ limits and errors
    def _check_pause(self) -> None:
        """Refuse to contact GitHub while it has asked us to wait."""
        wait = self.budget.paused_for()
        if wait > 0:
            raise ForgeRetryable(f"GitHub asked us to wait: retry in {wait:.0f}s", retry_after=wait)

    def _spend(self) -> None:
        """Pay for one content-creating request, or raise ForgeRetryable."""
        self.budget.spend()

    def _backoff(self) -> float:
        """Seconds to wait after the latest run of server errors and timeouts."""
        return min(self._backoff_cap, self._backoff_base * 2.0 ** max(self._failures - 1, 0))

    def _call(self, step: str, action: Callable[[], T]) -> T:
        """Run one PyGithub call for ``step``, translating its failures into our errors."""
        self._check_pause()
        try:
            result = action()
        except GithubException as exc:
            if exc.status >= 500:
                self._failures += 1
            error = classify(
                GithubAnswer(exc.status, exc.headers or {}, exc.data),
                step=step,
                repo=self.repo,
                now=self._clock(),
                backoff=self._backoff(),
            )
            if isinstance(error, ForgeRetryable) and exc.status in (403, 429) and error.retry_after:
                self.budget.pause_until(self._clock() + error.retry_after)
            raise self._scrubbed(error) from None
        except requests.RequestException as exc:
            self._failures += 1
            raise self._scrubbed(
                unreachable(exc, step=step, api_url=self.api_url, backoff=self._backoff())
            ) from None
        self._note_primary_limit()
        return result

    def _note_primary_limit(self) -> None:
        """Pause until the reset once GitHub says the hourly allowance is spent, rather
        than spend the next request on a 403."""
        requester = self._github.requester
        remaining, limit = requester.rate_limiting
        reset = requester.rate_limiting_resettime
        if limit > 0 and remaining == 0 and reset > 0:
            self.budget.pause_until(float(reset))

    def _scrubbed(self, error: ForgeError) -> ForgeError:
        """``error`` with the token masked, should GitHub ever echo it back."""
        text = str(error)
        if self._token not in text:
            return error
        masked = text.replace(self._token, "***")
        if isinstance(error, ForgeRetryable):
            return ForgeRetryable(masked, retry_after=error.retry_after)
        return ForgeError(masked)


def _create_unless_exists(create: Callable[[], T]) -> T | None:
    """``create()``, or None when GitHub answers 422 that the thing already exists."""
    try:
        return create()
    except GithubException as exc:
        answer = GithubAnswer(exc.status, exc.headers or {}, exc.data).message.lower()
        if exc.status == 422 and ("already exists" in answer or "already_exists" in answer):
            return None
        raise


def _get_ref(repo: Repository, branch: str) -> GitRef | None:
    """The branch's ref, or None when it does not exist."""
    try:
        return repo.get_git_ref(f"heads/{branch}")
    except GithubException as exc:
        if exc.status == 404:
            return None
        raise


def _has_file(repo: Repository, proposal: Proposal, path: str) -> bool:
    """Whether ``path`` exists on the proposal's branch; for a change, which edits files
    that exist on main already, whether it holds the change's own version of it."""
    try:
        found = repo.get_contents(path, ref=proposal.branch)
    except GithubException as exc:
        if exc.status == 404:
            return False
        raise
    if proposal.kind is ProposalKind.CHANGE:
        return not isinstance(found, list) and found.sha == git_blob_id(proposal.files[path])
    return True


def _blob_of(repo: Repository, path: str, branch: str) -> str | None:
    """The blob id of ``path`` on ``branch``, or None when it does not exist there."""
    try:
        found = repo.get_contents(path, ref=branch)
    except GithubException as exc:
        if exc.status == 404:
            return None
        raise
    return None if isinstance(found, list) else found.sha


def _last_commit(repo: Repository, path: str, branch: str) -> Commit | None:
    """The newest commit on ``branch`` that changed ``path``."""
    return next(iter(repo.get_commits(sha=branch, path=path)), None)


def _label_exists(repo: Repository, name: str) -> bool:
    """Whether the repository has label ``name``."""
    try:
        repo.get_label(name)
    except GithubException as exc:
        if exc.status == 404:
            return False
        raise
    return True


def _is_text(content: bytes) -> bool:
    """Whether ``content`` can travel inline in a tree (UTF-8) rather than as a blob."""
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _marker(proposal: Proposal) -> str:
    """The file whose presence on the branch shows the commit landed: the record."""
    paths = list(proposal.files)
    if not paths:
        raise ForgeError(f"proposal {proposal.issue_id} has no files to commit")
    return next((p for p in paths if p.endswith(".md")), paths[0])


def _labels(proposal: Proposal) -> list[str]:
    """``proposal`` (``council-change``) first, then the proposal's own labels, no repeats."""
    seen: dict[str, str] = {}
    first = CHANGE_LABEL if proposal.kind is ProposalKind.CHANGE else PROPOSAL_LABEL
    for name in (first, *proposal.labels):
        if name.strip():
            seen.setdefault(name.strip().lower(), name.strip())
    return list(seen.values())


def _color(name: str) -> str:
    """A label colour: blue for ``proposal``, otherwise a stable pick from the palette."""
    if name == PROPOSAL_LABEL:
        return PROPOSAL_COLOR
    return LABEL_PALETTE[zlib.crc32(name.encode()) % len(LABEL_PALETTE)]


def _ref(issue_id: str, pull: PullRequest) -> ProposalRef:
    """Our view of a pull request."""
    if pull.merged_at is not None:
        state = ProposalState.MERGED
    elif pull.state == "closed":
        state = ProposalState.CLOSED
    else:
        state = ProposalState.OPEN
    return ProposalRef(issue_id=issue_id, url=pull.html_url, state=state)
