"""Council operations: every step after intake as a checked change set over the records.

The operations know nothing of MkDocs, HTTP or GitHub: they read a loaded
:class:`~yishi.loading.Repository` and return a :class:`ChangeSet`; forges apply it.
"""

from __future__ import annotations

from .changeset import CHANGE_ID_RE, ChangeSet, OperationRefused, git_blob_id
from .record_text import RecordText
from .screening import screen_accept, screen_merge, screen_reject, screen_withdraw
from .verify import apply_in_memory, check_change

__all__ = [
    "CHANGE_ID_RE",
    "ChangeSet",
    "OperationRefused",
    "RecordText",
    "apply_in_memory",
    "check_change",
    "git_blob_id",
    "screen_accept",
    "screen_merge",
    "screen_reject",
    "screen_withdraw",
]
