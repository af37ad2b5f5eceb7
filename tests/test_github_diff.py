"""``yishi diff`` on a real git repository whose commits add, change and delete records."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from yishi.cli import main
from yishi.diff import GitError, compare, render

PROJECT = Path(__file__).resolve().parents[1]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def write_record(repo: Path, folder: str, data: dict[str, Any], body: str) -> None:
    path = repo / "content" / folder / f"{data['id']}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(f"---\n{front}---\n{body}\n", encoding="utf-8")


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def issue(record_id: str, title: str, timeline: list[tuple[str, str, str | None]],
          **extra: Any) -> dict[str, Any]:
    entries = []
    for day, status, meeting in timeline:
        entry: dict[str, Any] = {"date": day, "status": status}
        if meeting:
            entry["meeting"] = meeting
        entries.append(entry)
    return {
        "id": record_id, "title": title, "community": "shengye", "category": "parking",
        "submitted": timeline[0][0], "channel": "web", "status": timeline[-1][1],
        "timeline": entries, **extra,
    }


def meeting(record_id: str, day: str, agenda: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": record_id, "title": f"{day} 议事会", "date": day, "level": "community",
        "community": "shengye", "place": "议事厅", "convener": "社区党委", "agenda": agenda,
    }


VOTE = {"for": 15, "against": 1, "abstain": 1, "eligible": 17, "result": "pass"}


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A records repository with one commit per kind of change; returns commit ids by name."""
    repo = tmp_path_factory.mktemp("records")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Moderator")
    git(repo, "config", "user.email", "moderator@example.org")
    (repo / "content").mkdir()
    shutil.copy(PROJECT / "content" / "council.yml", repo / "content" / "council.yml")
    parking = issue("2024-0301-park", "地库入口乱停车", [("2024-03-01", "received", None),
                                                 ("2024-03-05", "accepted", None)])
    lights = issue("2024-0302-lite", "路灯不亮 | 晚上看不见", [("2024-03-02", "received", None)])
    old = issue("2024-0101-oldd", "旧提案", [("2024-01-01", "received", None),
                                          ("2024-01-03", "accepted", None),
                                          ("2024-01-03", "scheduled", "2024-0110-mtg1"),
                                          ("2024-01-10", "decided", "2024-0110-mtg1")])
    for data in (parking, lights, old):
        write_record(repo, "issues", data, "原始描述。")
    first = meeting("2024-0110-mtg1", "2024-01-10", [
        {"issue": "2024-0101-oldd", "outcome": "decided", "decision": "加装护栏。", "vote": VOTE}])
    write_record(repo, "meetings", first, "会议纪要。")
    commits: dict[str, Any] = {"repo": repo, "base": commit(repo, "base records")}

    noise = issue("2024-0315-nois", "广场舞噪音 <script>alert(1)</script> @octocat",
                  [("2024-03-15", "received", None)], category="noise")
    write_record(repo, "issues", noise, "晚上十点后还有音乐。")
    commits["add_issue"] = commit(repo, "add an issue")

    parking["timeline"].append({"date": "2024-03-20", "status": "scheduled",
                                "meeting": "2024-0325-mtg2"})
    parking["status"] = "scheduled"
    write_record(repo, "issues", parking, "原始描述。")
    commits["status"] = commit(repo, "schedule the parking issue")

    parking["timeline"].append({"date": "2024-03-25", "status": "decided",
                                "meeting": "2024-0325-mtg2"})
    parking["status"] = "decided"
    write_record(repo, "issues", parking, "原始描述。")
    second = meeting("2024-0325-mtg2", "2024-03-25", [
        {"issue": "2024-0301-park", "outcome": "decided", "decision": "划定临时停车位。",
         "vote": VOTE}])
    write_record(repo, "meetings", second, "第二次会议纪要。")
    commits["meeting"] = commit(repo, "add a meeting that decides the parking issue")

    (repo / "content" / "issues" / "2024-0302-lite.md").unlink()
    commits["delete"] = commit(repo, "delete a record")

    first["agenda"][0]["vote"] = {**VOTE, "for": 9, "result": "fail"}
    first["agenda"][0]["decision"] = "加装护栏和隔离墩。"
    write_record(repo, "meetings", first, "会议纪要(修订)。")
    write_record(repo, "issues", noise, "晚上十点后还有音乐,周末更严重。")
    commits["edit"] = commit(repo, "edit a decision and a description")
    return commits


