"""The records as a git branch holds them, not as the working tree has them.

Council operations are made from, and re-run on, what the main branch says: a moderator's
uncommitted edits in a checkout must never slip into a change another moderator approves.
"""

from __future__ import annotations

from pathlib import Path

from .diff.git import git, read_blobs, resolve
from .loading import Repository, load_repository_from

#: Everything the records need: the council and the issue and meeting files.
RECORDS_PATH = "content"


def load_repository_at(root: Path | str, rev: str) -> Repository:
    """Load the records committed at ``rev`` (a branch, tag or commit) of the git repository
    at ``root``; raises :class:`~yishi.diff.git.GitError` for an unknown revision."""
    root = Path(root)
    commit = resolve(root, rev)
    listing = git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", RECORDS_PATH)
    paths = [path for path in listing.decode("utf-8").split("\0") if path]
    blobs = read_blobs(root, commit, paths)
    return load_repository_from(root, {p: data for p, data in blobs.items() if data is not None})
