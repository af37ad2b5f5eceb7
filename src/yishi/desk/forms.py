"""The desk's forms → council operations: read what was typed, call the operation.

Each ``make_*`` takes the records, the record the form is about, the submitted values
(name → list of values, as a form sends them), who asks and the day, and returns the change
set, or raises :class:`FormRefused` with messages keyed by form field. An operation's
:class:`~yishi.operations.OperationRefused` names its own field; :func:`field_of` maps it to
the form field it is shown beside. Nothing here writes a file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from .. import operations
from ..errors import YishiError
from ..intake.ratings import SATISFACTION_LABELS, RatingCounts, Satisfaction
from ..loading import Repository
from ..operations.changeset import ChangeSet, OperationRefused

Values = Mapping[str, list[str]]

#: Vote thresholds offered on the meeting form (share of the basis the yes votes must reach).
THRESHOLDS = (("0.5", "过半数"), ("0.6667", "三分之二"), ("0.7", "七成"), ("0.75", "四分之三"))
#: Action rows offered per agenda item.
ACTION_ROWS = 3


class FormRefused(YishiError):
    """A form cannot become a change: messages for the moderator, by form field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def one(values: Values, name: str) -> str:
    """The first value of a field, stripped ('' when absent)."""
    found = values.get(name) or [""]
    return found[0].strip()


def _int(values: Values, name: str, errors: dict[str, str], *, required: bool = False) -> int | None:
    text = one(values, name)
    if not text:
        if required:
            errors[name] = "请填写一个整数。"
        return None
    if not re.fullmatch(r"\d{1,7}", text):
        errors[name] = f"应是不小于 0 的整数,现在是“{text}”。"
        return None
    return int(text)


def _date(values: Values, name: str, errors: dict[str, str], *, required: bool = True) -> dt.date | None:
    text = one(values, name)
    if not text:
        if required:
            errors[name] = "请填写日期(年-月-日)。"
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[name] = f"日期“{text}”无效,请写成 2026-11-30 的样子。"
        return None


def field_of(refused: OperationRefused) -> str:
    """The form field an operation's refusal belongs beside (``agenda[0].vote`` → ``agenda0.vote``)."""
    return re.sub(r"\[(\d+)\]", r"\1", refused.field)


def _call(make: Callable[[], ChangeSet]) -> ChangeSet:
    try:
        return make()
    except OperationRefused as refused:
        raise FormRefused({field_of(refused): refused.message}) from None


def _check(errors: dict[str, str]) -> None:
    if errors:
        raise FormRefused(errors)


# -- screening ------------------------------------------------------------------------------

def make_screen(repo: Repository, issue_id: str, values: Values, *, by: str,
                on: dt.date) -> ChangeSet:
    """Accept, reject, merge or withdraw a received proposal."""
    council = repo.require_council()
    decision = one(values, "decision")
    met = set(values.get("criteria") or [])
    errors: dict[str, str] = {}
    if decision == "accept":
        missing = [c.name for c in council.criteria if c.slug not in met]
        if missing:
            errors["criteria"] = f"受理须符合全部四项标准;未勾选:{'、'.join(missing)}。"
        encouraged = _int(values, "encouraged", errors)
        _check(errors)
        return _call(lambda: operations.screen_accept(
            repo, issue_id, by=by, on=on, encouraged=encouraged, note=one(values, "note")))
    if decision == "reject":
        failed = [c.slug for c in council.criteria if c.slug not in met]
        negative = _int(values, "negative", errors)
        if not failed and negative is None:
            errors["criteria"] = "不予受理须指出不符合的标准(取消勾选)或引用负面清单的条目。"
        if not one(values, "reason"):
            errors["reason"] = "请写明不予受理的理由,居民会看到它。"
        _check(errors)
        return _call(lambda: operations.screen_reject(
            repo, issue_id, by=by, on=on, reason=one(values, "reason"), failed=failed,
            negative=negative))
    if decision == "merge":
        if not one(values, "into"):
            raise FormRefused({"into": "请填写要并入的提案编号。"})
        return _call(lambda: operations.screen_merge(repo, issue_id, by=by, on=on,
                                                     into=one(values, "into")))
    if decision == "withdraw":
        if not one(values, "reason"):
            raise FormRefused({"reason": "请写明撤回的原因(提案人何时、如何提出)。"})
        return _call(lambda: operations.screen_withdraw(repo, issue_id, by=by, on=on,
                                                        reason=one(values, "reason")))
    raise FormRefused({"decision": "请选择筛选结果:受理、不予受理、合并或撤回。"})