def test_new_issue_is_listed_with_id_title_and_community(history: dict[str, Any]) -> None:
    diff = compare(history["repo"], history["base"], history["add_issue"])
    assert [(n.id, n.title, n.community, n.community_name, n.category_name, n.status)
            for n in diff.new_issues] == [
        ("2024-0315-nois", "广场舞噪音 <script>alert(1)</script> @octocat", "shengye",
         "盛业家园社区", "噪音", "received")]
    assert diff.counts() == {"new_issues": 1, "status_changes": 0, "new_meetings": 0,
                             "edited_decisions": 0, "deleted": 0, "edited": 0, "unreadable": 0}


def test_status_change_from_and_to(history: dict[str, Any]) -> None:
    diff = compare(history["repo"], history["add_issue"], history["status"])
    assert [(c.id, c.from_status, c.to_status) for c in diff.status_changes] == [
        ("2024-0301-park", "accepted", "scheduled")]
    # The appended timeline entry is the status change, not a separate edit.
    assert diff.edited == [] and diff.new_issues == []


def test_new_meeting_with_its_decision(history: dict[str, Any]) -> None:
    diff = compare(history["repo"], history["status"], history["meeting"])
    [new] = diff.new_meetings
    assert (new.id, new.date) == ("2024-0325-mtg2", "2024-03-25")
    [item] = new.items
    # The agenda item names the issue by id; the summary brings its title along.
    assert (item.issue, item.issue_title, item.outcome, item.decision) == (
        "2024-0301-park", "地库入口乱停车", "decided", "划定临时停车位。")
    assert item.vote is not None and (item.vote["for"], item.vote["against"]) == (15, 1)
    assert "赞成 15 · 反对 1 · 弃权 1 · 有表决权 17 · 通过 pass" in render(diff)
    assert [(c.id, c.from_status, c.to_status) for c in diff.status_changes] == [
        ("2024-0301-park", "scheduled", "decided")]


def test_deleted_record_is_flagged(history: dict[str, Any]) -> None:
    diff = compare(history["repo"], history["meeting"], history["delete"])
    assert [(d.kind, d.id, d.title) for d in diff.deleted] == [
        ("issue", "2024-0302-lite", "路灯不亮 | 晚上看不见")]
    markdown = render(diff)
    assert "### ⚠️ 删除的记录 Deleted records" in markdown
    assert "`2024-0302-lite` 路灯不亮 \\| 晚上看不见" in markdown


def test_edited_decision_and_other_edits(history: dict[str, Any]) -> None:
    diff = compare(history["repo"], history["delete"], history["edit"])
    [edit] = diff.edited_decisions
    assert (edit.meeting, edit.issue, edit.issue_title, edit.change, edit.fields) == (
        "2024-0110-mtg1", "2024-0101-oldd", "旧提案", "edited", ["decision", "vote"])
    assert edit.before and edit.after
    assert (edit.before.decision, edit.after.decision) == ("加装护栏。", "加装护栏和隔离墩。")
    assert [(e.kind, e.id, e.fields) for e in diff.edited] == [
        ("meeting", "2024-0110-mtg1", ["body"]), ("issue", "2024-0315-nois", ["body"])]


def test_whole_range_in_one_summary(history: dict[str, Any]) -> None:
    diff = compare(history["repo"], history["base"], history["edit"])
    data = diff.to_json()
    assert data["format"] == "yishi-diff/1"
    assert data["counts"] == {"new_issues": 1, "status_changes": 1, "new_meetings": 1,
                              "edited_decisions": 1, "deleted": 1, "edited": 1,
                              "unreadable": 0}
    assert data["status_changes"] == [{"id": "2024-0301-park", "title": "地库入口乱停车",
                                       "path": "content/issues/2024-0301-park.md",
                                       "from": "accepted", "to": "decided"}]
    # The new issue's later body edit is part of it being new, not a separate edit.
    assert [e["id"] for e in data["edited"]] == ["2024-0110-mtg1"]


