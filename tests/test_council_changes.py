"""Council change sets through the local forge: one branch, one commit by the moderator who
asked, never written over a newer record, approved only by a second moderator."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from intake_support import git, make_records_repo
from yishi.forges.base import BaseChanged, Proposal, ProposalKind, ProposalState
from yishi.forges.changes import (
    ChangeConflict,
    FourEyesRefused,
    approve_change,
    as_proposal,
    change_summary,
    decline_change,
    main_records,
    read_change,
    submit_change,
)
from yishi.forges.local import LocalForge
from yishi.git_records import load_repository_at
from yishi.loading import Repository
from yishi.operations.changeset import ChangeSet, OperationRefused, git_blob_id

ISSUE = "2026-1118-cd9p"  # received, in the project's demo records
PATH = f"content/issues/{ISSUE}.md"


def replace_change(repo: Repository, old: str, new: str, by: str,
                   on: dt.date = dt.date(2026, 11, 20)) -> ChangeSet:
    """A change set that replaces one line of the issue, made the way operations are:
    from the records as loaded, with the blob it read as its base."""
    text = repo.issues[ISSUE].source.text
    if old not in text:
        raise OperationRefused("status", f"记录中没有「{old}」 the record has no {old!r}")
    return ChangeSet(
        operation="screen", subject=ISSUE, by=by, on=on,
        summary=f"受理提案 {ISSUE}", files={PATH: text.replace(old, new, 1).encode()},
        base={PATH: git_blob_id(text.encode())}, params={"old": old, "new": new},
    )


def rerun(repo: Repository, change: ChangeSet) -> ChangeSet:
    """The same replacement on newer records (what ``yishi.operations.rerun`` does)."""
    return replace_change(repo, change.params["old"], change.params["new"], change.by, change.on)


def body(change: ChangeSet) -> str:
    return f"## {change.summary}"


@pytest.fixture
def records(tmp_path: Path) -> Path:
    return make_records_repo(tmp_path / "records", full=True)


def open_change(forge: LocalForge, change: ChangeSet) -> str:
    submitted = submit_change(forge, change, body, records_on_main=main_records(forge),
                              rerun=rerun)
    return submitted.change.id


def commit_as(records: Path, name: str, message: str) -> None:
    """Commit the working tree's edits on main as moderator ``name``, by hand."""
    env = {**os.environ, "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": "m@example.org",
           "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": "m@example.org"}
    subprocess.run(["git", "-C", str(records), "commit", "-qam", message], check=True, env=env)


def main_file(records: Path) -> str:
    return git(records, "show", f"main:{PATH}")


def test_a_change_is_one_branch_one_commit_by_the_moderator(records: Path) -> None:
    forge = LocalForge(records)
    head = git(records, "rev-parse", "main").strip()
    repo = load_repository_at(records, "main")
    change = replace_change(repo, "\nstatus: received\n", "\nstatus: accepted\n", by="王主持")
    (records / "notes.txt").write_text("uncommitted work\n")  # must survive untouched
    git(records, "add", "notes.txt")
    change_id = open_change(forge, change)
    assert change_id == change.id
    branch = f"change/{change.id}"
    assert git(records, "branch", "--list", "change/*").split() == [branch]
    assert git(records, "rev-list", "--count", f"main..{branch}").strip() == "1"
    assert git(records, "rev-parse", "main").strip() == head  # main untouched until approval
    assert git(records, "status", "--porcelain").splitlines() == ["A  notes.txt"]
    assert "status: received" in (records / PATH).read_text()
    author, committer, message = git(
        records, "log", "-1", "--format=%an%x1f%cn%x1f%B", branch).split("\x1f")
    assert author == "王主持" and committer == "Yishi council"
    assert "Requested-by: 王主持" in message and message.startswith(f"受理提案 {ISSUE}")
    assert git(records, "show", f"{branch}:{PATH}").count("status: accepted") == 1
    # A retry (or a crash after the ref) finds the branch: still one branch, one commit.
    assert open_change(forge, change) == change.id
    assert git(records, "branch", "--list", "change/*").split() == [branch]
    # The branch carries the change set itself: rebuilt from git alone, the same id.
    assert read_change(forge, change.id).id == change.id
    summary = change_summary(change, records, "main")
    assert "状态变化 status changes **1**" in summary and ISSUE in summary


def test_opening_refuses_a_base_main_moved_past(records: Path) -> None:
    forge = LocalForge(records)
    repo = load_repository_at(records, "main")
    change = replace_change(repo, "\nstatus: received\n", "\nstatus: accepted\n", by="王主持")
    text = (records / PATH).read_text().replace("status: received", "status: withdrawn", 1)
    (records / PATH).write_text(text)
    commit_as(records, "李委员", "撤回提案")
    with pytest.raises(BaseChanged) as moved:
        forge.open_proposal(_proposal(change))
    assert moved.value.newer[0].author == "李委员" and "撤回提案" in str(moved.value)
    # Through the change layer the operation is run again on main, and refused there.
    with pytest.raises(ChangeConflict) as conflict:
        open_change(forge, change)
    assert "李委员" in str(conflict.value) and str(conflict.value).startswith("无法应用变更")
    assert git(records, "branch", "--list", "change/*") == ""


