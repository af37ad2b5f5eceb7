"""Render a :class:`RecordDiff` as GitHub-flavoured markdown for job summaries and PR comments.

Record text is written by residents and moderators: it is escaped so that it can neither
break a table, nor inject HTML, nor mention (notify) someone on GitHub.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Any

from ..forges.inert import inert
from ..lifecycle import label
from ..records import OUTCOME_LABELS, Outcome
from .model import AgendaSummary, DecisionEdit, EditedRecord, RecordDiff

RESULT_LABELS = {"pass": "通过", "fail": "未通过"}
_MARKUP = re.compile(r"([\\`*_{}\[\]()#+!|~>])")


def text(value: str | None, limit: int = 120) -> str:
    """Untrusted record text as inline markdown: one line, escaped, shortened."""
    if not value:
        return "—"
    one_line = " ".join(value.split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    escaped = _MARKUP.sub(r"\\\1", html.escape(one_line, quote=False))
    # No mention, issue reference or closing keyword is active on GitHub.
    return inert(escaped)


def code(value: str) -> str:
    """An id or path in backticks (ids and paths never hold a backtick, but be safe)."""
    return f"`{value.replace('`', '')}`"


def status(value: str) -> str:
    """``已受理 accepted``."""
    return f"{label(value)} `{value}`"


def outcome(value: str | None) -> str:
    """``形成决议 decided``; ``待议 pending`` for an item of a meeting still to be held."""
    if value is None:
        return "待议 pending"
    try:
        return f"{OUTCOME_LABELS[Outcome(value)]} `{value}`"
    except ValueError:
        return code(value)


def vote(value: dict[str, Any] | None) -> str:
    """``赞成 17 · 反对 0 · 弃权 2 · 有表决权 19 · 通过 pass``."""
    if not value:
        return "—"
    parts = [f"赞成 {value['for']}", f"反对 {value['against']}", f"弃权 {value['abstain']}",
             f"有表决权 {value['eligible']}"]
    result = value.get("result")
    if result:
        parts.append(f"{RESULT_LABELS.get(result, result)} {result}")
    return " · ".join(parts)


def _issue_ref(item: AgendaSummary) -> str:
    title = f" {text(item.issue_title, 40)}" if item.issue_title else ""
    return f"{code(item.issue)}{title}"


def render(diff: RecordDiff, heading: str = "## 记录变更 Record changes") -> str:
    """The whole summary; an empty change says so in one line."""
    lines = [heading, ""]
    if diff.is_empty:
        lines.append("本次改动不涉及公开记录。 This change does not touch the public record.")
        return "\n".join(lines) + "\n"
    counts = diff.counts()
    lines.append(" · ".join([
        f"新提案 new issues **{counts['new_issues']}**",
        f"状态变化 status changes **{counts['status_changes']}**",
        f"新议事会 new meetings **{counts['new_meetings']}**",
        f"决议修改 edited decisions **{counts['edited_decisions']}**",
        f"删除 deleted **{counts['deleted']}**",
        f"其他修改 other edits **{counts['edited']}**",
    ]))
    lines.append("")
    if diff.unreadable:
        lines += ["### ❌ 无法读取的记录 Records that do not load", "",
                  "Run `yishi check` for the details.", ""]
        for bad in diff.unreadable:
            lines.append(f"- {code(bad.path)}")
            lines += [f"  - {text(problem, 200)}" for problem in bad.problems]
        lines.append("")
    if diff.deleted:
        lines += ["### ⚠️ 删除的记录 Deleted records", "",
                  "> [!WARNING]",
                  "> Record ids are permanent and their pages are cited: a record is never "
                  "deleted, its status changes (e.g. `withdrawn`, `merged`). "
                  "记录编号永久有效,请勿删除记录。", ""]
        for gone in diff.deleted:
            kind = "提案 issue" if gone.kind == "issue" else "议事会 meeting"
            lines.append(f"- **{kind}** {code(gone.id)} {text(gone.title)} ({code(gone.path)})")
        lines.append("")
    if diff.council_changed:
        lines += ["### 议事会信息 Council registry", "",
                  f"{code('content/council.yml')} changes: check the communities, categories "
                  "and lists it names, and regenerate the issue form (`yishi issue-form render`).",
                  ""]
    if diff.new_issues:
        lines += ["### 新提案 New issues", "", *_table(
            ["编号 ID", "标题 Title", "社区 Community", "类别 Category", "状态 Status"],
            ([code(new.id), text(new.title), text(new.community_name),
              text(new.category_name), status(new.status)] for new in diff.new_issues))]
    if diff.status_changes:
        lines += ["### 状态变化 Status changes", "", *_table(
            ["编号 ID", "标题 Title", "从 From", "到 To"],
            ([code(change.id), text(change.title), status(change.from_status),
              status(change.to_status)] for change in diff.status_changes))]
    if diff.new_meetings:
        lines += ["### 新议事会 New meetings", ""]
        for meeting in diff.new_meetings:
            lines += [f"#### {code(meeting.id)} {text(meeting.title)} ({meeting.date})", ""]
            if not meeting.items:
                lines += ["No agenda items. 无议题。", ""]
                continue
            lines += _table(
                ["议题 Issue", "结果 Outcome", "决议 Decision", "表决 Vote"],
                ([_issue_ref(item), outcome(item.outcome), text(item.decision, 300),
                  vote(item.vote)] for item in meeting.items))
    if diff.edited_decisions:
        lines += ["### ⚠️ 决议修改 Edited decisions", "",
                  "Decisions of meetings already on the record change: check against the minutes.",
                  "", *_table(
                      ["议事会 Meeting", "议题 Issue", "改动 Change", "之前 Before", "之后 After"],
                      ([code(edit.meeting), _edited_issue(edit),
                        f"{edit.change}: {', '.join(edit.fields)}",
                        _decision_cell(edit.before), _decision_cell(edit.after)]
                       for edit in diff.edited_decisions))]
    if diff.edited:
        lines += ["### 其他修改 Other edits", "", *_table(
            ["记录 Record", "标题 Title", "改动的字段 Changed fields"],
            ([f"{edited.kind} {code(edited.id)}", text(edited.title), _edited_fields(edited)]
             for edited in diff.edited))]
    return "\n".join(lines)


def _table(headers: list[str], rows: Iterable[list[str]]) -> list[str]:
    """A markdown table's lines (cells already escaped), followed by a blank line."""
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _edited_issue(edit: DecisionEdit) -> str:
    side = edit.after or edit.before
    return _issue_ref(side) if side else code(edit.issue)


def _edited_fields(edited: EditedRecord) -> str:
    fields = ", ".join(code(f) for f in edited.fields)
    if edited.rewrites_history:
        fields += " ⚠️ timeline rewritten (it is append-only 时间线只能追加)"
    return fields


def _decision_cell(item: AgendaSummary | None) -> str:
    if item is None:
        return "—"
    return f"{outcome(item.outcome)}: {text(item.decision, 160)}; {vote(item.vote)}"
