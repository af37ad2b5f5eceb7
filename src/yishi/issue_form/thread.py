"""The issue a proposal came from: who may hand it over, and where the intake replies."""

from __future__ import annotations

from typing import Protocol

#: Repository permissions that may hand an issue to the intake. GitHub's permission API
#: reports "maintain" as "write" and "triage" as "read": triage can label, but not accept.
MAINTAINER_PERMISSIONS = frozenset({"admin", "maintain", "write"})


class IssueThread(Protocol):
    """One issue on a forge: its repository's permissions and its comments."""

    def permission(self, login: str) -> str:
        """``login``'s permission on the repository: admin, write, read or none."""
        ...

    def comments(self) -> list[str]:
        """The bodies of the issue's comments, oldest first."""
        ...

    def comment(self, body: str) -> None:
        """Add a comment to the issue."""
        ...
