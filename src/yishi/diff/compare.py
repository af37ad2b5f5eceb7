"""Compare the records at two git revisions, reading only the files that changed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .. import git
from ..council import COUNCIL_FILE, Council
from ..loading import ISSUES_DIR, MEETINGS_DIR, Loaded, load_record
from ..records import AgendaItem, Issue, Meeting
from .model import (
    AgendaSummary,
    DecisionEdit,
    DeletedRecord,
    EditedRecord,
    NewIssue,
    NewMeeting,
    RecordDiff,
    RecordKind,
    StatusChange,
    Unreadable,
)

T = TypeVar("T", bound=BaseModel)

#: A record file at one revision: loaded, the problems that keep it from loading, or absent.
Side = Loaded[T] | list[str] | None

#: What an agenda item decides; other agenda changes (actions, notes) are ordinary edits.
DECISION_FIELDS = ("outcome", "decision", "vote")


@dataclass
class Revision:
    """The council and the changed record files at one commit."""

    commit: str
    council: Council | None
    files: dict[str, bytes | None]  # path → content, None when absent at this commit


def _council_at(root: Path, commit: str) -> Council | None:
    """The council registry at ``commit``, or None when it is absent or invalid there."""
    text = git.read_blobs(root, commit, [COUNCIL_FILE.as_posix()])[COUNCIL_FILE.as_posix()]
    if text is None:
        return None
    try:
        return Council.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError):
        return None  # records then load without registry checks; `yishi check` reports it


def _kind_of(path: str) -> RecordKind | None:
    """``issue`` or ``meeting`` for a record file path, None for anything else."""
    pure = PurePosixPath(path)
    if pure.suffix != ".md":
        return None
    if pure.parent == PurePosixPath(ISSUES_DIR.as_posix()):
        return "issue"
    if pure.parent == PurePosixPath(MEETINGS_DIR.as_posix()):
        return "meeting"
    return None


def _load(model: type[T], path: str, blob: bytes | None, council: Council | None) -> Side[T]:
    """The record, the problems that keep it from loading, or None when absent."""
    if blob is None:
        return None
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        return [f"{path}:1: (file): not UTF-8 text"]
    loaded = load_record(model, path, text, council)
    return [str(p) for p in loaded] if isinstance(loaded, list) else loaded


def _vote(item: AgendaItem) -> dict[str, Any] | None:
    if item.vote is None:
        return None
    vote: dict[str, Any] = item.vote.model_dump(mode="json", by_alias=True, exclude={"votes"})
    return vote


def _summary(item: AgendaItem, titles: dict[str, str]) -> AgendaSummary:
    return AgendaSummary(
        issue=item.issue,
        issue_title=titles.get(item.issue),
        outcome=item.outcome.value if item.outcome else None,
        decision=item.decision,
        vote=_vote(item),
    )


def _changed_keys(before: BaseModel, after: BaseModel) -> list[str]:
    """Top-level front-matter keys whose values differ, in the model's order."""
    a = before.model_dump(mode="json", by_alias=True)
    b = after.model_dump(mode="json", by_alias=True)
    return [key for key in b if a.get(key) != b.get(key)]


