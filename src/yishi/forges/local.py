"""The local forge: proposals as branches of a git repository on this machine.

A proposal is branch ``proposal/<id>`` (a council operation's change set: ``change/<id>``)
with one commit on top of the main branch. It is built with git plumbing (objects, a throw-away index, ``update-ref``), so the repository's
working tree and index are never touched, and the branch appears atomically: a crash
before ``update-ref`` leaves only unreachable objects, and a retry finds the branch or makes
it. Approving merges into the main branch; declining moves the branch out of sight
(``refs/yishi/declined/<id>``) so it is neither listed nor proposed again. An approved
change moves to ``refs/yishi/applied/<id>``: its id is then known as done.

A change names the moderator who asked as the commit's author; the forge commits. Before
writing, the forge compares the blobs the change was made from with the main branch and
raises :class:`~yishi.forges.base.BaseChanged` rather than write over a newer record.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import git
from ..errors import ForgeError
from ..git import GitError
from ..operations.changeset import git_blob_id
from .base import BaseChanged, NewerVersion, Proposal, ProposalKind, ProposalRef, ProposalState

DECLINED_PREFIX = "refs/yishi/declined/"
APPLIED_PREFIX = "refs/yishi/applied/"
#: Where a change set's author is unknown to git: moderators are named, not addressed.
MODERATOR_EMAIL = "moderator@yishi.invalid"
INTAKE_IDENTITY = {
    "GIT_AUTHOR_NAME": "Yishi intake",
    "GIT_AUTHOR_EMAIL": "intake@yishi.invalid",
    "GIT_COMMITTER_NAME": "Yishi intake",
    "GIT_COMMITTER_EMAIL": "intake@yishi.invalid",
}
MODERATOR_IDENTITY = {
    "GIT_AUTHOR_NAME": "Yishi moderator",
    "GIT_AUTHOR_EMAIL": "moderator@yishi.invalid",
    "GIT_COMMITTER_NAME": "Yishi moderator",
    "GIT_COMMITTER_EMAIL": "moderator@yishi.invalid",
}
#: The committer of council changes; the moderator who asked is the author.
COUNCIL_COMMITTER = {
    "GIT_COMMITTER_NAME": "Yishi council",
    "GIT_COMMITTER_EMAIL": "council@yishi.invalid",
}
@dataclass(frozen=True)
class OpenProposal:
    """A proposal waiting for a moderator."""

    issue_id: str  # the issue id, or the change id of a council change
    commit: str
    subject: str


def branch_prefix(kind: ProposalKind) -> str:
    """``refs/heads/proposal/`` or ``refs/heads/change/``."""
    return f"refs/heads/{kind.value}/"


class LocalForge:
    """Proposals as branches of the git repository at ``repo``."""

    name = "local"

    def __init__(self, repo: Path, main_branch: str | None = None) -> None:
        self.repo = repo
        if not (repo / ".git").exists() and not (repo / "HEAD").is_file():
            raise ForgeError(
                f"{repo} 不是 git 仓库，请用 --root 指向记录仓库 / "
                f"{repo} is not a git repository; pass --root with the records repository"
            )
        self.main_branch = main_branch or self._default_branch()

    # -- git ---------------------------------------------------------------------------

    def _git(
        self,
        *args: str,
        input: bytes | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[bytes]:
        """Git in the repository (or in ``cwd``, a worktree of it); failures are forge errors."""
        try:
            return git.run(cwd or self.repo, *args, input=input, env=env, check=check)
        except GitError as exc:
            raise ForgeError(str(exc)) from exc

    def _out(self, *args: str, **kwargs: object) -> str:
        return self._git(*args, **kwargs).stdout.decode().strip()  # type: ignore[arg-type]

    def _ref(self, ref: str) -> str | None:
        return git.rev_parse(self.repo, ref)

    def _default_branch(self) -> str:
        head = self._git("symbolic-ref", "--quiet", "HEAD", check=False).stdout.decode().strip()
        return head.removeprefix("refs/heads/") if head.startswith("refs/heads/") else "main"

    @property
    def main_ref(self) -> str:
        return f"refs/heads/{self.main_branch}"

    def main_commit(self) -> str:
        """The main branch's head commit."""
        return self._main_commit()

    def main_holds(self, files: Mapping[str, bytes]) -> bool:
        """Whether the main branch already holds exactly these files (a change done twice)."""
        on_main = self._blobs_at(self._main_commit(), sorted(files))
        return all(on_main[path] == git_blob_id(data) for path, data in files.items())

    def _main_commit(self) -> str:
        commit = self._ref(self.main_ref)
        if commit is None:
            raise ForgeError(_no_commits(self.main_branch, self.repo))
        return commit

    # -- the Forge interface -------------------------------------------------------------

    def _refs(self, *names: str) -> dict[str, str]:
        """Which of these full ref names exist, with their commits (one git call)."""
        listing = self._out("for-each-ref", "--format=%(refname) %(objectname)", *names)
        found = dict(line.split(" ", 1) for line in listing.splitlines() if line)
        return {name: found[name] for name in names if name in found}

    def find_proposal(
        self, issue_id: str, kind: ProposalKind = ProposalKind.PROPOSAL
    ) -> ProposalRef | None:
        """The proposal for ``issue_id``: open, merged (its record is on main) or declined."""
        branch = branch_prefix(kind) + issue_id
        url = branch.removeprefix("refs/heads/")
        refs = self._refs(branch, DECLINED_PREFIX + issue_id, APPLIED_PREFIX + issue_id,
                          self.main_ref)
        if self.main_ref not in refs:
            raise ForgeError(_no_commits(self.main_branch, self.repo))
        if branch in refs:
            # Merged with plain git (not `yishi review approve`) leaves the branch behind.
            merged = git.is_ancestor(self.repo, refs[branch], refs[self.main_ref])
            return ProposalRef(
                issue_id, url, ProposalState.MERGED if merged else ProposalState.OPEN
            )
        if DECLINED_PREFIX + issue_id in refs:
            return ProposalRef(issue_id, url, ProposalState.CLOSED)
        if APPLIED_PREFIX + issue_id in refs:
            return ProposalRef(issue_id, url, ProposalState.MERGED)
        if kind is ProposalKind.PROPOSAL:
            record = f"{refs[self.main_ref]}:content/issues/{issue_id}.md"
            if self._git("cat-file", "-e", record, check=False).returncode == 0:
                return ProposalRef(issue_id, url, ProposalState.MERGED)
        return None

    def open_proposal(self, proposal: Proposal) -> ProposalRef:
        """Create branch ``proposal/<id>`` (``change/<id>``) with one commit of its files."""
        existing = self.find_proposal(proposal.issue_id, proposal.kind)
        if existing is not None:
            return existing
        base = self._main_commit()
        if proposal.base is not None:
            newer = self._newer_versions(proposal.base, base)
            if newer:
                raise BaseChanged(proposal.issue_id, newer)
        commit = self._commit_files(base, proposal.files, proposal.commit_message,
                                    self._identity(proposal))
        # The all-zero old value makes update-ref create-only: if a concurrent or earlier
        # attempt made the branch, ours fails and theirs stands.
        created = self._git(
            "update-ref", f"refs/heads/{proposal.branch}", commit, "0" * 40, check=False
        )
        if created.returncode != 0:
            found = self.find_proposal(proposal.issue_id, proposal.kind)
            if found is None:
                raise ForgeError(
                    f"could not create {proposal.branch}: "
                    f"{created.stderr.decode(errors='replace').strip()}"
                )
            return found
        return ProposalRef(proposal.issue_id, proposal.branch, ProposalState.OPEN)

    def _identity(self, proposal: Proposal) -> dict[str, str]:
        """Intake commits as itself; a change is authored by its moderator, committed by us."""
        if proposal.author is None:
            return INTAKE_IDENTITY
        return {"GIT_AUTHOR_NAME": proposal.author, "GIT_AUTHOR_EMAIL": MODERATOR_EMAIL,
                **COUNCIL_COMMITTER}

    def _commit_files(self, parent: str, files: dict[str, bytes], message: str,
                      identity: dict[str, str]) -> str:
        """One commit on ``parent`` writing ``files``; no ref, index or working tree touched."""
        paths = sorted(files)
        with tempfile.TemporaryDirectory(prefix="yishi-proposal-") as scratch:
            # All blobs in one git call: each file's bytes go through a scratch file.
            sources = []
            for n, path in enumerate(paths):
                source = Path(scratch) / f"{n}.blob"
                source.write_bytes(files[path])
                sources.append(f"{source}\n")
            blobs = self._out(
                "hash-object",
                "-w",
                "--no-filters",
                "--stdin-paths",
                input="".join(sources).encode(),
            ).split()
            entries = "".join(
                f"100644 {blob}\t{path}\n" for blob, path in zip(blobs, paths, strict=True)
            )
            # A throw-away index: the repository's own index and working tree stay untouched.
            index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            self._git("read-tree", parent, env=index)
            self._git("update-index", "--add", "--index-info", input=entries.encode(), env=index)
            tree = self._out("write-tree", env=index)
        return self._out(
            "commit-tree", tree, "-p", parent, "-F", "-", input=message.encode(), env=identity
        )

    def _blobs_at(self, commit: str, paths: list[str]) -> dict[str, str | None]:
        """The blob id of each path at ``commit``; None where the path is absent."""
        listing = self._out("ls-tree", "-z", "--full-tree", commit, "--", *paths) if paths else ""
        found: dict[str, str | None] = dict.fromkeys(paths)
        for entry in filter(None, listing.split("\0")):
            meta, path = entry.split("\t", 1)
            found[path] = meta.split()[2]
        return found

    def _newer_versions(self, base: Mapping[str, str | None], main: str) -> list[NewerVersion]:
        """The files whose blob on ``main`` is not the one ``base`` names, with who changed them."""
        current = self._blobs_at(main, sorted(base))
        newer = []
        for path, expected in sorted(base.items()):
            if current[path] == expected:
                continue
            last = self._out("log", "-1", "--no-merges", "--format=%an%x1f%s", main, "--", path)
            author, _, subject = last.partition("\x1f")
            newer.append(NewerVersion(path, expected, current[path], author or "?", subject))
        return newer

    # -- moderation ----------------------------------------------------------------------

    def open_proposals(self, kind: ProposalKind = ProposalKind.PROPOSAL) -> list[OpenProposal]:
        """Proposals (or changes) neither merged nor declined, oldest id first."""
        prefix = branch_prefix(kind)
        listing = self._out(
            "for-each-ref", "--format=%(refname) %(objectname) %(subject)", prefix
        )
        main = self._main_commit()
        found = []
        for line in filter(None, listing.splitlines()):
            ref, commit, subject = [*line.split(" ", 2), ""][:3]
            if not git.is_ancestor(self.repo, commit, main):
                found.append(OpenProposal(ref.removeprefix(prefix), commit, subject))
        return sorted(found, key=lambda p: p.issue_id)

    def _open_commit(self, issue_id: str, kind: ProposalKind = ProposalKind.PROPOSAL) -> str:
        ref = self.find_proposal(issue_id, kind)
        if ref is None or ref.state is not ProposalState.OPEN:
            zh = "不存在" if ref is None else _STATE_ZH[ref.state]
            state = "does not exist" if ref is None else f"is already {ref.state.value}"
            raise ForgeError(f"{_KIND_ZH[kind]} {issue_id} {zh}；待审的见 `yishi review list` / "
                             f"{kind.value} {issue_id} {state}; `yishi review list` shows open ones")
        commit = self._ref(branch_prefix(kind) + issue_id)
        assert commit is not None
        return commit

    def proposal_files(
        self, issue_id: str, kind: ProposalKind = ProposalKind.PROPOSAL
    ) -> dict[str, bytes]:
        """The files an open proposal adds or changes, by path."""
        commit = self._open_commit(issue_id, kind)
        paths = self._out(
            "diff-tree", "--no-commit-id", "--name-only", "-r", "-z", f"{commit}^", commit
        ).split("\0")
        return {p: self._git("cat-file", "blob", f"{commit}:{p}").stdout for p in paths if p}

    def change_commit(self, change_id: str) -> tuple[str, str, str]:
        """An open change's commit, its parent (the main it was made on) and its message."""
        commit = self._open_commit(change_id, ProposalKind.CHANGE)
        parent = self._out("rev-parse", f"{commit}^")
        message = self._git("log", "-1", "--format=%B", commit).stdout.decode()
        return commit, parent, message

    def stale_files(self, change_id: str) -> list[NewerVersion]:
        """Files of an open change that the main branch changed after the change was made."""
        _commit, parent, _message = self.change_commit(change_id)
        files = self.proposal_files(change_id, ProposalKind.CHANGE)
        return self._newer_versions(self._blobs_at(parent, sorted(files)), self._main_commit())

    def refresh_change(self, change_id: str, files: dict[str, bytes], message: str,
                       author: str, parent: str) -> str:
        """Replace an open change's commit by ``files`` on ``parent``, the main-branch commit
        they were made from (a re-run operation)."""
        old = self._open_commit(change_id, ProposalKind.CHANGE)
        identity = {"GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": MODERATOR_EMAIL,
                    **COUNCIL_COMMITTER}
        commit = self._commit_files(parent, files, message, identity)
        # Compare-and-swap: a concurrent refresh or approval makes this fail, not vanish.
        self._git("update-ref", branch_prefix(ProposalKind.CHANGE) + change_id, commit, old)
        return commit

    def _worktree_with_main(self) -> Path | None:
        listing = self._out("worktree", "list", "--porcelain")
        path: Path | None = None
        for line in listing.splitlines():
            if line.startswith("worktree "):
                path = Path(line.removeprefix("worktree "))
            elif line == f"branch {self.main_ref}":
                return path
        return None

    def _moderator_env(self) -> dict[str, str]:
        configured = self._git("config", "user.name", check=False).returncode == 0
        return {} if configured else MODERATOR_IDENTITY

    def approve(self, issue_id: str, message: str | None = None,
                kind: ProposalKind = ProposalKind.PROPOSAL,
                approver: str | None = None) -> str:
        """Merge an open proposal into the main branch; returns the merge commit.

        A change whose files the main branch changed meanwhile is refused with
        :class:`BaseChanged` (re-run it first: :func:`yishi.forges.changes.approve_change`).
        ``approver`` names the moderator in the merge commit.
        """
        commit = self._open_commit(issue_id, kind)
        if kind is ProposalKind.CHANGE:
            newer = self.stale_files(issue_id)
            if newer:
                raise BaseChanged(issue_id, newer)
        message = message or f"Approve {kind.value} {issue_id}"
        env = self._moderator_env()
        if approver:
            env = {"GIT_AUTHOR_NAME": approver, "GIT_AUTHOR_EMAIL": MODERATOR_EMAIL,
                   **COUNCIL_COMMITTER}
        worktree = self._worktree_with_main()
        if worktree is not None:
            # Main is checked out: merge there, so the files appear in the working tree too,
            # but only if that would not mix with someone's uncommitted edits.
            dirty = self._out("status", "--porcelain", "--untracked-files=no", cwd=worktree)
            if dirty:
                raise ForgeError(
                    f"{worktree} 检出了 {self.main_branch}，且有未提交的修改：请先提交或暂存，再批准 / "
                    f"{self.main_branch} is checked out in {worktree} with uncommitted changes; "
                    "commit or stash them, then approve again"
                )
            self._git("merge", "--no-ff", "--no-edit", "-m", message, commit, cwd=worktree, env=env)
        else:
            main = self._main_commit()
            merged = self._git("merge-tree", "--write-tree", main, commit, check=False)
            if merged.returncode != 0:
                raise ForgeError(
                    f"{_KIND_ZH[kind]} {issue_id} 与 {self.main_branch} 冲突，请用 git 手工合并 / "
                    f"{kind.value} {issue_id} conflicts with {self.main_branch}; "
                    "merge it by hand with git"
                )
            tree = merged.stdout.decode().split("\n", 1)[0].strip()
            merge = self._out("commit-tree", tree, "-p", main, "-p", commit, "-m", message, env=env)
            # Compare-and-swap on main: a concurrent change makes this fail instead of losing it.
            self._git("update-ref", self.main_ref, merge, main)
        if kind is ProposalKind.CHANGE:
            # Kept out of sight but known: the same change id is then reported as done.
            self._git("update-ref", APPLIED_PREFIX + issue_id, commit)
        self._git("update-ref", "-d", branch_prefix(kind) + issue_id, commit)
        return self._main_commit()

    def decline(self, issue_id: str, kind: ProposalKind = ProposalKind.PROPOSAL) -> None:
        """Move an open proposal out of the branch list (kept under ``refs/yishi/declined/``)."""
        commit = self._open_commit(issue_id, kind)
        self._git("update-ref", DECLINED_PREFIX + issue_id, commit)
        self._git("update-ref", "-d", branch_prefix(kind) + issue_id, commit)


#: How a moderator reads the forge's words (messages are Chinese first).
_KIND_ZH = {ProposalKind.PROPOSAL: "提案", ProposalKind.CHANGE: "变更"}
_STATE_ZH = {ProposalState.OPEN: "仍待审", ProposalState.MERGED: "已合并",
             ProposalState.CLOSED: "已退回"}


def _no_commits(branch: str, repo: Path) -> str:
    return (f"{repo} 的主分支 {branch!r} 还没有任何提交 / "
            f"the main branch {branch!r} of {repo} has no commits")
