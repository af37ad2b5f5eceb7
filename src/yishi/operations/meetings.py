"""Planning meetings: plan one, change it, or cancel it, keeping its issues consistent.

An agenda holds issues the meeting will deliberate (accepted or deferred: they become
``scheduled`` naming the meeting) and issues it will hear a progress report on (decided, in
progress, or escalated to it: their status does not change).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any

from .. import ids
from ..council import Council
from ..lifecycle import Status, label
from ..loading import LoadedIssue, Repository
from .changeset import ChangeSet
from .common import (
    MEETING_ORDER,
    council_of,
    edit_issue,
    edit_meeting,
    find_issue,
    find_meeting,
    iso,
    meeting_path,
    nearest,
    one_line,
    public_text,
    refuse,
    require_not_before,
    seal,
)
from .record_text import RecordText

NewId = Callable[[dt.date], str]

#: Statuses an issue may have to go on an agenda for deliberation (it becomes scheduled).
TO_DELIBERATE = frozenset({Status.ACCEPTED, Status.DEFERRED})
#: Statuses an issue may have to go on an agenda for a progress report (status unchanged);
#: an escalated issue is taken up by the higher level's meeting the same way.
TO_REPORT = frozenset({Status.DECIDED, Status.IN_PROGRESS, Status.ESCALATED})

_TIME = re.compile(r"^([01]?\d|2[0-3])[:：]([0-5]\d)$")
REPLANNABLE = ("title", "date", "time", "place", "level", "community", "convener",
               "supervisor", "agenda")


def plan_meeting(
    repo: Repository, *, by: str, on: dt.date, date: dt.date, time: str | None, place: str,
    level: str, community: str | None, convener: str, supervisor: str | None = None,
    agenda: Sequence[str], title: str | None = None, new_id: NewId = ids.new_id,
) -> ChangeSet:
    """A new meeting; its agenda issues become ``scheduled`` naming it (progress-report items
    keep their status)."""
    council = council_of(repo)
    fields = _meeting_fields(council, on=on, date=date, time=time, place=place, level=level,
                             community=community, convener=convener, supervisor=supervisor)
    items = _agenda_issues(repo, agenda, community=fields.get("community"), on=on, date=date)
    meeting_id = _fresh_id(repo, new_id, date)
    name = (title or "").strip() or _default_title(council, fields.get("community"), date)
    data: dict[str, Any] = {"id": meeting_id, "title": public_text("title", name, required=True,
                                                                   limit=120)}
    data.update(fields)
    data["agenda"] = [{"issue": loaded.record.id} for loaded in items]
    ordered = {key: data[key] for key in MEETING_ORDER if key in data}
    path = meeting_path(meeting_id)
    edits: dict[str, tuple[RecordText, str | None]] = {
        path: (RecordText.new(path, ordered), None)}
    for loaded in items:
        if loaded.record.status in TO_DELIBERATE:
            edits[loaded.path] = (_schedule(loaded, meeting_id, on), loaded.source.text)
    params = {"op": "plan_meeting", "meeting_id": meeting_id, "date": iso(date), "time": time,
              "place": place, "level": level, "community": community, "convener": convener,
              "supervisor": supervisor, "agenda": [loaded.record.id for loaded in items],
              "title": title}
    return seal(repo, operation="plan", subject=meeting_id, by=by, on=on,
                summary=f"安排议事会 {meeting_id}「{one_line(data['title'])}」，"
                        f"{date} 召开，议程 {len(items)} 项",
                edits=edits, params=params)


def replan_meeting(repo: Repository, meeting_id: str, *, by: str, on: dt.date,
                   **changed: Any) -> ChangeSet:
    """Change a planned meeting: title, date, time, place, level, community, convener,
    supervisor or the agenda (the full new list of issue ids).

    An issue added to the agenda becomes ``scheduled`` naming the meeting. A progress-report
    item can be dropped freely. An issue already ``scheduled`` for this meeting cannot be
    taken off before it is held: the timeline is append-only and the lifecycle leads from
    ``scheduled`` only to a meeting's outcome, so the meeting must record it (``deferred``
    if it is not discussed) or be cancelled; the refusal says so.
    """
    council = council_of(repo)
    loaded_meeting = find_meeting(repo, meeting_id)
    meeting = loaded_meeting.record
    if not meeting.upcoming:
        raise refuse("meeting", f"议事会 {meeting.id} 已经记录了结果，不能再调整；请改用会议记录")
    for key in changed:
        if key not in REPLANNABLE:
            raise refuse(key, f"不能调整“{key}”{nearest(key, REPLANNABLE)}")
    if not changed:
        raise refuse("meeting", "没有要调整的内容")
    current = meeting.model_dump(exclude_none=True)
    merged: dict[str, Any] = {key: changed.get(key, current.get(key)) for key in
              ("date", "time", "place", "level", "community", "convener", "supervisor")}
    fields = _meeting_fields(council, on=on, new_date="date" in changed, **merged)
    date: dt.date = fields["date"]
    record = edit_meeting(loaded_meeting)
    what: list[str] = []
    for key in ("date", "time", "place", "level", "community", "convener", "supervisor"):
        if key not in changed:
            continue
        what.append(_FIELD_NAMES[key])
        if key in fields:
            record.set(key, fields[key], order=MEETING_ORDER)
        else:
            record.remove(key)
    if "title" in changed:
        what.append(_FIELD_NAMES["title"])
        record.set("title", public_text("title", changed["title"], required=True, limit=120))
    edits: dict[str, tuple[RecordText, str | None]] = {}
    scheduled_here = {item.issue for item in meeting.agenda
                      if _scheduled_at(repo, item.issue, meeting.id)}
    if "agenda" in changed:
        what.append(_FIELD_NAMES["agenda"])
        wanted = list(dict.fromkeys(changed["agenda"]))
        present = [item.issue for item in meeting.agenda]
        for issue_id in present:
            if issue_id not in wanted and issue_id in scheduled_here:
                raise refuse("agenda", f"提案 {issue_id} 已列为本次议事会“待议事”，按办理规则不能撤下"
                                       "（办理进程只能追加，待议事之后只能是会议结果）；"
                                       "请在会议记录中把它记为暂缓（deferred），或取消这次议事会")
        added = [issue_id for issue_id in wanted if issue_id not in present]
        items = _agenda_issues(repo, added, community=fields.get("community"), on=on, date=date,
                               offset=len(present))
        for index in reversed(range(len(present))):
            if present[index] not in wanted:
                record.remove_item("agenda", index)
        for loaded in items:
            record.append("agenda", {"issue": loaded.record.id}, order=MEETING_ORDER, flow=False)
            if loaded.record.status in TO_DELIBERATE:
                edits[loaded.path] = (_schedule(loaded, meeting.id, on), loaded.source.text)
    if "date" in changed or "community" in changed:
        for issue_id in scheduled_here:
            issue = repo.issues[issue_id].record
            if fields.get("community") and issue.community != fields["community"]:
                raise refuse("community", f"议程中的提案 {issue_id} 属于另一个社区（{issue.community}）")
    edits[loaded_meeting.path] = (record, loaded_meeting.source.text)
    params: dict[str, Any] = {"op": "replan_meeting", "meeting_id": meeting.id}
    params.update({key: (iso(value) if isinstance(value, dt.date) else
                         list(value) if key == "agenda" else value)
                   for key, value in changed.items()})
    return seal(repo, operation="replan", subject=meeting.id, by=by, on=on,
                summary=f"调整议事会 {meeting.id}「{one_line(meeting.title)}」：{'、'.join(what)}",
                edits=edits, params=params)


def cancel_meeting(repo: Repository, meeting_id: str, *, by: str, on: dt.date,
                   reason: str) -> ChangeSet:
    """Cancel a planned meeting; its scheduled issues become ``deferred`` (择期再议).

    What is legal: ``scheduled`` leads only to a meeting's outcome, the timeline is
    append-only, and the checks tie a ``deferred`` entry to a meeting whose agenda item says
    ``deferred`` and to a date no earlier than that meeting. So the cancelled meeting stays
    on record (ids are never removed or reused) as the meeting at which its items were
    deferred: each scheduled item gets outcome ``deferred`` with the reason, each issue a
    ``deferred`` entry naming it, and deferred issues can go on a later agenda. When the
    cancellation comes before the planned day, the meeting's date becomes the day of the
    cancellation (otherwise the issues could not be rescheduled before the old date); the
    title says 已取消 and the body keeps the planned date, time and reason. Progress-report
    items are simply taken off the agenda: nothing in their timeline names the meeting.
    """
    council_of(repo)
    loaded_meeting = find_meeting(repo, meeting_id)
    meeting = loaded_meeting.record
    if not meeting.upcoming:
        raise refuse("meeting", f"议事会 {meeting.id} 已经记录了结果，不能取消")
    text = public_text("reason", reason, required=True, limit=200)
    record = edit_meeting(loaded_meeting)
    day = meeting.date
    if on < meeting.date:
        day = on
        record.set("date", on, order=MEETING_ORDER)
        record.remove("time")
    if not meeting.title.startswith("（已取消）"):
        record.set("title", "（已取消）" + meeting.title[:114])
    edits: dict[str, tuple[RecordText, str | None]] = {}
    for index in reversed(range(len(meeting.agenda))):
        item = meeting.agenda[index]
        loaded = repo.issues.get(item.issue)
        if loaded is None or not _scheduled_at(repo, item.issue, meeting.id):
            record.remove_item("agenda", index)
            continue
        require_not_before(loaded.record, day, field="on")
        record.replace_item("agenda", index, {"issue": item.issue, "outcome": "deferred",
                                              "note": f"议事会取消：{text}"})
        issue = edit_issue(loaded)
        issue.set("status", Status.DEFERRED.value)
        issue.append("timeline", {"date": day, "status": Status.DEFERRED.value,
                                  "meeting": meeting.id, "note": "议事会取消，择期再议"}, flow=True)
        edits[loaded.path] = (issue, loaded.source.text)
    planned = f"{meeting.date}{' ' + meeting.time if meeting.time else ''}"
    notice = f"本次议事会原定 {planned} 在{meeting.place}召开，已于 {on} 取消。取消原因：{text}"
    body = loaded_meeting.source.body.strip("\n")
    record.set_body(f"{notice}\n\n{body}" if body else notice)
    edits[loaded_meeting.path] = (record, loaded_meeting.source.text)
    return seal(repo, operation="cancel", subject=meeting.id, by=by, on=on,
                summary=f"取消议事会 {meeting.id}「{one_line(meeting.title)}」",
                edits=edits, params={"op": "cancel_meeting", "meeting_id": meeting.id,
                                     "reason": text})


_FIELD_NAMES = {"title": "名称", "date": "日期", "time": "时间", "place": "地点", "level": "层级",
                "community": "社区", "convener": "召集人", "supervisor": "监督人", "agenda": "议程"}


def level_rank(council: Council, level: str) -> int:
    """Position of a level in the council's list (grid < community < street < …)."""
    return [lv.slug for lv in council.levels].index(level)