def _proposal(change: ChangeSet) -> Proposal:
    return as_proposal(change, body(change))


def test_four_eyes_then_approval_merges_and_is_remembered(records: Path) -> None:
    forge = LocalForge(records)
    change = replace_change(load_repository_at(records, "main"), "\nstatus: received\n",
                            "\nstatus: accepted\n", by="王主持")
    change_id = open_change(forge, change)
    for who in ("王主持", " 王主持 ", ""):
        with pytest.raises(FourEyesRefused) as refused:
            approve_change(forge, change_id, by=who, rerun=rerun)
        assert str(refused.value)[0] in "四批"  # Chinese first
    assert forge.find_proposal(change_id, ProposalKind.CHANGE).state is ProposalState.OPEN  # type: ignore[union-attr]
    approved = approve_change(forge, change_id, by="李委员", rerun=rerun)
    assert not approved.rerun and not approved.already_done
    assert "status: accepted" in main_file(records)
    assert "status: accepted" in (records / PATH).read_text()  # main is checked out: updated
    merge_author = git(records, "log", "-1", "--format=%an", "main").strip()
    assert merge_author == "李委员"
    assert forge.find_proposal(change_id, ProposalKind.CHANGE).state is ProposalState.MERGED  # type: ignore[union-attr]
    assert git(records, "branch", "--list", "change/*") == ""
    # Opening the same change again reports it done rather than making a second branch.
    assert forge.open_proposal(_proposal(change)).state is ProposalState.MERGED


def test_two_moderators_same_step_second_is_done_or_refused(records: Path) -> None:
    forge = LocalForge(records)
    main = load_repository_at(records, "main")
    first = open_change(forge, replace_change(main, "\nstatus: received\n", "\nstatus: accepted\n",
                                              by="王主持"))
    same = open_change(forge, replace_change(main, "\nstatus: received\n", "\nstatus: accepted\n",
                                             by="赵委员"))
    other = open_change(forge, replace_change(main, "\nstatus: received\n", "\nstatus: rejected\n",
                                              by="钱委员"))
    assert len({first, same, other}) == 3
    approve_change(forge, first, by="李委员", rerun=rerun)
    accepted = main_file(records)
    # The identical step: main already holds exactly that, so it is set aside as done.
    done = approve_change(forge, same, by="李委员", rerun=rerun)
    assert done.already_done and main_file(records) == accepted
    assert forge.find_proposal(same, ProposalKind.CHANGE).state is ProposalState.CLOSED  # type: ignore[union-attr]
    # The contrary step: re-run on main is refused, naming who changed the record.
    with pytest.raises(ChangeConflict) as conflict:
        approve_change(forge, other, by="李委员", rerun=rerun)
    message = str(conflict.value)
    assert "王主持" in message and PATH in message and "受理提案" in message
    assert main_file(records) == accepted  # never overwritten
    assert forge.find_proposal(other, ProposalKind.CHANGE).state is ProposalState.OPEN  # type: ignore[union-attr]
    decline_change(forge, other)
    assert [c.issue_id for c in forge.open_proposals(ProposalKind.CHANGE)] == []


def test_a_change_whose_file_changed_elsewhere_is_rerun_and_applied(records: Path) -> None:
    forge = LocalForge(records)
    change_id = open_change(forge, replace_change(
        load_repository_at(records, "main"), "\nstatus: received\n", "\nstatus: accepted\n", by="王主持"))
    text = (records / PATH).read_text()
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    (records / PATH).write_text(text.replace(title_line, title_line + "（已核实）", 1))
    commit_as(records, "李委员", "核实标题")
    approved = approve_change(forge, change_id, by="孙委员", rerun=rerun)
    assert approved.rerun
    final = main_file(records)
    assert "（已核实）" in final and "status: accepted" in final
    assert "\nstatus: received\n" not in final
    # The re-run commit is still the requester's.
    assert git(records, "log", "-1", "--no-merges", "--format=%an", "main", "--", PATH).strip() == "王主持"


def test_records_on_main_ignore_the_working_tree(records: Path) -> None:
    (records / PATH).write_text((records / PATH).read_text().replace(
        "\nstatus: received\n", "\nstatus: accepted\n", 1))
    assert load_repository_at(records, "main").issues[ISSUE].record.status.value == "received"
    assert load_repository_at(records, "main").problems == []
