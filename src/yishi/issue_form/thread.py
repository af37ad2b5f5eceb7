"""The issue a proposal came from: who may hand it over, and where the intake replies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

#: Repository permissions that may hand an issue to the intake. GitHub's permission API
#: reports "maintain" as "write" and "triage" as "read": triage can label, but not accept.
MAINTAINER_PERMISSIONS = frozenset({"admin", "maintain", "write"})


@dataclass(frozen=True)
class IssueText:
    """An issue's title and body as the forge holds them now, and when it last changed."""

    title: str
    body: str
    updated_at: dt.datetime | None = None


class IssueThread(Protocol):
    """One issue on a forge: its repository's permissions, its text and its comments."""

    def text(self) -> IssueText:
        """The issue's title and body now (not as the event saw them)."""
        ...

    def permission(self, login: str) -> str:
        """``login``'s permission on the repository: admin, write, read or none."""
        ...

    def comments(self) -> list[str]:
        """The bodies of the issue's comments, oldest first."""
        ...

    def comment(self, body: str) -> None:
        """Add a comment to the issue."""
        ...
