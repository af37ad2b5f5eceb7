"""Checks across records: lifecycle, cross-references, votes, privacy and markup.

The schema (``records``) checks each record on its own while loading; these checks need the
whole repository. Each check is a function yielding problems, so one run reports them all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .integrity.rewrites import rewrite_problems
from .lifecycle import (
    INITIAL,
    OUTCOME_STATUS,
    REQUIRES_MEETING,
    TRANSITIONS,
    Status,
)
from .loading import LoadedIssue, LoadedMeeting, Repository, SourceFile, format_loc
from .privacy import find_personal_data
from .problems import Problem
from .records import Outcome

Check = Callable[[Repository], Iterator[Problem]]


def _at(source: SourceFile, loc: Sequence[str | int], message: str) -> Problem:
    return Problem(source.path, source.line_of(loc), format_loc(loc), message)


def check_timeline(repo: Repository) -> Iterator[Problem]:
    """Dates in order, legal transitions, and the status equal to the last entry."""
    for loaded in repo.issues.values():
        issue, src = loaded.record, loaded.source
        timeline = issue.timeline
        if timeline[0].status is not INITIAL:
            yield _at(src, ("timeline", 0, "status"),
                      f"the timeline must start with {INITIAL.value!r}, got {timeline[0].status.value!r}")
        if timeline[0].date < issue.submitted:
            yield _at(src, ("timeline", 0, "date"),
                      f"{timeline[0].date} is before the submission date {issue.submitted}")
        for i in range(1, len(timeline)):
            before, entry = timeline[i - 1], timeline[i]
            if entry.date < before.date:
                yield _at(src, ("timeline", i, "date"),
                          f"{entry.date} is earlier than the entry before it ({before.date}); "
                          "the timeline is append-only and in date order")
            if entry.status not in TRANSITIONS[before.status]:
                allowed = ", ".join(sorted(s.value for s in TRANSITIONS[before.status])) or "none"
                yield _at(src, ("timeline", i, "status"),
                          f"illegal transition {before.status.value} → {entry.status.value}; "
                          f"from {before.status.value} the allowed next statuses are: {allowed}")
        if issue.status is not timeline[-1].status:
            yield _at(src, ("status",),
                      f"status is {issue.status.value!r} but the timeline's last entry is "
                      f"{timeline[-1].status.value!r}")
        expected = issue.submitted_from_id
        if expected is not None and expected != issue.submitted:
            yield _at(src, ("submitted",),
                      f"{issue.submitted} differs from the date in the id ({expected})")


def _reached(loaded: LoadedIssue) -> dict[Status, int]:
    """Status → index of the last timeline entry that reached it."""
    return {entry.status: i for i, entry in enumerate(loaded.record.timeline)}


def check_status_requirements(repo: Repository) -> Iterator[Problem]:
    """What each status reached requires of the record (DESIGN.md §3)."""
    council = repo.council
    for loaded in repo.issues.values():
        issue, src = loaded.record, loaded.source
        reached = _reached(loaded)
        screening = issue.screening
        if Status.ACCEPTED in reached:
            if screening is None or not screening.passed:
                yield _at(src, ("screening",) if screening else ("timeline", reached[Status.ACCEPTED], "status"),
                          "accepted requires a screening with every criterion met and no "
                          "negative-list item cited")
            elif council and set(screening.criteria) != set(council.criterion_names):
                missing = sorted(set(council.criterion_names) - set(screening.criteria))
                yield _at(src, ("screening", "criteria"),
                          f"screening must judge every criterion; missing: {', '.join(missing)}")
        if Status.REJECTED in reached and (screening is None or not screening.failed):
            yield _at(src, ("screening",) if screening else ("status",),
                      "rejected requires a screening that cites a criterion not met or a "
                      "negative-list item")
        if Status.MERGED in reached and issue.merged_into is None:
            yield _at(src, ("status",), "merged requires merged_into naming the issue it joined")
        if issue.merged_into is not None:
            if issue.merged_into == issue.id:
                yield _at(src, ("merged_into",), "an issue cannot be merged into itself")
            elif not repo.exists(issue.merged_into):
                yield _at(src, ("merged_into",), f"no issue {issue.merged_into!r} exists")
        if Status.ESCALATED in reached and issue.escalated_to is None:
            yield _at(src, ("status",), "escalated requires escalated_to (level and body)")
        if Status.IN_PROGRESS in reached:
            decision = repo.decision(issue.id)
            if not issue.actions and not (decision and decision.item.actions):
                yield _at(src, ("timeline", reached[Status.IN_PROGRESS], "status"),
                          "in_progress requires at least one action (here or in the decision)")
        if Status.DONE in reached and not issue.outcome:
            yield _at(src, ("timeline", reached[Status.DONE], "status"),
                      "done requires an outcome: what was achieved")
        if Status.WITHDRAWN in reached and not issue.timeline[reached[Status.WITHDRAWN]].note:
            yield _at(src, ("timeline", reached[Status.WITHDRAWN], "note"),
                      "withdrawn requires a note saying who withdrew it and why")
        for other in issue.related:
            if not repo.exists(other):
                yield _at(src, ("related", issue.related.index(other)), f"no issue {other!r} exists")


def check_meeting_references(repo: Repository) -> Iterator[Problem]:
    """Timeline entries and agenda items must agree, both ways."""
    for loaded in repo.issues.values():
        issue, src = loaded.record, loaded.source
        previous: Status | None = None
        for i, entry in enumerate(issue.timeline):
            after_escalation = previous is Status.ESCALATED
            previous = entry.status
            if entry.meeting is None:
                if entry.status in REQUIRES_MEETING and not after_escalation:
                    yield _at(src, ("timeline", i, "meeting"),
                              f"{entry.status.value} must name the meeting (meeting: <id>)")
                continue
            found = repo.meetings.get(entry.meeting)
            if found is None:
                if entry.meeting in repo.broken:
                    continue
                yield _at(src, ("timeline", i, "meeting"), f"no meeting {entry.meeting!r} exists")
                continue
            item = found.record.item_for(issue.id)
            if item is None:
                yield _at(src, ("timeline", i, "meeting"),
                          f"meeting {entry.meeting} has no agenda item for {issue.id}")
                continue
            outcome = item.outcome.value if item.outcome else None
            expected = OUTCOME_STATUS.get(outcome) if outcome else None
            if entry.status in OUTCOME_STATUS.values() and expected is not entry.status:
                said = repr(outcome) if outcome else "not recorded yet"
                yield _at(src, ("timeline", i, "status"),
                          f"{entry.status.value} disagrees with meeting {found.record.id}, "
                          f"whose agenda item outcome is {said}")
            held = found.record.date
            if entry.date < held and entry.status is not Status.SCHEDULED:
                yield _at(src, ("timeline", i, "date"),
                          f"{entry.date} is before meeting {found.record.id} ({held})")
    for loaded_meeting in repo.meetings.values():
        meeting, msrc = loaded_meeting.record, loaded_meeting.source
        for i, item in enumerate(meeting.agenda):
            target = repo.issues.get(item.issue)
            if target is None:
                if item.issue in repo.broken:
                    continue
                yield _at(msrc, ("agenda", i, "issue"), f"no issue {item.issue!r} exists")
                continue
            if item.outcome is None:  # not yet discussed
                continue
            status = OUTCOME_STATUS.get(item.outcome.value)
            if status is None:
                continue
            recorded = any(e.meeting == meeting.id and e.status is status for e in target.record.timeline)
            if not recorded:
                yield Problem(target.path, target.source.line_of(("status",)), "status",
                              f"meeting {meeting.id} recorded outcome {item.outcome.value!r} for "
                              f"this issue, but its timeline has no {status.value!r} entry "
                              f"naming that meeting")


def check_votes(repo: Repository) -> Iterator[Problem]:
    """Vote counts within the eligible total, result agreeing with the threshold and ballots."""
    for loaded in repo.meetings.values():
        src = loaded.source
        for i, item in enumerate(loaded.record.agenda):
            vote = item.vote
            if vote is None:
                continue
            loc: tuple[str | int, ...] = ("agenda", i, "vote")
            total = vote.yes + vote.no + vote.abstain + vote.absent
            if total > vote.eligible:
                yield _at(src, (*loc, "eligible"),
                          f"for {vote.yes} + against {vote.no} + abstain {vote.abstain} + "
                          f"absent {vote.absent} = {total} exceeds the {vote.eligible} eligible")
            expected = "pass" if vote.passed else "fail"
            if vote.result is not None and vote.result != expected:
                yield _at(src, (*loc, "result"),
                          f"result {vote.result!r} disagrees with the counts and threshold "
                          f"({vote.yes} for, threshold {vote.threshold:g} of {vote.basis}): "
                          f"expected {expected!r}")
            if vote.votes:
                counted = {o: sum(1 for v in vote.votes if v.option == o)
                           for o in ("yes", "no", "abstain", "absent")}
                stated = {"yes": vote.yes, "no": vote.no, "abstain": vote.abstain, "absent": vote.absent}
                if counted != stated:
                    yield _at(src, (*loc, "votes"),
                              f"the individual votes count {counted} but the totals say {stated}")
            if item.outcome is Outcome.DECIDED and not vote.passed:
                yield _at(src, ("agenda", i, "outcome"),
                          "decided, but the vote did not reach its threshold")


def _strings(value: Any, loc: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _strings(child, (*loc, str(key)))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _strings(child, (*loc, i))


def _sources(repo: Repository) -> Iterator[LoadedIssue | LoadedMeeting]:
    yield from repo.issues.values()
    yield from repo.meetings.values()


# Line breaks with their indentation: YAML folds a multi-line scalar into one line joined by
# spaces, so the raw text is folded the same way before the quick scan.
_LINE_FOLD = re.compile(r"[ \t]*\n[ \t\n]*")


def _may_hold_personal_data(front_matter: str) -> bool:
    """Whether any value of the front matter might hold personal data (never a false "no").

    The raw text holds every value as written (plus keys and comments, which can only add
    hits); only escapes (``\\u0031``) can spell a value differently, so they count as a hit.
    """
    if "\\" in front_matter:
        return True
    return next(find_personal_data(_LINE_FOLD.sub(" ", front_matter)), None) is not None


def check_personal_data(repo: Repository) -> Iterator[Problem]:
    """No phone, ID card or e-mail in public text (front matter or body)."""
    for loaded in _sources(repo):
        src = loaded.source
        # Walking the validated record finds the field of a hit; a scan of the raw text first
        # spares that walk for the (nearly all) records with nothing to report.
        if _may_hold_personal_data(src.front_matter):
            yield from _front_matter_findings(loaded)
        for finding in find_personal_data(src.body):
            yield Problem(src.path, src.body_line_of(finding.start), "(body)",
                          f"contains {finding.description} ({finding.masked}); "
                          "contact details never go in a public record")


def _front_matter_findings(loaded: LoadedIssue | LoadedMeeting) -> Iterator[Problem]:
    """Personal data in the record's values, each at its field's line."""
    src = loaded.source
    data = loaded.record.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for loc, text in _strings(data, ()):
        for finding in find_personal_data(text):
            yield _at(src, loc, f"contains {finding.description} ({finding.masked}); "
                      "contact details never go in a public record")


_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE_SPAN = re.compile(r"`[^`\n]+`")
_HTML = re.compile(r"<!--|<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?\s*>")


def check_markup(repo: Repository) -> Iterator[Problem]:
    """Bodies are markdown only: raw HTML (tags, comments) is refused."""
    for loaded in _sources(repo):
        src = loaded.source
        # Blank out code so that `<div>` quoted as code is allowed, keeping offsets.
        text = _FENCE.sub(lambda m: " " * len(m.group()), src.body)
        text = _CODE_SPAN.sub(lambda m: " " * len(m.group()), text)
        match = _HTML.search(text)
        if match:
            yield Problem(src.path, src.body_line_of(match.start()), "(body)",
                          f"raw HTML {match.group()[:40]!r} is not allowed; records are markdown only")


def check_rewrites(repo: Repository) -> Iterator[Problem]:
    """The council's declarations of rewritten history (content/rewrites.yml) are valid."""
    yield from rewrite_problems(repo.root, repo.meetings.keys())


CHECKS: tuple[Check, ...] = (
    check_timeline,
    check_status_requirements,
    check_meeting_references,
    check_votes,
    check_personal_data,
    check_markup,
    check_rewrites,
)


def run_checks(repo: Repository) -> list[Problem]:
    """Every problem in the repository: those found while loading, then the checks'."""
    problems = list(repo.problems)
    if repo.council is not None:
        for check in CHECKS:
            problems.extend(check(repo))
    return sorted(set(problems))