def test_markdown_escapes_record_text(history: dict[str, Any]) -> None:
    markdown = render(compare(history["repo"], history["base"], history["add_issue"]))
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown
    assert "@octocat" not in markdown  # no GitHub notification from a title
    assert "| `2024-0315-nois` |" in markdown
    assert "盛业家园社区" in markdown and "已收到 `received`" in markdown


def test_rewritten_timeline_is_flagged(tmp_path: Path, history: dict[str, Any]) -> None:
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(history["repo"]), str(repo))
    git(repo, "config", "user.name", "Moderator")
    git(repo, "config", "user.email", "moderator@example.org")
    path = repo / "content" / "issues" / "2024-0301-park.md"
    path.write_text(path.read_text(encoding="utf-8").replace("2024-03-05", "2024-03-04"),
                    encoding="utf-8")
    head = commit(repo, "rewrite history")
    [edited] = compare(repo, "HEAD~1", head).edited
    assert edited.fields == ["timeline"] and edited.rewrites_history
    assert "timeline rewritten" in render(compare(repo, "HEAD~1", head))


def test_unreadable_record_at_head(tmp_path: Path, history: dict[str, Any]) -> None:
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(history["repo"]), str(repo))
    git(repo, "config", "user.name", "Moderator")
    git(repo, "config", "user.email", "moderator@example.org")
    path = repo / "content" / "issues" / "2024-0301-park.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: decided",
                                                             "status: opne"), encoding="utf-8")
    head = commit(repo, "break a record")
    diff = compare(repo, "HEAD~1", head)
    [bad] = diff.unreadable
    assert bad.path == "content/issues/2024-0301-park.md"
    assert any("status" in problem and "opne" in problem for problem in bad.problems)
    assert diff.status_changes == []


def test_no_record_change(history: dict[str, Any]) -> None:
    diff = compare(history["repo"], history["edit"], history["edit"])
    assert diff.is_empty
    assert "does not touch the public record" in render(diff)


def test_cli_json_and_markdown(history: dict[str, Any]) -> None:
    runner = CliRunner()
    args = ["diff", history["base"], history["edit"], "--root", str(history["repo"])]
    result = runner.invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["base"] == history["base"] and data["head"] == history["edit"]
    assert [m["id"] for m in data["new_meetings"]] == ["2024-0325-mtg2"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0
    assert result.output.startswith("## 记录变更 Record changes")
    assert "### 新议事会 New meetings" in result.output


def test_cli_merge_base(tmp_path: Path, history: dict[str, Any]) -> None:
    """With --merge-base, commits on the base branch after the fork are not the PR's."""
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(history["repo"]), str(repo))
    git(repo, "config", "user.name", "Moderator")
    git(repo, "config", "user.email", "moderator@example.org")
    git(repo, "checkout", "-q", "-b", "proposal", history["delete"])
    data = issue("2024-0401-newp", "新提案", [("2024-04-01", "received", None)])
    write_record(repo, "issues", data, "描述。")
    commit(repo, "proposal")
    result = CliRunner().invoke(main, ["diff", "main", "HEAD", "--merge-base", "--format", "json",
                                       "--root", str(repo)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [n["id"] for n in out["new_issues"]] == ["2024-0401-newp"]
    assert out["edited_decisions"] == [] and out["edited"] == []


def test_unknown_revision_is_a_plain_error(history: dict[str, Any]) -> None:
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        compare(history["repo"], "nope", "HEAD")
    result = CliRunner().invoke(main, ["diff", "nope", "--root", str(history["repo"])])
    assert result.exit_code == 2
    assert "unknown revision 'nope'" in result.output
    assert "Traceback" not in result.output


def test_upcoming_meeting_items_are_pending(tmp_path: Path, history: dict[str, Any]) -> None:
    repo = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(history["repo"]), str(repo))
    git(repo, "config", "user.name", "Moderator")
    git(repo, "config", "user.email", "moderator@example.org")
    write_record(repo, "meetings", meeting("2024-0501-next", "2024-05-01",
                                           [{"issue": "2024-0315-nois"}]), "")
    head = commit(repo, "announce a meeting")
    diff = compare(repo, "HEAD~1", head)
    [item] = diff.new_meetings[0].items
    assert (item.issue_title, item.outcome, item.decision) == (
        "广场舞噪音 <script>alert(1)</script> @octocat", None, None)
    assert "| 待议 pending | — | — |" in render(diff)
