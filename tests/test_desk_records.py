"""The desk's records: loaded from the main branch once, reloaded by changed file; 待办."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from intake_support import git, make_records_repo
from yishi.desk.snapshot import LiveRecords
from yishi.desk.todo import Todo, refreshed, todo
from yishi.loading import load_repository
from yishi.problems import Problem

RECEIVED = "content/issues/2026-1118-cd9p.md"


def test_records_come_from_the_branch_and_reload_only_what_changed(tmp_path: Path) -> None:
    root = make_records_repo(tmp_path / "records", full=True)
    live = LiveRecords(root, "main")
    first = live.current()
    assert live.last_reload == "full"
    on_disk = load_repository(root)
    assert first.repo.issues.keys() == on_disk.issues.keys()
    assert first.repo.meetings.keys() == on_disk.meetings.keys()
    assert live.current() is first  # the branch did not move: the same snapshot

    # An uncommitted edit in the working tree is not the record.
    path = root / RECEIVED
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: 改 ", 1),
                    encoding="utf-8")
    assert live.current() is first
    git(root, "commit", "-qam", "Edit one title")
    second = live.current()
    assert live.last_reload == "incremental" and second.commit != first.commit
    assert second.repo.issues["2026-1118-cd9p"].record.title.startswith("改 ")
    # Unchanged records are the very objects already loaded, not read again.
    other = next(k for k in first.repo.issues if k != "2026-1118-cd9p")
    assert second.repo.issues[other] is first.repo.issues[other]

    git(root, "rm", "-q", RECEIVED)
    git(root, "commit", "-qm", "Remove it")
    assert "2026-1118-cd9p" not in live.current().repo.issues


def test_todo_lists_late_proposals_first_against_the_councils_limit(tmp_path: Path) -> None:
    root = make_records_repo(tmp_path / "records", full=True)
    repo = LiveRecords(root).current().repo
    received = repo.issues["2026-1118-cd9p"].record
    lists = todo(repo, date(2026, 11, 30))
    (waiting,) = lists.screening
    assert waiting.issue.id == received.id
    assert waiting.days == (date(2026, 11, 30) - received.submitted).days
    assert waiting.limit == repo.require_council().metrics.screening_days
    late = todo(repo, received.submitted.replace(year=received.submitted.year + 1)).screening[0]
    assert late.late and late.days > late.limit
    assert {i.status.value for i in lists.to_schedule} <= {"accepted", "deferred"}
    assert len(lists.to_schedule) == 2
    done_without = [i for i in lists.without_feedback]
    assert all(i.status.value == "done" and i.feedback is None for i in done_without)


def _ids(lists: Todo) -> list[list[str]]:
    return [[f"{a.issue.id}:{a.days}" for a in lists.screening], [i.id for i in lists.to_schedule],
            [m.id for m in lists.planned], [m.id for m in lists.unrecorded],
            [f"{a.issue.id}#{a.number}:{a.overdue_days}" for a in lists.actions],
            [i.id for i in lists.without_feedback]]


def test_todo_after_a_commit_is_refreshed_for_the_affected_issues_only(tmp_path: Path) -> None:
    root = make_records_repo(tmp_path / "records", full=True)
    live = LiveRecords(root)
    day = date(2026, 11, 30)
    first = live.current()
    before = todo(first.repo, day)
    # A meeting's agenda item changes (its issue's actions with it) and one issue is done.
    meeting = next(p for p in (root / "content" / "meetings").glob("*.md")
                   if "due: 20" in p.read_text(encoding="utf-8"))
    meeting.write_text(meeting.read_text(encoding="utf-8").replace("due: 20", "due: 19", 1),
                       encoding="utf-8")
    issue = root / "content" / "issues" / "2026-1118-cd9p.md"
    issue.write_text(issue.read_text(encoding="utf-8").replace("2026-11-18", "2026-10-18"),
                     encoding="utf-8")
    git(root, "commit", "-qam", "Two records change")
    second = live.current()
    assert second.affected is not None and "2026-1118-cd9p" in second.affected
    assert len(second.affected) < len(second.repo.issues)
    assert _ids(refreshed(before, second.repo, day, second.affected)) == _ids(
        todo(second.repo, day))
    assert _ids(todo(second.repo, day)) != _ids(before)


def _record_named(root: Path, record_id: str, file_stem: str) -> None:
    """A copy of the received proposal with ``record_id`` in ``content/issues/<file_stem>.md``."""
    text = (root / RECEIVED).read_text(encoding="utf-8").replace("2026-1118-cd9p", record_id)
    (root / f"content/issues/{file_stem}.md").write_text(text, encoding="utf-8")


def _id_problems(problems: list[Problem]) -> set[tuple[str, int, str, str]]:
    """The problems of the files these tests break (and of the record they duplicate)."""
    return {(p.path, p.line, p.field, p.message) for p in problems
            if any(name in p.path for name in ("zz", "latn", "aaaa", "0231", "cd9p"))}


def test_a_broken_record_reads_as_yishi_check_reports_it(tmp_path: Path) -> None:
    root = make_records_repo(tmp_path / "records", full=True)
    live = LiveRecords(root, "main")
    live.current()
    # Committed after the first load: the incremental reload reads them.
    _record_named(root, "2026-1118-zzzy", "2026-1118-zzzz")
    (root / "content/issues/2026-1118-latn.md").write_bytes("标题".encode("gb18030"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "A record under another id's name, one in the wrong encoding")

    expected = _id_problems(load_repository(root).problems)
    assert len(expected) == 2 and any("不一致" in p[3] and p[1] > 1 for p in expected)
    incremental = live.current()
    assert live.last_reload == "incremental"
    assert _id_problems(incremental.repo.problems) == expected
    assert "2026-1118-latn" in incremental.repo.broken
    assert _id_problems(LiveRecords(root, "main").current().repo.problems) == expected  # full


def test_duplicate_ids_and_impossible_dates_read_as_yishi_check_reports_them(
        tmp_path: Path) -> None:
    root = make_records_repo(tmp_path / "records", full=True)
    live = LiveRecords(root, "main")
    live.current()
    # An id no calendar has; the received proposal's id again in a file sorted after it,
    # and in one sorted before it (so the unchanged original becomes the duplicate).
    _record_named(root, "2026-0231-abcd", "2026-0231-abcd")
    _record_named(root, "2026-1118-cd9p", "2026-1118-zzzx")
    _record_named(root, "2026-1118-cd9p", "2026-1118-aaaa")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "An impossible date, one id in three files")

    expected = _id_problems(load_repository(root).problems)
    messages = sorted(p[0] + " " + p[3] for p in expected)
    assert any("0231-abcd.md" in m and "impossible date" in m for m in messages)
    assert any("cd9p.md" in m and "重复" in m and "aaaa.md" in m for m in messages)
    assert any("zzzx.md" in m and "重复" in m for m in messages)
    assert _id_problems(live.current().repo.problems) == expected
    assert live.last_reload == "incremental"
    assert _id_problems(LiveRecords(root, "main").current().repo.problems) == expected  # full

    # Removing the earlier copy makes the original the first again, in both reloads.
    git(root, "rm", "-q", "content/issues/2026-1118-aaaa.md")
    git(root, "commit", "-qm", "The earlier copy removed")
    expected = _id_problems(load_repository(root).problems)
    assert not any("cd9p.md" in p[0] for p in expected) and any("zzzx" in p[0] for p in expected)
    assert _id_problems(live.current().repo.problems) == expected
    assert live.last_reload == "incremental"
    assert _id_problems(LiveRecords(root, "main").current().repo.problems) == expected


def test_a_broken_council_reads_as_yishi_check_reports_it(tmp_path: Path) -> None:
    root = make_records_repo(tmp_path / "records")
    council = root / "content/council.yml"
    council.write_text(council.read_text(encoding="utf-8") + "\nname: [\n", encoding="utf-8")
    git(root, "commit", "-qam", "A council file git accepts and YAML does not")

    def found(problems: list[Problem]) -> list[str]:
        # The first line: YAML's own detail names its input (bytes from git, text on disk).
        return [p.message.splitlines()[0] for p in problems if p.field == "(council)"]

    expected = found(load_repository(root).problems)
    assert expected and expected[0].startswith("content/council.yml:") and "invalid YAML" in expected[0]
    snapshot = LiveRecords(root, "main").current()
    assert snapshot.repo.council is None and found(snapshot.repo.problems) == expected
