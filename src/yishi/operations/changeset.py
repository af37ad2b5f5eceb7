"""A change set: what one council operation writes, who asked for it, and what it was made from.

Every operation (screen, plan, record a meeting, escalate, follow up, close, feedback,
import) is a plain function over the loaded records that returns a :class:`ChangeSet`.
Nothing is written by the operation itself: the change set is shown (``--dry-run``, the
desk's preview), then applied through a forge as one branch or pull request and approved by
another moderator. ``base`` and ``params`` make a change set *semantic*: when a file changed
on the main branch meanwhile, the operation is run again on the current records with the
same ``params`` instead of overwriting the newer text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import YishiError

#: ``2024-0312-k7qm-screen-3fa9c1``: the record it is about, the operation, a digest.
CHANGE_ID_RE = re.compile(r"\A(?P<subject>\d{4}-\d{4}-[a-z0-9]{2,24})-(?P<operation>[a-z_]+)-(?P<digest>[0-9a-f]{6})\Z")


class OperationRefused(YishiError):
    """An operation would break the lifecycle or the checks; nothing was changed.

    ``field`` names the input at fault (``criteria``, ``agenda[2].vote.for``, ``outcome``) and
    the message is Chinese first, for the moderator who typed it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ChangeSet:
    """The files one operation writes, with what they were made from.

    ``files`` maps repository paths (``content/issues/<id>.md``) to their new bytes.
    ``base`` maps the same paths to the git blob id of the version the operation read, or
    None for a file it creates; applying compares these with the main branch. ``params``
    is the operation's input as JSON-able data, enough to run it again on newer records.
    """

    operation: str
    subject: str  # the record the change is about: an issue id, or the meeting id for plan/record
    by: str  # the moderator who asked; named in the commit, never the committer
    on: dt.date  # the date of the step (timeline entries carry it)
    summary: str  # one line, Chinese: 受理提案 2024-0312-k7qm「楼道小广告」
    files: dict[str, bytes]
    base: dict[str, str | None]
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Stable id: the same operation with the same input on the same records → same id."""
        canonical = json.dumps(
            {
                "operation": self.operation,
                "subject": self.subject,
                "by": self.by,
                "on": self.on.isoformat(),
                "params": self.params,
                "base": self.base,
            },
            sort_keys=True,
            ensure_ascii=False,
            default=str,
        )
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:6]
        return f"{self.subject}-{self.operation}-{digest}"

    @property
    def branch(self) -> str:
        """The branch (local forge) or pull request head (GitHub) that carries it."""
        return f"change/{self.id}"

    def commit_message(self) -> str:
        """Subject line, then the moderator who asked as a trailer (the bot commits)."""
        return f"{self.summary}\n\nYishi-Operation: {self.operation}\nRequested-by: {self.by}\n"


def git_blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob (``git hash-object``), without running git."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