class _Comparer:
    """Builds a :class:`RecordDiff` from the changed files at two revisions."""

    def __init__(self, root: Path, base: Revision, head: Revision) -> None:
        self.root = root
        self.base = base
        self.head = head
        self.diff = RecordDiff(base=base.commit, head=head.commit)
        self.titles: dict[str, str] = {}  # issue id → title at head (or base, if deleted)

    def run(self, paths: list[str]) -> RecordDiff:
        issues = [p for p in paths if _kind_of(p) == "issue"]
        meetings = [p for p in paths if _kind_of(p) == "meeting"]
        loaded_issues = {
            p: (_load(Issue, p, self.base.files[p], self.base.council),
                _load(Issue, p, self.head.files[p], self.head.council))
            for p in issues
        }
        loaded_meetings = {
            p: (_load(Meeting, p, self.base.files[p], self.base.council),
                _load(Meeting, p, self.head.files[p], self.head.council))
            for p in meetings
        }
        for before, after in loaded_issues.values():
            for side in (after, before):
                if isinstance(side, Loaded):
                    self.titles.setdefault(side.record.id, side.record.title)
        self._fetch_agenda_titles(loaded_meetings.values())
        for path, (before, after) in loaded_issues.items():
            self._issue(path, before, after)
        for path, (before_m, after_m) in loaded_meetings.items():
            self._meeting(path, before_m, after_m)
        return self.diff

    def _fetch_agenda_titles(self, pairs: Iterable[tuple[Side[Meeting], Side[Meeting]]]) -> None:
        """Titles of issues named on changed agendas but not changed themselves."""
        wanted: set[str] = set()
        for before, after in pairs:
            for side in (before, after):
                if isinstance(side, Loaded):
                    wanted.update(item.issue for item in side.record.agenda)
        missing = sorted(wanted - self.titles.keys())
        paths = [(ISSUES_DIR / f"{issue_id}.md").as_posix() for issue_id in missing]
        for rev in (self.head, self.base):
            blobs = git.read_blobs(self.root, rev.commit, paths)
            for path, blob in blobs.items():
                loaded = _load(Issue, path, blob, rev.council)
                if isinstance(loaded, Loaded):
                    self.titles.setdefault(loaded.record.id, loaded.record.title)

    def _issue(
        self, path: str, before: Side[Issue], after: Side[Issue]) -> None:
        stem = PurePosixPath(path).stem
        if isinstance(after, list):
            self.diff.unreadable.append(Unreadable(path, after))
        elif after is None:
            title = before.record.title if isinstance(before, Loaded) else None
            self.diff.deleted.append(DeletedRecord("issue", stem, title, path))
        elif before is None:
            issue = after.record
            council = self.head.council
            self.diff.new_issues.append(NewIssue(
                id=issue.id, title=issue.title,
                community=issue.community,
                community_name=council.community_names.get(issue.community, issue.community)
                if council else issue.community,
                category=issue.category,
                category_name=council.category_names.get(issue.category, issue.category)
                if council else issue.category,
                kind=issue.kind.value, status=issue.status.value, path=path,
            ))
        elif isinstance(before, list):
            self.diff.edited.append(
                EditedRecord("issue", after.record.id, after.record.title, path, ["(repaired)"]))
        else:
            self._edited_issue(path, before, after)

    def _edited_issue(self, path: str, before: Loaded[Issue], after: Loaded[Issue]) -> None:
        old, new = before.record, after.record
        fields = _changed_keys(old, new)
        appended = new.timeline[: len(old.timeline)] == old.timeline
        if old.status is not new.status:
            self.diff.status_changes.append(StatusChange(
                new.id, new.title, path, old.status.value, new.status.value))
            fields.remove("status")
            if appended and "timeline" in fields:
                fields.remove("timeline")  # the new entry is the status change itself
        if before.body != after.body:
            fields.append("body")
        if fields:
            self.diff.edited.append(EditedRecord(
                "issue", new.id, new.title, path, fields, rewrites_history=not appended))

    def _meeting(
        self, path: str, before: Side[Meeting], after: Side[Meeting]) -> None:
        stem = PurePosixPath(path).stem
        if isinstance(after, list):
            self.diff.unreadable.append(Unreadable(path, after))
        elif after is None:
            title = before.record.title if isinstance(before, Loaded) else None
            self.diff.deleted.append(DeletedRecord("meeting", stem, title, path))
        elif before is None:
            meeting = after.record
            self.diff.new_meetings.append(NewMeeting(
                id=meeting.id, title=meeting.title, date=meeting.date.isoformat(),
                level=meeting.level, community=meeting.community, path=path,
                items=[_summary(item, self.titles) for item in meeting.agenda],
            ))
        elif isinstance(before, list):
            self.diff.edited.append(
                EditedRecord("meeting", after.record.id, after.record.title, path, ["(repaired)"]))
        else:
            self._edited_meeting(path, before, after)

    def _edited_meeting(self, path: str, before: Loaded[Meeting], after: Loaded[Meeting]) -> None:
        old, new = before.record, after.record
        old_items = {item.issue: item for item in old.agenda}
        new_items = {item.issue: item for item in new.agenda}
        for issue_id in sorted(old_items.keys() | new_items.keys()):
            a, b = old_items.get(issue_id), new_items.get(issue_id)
            change: Literal["added", "removed", "edited"]
            if a is None or b is None:
                change = "added" if a is None else "removed"
                fields = list(DECISION_FIELDS)
            else:
                change = "edited"
                fields = [f for f in DECISION_FIELDS if getattr(a, f) != getattr(b, f)]
                if not fields:
                    continue
            self.diff.edited_decisions.append(DecisionEdit(
                meeting=new.id, meeting_title=new.title, issue=issue_id,
                issue_title=self.titles.get(issue_id), change=change, fields=fields,
                before=_summary(a, self.titles) if a else None,
                after=_summary(b, self.titles) if b else None,
            ))
        fields = _changed_keys(old, new)
        if "agenda" in fields and _without_decisions(old) == _without_decisions(new):
            fields.remove("agenda")  # every agenda change is a decision edit, listed above
        if before.body != after.body:
            fields.append("body")
        if fields:
            self.diff.edited.append(EditedRecord("meeting", new.id, new.title, path, fields))


