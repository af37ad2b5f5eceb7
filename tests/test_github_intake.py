"""`yishi issue-form submit`: an accepted issue becomes a proposal pull request, over real
HTTP against the local GitHub stand-in. The stand-in serves the repository (git data,
pulls, labels); a small front server here adds the two issue endpoints the intake also
needs (a user's permission, issue comments) and forwards every other request to it."""

from __future__ import annotations

import http.client
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from yishi.cli import main
from yishi.issue_form.fields import FIELDS
from yishi.testing.github_standin import GithubStandin

PROJECT = Path(__file__).resolve().parents[1]
REPO = "council/records"
PERMISSION = re.compile(rf"^/repos/{REPO}/collaborators/(?P<login>[^/]+)/permission$")
COMMENTS = re.compile(rf"^/repos/{REPO}/issues/(?P<number>\d+)/comments$")
ISSUE = re.compile(rf"^/repos/{REPO}/issues/(?P<number>\d+)$")


class IssueFront:
    """Permissions and issue comments shaped like GitHub's, in front of the stand-in."""

    def __init__(self, standin: GithubStandin) -> None:
        self.standin = standin
        self.permissions: dict[str, str] = {}
        self.comments: dict[int, list[str]] = {}
        #: Issues as GitHub holds them now: number → title, body, updated_at.
        self.issues: dict[int, dict[str, Any]] = {}
        self.permission_requests = 0
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else delayed ACKs add ~40 ms to every answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                front.handle(self)

            do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def api_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(request.path).path
        if request.command == "GET" and (match := PERMISSION.match(path)):
            self.permission_requests += 1
            level = self.permissions.get(match["login"], "none")
            self.reply(request, 200, {"permission": level, "role_name": level,
                                      "user": {"login": match["login"], "id": 7}})
        elif request.command == "GET" and (match := ISSUE.match(path)):
            number = int(match["number"])
            issue = self.issues[number]
            self.reply(request, 200, {
                "id": number, "number": number, "state": "open", "title": issue["title"],
                "body": issue["body"], "updated_at": issue["updated_at"],
                "created_at": "2024-03-11T17:30:00Z", "user": {"login": "resident"},
                "url": f"{self.api_url}/repos/{REPO}/issues/{number}",
                "html_url": f"https://github.com/{REPO}/issues/{number}"})
        elif match := COMMENTS.match(path):
            number = int(match["number"])
            bodies = self.comments.setdefault(number, [])
            if request.command == "POST":
                bodies.append(json.loads(body)["body"])
                self.reply(request, 201, self.comment_json(number, len(bodies) - 1, bodies[-1]))
            else:
                self.reply(request, 200, [self.comment_json(number, i, text)
                                          for i, text in enumerate(bodies)])
        else:
            self.forward(request, body)

    def comment_json(self, number: int, index: int, body: str) -> dict[str, Any]:
        return {"id": number * 1000 + index, "body": body, "user": {"login": "github-actions"},
                "created_at": "2024-03-12T08:00:00Z", "updated_at": "2024-03-12T08:00:00Z",
                "html_url": f"https://github.com/{REPO}/issues/{number}#issuecomment-{index}"}

    def reply(self, request: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def forward(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        target = urllib.parse.urlsplit(self.standin.api_url)
        conn = http.client.HTTPConnection(target.hostname or "127.0.0.1", target.port, timeout=10)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        conn.request(request.command, target.path + request.path, body=body or None,
                     headers=headers)
        answer = conn.getresponse()
        # The stand-in's answers name its own address (PyGithub follows those URLs and
        # insists they stay on the host it was given): show this server's instead.
        theirs, ours = self.standin.server_url, self.api_url
        data = answer.read().replace(theirs.encode(), ours.encode())
        request.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in {"content-length", "transfer-encoding", "connection",
                                   "server", "date"}:
                request.send_header(key, value.replace(theirs, ours))
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)
        conn.close()


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
            "updated_at": "2024-03-12T08:00:00Z",  # the label's time
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
def standin() -> Iterator[GithubStandin]:
    council = (PROJECT / "content" / "council.yml").read_bytes()
    with GithubStandin(repo=REPO, files={"content/council.yml": council}) as server:
        yield server


@pytest.fixture
def front(standin: GithubStandin) -> Iterator[IssueFront]:
    server = IssueFront(standin)
    server.permissions.update({"maintainer": "write", "owner": "admin", "helper": "read"})
    yield server
    server.stop()


def submit(front: IssueFront, event_path: Path) -> Result:
    """Run the intake on the event; the issue on GitHub is unchanged since the event unless
    a test set it otherwise."""
    payload = json.loads(event_path.read_text(encoding="utf-8")).get("issue")
    if payload:
        front.issues.setdefault(payload["number"], {
            "title": payload["title"], "body": payload["body"],
            "updated_at": payload.get("updated_at", "2024-03-12T08:00:00Z")})
    return CliRunner().invoke(
        main,
        ["issue-form", "submit", "--root", str(PROJECT), "--event", str(event_path)],
        env={"GITHUB_TOKEN": front.standin.token, "GITHUB_REPOSITORY": REPO,
             "GITHUB_API_URL": front.api_url},
    )


def test_accepted_issue_becomes_a_proposal(tmp_path: Path, front: IssueFront) -> None:
    result = submit(front, event(tmp_path))
    assert result.exit_code == 0, result.output
    [pull] = front.standin.pulls
    assert pull.head == "proposal/2024-0312-gi42"
    assert "Closes #42" in (pull.body or "")
    record = front.standin.files_on("proposal/2024-0312-gi42")["content/issues/2024-0312-gi42.md"]
    facts = yaml.safe_load(record.decode().split("---\n")[1])
    assert facts["channel"] == "issue_form"
    assert facts["community"] == "shenghong" and facts["category"] == "parking"
    assert facts["title"] == "地库入口乱停车"
    assert facts["timeline"][0]["note"] == "GitHub 议题表单 #42"
    [comment] = front.comments[42]
    assert "`2024-0312-gi42`" in comment
    assert f"{front.api_url}/{REPO}/pull/1" in comment


def test_running_twice_opens_one_pull_request_and_one_comment(
    tmp_path: Path, front: IssueFront
) -> None:
    path = event(tmp_path)
    assert submit(front, path).exit_code == 0
    again = submit(front, path)
    assert again.exit_code == 0, again.output
    assert len(front.standin.pulls) == 1
    assert len(front.comments[42]) == 1


def test_labeler_without_write_access_is_refused(tmp_path: Path, front: IssueFront) -> None:
    result = submit(front, event(tmp_path, sender="helper"))
    assert result.exit_code == 1
    assert front.standin.pulls == []
    [comment] = front.comments[42]
    assert "只有本仓库的维护者" in comment and "@helper" in comment


def test_invalid_issue_gets_the_errors_in_chinese(tmp_path: Path, front: IssueFront) -> None:
    text = body(description="联系我 13812345678", community="胜宏社区", category="停车",
                kind="联名提案", consent="yes")
    result = submit(front, event(tmp_path, text=text))
    assert result.exit_code == 1
    assert front.standin.pulls == []
    [comment] = front.comments[42]
    assert "**提案内容**" in comment and "手机号" in comment
    assert "**联名人数**" in comment
    assert "13812345678" not in comment  # the comment never repeats personal data


@pytest.mark.parametrize(("label", "labels"), [
    ("bug", ("proposal", "bug")),
    ("accepted", ("accepted",)),  # not opened with the proposal form
])
def test_other_labels_are_ignored(tmp_path: Path, front: IssueFront, label: str,
                                  labels: tuple[str, ...]) -> None:
    result = submit(front, event(tmp_path, label=label, labels=labels))
    assert result.exit_code == 0
    assert "nothing to do" in result.output
    assert front.standin.pulls == [] and front.comments == {}
    assert front.permission_requests == 0


def test_bad_event_file_is_a_plain_error(tmp_path: Path, front: IssueFront) -> None:
    path = tmp_path / "event.json"
    path.write_text('{"pull_request": {}}', encoding="utf-8")
    result = submit(front, path)
    assert result.exit_code == 1
    assert "not an `issues` event" in result.output
    assert "Traceback" not in result.output


def test_an_issue_edited_after_the_label_is_refused(tmp_path: Path, front: IssueFront) -> None:
    # The maintainer accepted GOOD; the author then swapped the text for something else.
    swapped = body(description="改成别的内容:请 @everyone 看 fixes #1", community="胜宏社区",
                   category="停车", kind="个人提案", consent="yes")
    front.issues[42] = {"title": "[提案] 地库入口乱停车", "body": swapped,
                        "updated_at": "2024-03-12T08:05:00Z"}
    result = submit(front, event(tmp_path))
    assert result.exit_code == 1, result.output
    assert front.standin.pulls == []
    [comment] = front.comments[42]
    assert "被修改过" in comment and "2024-03-12 08:05 UTC" in comment
    assert "edited after" in result.output

    # Read again and labelled again: the new event carries the text the maintainer saw.
    front.comments.clear()
    again = submit(front, event(tmp_path, text=swapped))
    assert again.exit_code == 0, again.output
    assert len(front.standin.pulls) == 1


def test_activity_after_the_label_that_leaves_the_text_alone_is_fine(
        tmp_path: Path, front: IssueFront) -> None:
    # A comment or another label moves updated_at, but the text is what was accepted.
    front.issues[42] = {"title": "[提案] 地库入口乱停车", "body": GOOD,
                        "updated_at": "2024-03-12T09:00:00Z"}
    result = submit(front, event(tmp_path))
    assert result.exit_code == 0, result.output
    assert len(front.standin.pulls) == 1
