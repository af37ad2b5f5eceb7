"""The records as a git branch holds them, not as the working tree has them.

Council operations are made from, and re-run on, what the main branch says: a moderator's
uncommitted edits in a checkout must never slip into a change another moderator approves.
"""

from __future__ import annotations

from pathlib import Path

from .git import ls_tree, read_objects, resolve
from .loading import Repository, load_repository_from

#: Everything the records need: the council and the issue and meeting files.
RECORDS_PATH = "content"


def load_repository_at(root: Path | str, rev: str) -> Repository:
    """Load the records committed at ``rev`` (a branch, tag or commit) of the git repository
    at ``root``; raises :class:`~yishi.git.GitError` for an unknown revision."""
    root = Path(root)
    commit = resolve(root, rev)
    blobs = [entry for entry in ls_tree(root, commit, RECORDS_PATH) if entry.kind == "blob"]
    contents = read_objects(root, [entry.oid for entry in blobs])
    return load_repository_from(root, {entry.path: data for entry, data
                                       in zip(blobs, contents, strict=True) if data is not None})
