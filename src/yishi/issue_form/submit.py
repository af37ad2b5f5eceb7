"""An accepted issue → the web form's pipeline → a pull request, and the link on the issue.

The issue goes through exactly what a web submission goes through: the same validation
(``intake.submission.parse_submission``) and the same record and pull request
(``intake.proposal.build_proposal``), only marked as coming from the issue form. The
record's id is derived from the issue (its date and ``gi<number>``), so running the
workflow again finds the same branch and pull request instead of opening a second one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from ..council import Council
from ..forges.base import Forge, Proposal
from ..ids import id_date, new_id
from ..intake.proposal import build_proposal, commit_message
from ..intake.record import build_issue, render_record
from ..intake.submission import Invalid, Submission, parse_submission
from ..records import CHANNEL_LABELS, Channel, Issue
from . import messages
from .event import IssueEvent
from .fields import ACCEPTED_LABEL, FIELDS_BY_ID, PROPOSAL_LABEL
from .parse import parse_issue
from .thread import MAINTAINER_PERMISSIONS, IssueThread


class Result(StrEnum):
    """What became of the event."""

    OPENED = "opened"  # the pull request exists (now, or from an earlier run)
    INVALID = "invalid"  # the issue fails the form's validation; the errors are on the issue
    REFUSED = "refused"  # the labeler may not accept proposals
    IGNORED = "ignored"  # not the accepted label, or not a proposal issue


@dataclass(frozen=True)
class Outcome:
    """The result, a line for the log, and the proposal's id and URL when opened."""

    result: Result
    message: str
    issue_id: str | None = None
    url: str | None = None


def issue_id_for(event: IssueEvent, council: Council) -> str:
    """The record id of the issue's proposal: its date in the council's time zone, and
    ``gi<number>``. Random suffixes never contain an ``i``, so this cannot collide with one."""
    day = council.today(event.created_at)
    return new_id(day, suffix=lambda _length: f"gi{event.number}")


def issue_proposal(issue_id: str, submission: Submission, council: Council,
                   event: IssueEvent) -> Proposal:
    """The web form's proposal for this submission, marked as coming from issue #N."""
    proposal = build_proposal(issue_id, submission, [], council)
    submitted = id_date(issue_id)
    if submitted is None:
        raise ValueError(f"not a record id: {issue_id!r}")
    record = build_issue(issue_id, submission, submitted, council)
    data = record.model_dump(by_alias=True)
    data["channel"] = Channel.ISSUE_FORM
    data["timeline"][0]["note"] = f"{CHANNEL_LABELS[Channel.ISSUE_FORM]} #{event.number}"
    record = Issue.model_validate(data, context={"council": council})
    path = f"content/issues/{issue_id}.md"
    if path not in proposal.files:
        raise RuntimeError(f"the intake's proposal has no {path}")  # a changed contract
    return dataclasses.replace(
        proposal,
        files={**proposal.files, path: render_record(record, submission.description).encode()},
        # "Closes #N": merging the proposal closes the issue it came from.
        body=f"{proposal.body}\n来自议题 #{event.number}(GitHub 议题表单)。\n\nCloses #{event.number}\n",
        commit_message=commit_message(issue_id, f"issue form, #{event.number}", submission),
    )


def _errors(errors: dict[str, str]) -> str:
    lines = []
    for field, message in errors.items():
        known = FIELDS_BY_ID.get(field)
        name = known.label if known else messages.TITLE_LABEL if field == "title" else field
        lines.append(f"- **{name}**:{message}")
    return "\n".join(lines)


def submit_issue(event: IssueEvent, council: Council, forge: Forge,
                 thread: IssueThread) -> Outcome:
    """Hand an accepted proposal issue to the intake pipeline and reply on the issue."""
    if event.label != ACCEPTED_LABEL or PROPOSAL_LABEL not in event.labels:
        return Outcome(Result.IGNORED, f"issue #{event.number}: label {event.label!r} on an "
                       f"issue labelled {list(event.labels)}: nothing to do")
    permission = thread.permission(event.sender)
    if permission not in MAINTAINER_PERMISSIONS:
        thread.comment(messages.NOT_A_MAINTAINER.format(login=event.sender,
                                                        permission=permission))
        return Outcome(Result.REFUSED, f"issue #{event.number}: {event.sender} has "
                       f"{permission!r} permission; accepting needs write")
    now = thread.text()
    if (now.title, now.body) != (event.title, event.body):
        # The event holds the text as it was when labelled; the issue says something else now.
        edited = f"{now.updated_at:%Y-%m-%d %H:%M UTC}" if now.updated_at else "?"
        thread.comment(messages.EDITED_AFTER_LABEL.format(edited=edited))
        return Outcome(Result.REFUSED, f"issue #{event.number} was edited after it was labelled "
                       f"(event: {event.updated_at}, now: {now.updated_at}); not submitted")
    try:
        submission = parse_submission(parse_issue(event.title, event.body, council), council)
    except Invalid as exc:
        thread.comment(messages.INVALID.format(errors=_errors(exc.errors)))
        return Outcome(Result.INVALID, f"issue #{event.number} fails validation on "
                       f"{', '.join(exc.errors)}; the errors are on the issue")
    issue_id = issue_id_for(event, council)
    ref = forge.open_proposal(issue_proposal(issue_id, submission, council, event))
    marker = f"<!-- yishi-intake {issue_id} -->"
    if not any(marker in body for body in thread.comments()):
        thread.comment(messages.OPENED.format(marker=marker, issue_id=issue_id, url=ref.url))
    return Outcome(Result.OPENED, f"issue #{event.number} → {issue_id}: {ref.url}",
                   issue_id, ref.url)
