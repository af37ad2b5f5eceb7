"""What a proposer is told, and when: one notice per public step of their issue.

A step is an entry of the issue's timeline on the main branch (the timeline is append-only,
so its position and status name the step for good: ``03-scheduled``). Every status after
``received`` is a public step. Notices say only what the issue's public page says (the
screening reason, the meeting's date and place, the decision, the outcome), never anything
about other residents, and end with the issue's permalink.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..council import Council
from ..lifecycle import LABELS, Status
from ..records import Issue, Meeting, Outcome, TimelineEntry
from .mainline import Snapshot


@dataclass(frozen=True)
class Notice:
    """One message to a proposer about one step of their issue."""

    step: str
    subject: str
    body: str


#: Builds the personal rating link of a proposal (given the issue id), or None without one.
RatingLink = Callable[[str], str | None]


def step_key(index: int, entry: TimelineEntry) -> str:
    """The step's stable name: its position in the timeline and its status."""
    return f"{index:02d}-{entry.status.value}"


def permalink(site_url: str | None, issue_id: str) -> str | None:
    """The issue's page on the public site."""
    return f"{site_url.rstrip('/')}/issues/{issue_id}/" if site_url else None


def due_notices(
    snapshot: Snapshot, issue_id: str, council: Council, *, site_url: str | None,
    rating_link: RatingLink,
) -> list[Notice]:
    """Every notice the issue's timeline on the main branch calls for, oldest first."""
    issue = snapshot.issues.get(issue_id)
    if issue is None:
        return []
    notices = []
    for index, entry in enumerate(issue.timeline):
        if entry.status is Status.RECEIVED:
            continue
        what = _step_text(snapshot, issue, entry)
        if entry.status is Status.DONE:
            link = rating_link(issue.id)
            if link:
                what += ("\n\n请告诉我们您对办理结果是否满意(满意 / 基本满意 / 不满意)、问题是否解决:\n"
                         f"{link}\n此链接仅供您本人使用一次。")
        notices.append(Notice(step_key(index, entry),
                              f"【{council.short_name or council.name}】您的提案{LABELS[entry.status]}"
                              f":{issue.title}",
                              _letter(council, issue, entry, what, permalink(site_url, issue.id))))
    return notices


def _letter(council: Council, issue: Issue, entry: TimelineEntry, what: str,
            link: str | None) -> str:
    lines = [
        "您好:",
        "",
        f"您提交的提案“{issue.title}”(编号 {issue.id})有了新进展:"
        f"{entry.date.isoformat()} {LABELS[entry.status]}。",
        "",
        what,
        "",
    ]
    if link:
        lines += [f"提案的公开页面:{link}", ""]
    lines += [f"此通知由{council.name}发送,因为您提交提案时选择了“有进展时通知我”。"
              "请勿直接回复。"]
    return "\n".join(lines)


def _meeting_for(snapshot: Snapshot, issue: Issue, entry: TimelineEntry) -> Meeting | None:
    """The meeting a step belongs to: the one the timeline names, else the agenda's latest."""
    if entry.meeting and entry.meeting in snapshot.meetings:
        return snapshot.meetings[entry.meeting]
    candidates = [m for m, _ in snapshot.agenda(issue.id) if m.date >= entry.date]
    if entry.status is Status.SCHEDULED:
        return candidates[0] if candidates else None
    held = [m for m, _ in snapshot.agenda(issue.id) if m.date <= entry.date]
    return held[-1] if held else None


def _step_text(snapshot: Snapshot, issue: Issue, entry: TimelineEntry) -> str:
    note = entry.note.strip()
    status = entry.status
    if status is Status.ACCEPTED:
        return "议事会按“公共性、合法性、迫切性、可行性”筛选后,受理了您的提案,将安排协商。" + (
            f"\n说明:{note}" if note else "")
    if status is Status.REJECTED:
        reason = note or (issue.screening.note.strip() if issue.screening else "")
        return "经筛选,议事会未受理您的提案。" + (f"\n理由:{reason}" if reason else "")
    if status is Status.MERGED:
        into = f"提案 {issue.merged_into}" if issue.merged_into else "另一项内容相同的提案"
        return f"您的提案已并入{into},一并办理。" + (f"\n说明:{note}" if note else "")
    if status is Status.WITHDRAWN:
        return "提案已撤回。" + (f"\n说明:{note}" if note else "")
    meeting = _meeting_for(snapshot, issue, entry)
    item = meeting.item_for(issue.id) if meeting else None
    if status is Status.SCHEDULED:
        if meeting is None:
            return "您的提案已列入议事会议程。" + (f"\n说明:{note}" if note else "")
        when = meeting.date.isoformat() + (f" {meeting.time}" if meeting.time else "")
        return (f"您的提案已列入议事会议程:{when},地点:{meeting.place}"
                f"(“{meeting.title}”)。")
    if status is Status.DECIDED:
        decision = (item.decision if item and item.outcome is Outcome.DECIDED else None) or note
        return "议事会形成决议。" + (f"\n决议:{decision}" if decision else "")
    if status is Status.NOT_ADOPTED:
        why = (item.decision or item.note if item else None) or note
        return "经协商,提案未获通过。" + (f"\n说明:{why}" if why else "")
    if status is Status.DEFERRED:
        return "议事会决定暂缓,择期再议。" + (f"\n说明:{note}" if note else "")
    if status is Status.ESCALATED:
        body = issue.escalated_to.body if issue.escalated_to else None
        return ("提案超出本级议事范围,已提级协商" + (f",交由{body}办理" if body else "") + "。"
                + (f"\n说明:{note}" if note else ""))
    if status is Status.IN_PROGRESS:
        return "决议正在落实。" + (f"\n进展:{note}" if note else "")
    if status is Status.DONE:
        outcome = (issue.outcome or "").strip() or note
        return "提案已办结。" + (f"\n办理结果:{outcome}" if outcome else "")
    return LABELS[status]


def tracking_timeline(issue: Issue) -> list[dict[str, str]]:
    """The public timeline as the receipt and /track/ show it: date, status, label, note."""
    return [{"date": e.date.isoformat(), "status": e.status.value, "label": LABELS[e.status],
             "note": e.note} for e in issue.timeline]
