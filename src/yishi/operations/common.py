"""What every operation shares: finding the record, refusing in Chinese, and sealing the change.

An operation reads the loaded records, refuses bad input with :class:`OperationRefused`
(the field at fault and a Chinese message, with the nearest valid value where that helps),
edits the files it means to change through :class:`RecordText`, and calls :func:`seal`,
which builds the :class:`ChangeSet` and refuses it if the checks would fail once applied.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..council import Council
from ..lifecycle import TRANSITIONS, Status, label
from ..loading import ISSUES_DIR, MEETINGS_DIR, LoadedIssue, LoadedMeeting, Repository
from ..privacy import find_personal_data
from ..records import Issue, Meeting
from .changeset import ChangeSet, OperationRefused, git_blob_id
from .record_text import RecordText
from .verify import check_change

#: Key order of new keys, as the models (and the README's examples) list them.
ISSUE_ORDER: tuple[str, ...] = tuple(Issue.model_fields)
MEETING_ORDER: tuple[str, ...] = tuple(Meeting.model_fields)

_PERSONAL_DATA = {"mobile": "手机号", "id_card": "身份证号", "email": "电子邮箱"}


def issue_path(issue_id: str) -> str:
    return (ISSUES_DIR / f"{issue_id}.md").as_posix()


def meeting_path(meeting_id: str) -> str:
    return (MEETINGS_DIR / f"{meeting_id}.md").as_posix()


def nearest(value: str, options: Iterable[str]) -> str:
    """``；是不是 'x'？`` when one option is close to ``value``, else the list of options."""
    choices = [str(option) for option in options]
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5)
    if close:
        return f"；是不是 {close[0]!r}？"
    if 0 < len(choices) <= 12:
        return f"；可选：{', '.join(choices)}"
    return ""


def refuse(field: str, message: str) -> OperationRefused:
    """The exception to raise (``raise refuse(...)``) so call sites read as sentences."""
    return OperationRefused(field, message)


def council_of(repo: Repository) -> Council:
    if repo.council is None:
        raise refuse("council", "content/council.yml 缺失或无效，请先运行 yishi check 修好它")
    return repo.council


def find_issue(repo: Repository, issue_id: str, field: str = "issue") -> LoadedIssue:
    """The issue, or a refusal that suggests the nearest id."""
    loaded = repo.issues.get(issue_id)
    if loaded is None:
        if issue_id in repo.broken:
            raise refuse(field, f"提案 {issue_id} 的记录有错误，无法读取；请先运行 yishi check 修好它")
        raise refuse(field, f"没有提案 {issue_id!r}{nearest(issue_id, repo.issues)}")
    return loaded


def find_meeting(repo: Repository, meeting_id: str, field: str = "meeting") -> LoadedMeeting:
    """The meeting, or a refusal that suggests the nearest id."""
    loaded = repo.meetings.get(meeting_id)
    if loaded is None:
        if meeting_id in repo.broken:
            raise refuse(field, f"议事会 {meeting_id} 的记录有错误，无法读取；请先运行 yishi check 修好它")
        raise refuse(field, f"没有议事会 {meeting_id!r}{nearest(meeting_id, repo.meetings)}")
    return loaded


def require_step(issue: Issue, target: Status, what: str, field: str = "status") -> None:
    """Refuse unless the lifecycle allows ``issue.status → target``."""
    if target in TRANSITIONS[issue.status]:
        return
    allowed = "、".join(f"{label(s)}({s.value})" for s in sorted(TRANSITIONS[issue.status])) or "无"
    raise refuse(field, f"提案 {issue.id} 当前是“{label(issue.status)}”({issue.status.value})，"
                        f"不能{what}；此状态下可以转为：{allowed}")


def require_not_before(issue: Issue, day: dt.date, field: str = "on") -> None:
    """Refuse a date before the issue's last timeline entry (the timeline is in date order)."""
    last = issue.timeline[-1].date
    if day < last:
        raise refuse(field, f"日期 {day} 早于提案 {issue.id} 办理进程的最后一项（{last}）；"
                            "办理进程只能按日期向后追加")


def issue_for_step(repo: Repository, issue_id: str, target: Status, what: str,
                   on: dt.date) -> LoadedIssue:
    """The issue a lifecycle step (``what``, to ``target``) dated ``on`` may be taken on."""
    loaded = find_issue(repo, issue_id)
    require_step(loaded.record, target, what)
    require_not_before(loaded.record, on)
    return loaded


def public_text(field: str, value: str | None, *, required: bool, limit: int = 2000) -> str:
    """Text that will be published: trimmed, present when required, free of personal data."""
    text = (value or "").strip()
    if required and not text:
        raise refuse(field, "必填，不能为空")
    if len(text) > limit:
        raise refuse(field, f"太长（{len(text)} 字），最多 {limit} 字")
    finding = next(find_personal_data(text), None)
    if finding is not None:
        what = _PERSONAL_DATA.get(finding.kind, finding.kind)
        raise refuse(field, f"含有{what}（{finding.masked}）；联系方式不能写进公开记录")
    return text


# As the markup check reads a body: code (fenced or `inline`) may quote HTML, nothing else may.
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE_SPAN = re.compile(r"`[^`\n]+`")
RAW_HTML = re.compile(r"<!--|<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?\s*>")


def refuse_raw_html(field: str, text: str) -> None:
    """Refuse markdown that holds raw HTML outside code (records are markdown only)."""
    visible = _CODE_SPAN.sub(" ", _FENCE.sub(" ", text))
    match = RAW_HTML.search(visible)
    if match is not None:
        raise refuse(field, f"不能包含 HTML（{match.group()[:30]}）；纪要和描述只用 markdown 文字")


def one_line(text: str, limit: int = 24) -> str:
    """A title shortened for a one-line summary."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def edit_issue(loaded: LoadedIssue) -> RecordText:
    return RecordText(loaded.path, loaded.source.text)


def edit_meeting(loaded: LoadedMeeting) -> RecordText:
    return RecordText(loaded.path, loaded.source.text)


def seal(
    repo: Repository,
    *,
    operation: str,
    subject: str,
    by: str,
    on: dt.date,
    summary: str,
    edits: Mapping[str, tuple[RecordText, str | None]],
    params: dict[str, Any],
) -> ChangeSet:
    """The change set of ``edits`` (path → (new text, the text it was made from or None)),
    refused when applying it would give ``yishi check`` anything new to report."""
    if not by.strip():
        raise refuse("by", "请填写提出这一步的议事会工作人员（by）")
    files = {path: record.bytes() for path, (record, _) in edits.items()}
    base = {path: (git_blob_id(old.encode("utf-8")) if old is not None else None)
            for path, (_, old) in edits.items()}
    change = ChangeSet(operation=operation, subject=subject, by=by.strip(), on=on,
                       summary=summary, files=files, base=base, params=params)
    problems = check_change(repo, change)
    if problems:
        first = problems[0]
        field = "minutes" if first.field == "(body)" else first.field
        details = "；".join(str(p) for p in problems[:3])
        raise refuse(field, f"这一步会让记录无法通过检查：{details}")
    return change


def iso(day: dt.date | None) -> str | None:
    """A date as params store it (JSON has no dates)."""
    return day.isoformat() if day is not None else None
