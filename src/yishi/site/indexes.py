"""Indexes over the records, computed once per build so no page scans every record."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ..lifecycle import LIST_OF_STATUS, PublicList, Status
from ..loading import Repository
from ..records import AgendaItem, Issue, Meeting, Outcome


@dataclass(frozen=True)
class Decision:
    """A decided agenda item with its meeting, for the home page's latest decisions."""

    meeting: Meeting
    item: AgendaItem


@dataclass
class SiteIndex:
    """Records in display order and grouped by every facet the site lists."""

    #: Newest submission first; ties broken by id so builds are reproducible.
    issues: list[Issue]
    #: Newest meeting first.
    meetings: list[Meeting]
    by_status: dict[Status, list[Issue]] = field(default_factory=dict)
    by_community: dict[str, list[Issue]] = field(default_factory=dict)
    by_category: dict[str, list[Issue]] = field(default_factory=dict)
    by_list: dict[PublicList, list[Issue]] = field(default_factory=dict)
    meetings_by_community: dict[str, list[Meeting]] = field(default_factory=dict)
    #: Newest decision first.
    decisions: list[Decision] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)

    def upcoming(self, today: dt.date) -> list[Meeting]:
        """Meetings on or after ``today``, soonest first."""
        return sorted((m for m in self.meetings if m.date >= today), key=lambda m: (m.date, m.id))


def build_index(repo: Repository) -> SiteIndex:
    """Sort and group every record once."""
    issues = sorted(
        (loaded.record for loaded in repo.issues.values()),
        key=lambda i: (i.submitted, i.id),
        reverse=True,
    )
    meetings = sorted(
        (loaded.record for loaded in repo.meetings.values()),
        key=lambda m: (m.date, m.time or "", m.id),
        reverse=True,
    )
    index = SiteIndex(issues, meetings)
    by_status: dict[Status, list[Issue]] = defaultdict(list)
    by_community: dict[str, list[Issue]] = defaultdict(list)
    by_category: dict[str, list[Issue]] = defaultdict(list)
    by_list: dict[PublicList, list[Issue]] = defaultdict(list)
    for issue in issues:
        by_status[issue.status].append(issue)
        by_community[issue.community].append(issue)
        by_category[issue.category].append(issue)
        public_list = LIST_OF_STATUS.get(issue.status)
        if public_list is not None:
            by_list[public_list].append(issue)
        index.titles[issue.id] = issue.title
    meetings_by_community: dict[str, list[Meeting]] = defaultdict(list)
    for meeting in meetings:
        # A street-level meeting without a community may still discuss a community's
        # issues; it belongs to every community whose issue is on its agenda.
        communities = {meeting.community} if meeting.community else set()
        for item in meeting.agenda:
            loaded = repo.issues.get(item.issue)
            if loaded is not None:
                communities.add(loaded.record.community)
            if item.outcome is Outcome.DECIDED:
                index.decisions.append(Decision(meeting, item))
        for community in sorted(c for c in communities if c):
            meetings_by_community[community].append(meeting)
    index.by_status = dict(by_status)
    index.by_community = dict(by_community)
    index.by_category = dict(by_category)
    index.by_list = dict(by_list)
    index.meetings_by_community = dict(meetings_by_community)
    return index
