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

from ..council import COUNCIL_FILE
from ..front_matter_cache import FrontMatterCache
from ..git import changed_paths, ls_tree, read_blobs, read_objects, resolve
from ..ids import ID_RE
from ..loading import (
    ISSUES_DIR,
    MEETINGS_DIR,
    Loaded,
    Repository,
    id_problems,
    load_record_file,
    repository_at,
)
from ..records import Issue, Meeting

RECORDS = "content"


@dataclass
class Snapshot:
    """One commit's records, with answers derived from them cached beside."""

    commit: str
    repo: Repository
    #: Per-snapshot memo for derived views (the 待办 lists); dropped with the snapshot.
    memo: dict[Any, Any] = field(default_factory=dict)
    #: The snapshot this one was updated from, and the issues whose records (or meetings)
    #: changed since: derived views are refreshed for those alone. None after a full load.
    previous: Snapshot | None = None
    affected: set[str] | None = None

    def issue(self, issue_id: str) -> Loaded[Issue] | None:
        """The issue an address names (an untrusted path parameter: only a well-formed id)."""
        return self.repo.issues.get(issue_id) if ID_RE.match(issue_id) else None

    def meeting(self, meeting_id: str) -> Loaded[Meeting] | None:
        """The meeting an address names (an untrusted path parameter: only a well-formed id)."""
        return self.repo.meetings.get(meeting_id) if ID_RE.match(meeting_id) else None


def _folder_of(path: str) -> Path | None:
    parent = Path(path).parent
    return parent if path.endswith(".md") and parent in (ISSUES_DIR, MEETINGS_DIR) else None


def _load_file(repo: Repository, path: str, data: bytes,
               cache: FrontMatterCache | None = None) -> None:
    """Validate one record file into ``repo`` (or note its problems and its id as broken)."""
    stem = Path(path).stem
    if Path(path).parent == ISSUES_DIR:
        if (issue := load_record_file(repo, Issue, path, data, cache)) is not None:
            repo.issues[stem] = issue
    elif (meeting := load_record_file(repo, Meeting, path, data, cache)) is not None:
        repo.meetings[stem] = meeting


def _check_ids(repo: Repository) -> None:
    """Replace the id problems of ``repo``'s loaded records with those ``yishi check`` finds.

    A duplicate depends on every file of its folder (the first path keeps the id), so both
    the full and the incremental load check all ids again, as ``yishi check`` does: one pass
    over the loaded records, a YAML line lookup only for a record at fault. The desk keeps
    a duplicate under its file name; only the problems must agree.
    """
    folders: tuple[list[Loaded[Any]], ...] = (
        sorted(repo.issues.values(), key=lambda r: r.path),
        sorted(repo.meetings.values(), key=lambda r: r.path))
    paths = {record.path for folder in folders for record in folder}
    problems = [p for p in repo.problems if p.path not in paths]
    for folder in folders:
        first_path: dict[str, str] = {}
        for record in folder:
            problems.extend(id_problems(record.path, record, first_path)[0])
    repo.problems = sorted(problems, key=lambda p: p.path)  # stable: a file's own order


def _records_at(root: Path, commit: str) -> dict[str, bytes]:
    """The council and record files of ``commit`` by path: one ``ls-tree`` for their blob
    ids, one ``cat-file --batch`` by id (resolving 20,000 paths one by one is far slower)."""
    wanted = [(entry.path, entry.oid) for entry in ls_tree(root, commit, RECORDS)
              if entry.kind == "blob" and (entry.path == COUNCIL_FILE.as_posix()
                                           or _folder_of(entry.path))]
    contents = read_objects(root, [oid for _, oid in wanted])
    return {path: data for (path, _oid), data in zip(wanted, contents, strict=True)
            if data is not None}


def load_at(root: Path, commit: str, front_matter_cache: Path | None = None) -> Repository:
    """Every record of ``commit``, read from git objects (front matter parsed by an earlier
    load is read back from ``front_matter_cache``, as site builds do)."""
    files = _records_at(root, commit)
    repo = repository_at(root, files.get(COUNCIL_FILE.as_posix()))
    cache = FrontMatterCache(front_matter_cache) if front_matter_cache else None
    for path in sorted(files):
        if _folder_of(path):
            _load_file(repo, path, files[path], cache)
    if cache is not None:
        cache.save()
    _check_ids(repo)
    return repo


def updated(old: Snapshot, root: Path, commit: str) -> tuple[Repository, set[str] | None]:
    """``old``'s records moved to ``commit``, re-reading only the files that changed; with
    the issues affected (None: everything was loaded again)."""
    changes = changed_paths(root, old.commit, commit, [RECORDS])
    paths = {c.path for c in changes}
    if COUNCIL_FILE.as_posix() in paths:
        return load_at(root, commit), None  # every record is validated against the council
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
    _check_ids(repo)
    affected = {stem for stem in stems if stem not in old.repo.meetings and stem not in repo.meetings}
    for stem in stems:  # a meeting's change reaches the issues on its agenda, before and after
        for version in (old.repo.meetings.get(stem), repo.meetings.get(stem)):
            if version is not None:
                affected.update(item.issue for item in version.record.agenda)
    return repo, affected


class LiveRecords:
    """The latest snapshot of the main branch, reloaded when the branch moves."""

    def __init__(self, root: Path, main_branch: str = "main",
                 front_matter_cache: Path | None = None) -> None:
        self.root = root
        self.main_branch = main_branch
        #: Where the full load keeps parsed front matter for the next start (beside the db).
        self.front_matter_cache = front_matter_cache
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
                self._snapshot = Snapshot(commit, load_at(self.root, commit,
                                                          self.front_matter_cache))
                self.last_reload = "full"
            else:
                repo, affected = updated(snapshot, self.root, commit)
                snapshot.previous = None  # keep one step of history, not a chain
                self._snapshot = Snapshot(commit, repo, previous=snapshot, affected=affected)
                self.last_reload = "incremental" if affected is not None else "full"
            return self._snapshot


__all__ = ["LiveRecords", "Loaded", "Snapshot", "load_at"]
