"""`yishi issue-form submit`: an accepted issue becomes a proposal pull request, over real
HTTP against the local GitHub stand-in (extended here with the issue endpoints it needs)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from yishi.cli import main
from yishi.issue_form.fields import FIELDS
from yishi.testing.github_standin import GithubStandin, Route

PROJECT = Path(__file__).resolve().parents[1]
REPO = "council/records"


class IssueStandin(GithubStandin):
    """The stand-in plus collaborator permissions and issue comments, shaped like GitHub's."""

    def __init__(self, **kwargs: Any) -> None:
        self.permissions: dict[str, str] = {}
        self.comments: dict[int, list[str]] = {}
        super().__init__(**kwargs)

    def _make_routes(self) -> list[Route]:
        extra: list[Route] = [
            ("GET", re.compile(r"/collaborators/(?P<login>[^/]+)/permission"), self._permission),
            ("GET", re.compile(r"/issues/(?P<number>\d+)/comments"), self._list_comments),
            ("POST", re.compile(r"/issues/(?P<number>\d+)/comments"), self._add_comment),
        ]
        return [*extra, *super()._make_routes()]

    def _permission(self, data: Any, query: dict[str, str], login: str) -> tuple[int, Any]:
        permission = self.permissions.get(login, "none")
        return 200, {"permission": permission, "role_name": permission,
                     "user": {"login": login, "id": 7, "type": "User"}}

    def _comment_json(self, number: int, index: int, body: str) -> dict[str, Any]:
        return {"id": number * 1000 + index, "body": body, "user": {"login": "github-actions"},
                "created_at": "2024-03-12T08:00:00Z", "updated_at": "2024-03-12T08:00:00Z",
                "html_url": f"https://github.com/{REPO}/issues/{number}#issuecomment-{index}"}

    def _list_comments(self, data: Any, query: dict[str, str], number: str) -> tuple[int, Any]:
        bodies = self.comments.get(int(number), [])
        return 200, [self._comment_json(int(number), i, b) for i, b in enumerate(bodies)]

    def _add_comment(self, data: Any, query: dict[str, str], number: str) -> tuple[int, Any]:
        bodies = self.comments.setdefault(int(number), [])
        bodies.append(data["body"])
        return 201, self._comment_json(int(number), len(bodies) - 1, data["body"])


def body(**values: str) -> str:
    parts = []
    for field in FIELDS:
        value = values.get(field.id, "_No response_")
        if field.type == "checkboxes":
            value = f"- [{'X' if value == 'yes' else ' '}] 我同意在议事会网站和本仓库公开本提案的内容。"
        parts.append(f"### {field.label}\n\n{value}")
    return "\n\n".join(parts)


GOOD = body(description="地库入口经常有车乱停,消防通道被堵。", community="胜宏社区",
            category="停车", kind="个人提案", location="3 号楼地库入口", consent="yes")


def event(tmp_path: Path, *, text: str = GOOD, label: str = "accepted", sender: str = "maintainer",
          labels: tuple[str, ...] = ("proposal", "accepted"), number: int = 42) -> Path:
    payload = {
        "action": "labeled",
        "label": {"name": label},
        "issue": {
            "number": number, "title": "[提案] 地库入口乱停车", "body": text,
            # 17:30 UTC is already the next day in the council's time zone (+08:00).
            "created_at": "2024-03-11T17:30:00Z",
            "html_url": f"https://github.com/{REPO}/issues/{number}",
            "labels": [{"name": name} for name in labels],
        },
        "repository": {"full_name": REPO},
        "sender": {"login": sender},
    }
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def standin() -> Iterator[IssueStandin]:
    council = (PROJECT / "content" / "council.yml").read_bytes()
    with IssueStandin(repo=REPO, files={"content/council.yml": council}) as server:
        server.permissions.update({"maintainer": "write", "owner": "admin", "helper": "read"})
        yield server


def submit(standin: IssueStandin, event_path: Path) -> Result:
    return CliRunner().invoke(
        main,
        ["issue-form", "submit", "--root", str(PROJECT), "--event", str(event_path)],
        env={"GITHUB_TOKEN": standin.token, "GITHUB_REPOSITORY": REPO,
             "GITHUB_API_URL": standin.api_url},
    )


def test_accepted_issue_becomes_a_proposal(tmp_path: Path, standin: IssueStandin) -> None:
    result = submit(standin, event(tmp_path))
    assert result.exit_code == 0, result.output
    [pull] = standin.pulls
    assert pull.head == "proposal/2024-0312-gi42"
    assert "Closes #42" in (pull.body or "")
    record = standin.files_on("proposal/2024-0312-gi42")["content/issues/2024-0312-gi42.md"]
    front = yaml.safe_load(record.decode().split("---\n")[1])
    assert front["channel"] == "issue_form"
    assert front["community"] == "shenghong" and front["category"] == "parking"
    assert front["title"] == "地库入口乱停车"
    assert front["timeline"][0]["note"] == "GitHub 议题表单 #42"
    [comment] = standin.comments[42]
    assert "`2024-0312-gi42`" in comment
    assert f"{standin.server_url}/{REPO}/pull/1" in comment


def test_running_twice_opens_one_pull_request_and_one_comment(
    tmp_path: Path, standin: IssueStandin
) -> None:
    path = event(tmp_path)
    assert submit(standin, path).exit_code == 0
    again = submit(standin, path)
    assert again.exit_code == 0, again.output
    assert len(standin.pulls) == 1
    assert len(standin.comments[42]) == 1


def test_labeler_without_write_access_is_refused(tmp_path: Path, standin: IssueStandin) -> None:
    result = submit(standin, event(tmp_path, sender="helper"))
    assert result.exit_code == 1
    assert standin.pulls == []
    [comment] = standin.comments[42]
    assert "只有本仓库的维护者" in comment and "@helper" in comment


def test_invalid_issue_gets_the_errors_in_chinese(tmp_path: Path, standin: IssueStandin) -> None:
    text = body(description="联系我 13812345678", community="胜宏社区", category="停车",
                kind="联名提案", consent="yes")
    result = submit(standin, event(tmp_path, text=text))
    assert result.exit_code == 1
    assert standin.pulls == []
    [comment] = standin.comments[42]
    assert "**提案内容**" in comment and "手机号" in comment
    assert "**联名人数**" in comment
    assert "13812345678" not in comment  # the comment never repeats personal data


@pytest.mark.parametrize(("label", "labels"), [
    ("bug", ("proposal", "bug")),
    ("accepted", ("accepted",)),  # not opened with the proposal form
])
def test_other_labels_are_ignored(tmp_path: Path, standin: IssueStandin, label: str,
                                  labels: tuple[str, ...]) -> None:
    result = submit(standin, event(tmp_path, label=label, labels=labels))
    assert result.exit_code == 0
    assert "nothing to do" in result.output
    assert standin.pulls == [] and standin.comments == {}
    assert [r for r in standin.requests if r.path.endswith("/permission")] == []


def test_bad_event_file_is_a_plain_error(tmp_path: Path, standin: IssueStandin) -> None:
    path = tmp_path / "event.json"
    path.write_text('{"pull_request": {}}', encoding="utf-8")
    result = submit(standin, path)
    assert result.exit_code == 1
    assert "not an `issues` event" in result.output
    assert "Traceback" not in result.output