# -- meetings -------------------------------------------------------------------------------

def make_plan(repo: Repository, values: Values, *, by: str, on: dt.date) -> ChangeSet:
    """Plan a meeting with agenda items picked from accepted or deferred issues."""
    errors: dict[str, str] = {}
    day = _date(values, "date", errors)
    agenda = [a for a in values.get("agenda") or [] if a]
    if not agenda:
        errors["agenda"] = "请至少选择一项议题。"
    for name, text in (("place", "地点"), ("convener", "召集人"), ("level", "层级")):
        if not one(values, name):
            errors[name] = f"请填写{text}。"
    _check(errors)
    assert day is not None
    return _call(lambda: operations.plan_meeting(
        repo, by=by, on=on, date=day, time=one(values, "time") or None,
        place=one(values, "place"), level=one(values, "level"),
        community=one(values, "community") or None, convener=one(values, "convener"),
        supervisor=one(values, "supervisor") or None, agenda=agenda,
        title=one(values, "title") or None))


_MEETING_FIELDS = ("title", "date", "time", "place", "level", "community", "convener",
                   "supervisor")


def meeting_values(repo: Repository, meeting_id: str) -> dict[str, list[str]]:
    """A planned meeting's fields as the plan form shows them (to change them)."""
    meeting = repo.meetings[meeting_id].record
    values = {name: [str(getattr(meeting, name) or "")] for name in _MEETING_FIELDS}
    values["agenda"] = [item.issue for item in meeting.agenda]
    return values


def make_replan(repo: Repository, meeting_id: str, values: Values, *, by: str,
                on: dt.date) -> ChangeSet:
    """Change a planned meeting: only the fields that differ from the record are sent."""
    current = meeting_values(repo, meeting_id)
    errors: dict[str, str] = {}
    changed: dict[str, Any] = {}
    for name in _MEETING_FIELDS:
        if one(values, name) != current[name][0]:
            changed[name] = one(values, name) or None
    if "date" in changed:
        changed["date"] = _date(values, "date", errors)
    agenda = [a for a in values.get("agenda") or [] if a]
    if agenda != current["agenda"]:
        changed["agenda"] = agenda
    _check(errors)
    if not changed:
        raise FormRefused({"meeting": "没有改动:请修改要调整的内容。"})
    return _call(lambda: operations.replan_meeting(repo, meeting_id, by=by, on=on, **changed))


def make_cancel(repo: Repository, meeting_id: str, values: Values, *, by: str,
                on: dt.date) -> ChangeSet:
    """Cancel a planned meeting; its issues are deferred."""
    if not one(values, "reason"):
        raise FormRefused({"reason": "请写明取消的原因,居民会看到它。"})
    return _call(lambda: operations.cancel_meeting(repo, meeting_id, by=by, on=on,
                                                   reason=one(values, "reason")))


def vote_problem(yes: int, no: int, abstain: int, eligible: int) -> str | None:
    """Why these counts cannot be true, or None (the form's script checks the same)."""
    if eligible < 1:
        return "应到(有表决权)人数至少为 1。"
    cast = yes + no + abstain
    if cast > eligible:
        return f"赞成 {yes} + 反对 {no} + 弃权 {abstain} = {cast},多于有表决权的 {eligible} 人。"
    return None