def _meeting_fields(council: Council, *, on: dt.date, date: Any, time: str | None, place: str,
                    level: str, community: str | None, convener: str,
                    supervisor: str | None, new_date: bool = True) -> dict[str, Any]:
    """The checked facts of a meeting, in the record's key order (absent ones left out)."""
    day = _as_date(date, "date")
    if new_date and day < on:
        raise refuse("date", f"议事会日期 {day} 早于今天（{on}）；补录往期会议时请把日期（on）"
                             "设为安排会议的那一天")
    out: dict[str, Any] = {"date": day}
    if time:
        match = _TIME.match(str(time).strip())
        if match is None:
            raise refuse("time", f"时间 {time!r} 应写成 时:分，如 19:00")
        out["time"] = f"{int(match[1]):02d}:{match[2]}"
    if level not in council.level_names:
        raise refuse("level", f"没有“{level}”这个层级{nearest(level, council.level_names)}")
    out["level"] = level
    if community:
        if community not in council.community_names:
            raise refuse("community", f"没有“{community}”这个社区"
                                      f"{nearest(community, council.community_names)}")
        out["community"] = community
    out["place"] = public_text("place", place, required=True, limit=100)
    out["convener"] = public_text("convener", convener, required=True, limit=100)
    if supervisor and supervisor.strip():
        out["supervisor"] = public_text("supervisor", supervisor, required=True, limit=100)
    return out


