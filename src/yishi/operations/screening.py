"""Screening (筛选): accept, reject, merge into another proposal, or withdraw.

Accepting records all four criteria as met (the checks require every criterion of the
council); rejecting records the criteria not met and/or the negative-list item, with a
reason residents can read. Merging links both proposals; withdrawing needs who and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ..lifecycle import Status, is_closed
from ..loading import Repository
from .changeset import ChangeSet
from .common import (
    ISSUE_ORDER,
    council_of,
    edit_issue,
    find_issue,
    issue_for_step,
    nearest,
    one_line,
    public_text,
    refuse,
    seal,
)


def screen_accept(
    repo: Repository, issue_id: str, *, by: str, on: dt.date,
    encouraged: int | None = None, note: str = "",
) -> ChangeSet:
    """Accept a proposal: every criterion met, optionally citing an encouraged-list item."""
    council = council_of(repo)
    loaded = issue_for_step(repo, issue_id, Status.ACCEPTED, "受理", on)
    issue = loaded.record
    numbers = [item.number for item in council.encouraged]
    if encouraged is not None and encouraged not in numbers:
        raise refuse("encouraged", f"鼓励清单没有第 {encouraged} 项"
                                   f"{nearest(str(encouraged), [str(n) for n in numbers])}")
    text = public_text("note", note, required=False)
    screening: dict[str, Any] = {
        "date": on,
        "criteria": dict.fromkeys(council.criterion_names, True),
    }
    if encouraged is not None:
        screening["encouraged_item"] = encouraged
    if text:
        screening["note"] = text
    record = edit_issue(loaded)
    _write_screening(record, screening)
    record.set("status", Status.ACCEPTED.value)
    record.append("timeline", {"date": on, "status": Status.ACCEPTED.value}, flow=True)
    return seal(repo, operation="screen", subject=issue.id, by=by, on=on,
                summary=f"受理提案 {issue.id}「{one_line(issue.title)}」",
                edits={loaded.path: (record, loaded.source.text)},
                params={"op": "screen_accept", "issue_id": issue.id, "encouraged": encouraged,
                        "note": text})


def screen_reject(
    repo: Repository, issue_id: str, *, by: str, on: dt.date, reason: str,
    failed: Sequence[str] = (), negative: int | None = None,
) -> ChangeSet:
    """Reject a proposal: the criteria it fails and/or the negative-list item, and why."""
    council = council_of(repo)
    loaded = issue_for_step(repo, issue_id, Status.REJECTED, "不予受理", on)
    issue = loaded.record
    text = public_text("reason", reason, required=True)
    failed_set: list[str] = []
    for slug in failed:
        if slug not in council.criterion_names:
            raise refuse("failed", f"没有“{slug}”这条筛选标准{nearest(slug, council.criterion_names)}")
        if slug not in failed_set:
            failed_set.append(slug)
    if negative is not None and negative not in council.negative_items:
        raise refuse("negative", f"负面清单没有第 {negative} 项"
                                 f"{nearest(str(negative), [str(n) for n in council.negative_items])}")
    if not failed_set and negative is None:
        raise refuse("failed", "不予受理须写明不满足的标准（failed）或负面清单编号（negative）")
    screening: dict[str, Any] = {
        "date": on,
        "criteria": {slug: slug not in failed_set for slug in council.criterion_names},
    }
    if negative is not None:
        screening["negative_item"] = negative
    screening["note"] = text
    grounds = []
    if failed_set:
        grounds.append("不符合" + "、".join(council.criterion_names[s] for s in failed_set))
    if negative is not None:
        grounds.append(f"负面清单第 {negative} 项")
    record = edit_issue(loaded)
    _write_screening(record, screening)
    record.set("status", Status.REJECTED.value)
    record.append("timeline", {"date": on, "status": Status.REJECTED.value,
                               "note": "；".join(grounds)}, flow=True)
    return seal(repo, operation="screen", subject=issue.id, by=by, on=on,
                summary=f"不予受理提案 {issue.id}「{one_line(issue.title)}」",
                edits={loaded.path: (record, loaded.source.text)},
                params={"op": "screen_reject", "issue_id": issue.id, "reason": text,
                        "failed": failed_set, "negative": negative})


def screen_merge(repo: Repository, issue_id: str, *, by: str, on: dt.date, into: str) -> ChangeSet:
    """Merge a proposal into another that asks the same: ``merged_into`` here, ``related`` on both."""
    loaded = issue_for_step(repo, issue_id, Status.MERGED, "合并", on)
    issue = loaded.record
    if into == issue.id:
        raise refuse("into", "提案不能合并到它自己")
    target_loaded = find_issue(repo, into, field="into")
    target = target_loaded.record
    if is_closed(target.status) and target.status is not Status.DONE:
        raise refuse("into", f"提案 {target.id} 已是“{target.status.value}”，不能再并入其他提案")
    record = edit_issue(loaded)
    record.set("status", Status.MERGED.value)
    record.set("merged_into", target.id, order=ISSUE_ORDER)
    record.append("timeline", {"date": on, "status": Status.MERGED.value,
                               "note": f"并入 {target.id}「{one_line(target.title)}」一并办理"},
                  flow=True)
    if target.id not in issue.related:
        record.append("related", target.id, order=ISSUE_ORDER, flow=True)
    edits = {loaded.path: (record, loaded.source.text)}
    if issue.id not in target.related:
        other = edit_issue(target_loaded)
        other.append("related", issue.id, order=ISSUE_ORDER, flow=True)
        edits[target_loaded.path] = (other, target_loaded.source.text)
    return seal(repo, operation="merge", subject=issue.id, by=by, on=on,
                summary=f"合并提案 {issue.id}「{one_line(issue.title)}」到 {target.id}",
                edits=edits, params={"op": "screen_merge", "issue_id": issue.id, "into": target.id})


def screen_withdraw(repo: Repository, issue_id: str, *, by: str, on: dt.date, reason: str) -> ChangeSet:
    """Withdraw a proposal at the proposer's request; the note says who withdrew it and why."""
    loaded = issue_for_step(repo, issue_id, Status.WITHDRAWN, "撤回", on)
    issue = loaded.record
    text = public_text("reason", reason, required=True, limit=200)
    record = edit_issue(loaded)
    record.set("status", Status.WITHDRAWN.value)
    record.append("timeline", {"date": on, "status": Status.WITHDRAWN.value, "note": text}, flow=True)
    return seal(repo, operation="withdraw", subject=issue.id, by=by, on=on,
                summary=f"撤回提案 {issue.id}「{one_line(issue.title)}」",
                edits={loaded.path: (record, loaded.source.text)},
                params={"op": "screen_withdraw", "issue_id": issue.id, "reason": text})


def _write_screening(record: Any, screening: dict[str, Any]) -> None:
    """The screening block in block style, its criteria on one line as records write them."""
    record.set("screening", screening, order=ISSUE_ORDER)
    record.data["screening"]["criteria"].fa.set_flow_style()
