"""Is every commit published before still in the history being published now?

A commit the ledger lists that is not an ancestor of HEAD has vanished: someone rewrote
history (force-push, rebase). A shallow clone cannot tell a vanished commit from one
beyond its boundary, so the check first fetches the full history when a remote exists,
and otherwise says that it needs it: it never reports a commit as vanished on a guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import git
from ..errors import HistoryIncomplete, HistoryRewritten, RewritesError, StalePublication
from .ledger import Ledger
from .rewrites import REWRITES_FILE, Rewrite


@dataclass(frozen=True)
class VanishedCommit:
    """A published commit that is no longer in the history."""

    commit: str
    #: The records it touched, as the ledger recorded them when it was published.
    records: tuple[str, ...]
    #: When a publication first included it.
    first_published: str | None
    #: The council's declaration that covers it, if any.
    rewrite: Rewrite | None
    #: Whether it descends from the commit being published: the publish is of an older
    #: state (a re-run of an old workflow), not of a rewritten history.
    after_head: bool = False
    #: Branches (local or remote) that still hold it: the wrong branch is being published.
    elsewhere: tuple[str, ...] = ()

    @property
    def short(self) -> str:
        return self.commit[:7]


@dataclass(frozen=True)
class Verification:
    """The result of checking a ledger against the history at ``head``."""

    head: str
    #: How many published commits were checked.
    checked: int
    vanished: tuple[VanishedCommit, ...] = ()
    #: Whether a shallow clone had to be deepened to decide.
    fetched: bool = False
    #: Commits ``content/rewrites.yml`` declares vanished that are in fact still there.
    still_present: tuple[str, ...] = ()

    @property
    def undeclared(self) -> tuple[VanishedCommit, ...]:
        """Vanished commits no rewrite declares: publishing must stop."""
        return tuple(v for v in self.vanished if v.rewrite is None)

    def by_record(self) -> dict[str, list[VanishedCommit]]:
        """Vanished versions per record path."""
        records: dict[str, list[VanishedCommit]] = {}
        for vanished in self.vanished:
            for path in vanished.records:
                records.setdefault(path, []).append(vanished)
        return records


def _output(root: Path, *args: str) -> str:
    """Git's output, or "" where it failed: every question here has a safe empty answer."""
    return git.run(root, *args, check=False).stdout.decode("utf-8", "replace")


def head_commit(root: Path) -> str | None:
    """The commit checked out under ``root``, or None outside git."""
    return git.rev_parse(root, "HEAD")


def is_shallow(root: Path) -> bool:
    """Whether the clone lacks its oldest commits."""
    return _output(root, "rev-parse", "--is-shallow-repository").strip() == "true"


def reachable(root: Path, head: str) -> set[str]:
    """Every commit in the history of ``head`` (as far as a shallow clone goes)."""
    return set(_output(root, "rev-list", head).split())


def _where_else(root: Path, head: str, commit: str) -> tuple[bool, tuple[str, ...]]:
    """Whether ``commit`` (if git has it) descends from ``head``, and which branches hold it."""
    if not git.succeeds(root, "cat-file", "-e", f"{commit}^{{commit}}"):
        return False, ()
    after = git.is_ancestor(root, head, commit)
    refs = _output(root, "for-each-ref", "--contains", commit, "--format=%(refname:short)",
                   "refs/heads", "refs/remotes").split()
    return after, tuple(refs)


def fetch_full_history(root: Path) -> bool:
    """Deepen a shallow clone from its remote; whether it now holds the full history."""
    remotes = _output(root, "remote").split()
    if not remotes:
        return False
    remote = "origin" if "origin" in remotes else remotes[0]
    git.run(root, "fetch", "--quiet", "--unshallow", "--no-tags", remote, check=False)
    return not is_shallow(root)


