"""Recording a meeting: who came, the minutes, and what it did with each agenda item.

``outcomes`` uses the meeting record's own field names (the CLI reads it from a YAML file,
the desk from a form)::

    parties: [{ party: residents_committee, count: 3 }, { party: resident_reps, count: 16 }]
    attendance: 19                  # optional: the parties' total when left out
    agenda:
      - issue: 2023-0403-k7qm
        outcome: decided            # decided | not_adopted | deferred | escalated | progress_report
        decision: 次日组织志愿者集中清理楼道小广告。
        vote: { for: 17, against: 0, abstain: 2, eligible: 19, threshold: 0.5 }  # no result
        actions:
          - { what: 集中清理楼道小广告, responsible: volunteers, due: 2023-04-19 }
      - issue: 2026-0903-dl5k
        outcome: escalated
        note: 超出社区能力，提交镇议事协商平台
        escalated_to: { level: town, body: 镇城建科 }   # the issue's field; escalated needs it

The vote's ``result`` is computed from the counts and the threshold, never given. The
meeting file and every issue whose status the meeting changed are one change set; a decided
item's actions are copied to its issue, where their progress is followed up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from ..council import Council
from ..lifecycle import OUTCOME_STATUS, Status, label
from ..loading import LoadedIssue, Repository
from ..records import OUTCOME_LABELS, Outcome, Vote
from .changeset import ChangeSet
from .common import (
    ISSUE_ORDER,
    MEETING_ORDER,
    council_of,
    edit_issue,
    edit_meeting,
    find_meeting,
    nearest,
    one_line,
    public_text,
    refuse,
    refuse_raw_html,
    seal,
)
from .meetings import level_rank
from .record_text import RecordText, node

_ITEM_KEYS = ("issue", "outcome", "decision", "vote", "actions", "note", "escalated_to")
_VOTE_KEYS = ("motion", "for", "against", "abstain", "absent", "eligible", "threshold", "basis",
              "votes", "result")
_ACTION_KEYS = ("what", "responsible", "due", "done", "progress")
_OPTIONS = ("yes", "no", "abstain", "absent")

#: Outcomes the meeting may record for an issue, by the issue's status when it is recorded.
OUTCOMES_FOR: dict[Status, tuple[str, ...]] = {
    Status.SCHEDULED: ("decided", "not_adopted", "deferred", "escalated"),
    Status.DECIDED: ("progress_report",),
    Status.IN_PROGRESS: ("progress_report",),
    Status.ESCALATED: ("decided", "not_adopted", "progress_report"),
}


def record_meeting(
    repo: Repository, meeting_id: str, *, by: str, on: dt.date, outcomes: Mapping[str, Any],
    minutes: str | None = None,
) -> ChangeSet:
    """Record a held meeting: parties, attendance, minutes and every open agenda item."""
    council = council_of(repo)
    loaded_meeting = find_meeting(repo, meeting_id)
    meeting = loaded_meeting.record
    if on < meeting.date:
        raise refuse("on", f"议事会 {meeting.id} 定于 {meeting.date} 召开，还没开，不能记录结果")
    open_items = [item.issue for item in meeting.agenda if item.outcome is None]
    if not open_items:
        raise refuse("meeting", f"议事会 {meeting.id} 的议程都已记录了结果")
    _known_keys(outcomes, ("parties", "attendance", "agenda"), "outcomes")
    record = edit_meeting(loaded_meeting)
    parties = _parties(council, outcomes.get("parties"))
    attendance = _attendance(outcomes.get("attendance"), parties)
    if parties:
        record.set("parties", CommentedSeq(node(p, flow=True) for p in parties),
                   order=MEETING_ORDER)
    if attendance is not None:
        record.set("attendance", attendance, order=MEETING_ORDER)
    raw_items = outcomes.get("agenda") or []
    if not isinstance(raw_items, Sequence) or isinstance(raw_items, str):
        raise refuse("agenda", "agenda 应是议程项的列表")
    edits: dict[str, tuple[RecordText, str | None]] = {}
    done: dict[str, str] = {}
    for i, raw in enumerate(raw_items):
        field = f"agenda[{i}]"
        if not isinstance(raw, Mapping):
            raise refuse(field, "每个议程项应是一组字段（issue、outcome、decision …）")
        _known_keys(raw, _ITEM_KEYS, field)
        issue_id = str(raw.get("issue") or "")
        if issue_id in done:
            raise refuse(f"{field}.issue", f"提案 {issue_id} 在记录中重复")
        index = next((n for n, item in enumerate(meeting.agenda) if item.issue == issue_id), None)
        if index is None:
            raise refuse(f"{field}.issue", f"提案 {issue_id!r} 不在议事会 {meeting.id} 的议程中"
                                           f"{nearest(issue_id, [it.issue for it in meeting.agenda])}")
        if issue_id not in open_items:
            raise refuse(f"{field}.issue", f"议程中的提案 {issue_id} 已经记录了结果")
        loaded = repo.issues.get(issue_id)
        if loaded is None:
            raise refuse(f"{field}.issue", f"提案 {issue_id} 的记录缺失或有错误；请先运行 yishi check")
        item, issue_text = _item(council, meeting, loaded, raw, field, on)
        record.replace_item("agenda", index, item)
        if issue_text is not None:
            edits[loaded.path] = (issue_text, loaded.source.text)
        done[issue_id] = str(item["outcome"])
    missing = [issue_id for issue_id in open_items if issue_id not in done]
    if missing:
        raise refuse("agenda", f"议程中 {'、'.join(missing)} 还没有记录结果；"
                               "未讨论的提案请记为暂缓（deferred）")
    if minutes is not None:
        if not minutes.strip():
            raise refuse("minutes", "会议纪要不能为空")
        text = public_text("minutes", minutes, required=True, limit=50_000)
        refuse_raw_html("minutes", text)
        record.set_body(text)
    edits[loaded_meeting.path] = (record, loaded_meeting.source.text)
    counts: dict[str, int] = {}
    for outcome in done.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    tally = "、".join(f"{OUTCOME_LABELS[Outcome(o)]} {n} 项" for o, n in counts.items())
    return seal(repo, operation="record", subject=meeting.id, by=by, on=on,
                summary=f"记录议事会 {meeting.id}「{one_line(meeting.title)}」：{tally}",
                edits=edits,
                params={"op": "record_meeting", "meeting_id": meeting.id,
                        "outcomes": jsonable(outcomes), "minutes": minutes})


def jsonable(value: Any) -> Any:
    """Outcomes as JSON data: dates as ISO strings (params are stored and re-run later)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _known_keys(data: Mapping[str, Any], keys: Sequence[str], where: str) -> None:
    for key in data:
        if key not in keys:
            raise refuse(f"{where}.{key}", f"不认识的字段“{key}”{nearest(str(key), keys)}")


