"""Council operations: every step after intake as a checked change set over the records.

The operations know nothing of MkDocs, HTTP or GitHub: they read a loaded
:class:`~yishi.loading.Repository` and return a :class:`ChangeSet`; forges apply it.
"""

from __future__ import annotations

from .changeset import CHANGE_ID_RE, ChangeSet, OperationRefused, git_blob_id

__all__ = ["CHANGE_ID_RE", "ChangeSet", "OperationRefused", "git_blob_id"]