def verify_history(root: Path, ledger: Ledger, rewrites: Iterable[Rewrite] = (), *,
                   fetch: bool = True) -> Verification:
    """Check that every commit ``ledger`` lists is an ancestor of HEAD under ``root``.

    ``fetch`` allows deepening a shallow clone; without it, or without a remote, a
    shallow clone that lacks a listed commit raises :class:`HistoryIncomplete`.
    """
    head = head_commit(root)
    if head is None:
        raise HistoryIncomplete(f"{root} 不是 git 仓库,无法核对历史 · not a git work tree: "
                                "the check needs the records' git history")
    published = ledger.published_commits()
    present = reachable(root, head)
    missing = [commit for commit in published if commit not in present]
    fetched = False
    if missing and is_shallow(root):
        # Beyond a shallow boundary, "missing" means "not fetched", not "vanished".
        if not (fetch and fetch_full_history(root)):
            raise HistoryIncomplete(_incomplete_message(len(missing), fetch))
        fetched = True
        present = reachable(root, head)
        missing = [commit for commit in published if commit not in present]
    declared = {commit: rewrite for rewrite in rewrites for commit in rewrite.commits}
    vanished = tuple(
        VanishedCommit(commit, published[commit], ledger.first_published(commit),
                       declared.get(commit), *_where_else(root, head, commit))
        for commit in missing
    )
    still = tuple(commit for commit in declared if commit in present)
    return Verification(head, len(published), vanished, fetched, still)


def _incomplete_message(missing: int, fetch: bool) -> str:
    how = ("没有可以取回历史的远程仓库 · there is no remote to fetch it from" if fetch
           else "运行 `git fetch --unshallow` 或加 --fetch · run `git fetch --unshallow` or pass --fetch")
    return (
        f"无法核对历史:这是浅克隆,账本中有 {missing} 个已发布的提交不在本地历史里,"
        "无法判断它们是被改写掉了还是只是没有下载。核对需要完整的 git 历史"
        "(CI 中用 actions/checkout 的 fetch-depth: 0)。\n"
        f"Cannot verify the history: this is a shallow clone and {missing} published "
        "commit(s) are not in the local history, so it cannot tell a rewrite from a "
        "partial download. The check needs the full git history (fetch-depth: 0 on CI).\n"
        f"{how}"
    )


def require_declared(verification: Verification) -> None:
    """Raise unless every vanished commit is declared and every declaration is true."""
    if verification.still_present:
        listed = ", ".join(verification.still_present)
        raise RewritesError(
            f"{REWRITES_FILE}: commits: {listed} 仍在本次发布的历史中,不是被改写掉的提交;"
            "请从声明中删除 · still in the history being published: not rewritten, "
            "remove from the declaration")
    undeclared = verification.undeclared
    if not undeclared:
        return
    newer = [v.commit for v in undeclared if v.after_head]
    if newer:
        raise StalePublication(
            f"本次要发布的提交 {verification.head[:12]} 早于已经发布过的提交 {', '.join(newer)}:"
            "发布它会把网站退回到旧的状态(例如重新运行了一次旧的发布)。请发布 main 的最新提交。\n"
            f"The commit being published, {verification.head[:12]}, is older than published "
            f"commit(s) {', '.join(newer)}: publishing it would roll the site back (a re-run "
            "of an old publish?). Publish the latest commit of main instead.")
    lines = [
        f"历史被改写:以下已发布的提交不在本次发布的提交 {verification.head[:12]} 的历史中,"
        f"{REWRITES_FILE} 也没有声明它们。",
        f"History rewritten: these published commits are not ancestors of "
        f"{verification.head[:12]}, and {REWRITES_FILE} does not declare them.",
    ]
    for vanished in undeclared:
        records = ", ".join(vanished.records) or "(账本未记录改动的记录 · no records listed)"
        since = f"(首次发布 first published {vanished.first_published})" if vanished.first_published else ""
        lines.append(f"  {vanished.commit}{since} 改动的记录 · records it touched: {records}")
        if vanished.elsewhere:
            lines.append(f"    仍在分支 {', '.join(vanished.elsewhere)} 上:是否发布了错误的分支? "
                         "· still on these branches: is the wrong branch being published?")
    lines += [
        "如果议事会确实决定改写历史,请在 content/rewrites.yml 中公开登记,网站会发布这份说明;"
        "否则请恢复被覆盖的提交。",
        "If the council did decide to rewrite history, declare it in content/rewrites.yml "
        "and the site publishes the notice; otherwise restore the overwritten commits:",
        "rewrites:",
        "  - date: YYYY-MM-DD        # 改写的日期 · when history was rewritten",
        "    commits:",
        *(f"      - {vanished.commit}" for vanished in undeclared),
        "    reason: ……              # 理由 · why",
        "    authorised_by: ……       # 谁决定的 · who decided",
    ]
    raise HistoryRewritten("\n".join(lines))
