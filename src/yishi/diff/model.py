"""What a change does to the public record: the result of ``yishi diff``, and its JSON.

The JSON shape (``"format": "yishi-diff/1"``) is a contract for scripts and bots::

    {
      "format": "yishi-diff/1",
      "base": "<commit>", "head": "<commit>",
      "council_changed": false,
      "counts": {"new_issues": 1, "status_changes": 1, ...},
      "new_issues":       [{"id", "title", "community", "community_name", "category",
                            "category_name", "kind", "status", "path"}],
      "status_changes":   [{"id", "title", "path", "from", "to"}],
      "new_meetings":     [{"id", "title", "date", "level", "community", "path",
                            "items": [AGENDA_ITEM, ...]}],
      "edited_decisions": [{"meeting", "meeting_title", "issue", "issue_title",
                            "change": "added" | "removed" | "edited", "fields": [...],
                            "before": AGENDA_ITEM | null, "after": AGENDA_ITEM | null}],
      "deleted":          [{"kind": "issue" | "meeting", "id", "title", "path"}],
      "edited":           [{"kind", "id", "title", "path", "fields": [...],
                            "rewrites_history": false}],
      "unreadable":       [{"path", "problems": ["path:line: field: message", ...]}]
    }

    AGENDA_ITEM = {"issue", "issue_title", "outcome", "decision",
                   "vote": {"for", "against", "abstain", "absent", "eligible", "threshold",
                            "basis", "result", "motion"} | null}

Statuses and outcomes are the record values (``accepted``, ``decided``); an outcome is
null for an item of a meeting still to be held; titles are null where a record could not
be read. Every list is sorted by id.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

FORMAT = "yishi-diff/1"

RecordKind = Literal["issue", "meeting"]


@dataclass(frozen=True)
class AgendaSummary:
    """An agenda item as a reviewer needs it: the issue, the outcome, the decision, the vote."""

    issue: str
    issue_title: str | None
    outcome: str | None  # None: the meeting has not dealt with the item yet
    decision: str | None
    vote: dict[str, Any] | None


@dataclass(frozen=True)
class NewIssue:
    """A proposal that appears in this change."""

    id: str
    title: str
    community: str
    community_name: str
    category: str
    category_name: str
    kind: str
    status: str
    path: str


@dataclass(frozen=True)
class StatusChange:
    """An existing proposal whose status moves."""

    id: str
    title: str
    path: str
    from_status: str
    to_status: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "path": self.path,
                "from": self.from_status, "to": self.to_status}


@dataclass(frozen=True)
class NewMeeting:
    """A meeting that appears in this change, with what it did on each agenda item."""

    id: str
    title: str
    date: str
    level: str
    community: str | None
    path: str
    items: list[AgendaSummary]


@dataclass(frozen=True)
class DecisionEdit:
    """An agenda item of an existing meeting whose outcome, decision or vote changes."""

    meeting: str
    meeting_title: str
    issue: str
    issue_title: str | None
    change: Literal["added", "removed", "edited"]
    fields: list[str]
    before: AgendaSummary | None
    after: AgendaSummary | None


@dataclass(frozen=True)
class DeletedRecord:
    """A record file that disappears: ids are permanent, so this needs a second look."""

    kind: RecordKind
    id: str
    title: str | None
    path: str


@dataclass(frozen=True)
class EditedRecord:
    """Any other change to an existing record, by front-matter key (``body`` for the text)."""

    kind: RecordKind
    id: str
    title: str | None
    path: str
    fields: list[str]
    #: An earlier timeline entry was changed or removed: the timeline is append-only.
    rewrites_history: bool = False


@dataclass(frozen=True)
class Unreadable:
    """A record file that does not load at the head revision (``yishi check`` explains)."""

    path: str
    problems: list[str]


@dataclass
class RecordDiff:
    """Everything a change between two revisions does to the public record."""

    base: str
    head: str
    council_changed: bool = False
    new_issues: list[NewIssue] = field(default_factory=list)
    status_changes: list[StatusChange] = field(default_factory=list)
    new_meetings: list[NewMeeting] = field(default_factory=list)
    edited_decisions: list[DecisionEdit] = field(default_factory=list)
    deleted: list[DeletedRecord] = field(default_factory=list)
    edited: list[EditedRecord] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)

    SECTIONS = (
        "new_issues", "status_changes", "new_meetings", "edited_decisions", "deleted",
        "edited", "unreadable",
    )

    @property
    def is_empty(self) -> bool:
        """True when the change touches no record and not the council."""
        return not self.council_changed and not any(self.counts().values())

    def counts(self) -> dict[str, int]:
        """Number of entries per section."""
        return {name: len(getattr(self, name)) for name in self.SECTIONS}

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape (see the module docstring)."""
        data: dict[str, Any] = {
            "format": FORMAT,
            "base": self.base,
            "head": self.head,
            "council_changed": self.council_changed,
            "counts": self.counts(),
        }
        for name in self.SECTIONS:
            data[name] = [
                entry.to_json() if isinstance(entry, StatusChange) else asdict(entry)
                for entry in getattr(self, name)
            ]
        return data
