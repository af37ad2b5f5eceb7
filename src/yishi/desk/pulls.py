"""Council changes as GitHub pull requests, seen and merged from the desk.

With the GitHub forge a change is a pull request. The desk shows its state, its checks
(the combined commit status of its head) and its link, and lets an approver merge it only
when GitHub would (checks green, still open) and the approver is not the moderator who
asked for it; the merge names the head commit it was shown, so a branch that moved since
is not merged unseen.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from github import Auth, Github, GithubException

from ..errors import ForgeError
from ..forges.changes import FourEyesRefused
from ..forges.github import TOKEN_VARIABLE

CHECK_LABELS = {"success": "检查通过", "pending": "检查进行中", "failure": "检查未通过",
                "error": "检查出错"}
_NUMBER = re.compile(r"/pull/(\d+)$")


@dataclass(frozen=True)
class PullView:
    """What the desk shows of a change's pull request."""

    number: int
    url: str
    state: str  # open, merged, closed
    checks: str  # success, pending, failure, error
    head_sha: str

    @property
    def checks_label(self) -> str:
        return CHECK_LABELS.get(self.checks, self.checks)

    @property
    def mergeable(self) -> bool:
        """GitHub would merge it now: open and its checks green."""
        return self.state == "open" and self.checks == "success"


def pull_number(url: str) -> int | None:
    """The pull request's number from its web address."""
    found = _NUMBER.search(url)
    return int(found.group(1)) if found else None


class PullRequests:
    """The pull requests of one repository, through PyGithub."""

    def __init__(self, repo: str, api_url: str, token: str | None = None) -> None:
        token = token if token is not None else os.environ.get(TOKEN_VARIABLE)
        if not token:
            raise ForgeError(f"{TOKEN_VARIABLE} 未设置:议事台需要能合并拉取请求的令牌。")
        self.repo = repo
        self._github = Github(auth=Auth.Token(token), base_url=api_url.rstrip("/"), retry=None)

    def view(self, url: str) -> PullView | None:
        """The pull request at ``url`` with its checks, or None when it is not one of ours."""
        number = pull_number(url)
        if number is None:
            return None
        try:
            repository = self._github.get_repo(self.repo)
            pull = repository.get_pull(number)
            head = pull.head.sha
            checks = repository.get_commit(head).get_combined_status().state
        except GithubException as exc:
            raise ForgeError(f"无法读取拉取请求 #{number}:{exc.status} {exc.data}") from exc
        state = "merged" if pull.merged else pull.state
        return PullView(number, pull.html_url, state, checks, head)

    def merge(self, url: str, *, approver: str, requested_by: str, change_id: str) -> PullView:
        """Merge the change's pull request as ``approver``: refused for the moderator who
        asked, while its checks are not green, or when it is no longer open."""
        if " ".join(approver.split()).casefold() == " ".join(requested_by.split()).casefold():
            raise FourEyesRefused(f"四眼原则:变更 {change_id} 由 {requested_by} 提出,"
                                  "须由另一位审核人批准。")
        view = self.view(url)
        if view is None:
            raise ForgeError(f"变更 {change_id} 没有对应的拉取请求。")
        if view.state != "open":
            raise ForgeError(f"拉取请求 #{view.number} 已经{'合并' if view.state == 'merged' else '关闭'}。")
        if view.checks != "success":
            raise ForgeError(f"拉取请求 #{view.number} 的检查尚未通过({view.checks_label}),"
                             "通过后才能合并。")
        try:
            pull = self._github.get_repo(self.repo).get_pull(view.number)
            pull.merge(commit_message=f"批准变更 {change_id}\n\nApproved-by: {approver}\n",
                       merge_method="merge", sha=view.head_sha)
        except GithubException as exc:
            message = exc.data.get("message") if isinstance(exc.data, dict) else exc.data
            raise ForgeError(f"GitHub 拒绝合并 #{view.number}:{message}") from exc
        return PullView(view.number, view.url, "merged", view.checks, view.head_sha)

    def close(self, url: str) -> None:
        """Close the pull request at ``url`` unmerged (a declined proposal)."""
        number = pull_number(url)
        if number is None:
            raise ForgeError(f"{url} 不是拉取请求的地址。")
        try:
            self._github.get_repo(self.repo).get_pull(number).edit(state="closed")
        except GithubException as exc:
            raise ForgeError(f"无法关闭拉取请求 #{number}:{exc.status} {exc.data}") from exc