def _as_date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise refuse(field, f"日期 {value!r} 应写成 YYYY-MM-DD") from None


def _agenda_issues(repo: Repository, agenda: Sequence[str], *, community: str | None,
                   on: dt.date, date: dt.date, offset: int = 0) -> list[LoadedIssue]:
    """The agenda's issues, each refused unless its status lets it go on an agenda."""
    if not agenda and offset == 0:
        raise refuse("agenda", "议程不能为空：至少列入一件提案")
    seen: set[str] = set()
    items = []
    for i, issue_id in enumerate(agenda, start=offset):
        field = f"agenda[{i}]"
        if issue_id in seen:
            raise refuse(field, f"提案 {issue_id} 在议程中重复")
        seen.add(issue_id)
        loaded = find_issue(repo, issue_id, field=field)
        issue = loaded.record
        if issue.status not in TO_DELIBERATE | TO_REPORT:
            raise refuse(field, f"提案 {issue_id} 当前是“{label(issue.status)}”，不能列入议程；"
                                "只有已受理、暂缓（待议）或已决议、实施中、已提级（通报进展）的提案可以")
        if community and issue.community != community:
            raise refuse(field, f"提案 {issue_id} 属于另一个社区（{issue.community}），"
                                f"这次是 {community} 的议事会；跨社区的议题请开街道层级的会")
        if issue.status in TO_DELIBERATE:
            require_not_before(issue, on, field="on")
            if date < issue.timeline[-1].date:
                raise refuse("date", f"议事会日期早于提案 {issue_id} 办理进程的最后一项")
        items.append(loaded)
    return items


def _schedule(loaded: LoadedIssue, meeting_id: str, on: dt.date) -> RecordText:
    record = edit_issue(loaded)
    record.set("status", Status.SCHEDULED.value)
    record.append("timeline", {"date": on, "status": Status.SCHEDULED.value,
                               "meeting": meeting_id}, flow=True)
    return record


def _scheduled_at(repo: Repository, issue_id: str, meeting_id: str) -> bool:
    """Whether the issue is ``scheduled`` with its last entry naming this meeting."""
    loaded = repo.issues.get(issue_id)
    if loaded is None:
        return False
    last = loaded.record.timeline[-1]
    return loaded.record.status is Status.SCHEDULED and last.meeting == meeting_id


def _fresh_id(repo: Repository, new_id: NewId, day: dt.date) -> str:
    for _ in range(100):
        candidate = new_id(day)
        if not repo.exists(candidate):
            return candidate
    raise refuse("meeting", "无法分配新的议事会编号（编号来源一直给出已有的编号）")


def _default_title(council: Council, community: str | None, day: dt.date) -> str:
    host = council.community_names[community] if community else (council.short_name or council.name)
    return f"{host} {day.year} 年 {day.month} 月协商议事会"