def _without_decisions(meeting: Meeting) -> list[dict[str, Any]]:
    """The agenda minus what :data:`DECISION_FIELDS` covers, keyed by issue."""
    items = [item.model_dump(mode="json", by_alias=True, exclude=set(DECISION_FIELDS))
             for item in meeting.agenda]
    return sorted(items, key=lambda item: str(item["issue"]))


def compare(root: Path | str, base: str, head: str, *, use_merge_base: bool = False) -> RecordDiff:
    """What the change from ``base`` to ``head`` does to the records under ``root``."""
    root = Path(root)
    base_commit = git.resolve(root, base)
    head_commit = git.resolve(root, head)
    if use_merge_base:
        base_commit = git.merge_base(root, base_commit, head_commit)
    changes = git.changed_paths(
        root, base_commit, head_commit,
        [ISSUES_DIR.as_posix(), MEETINGS_DIR.as_posix(), COUNCIL_FILE.as_posix()],
    )
    paths = [c.path for c in changes if _kind_of(c.path)]
    base_rev = Revision(base_commit, _council_at(root, base_commit),
                        git.read_blobs(root, base_commit, paths))
    head_rev = Revision(head_commit, _council_at(root, head_commit),
                        git.read_blobs(root, head_commit, paths))
    diff = _Comparer(root, base_rev, head_rev).run(paths)
    diff.council_changed = any(c.path == COUNCIL_FILE.as_posix() for c in changes)
    for section in RecordDiff.SECTIONS:
        getattr(diff, section).sort(key=_sort_key)
    return diff


def compare_files(
    root: Path | str, base: str, files: Mapping[str, bytes], *, label: str = "(uncommitted)"
) -> RecordDiff:
    """What writing ``files`` (repository path → bytes) over revision ``base`` would do to the
    records: the summary of a change set before it is committed. ``label`` names the head."""
    root = Path(root)
    base_commit = git.resolve(root, base)
    candidates = [p for p in files if _kind_of(p)]
    before = git.read_blobs(root, base_commit, candidates)
    paths = sorted(p for p in candidates if before[p] != files[p])
    council = _council_at(root, base_commit)
    base_rev = Revision(base_commit, council, {p: before[p] for p in paths})
    # Issues a changed agenda names but the change leaves alone read the same at ``base``.
    head_rev = Revision(base_commit, council, {p: files[p] for p in paths})
    diff = _Comparer(root, base_rev, head_rev).run(paths)
    diff.head = label
    for section in RecordDiff.SECTIONS:
        getattr(diff, section).sort(key=_sort_key)
    return diff


def _sort_key(entry: Any) -> tuple[str, str]:
    if isinstance(entry, DecisionEdit):
        return (entry.meeting, entry.issue)
    if isinstance(entry, Unreadable):
        return (entry.path, "")
    return (str(entry.id), "")
