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
from .loading import LoadedIssue, LoadedMeeting, Repository, SourceFile
from .privacy import find_personal_data
from .problems import Problem
from .records import Outcome
from .yaml_lines import format_loc

Check = Callable[[Repository], Iterator[Problem]]


def _at(source: SourceFile, loc: Sequence[str | int], message: str) -> Problem:
    return Problem(source.path, source.line_of(loc), format_loc(loc), message)


#: The kinds of personal data (:mod:`yishi.privacy`) by their Chinese names.
PERSONAL_DATA_ZH = {"mobile": "手机号", "id_card": "身份证号", "email": "电子邮箱"}


def _zh(chinese: str, english: str) -> str:
    """A check's message for moderators: Chinese first, the English beside it for staff."""
    return f"{chinese} ({english})"


def check_timeline(repo: Repository) -> Iterator[Problem]:
    """Dates in order, legal transitions, and the status equal to the last entry."""
    for loaded in repo.issues.values():
        issue, src = loaded.record, loaded.source
        timeline = issue.timeline
        if timeline[0].status is not INITIAL:
            yield _at(src, ("timeline", 0, "status"),
                      _zh(f"办理进程应从 {INITIAL.value!r} 开始，实际是 {timeline[0].status.value!r}",
                          f"the timeline must start with {INITIAL.value!r}, got {timeline[0].status.value!r}"))
        if timeline[0].date < issue.submitted:
            yield _at(src, ("timeline", 0, "date"),
                      _zh(f"{timeline[0].date} 早于提交日期 {issue.submitted}",
                          f"{timeline[0].date} is before the submission date {issue.submitted}"))
        for i in range(1, len(timeline)):
            before, entry = timeline[i - 1], timeline[i]
            if entry.date < before.date:
                yield _at(src, ("timeline", i, "date"),
                          _zh(f"{entry.date} 早于上一条（{before.date}）；办理进程只能按日期往后追加",
                              f"{entry.date} is earlier than the entry before it ({before.date}); "
                              "the timeline is append-only and in date order"))
            if entry.status not in TRANSITIONS[before.status]:
                allowed = ", ".join(sorted(s.value for s in TRANSITIONS[before.status])) or "none"
                yield _at(src, ("timeline", i, "status"),
                          _zh(f"不允许从 {before.status.value} 变为 {entry.status.value}；"
                              f"{before.status.value} 之后只能是：{allowed}",
                              f"illegal transition {before.status.value} → {entry.status.value}; "
                              f"from {before.status.value} the allowed next statuses are: {allowed}"))
        if issue.status is not timeline[-1].status:
            yield _at(src, ("status",),
                      _zh(f"status 是 {issue.status.value!r}，但办理进程最后一条是 "
                          f"{timeline[-1].status.value!r}",
                          f"status is {issue.status.value!r} but the timeline's last entry is "
                          f"{timeline[-1].status.value!r}"))
        expected = issue.submitted_from_id
        if expected is not None and expected != issue.submitted:
            yield _at(src, ("submitted",),
                      _zh(f"{issue.submitted} 与编号里的日期（{expected}）不一致",
                          f"{issue.submitted} differs from the date in the id ({expected})"))


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
                          _zh("已受理需要一份“四性”全部符合、未引用负面清单的筛选记录",
                              "accepted requires a screening with every criterion met and no "
                              "negative-list item cited"))
            elif council and set(screening.criteria) != set(council.criterion_names):
                missing = sorted(set(council.criterion_names) - set(screening.criteria))
                yield _at(src, ("screening", "criteria"),
                          _zh(f"筛选应判断每一项标准，缺少：{', '.join(missing)}",
                              f"screening must judge every criterion; missing: {', '.join(missing)}"))
        if Status.REJECTED in reached and (screening is None or not screening.failed):
            yield _at(src, ("screening",) if screening else ("status",),
                      _zh("未受理需要一份写明不符合的标准或负面清单条目的筛选记录",
                          "rejected requires a screening that cites a criterion not met or a "
                          "negative-list item"))
        if Status.MERGED in reached and issue.merged_into is None:
            yield _at(src, ("status",), _zh("已合并需要用 merged_into 写明并入的提案",
                                            "merged requires merged_into naming the issue it joined"))
        if issue.merged_into is not None:
            if issue.merged_into == issue.id:
                yield _at(src, ("merged_into",), _zh("提案不能并入自己",
                                                     "an issue cannot be merged into itself"))
            elif not repo.exists(issue.merged_into):
                yield _at(src, ("merged_into",), _zh(f"没有提案 {issue.merged_into!r}",
                                                     f"no issue {issue.merged_into!r} exists"))
        if Status.ESCALATED in reached and issue.escalated_to is None:
            yield _at(src, ("status",), _zh("已提级需要 escalated_to（层级和承接单位）",
                                            "escalated requires escalated_to (level and body)"))
        if Status.IN_PROGRESS in reached:
            decision = repo.decision(issue.id)
            if not issue.actions and not (decision and decision.item.actions):
                yield _at(src, ("timeline", reached[Status.IN_PROGRESS], "status"),
                          _zh("实施中需要至少一项落实事项（在提案或决议里）",
                              "in_progress requires at least one action (here or in the decision)"))
        if Status.DONE in reached and not issue.outcome:
            yield _at(src, ("timeline", reached[Status.DONE], "status"),
                      _zh("已办结需要 outcome：办成了什么",
                          "done requires an outcome: what was achieved"))
        if Status.WITHDRAWN in reached and not issue.timeline[reached[Status.WITHDRAWN]].note:
            yield _at(src, ("timeline", reached[Status.WITHDRAWN], "note"),
                      _zh("已撤回需要备注：谁撤回、为什么",
                          "withdrawn requires a note saying who withdrew it and why"))
        for other in issue.related:
            if not repo.exists(other):
                yield _at(src, ("related", issue.related.index(other)),
                          _zh(f"没有提案 {other!r}", f"no issue {other!r} exists"))


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
                              _zh(f"{entry.status.value} 需要写明议事会（meeting: <编号>）",
                                  f"{entry.status.value} must name the meeting (meeting: <id>)"))
                continue
            found = repo.meetings.get(entry.meeting)
            if found is None:
                if entry.meeting in repo.broken:
                    continue
                yield _at(src, ("timeline", i, "meeting"),
                          _zh(f"没有议事会 {entry.meeting!r}", f"no meeting {entry.meeting!r} exists"))
                continue
            item = found.record.item_for(issue.id)
            if item is None:
                yield _at(src, ("timeline", i, "meeting"),
                          _zh(f"议事会 {entry.meeting} 的议程里没有 {issue.id}",
                              f"meeting {entry.meeting} has no agenda item for {issue.id}"))
                continue
            outcome = item.outcome.value if item.outcome else None
            expected = OUTCOME_STATUS.get(outcome) if outcome else None
            if entry.status in OUTCOME_STATUS.values() and expected is not entry.status:
                said = repr(outcome) if outcome else "not recorded yet"
                said_zh = repr(outcome) if outcome else "尚未记录"
                yield _at(src, ("timeline", i, "status"),
                          _zh(f"{entry.status.value} 与议事会 {found.record.id} 不一致，"
                              f"那里的议程结果是 {said_zh}",
                              f"{entry.status.value} disagrees with meeting {found.record.id}, "
                              f"whose agenda item outcome is {said}"))
            held = found.record.date
            if entry.date < held and entry.status is not Status.SCHEDULED:
                yield _at(src, ("timeline", i, "date"),
                          _zh(f"{entry.date} 早于议事会 {found.record.id}（{held}）",
                              f"{entry.date} is before meeting {found.record.id} ({held})"))
    for loaded_meeting in repo.meetings.values():
        meeting, msrc = loaded_meeting.record, loaded_meeting.source
        for i, item in enumerate(meeting.agenda):
            target = repo.issues.get(item.issue)
            if target is None:
                if item.issue in repo.broken:
                    continue
                yield _at(msrc, ("agenda", i, "issue"),
                          _zh(f"没有提案 {item.issue!r}", f"no issue {item.issue!r} exists"))
                continue
            if item.outcome is None:  # not yet discussed
                continue
            status = OUTCOME_STATUS.get(item.outcome.value)
            if status is None:
                continue
            recorded = any(e.meeting == meeting.id and e.status is status for e in target.record.timeline)
            if not recorded:
                yield Problem(target.path, target.source.line_of(("status",)), "status",
                              _zh(f"议事会 {meeting.id} 对本提案的结果是 {item.outcome.value!r}，"
                                  f"但办理进程里没有写明该议事会的 {status.value!r}",
                                  f"meeting {meeting.id} recorded outcome {item.outcome.value!r} for "
                                  f"this issue, but its timeline has no {status.value!r} entry "
                                  f"naming that meeting"))


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
                          _zh(f"赞成、反对、弃权、缺席共 {total}，超过应到 {vote.eligible}",
                              f"for {vote.yes} + against {vote.no} + abstain {vote.abstain} + "
                              f"absent {vote.absent} = {total} exceeds the {vote.eligible} eligible"))
            expected = "pass" if vote.passed else "fail"
            if vote.result is not None and vote.result != expected:
                yield _at(src, (*loc, "result"),
                          _zh(f"表决结果 {vote.result!r} 与票数和通过比例不符，应为 {expected!r}",
                              f"result {vote.result!r} disagrees with the counts and threshold "
                              f"({vote.yes} for, threshold {vote.threshold:g} of {vote.basis}): "
                              f"expected {expected!r}"))
            if vote.votes:
                counted = {o: sum(1 for v in vote.votes if v.option == o)
                           for o in ("yes", "no", "abstain", "absent")}
                stated = {"yes": vote.yes, "no": vote.no, "abstain": vote.abstain, "absent": vote.absent}
                if counted != stated:
                    yield _at(src, (*loc, "votes"),
                              _zh(f"逐人表决的计数 {counted} 与合计 {stated} 不符",
                                  f"the individual votes count {counted} but the totals say {stated}"))
            if item.outcome is Outcome.DECIDED and not vote.passed:
                yield _at(src, ("agenda", i, "outcome"),
                          _zh("记为形成决议，但表决没有达到通过比例",
                              "decided, but the vote did not reach its threshold"))


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
                          _zh(f"含有{PERSONAL_DATA_ZH.get(finding.kind, '个人信息')}（{finding.masked}），"
                              "联系方式不能写进公开记录",
                              f"contains {finding.description} ({finding.masked}); "
                              "contact details never go in a public record"))


def _front_matter_findings(loaded: LoadedIssue | LoadedMeeting) -> Iterator[Problem]:
    """Personal data in the record's values, each at its field's line."""
    src = loaded.source
    data = loaded.record.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for loc, text in _strings(data, ()):
        for finding in find_personal_data(text):
            yield _at(src, loc, _zh(f"含有{PERSONAL_DATA_ZH.get(finding.kind, '个人信息')}（{finding.masked}），"
                              "联系方式不能写进公开记录",
                                    f"contains {finding.description} ({finding.masked}); "
                                    "contact details never go in a public record"))


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
                          _zh(f"不允许使用 HTML {match.group()[:40]!r}，记录只能用 markdown",
                              f"raw HTML {match.group()[:40]!r} is not allowed; records are "
                              "markdown only"))


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
