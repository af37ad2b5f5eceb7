"""The status lifecycle of a proposal, kept as data.

Every rule about statuses lives here: the allowed transitions, the Chinese labels, the stage
(used for badge colours), the Open311 open/closed mapping, the three public lists
(需求清单 / 问题清单 / 项目清单) and what each status requires of a record. The checker,
the site, the exports and the intake all read these tables instead of restating them.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a proposal stands."""

    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"
    WITHDRAWN = "withdrawn"
    SCHEDULED = "scheduled"
    DECIDED = "decided"
    NOT_ADOPTED = "not_adopted"
    DEFERRED = "deferred"
    ESCALATED = "escalated"
    IN_PROGRESS = "in_progress"
    DONE = "done"


S = Status

#: The first status of every proposal.
INITIAL: Status = S.RECEIVED

#: Allowed transitions. DESIGN.md §3, plus two edges the seed reports need:
#: a deferred item is put on a later agenda (deferred → scheduled), and a decision carried
#: out at once (the 40 volunteers the next day) goes straight to done (decided → done).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.RECEIVED: frozenset({S.ACCEPTED, S.REJECTED, S.MERGED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.SCHEDULED, S.MERGED, S.WITHDRAWN}),
    S.SCHEDULED: frozenset({S.DECIDED, S.NOT_ADOPTED, S.DEFERRED, S.ESCALATED}),
    S.DEFERRED: frozenset({S.SCHEDULED, S.WITHDRAWN}),
    S.DECIDED: frozenset({S.IN_PROGRESS, S.DONE}),
    S.ESCALATED: frozenset({S.DECIDED, S.NOT_ADOPTED, S.DONE}),
    S.IN_PROGRESS: frozenset({S.DONE}),
    S.REJECTED: frozenset(),
    S.MERGED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.NOT_ADOPTED: frozenset(),
    S.DONE: frozenset(),
}

#: Chinese label of every status, as residents read it.
LABELS: dict[Status, str] = {
    S.RECEIVED: "已收到",
    S.ACCEPTED: "已受理",
    S.REJECTED: "未受理",
    S.MERGED: "已合并",
    S.WITHDRAWN: "已撤回",
    S.SCHEDULED: "待议事",
    S.DECIDED: "已决议",
    S.NOT_ADOPTED: "未通过",
    S.DEFERRED: "暂缓",
    S.ESCALATED: "已提级",
    S.IN_PROGRESS: "实施中",
    S.DONE: "已办结",
}

#: Short explanation of every status, shown on the about page.
DESCRIPTIONS: dict[Status, str] = {
    S.RECEIVED: "提案已登记,等待议事会按“四性”原则筛选。",
    S.ACCEPTED: "通过筛选,等待列入议事会议程。",
    S.REJECTED: "不符合筛选标准或属于负面清单,已说明理由。",
    S.MERGED: "与另一提案内容相同,已并入该提案一并办理。",
    S.WITHDRAWN: "提案人撤回了提案。",
    S.SCHEDULED: "已列入议事会议程。",
    S.DECIDED: "议事会已形成决议,等待实施。",
    S.NOT_ADOPTED: "经协商未获通过。",
    S.DEFERRED: "议事会决定暂缓,择期再议。",
    S.ESCALATED: "超出本级能力,已提交上级协商。",
    S.IN_PROGRESS: "决议正在落实。",
    S.DONE: "已落实并向居民反馈。",
}


class Stage(StrEnum):
    """The four steps of 议事协商 a status belongs to; the site colours badges by stage."""

    SCREENING = "screening"
    DELIBERATION = "deliberation"
    ACTION = "action"
    CLOSED = "closed"


STAGES: dict[Status, Stage] = {
    S.RECEIVED: Stage.SCREENING,
    S.ACCEPTED: Stage.DELIBERATION,
    S.SCHEDULED: Stage.DELIBERATION,
    S.DEFERRED: Stage.DELIBERATION,
    S.ESCALATED: Stage.DELIBERATION,
    S.DECIDED: Stage.ACTION,
    S.IN_PROGRESS: Stage.ACTION,
    S.DONE: Stage.CLOSED,
    S.REJECTED: Stage.CLOSED,
    S.MERGED: Stage.CLOSED,
    S.WITHDRAWN: Stage.CLOSED,
    S.NOT_ADOPTED: Stage.CLOSED,
}

#: Open311 GeoReport v2 has only open and closed.
OPEN311_CLOSED: frozenset[Status] = frozenset(
    {S.DONE, S.REJECTED, S.NOT_ADOPTED, S.MERGED, S.WITHDRAWN}
)


class PublicList(StrEnum):
    """The three lists councils publish (三张清单, from the 金穗苑 report)."""

    NEEDS = "needs"  # 需求清单: raised, not yet taken up
    PROBLEMS = "problems"  # 问题清单: taken up, under deliberation
    PROJECTS = "projects"  # 项目清单: decided, being carried out or done


LIST_LABELS: dict[PublicList, str] = {
    PublicList.NEEDS: "需求清单",
    PublicList.PROBLEMS: "问题清单",
    PublicList.PROJECTS: "项目清单",
}

LIST_DESCRIPTIONS: dict[PublicList, str] = {
    PublicList.NEEDS: "居民提出、正在筛选的需求。",
    PublicList.PROBLEMS: "已受理、正在议事协商的问题。",
    PublicList.PROJECTS: "已形成决议、正在实施或已办结的项目。",
}

#: The one place that says which list a status belongs to; statuses absent from every
#: list (rejected, merged, withdrawn, not adopted) are still on the full issue list.
LIST_OF_STATUS: dict[Status, PublicList] = {
    S.RECEIVED: PublicList.NEEDS,
    S.ACCEPTED: PublicList.PROBLEMS,
    S.SCHEDULED: PublicList.PROBLEMS,
    S.DEFERRED: PublicList.PROBLEMS,
    S.ESCALATED: PublicList.PROBLEMS,
    S.DECIDED: PublicList.PROJECTS,
    S.IN_PROGRESS: PublicList.PROJECTS,
    S.DONE: PublicList.PROJECTS,
}

#: Statuses an agenda item's outcome moves an issue to (progress reports move nothing).
OUTCOME_STATUS: dict[str, Status] = {
    "decided": S.DECIDED,
    "not_adopted": S.NOT_ADOPTED,
    "deferred": S.DEFERRED,
    "escalated": S.ESCALATED,
}

#: Statuses that must be reached at a meeting: the timeline entry names the meeting and
#: that meeting's agenda item for the issue has the matching outcome. After an escalation
#: the decision is taken elsewhere, so a higher level's decision needs only a note.
REQUIRES_MEETING: frozenset[Status] = frozenset(
    {S.SCHEDULED, S.DECIDED, S.NOT_ADOPTED, S.DEFERRED, S.ESCALATED}
)

#: Statuses counted as "screened" for the response rate.
SCREENED: frozenset[Status] = frozenset(set(Status) - {S.RECEIVED})

#: Statuses at which the council has reached a decision (for time-to-decision).
DECISION_REACHED: frozenset[Status] = frozenset({S.DECIDED, S.NOT_ADOPTED})


def can_transition(current: Status, target: Status) -> bool:
    """True when ``current → target`` is an allowed step."""
    return target in TRANSITIONS[current]


def is_closed(status: Status) -> bool:
    """True for statuses Open311 reports as ``closed``."""
    return status in OPEN311_CLOSED


def label(status: Status | str) -> str:
    """The Chinese label of a status (the raw value for an unknown one)."""
    try:
        return LABELS[Status(status)]
    except ValueError:
        return str(status)
