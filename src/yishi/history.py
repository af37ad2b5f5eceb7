"""The git history of every record, read in one pass over ``content/``.

A site of tens of thousands of records cannot afford one ``git log`` per record, so
:func:`read_history` runs a single ``git log --name-only`` over the whole ``content/`` folder
and files each commit under the paths it touched. Outside git the history is empty; in a
shallow clone (CI's default checkout) the records whose oldest visible commit is the
shallow boundary are marked incomplete instead of pretending that commit created them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import git
from .git import GitError

CONTENT = "content"

# Separators git never puts in hashes, dates or one-line subjects.
_RECORD_SEP = "\x1e"
_FIELD_SEP = "\x1f"
_FORMAT = f"{_RECORD_SEP}%H{_FIELD_SEP}%h{_FIELD_SEP}%cI{_FIELD_SEP}%s"


@dataclass(frozen=True)
class Commit:
    """One commit that changed a record: when (committer date, with its offset) and why."""

    hash: str
    short: str
    date: datetime
    subject: str

    def as_json(self) -> dict[str, str]:
        """The commit as it appears in the exports."""
        return {
            "commit": self.hash,
            "short": self.short,
            "date": self.date.isoformat(),
            "subject": self.subject,
        }


@dataclass(frozen=True)
class RecordHistory:
    """The commits that changed one file, newest first."""

    commits: tuple[Commit, ...] = ()
    #: False when older commits are missing (shallow clone) or git is not available.
    complete: bool = True

    @property
    def last_changed(self) -> Commit | None:
        """The newest commit that changed the file."""
        return self.commits[0] if self.commits else None

    @property
    def created(self) -> Commit | None:
        """The oldest commit known to have changed the file."""
        return self.commits[-1] if self.commits else None


@dataclass
class History:
    """Commits per path (relative to the repository root that holds ``content/``)."""

    by_path: dict[str, list[Commit]] = field(default_factory=dict)
    #: Whether the records are in a git work tree with at least one commit.
    available: bool = False
    #: Whether the clone is shallow (its oldest commits are missing).
    shallow: bool = False
    #: Commits whose parents are missing from a shallow clone.
    boundary: frozenset[str] = frozenset()
    #: The newest commit that touched ``content/`` at all (the "last changed" of lists).
    latest: Commit | None = None

    def of(self, path: str) -> RecordHistory:
        """The history of one file, e.g. ``content/issues/2023-0403-k7qm.md``."""
        commits = self.by_path.get(path, [])
        if not self.available:
            return RecordHistory((), complete=False)
        # In a shallow clone the boundary commit shows every file as added: if that is the
        # oldest commit we see for a file, its real creation (and anything between) is gone.
        complete = not (commits and commits[-1].hash in self.boundary)
        return RecordHistory(tuple(commits), complete=complete)

    @property
    def complete(self) -> bool:
        """Whether every record's full history is known."""
        return self.available and not self.shallow


def _git(root: Path, args: Sequence[str]) -> str | None:
    """Git's output, or None where it failed (not a work tree, no commit yet)."""
    try:
        return git.text(root, *args)
    except GitError:
        return None


def parse_log(output: str, prefix: str = "") -> dict[str, list[Commit]]:
    """Parse ``git log -z --name-only --format=<_FORMAT>`` output into commits per path.

    Paths are made relative to the repository root holding ``content/`` by removing
    ``prefix`` (``git rev-parse --show-prefix``), since git names them from its top level.
    """
    by_path: dict[str, list[Commit]] = {}
    for chunk in output.split(_RECORD_SEP):
        if not chunk:
            continue
        header, _, names = chunk.partition("\0")
        parts = header.split(_FIELD_SEP)
        if len(parts) != 4:
            continue
        full, short, date, subject = parts
        commit = Commit(full, short, datetime.fromisoformat(date), subject)
        for name in names.lstrip("\n").split("\0"):
            name = name.strip("\n")
            if not name or not name.startswith(prefix):
                continue
            by_path.setdefault(name[len(prefix):], []).append(commit)
    return by_path


def read_history(root: Path | str) -> History:
    """Every commit that touched ``root/content``, per file, from one ``git log`` pass."""
    root = Path(root)
    facts = _git(root, ["rev-parse", "--show-prefix", "--is-shallow-repository",
                        "--git-path", "shallow", "HEAD"])
    if facts is None:
        return History()  # not a git work tree, or no commit yet
    lines = facts.split("\n")
    prefix, shallow, shallow_file = lines[0], lines[1] == "true", lines[2]
    boundary: frozenset[str] = frozenset()
    if shallow:
        try:
            boundary = frozenset((root / shallow_file).read_text().split())
        except OSError:
            boundary = frozenset()
    # --no-renames: a record's path is its id, so a "rename" is a different record.
    log = _git(root, ["log", "-z", "--no-renames", "--name-only", f"--format={_FORMAT}",
                      "--", CONTENT])
    if log is None:
        return History()
    by_path = parse_log(log, prefix)
    latest = max((commits[0] for commits in by_path.values()), key=lambda c: c.date, default=None)
    return History(by_path, available=True, shallow=shallow, boundary=boundary, latest=latest)
