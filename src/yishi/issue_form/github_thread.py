"""The :class:`~yishi.issue_form.thread.IssueThread` of a GitHub issue, through PyGithub,
with the GitHub forge's token and the same translation of GitHub's refusals."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import requests
from github import Auth, Github, GithubException

from ..errors import ForgeError
from ..forges.github import DEFAULT_API_URL, TOKEN_VARIABLE
from ..forges.github_errors import GithubAnswer, classify, unreachable
from .thread import IssueText

T = TypeVar("T")


class GithubThread:
    """Issue ``number`` of ``repo`` on GitHub."""

    def __init__(self, repo: str, number: int, token: str | None = None,
                 api_url: str = DEFAULT_API_URL, timeout: int = 15) -> None:
        token = token if token is not None else os.environ.get(TOKEN_VARIABLE)
        if not token:
            raise ForgeError(f"{TOKEN_VARIABLE} is not set: the intake needs a token that can "
                             f"comment on issues of {repo}")
        self.repo = repo
        self.number = number
        self.api_url = api_url.rstrip("/")
        # Lazy: objects are built without a request; each call below is one request.
        self._github = Github(auth=Auth.Token(token), base_url=self.api_url, timeout=timeout,
                              retry=None, lazy=True)
        self._repository = self._github.get_repo(repo)

    def permission(self, login: str) -> str:
        return self._call("reading the labeler's permission",
                          lambda: self._repository.get_collaborator_permission(login))

    def text(self) -> IssueText:
        def read() -> IssueText:
            issue = self._repository.get_issue(self.number)
            return IssueText(issue.title or "", issue.body or "", issue.updated_at)
        return self._call("reading the issue", read)

    def comments(self) -> list[str]:
        issue = self._repository.get_issue(self.number)
        return self._call("reading the issue's comments",
                          lambda: [c.body or "" for c in issue.get_comments()])

    def comment(self, body: str) -> None:
        issue = self._repository.get_issue(self.number)
        self._call("commenting on the issue", lambda: issue.create_comment(body))

    def close(self) -> None:
        """Close the HTTP connections."""
        self._github.close()

    def _call(self, step: str, action: Callable[[], T]) -> T:
        with self._answers(step):
            return action()

    @contextmanager
    def _answers(self, step: str) -> Iterator[None]:
        try:
            yield
        except GithubException as exc:
            raise classify(GithubAnswer(exc.status, exc.headers or {}, exc.data), step=step,
                           repo=self.repo, now=time.time(), backoff=60.0) from None
        except requests.RequestException as exc:
            raise unreachable(exc, step=step, api_url=self.api_url, backoff=60.0) from None
