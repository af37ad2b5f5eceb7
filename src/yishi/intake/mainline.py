"""The records as the main branch of the records repository has them: what the site shows.

Notices and the receipt's timeline follow the published records, not a working tree or the
desk, so a hand edit or a pull request merged on GitHub counts the moment it is on the main
branch. Records are read from git objects (``ls-tree``, ``cat-file --batch``), never from
the work tree, and parsed once per blob: a pass over an unchanged branch reads nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..council import Council
from ..git import ls_tree, read_objects, resolve
from ..loading import ISSUES_DIR, MEETINGS_DIR, load_record
from ..records import AgendaItem, Issue, Meeting


@dataclass(frozen=True)
class Snapshot:
    """One commit of the main branch: every issue's blob id, the meetings parsed, and the
    issues parsed so far (only those asked for: see :meth:`Mainline.load_issues`)."""

    commit: str
    issue_blobs: dict[str, str]
    meetings: dict[str, Meeting]
    issues: dict[str, Issue] = field(default_factory=dict)

    def agenda(self, issue_id: str) -> list[tuple[Meeting, AgendaItem]]:
        """The agenda items about ``issue_id``, oldest meeting first."""
        found = [(m, item) for m in self.meetings.values() for item in m.agenda
                 if item.issue == issue_id]
        return sorted(found, key=lambda pair: (pair[0].date, pair[0].id))


@dataclass
class Mainline:
    """Reads ``branch`` of the git repository at ``root``; caches records by blob id."""

    root: Path
    branch: str
    council: Council
    _parsed: dict[str, Issue | Meeting | None] = field(default_factory=dict, repr=False)
    _last: Snapshot | None = field(default=None, repr=False)

    def head(self) -> str:
        """The commit the main branch is at."""
        return resolve(self.root, f"refs/heads/{self.branch}")

    def snapshot(self) -> Snapshot:
        """The branch's current commit: issue blobs and meetings (the last one if unchanged).

        Issues are parsed only when asked for (:meth:`load_issues`): a council with tens of
        thousands of issues has few proposals still being followed.
        """
        commit = self.head()
        if self._last is not None and self._last.commit == commit:
            return self._last
        issue_blobs: dict[str, str] = {}
        meeting_blobs: dict[str, str] = {}
        for entry in ls_tree(self.root, commit, ISSUES_DIR.as_posix(), MEETINGS_DIR.as_posix()):
            if entry.kind != "blob" or not entry.path.endswith(".md"):
                continue
            stem = entry.path.rsplit("/", 1)[1].removesuffix(".md")
            folder = issue_blobs if entry.path.startswith(ISSUES_DIR.as_posix()) else meeting_blobs
            folder[stem] = entry.oid
        self._parse(Meeting, meeting_blobs, MEETINGS_DIR.as_posix())
        meetings = {record.id: record for blob in meeting_blobs.values()
                    if isinstance(record := self._parsed.get(blob), Meeting)}
        self._last = Snapshot(commit, issue_blobs, meetings)
        return self._last

    def load_issues(self, snapshot: Snapshot, issue_ids: Iterable[str]) -> None:
        """Parse these issues of the snapshot (those it has), in one ``cat-file`` call."""
        wanted = {i: snapshot.issue_blobs[i] for i in issue_ids if i in snapshot.issue_blobs}
        self._parse(Issue, wanted, ISSUES_DIR.as_posix())
        for issue_id, blob in wanted.items():
            record = self._parsed.get(blob)
            if isinstance(record, Issue) and record.id == issue_id:
                snapshot.issues[issue_id] = record

    def _parse(self, model: type[Issue] | type[Meeting], blobs: dict[str, str],
               folder: str) -> None:
        """Parse the blobs not parsed before (``blobs``: file stem → blob id)."""
        todo = {blob: stem for stem, blob in blobs.items() if blob not in self._parsed}
        if not todo:
            return
        for (blob, stem), data in zip(todo.items(), read_objects(self.root, list(todo)),
                                      strict=True):
            if data is None:  # not a blob after all: nothing to parse
                self._parsed[blob] = None
                continue
            try:
                loaded = load_record(model, f"{folder}/{stem}.md", data.decode("utf-8"),
                                     self.council)
            except UnicodeDecodeError:
                loaded = []
            # A broken record is skipped (``yishi check`` reports it); nothing is announced
            # from a record the site cannot show either.
            self._parsed[blob] = loaded.record if not isinstance(loaded, list) else None