def meeting_outcomes(repo: Repository, meeting_id: str, values: Values) -> dict[str, Any]:
    """The ``outcomes`` mapping of :func:`yishi.operations.record_meeting` from the form."""
    council = repo.require_council()
    meeting = repo.meetings[meeting_id].record
    errors: dict[str, str] = {}
    parties = []
    for party in council.parties:
        count = _int(values, f"party.{party.slug}", errors)
        if count:
            parties.append({"party": party.slug, "count": count})
    outcomes: dict[str, Any] = {"parties": parties}
    attendance = _int(values, "attendance", errors)
    if attendance is not None:
        outcomes["attendance"] = attendance
    items = []
    open_items = [item for item in meeting.agenda if item.outcome is None]
    for n, item in enumerate(open_items):
        key = f"agenda{n}"
        outcome = one(values, f"{key}.outcome")
        if not outcome:
            errors[f"{key}.outcome"] = "请选择这一项的结果;没有讨论的请选“暂缓”。"
            continue
        raw: dict[str, Any] = {"issue": item.issue, "outcome": outcome}
        if one(values, f"{key}.decision"):
            raw["decision"] = one(values, f"{key}.decision")
        if one(values, f"{key}.note"):
            raw["note"] = one(values, f"{key}.note")
        counts = [_int(values, f"{key}.vote.{f}", errors)
                  for f in ("for", "against", "abstain", "eligible")]
        if any(c is not None for c in counts):
            yes, no, abstain, eligible = (c or 0 for c in counts)
            problem = vote_problem(yes, no, abstain, eligible)
            if problem:
                errors[f"{key}.vote"] = problem
            raw["vote"] = {"for": yes, "against": no, "abstain": abstain, "eligible": eligible,
                           "threshold": float(one(values, f"{key}.vote.threshold") or 0.5)}
        actions = []
        for k in range(ACTION_ROWS):
            what = one(values, f"{key}.action{k}.what")
            if not what:
                continue
            action: dict[str, Any] = {"what": what,
                                      "responsible": one(values, f"{key}.action{k}.responsible")}
            due = _date(values, f"{key}.action{k}.due", errors, required=False)
            if due is not None:
                action["due"] = due
            actions.append(action)
        if actions:
            raw["actions"] = actions
        if outcome == "escalated":
            raw["escalated_to"] = {"level": one(values, f"{key}.escalate.level"),
                                   "body": one(values, f"{key}.escalate.body")}
        items.append(raw)
    _check(errors)
    outcomes["agenda"] = items
    return outcomes


def make_record(repo: Repository, meeting_id: str, values: Values, *, by: str,
                on: dt.date) -> ChangeSet:
    """Record a held meeting: parties, attendance, minutes, and each agenda item."""
    outcomes = meeting_outcomes(repo, meeting_id, values)
    minutes = one(values, "minutes") or None
    return _call(lambda: operations.record_meeting(repo, meeting_id, by=by, on=on,
                                                   outcomes=outcomes, minutes=minutes))


# -- after the meeting ----------------------------------------------------------------------

def make_escalate(repo: Repository, issue_id: str, values: Values, *, by: str,
                  on: dt.date) -> ChangeSet:
    """Escalate a scheduled issue to a higher level."""
    if not one(values, "reason"):
        raise FormRefused({"reason": "请写明提级的理由。"})
    return _call(lambda: operations.escalate(
        repo, issue_id, by=by, on=on, level=one(values, "level"), reason=one(values, "reason"),
        body=one(values, "body") or None))


