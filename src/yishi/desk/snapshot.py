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
from ..front_matter_cache import FrontMatterCache
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
    #: The snapshot this one was updated from, and the issues whose records (or meetings)
    #: changed since: derived views are refreshed for those alone. None after a full load.
    previous: Snapshot | None = None
    affected: set[str] | None = None


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


def _load_file(repo: Repository, path: str, data: bytes,
               cache: FrontMatterCache | None = None) -> None:
    """Validate one record file into ``repo`` (or note its problems and its id as broken)."""
    stem = Path(path).stem
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        repo.problems.append(Problem(path, 1, "(file)", "not UTF-8 text; save it as UTF-8"))
        repo.broken.add(stem)
        return
    model: type[Issue] | type[Meeting] = Issue if Path(path).parent == ISSUES_DIR else Meeting
    loaded = load_record(model, path, text, repo.council, cache)
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


def _records_at(root: Path, commit: str) -> dict[str, bytes]:
    """The council and record files of ``commit`` by path: one ``ls-tree`` for their blob
    ids, one ``cat-file --batch`` by id (resolving 20,000 paths one by one is far slower)."""
    listing = git(root, "ls-tree", "-r", "-z", commit, "--", RECORDS)
    wanted: list[tuple[str, str]] = []
    for entry in listing.decode("utf-8").split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split(" ")
        if len(parts) == 3 and parts[1] == "blob" and (
                path == COUNCIL_FILE.as_posix() or _folder_of(path)):
            wanted.append((path, parts[2]))
    if not wanted:
        return {}
    out = git(root, "cat-file", "--batch", stdin="".join(f"{oid}\n" for _, oid in wanted).encode())
    files: dict[str, bytes] = {}
    pos = 0
    for path, _oid in wanted:
        end = out.index(b"\n", pos)
        size = int(out[pos:end].rsplit(b" ", 1)[1])
        files[path] = out[end + 1:end + 1 + size]
        pos = end + 1 + size + 1  # each object is followed by a newline
    return files


def load_at(root: Path, commit: str, front_matter_cache: Path | None = None) -> Repository:
    """Every record of ``commit``, read from git objects (front matter parsed by an earlier
    load is read back from ``front_matter_cache``, as site builds do)."""
    files = _records_at(root, commit)
    repo = _fresh(root, files.get(COUNCIL_FILE.as_posix()))
    cache = FrontMatterCache(front_matter_cache) if front_matter_cache else None
    for path in sorted(files):
        if _folder_of(path):
            _load_file(repo, path, files[path], cache)
    if cache is not None:
        cache.save()
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
