"""The records as the main branch holds them, loaded once and kept in memory.

A page must not re-read 20,000 records: the desk keeps one loaded
:class:`~yishi.loading.Repository` with the commit it came from. Each request asks git for
the main branch's commit (one ``rev-parse``); when it moved, only the record files that
changed between the two commits are read and validated again (``git diff``), unless the
council registry changed, which every record is validated against. The working tree is
never read: approving a change moves the branch, and what the branch says is the record.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..council import COUNCIL_FILE, Council
from ..diff.git import changed_paths, git, read_blobs, resolve
from ..errors import CouncilError
from ..loading import ISSUES_DIR, MEETINGS_DIR, Loaded, Repository, load_record
from ..problems import Problem
from ..records import Issue, Meeting

RECORDS = "content"


@dataclass
class Snapshot:
    """One commit's records, with answers derived from them cached beside."""

    commit: str
    repo: Repository
    #: Per-snapshot memo for derived views (the 待办 lists); dropped with the snapshot.
    memo: dict[Any, Any] = field(default_factory=dict)


def _parse_council(text: bytes | None) -> Council:
    if text is None:
        raise CouncilError(f"{COUNCIL_FILE}: missing; every Yishi repository needs one")
    try:
        return Council.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise CouncilError(f"{COUNCIL_FILE}: {exc}") from exc


def _folder_of(path: str) -> Path | None:
    parent = Path(path).parent
    return parent if path.endswith(".md") and parent in (ISSUES_DIR, MEETINGS_DIR) else None


def _load_file(repo: Repository, path: str, data: bytes) -> None:
    """Validate one record file into ``repo`` (or note its problems and its id as broken)."""
    stem = Path(path).stem
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        repo.problems.append(Problem(path, 1, "(file)", "not UTF-8 text; save it as UTF-8"))
        repo.broken.add(stem)
        return
    model: type[Issue] | type[Meeting] = Issue if Path(path).parent == ISSUES_DIR else Meeting
    loaded = load_record(model, path, text, repo.council)
    if isinstance(loaded, list):
        repo.problems.extend(loaded)
        repo.broken.add(stem)
        return
    if loaded.record.id != stem:
        repo.problems.append(Problem(path, 1, "id", f"id {loaded.record.id!r} does not match "
                                                    f"the file name {stem!r}"))
    if isinstance(loaded.record, Issue):
        repo.issues[stem] = loaded  # type: ignore[assignment]
    else:
        repo.meetings[stem] = loaded  # type: ignore[assignment]


def _fresh(root: Path, council_text: bytes | None) -> Repository:
    try:
        return Repository(root, _parse_council(council_text))
    except CouncilError as exc:
        repo = Repository(root, None)
        repo.problems.append(Problem(COUNCIL_FILE.as_posix(), 1, "(council)", str(exc)))
        return repo


def load_at(root: Path, commit: str) -> Repository:
    """Every record of ``commit``, read from git objects."""
    listing = git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", RECORDS)
    paths = [p for p in listing.decode("utf-8").split("\0") if p]
    wanted = [p for p in paths if p == COUNCIL_FILE.as_posix() or _folder_of(p)]
    blobs = read_blobs(root, commit, wanted)
    repo = _fresh(root, blobs.get(COUNCIL_FILE.as_posix()))
    for path in sorted(wanted):
        data = blobs.get(path)
        if data is not None and _folder_of(path):
            _load_file(repo, path, data)
    return repo


def updated(old: Snapshot, root: Path, commit: str) -> Repository:
    """``old``'s records moved to ``commit``, re-reading only the files that changed."""
    changes = changed_paths(root, old.commit, commit, [RECORDS])
    paths = {c.path for c in changes}
    if COUNCIL_FILE.as_posix() in paths:
        return load_at(root, commit)
    stems = {Path(p).stem for p in paths if _folder_of(p)}
    repo = Repository(old.repo.root, old.repo.council,
                      issues={k: v for k, v in old.repo.issues.items() if k not in stems},
                      meetings={k: v for k, v in old.repo.meetings.items() if k not in stems},
                      problems=[p for p in old.repo.problems if p.path not in paths],
                      broken=old.repo.broken - stems)
    blobs = read_blobs(root, commit, [c.path for c in changes if c.status != "D"])
    for path in sorted(paths):
        data = blobs.get(path)
        if data is not None and _folder_of(path):
            _load_file(repo, path, data)
    return repo


class LiveRecords:
    """The latest snapshot of the main branch, reloaded when the branch moves."""

    def __init__(self, root: Path, main_branch: str = "main") -> None:
        self.root = root
        self.main_branch = main_branch
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        #: How many files the last reload read (the benchmark and tests look at it).
        self.last_reload: str = ""

    def head(self) -> str:
        """The main branch's commit now."""
        return resolve(self.root, f"refs/heads/{self.main_branch}")

    def current(self) -> Snapshot:
        """The snapshot of the main branch as it is now (reloading if it moved)."""
        commit = self.head()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.commit == commit:
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is not None and snapshot.commit == commit:
                return snapshot
            if snapshot is None:
                repo = load_at(self.root, commit)
                self.last_reload = "full"
            else:
                repo = updated(snapshot, self.root, commit)
                self.last_reload = "incremental"
            self._snapshot = Snapshot(commit, repo)
            return self._snapshot


__all__ = ["LiveRecords", "Loaded", "Snapshot", "load_at"]