def make_follow_up(repo: Repository, issue_id: str, values: Values, *, by: str,
                   on: dt.date) -> ChangeSet:
    """Start carrying out a decision, report progress on an action, or mark one done."""
    errors: dict[str, str] = {}
    kind = one(values, "kind")
    if kind == "start":
        return _call(lambda: operations.follow_up(repo, issue_id, by=by, on=on, start=True,
                                                  note=one(values, "note") or None))
    action = _int(values, "action", errors, required=True)
    if kind == "done":
        done = _date(values, "done", errors)
        _check(errors)
        return _call(lambda: operations.follow_up(repo, issue_id, by=by, on=on, action=action,
                                                  done=done, note=one(values, "note") or None))
    if kind == "note":
        if not one(values, "note"):
            errors["note"] = "请填写进展情况。"
        _check(errors)
        return _call(lambda: operations.follow_up(repo, issue_id, by=by, on=on, action=action,
                                                  note=one(values, "note")))
    raise FormRefused({"kind": "请选择:开始实施、报告进展或标记完成。"})


def make_close(repo: Repository, issue_id: str, values: Values, *, by: str,
               on: dt.date) -> ChangeSet:
    """Close an issue as done, with its outcome."""
    if not one(values, "outcome"):
        raise FormRefused({"outcome": "请写明办理结果,居民会看到它。"})
    return _call(lambda: operations.close_issue(repo, issue_id, by=by, on=on,
                                                outcome=one(values, "outcome")))


#: The three counts of the feedback form: the answers residents give when they rate.
FEEDBACK_COUNTS = tuple(answer.value for answer in Satisfaction)


def feedback_values(ratings: RatingCounts | None) -> dict[str, list[str]]:
    """The feedback form's starting values: the residents' own online ratings, when any."""
    if ratings is None or ratings.total == 0:
        return {}
    values = {name: [str(getattr(ratings, name))] for name in FEEDBACK_COUNTS}
    resolved = ratings.feedback_arguments()["resolved"]
    if resolved is not None:
        values["resolved"] = ["yes" if resolved else "no"]
    return values


def make_feedback(repo: Repository, issue_id: str, values: Values, *, by: str,
                  on: dt.date, ratings: RatingCounts | None = None) -> ChangeSet:
    """Record residents' satisfaction with a done issue; the counts include the online
    ratings (``ratings``, read again now), to which the moderator adds those on paper."""
    errors: dict[str, str] = {}
    counts = {name: _int(values, name, errors, required=True) for name in FEEDBACK_COUNTS}
    online = ratings if ratings is not None else RatingCounts()
    for name, count in counts.items():
        least = getattr(online, name)
        if count is not None and count < least:
            errors[name] = (f"{SATISFACTION_LABELS[Satisfaction(name)]}({name})不能少于居民在线评价中的 {least} 份,"
                            f"现在是 {count}:纸质收集的请加在其上。")
    resolved = one(values, "resolved")
    if resolved not in ("yes", "no"):
        errors["resolved"] = "请选择问题是否已解决。"
    _check(errors)
    return _call(lambda: operations.record_feedback(
        repo, issue_id, by=by, on=on, satisfied=counts["satisfied"] or 0,
        basically_satisfied=counts["basically_satisfied"] or 0,
        dissatisfied=counts["dissatisfied"] or 0, resolved=resolved == "yes",
        note=one(values, "note"), from_ratings=online.total))


#: Issue-page operations (names from ``allowed_operations``) → the desk's form for them.
ISSUE_FORMS: dict[str, tuple[str, str]] = {
    "screen": ("screen", "筛选(受理 / 不予受理 / 合并 / 撤回)"),
    "plan_meeting": ("plan", "列入议事会议程"),
    "record_meeting": ("record", "记录会议结果"),
    "escalate": ("escalate", "提级协商"),
    "follow_up": ("follow-up", "跟进落实"),
    "close_issue": ("close", "办结"),
    "record_feedback": ("feedback", "记录居民反馈"),
}


def issue_forms(allowed: list[str]) -> list[tuple[str, str]]:
    """The desk's forms an issue offers, from the operations its status allows."""
    names = {"screen" if name.startswith("screen_") else name for name in allowed}
    return [ISSUE_FORMS[name] for name in ISSUE_FORMS if name in names]
