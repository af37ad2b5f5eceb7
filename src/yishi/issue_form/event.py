"""The ``issues: labeled`` event GitHub Actions writes to ``$GITHUB_EVENT_PATH``.

The issue's title and body are untrusted: the workflow never puts them in a shell through
``${{ }}``; this module reads them from the event file instead.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import YishiError


class EventError(YishiError):
    """The event file is missing, unreadable, or not an ``issues`` event."""


@dataclass(frozen=True)
class IssueEvent:
    """What the intake needs from an ``issues: labeled`` event."""

    number: int
    title: str
    body: str
    created_at: dt.datetime
    html_url: str
    label: str  # the label just added
    labels: tuple[str, ...]  # every label the issue carries now
    sender: str  # who added the label
    #: When the issue last changed as the event saw it: the label's own time, about.
    updated_at: dt.datetime | None = None

    @classmethod
    def from_payload(cls, payload: Any) -> IssueEvent:
        """Read the event, or raise :class:`EventError` saying what is missing."""
        try:
            issue = payload["issue"]
            if "pull_request" in issue:
                raise EventError("the event is about a pull request, not an issue")
            return cls(
                number=int(issue["number"]),
                title=str(issue["title"] or ""),
                body=str(issue.get("body") or ""),
                created_at=dt.datetime.fromisoformat(str(issue["created_at"])),
                html_url=str(issue["html_url"]),
                label=str((payload.get("label") or {}).get("name") or ""),
                labels=tuple(str(lb["name"]) for lb in issue.get("labels") or []),
                sender=str(payload["sender"]["login"]),
                updated_at=(dt.datetime.fromisoformat(str(issue["updated_at"]))
                            if issue.get("updated_at") else None),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, EventError):
                raise
            raise EventError(f"not an `issues` event: {type(exc).__name__} {exc}") from None

    @classmethod
    def from_file(cls, path: Path) -> IssueEvent:
        """Read ``$GITHUB_EVENT_PATH``."""
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise EventError(f"cannot read the event file {path}: {exc}") from None
        return cls.from_payload(payload)