def _count(value: Any, field: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        else:
            raise refuse(field, f"应是整数，得到 {value!r}")
    if value < minimum:
        raise refuse(field, f"不能小于 {minimum}，得到 {value}")
    return int(value)


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise refuse(field, f"日期 {value!r} 应写成 YYYY-MM-DD") from None


def _parties(council: Council, raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise refuse("parties", "parties 应是到会各方的列表：[{ party: …, count: … }]")
    out = []
    seen: set[str] = set()
    for i, entry in enumerate(raw):
        field = f"parties[{i}]"
        if not isinstance(entry, Mapping):
            raise refuse(field, "每一方应写成 { party: …, count: … }")
        _known_keys(entry, ("party", "count", "names"), field)
        slug = str(entry.get("party") or "")
        if slug not in council.party_names:
            raise refuse(f"{field}.party", f"没有“{slug}”这个参与方{nearest(slug, council.party_names)}")
        if slug in seen:
            raise refuse(f"{field}.party", f"参与方 {slug} 重复")
        seen.add(slug)
        party: dict[str, Any] = {"party": slug,
                                 "count": _count(entry.get("count"), f"{field}.count", minimum=1)}
        names = entry.get("names")
        if names:
            party["names"] = [public_text(f"{field}.names", str(n), required=True, limit=40)
                              for n in names]
        out.append(party)
    return out


def _attendance(raw: Any, parties: list[dict[str, Any]]) -> int | None:
    total = sum(int(p["count"]) for p in parties)
    if raw is None:
        return total or None
    attendance = _count(raw, "attendance", minimum=1)
    if attendance < total:
        raise refuse("attendance", f"到会 {attendance} 人少于各方人数之和 {total}")
    return attendance


def _item(council: Council, meeting: Any, loaded: LoadedIssue, raw: Mapping[str, Any],
          field: str, on: dt.date) -> tuple[CommentedMap, RecordText | None]:
    """The agenda item to write, and the issue's edited text when its status changes."""
    issue = loaded.record
    outcome = str(raw.get("outcome") or "")
    if outcome not in {o.value for o in Outcome}:
        raise refuse(f"{field}.outcome", f"结果应是 decided、not_adopted、deferred、escalated "
                                         f"或 progress_report{nearest(outcome, [o.value for o in Outcome])}")
    allowed = OUTCOMES_FOR.get(issue.status, ())
    scheduled_here = (issue.status is Status.SCHEDULED and issue.timeline[-1].meeting == meeting.id)
    if issue.status is Status.SCHEDULED and not scheduled_here:
        allowed = ()
    if outcome not in allowed:
        options = "、".join(allowed) or "无"
        raise refuse(f"{field}.outcome", f"提案 {issue.id} 当前是“{label(issue.status)}”，"
                                         f"不能记为 {outcome}；可以记为：{options}")
    item: dict[str, Any] = {"issue": issue.id, "outcome": outcome}
    decision = public_text(f"{field}.decision", raw.get("decision"), required=outcome == "decided",
                           limit=2000)
    if decision:
        item["decision"] = decision
    if raw.get("vote") is not None:
        item["vote"] = _vote(raw["vote"], outcome, f"{field}.vote")
    if raw.get("actions"):
        if outcome in ("not_adopted", "deferred"):
            raise refuse(f"{field}.actions", "未通过或暂缓的议程项没有落实事项")
        item["actions"] = CommentedSeq(node(a, flow=True) for a in
                                       _actions(council, raw["actions"], f"{field}.actions"))
    note = public_text(f"{field}.note", raw.get("note"), required=False, limit=1000)
    if note:
        item["note"] = note
    escalation = raw.get("escalated_to")
    if outcome == "escalated":
        escalation = _escalation(council, meeting.level, escalation, f"{field}.escalated_to")
    elif escalation is not None:
        raise refuse(f"{field}.escalated_to", "只有提级（escalated）的议程项需要 escalated_to")
    status = OUTCOME_STATUS.get(outcome)
    if status is None:  # a progress report changes nothing on the issue
        return node(item), None
    if issue.timeline[-1].date > meeting.date:
        raise refuse(f"{field}.issue", f"提案 {issue.id} 办理进程的最后一项晚于会议日期 {meeting.date}")
    text = edit_issue(loaded)
    text.set("status", status.value)
    entry: dict[str, Any] = {"date": meeting.date, "status": status.value, "meeting": meeting.id}
    if note and status is not Status.DECIDED:  # why it was deferred, escalated or not adopted
        entry["note"] = one_line(note, 40)
    text.append("timeline", entry, flow=True)
    if escalation is not None:
        text.set("escalated_to", escalation, order=ISSUE_ORDER)
    for action in item.get("actions", ()):
        text.append("actions", dict(action), order=ISSUE_ORDER, flow=False)
    return node(item), text


def _vote(raw: Any, outcome: str, field: str) -> CommentedMap:
    if not isinstance(raw, Mapping):
        raise refuse(field, "表决应写成 { for: …, against: …, abstain: …, eligible: … }")
    _known_keys(raw, _VOTE_KEYS, field)
    if raw.get("result") is not None:
        raise refuse(f"{field}.result", "表决结果由票数和通过比例计算，不要填写 result")
    counts = {key: _count(raw.get(key, 0), f"{field}.{key}") for key in
              ("for", "against", "abstain", "absent")}
    if "for" not in raw or "against" not in raw:
        raise refuse(field, "表决须写明赞成（for）和反对（against）票数")
    if "eligible" not in raw:
        raise refuse(f"{field}.eligible", "表决须写明有表决权的人数（eligible）")
    eligible = _count(raw["eligible"], f"{field}.eligible", minimum=1)
    total = sum(counts.values())
    if total > eligible:
        raise refuse(f"{field}.eligible",
                     f"赞成 {counts['for']} + 反对 {counts['against']} + 弃权 {counts['abstain']} + "
                     f"缺席 {counts['absent']} = {total}，超过有表决权的 {eligible} 人")
    threshold_raw = raw.get("threshold", 0.5)
    try:
        threshold = float(threshold_raw)
    except (TypeError, ValueError):
        raise refuse(f"{field}.threshold", f"通过比例应是 0 到 1 之间的小数，如 0.5，得到 {threshold_raw!r}") from None
    if not 0 < threshold <= 1:
        raise refuse(f"{field}.threshold", f"通过比例应大于 0、不超过 1，得到 {threshold_raw!r}")
    basis = str(raw.get("basis", "eligible"))
    if basis not in ("eligible", "cast"):
        raise refuse(f"{field}.basis", f"basis 应是 eligible（全体有表决权者）或 cast（实际投票者），得到 {basis!r}")
    ballots = raw.get("votes") or []
    if ballots:
        counted = dict.fromkeys(_OPTIONS, 0)
        for n, ballot in enumerate(ballots):
            option = ballot.get("option") if isinstance(ballot, Mapping) else None
            if isinstance(option, bool):
                option = "yes" if option else "no"
            if option not in counted:
                raise refuse(f"{field}.votes[{n}].option", "应是 yes、no、abstain 或 absent")
            counted[str(option)] += 1
        stated = dict(zip(_OPTIONS, counts.values(), strict=True))
        if counted != stated:
            raise refuse(f"{field}.votes", f"逐人表决的票数 {counted} 与合计 {stated} 不一致")
    vote = Vote.model_validate({**counts, "eligible": eligible, "threshold": threshold,
                                "basis": basis})
    if outcome == "decided" and not vote.passed:
        raise refuse(field, f"赞成 {counts['for']} 票未达到通过比例 {threshold:g}，不能记为形成决议；"
                            "请记为未通过（not_adopted）")
    if outcome == "not_adopted" and vote.passed:
        raise refuse(field, f"赞成 {counts['for']} 票已达到通过比例 {threshold:g}，"
                            "结果应记为形成决议（decided）")
    out: dict[str, Any] = {}
    motion = public_text(f"{field}.motion", raw.get("motion"), required=False, limit=500)
    if motion:
        out["motion"] = motion
    out.update({"for": counts["for"], "against": counts["against"], "abstain": counts["abstain"]})
    if counts["absent"]:
        out["absent"] = counts["absent"]
    out.update({"eligible": eligible, "threshold": threshold})
    if basis != "eligible":
        out["basis"] = basis
    out["result"] = "pass" if vote.passed else "fail"
    if ballots:
        out["votes"] = [dict(b) for b in ballots]
    short = not motion and not ballots
    built: CommentedMap = node(out, flow=short)
    if ballots:
        built["votes"] = CommentedSeq(node(dict(b), flow=True) for b in ballots)
    return built


def _actions(council: Council, raw: Any, field: str) -> list[dict[str, Any]]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise refuse(field, "落实事项应是列表：[{ what: …, responsible: …, due: … }]")
    out = []
    for i, entry in enumerate(raw):
        where = f"{field}[{i}]"
        if not isinstance(entry, Mapping):
            raise refuse(where, "每个落实事项应写成 { what: …, responsible: …, due: … }")
        _known_keys(entry, _ACTION_KEYS, where)
        action: dict[str, Any] = {
            "what": public_text(f"{where}.what", entry.get("what"), required=True, limit=200)}
        party = str(entry.get("responsible") or "")
        if party not in council.party_names:
            raise refuse(f"{where}.responsible", f"没有“{party}”这个参与方"
                                                 f"{nearest(party, council.party_names)}")
        action["responsible"] = party
        for key in ("due", "done"):
            if entry.get(key) is not None:
                action[key] = _date(entry[key], f"{where}.{key}")
        progress = public_text(f"{where}.progress", entry.get("progress"), required=False, limit=500)
        if progress:
            action["progress"] = progress
        out.append(action)
    return out


def _escalation(council: Council, meeting_level: str, raw: Any, field: str) -> dict[str, str]:
    if not isinstance(raw, Mapping) or not raw.get("level"):
        raise refuse(field, "提级须写明提交到哪一级：{ level: town, body: 镇城建科 }")
    return escalation_target(council, meeting_level, str(raw["level"]), raw.get("body"),
                             prefix=f"{field}.")


def escalation_target(council: Council, from_level: str, level: str, body: Any,
                      prefix: str = "") -> dict[str, str]:
    """``escalated_to`` for an escalation from ``from_level``: a higher level, a body;
    refusals name ``<prefix>level`` / ``<prefix>body``."""
    if level not in council.level_names:
        raise refuse(f"{prefix}level", f"没有“{level}”这个层级{nearest(level, council.level_names)}")
    if from_level in council.level_names and level_rank(council, level) <= level_rank(council, from_level):
        higher = [lv.slug for lv in council.levels][level_rank(council, from_level) + 1:]
        hint = f"；可选：{', '.join(higher)}" if higher else ""
        raise refuse(f"{prefix}level",
                     f"提级须提交到比{council.level_names[from_level]}更高的层级{hint}")
    name = public_text(f"{prefix}body",
                       str(body) if body else f"{council.level_names[level]}级议事协商平台",
                       required=True, limit=100)
    return {"level": level, "body": name}
